//! The benchmark workloads of `../shared/bench/WORKLOADS.md`, exactly as
//! defined there (same expressions, dtypes and data), as criterion benches.
//!
//! One timed call is one forward pass plus `backward()`, with the leaves
//! created once outside it; it ends with `Graph::rewind`, the idiomatic way a
//! Rust loop reclaims its step's nodes, so that cost is included.
//!
//! Run: `cargo bench --bench workloads` (add a filter such as `-- W2`).
//! The side-by-side table against the peers: `scripts/compare.sh`.

mod common;

use causing_diff::prelude::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn w1(c: &mut Criterion) {
    let g = Graph::new();
    let case = common::w1(&g);
    common::w1_call(&case);
    assert_eq!(case.leaves[0].grad().unwrap().item(), Some(8.0));
    assert_eq!(case.leaves[1].grad().unwrap().item(), Some(2.0));
    c.bench_function("W1 scalar f+b (3 ops)", |b| {
        b.iter(|| common::w1_call(&case))
    });
}

fn w2(c: &mut Criterion) {
    let mut group = c.benchmark_group("W2 elementwise chain");
    group.sample_size(10);
    for n in [10_000, 1_000_000, 16_000_000] {
        let g = Graph::new();
        let case = common::w2(&g, n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| common::w2_call(&case))
        });
    }
    group.finish();
}

fn w3(c: &mut Criterion) {
    let mut group = c.benchmark_group("W3 broadcasting");
    group.sample_size(10);
    for n in [1000, 4096] {
        let g = Graph::new();
        let case = common::w3(&g, n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| common::w3_call(&case))
        });
    }
    group.finish();
}

fn w4(c: &mut Criterion) {
    let g = Graph::new();
    let case = common::w4(&g);
    let mut group = c.benchmark_group("W4 reductions");
    group.sample_size(10);
    group.bench_function("4096x4096", |b| b.iter(|| common::w4_call(&case)));
    group.finish();
}

fn w6(c: &mut Criterion) {
    let g = Graph::new();
    let case = common::w6(&g);
    // The loss at the initial weights (NumPy, candle and hand-written Rust agree).
    let loss = common::w6_loss(&case).item();
    assert!((loss - 2.3000064).abs() < 1e-5, "initial W6 loss {loss}");
    g.rewind(case.mark);
    c.bench_function("W6 MLP training step", |b| {
        b.iter(|| common::w6_call(&case))
    });
}

fn w5(c: &mut Criterion) {
    let mut group = c.benchmark_group("W5 matmul");
    group.sample_size(10);
    for dtype in [DType::Float32, DType::Float64] {
        for n in [64, 256, 1024] {
            let g = Graph::new();
            let case = common::w5(&g, n, dtype);
            let id = BenchmarkId::new(dtype.name(), n);
            group.bench_with_input(id, &n, |b, _| b.iter(|| common::w5_call(&case)));
        }
    }
    group.finish();
}

fn w7(c: &mut Criterion) {
    let g = Graph::new();
    let case = common::w7(&g);
    for _ in 0..1000 {
        common::w7_step(&case);
    }
    c.bench_function("W7 seed loop per step", |b| {
        b.iter(|| common::w7_step(&case))
    });
    // w underflows to exactly 0 after ~810 steps, as in every peer.
    assert_eq!(case.leaves[0].item(), 0.0);
}

criterion_group!(benches, w1, w2, w3, w4, w5, w6, w7);
criterion_main!(benches);
