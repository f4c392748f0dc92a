//! Stress: a backward pass through a million-op chain (no recursion, so no
//! stack overflow), ten-million-element tensors through every op family
//! (spot-checked against naive loops), and a graph with 100,000 leaves.
//!
//! The cases that take more than about 5 s in a debug build (elementwise,
//! manipulation, matmul) are `#[ignore]`d; run them, in release, with
//!
//! ```sh
//! cargo test --release --test stress -- --ignored
//! ```
//!
//! (`--include-ignored` instead runs all of them; `--nocapture` shows each
//! case's wall time.)

use std::time::Instant;

use causing_diff::prelude::*;

/// Ten million elements: a (10_000, 1000) matrix.
const N: usize = 10_000_000;
const ROWS: usize = 10_000;
const COLS: usize = 1000;

/// Deterministic values in [-5, 5), none of them 0, varied in every lane.
fn value(i: usize) -> f64 {
    ((i * 7919 % 1999) as f64 - 999.5) / 200.0
}

fn data(n: usize) -> Vec<f64> {
    (0..n).map(value).collect()
}

/// Positions to spot-check: the edges, vector boundaries, the middle, and
/// a spread of pseudo-random ones.
fn spots(n: usize) -> Vec<usize> {
    let mut s = vec![0, 1, 7, 8, 15, 16, 4095, 4096, n / 2, n - 2, n - 1];
    let mut r: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..50 {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        s.push((r % n as u64) as usize);
    }
    s.retain(|&i| i < n);
    s
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1.0)
}

fn check(what: &str, got: &[f64], want: impl Fn(usize) -> f64, rel: f64) {
    for i in spots(got.len()) {
        let w = want(i);
        assert!(
            close(got[i], w, rel),
            "{what}[{i}]: got {}, want {w}",
            got[i]
        );
    }
}

/// Runs `f`, printing its wall time (visible with `--nocapture`).
fn timed(name: &str, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    eprintln!("{name}: {:.2?}", t.elapsed());
}

/// y = x·c·c·…·c (a million multiplications): y = x·c^n, dy/dx = c^n.
#[test]
fn backward_through_a_million_op_chain() {
    timed("million-op chain", || {
        let g = Graph::new();
        let n = 1_000_000;
        let c: f64 = 1.0 + 1e-6;
        let x = g.tensor(2.0);
        let mut y = x;
        for _ in 0..n {
            y *= c;
        }
        // Each scalar operand is recorded as a constant node as well.
        assert!(g.len() > n);
        let closed = c.powi(n as i32);
        // n roundings of relative size 2^-53 each.
        assert!(
            close(y.item(), 2.0 * closed, 1e-9),
            "{} vs {}",
            y.item(),
            2.0 * closed
        );
        y.backward();
        let grad = x.grad().unwrap().item().unwrap();
        assert!(close(grad, closed, 1e-9), "{grad} vs {closed}");
        // Every intermediate kept its gradient: d y / d y_k = c^(n-k).
        assert_eq!(y.grad().unwrap().item(), Some(1.0));
    });
}

/// A longer chain mixing unary and binary ops, alternating
/// y ← exp(y) then y ← log(y): the value stays x, the gradient stays 1.
#[test]
fn backward_through_a_million_exp_log_pairs() {
    timed("exp/log chain", || {
        let g = Graph::new();
        let x = g.tensor([0.5, -1.5]);
        let mut y = x;
        for _ in 0..500_000 {
            y = y.exp().log();
        }
        assert_eq!(g.len(), 1_000_001);
        let v = y.data().to_f64_vec();
        assert!(close(v[0], 0.5, 1e-9) && close(v[1], -1.5, 1e-9), "{v:?}");
        y.backward();
        for gr in x.grad().unwrap().to_f64_vec() {
            assert!(close(gr, 1.0, 1e-9), "{gr}");
        }
    });
}

#[test]
fn a_graph_with_100_000_leaves() {
    timed("100,000 leaves", || {
        let g = Graph::new();
        let n: usize = 100_000;
        let leaves: Vec<Tensor<'_>> = (0..n).map(|i| g.tensor(i as f64)).collect();
        // A running sum, each leaf weighted by (i mod 7): grad_i = i mod 7.
        let mut total = g.tensor(0.0);
        for (i, &leaf) in leaves.iter().enumerate() {
            total += leaf * (i % 7) as f64;
        }
        let want: f64 = (0..n).map(|i| (i * (i % 7)) as f64).sum();
        assert_eq!(total.item(), want);
        total.backward();
        for (i, leaf) in leaves.iter().enumerate() {
            assert_eq!(
                leaf.grad().unwrap().item(),
                Some((i % 7) as f64),
                "leaf {i}"
            );
        }
        // The same leaves summed in one op.
        let s = causing_diff::add_sequence(leaves.iter().copied()).unwrap();
        assert_eq!(s.item(), (n * (n - 1) / 2) as f64);
        s.backward();
        assert!(leaves.iter().all(|l| l.grad().unwrap().item() == Some(1.0)));
    });
}

#[test]
#[ignore = "slow in debug builds: cargo test --release --test stress -- --ignored"]
fn ten_million_elements_elementwise() {
    timed("10M elementwise", || {
        let g = Graph::new();
        let xs = data(N);
        let x = g.tensor(xs.clone());
        let v = |t: Tensor<'_>| t.data().to_f64_vec();
        check("exp", &v(x.exp()), |i| xs[i].exp(), 1e-14);
        check("sin", &v(x.sin()), |i| xs[i].sin(), 1e-14);
        check("tanh", &v(x.tanh()), |i| xs[i].tanh(), 1e-14);
        check("log|x|", &v(x.abs().log()), |i| xs[i].abs().ln(), 1e-14);
        check("sqrt|x|", &v(x.abs().sqrt()), |i| xs[i].abs().sqrt(), 1e-15);
        check("x*x+x", &v(x * x + x), |i| xs[i] * xs[i] + xs[i], 1e-15);
        check("x/3-1", &v(x / 3.0 - 1.0), |i| xs[i] / 3.0 - 1.0, 1e-15);
        check(
            "pow",
            &v(x.abs().pow(1.5)),
            |i| xs[i].abs().powf(1.5),
            1e-14,
        );
        check(
            "maximum",
            &v(causing_diff::maximum(x, 0.0).unwrap()),
            |i| xs[i].max(0.0),
            0.0,
        );
        // Broadcasting a row and a column over the (10_000, 1000) matrix.
        let m = x.reshape(&[ROWS as isize, COLS as isize]);
        let row = g.tensor(data(COLS));
        let col = g.tensor(data(ROWS)).reshape(&[-1, 1]);
        let b = v(m * row - col);
        check(
            "m*row-col",
            &b,
            |i| xs[i] * value(i % COLS) - value(i / COLS),
            1e-15,
        );
        // float32 keeps float32.
        let x32 = x.astype(DType::Float32);
        let e32 = x32.exp();
        assert_eq!(e32.dtype(), DType::Float32);
        check("exp f32", &v(e32), |i| (xs[i] as f32).exp() as f64, 1e-6);
        // Backward through an elementwise expression.
        let y = (x.sin() * x).sum();
        y.backward();
        let grad = x.grad().unwrap().to_f64_vec();
        check(
            "d/dx sum(x sin x)",
            &grad,
            |i| xs[i].cos() * xs[i] + xs[i].sin(),
            1e-14,
        );
    });
}

#[test]
fn ten_million_elements_reductions() {
    timed("10M reductions", || {
        let g = Graph::new();
        let xs = data(N);
        let x = g.tensor(xs.clone());
        let naive_sum: f64 = xs.iter().sum();
        let abs_sum: f64 = xs.iter().map(|v| v.abs()).sum();
        assert!((x.sum().item() - naive_sum).abs() <= 1e-12 * abs_sum);
        assert!((x.mean().item() - naive_sum / N as f64).abs() <= 1e-12 * abs_sum / N as f64);
        let max = xs.iter().cloned().fold(f64::MIN, f64::max);
        let min = xs.iter().cloned().fold(f64::MAX, f64::min);
        assert_eq!(x.max().item(), max);
        assert_eq!(x.min().item(), min);
        let first_max = xs.iter().position(|&v| v == max).unwrap();
        assert_eq!(x.argmax().item(), Some(first_max as f64));
        let mean = naive_sum / N as f64;
        let var: f64 = xs.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / N as f64;
        assert!(close(x.var().item(), var, 1e-10));
        // Along each axis of the (10_000, 1000) matrix.
        let m = x.reshape(&[ROWS as isize, COLS as isize]);
        let cols = m.sum_axis(0).data().to_f64_vec();
        check(
            "sum axis 0",
            &cols,
            |j| (0..ROWS).map(|i| xs[i * COLS + j]).sum(),
            1e-12,
        );
        let rows = m.max_axis(1).data().to_f64_vec();
        check(
            "max axis 1",
            &rows,
            |i| {
                xs[i * COLS..(i + 1) * COLS]
                    .iter()
                    .cloned()
                    .fold(f64::MIN, f64::max)
            },
            0.0,
        );
        let cs = x.cumsum().data().to_f64_vec();
        let mut running = Vec::with_capacity(N);
        let mut acc = 0.0;
        for &v in &xs {
            acc += v;
            running.push(acc);
        }
        check("cumsum", &cs, |i| running[i], 1e-9);
        // Backward of a reduction broadcasts back.
        let y = m.sum_axis(1).pow(2.0).sum();
        y.backward();
        let grad = x.grad().unwrap().to_f64_vec();
        let row_sums: Vec<f64> = (0..ROWS)
            .map(|i| xs[i * COLS..(i + 1) * COLS].iter().sum())
            .collect();
        check(
            "d/dx sum(rowsum^2)",
            &grad,
            |i| 2.0 * row_sums[i / COLS],
            1e-12,
        );
    });
}

#[test]
#[ignore = "slow in debug builds: cargo test --release --test stress -- --ignored"]
fn ten_million_elements_manipulation() {
    timed("10M manipulation", || {
        let g = Graph::new();
        let xs = data(N);
        let x = g.tensor(xs.clone());
        let v = |t: Tensor<'_>| t.data().to_f64_vec();
        let m = x.reshape(&[ROWS as isize, COLS as isize]);
        check(
            "transpose",
            &v(m.transpose()),
            |k| xs[(k % ROWS) * COLS + k / ROWS],
            0.0,
        );
        check("flip", &v(x.flip()), |k| xs[N - 1 - k], 0.0);
        check("roll", &v(x.roll(3)), |k| xs[(k + N - 3) % N], 0.0);
        let cube = x.reshape(&[100, 100, 1000]);
        check(
            "swapaxes",
            &v(cube.swapaxes(0, 2)),
            |k| {
                let (a, b, c) = (k / 10_000, k / 100 % 100, k % 100);
                xs[c * 100_000 + b * 1000 + a]
            },
            0.0,
        );
        let cat = v(causing_diff::concatenate(&[m, m], Some(1)).unwrap());
        check(
            "concatenate",
            &cat,
            |k| xs[(k / (2 * COLS)) * COLS + k % COLS],
            0.0,
        );
        let stacked = v(causing_diff::stack(&[x, x], 1).unwrap());
        check("stack", &stacked, |k| xs[k / 2], 0.0);
        check("repeat", &v(x.repeat(&[2], None)), |k| xs[k / 2], 0.0);
        check(
            "broadcast_to",
            &v(x.index(s![..COLS]).broadcast_to(&[ROWS, COLS])),
            |k| xs[k % COLS],
            0.0,
        );
        // Backward through a transpose and a flip.
        (m.transpose().flip() * g.tensor(data(N)).reshape(&[COLS as isize, ROWS as isize]))
            .sum()
            .backward();
        let grad = x.grad().unwrap().to_f64_vec();
        // out[a, b] = m[ROWS-1-b, COLS-1-a] * w[a, b]: m[i, j] gets w[COLS-1-j, ROWS-1-i].
        check(
            "d/dx transpose-flip",
            &grad,
            |k| {
                let (i, j) = (k / COLS, k % COLS);
                value((COLS - 1 - j) * ROWS + (ROWS - 1 - i))
            },
            0.0,
        );
    });
}

#[test]
fn ten_million_elements_indexing() {
    timed("10M indexing", || {
        let g = Graph::new();
        let xs = data(N);
        let x = g.tensor(xs.clone());
        let v = |t: Tensor<'_>| t.data().to_f64_vec();
        check("step 3", &v(x.index(s![..;3])), |k| xs[3 * k], 0.0);
        check("reversed", &v(x.index(s![..;-1])), |k| xs[N - 1 - k], 0.0);
        let m = x.reshape(&[ROWS as isize, COLS as isize]);
        let sub = v(m.index(s![10..9000;7, ..;-2]));
        check(
            "2-D slice",
            &sub,
            |k| xs[(10 + 7 * (k / 500)) * COLS + (COLS - 1 - 2 * (k % 500))],
            0.0,
        );
        // A million gathered positions, repeats included.
        let idx: Vec<i64> = (0..1_000_000).map(|k| (k * 7_919 % N) as i64).collect();
        let picked = v(x.index(s![idx.clone()]));
        check("gather", &picked, |k| xs[idx[k] as usize], 0.0);
        // A boolean mask keeps the positive half, in order.
        let pos = v(x.index(s![x.greater(0.0)]));
        let want: Vec<f64> = xs.iter().cloned().filter(|&v| v > 0.0).collect();
        assert_eq!(pos.len(), want.len());
        check("mask", &pos, |k| want[k], 0.0);
        // Assignment over a strided slice.
        let y = x.set_index(s![1..;2], 0.0);
        check(
            "set_index",
            &v(y),
            |k| if k % 2 == 1 { 0.0 } else { xs[k] },
            0.0,
        );
        // Backward scatters into the gathered positions, accumulating repeats.
        let z = x.index(s![idx.clone()]).sum();
        z.backward();
        let grad = x.grad().unwrap().to_f64_vec();
        let mut counts = vec![0.0; N];
        for &i in &idx {
            counts[i as usize] += 1.0;
        }
        check("d/dx gather", &grad, |k| counts[k], 0.0);
        let total: f64 = grad.iter().sum();
        assert_eq!(total, idx.len() as f64);
    });
}

#[test]
#[ignore = "slow in debug builds: cargo test --release --test stress -- --ignored"]
fn ten_million_elements_matmul() {
    timed("10M matmul", || {
        let g = Graph::new();
        let xs = data(N);
        let a = g
            .tensor(xs.clone())
            .reshape(&[ROWS as isize, COLS as isize]);
        let vs: Vec<f64> = (0..COLS).map(|j| (j % 17) as f64 - 8.0).collect();
        let w = g.tensor(vs.clone()).reshape(&[COLS as isize, 1]);
        let out = a.matmul(w);
        assert_eq!(out.shape(), vec![ROWS, 1]);
        let got = out.data().to_f64_vec();
        check(
            "A·w",
            &got,
            |i| (0..COLS).map(|j| xs[i * COLS + j] * vs[j]).sum(),
            1e-12,
        );
        // float32 as well.
        let got32 = a
            .astype(DType::Float32)
            .matmul(w.astype(DType::Float32))
            .data()
            .to_f64_vec();
        check(
            "A·w f32",
            &got32,
            |i| (0..COLS).map(|j| xs[i * COLS + j] * vs[j]).sum(),
            1e-4,
        );
        // (1000, 10_000) · (10_000, 1000) = a 1000² result from 10M-element factors.
        let at = a.transpose();
        let gram = at.matmul(a).data().to_f64_vec();
        check(
            "AᵀA",
            &gram,
            |k| {
                let (p, q) = (k / COLS, k % COLS);
                (0..ROWS).map(|i| xs[i * COLS + p] * xs[i * COLS + q]).sum()
            },
            1e-11,
        );
        // Gradients: d sum(A·w)/dA[i, j] = w[j], d/dw[j] = sum_i A[i, j].
        out.sum().backward();
        let ga = a.grad().unwrap().to_f64_vec();
        check("dA", &ga, |k| vs[k % COLS], 0.0);
        let gw = w.grad().unwrap().to_f64_vec();
        check(
            "dw",
            &gw,
            |j| (0..ROWS).map(|i| xs[i * COLS + j]).sum(),
            1e-12,
        );
    });
}
