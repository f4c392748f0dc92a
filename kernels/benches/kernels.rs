//! Kernel micro-benchmarks: the vectorised transcendentals against the
//! platform's scalar functions, elementwise maps by layout, reductions by
//! axis, and matmul against raw `matrixmultiply`.
//!
//! Run: `cargo bench -p causing-diff-kernels` (add a filter such as `-- exp`).

use std::hint::black_box;

use causing_diff_kernels::vmath::{self, Fun};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn transcendentals(c: &mut Criterion) {
    let n = 1 << 20;
    let x: Vec<f32> = (0..n).map(|i| (i as f32 / n as f32 - 0.5) * 20.0).collect();
    let pos: Vec<f32> = x.iter().map(|v| v.abs() + 0.5).collect();
    let mut out = vec![0.0f32; n];
    let mut group = c.benchmark_group("f32 transcendental, 1M elements");
    group.throughput(Throughput::Elements(n as u64));
    for (name, f) in [
        ("exp", Fun::Exp),
        ("ln", Fun::Ln),
        ("sin", Fun::Sin),
        ("cos", Fun::Cos),
        ("tan", Fun::Tan),
    ] {
        let input = if f == Fun::Ln { &pos } else { &x };
        group.bench_with_input(BenchmarkId::new("vmath", name), &f, |b, &f| {
            b.iter(|| vmath::map_f32(f, black_box(input), &mut out))
        });
    }
    group.bench_function(BenchmarkId::new("std f32::sin", "sin"), |b| {
        b.iter(|| {
            for (o, &v) in out.iter_mut().zip(black_box(&x)) {
                *o = v.sin();
            }
        })
    });
    group.bench_function(BenchmarkId::new("std f64::sin, rounded", "sin"), |b| {
        b.iter(|| {
            for (o, &v) in out.iter_mut().zip(black_box(&x)) {
                *o = (v as f64).sin() as f32;
            }
        })
    });
    group.finish();
}

criterion_group!(benches, transcendentals);
criterion_main!(benches);
