//! NaN and infinities through every op family, as NumPy computes them
//! (expected values written from NumPy's semantics: IEEE arithmetic, NaN
//! propagating through `max`/`maximum`, comparisons with NaN false, the
//! first NaN winning `argmax`), and integer overflow wrapping as NumPy's
//! does. Inputs are long enough (67 elements, specials cycled) to reach the
//! vector bodies and the scalar tails of the kernels.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, LN_2, PI};

use causing_diff::prelude::*;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;
/// Long enough for several vector widths plus a tail.
const LEN: usize = 67;

/// `got` is `want`: both NaN, or equal within `rel` (exactly when either
/// is infinite or zero, with the sign of a zero).
fn close(got: f64, want: f64, rel: f64) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if want.is_infinite() || want == 0.0 {
        return got == want && got.is_sign_negative() == want.is_sign_negative();
    }
    (got - want).abs() <= rel * want.abs()
}

fn assert_values(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(close(g, w, rel), "{what}[{i}]: got {g:?}, want {w:?}");
    }
}

/// The specials cycled to `LEN` elements.
fn cycled(pairs: &[(f64, f64)]) -> (Vec<f64>, Vec<f64>) {
    (0..LEN).map(|i| pairs[i % pairs.len()]).unzip()
}

type Unary = for<'g> fn(Tensor<'g>) -> Tensor<'g>;
/// A function's name, the function, and (input, NumPy's output) pairs.
type UnaryRow = (&'static str, Unary, &'static [(f64, f64)]);

#[test]
fn unary_functions() {
    let table: &[UnaryRow] = &[
        (
            "sqrt",
            |x| x.sqrt(),
            &[
                (NAN, NAN),
                (INF, INF),
                (-INF, NAN),
                (-1.0, NAN),
                (0.0, 0.0),
                (-0.0, -0.0),
                (4.0, 2.0),
            ],
        ),
        (
            "exp",
            |x| x.exp(),
            &[
                (NAN, NAN),
                (INF, INF),
                (-INF, 0.0),
                (1000.0, INF),
                (-1000.0, 0.0),
                (0.0, 1.0),
            ],
        ),
        (
            "exp2",
            |x| x.exp2(),
            &[
                (NAN, NAN),
                (INF, INF),
                (-INF, 0.0),
                (2000.0, INF),
                (3.0, 8.0),
            ],
        ),
        (
            "expm1",
            |x| x.expm1(),
            &[(NAN, NAN), (INF, INF), (-INF, -1.0), (0.0, 0.0)],
        ),
        (
            "log",
            |x| x.log(),
            &[
                (0.0, -INF),
                (-0.0, -INF),
                (-1.0, NAN),
                (INF, INF),
                (-INF, NAN),
                (NAN, NAN),
                (1.0, 0.0),
            ],
        ),
        (
            "log2",
            |x| x.log2(),
            &[(0.0, -INF), (-1.0, NAN), (INF, INF), (NAN, NAN), (8.0, 3.0)],
        ),
        (
            "log10",
            |x| x.log10(),
            &[
                (0.0, -INF),
                (-1.0, NAN),
                (INF, INF),
                (NAN, NAN),
                (100.0, 2.0),
            ],
        ),
        (
            "log1p",
            |x| x.log1p(),
            &[
                (-1.0, -INF),
                (-2.0, NAN),
                (INF, INF),
                (NAN, NAN),
                (0.0, 0.0),
            ],
        ),
        (
            "sin",
            |x| x.sin(),
            &[
                (INF, NAN),
                (-INF, NAN),
                (NAN, NAN),
                (0.0, 0.0),
                (-0.0, -0.0),
            ],
        ),
        (
            "cos",
            |x| x.cos(),
            &[(INF, NAN), (-INF, NAN), (NAN, NAN), (0.0, 1.0)],
        ),
        ("tan", |x| x.tan(), &[(INF, NAN), (NAN, NAN), (0.0, 0.0)]),
        (
            "tanh",
            |x| x.tanh(),
            &[(INF, 1.0), (-INF, -1.0), (NAN, NAN), (0.0, 0.0)],
        ),
        (
            "sinh",
            |x| x.sinh(),
            &[(INF, INF), (-INF, -INF), (NAN, NAN), (1000.0, INF)],
        ),
        (
            "cosh",
            |x| x.cosh(),
            &[(INF, INF), (-INF, INF), (NAN, NAN), (0.0, 1.0)],
        ),
        (
            "arcsin",
            |x| x.arcsin(),
            &[
                (2.0, NAN),
                (-2.0, NAN),
                (INF, NAN),
                (NAN, NAN),
                (1.0, FRAC_PI_2),
            ],
        ),
        (
            "arccos",
            |x| x.arccos(),
            &[(2.0, NAN), (-INF, NAN), (NAN, NAN), (1.0, 0.0)],
        ),
        (
            "arctan",
            |x| x.arctan(),
            &[(INF, FRAC_PI_2), (-INF, -FRAC_PI_2), (NAN, NAN)],
        ),
        (
            "arcsinh",
            |x| x.arcsinh(),
            &[(INF, INF), (-INF, -INF), (NAN, NAN)],
        ),
        (
            "arccosh",
            |x| x.arccosh(),
            &[(0.5, NAN), (INF, INF), (1.0, 0.0), (NAN, NAN)],
        ),
        (
            "arctanh",
            |x| x.arctanh(),
            &[(1.0, INF), (-1.0, -INF), (2.0, NAN), (NAN, NAN)],
        ),
        (
            "cbrt",
            |x| x.cbrt(),
            &[(-INF, -INF), (INF, INF), (NAN, NAN), (-8.0, -2.0)],
        ),
        (
            "reciprocal",
            |x| x.reciprocal(),
            &[
                (0.0, INF),
                (-0.0, -INF),
                (INF, 0.0),
                (-INF, -0.0),
                (NAN, NAN),
            ],
        ),
        (
            "abs",
            |x| x.abs(),
            &[(-INF, INF), (NAN, NAN), (-0.0, 0.0), (-2.0, 2.0)],
        ),
        (
            "square",
            |x| x.square(),
            &[(INF, INF), (-INF, INF), (NAN, NAN), (1e200, INF)],
        ),
        ("negative", |x| -x, &[(INF, -INF), (NAN, NAN), (0.0, -0.0)]),
        ("sinc", |x| x.sinc(), &[(INF, NAN), (NAN, NAN), (0.0, 1.0)]),
        ("cot", |x| x.cot(), &[(0.0, INF), (INF, NAN), (NAN, NAN)]),
        ("csc", |x| x.csc(), &[(0.0, INF), (-0.0, -INF), (INF, NAN)]),
        ("sec", |x| x.sec(), &[(INF, NAN), (0.0, 1.0)]),
        (
            "coth",
            |x| x.coth(),
            &[(0.0, INF), (INF, 1.0), (-INF, -1.0)],
        ),
        ("csch", |x| x.csch(), &[(INF, 0.0), (0.0, INF)]),
        ("sech", |x| x.sech(), &[(INF, 0.0), (-INF, 0.0), (NAN, NAN)]),
        ("arccot", |x| x.arccot(), &[(INF, 0.0), (NAN, NAN)]),
        ("arccsc", |x| x.arccsc(), &[(0.5, NAN), (INF, 0.0)]),
        ("arcsec", |x| x.arcsec(), &[(0.5, NAN), (INF, FRAC_PI_2)]),
        ("arccoth", |x| x.arccoth(), &[(0.5, NAN), (1.0, INF)]),
        ("arccsch", |x| x.arccsch(), &[(INF, 0.0), (NAN, NAN)]),
    ];
    let g = Graph::new();
    for &(name, f, pairs) in table {
        let (input, want) = cycled(pairs);
        let got = f(g.tensor(input.clone())).data().to_f64_vec();
        assert_values(&format!("{name} f64"), &got, &want, 1e-14);
        // float32: the same specials, expected values rounded to float32.
        let input32: Vec<f32> = input.iter().map(|&v| v as f32).collect();
        let want32: Vec<f64> = want.iter().map(|&v| v as f32 as f64).collect();
        let got32 = f(g.tensor(input32)).data();
        assert_eq!(got32.dtype(), DType::Float32, "{name}");
        assert_values(&format!("{name} f32"), &got32.to_f64_vec(), &want32, 1e-6);
    }
}

type Binary = for<'g> fn(Tensor<'g>, Tensor<'g>) -> Tensor<'g>;
/// A function's name, the function, and (a, b, NumPy's output) triples.
type BinaryRow = (&'static str, Binary, &'static [(f64, f64, f64)]);

#[test]
fn binary_functions() {
    let table: &[BinaryRow] = &[
        (
            "add",
            |a, b| a + b,
            &[
                (INF, -INF, NAN),
                (INF, INF, INF),
                (NAN, 1.0, NAN),
                (1.0, NAN, NAN),
            ],
        ),
        (
            "subtract",
            |a, b| a - b,
            &[(INF, INF, NAN), (-INF, INF, -INF), (NAN, NAN, NAN)],
        ),
        (
            "multiply",
            |a, b| a * b,
            &[
                (INF, 0.0, NAN),
                (0.0, -INF, NAN),
                (INF, -1.0, -INF),
                (NAN, 0.0, NAN),
            ],
        ),
        (
            "divide",
            |a, b| a / b,
            &[
                (1.0, 0.0, INF),
                (-1.0, 0.0, -INF),
                (0.0, 0.0, NAN),
                (INF, INF, NAN),
                (1.0, INF, 0.0),
                (1.0, -0.0, -INF),
            ],
        ),
        (
            "power",
            |a, b| a.pow(b),
            &[
                (0.0, -1.0, INF),
                (-8.0, 1.0 / 3.0, NAN),
                (NAN, 0.0, 1.0),
                (1.0, NAN, 1.0),
                (INF, 0.0, 1.0),
                (-1.0, INF, 1.0),
                (2.0, INF, INF),
                (0.5, INF, 0.0),
                (2.0, -INF, 0.0),
                (-INF, 3.0, -INF),
                (0.0, 0.0, 1.0),
            ],
        ),
        (
            "maximum",
            |a, b| causing_diff::maximum(a, b).unwrap(),
            &[
                (NAN, 1.0, NAN),
                (1.0, NAN, NAN),
                (INF, NAN, NAN),
                (-INF, 1.0, 1.0),
                (INF, -INF, INF),
                (NAN, NAN, NAN),
            ],
        ),
        (
            "minimum",
            |a, b| causing_diff::minimum(a, b).unwrap(),
            &[
                (NAN, 1.0, NAN),
                (1.0, NAN, NAN),
                (-INF, 1.0, -INF),
                (-INF, NAN, NAN),
            ],
        ),
        (
            "arctan2",
            |a, b| causing_diff::arctan2(a, b).unwrap(),
            &[
                (INF, INF, FRAC_PI_4),
                (0.0, -0.0, PI),
                (-0.0, -0.0, -PI),
                (1.0, -INF, PI),
                (NAN, 1.0, NAN),
                (INF, 1.0, FRAC_PI_2),
            ],
        ),
        (
            "logaddexp",
            |a, b| causing_diff::logaddexp(a, b).unwrap(),
            &[
                (-INF, -INF, -INF),
                (INF, INF, INF),
                (INF, -INF, INF),
                (NAN, 1.0, NAN),
                (1.0, NAN, NAN),
                (0.0, 0.0, LN_2),
                (1000.0, 1000.0, 1000.0 + LN_2),
            ],
        ),
        (
            "logaddexp2",
            |a, b| causing_diff::logaddexp2(a, b).unwrap(),
            &[
                (-INF, -INF, -INF),
                (INF, INF, INF),
                (1.0, 1.0, 2.0),
                (NAN, 0.0, NAN),
            ],
        ),
    ];
    let g = Graph::new();
    for &(name, f, triples) in table {
        let (a, (b, want)): (Vec<f64>, (Vec<f64>, Vec<f64>)) = (0..LEN)
            .map(|i| triples[i % triples.len()])
            .map(|(a, b, w)| (a, (b, w)))
            .unzip();
        let got = f(g.tensor(a.clone()), g.tensor(b.clone()))
            .data()
            .to_f64_vec();
        assert_values(&format!("{name} f64"), &got, &want, 1e-14);
        let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
        let want32: Vec<f64> = want.iter().map(|&v| v as f32 as f64).collect();
        let got32 = f(g.tensor(a32), g.tensor(b32)).data().to_f64_vec();
        // 1000 + ln 2 is not representable as float32 from the f32 inputs'
        // point of view either: compare float32 results at float32 precision.
        assert_values(&format!("{name} f32"), &got32, &want32, 1e-6);
        // A 0-d operand broadcast against the vector (the scalar path).
        let (a0, b0, w0) = triples[0];
        let got = f(g.tensor(vec![a0; LEN]), g.tensor(b0)).data().to_f64_vec();
        assert_values(&format!("{name} broadcast"), &got, &vec![w0; LEN], 1e-14);
    }
}

#[test]
fn reductions() {
    let g = Graph::new();
    let t = |v: &[f64]| g.tensor(v.to_vec());
    let one = |x: Tensor<'_>| x.item();
    assert!(one(t(&[INF, -INF]).sum()).is_nan());
    assert!(one(t(&[1.0, NAN]).sum()).is_nan());
    assert_eq!(one(t(&[INF, 1.0]).sum()), INF);
    assert!(one(t(&[1.0, NAN, 3.0]).max()).is_nan());
    assert!(one(t(&[NAN, 1.0]).max()).is_nan());
    assert!(one(t(&[1.0, NAN]).min()).is_nan());
    assert_eq!(one(t(&[-INF, -INF]).max()), -INF);
    assert_eq!(one(t(&[-INF, 1.0, INF]).min()), -INF);
    assert_eq!(one(t(&[INF, INF]).mean()), INF);
    assert!(one(t(&[INF, -INF]).mean()).is_nan());
    assert!(one(t(&[0.0, INF]).prod()).is_nan());
    assert_eq!(one(t(&[1e200, 1e200]).prod()), INF);
    assert!(one(t(&[INF, 1.0]).var()).is_nan());
    assert!(one(t(&[1.0, NAN]).std()).is_nan());
    assert_values(
        "cumsum",
        &t(&[1.0, INF, -INF, 2.0]).cumsum().data().to_f64_vec(),
        &[1.0, INF, NAN, NAN],
        0.0,
    );
    assert_values(
        "cumprod",
        &t(&[2.0, INF, 0.0, 1.0]).cumprod().data().to_f64_vec(),
        &[2.0, INF, NAN, NAN],
        0.0,
    );
    let arg = |a: Array| a.item().unwrap();
    assert_eq!(arg(t(&[1.0, NAN, 3.0, NAN]).argmax()), 1.0);
    assert_eq!(arg(t(&[1.0, NAN, 0.0]).argmin()), 1.0);
    assert_eq!(arg(t(&[-INF, -INF]).argmax()), 0.0);
    assert_eq!(arg(t(&[1.0, INF, INF]).argmax()), 1.0);
    assert_eq!(arg(t(&[INF, -INF, -INF]).argmin()), 1.0);
    assert_eq!(t(&[NAN]).any().to_string(), "array(True)");
    assert_eq!(t(&[0.0, -0.0]).any().to_string(), "array(False)");
    // Along an axis.
    let m = g.tensor([[1.0, NAN, NAN], [NAN, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_values(
        "max axis 0",
        &m.max_axis(0).data().to_f64_vec(),
        &[NAN, NAN, NAN],
        0.0,
    );
    assert_values(
        "max axis 1",
        &m.max_axis(1).data().to_f64_vec(),
        &[NAN, NAN, 6.0],
        0.0,
    );
    assert_values(
        "min axis 1",
        &m.min_axis(1).data().to_f64_vec(),
        &[NAN, NAN, 4.0],
        0.0,
    );
    assert_values(
        "sum axis 1",
        &m.sum_axis(1).data().to_f64_vec(),
        &[NAN, NAN, 15.0],
        0.0,
    );
    assert_eq!(m.argmax_axis(1).to_f64_vec(), [1.0, 0.0, 2.0]);
    assert_eq!(m.argmin_axis(0).to_f64_vec(), [1.0, 0.0, 0.0]);
}

#[test]
fn reductions_of_long_arrays_with_one_nan_anywhere() {
    // Long enough for the vector and threaded paths; the NaN sits in the
    // first lane, a middle lane, the last full vector and the tail.
    let g = Graph::new();
    let n = 100_003;
    for at in [0, 1, 7, 8, 15, 511, 65_536, n - 1] {
        let mut v: Vec<f64> = (0..n).map(|i| (i % 97) as f64 - 40.0).collect();
        v[at] = NAN;
        for x in [
            g.tensor(v.clone()),
            g.tensor(v.iter().map(|&x| x as f32).collect::<Vec<f32>>()),
        ] {
            assert!(x.max().item().is_nan(), "max, NaN at {at}");
            assert!(x.min().item().is_nan(), "min, NaN at {at}");
            assert!(x.sum().item().is_nan(), "sum, NaN at {at}");
            assert!(x.mean().item().is_nan(), "mean, NaN at {at}");
            assert_eq!(x.argmax().item(), Some(at as f64), "argmax, NaN at {at}");
            assert_eq!(x.argmin().item(), Some(at as f64), "argmin, NaN at {at}");
            let m = x.reshape(&[-1, 1]).max_axis(0).item();
            assert!(m.is_nan(), "max over axis 0, NaN at {at}");
        }
        // An infinity of each sign makes the sum NaN; alone, it wins max/min.
        let mut w: Vec<f64> = (0..n).map(|i| (i % 13) as f64).collect();
        w[at] = -INF;
        let x = g.tensor(w.clone());
        assert_eq!(x.min().item(), -INF);
        assert_eq!(x.argmin().item(), Some(at as f64));
        assert_eq!(x.sum().item(), -INF);
        w[n - 1 - at] = INF;
        assert!(g.tensor(w).sum().item().is_nan());
    }
}

#[test]
fn comparisons_and_predicates() {
    let g = Graph::new();
    let x = g.tensor([NAN, NAN, INF, -INF, 1.0]);
    let y = g.tensor([NAN, 1.0, INF, INF, NAN]);
    let b = |a: Array| a.to_string();
    assert_eq!(b(x.equal(y)), "array([False, False,  True, False, False])");
    assert_eq!(
        b(x.not_equal(y)),
        "array([ True,  True, False,  True,  True])"
    );
    assert_eq!(b(x.less(y)), "array([False, False, False,  True, False])");
    assert_eq!(
        b(x.less_equal(y)),
        "array([False, False,  True,  True, False])"
    );
    assert_eq!(
        b(x.greater(y)),
        "array([False, False, False, False, False])"
    );
    assert_eq!(
        b(x.greater_equal(y)),
        "array([False, False,  True, False, False])"
    );
    assert_eq!(b(x.isnan()), "array([ True,  True, False, False, False])");
    assert_eq!(b(x.isinf()), "array([False, False,  True,  True, False])");
    assert_eq!(
        b(x.isfinite()),
        "array([False, False, False, False,  True])"
    );
    assert_eq!(
        b(x.logical_and(1.0)),
        "array([ True,  True,  True,  True,  True])"
    );
    assert_eq!(
        b(x.logical_not()),
        "array([False, False, False, False, False])"
    );
    assert_eq!(
        b(g.tensor([-0.0, -INF, 0.0]).signbit()),
        "array([ True,  True, False])"
    );
    let v = |a: Array| a.to_f64_vec();
    assert_values("sign", &v(x.sign()), &[NAN, NAN, 1.0, -1.0, 1.0], 0.0);
    assert_values("floor", &v(x.floor()), &[NAN, NAN, INF, -INF, 1.0], 0.0);
    assert_values("ceil", &v(x.ceil()), &[NAN, NAN, INF, -INF, 1.0], 0.0);
    assert_values("trunc", &v(x.trunc()), &[NAN, NAN, INF, -INF, 1.0], 0.0);
    assert_values("rint", &v(x.rint()), &[NAN, NAN, INF, -INF, 1.0], 0.0);
    // Float division by zero and by infinity, Python's sign rules for `%`.
    let a = g.tensor([1.0, -1.0, 0.0, INF, 1.0, -1.0]);
    let d = g.tensor([0.0, 0.0, 0.0, 1.0, INF, INF]);
    assert_values(
        "floor_divide",
        &v(a.floor_divide(d)),
        &[INF, -INF, NAN, NAN, 0.0, -1.0],
        0.0,
    );
    assert_values(
        "remainder",
        &v(a.remainder(d)),
        &[NAN, NAN, NAN, NAN, 1.0, INF],
        0.0,
    );
    assert_values("fmod", &v(a.fmod(d)), &[NAN, NAN, NAN, NAN, 1.0, -1.0], 0.0);
}

#[test]
fn integer_division_by_zero_and_overflow_wrap_as_numpy() {
    let g = Graph::new();
    let a = g.tensor([7i64, -7, 0, i64::MIN]);
    let zero = g.tensor([0i64, 0, 0, -1]);
    let ints = |x: Array| x.as_slice::<i64>().unwrap().to_vec();
    // NumPy: 0 for a zero divisor (with a warning), MIN // -1 wraps to MIN.
    assert_eq!(ints(a.floor_divide(zero)), [0, 0, 0, i64::MIN]);
    assert_eq!(ints(a.remainder(zero)), [0, 0, 0, 0]);
    assert_eq!(ints(a.fmod(zero)), [0, 0, 0, 0]);
    // True division of integers is float64.
    assert_values(
        "int / 0",
        &(a / zero).data().to_f64_vec(),
        &[INF, -INF, NAN, -(i64::MIN as f64)],
        0.0,
    );
    // Integer arithmetic wraps silently, as NumPy's arrays do.
    let m = g.tensor([i64::MAX, i64::MIN]);
    let t = |x: Tensor<'_>| ints(x.data());
    assert_eq!(t(m + 1i64), [i64::MIN, i64::MIN + 1]);
    assert_eq!(t(m * 2i64), [-2, 0]);
    assert_eq!(t(-m), [-i64::MAX, i64::MIN]);
    assert_eq!(t(m.abs()), [i64::MAX, i64::MIN]);
    assert_eq!(t(m.sum()), [-1]);
    assert_eq!(t(g.tensor([i64::MAX, 1]).cumsum()), [i64::MAX, i64::MIN]);
    assert_eq!(t(g.tensor([1i64 << 62, 4]).prod()), [0]);
    assert_eq!(t(g.tensor([2i64]).pow(64i64)), [0]);
    let m32 = g.tensor(Array::from_vec(vec![i32::MAX]));
    assert_eq!((m32 * 2i32).data().as_slice::<i32>().unwrap(), [-2]);
}

#[test]
fn manipulation_and_indexing_keep_the_values_bit_for_bit() {
    let g = Graph::new();
    let vals = [NAN, INF, -INF, -0.0, 1.0, 0.0];
    let x = g.tensor(vals.to_vec()).reshape(&[2, 3]);
    let bits =
        |t: Tensor<'_>| -> Vec<u64> { t.data().to_f64_vec().iter().map(|v| v.to_bits()).collect() };
    let want = |idx: &[usize]| -> Vec<u64> { idx.iter().map(|&i| vals[i].to_bits()).collect() };
    assert_eq!(bits(x.transpose()), want(&[0, 3, 1, 4, 2, 5]));
    assert_eq!(bits(x.flip()), want(&[5, 4, 3, 2, 1, 0]));
    assert_eq!(bits(x.ravel().roll(1)), want(&[5, 0, 1, 2, 3, 4]));
    assert_eq!(
        bits(
            causing_diff::concatenate(&[x, x], Some(0))
                .unwrap()
                .index(s![2..])
        ),
        want(&[0, 1, 2, 3, 4, 5])
    );
    assert_eq!(
        bits(causing_diff::stack(&[x, x], 0).unwrap().index(s![1])),
        want(&[0, 1, 2, 3, 4, 5])
    );
    assert_eq!(
        bits(x.index(s![0]).repeat(&[2], None)),
        want(&[0, 0, 1, 1, 2, 2])
    );
    assert_eq!(bits(x.index(s![1]).tile(&[2])), want(&[3, 4, 5, 3, 4, 5]));
    assert_eq!(bits(x.index(s![0, 1]).broadcast_to(&[2])), want(&[1, 1]));
    assert_eq!(bits(x.index(s![.., [2, 0, 0]])), want(&[2, 0, 0, 5, 3, 3]));
    assert_eq!(bits(x.index(s![..;-1, 1..])), want(&[4, 5, 1, 2]));
    // A NaN mask selects the NaN; where replaces it.
    let flat = x.ravel();
    assert_eq!(bits(flat.index(s![flat.isnan()])), want(&[0]));
    let cleaned = causing_diff::where_(flat.isnan(), 0.0, flat).unwrap();
    assert_values(
        "where",
        &cleaned.data().to_f64_vec(),
        &[0.0, INF, -INF, -0.0, 1.0, 0.0],
        0.0,
    );
    // NumPy's clip propagates NaN and clamps infinities.
    let clipped = flat.clip(-1.0, 1.0).data().to_f64_vec();
    assert_values("clip", &clipped, &[NAN, 1.0, -1.0, -0.0, 1.0, 0.0], 0.0);
    // Assigning a NaN stores it.
    let y = g.tensor([1.0, 2.0]).set_index(s![1], NAN);
    assert!(y.data().to_f64_vec()[1].is_nan());
    // And they print as NumPy prints them.
    assert_eq!(
        g.tensor([NAN, INF, -INF]).to_string(),
        "Tensor([ nan,  inf, -inf])"
    );
    assert_eq!(
        g.tensor([1.5f32, f32::NAN]).to_string(),
        "Tensor([1.5, nan], dtype=float32)"
    );
    assert_eq!(g.tensor(-INF).to_string(), "Tensor(-inf)");
}

#[test]
fn linear_algebra() {
    let g = Graph::new();
    let v = |t: Tensor<'_>| t.data().to_f64_vec();
    // 1·inf + 2·0 = inf; 0·inf = NaN; inf - inf = NaN.
    assert_values(
        "mm inf",
        &v(g.tensor([[1.0, 2.0]]).matmul(g.tensor([[INF], [0.0]]))),
        &[INF],
        0.0,
    );
    assert_values(
        "mm 0*inf",
        &v(g.tensor([[0.0, 1.0]]).matmul(g.tensor([[INF], [1.0]]))),
        &[NAN],
        0.0,
    );
    assert_values(
        "mm inf-inf",
        &v(g.tensor([[1.0, 1.0]]).matmul(g.tensor([[INF], [-INF]]))),
        &[NAN],
        0.0,
    );
    assert_values(
        "dot nan",
        &v(g.tensor([NAN, 1.0]).matmul(g.tensor([0.0, 0.0]))),
        &[NAN],
        0.0,
    );
    // A NaN in a large product poisons exactly its row (NaN · 0 = NaN).
    for n in [64, 129] {
        let mut a = vec![1.0f64; n * n];
        a[3 * n + 5] = NAN;
        let eye = g.eye(n);
        let a_t = g.tensor(a).reshape(&[n as isize, n as isize]);
        for out in [
            a_t.matmul(eye),
            a_t.astype(DType::Float32)
                .matmul(eye.astype(DType::Float32)),
        ] {
            let out = v(out);
            for (i, &o) in out.iter().enumerate() {
                assert_eq!(o.is_nan(), i / n == 3, "n={n}, element {i}: {o}");
                if i / n != 3 {
                    assert_eq!(o, 1.0);
                }
            }
        }
    }
    let e = causing_diff::einsum("i,i->", &[g.tensor([INF, 1.0]), g.tensor([0.0, 1.0])]).unwrap();
    assert!(e.item().is_nan());
    let norm = |x: &[f64], ord: Option<f64>| {
        causing_diff::norm(g.tensor(x.to_vec()), ord, None, false, true)
            .unwrap()
            .item()
    };
    assert!(norm(&[3.0, NAN], None).is_nan());
    assert_eq!(norm(&[INF, 1.0], None), INF);
    assert!(norm(&[1.0, NAN], Some(f64::INFINITY)).is_nan());
    assert_eq!(norm(&[INF, -INF], Some(1.0)), INF);
    assert_eq!(norm(&[-INF, 2.0], Some(f64::NEG_INFINITY)), 2.0);
}

#[test]
fn gradients_through_non_finite_values() {
    let g = Graph::new();
    let grad = |t: Tensor<'_>| t.grad().unwrap().to_f64_vec();
    // NaN propagates only where the derivative uses it.
    let x = g.tensor([NAN, 1.0, INF]);
    (x * 3.0).sum().backward();
    assert_eq!(grad(x), [3.0, 3.0, 3.0]);
    let x = g.tensor([INF, -INF]);
    x.sum().backward();
    assert_eq!(grad(x), [1.0, 1.0]);
    // log(0) = -inf with an infinite gradient; sqrt(0) likewise.
    let x = g.tensor([0.0, 1.0]);
    x.log().sum().backward();
    assert_eq!(grad(x), [INF, 1.0]);
    let x = g.tensor([0.0, 4.0]);
    x.sqrt().sum().backward();
    assert_eq!(grad(x), [INF, 0.25]);
    // exp(±inf): gradient e^x.
    let x = g.tensor([INF, -INF]);
    x.exp().sum().backward();
    assert_eq!(grad(x), [INF, 0.0]);
    // x * y with y = NaN: x's gradient is NaN, y's is x.
    let a = g.tensor([2.0]);
    let b = g.tensor([NAN]);
    (a * b).sum().backward();
    assert!(grad(a)[0].is_nan());
    assert_eq!(grad(b), [2.0]);
}

/// Every op family, forward and backward, on small tensors: the values and
/// gradients as bits.
fn workload(g: &Graph) -> Vec<Vec<u64>> {
    let bits = |a: Array| -> Vec<u64> { a.to_f64_vec().iter().map(|v| v.to_bits()).collect() };
    let x = g.tensor((0..42).map(|i| i as f64 * 0.25 - 5.0).collect::<Vec<f64>>());
    let m = x.reshape(&[6, 7]);
    let w = g.tensor((0..56).map(|i| (i % 5) as f64 - 2.0).collect::<Vec<f64>>());
    let w = w.reshape(&[7, 8]);
    let s = g.tensor([1.5f32, -2.0, 0.25]);
    let outs = [
        m.exp() * m - m.sin(),
        m.sum_axis(0),
        m.max_axis(1),
        m.var_axis(0),
        m.cumsum_axis(1),
        m.prod_axis(1),
        m.matmul(w),
        m.transpose().flip(),
        m.index(s![1..;2, [0, 6, 6]]),
        m.set_index(s![.., 3], 0.5),
        causing_diff::concatenate(&[m, m], Some(1)).unwrap(),
        m.repeat(&[2], Some(0)).tile(&[1, 2]),
        m.index(s![0]).broadcast_to(&[3, 7]),
        (s * 2.0).exp(),
    ];
    let mut all: Vec<Vec<u64>> = outs.iter().map(|t| bits(t.data())).collect();
    let loss = outs
        .iter()
        .map(|t| t.sum())
        .fold(g.tensor(0.0), |a, b| a + b);
    loss.backward();
    all.push(bits(x.grad().unwrap()));
    all.push(bits(w.grad().unwrap()));
    all.push(bits(s.grad().unwrap()));
    all
}

#[test]
fn nan_left_in_recycled_buffers_never_reaches_a_result() {
    // The graph hands reclaimed buffers to new nodes with whatever they
    // held: fill the pool with NaN and check that every producer overwrites
    // all of its output, by comparing with a graph whose pool is empty.
    let fresh = workload(&Graph::new());
    let g = Graph::new();
    let mark = g.mark();
    for n in 1..=64 {
        g.tensor(vec![NAN; n]);
        g.tensor(vec![f32::NAN; n]);
    }
    g.rewind(mark);
    assert_eq!(workload(&g), fresh);
    // And once more on buffers the workload itself left behind.
    g.rewind(mark);
    assert_eq!(workload(&g), fresh);
}
