//! The side-by-side runner: times W1–W7 exactly as the peers' harness in
//! `../shared/bench` does, and prints one JSON object per case, for
//! `scripts/compare.sh` to put in one table with MyGrad, NumPy, PyTorch and
//! candle.
//!
//! Statistic (WORKLOADS.md): the call runs once, then each sample runs it
//! `inner` times back to back (`inner` chosen so that a sample lasts ≥ 50 ms)
//! and records the mean per call; one warm-up sample, then the median of 9
//! (5 when one call takes > 0.25 s). Before each case the runner waits (up
//! to 120 s) for other processes to use < 10 % of the machine, and records
//! the share they used while it ran (`other_cpu`).
//!
//! Run: `cargo bench --bench compare -- W1,W2,W3,W4,W5,W6` and, in a fresh
//! process, `cargo bench --bench compare -- W7`.

mod common;

use std::time::{Duration, Instant};

use causing_diff::prelude::*;

/// Busy and total jiffies of the machine, and this process's own.
fn cpu_snapshot() -> (u64, u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let (busy, total) = if fields.len() >= 8 {
        let total: u64 = fields[..8].iter().sum();
        (total - fields[3] - fields[4], total)
    } else {
        (0, 1)
    };
    // Fields after the command name, from the state (field 3): utime and
    // stime are fields 14 and 15 (proc(5)). Counted by position, not after
    // dropping the non-numeric state, which had read stime and cutime and
    // so counted this process's own user time as other processes' (0.5–1.0
    // of the machine in every row).
    let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = own.rfind(')').map_or("", |i| &own[i + 1..]);
    let f: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| f.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    let mine = field(14).unwrap_or(0) + field(15).unwrap_or(0);
    (busy, total, mine)
}

/// The share of the machine other processes used between two snapshots.
fn others_share(a: (u64, u64, u64), b: (u64, u64, u64)) -> f64 {
    let busy = (b.0 - a.0).saturating_sub(b.2 - a.2);
    busy as f64 / (b.1 - a.1).max(1) as f64
}

/// Waits until other processes use < 10 % of the machine (at most 120 s).
fn wait_quiet() -> f64 {
    let start = Instant::now();
    loop {
        let a = cpu_snapshot();
        std::thread::sleep(Duration::from_millis(250));
        let b = cpu_snapshot();
        if others_share(a, b) < 0.10 || start.elapsed() > Duration::from_secs(120) {
            return start.elapsed().as_secs_f64();
        }
    }
}

struct Stats {
    med: f64,
    min: f64,
    max: f64,
    samples: usize,
    other_cpu: f64,
    waited: f64,
}

fn bench(mut call: impl FnMut()) -> Stats {
    let waited = wait_quiet();
    let before = cpu_snapshot();
    let t = Instant::now();
    call();
    let one = t.elapsed().as_secs_f64();
    let samples = if one > 0.25 { 5 } else { 9 };
    let inner = (0.05 / one.max(1e-9)).ceil().max(1.0) as usize;
    let mut times = Vec::with_capacity(samples);
    for s in 0..=samples {
        let t = Instant::now();
        for _ in 0..inner {
            call();
        }
        if s > 0 {
            times.push(t.elapsed().as_secs_f64() / inner as f64);
        }
    }
    let after = cpu_snapshot();
    times.sort_by(f64::total_cmp);
    Stats {
        med: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        samples,
        other_cpu: others_share(before, after),
        waited,
    }
}

fn emit(workload: &str, row: &str, params: &str, st: &Stats) {
    println!(
        "{{\"tool\":\"causing-diff\",\"peer\":\"causing_diff\",\"workload\":\"{workload}\",\
         \"row\":\"{row}\",\"params\":{params},\"med_s\":{:e},\"min_s\":{:e},\"max_s\":{:e},\
         \"samples\":{},\"other_cpu\":{:.3},\"waited_s\":{:.2}}}",
        st.med, st.min, st.max, st.samples, st.other_cpu, st.waited
    );
}

fn fmt_n(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn run_w1() {
    let g = Graph::new();
    let case = common::w1(&g);
    emit(
        "W1",
        "W1 scalar f+b",
        "{}",
        &bench(|| common::w1_call(&case)),
    );
}

fn run_w2() {
    for n in [10_000, 1_000_000, 16_000_000] {
        let g = Graph::new();
        let case = common::w2(&g, n);
        let row = format!("W2 N={}", fmt_n(n));
        emit(
            "W2",
            &row,
            &format!("{{\"n\":{n}}}"),
            &bench(|| common::w2_call(&case)),
        );
    }
}

fn run_w3() {
    for n in [1000, 4096] {
        let g = Graph::new();
        let case = common::w3(&g, n);
        let row = format!("W3 n={n}");
        emit(
            "W3",
            &row,
            &format!("{{\"n\":{n}}}"),
            &bench(|| common::w3_call(&case)),
        );
    }
}

fn run_w4() {
    let g = Graph::new();
    let case = common::w4(&g);
    emit(
        "W4",
        "W4 4096²",
        "{\"n\":4096}",
        &bench(|| common::w4_call(&case)),
    );
}

fn run_w6() {
    let g = Graph::new();
    let case = common::w6(&g);
    emit(
        "W6",
        "W6 MLP step",
        "{\"batch\":64}",
        &bench(|| common::w6_call(&case)),
    );
}

fn run_w5() {
    for dtype in [DType::Float32, DType::Float64] {
        for n in [64, 256, 1024] {
            let g = Graph::new();
            let case = common::w5(&g, n, dtype);
            let short = if dtype == DType::Float32 {
                "f32"
            } else {
                "f64"
            };
            let row = format!("W5 n={n} {short}");
            let params = format!("{{\"n\":{n},\"dtype\":\"{}\"}}", dtype.name());
            emit("W5", &row, &params, &bench(|| common::w5_call(&case)));
        }
    }
}

/// A `/proc/self/status` field in KiB.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// W7: per-step median of 3 runs of 100k steps after 1000 warm-up steps, and
/// the resident-set high-water mark during the runs above the RSS before.
fn run_w7() {
    let steps = 100_000;
    let g = Graph::new();
    let case = common::w7(&g);
    for _ in 0..1000 {
        common::w7_step(&case);
    }
    let waited = wait_quiet();
    let before = status_kib("VmRSS:");
    // Writing 5 to clear_refs resets the high-water mark (Linux).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let mut times = Vec::new();
    for _ in 0..3 {
        let w = case.leaves[0];
        w.set_data(10.0);
        let t = Instant::now();
        for _ in 0..steps {
            common::w7_step(&case);
        }
        times.push(t.elapsed().as_secs_f64());
    }
    let peak = status_kib("VmHWM:");
    times.sort_by(f64::total_cmp);
    let med = times[1];
    println!(
        "{{\"tool\":\"causing-diff\",\"peer\":\"causing_diff\",\"workload\":\"W7\",\
         \"row\":\"W7 per step\",\"params\":{{\"steps\":{steps}}},\"med_s\":{med:e},\
         \"min_s\":{:e},\"max_s\":{:e},\"samples\":3,\"per_step_med_s\":{:e},\
         \"rss_before_kib\":{before},\"peak_rss_kib\":{peak},\"peak_rss_delta_kib\":{},\
         \"hwm_reset\":{reset},\"final_w\":{:e},\"waited_s\":{waited:.2}}}",
        times[0],
        times[2],
        med / steps as f64,
        peak.saturating_sub(before),
        case.leaves[0].item()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; the workload list is the other argument.
    let which = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "W1,W2,W3,W4,W5,W6".into());
    for w in which.split(',') {
        match w {
            "W1" => run_w1(),
            "W2" => run_w2(),
            "W3" => run_w3(),
            "W4" => run_w4(),
            "W5" => run_w5(),
            "W6" => run_w6(),
            "W7" => run_w7(),
            other => eprintln!("compare: no workload {other} (yet)"),
        }
    }
}
