//! The workloads of `../shared/bench/WORKLOADS.md`, shared by the criterion
//! benches (`workloads.rs`) and the side-by-side runner (`compare.rs`).
//!
//! Each builder creates the leaves once and returns the timed call: one
//! forward pass plus `backward()`, ending with `Graph::rewind` (the
//! idiomatic way a Rust loop reclaims its step's nodes).

#![allow(dead_code)] // each bench binary uses a subset

use causing_diff::prelude::*;

/// WORKLOADS.md's deterministic data: for flat index `i`,
/// `k = i + seed·2^24`, `u = ((k·1103515245 + 12345) mod 2^31) / 2^31`.
pub fn u(n: usize, seed: u64) -> Vec<f64> {
    (0..n as u64)
        .map(|i| {
            let k = i + seed * (1 << 24);
            (k.wrapping_mul(1_103_515_245).wrapping_add(12_345) % (1 << 31)) as f64
                / (1u64 << 31) as f64
        })
        .collect()
}

/// `u` as a float32 array of `shape`.
pub fn u32s(shape: &[usize], seed: u64) -> Array {
    let n = shape.iter().product();
    Array::from_shape_vec(shape, u(n, seed).into_iter().map(|v| v as f32).collect()).unwrap()
}

/// `u` as a float64 array of `shape`.
pub fn u64s(shape: &[usize], seed: u64) -> Array {
    let n = shape.iter().product();
    Array::from_shape_vec(shape, u(n, seed)).unwrap()
}

/// The leaves and the graph of one workload instance.
pub struct Case<'g> {
    pub g: &'g Graph,
    pub mark: Mark,
    pub leaves: Vec<Tensor<'g>>,
}

impl<'g> Case<'g> {
    fn new(g: &'g Graph, leaves: Vec<Tensor<'g>>) -> Case<'g> {
        Case {
            g,
            mark: g.mark(),
            leaves,
        }
    }
}

/// W1: `f = x*y + x**2` on float32 0-d leaves.
pub fn w1(g: &Graph) -> Case<'_> {
    Case::new(g, vec![g.tensor(2.0f32), g.tensor(4.0f32)])
}

pub fn w1_call(c: &Case) {
    let (x, y) = (c.leaves[0], c.leaves[1]);
    let f = x * y + x.pow(2.0);
    f.backward();
    c.g.rewind(c.mark);
}

/// W2: `f = sum(sin(2x)·cos(x)·exp(-x/3)·100)` on `x = linspace(0, 10, n)` float32.
pub fn w2(g: &Graph, n: usize) -> Case<'_> {
    let opts = TensorOptions::new().dtype(DType::Float32);
    let x = g.try_linspace_with(0.0, 10.0, n, true, opts).unwrap();
    Case::new(g, vec![x])
}

pub fn w2_call(c: &Case) {
    let x = c.leaves[0];
    let f = ((2.0 * x).sin() * x.cos() * (-x / 3.0).exp() * 100.0).sum();
    f.backward();
    c.g.rewind(c.mark);
}

/// W3: `f = sum(a*b + a)` with `a = u((n, 1), 1)`, `b = u((n,), 2)` float32.
pub fn w3(g: &Graph, n: usize) -> Case<'_> {
    Case::new(g, vec![g.tensor(u32s(&[n, 1], 1)), g.tensor(u32s(&[n], 2))])
}

pub fn w3_call(c: &Case) {
    let (a, b) = (c.leaves[0], c.leaves[1]);
    let f = (a * b + a).sum();
    f.backward();
    c.g.rewind(c.mark);
}

/// W5: `f = sum(A @ B)` with `A = u((n, n), 4)`, `B = u((n, n), 5)`.
pub fn w5(g: &Graph, n: usize, dtype: DType) -> Case<'_> {
    let make = |seed| match dtype {
        DType::Float32 => g.tensor(u32s(&[n, n], seed)),
        _ => g.tensor(u64s(&[n, n], seed)),
    };
    Case::new(g, vec![make(4), make(5)])
}

pub fn w5_call(c: &Case) {
    let (a, b) = (c.leaves[0], c.leaves[1]);
    let f = a.matmul(b).sum();
    f.backward();
    c.g.rewind(c.mark);
}

/// W7: one step of the tutorial's loop on a float64 0-d `w`.
pub fn w7(g: &Graph) -> Case<'_> {
    Case::new(g, vec![g.tensor(10.0)])
}

pub fn w7_step(c: &Case) {
    let w = c.leaves[0];
    let loss = w.pow(2.0);
    loss.backward();
    w.gradient_step(0.3);
    c.g.rewind(c.mark);
}

/// W4: `f = sum(mean(x, axis=0)) + sum(max(x, axis=1))`, `x = u((4096, 4096), 3)` float32.
pub fn w4(g: &Graph) -> Case<'_> {
    Case::new(g, vec![g.tensor(u32s(&[4096, 4096], 3))])
}

pub fn w4_call(c: &Case) {
    let x = c.leaves[0];
    let f = x.mean_axis(0).sum() + x.max_axis(1).sum();
    f.backward();
    c.g.rewind(c.mark);
}

/// W6: one SGD step of a 784 → 256 (relu) → 10 MLP on a batch of 64 with
/// softmax cross-entropy. Leaves: `[W1, b1, W2, b2, X (constant), onehot
/// labels (constant)]`. The loss is composed in the log-softmax form
/// (WORKLOADS.md allows a framework-idiomatic loss): the row max is a
/// constant shift, as in every stable log-softmax.
pub fn w6(g: &Graph) -> Case<'_> {
    let scaled = |shape: &[usize], seed: u64, scale: f64| {
        let n = shape.iter().product();
        let v: Vec<f32> = u(n, seed)
            .into_iter()
            .map(|x| ((x - 0.5) * scale) as f32)
            .collect();
        Array::from_shape_vec(shape, v).unwrap()
    };
    let mut onehot = vec![0.0f32; 64 * 10];
    for i in 0..64 {
        onehot[i * 10 + i % 10] = 1.0;
    }
    Case::new(
        g,
        vec![
            g.tensor(scaled(&[784, 256], 11, 0.1)),
            g.zeros(&[256]),
            g.tensor(scaled(&[256, 10], 12, 0.1)),
            g.zeros(&[10]),
            g.constant(scaled(&[64, 784], 10, 2.0)),
            g.constant(Array::from_shape_vec(&[64, 10], onehot).unwrap()),
        ],
    )
}

/// The W6 loss for the case's current parameters.
pub fn w6_loss<'g>(c: &Case<'g>) -> Tensor<'g> {
    let [w1, b1, w2, b2, x, onehot] = c.leaves[..] else {
        unreachable!()
    };
    let h = (x.matmul(w1) + b1).maximum(0.0);
    let logits = h.matmul(w2) + b2;
    let shift = c.g.no_autodiff(|| logits.max_with(Some(&[1]), true));
    let z = logits - shift;
    let logp = z - z.exp().sum_with(Some(&[1]), true).log();
    -(onehot * logp).sum_axis(1).mean()
}

pub fn w6_call(c: &Case) {
    let loss = w6_loss(c);
    loss.backward();
    for p in &c.leaves[..4] {
        p.gradient_step(0.01);
    }
    c.g.rewind(c.mark);
}
