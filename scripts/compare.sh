#!/usr/bin/env bash
# The side-by-side comparison: runs W1–W7 (../shared/bench/WORKLOADS.md) in
# causing-diff and in the peers (MyGrad, NumPy forward-only and with
# hand-written gradients, PyTorch CPU, candle) plus the machine-limit probes,
# all on this machine, and prints one table: a row per workload, a column
# per implementation's median, and causing-diff's ratio to the best peer and
# to the ideal.
#
#   scripts/compare.sh [OUTDIR]
#
# Installs what it needs into .bench-work/ (git-ignored): a Python virtualenv
# with MyGrad 2.5, NumPy and PyTorch (about 5.5 GB, once), and release builds
# of candle and the limit probes. About 6–8 minutes on a quiet 2-core machine
# (each case first waits up to 2 minutes for other processes to go quiet).
# The peers' implementations live in ../shared/bench (CAUSING_DIFF_BENCH_DIR
# overrides that).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${CAUSING_DIFF_BENCH_DIR:-$REPO/../shared/bench}
WORK=${BENCH_WORK:-$REPO/.bench-work}
OUT=${1:-$WORK/results/$(date +%Y%m%d-%H%M%S)}
[ -x "$SHARED/run_all.sh" ] || { echo "compare: no peer benchmarks at $SHARED" >&2; exit 2; }
mkdir -p "$OUT"
E="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE"
echo "[$(date +%T)] peers and limits (../shared/bench/run_all.sh)" >&2
BENCH_WORK="$WORK" $E "$SHARED/run_all.sh" "$OUT" >&2
echo "[$(date +%T)] causing-diff" >&2
cd "$REPO"
cargo bench --quiet --bench compare --no-run >&2
$E cargo bench --quiet --bench compare -- W1,W2,W3,W4,W5,W6 > "$OUT/causing_diff.jsonl"
$E cargo bench --quiet --bench compare -- W7 > "$OUT/causing_diff_w7.jsonl"
"$WORK/venv/bin/python" "$REPO/scripts/compare_table.py" "$SHARED" "$OUT" | tee "$OUT/COMPARE.md"
