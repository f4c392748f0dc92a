//! The benchmark workloads of `../shared/bench/WORKLOADS.md`, exactly as
//! defined there (same expressions, dtypes and data), as criterion benches.
//!
//! One timed call is one forward pass plus `backward()`, with the leaves
//! created once outside it. The call ends with `Graph::rewind`, the
//! idiomatic way a Rust loop reclaims its step's nodes, so its cost is
//! included.
//!
//! Run: `cargo bench --bench workloads` (add `-- W1` to filter).

use std::hint::black_box;

use causing_diff::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};

/// W1 — scalar overhead: `f = x*y + x**2` on float32 0-d leaves, then backward.
fn w1(c: &mut Criterion) {
    let g = Graph::new();
    let x = g.tensor(2.0f32);
    let y = g.tensor(4.0f32);
    let mark = g.mark();
    let call = || {
        let f = x * y + x.pow(2.0);
        f.backward();
        g.rewind(mark);
    };
    call();
    assert_eq!(x.grad().unwrap().item(), Some(8.0));
    assert_eq!(y.grad().unwrap().item(), Some(2.0));
    c.bench_function("W1 scalar f+b (3 ops)", |b| b.iter(&call));
}

/// W7 — the tutorial's loop, per step: `L = w**2; L.backward();
/// w.data -= 0.3 * w.grad` on a float64 0-d `w`.
fn w7(c: &mut Criterion) {
    let g = Graph::new();
    let w = g.tensor(10.0);
    let mark = g.mark();
    let step = || {
        let loss = w.pow(2.0);
        loss.backward();
        w.gradient_step(black_box(0.3));
        g.rewind(mark);
    };
    for _ in 0..1000 {
        step();
    }
    c.bench_function("W7 seed loop per step", |b| b.iter(&step));
    // w underflows to exactly 0 after ~810 steps, as in every peer.
    assert_eq!(w.item(), 0.0);
}

criterion_group!(benches, w1, w7);
criterion_main!(benches);
