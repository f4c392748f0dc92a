//! Kernel micro-benchmarks: the vectorised transcendentals against the
//! platform's scalar functions, elementwise maps (and in-place updates) by
//! layout, reductions by
//! axis, and matmul (f32 and f64, B row-major and transposed) against raw
//! `matrixmultiply`.
//!
//! Run: `cargo bench -p causing-diff-kernels` (add a filter such as `-- exp`).

use std::hint::black_box;

use causing_diff_kernels::vmath::{self, Fun};
use causing_diff_kernels::{map2, matmul, max_axes, sum_axes, zip_assign, Layout, MatElem};
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

fn reductions(c: &mut Criterion) {
    let n = 4096;
    let x: Vec<f32> = (0..n * n)
        .map(|i| ((i * 7919) % 1000) as f32 * 0.001)
        .collect();
    let l = Layout::contiguous(&[n, n]);
    let mut out = vec![0.0f32; n];
    let mut arg = vec![0usize; n];
    let mut group = c.benchmark_group("reduce 4096x4096 f32");
    group.sample_size(10);
    group.throughput(Throughput::Elements((n * n) as u64));
    for (name, axes) in [("axis 0", [true, false]), ("axis 1", [false, true])] {
        group.bench_function(BenchmarkId::new("sum", name), |b| {
            b.iter(|| sum_axes(black_box(&x), &l, &axes, &mut out))
        });
        group.bench_function(BenchmarkId::new("max+arg", name), |b| {
            b.iter(|| max_axes(black_box(&x), &l, &axes, &mut out, Some(&mut arg)))
        });
    }
    group.finish();
    // Whole, in-cache arrays (W5's and W6's `sum()`): the set-up and the
    // additions' latency, not memory, decide.
    let mut group = c.benchmark_group("sum whole array f32");
    for len in [16usize, 1000, 4096, 100_000] {
        let l = Layout::contiguous(&[len]);
        let mut one = [0.0f32];
        group.throughput(Throughput::Elements(len as u64));
        group.bench_function(BenchmarkId::new("sum", len), |b| {
            b.iter(|| sum_axes(black_box(&x[..len]), &l, &[true], &mut one))
        });
    }
    group.finish();
}

fn elementwise(c: &mut Criterion) {
    let n = 1 << 20;
    let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let b: Vec<f32> = (0..n).map(|i| (n - i) as f32).collect();
    let mut out = vec![0.0f32; n];
    let mut group = c.benchmark_group("add f32, 1M elements");
    group.throughput(Throughput::Elements(n as u64));
    let flat = Layout::contiguous(&[n]);
    group.bench_function("contig::zip2", |bch| {
        bch.iter(|| causing_diff_kernels::contig::zip2(black_box(&a), &b, &mut out, |x, y| x + y))
    });
    group.bench_function("contiguous", |bch| {
        bch.iter(|| map2(black_box(&a), &flat, &b, &flat, &mut out, |x, y| x + y))
    });
    let scalar = Layout::contiguous(&[]).broadcast_to(&[n]).unwrap();
    group.bench_function("scalar broadcast", |bch| {
        bch.iter(|| map2(black_box(&a), &flat, &b, &scalar, &mut out, |x, y| x + y))
    });
    let sq = Layout::contiguous(&[1024, 1024]);
    let tr = sq.permute(&[1, 0]).unwrap();
    group.bench_function("transposed", |bch| {
        bch.iter(|| map2(black_box(&a), &tr, &b, &sq, &mut out, |x, y| x + y))
    });
    let row = Layout::contiguous(&[1024])
        .broadcast_to(&[1024, 1024])
        .unwrap();
    group.bench_function("row broadcast", |bch| {
        bch.iter(|| map2(black_box(&a), &sq, &b, &row, &mut out, |x, y| x + y))
    });
    // In place, as gradients accumulate: a contiguous operand, and a row
    // spread down the matrix (a mean's gradient added into W4's).
    group.bench_function("zip_assign contiguous", |bch| {
        bch.iter(|| zip_assign(&mut out, black_box(&b), &flat, |x, y| x + y))
    });
    group.bench_function("zip_assign row spread", |bch| {
        bch.iter(|| zip_assign(&mut out, black_box(&b), &row, |x, y| x + y))
    });
    group.finish();
}

/// `kernels::matmul` (the crate's blocked AVX-512 GEMM for large products
/// on AVX-512 machines, matrixmultiply otherwise) against raw
/// matrixmultiply, with B row-major and transposed (W5's backward reads Bᵀ),
/// and W5's two gradient products with a one-value G.
fn gemm_of<T: MatElem>(c: &mut Criterion, name: &str) {
    let mut group = c.benchmark_group(format!("matmul {name}"));
    group.sample_size(10);
    let raw = T::GEMM.expect("a float type");
    for n in [64, 256, 1024] {
        let a: Vec<T> = (0..n * n).map(|i| T::from_f64((i % 7) as f64)).collect();
        let b: Vec<T> = (0..n * n).map(|i| T::from_f64((i % 5) as f64)).collect();
        let mut out = vec![T::ZERO; n * n];
        let l = Layout::contiguous(&[n, n]);
        let lt = l.permute(&[1, 0]).unwrap();
        group.throughput(Throughput::Elements((2 * n * n * n) as u64));
        for (tag, bl) in [("", &l), (" Bᵀ", &lt)] {
            group.bench_with_input(
                BenchmarkId::new(format!("kernels::matmul{tag}"), n),
                &n,
                |bch, _| bch.iter(|| matmul(black_box(&a), &l, &b, bl, &mut out)),
            );
            let (rsb, csb) = (bl.strides()[0], bl.strides()[1]);
            group.bench_with_input(
                BenchmarkId::new(format!("raw matrixmultiply{tag}"), n),
                &n,
                |bch, &n| {
                    bch.iter(|| unsafe {
                        // SAFETY: a, b and out are n×n buffers, B read through
                        // its (row, column) strides.
                        raw(
                            n,
                            n,
                            n,
                            T::ONE,
                            a.as_ptr(),
                            n as isize,
                            1,
                            b.as_ptr(),
                            rsb,
                            csb,
                            T::ZERO,
                            out.as_mut_ptr(),
                            n as isize,
                            1,
                        )
                    })
                },
            );
        }
        // W5's gradient products, G one value read through zero strides:
        // rank one, so the GEMM forms one row (column) of C and copies it
        // (throughput still counts the nominal 2n³).
        let g = [T::ONE];
        let gl = Layout::contiguous(&[1, 1]).broadcast_to(&[n, n]).unwrap();
        group.bench_with_input(
            BenchmarkId::new("kernels::matmul G·Bᵀ", n),
            &n,
            |bch, _| bch.iter(|| matmul(black_box(&g), &gl, &b, &lt, &mut out)),
        );
        group.bench_with_input(
            BenchmarkId::new("kernels::matmul Aᵀ·G", n),
            &n,
            |bch, _| bch.iter(|| matmul(black_box(&a), &lt, &g, &gl, &mut out)),
        );
    }
    group.finish();
}

fn gemm(c: &mut Criterion) {
    gemm_of::<f32>(c, "f32");
    gemm_of::<f64>(c, "f64");
}

criterion_group!(benches, transcendentals, reductions, elementwise, gemm);
criterion_main!(benches);
