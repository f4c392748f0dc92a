use causing_diff::prelude::*;
use std::time::Instant;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |s| s.parse().unwrap());
    let g = Graph::new();
    let x = g
        .try_linspace_with(
            0.0,
            10.0,
            n,
            true,
            TensorOptions::new().dtype(DType::Float32),
        )
        .unwrap();
    let mark = g.mark();
    for it in 0..4 {
        let mut t = Instant::now();
        let mut lap = |name: &str| {
            let e = t.elapsed();
            t = Instant::now();
            if it == 3 {
                println!("{name:>10}: {:8.1} µs", e.as_secs_f64() * 1e6);
            }
        };
        let a = 2.0 * x;
        lap("2*x");
        let b = a.sin();
        lap("sin");
        let c = x.cos();
        lap("cos");
        let d = b * c;
        lap("mul");
        let e = -x;
        lap("neg");
        let f1 = e / 3.0;
        lap("div");
        let h = f1.exp();
        lap("exp");
        let i = d * h;
        lap("mul");
        let j = i * 100.0;
        lap("mul100");
        let f = j.sum();
        lap("sum");
        f.backward();
        lap("backward");
        g.rewind(mark);
        lap("rewind");
    }
}
