//! The scalar lane (`src/lane.rs`) computes ops on 0-d float tensors, and
//! their gradients, on plain numbers. Here every lane op, and expressions
//! that accumulate, reuse an input or mix in Rust scalars and constants,
//! runs once on 0-d leaves (the lane) and once on 1-element 1-d leaves
//! (the array kernels, which the lane never takes), and the values and
//! gradients must agree bit for bit, specials included. The graphs must
//! also hold the same number of nodes (the lane records what the general
//! path records).

use causing_diff::prelude::*;
use causing_diff::Array;

/// Inputs covering signs, zeros, subnormals, huge and tiny values,
/// infinities, NaN, integers and fractions.
/// Past ±710 `exp` overflows or underflows, past 65536 the trig kernels
/// take another path, and 0.785 is near π/4.
const VALUES: [f64; 21] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    0.5,
    -2.5,
    3.7,
    0.785,
    core::f64::consts::FRAC_PI_2,
    -100.3,
    710.5,
    -746.0,
    1e5 + 0.25,
    1e-310,
    1e-30,
    1e30,
    -7.25e12,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// A leaf of `dtype` holding `v`: 0-d, or of shape (1,).
fn leaf<'g>(g: &'g Graph, v: f64, dtype: DType, one_d: bool, constant: bool) -> Tensor<'g> {
    let a = match (dtype, one_d) {
        (DType::Float32, false) => Array::scalar(v as f32),
        (DType::Float32, true) => Array::from_vec(vec![v as f32]),
        (_, false) => Array::scalar(v),
        (_, true) => Array::from_vec(vec![v]),
    };
    if constant {
        g.constant(a)
    } else {
        g.tensor(a)
    }
}

/// The bits of a one-element array's value (f32 widened exactly). Every
/// NaN counts as one: which NaN operand x86 propagates (and so the sign of
/// the result) follows the operand order the compiler picks, and neither
/// NumPy's printing nor its comparisons tell NaNs apart.
fn bits(a: &Array) -> u64 {
    let (v, nan) = match a.dtype() {
        DType::Float32 => {
            let x = a.as_slice::<f32>().unwrap()[0];
            (x.to_bits() as u64, x.is_nan())
        }
        DType::Float64 => {
            let x = a.as_slice::<f64>().unwrap()[0];
            (x.to_bits(), x.is_nan())
        }
        other => panic!("unexpected dtype {other}"),
    };
    if nan {
        u64::MAX
    } else {
        v
    }
}

/// Everything one run observes: the output's dtype and bits, each leaf's
/// gradient bits (`None` without one), and the graph's node count.
#[derive(Debug, PartialEq)]
struct Run {
    dtype: DType,
    out: u64,
    grads: Vec<Option<u64>>,
    nodes: usize,
}

type Expr = dyn for<'g> Fn(&[Tensor<'g>]) -> Tensor<'g>;

fn run(expr: &Expr, xs: &[(f64, DType, bool)], one_d: bool) -> Run {
    let g = Graph::new();
    let leaves: Vec<Tensor> = xs
        .iter()
        .map(|&(v, d, c)| leaf(&g, v, d, one_d, c))
        .collect();
    let out = expr(&leaves);
    let value = out.data();
    out.backward();
    Run {
        dtype: value.dtype(),
        out: bits(&value),
        grads: leaves.iter().map(|t| t.grad().map(|a| bits(&a))).collect(),
        nodes: g.len(),
    }
}

/// Runs `expr` both ways for every combination of `VALUES` over its inputs.
fn agree(name: &str, expr: &Expr, dtypes: &[DType], constants: &[bool]) {
    let n = dtypes.len();
    let mut combos = 0;
    let mut idx = vec![0usize; n];
    loop {
        let xs: Vec<(f64, DType, bool)> = (0..n)
            .map(|k| (VALUES[idx[k]], dtypes[k], constants[k]))
            .collect();
        let lane = run(expr, &xs, false);
        let arrays = run(expr, &xs, true);
        assert_eq!(lane, arrays, "{name} at {xs:?}: lane (left) against arrays");
        combos += 1;
        // Next combination (odometer).
        let mut k = 0;
        while k < n {
            idx[k] += 1;
            if idx[k] < VALUES.len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
        if k == n {
            break;
        }
    }
    assert_eq!(combos, VALUES.len().pow(n as u32));
}

const F32: DType = DType::Float32;
const F64: DType = DType::Float64;

#[test]
fn binary_ops_match_the_array_kernels() {
    let ops: [(&str, &Expr); 5] = [
        ("add", &|t| t[0] + t[1]),
        ("subtract", &|t| t[0] - t[1]),
        ("multiply", &|t| t[0] * t[1]),
        ("divide", &|t| t[0] / t[1]),
        ("power", &|t| t[0].pow(t[1])),
    ];
    for (name, expr) in ops {
        for d in [F32, F64] {
            agree(name, expr, &[d, d], &[false, false]);
            // A constant input gets no gradient, the other still does.
            agree(name, expr, &[d, d], &[true, false]);
        }
    }
}

#[test]
fn unary_ops_match_the_array_kernels() {
    let ops: [(&str, &Expr); 9] = [
        ("negative", &|t| -t[0]),
        ("square", &|t| t[0].pow(2.0)),
        ("positive", &|t| t[0].pow(1.0)),
        ("sqrt", &|t| t[0].sqrt()),
        ("exp", &|t| t[0].exp()),
        ("log", &|t| t[0].log()),
        ("sin", &|t| t[0].sin()),
        ("cos", &|t| t[0].cos()),
        ("tan", &|t| t[0].tan()),
    ];
    for (name, expr) in ops {
        for d in [F32, F64] {
            agree(name, expr, &[d], &[false]);
        }
    }
}

#[test]
fn rust_scalars_match_the_array_kernels() {
    let ops: [(&str, &Expr); 6] = [
        ("x ** 3.0", &|t| t[0].pow(3.0)),
        ("2.5 - x", &|t| 2.5 - t[0]),
        ("x / 3 (integer)", &|t| t[0] / 3),
        ("0.1 * x (rounded to f32 for f32 x)", &|t| 0.1 * t[0]),
        ("x + true", &|t| t[0] + true),
        ("x ** -0.5", &|t| t[0].pow(-0.5)),
    ];
    for (name, expr) in ops {
        for d in [F32, F64] {
            agree(name, expr, &[d], &[false]);
        }
    }
}

#[test]
fn reuse_and_accumulation_match_the_array_kernels() {
    let ops: [(&str, &Expr); 5] = [
        ("x * x", &|t| t[0] * t[0]),
        ("x * y + x ** 2 (W1)", &|t| t[0] * t[1] + t[0].pow(2.0)),
        ("(x - y) / (x * y) - y", &|t| {
            (t[0] - t[1]) / (t[0] * t[1]) - t[1]
        }),
        ("x ** y * x + y", &|t| t[0].pow(t[1]) * t[0] + t[1]),
        ("exp(sin(x) * y) / sqrt(x)", &|t| {
            (t[0].sin() * t[1]).exp() / t[0].sqrt()
        }),
    ];
    for (name, expr) in ops {
        for d in [F32, F64] {
            agree(name, expr, &[d, d], &[false, false]);
        }
    }
}

#[test]
fn mixed_dtypes_leave_the_lane_and_still_match() {
    // A float32 and a float64 0-d tensor promote through the general path;
    // the lane picks the result up again downstream.
    let expr: &Expr = &|t| (t[0] * t[1]).pow(2.0) - t[0];
    agree("f32 * f64", expr, &[F32, F64], &[false, false]);
}

#[test]
fn a_lane_gradient_is_an_ordinary_0d_array() {
    let g = Graph::new();
    let x = g.tensor(3.0f32);
    let y = g.tensor(0.5f32);
    let f = x * y - x.pow(2.0);
    f.backward();
    // d/dx = y - 2x = -5.5, d/dy = x = 3 (exact in f32).
    assert_eq!(x.grad().unwrap().to_string(), "array(-5.5, dtype=float32)");
    assert_eq!(y.grad().unwrap().to_string(), "array(3., dtype=float32)");
    assert_eq!(f.grad().unwrap().to_string(), "array(1., dtype=float32)");
    // Using x in a new op nulls its gradient, as in MyGrad.
    let _h = x + 1.0;
    assert!(x.grad().is_none());
    assert!(y.grad().is_some());
}

#[test]
fn untracked_lane_ops_record_constants_and_keep_gradients() {
    let g = Graph::new();
    let w = g.tensor(2.0);
    w.pow(2.0).backward();
    let v = g.no_autodiff(|| (w * 3.0).exp() - w);
    assert!(v.is_constant());
    assert_eq!(v.item(), 6.0f64.exp() - 2.0);
    // The untracked ops neither nulled w's gradient nor locked its data.
    assert_eq!(w.grad().unwrap().to_string(), "array(4.)");
    w.set_data(1.0);
    assert_eq!(w.item(), 1.0);
}
