//! MyGrad's conventions at non-differentiable points, ties, zeros and
//! constant data, pinned by fixed cases (SPEC §3 "Non-differentiable
//! points", conformance FORMAT §8). The random gradient checks are in
//! `tests/gradcheck.rs`.

use causing_diff as cd;
use causing_diff::{Array, DType, Error, Graph, Tensor, PI};

// MyGrad's conventions at the non-differentiable points.

fn grad_of(x: Tensor<'_>) -> Vec<f64> {
    x.grad().expect("a gradient").to_f64_vec()
}

#[test]
fn abs_grad_at_zero_is_zero_or_nan() {
    let g = Graph::new();
    let x = g.tensor([0.0, -2.0, 3.0]);
    x.abs().backward();
    assert_eq!(grad_of(x), [0.0, -1.0, 1.0]);

    let x = g.tensor([0.0, 2.0]);
    x.try_abs_with(false).unwrap().backward();
    let grad = grad_of(x);
    assert!(
        grad[0].is_nan(),
        "abs(nan_to_num=false) grad at 0: {grad:?}"
    );
    assert_eq!(grad[1], 1.0);
}

#[test]
fn sqrt_grad_at_zero_is_infinite() {
    let g = Graph::new();
    let x = g.tensor([0.0, 4.0]);
    let y = x.sqrt();
    assert_eq!(y.data().to_f64_vec(), [0.0, 2.0]);
    y.backward();
    assert_eq!(grad_of(x), [f64::INFINITY, 0.25]);

    // The sign of an infinite gradient follows the upstream gradient.
    let x = g.tensor(0.0);
    x.sqrt().backward_with(-1.0);
    assert_eq!(grad_of(x), [f64::NEG_INFINITY]);
}

#[test]
fn log_at_zero_is_minus_inf_with_infinite_grad() {
    let g = Graph::new();
    let x = g.tensor([0.0, 2.0]);
    let y = x.log();
    assert_eq!(y.data().to_f64_vec(), [f64::NEG_INFINITY, 2f64.ln()]);
    y.backward();
    assert_eq!(grad_of(x), [f64::INFINITY, 0.5]);
}

#[test]
fn zero_to_the_zero_is_one_with_zero_grads() {
    let g = Graph::new();
    let base = g.tensor(0.0);
    let exp = g.tensor(0.0);
    let y = base.pow(exp);
    assert_eq!(y.item(), 1.0);
    y.backward();
    assert_eq!(grad_of(base), [0.0]);
    assert_eq!(grad_of(exp), [0.0]);

    // Elementwise, with broadcasting. As in MyGrad, `d/db` uses `ln 1` where
    // `a = 0`, so `0 ** 1` also gives the exponent a 0 gradient.
    let base = g.tensor([0.0, 2.0]);
    let exp = g.tensor([[0.0], [1.0]]);
    let y = base.pow(exp);
    assert_eq!(y.data().to_f64_vec(), [1.0, 1.0, 0.0, 2.0]);
    y.backward();
    assert_eq!(grad_of(base), [1.0, 1.0]);
    assert_eq!(grad_of(exp), [2f64.ln(), 2.0 * 2f64.ln()]);
}

// Reductions: MyGrad's conventions at ties, zeros and constant data
// (conformance FORMAT §8.4).

#[test]
fn max_and_min_ties_give_the_whole_gradient_to_the_first() {
    let g = Graph::new();
    let x = g.tensor([1.0, 3.0, 3.0, -1.0, 3.0]);
    x.max().backward();
    assert_eq!(grad_of(x), [0.0, 1.0, 0.0, 0.0, 0.0]);
    let x = g.tensor([1.0, -1.0, 3.0, -1.0]);
    x.min().backward_with(2.5);
    assert_eq!(grad_of(x), [0.0, 2.5, 0.0, 0.0]);

    // "First" is in row-major order over the reduced axes (here 0 and 2),
    // for each position of the kept axis.
    let data = vec![1.0, 2.0, 2.0, 0.0, 0.5, 0.5, 2.0, 2.0, 0.0, 0.0, 0.5, 0.5];
    let x = g.tensor(Array::from_shape_vec(&[2, 3, 2], data).unwrap());
    let m = x.max_with(Some(&[0, 2]), true);
    assert_eq!(m.shape(), [1, 3, 1]);
    assert_eq!(m.data().to_f64_vec(), [2.0, 2.0, 0.5]);
    m.backward_with(Array::from_shape_vec(&[1, 3, 1], vec![1.0, 2.0, 3.0]).unwrap());
    let want = [0.0, 1.0, 2.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    assert_eq!(grad_of(x), want);

    // NaN is the extreme; the first NaN gets the gradient.
    let x = g.tensor([1.0, f64::NAN, f64::NAN]);
    let m = x.max();
    assert!(m.item().is_nan());
    m.backward();
    assert_eq!(x.grad().unwrap().to_string(), "array([0., 1., 0.])");
}

#[test]
fn extremes_of_empty_groups_are_errors() {
    let g = Graph::new();
    let x = g.tensor(Array::zeros(&[0, 3], DType::Float64).unwrap());
    let err = x.try_max_with(None, false).unwrap_err();
    assert!(
        matches!(err, Error::EmptyReduction { op: "max", .. }),
        "{err}"
    );
    assert!(matches!(
        x.try_argmin_with(Some(0)),
        Err(Error::EmptyReduction { .. })
    ));
    // Empty outputs of non-empty groups are fine, as in NumPy.
    assert_eq!(x.min_axis(1).shape(), [0]);
    assert_eq!(x.argmax_axis(1).shape(), [0]);
}

#[test]
fn prod_gradient_is_exact_with_zeros() {
    let g = Graph::new();
    // One zero: it gets the product of the others; the rest get 0.
    let x = g.tensor([2.0, 0.0, 3.0]);
    x.prod().backward();
    assert_eq!(grad_of(x), [0.0, 6.0, 0.0]);
    // Per row: two zeros give all zeros; none gives prod / x.
    let x = g.tensor([[0.0, 2.0, 0.0], [1.5, -2.0, 3.0], [4.0, 0.0, 0.5]]);
    let p = x.prod_axis(1);
    assert_eq!(p.data().to_f64_vec(), [0.0, -9.0, 0.0]);
    p.backward();
    let want = [0.0, 0.0, 0.0, -6.0, 4.5, -3.0, 0.0, 2.0, 0.0];
    assert_eq!(grad_of(x), want);
}

#[test]
fn cumprod_gradient_is_exact_with_zeros() {
    let g = Graph::new();
    // y = (2, 0, 0, 0): after the first zero every gradient is 0; the zero
    // itself gets Σ_k of the products of the others.
    let x = g.tensor([2.0, 0.0, 3.0, 4.0]);
    x.cumprod().backward();
    assert_eq!(grad_of(x), [1.0, 2.0 + 6.0 + 24.0, 0.0, 0.0]);
    let x = g.tensor([[2.0, 0.0, 3.0], [0.0, 1.5, 0.0]]);
    let y = x.cumprod_axis(1);
    y.backward_with(Array::from_shape_vec(&[2, 3], vec![1.0, 2.0, -1.0, 1.0, 1.0, 1.0]).unwrap());
    assert_eq!(grad_of(x), [1.0, 2.0 * 2.0 - 6.0, 0.0, 1.0 + 1.5, 0.0, 0.0]);
}

#[test]
fn std_of_constant_data_is_zero_with_a_nan_gradient() {
    let g = Graph::new();
    let x = g.tensor([[2.0, 2.0], [2.0, 2.0]]);
    let s = x.std();
    assert_eq!(s.to_string(), "Tensor(0.)");
    s.backward();
    assert!(grad_of(x).iter().all(|v| v.is_nan()));
    // Per group: only the constant row's gradient is NaN.
    let x = g.tensor([[1.0, 1.0], [1.0, 3.0]]);
    x.std_axis(1).backward();
    let grad = grad_of(x);
    assert!(grad[0].is_nan() && grad[1].is_nan());
    assert_eq!(grad[2..], [-0.5, 0.5]);
    // var's gradient there is 0, not NaN.
    let x = g.tensor([2.0, 2.0, 2.0]);
    x.var_with(None, false, 1).backward();
    assert_eq!(grad_of(x), [0.0, 0.0, 0.0]);
}

#[test]
fn argmax_and_any_are_plain_arrays_outside_the_graph() {
    let g = Graph::new();
    let x = g.tensor([[1.0, 4.0, 4.0], [0.0, -1.0, 0.0]]);
    x.sum().backward();
    let nodes = g.len();
    let i = x.argmax_axis(1);
    assert_eq!(
        (i.dtype(), i.to_string()),
        (DType::Int64, "array([1, 0])".to_string())
    );
    assert_eq!(x.argmin().to_string(), "array(4)");
    assert_eq!(
        x.any_with(Some(&[1]), true).to_string(),
        "array([[ True],\n       [ True]])"
    );
    assert_eq!(g.len(), nodes, "no node recorded");
    assert!(x.grad().is_some(), "no gradient nulled");
}

#[test]
fn inverse_trig_grads_at_plus_minus_one_are_zero() {
    let g = Graph::new();
    let x = g.tensor([-1.0, 1.0, 0.0]);
    x.arcsin().backward();
    assert_eq!(grad_of(x), [0.0, 0.0, 1.0]);
    let x = g.tensor([-1.0, 1.0]);
    x.arccos().backward();
    assert_eq!(grad_of(x), [0.0, 0.0]);
    let x = g.tensor([-1.0, 1.0, 2.0]);
    x.arccsc().backward();
    assert_eq!(grad_of(x)[..2], [0.0, 0.0]);
    let x = g.tensor([-1.0, 1.0, 2.0]);
    x.arcsec().backward();
    assert_eq!(grad_of(x)[..2], [0.0, 0.0]);
    // But arctanh(±1) and arccosh(1) are infinitely steep.
    let x = g.tensor([-1.0, 1.0]);
    let y = x.arctanh();
    assert_eq!(y.data().to_f64_vec(), [f64::NEG_INFINITY, f64::INFINITY]);
    y.backward();
    assert_eq!(grad_of(x), [f64::INFINITY, f64::INFINITY]);
}

#[test]
fn sinc_and_arccot_at_zero() {
    let g = Graph::new();
    let x = g.tensor([0.0, f64::from_bits(1)]);
    let y = x.sinc();
    assert_eq!(y.data().to_f64_vec(), [1.0, 1.0]);
    y.backward();
    assert_eq!(grad_of(x), [0.0, 0.0]);
    let x = g.tensor([0.0, -0.0]);
    let y = x.arccot();
    assert_eq!(y.data().to_f64_vec(), [PI / 2.0, PI / 2.0]);
    y.backward();
    assert_eq!(grad_of(x), [-1.0, -1.0]);
}

#[test]
fn maximum_and_minimum_ties_give_no_gradient() {
    let g = Graph::new();
    let a = g.tensor([1.0, 2.0, 3.0]);
    let b = g.tensor([1.0, 5.0, 0.0]);
    a.maximum(b).backward();
    assert_eq!(grad_of(a), [0.0, 0.0, 1.0]);
    assert_eq!(grad_of(b), [0.0, 1.0, 0.0]);
    let (a, b) = (g.tensor([2.0, f64::NAN]), g.tensor([2.0, 1.0]));
    let y = a.minimum(b);
    assert!(y.data().to_f64_vec()[1].is_nan());
    y.backward();
    // As MyGrad: a NaN comparison selects neither for `a`, so `b` gets it.
    assert_eq!(grad_of(a), [0.0, 0.0]);
    assert_eq!(grad_of(b), [0.0, 1.0]);
}

#[test]
fn clip_gives_no_gradient_at_the_bounds() {
    let g = Graph::new();
    let x = g.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]);
    let lo = g.tensor(-1.0);
    let hi = g.tensor([1.0, 1.0, 1.0, 1.0, 1.5]);
    let y = x.clip(lo, hi);
    assert_eq!(y.data().to_f64_vec(), [-1.0, -1.0, 0.0, 1.0, 1.5]);
    y.backward();
    assert_eq!(grad_of(x), [0.0, 0.0, 1.0, 0.0, 0.0]);
    // A bound gets the gradient only where it strictly binds.
    assert_eq!(grad_of(lo), [1.0]);
    assert_eq!(grad_of(hi), [0.0, 0.0, 0.0, 0.0, 1.0]);
    // No bound at all: the tensor itself.
    let z = cd::clip(x, None::<f64>, None::<f64>).unwrap();
    assert_eq!(z.data(), x.data());
}

#[test]
fn a_failed_clip_leaves_the_graph_as_it_was() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0, 3.0]);
    let len = g.len();
    assert!(cd::clip(x, Some(0.0), Some(g.tensor([1.0, 2.0]))).is_err());
    assert_eq!(g.len(), len + 1, "only the bound itself was added");
    // No half-built graph holds x's data.
    x.set_data([4.0, 5.0, 6.0]);
}

#[test]
fn multiply_sequence_grads_are_exact_with_zeros() {
    let g = Graph::new();
    let a = g.tensor([0.0, 0.0, 2.0]);
    let b = g.tensor([3.0, 0.0, 5.0]);
    let c = g.tensor(4.0);
    cd::multiply_sequence([a, b, c]).unwrap().backward();
    assert_eq!(grad_of(a), [12.0, 0.0, 20.0]);
    assert_eq!(grad_of(b), [0.0, 0.0, 8.0]);
    assert_eq!(grad_of(c), [10.0]);
    assert!(
        cd::multiply_sequence([a]).is_err(),
        "one operand is too few"
    );
}
fn is_nan_at(grad: &[f64], nan: &[bool]) -> bool {
    grad.iter().zip(nan).all(|(g, &n)| g.is_nan() == n)
}

#[test]
fn norm_grad_at_zero_entries_is_zero_or_nan() {
    let g = Graph::new();
    for ord in [None, Some(1.0), Some(2.0), Some(3.0), Some(1.5)] {
        // A zero entry of a non-zero vector: 0, or NaN without nan_to_num.
        let x = g.tensor([3.0, 0.0, -4.0]);
        x.norm_with(ord, None, false, true).backward();
        let grad = grad_of(x);
        assert_eq!(grad[1], 0.0, "ord {ord:?}: {grad:?}");
        assert!(grad[0] > 0.0 && grad[2] < 0.0, "ord {ord:?}: {grad:?}");

        let x = g.tensor([3.0, 0.0, -4.0]);
        x.norm_with(ord, None, false, false).backward();
        let grad = grad_of(x);
        assert!(
            is_nan_at(&grad, &[false, true, false]),
            "ord {ord:?}: {grad:?}"
        );
    }
    // ord 2 of [3, 0, -4]: x / ‖x‖
    let x = g.tensor([3.0, 0.0, -4.0]);
    x.norm().backward();
    assert_eq!(grad_of(x), [0.6, 0.0, -0.8]);
}

#[test]
fn norm_of_an_all_zero_vector_has_nan_grads_but_for_ord_1() {
    let g = Graph::new();
    // MyGrad's 0/0: NaN even with nan_to_num, for every ord but 1 (and ±inf).
    for ord in [None, Some(2.0), Some(3.0), Some(0.5), Some(-1.0)] {
        let x = g.tensor([[0.0, 0.0], [1.0, -1.0]]);
        let n = x.norm_with(ord, Some(1), false, true);
        n.backward();
        let grad = grad_of(x);
        assert!(
            is_nan_at(&grad, &[true, true, false, false]),
            "ord {ord:?}: {grad:?}"
        );
    }
    let x = g.tensor([0.0, 0.0, 0.0]);
    let n = x.norm_with(Some(1.0), None, false, true);
    assert_eq!(n.item(), 0.0);
    n.backward();
    assert_eq!(grad_of(x), [0.0, 0.0, 0.0]);
    let x = g.tensor([0.0, 0.0]);
    x.norm_with(Some(1.0), None, false, false).backward();
    assert!(grad_of(x).iter().all(|v| v.is_nan()));
}

#[test]
fn infinite_norms_send_the_gradient_to_the_first_extreme() {
    let g = Graph::new();
    let x = g.tensor([[1.0, -3.0, 3.0], [0.0, 2.0, -0.5]]);
    let n = x.norm_with(Some(f64::INFINITY), Some(1), true, true);
    assert_eq!(n.data().to_f64_vec(), [3.0, 2.0]);
    n.backward();
    assert_eq!(grad_of(x), [0.0, -1.0, 0.0, 0.0, 1.0, 0.0]);

    let x = g.tensor([[1.0, -3.0, 3.0], [0.0, 2.0, -0.5]]);
    let n = x.norm_with(Some(f64::NEG_INFINITY), Some(-1), false, true);
    assert_eq!(n.data().to_f64_vec(), [1.0, 0.0]);
    n.backward();
    // |x| has gradient 0 at 0.
    assert_eq!(grad_of(x), [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
}

#[test]
fn norm_arguments_follow_mygrad() {
    let g = Graph::new();
    let m = g.tensor([[3.0, 4.0], [0.0, 1.0]]);
    // No axis and no ord: the flattened 2-norm.
    assert_eq!(m.norm().item(), 26f64.sqrt());
    // An ord without an axis on a matrix would be a matrix norm.
    assert!(matches!(
        m.try_norm_with(Some(1.0), None, false, true),
        Err(causing_diff::Error::InvalidArgument { op: "norm", .. })
    ));
    assert!(m.try_norm_with(Some(0.0), Some(0), false, true).is_err());
    assert!(matches!(
        m.try_norm_with(None, Some(2), false, true),
        Err(causing_diff::Error::AxisOutOfRange { op: "norm", .. })
    ));
    // Integers are constants with float64 norms.
    let i = g.tensor([3, 4]);
    let n = i.norm();
    assert_eq!(
        (n.dtype(), n.item(), n.is_constant()),
        (DType::Float64, 5.0, true)
    );
}

#[test]
fn einsum_gradients_scatter_onto_diagonals() {
    let g = Graph::new();
    let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    let tr = causing_diff::einsum("ii", &[x]).unwrap();
    assert_eq!(tr.item(), 5.0);
    tr.backward();
    assert_eq!(grad_of(x), [1.0, 0.0, 0.0, 1.0]);

    let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    causing_diff::einsum("ii->i", &[x])
        .unwrap()
        .backward_with([10.0, 20.0]);
    assert_eq!(grad_of(x), [10.0, 0.0, 0.0, 20.0]);

    // The same tensor twice: both uses accumulate.
    let v = g.tensor([1.0, -2.0]);
    causing_diff::einsum("i,i->", &[v, v]).unwrap().backward();
    assert_eq!(grad_of(v), [2.0, -4.0]);

    // A label only the operand has: its gradient is broadcast along it.
    let a = g.tensor([[1.0, 2.0, 3.0]]);
    causing_diff::einsum("ij->", &[a]).unwrap().backward();
    assert_eq!(grad_of(a), [1.0, 1.0, 1.0]);
}

#[test]
fn einsum_and_multi_matmul_errors() {
    use causing_diff::Error;
    let g = Graph::new();
    let a = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let b = g.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]);
    let shape = |r: causing_diff::Result<Tensor<'_>>| matches!(r, Err(Error::ShapeMismatch { .. }));
    let invalid =
        |r: causing_diff::Result<Tensor<'_>>| matches!(r, Err(Error::InvalidArgument { .. }));
    assert!(shape(causing_diff::einsum("ij,jk", &[a, b])));
    assert!(shape(causing_diff::einsum("ijk", &[a])));
    assert!(invalid(causing_diff::einsum("ij->ii", &[a])));
    assert!(invalid(causing_diff::einsum("ij,jk", &[a])));
    assert!(invalid(causing_diff::einsum("i", &[])));
    let before = g.len();
    assert!(shape(causing_diff::multi_matmul(&[a, b, a])));
    assert!(invalid(causing_diff::multi_matmul(&[a])));
    assert_eq!(g.len(), before, "a failed call records nothing");
}

#[test]
fn multi_matmul_matches_left_to_right() {
    let g = Graph::new();
    let shapes = [[10, 1], [1, 12], [12, 3], [3, 1]];
    let ts: Vec<Tensor<'_>> = shapes
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let n = s[0] * s[1];
            let data = (0..n).map(|i| ((i * 7 + k) % 5) as f64 - 2.0).collect();
            g.tensor(Array::from_shape_vec(s, data).unwrap())
        })
        .collect();
    let chain = causing_diff::multi_matmul(&ts).unwrap();
    let naive = ts[0].matmul(ts[1]).matmul(ts[2]).matmul(ts[3]);
    assert_eq!(chain.data(), naive.data());
}

#[test]
fn large_einsum_chains_contract_pairwise() {
    // 'ij,jk,kl->il' over 24⁴ points takes the pairwise route; its values
    // and gradients agree with the chained matmul.
    let n = 24;
    let g = Graph::new();
    let make = |k: usize| {
        let data = (0..n * n)
            .map(|i| (((i * 31 + k * 7) % 17) as f64 - 8.0) / 8.0)
            .collect();
        g.tensor(Array::from_shape_vec(&[n, n], data).unwrap())
    };
    let close = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-12 * (1.0 + y.abs()))
    };
    let (a, b, c) = (make(0), make(1), make(2));
    let e = causing_diff::einsum("ij,jk,kl->il", &[a, b, c]).unwrap();
    let w = make(3).data();
    (e * &w).sum().backward();
    let grads: Vec<Vec<f64>> = [a, b, c].iter().map(|&t| grad_of(t)).collect();
    let value = e.data().to_f64_vec();

    let (a, b, c) = (make(0), make(1), make(2));
    let m = a.matmul(b).matmul(c);
    (m * &w).sum().backward();
    assert!(close(&value, &m.data().to_f64_vec()));
    for (k, t) in [a, b, c].iter().enumerate() {
        assert!(close(&grads[k], &grad_of(*t)), "operand {k}");
    }

    // A label only the first operand has: summed first, its gradient
    // broadcast back along it.
    let (a, b, c) = (make(0), make(1), make(2));
    let e = causing_diff::einsum("ij,jk,kl->l", &[a, b, c]).unwrap();
    e.backward();
    let grads: Vec<Vec<f64>> = [a, b, c].iter().map(|&t| grad_of(t)).collect();
    let value = e.data().to_f64_vec();
    let (a, b, c) = (make(0), make(1), make(2));
    let m = a.sum_axis(0).matmul(b).matmul(c);
    m.backward();
    assert!(close(&value, &m.data().to_f64_vec()));
    for (k, t) in [a, b, c].iter().enumerate() {
        assert!(close(&grads[k], &grad_of(*t)), "operand {k}");
    }
}
