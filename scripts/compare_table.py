"""One table of W1–W7: each implementation's median, causing-diff's ratio to
the best peer and to the ideal, and the crate's target.

usage: python compare_table.py SHARED_BENCH_DIR RESULTS_DIR

RESULTS_DIR holds the peers' and limits' JSON lines (../shared/bench/run_all.sh)
and causing-diff's (benches/compare.rs). The ideals come from the shared
report.py, computed from the limit probes measured in the same run.
"""
import glob
import json
import os
import sys

sys.path.insert(0, sys.argv[1])
import report  # noqa: E402  (../shared/bench/report.py)

OUT = sys.argv[2]
recs, _ = report.load([OUT])
ideals = {name: ideal for name, _bp, _bt, ideal, *_ in report.workloads_section(recs, [])}

ours = {}
for fn in glob.glob(os.path.join(OUT, "causing_diff*.jsonl")):
    for line in open(fn):
        if line.startswith("{"):
            r = json.loads(line)
            ours[r["row"]] = r.get("per_step_med_s", r["med_s"])

ROWS = [("W1 scalar f+b", "W1", {})]
ROWS += [(f"W2 N={n:,}", "W2", {"n": n}) for n in (10_000, 1_000_000, 16_000_000)]
ROWS += [(f"W3 n={n}", "W3", {"n": n}) for n in (1000, 4096)]
ROWS += [("W4 4096²", "W4", {"n": 4096})]
ROWS += [(f"W5 n={n} {d[:1]}{d[-2:]}", "W5", {"n": n, "dtype": d}) for d in ("float32", "float64") for n in (64, 256, 1024)]
ROWS += [("W6 MLP step", "W6", {"batch": 64}), ("W7 per step", "W7", {"steps": 100000})]
# The crate's targets (issue "Speed"): seconds, or a multiple of the ideal.
TARGET = {"W1 scalar f+b": 150e-9, "W2 N=1,000,000": 6e-3, "W2 N=16,000,000": 140e-3,
          "W3 n=4096": 24e-3, "W4 4096²": 20e-3, "W5 n=64 f32": 17e-6,
          "W5 n=1024 f32": ("ideal", 1.1), "W5 n=1024 f64": ("ideal", 1.1),
          "W6 MLP step": 520e-6, "W7 per step": 50e-9}
COLS = [("mygrad", "MyGrad"), ("numpy_fwd", "NumPy fwd*"), ("numpy_manual", "NumPy manual"),
        ("torch", "PyTorch"), ("candle", "candle")]
PEERS = ("mygrad", "numpy_manual", "torch", "candle")  # must beat all of these

print("| workload | " + " | ".join(c for _, c in COLS) + " | **causing-diff** | × best peer | × ideal | target | met |")
print("|---|" + "---|" * (len(COLS) + 5))
for name, wl, params in ROWS:
    field = "per_step_med_s" if wl == "W7" else "med_s"
    cells, peer_times = [], []
    for p, _ in COLS:
        a = report.get(recs, ("case", p, wl, json.dumps(params, sort_keys=True)), field)
        cells.append(report.ft(a.med) if a else "")
        if a and p in PEERS:
            peer_times.append(a.med)
    us = ours.get(name)
    best = min(peer_times) if peer_times else None
    ideal = ideals.get(name)
    target = TARGET.get(name)
    if isinstance(target, tuple):
        target = target[1] * ideal if ideal else None
    met = "" if us is None or target is None else ("yes" if us <= target else "no")
    ahead = "" if us is None or best is None else (" (ahead)" if us < best else " (BEHIND)")
    print(f"| {name} | " + " | ".join(cells)
          + f" | **{report.ft(us)}** | {report.fx(us / best) if us and best else 'n/a'}{ahead}"
          + f" | {report.fx(us / ideal) if us and ideal else 'n/a'} | {report.ft(target) if target else 'ahead of peers'} | {met} |")
print("\n*NumPy fwd runs the forward pass only (no gradients); it is shown for reference and is not a peer.")
