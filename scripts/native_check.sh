#!/usr/bin/env bash
# Is the default build fast? Builds the W1–W7 runner (benches/compare.rs)
# twice — as a user gets it (no RUSTFLAGS) and with `-C target-cpu=native` —
# runs both on this machine, alternating, and prints each workload's two
# medians and their ratio. The crate picks its SIMD level at run time
# (kernels/src/simd.rs), so the two should agree within noise.
#
#   ROUNDS=3 scripts/native_check.sh [OUTDIR]     # ROUNDS alternations (default 3)
#
# Builds into .bench-work/target-native (git-ignored); about 20 minutes on a
# quiet 2-core machine, most of it the second release build.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-$REPO/.bench-work}
OUT=${1:-$WORK/results/native-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
cd "$REPO"
echo "[$(date +%T)] building the default and the native runner" >&2
cargo bench --quiet --bench compare --no-run >&2
RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR="$WORK/target-native" \
    cargo bench --quiet --bench compare --no-run >&2
for round in $(seq 1 "${ROUNDS:-3}"); do
    for build in default native; do
        echo "[$(date +%T)] round $round: $build" >&2
        if [ "$build" = native ]; then
            export RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR="$WORK/target-native"
        else
            unset RUSTFLAGS CARGO_TARGET_DIR
        fi
        cargo bench --quiet --bench compare -- W1,W2,W3,W4,W5,W6 >> "$OUT/$build.jsonl"
        cargo bench --quiet --bench compare -- W7 >> "$OUT/$build.jsonl"
    done
done
unset RUSTFLAGS CARGO_TARGET_DIR
python3 - "$OUT" <<'PY' | tee "$OUT/NATIVE.md"
import json, statistics, sys
out = sys.argv[1]
def load(name):
    rows = {}
    for line in open(f"{out}/{name}.jsonl"):
        r = json.loads(line)
        t = r.get("per_step_med_s", r["med_s"])
        rows.setdefault(r["row"], []).append(t)
    return rows
d, n = load("default"), load("native")
def fmt(s):
    for unit, f in (("s", 1), ("ms", 1e3), ("µs", 1e6), ("ns", 1e9)):
        if s * f >= 1:
            return f"{s * f:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"
print("| workload | default build | target-cpu=native | default / native |")
print("|---|---|---|---|")
worst = 0.0
for row in d:
    if row not in n:
        continue
    a, b = statistics.median(d[row]), statistics.median(n[row])
    worst = max(worst, a / b)
    print(f"| {row} | {fmt(a)} | {fmt(b)} | {a / b:.2f}× |")
print(f"\nWorst ratio: {worst:.2f}× (each cell: the median of the rounds' medians).")
PY
