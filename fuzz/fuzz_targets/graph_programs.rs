//! Random programs over the public API: bytes decode to tensor creations
//! (every dtype, shapes of up to 4 dims and 64 elements with size-0 and
//! size-1 axes, NaN/inf/-0.0) and ops from every family — elementwise maths,
//! comparisons, reductions, manipulation, indexing, index assignment,
//! matmul, einsum, norm — with random (also invalid) axes, indices and
//! broadcasting pairs, then a backward pass on the sum of the last float
//! result. Only the fallible `try_*` forms are called.
//!
//! Invariants: nothing panics (every failure is an `Error`); operands that
//! do not broadcast are refused; after backward every gradient has its
//! tensor's shape and dtype and constants have none; elementwise maths and
//! sum/mean/max/min equal a naive f64 evaluation of the inputs' `data()`
//! (NaN equals NaN; tolerance from the output dtype).
#![no_main]

use causing_diff::{Array, DType, Error, Graph, Index, IndexItem, Tensor, TensorOptions};
use libfuzzer_sys::fuzz_target;

mod common;
use common::{broadcast, broadcast_flat, ravel, unravel, Bytes};

const FLOATS: [f64; 16] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    -2.0,
    0.5,
    -0.5,
    3.0,
    -3.0,
    1.5,
    4.0,
    0.25,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];
const DTYPES: [DType; 5] = [
    DType::Float64,
    DType::Float32,
    DType::Int64,
    DType::Int32,
    DType::Bool,
];
/// Results above this size are not kept as operands.
const KEEP: usize = 256;

fn size(shape: &[usize]) -> usize {
    shape.iter().product()
}

fn gen_shape(b: &mut Bytes) -> Vec<usize> {
    let mut shape: Vec<usize> = (0..b.below(5)).map(|_| b.below(5)).collect();
    while size(&shape) > 64 {
        shape.pop();
    }
    shape
}

fn gen_array(b: &mut Bytes, shape: &[usize], dtype: DType) -> Array {
    let n = size(shape);
    let mut vals = Vec::with_capacity(n);
    for _ in 0..n {
        vals.push(match dtype {
            DType::Bool => (b.next() & 1) as f64,
            DType::Int32 | DType::Int64 => b.range(-4, 4) as f64,
            _ => FLOATS[b.below(FLOATS.len())],
        });
    }
    let a = Array::from_shape_vec(shape, vals).expect("sizes agree");
    if dtype == DType::Float64 {
        a
    } else {
        a.astype(dtype)
    }
}

/// A value to compare: shape, values as f64, dtype.
struct Val {
    shape: Vec<usize>,
    v: Vec<f64>,
    dtype: DType,
}

impl Val {
    fn of_array(a: &Array) -> Val {
        Val {
            shape: a.shape().to_vec(),
            v: a.to_f64_vec(),
            dtype: a.dtype(),
        }
    }

    fn of(t: Tensor) -> Val {
        Val::of_array(&t.try_data().expect("a live tensor"))
    }

    fn scalar(x: f64) -> Val {
        Val {
            shape: vec![],
            v: vec![x],
            dtype: DType::Float64,
        }
    }

    /// Whether value checks are meaningful: moderate magnitudes only, where
    /// f32 kernels and libm agree to a few ulps.
    fn moderate(&self) -> bool {
        self.v.iter().all(|x| !x.is_finite() || x.abs() <= 64.0)
    }
}

/// `got` against the naive `want` (computed in f64) for an output of `dtype`;
/// `scale` is the magnitude the rounding error is relative to.
fn close(got: f64, want: f64, dtype: DType, scale: f64) -> bool {
    let want = match dtype {
        DType::Float32 => want as f32 as f64,
        _ => want,
    };
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if want.is_infinite() || got.is_infinite() {
        return want == got;
    }
    let tol = match dtype {
        DType::Float32 => 1e-5,
        DType::Float64 => 1e-11,
        _ => 0.0,
    };
    (got - want).abs() <= tol * (want.abs().max(scale) + 1.0)
}

/// Checks an elementwise result against `f` over the broadcast inputs.
/// Integer results are compared only when `ints` and the naive value is a
/// small integer (no wrap-around); bool results are compared exactly.
fn check_elementwise(op: &str, out: &Val, ins: &[&Val], ints: bool, f: impl Fn(&[f64]) -> f64) {
    if !ins.iter().all(|v| v.moderate()) {
        return;
    }
    let shape = ins
        .iter()
        .try_fold(vec![], |acc: Vec<usize>, v| broadcast(&acc, &v.shape))
        .expect("an elementwise result implies broadcastable inputs");
    assert_eq!(out.shape, shape, "{op}: result shape");
    for (k, &got) in out.v.iter().enumerate() {
        let idx = unravel(k, &shape);
        let args: Vec<f64> = ins
            .iter()
            .map(|v| v.v[broadcast_flat(&idx, &v.shape)])
            .collect();
        let want = f(&args);
        let ok = match out.dtype {
            DType::Float32 | DType::Float64 => close(got, want, out.dtype, 0.0),
            // bool arithmetic is logical: True + True is True
            DType::Bool => got == (want != 0.0) as u8 as f64,
            _ => !ints || want.is_nan() || want.abs() > 1e9 || got == want,
        };
        assert!(ok, "{op}{args:?}: got {got}, want {want} ({:?})", out.dtype);
    }
}

const UNARY: [&str; 39] = [
    "negative",
    "positive",
    "square",
    "abs",
    "sqrt",
    "exp",
    "log",
    "sin",
    "cos",
    "tan",
    "reciprocal",
    "cot",
    "csc",
    "sec",
    "arcsin",
    "arccos",
    "arctan",
    "arccot",
    "arccsc",
    "arcsec",
    "sinc",
    "sinh",
    "cosh",
    "tanh",
    "coth",
    "csch",
    "sech",
    "arcsinh",
    "arccosh",
    "arctanh",
    "arccoth",
    "arccsch",
    "exp2",
    "expm1",
    "log2",
    "log10",
    "log1p",
    "cbrt",
    "abs0",
];

fn unary<'g>(k: usize, t: Tensor<'g>) -> causing_diff::Result<Tensor<'g>> {
    match k {
        0 => t.try_neg(),
        1 => t.try_positive(),
        2 => t.try_square(),
        3 => t.try_abs(),
        4 => t.try_sqrt(),
        5 => t.try_exp(),
        6 => t.try_log(),
        7 => t.try_sin(),
        8 => t.try_cos(),
        9 => t.try_tan(),
        10 => t.try_reciprocal(),
        11 => t.try_cot(),
        12 => t.try_csc(),
        13 => t.try_sec(),
        14 => t.try_arcsin(),
        15 => t.try_arccos(),
        16 => t.try_arctan(),
        17 => t.try_arccot(),
        18 => t.try_arccsc(),
        19 => t.try_arcsec(),
        20 => t.try_sinc(),
        21 => t.try_sinh(),
        22 => t.try_cosh(),
        23 => t.try_tanh(),
        24 => t.try_coth(),
        25 => t.try_csch(),
        26 => t.try_sech(),
        27 => t.try_arcsinh(),
        28 => t.try_arccosh(),
        29 => t.try_arctanh(),
        30 => t.try_arccoth(),
        31 => t.try_arccsch(),
        32 => t.try_exp2(),
        33 => t.try_expm1(),
        34 => t.try_log2(),
        35 => t.try_log10(),
        36 => t.try_log1p(),
        37 => t.try_cbrt(),
        _ => t.try_abs_with(false),
    }
}

fn naive_unary(k: usize, x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI};
    match k {
        0 => -x,
        1 => x,
        2 => x * x,
        3 | 38 => x.abs(),
        4 => x.sqrt(),
        5 => x.exp(),
        6 => x.ln(),
        7 => x.sin(),
        8 => x.cos(),
        9 => x.tan(),
        10 => 1.0 / x,
        11 => 1.0 / x.tan(),
        12 => 1.0 / x.sin(),
        13 => 1.0 / x.cos(),
        14 => x.asin(),
        15 => x.acos(),
        16 => x.atan(),
        // MyGrad: arctan(1/x), with arccot(0) = π/2
        17 if x == 0.0 => FRAC_PI_2,
        17 => (1.0 / x).atan(),
        18 => (1.0 / x).asin(),
        19 => (1.0 / x).acos(),
        20 if x == 0.0 => 1.0,
        20 => (PI * x).sin() / (PI * x),
        21 => x.sinh(),
        22 => x.cosh(),
        23 => x.tanh(),
        24 => 1.0 / x.tanh(),
        25 => 1.0 / x.sinh(),
        26 => 1.0 / x.cosh(),
        27 => x.asinh(),
        28 => x.acosh(),
        29 => x.atanh(),
        30 => (1.0 / x).atanh(),
        31 => (1.0 / x).asinh(),
        32 => x.exp2(),
        33 => x.exp_m1(),
        34 => x.log2(),
        35 => x.log10(),
        36 => x.ln_1p(),
        _ => x.cbrt(),
    }
}

const BINARY: [&str; 10] = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "power",
    "arctan2",
    "logaddexp",
    "logaddexp2",
    "maximum",
    "minimum",
];

fn binary<'g>(k: usize, a: Tensor<'g>, b: Operand<'g>) -> causing_diff::Result<Tensor<'g>> {
    macro_rules! call {
        ($m:ident) => {
            match b {
                Operand::T(t) => a.$m(t),
                Operand::S(s) => a.$m(s),
                Operand::A(x) => a.$m(x),
            }
        };
    }
    match k {
        0 => call!(try_add),
        1 => call!(try_sub),
        2 => call!(try_mul),
        3 => call!(try_div),
        4 => call!(try_pow),
        5 => call!(try_arctan2),
        6 => call!(try_logaddexp),
        7 => call!(try_logaddexp2),
        8 => call!(try_maximum),
        _ => call!(try_minimum),
    }
}

fn logaddexp(a: f64, b: f64, ln2: f64, exp: impl Fn(f64) -> f64, ln1p: impl Fn(f64) -> f64) -> f64 {
    if a == b {
        return a + ln2;
    }
    let (m, d) = (a.max(b), (a - b).abs());
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        m + ln1p(exp(-d))
    }
}

fn naive_binary(k: usize, a: f64, b: f64) -> f64 {
    match k {
        0 => a + b,
        1 => a - b,
        2 => a * b,
        3 => a / b,
        4 => a.powf(b),
        5 => a.atan2(b),
        6 => logaddexp(a, b, std::f64::consts::LN_2, f64::exp, f64::ln_1p),
        7 => logaddexp(a, b, 1.0, f64::exp2, |x| (1.0 + x).log2()),
        _ if a.is_nan() || b.is_nan() => f64::NAN,
        8 => a.max(b),
        _ => a.min(b),
    }
}

/// The other operand of a binary op.
#[derive(Clone)]
enum Operand<'g> {
    T(Tensor<'g>),
    S(f64),
    A(Array),
}

struct Prog<'g, 'b> {
    g: &'g Graph,
    b: Bytes<'b>,
    pool: Vec<Tensor<'g>>,
    /// Whether a backward pass already ran (and cleared its graph).
    swept: bool,
}

impl<'g> Prog<'g, '_> {
    fn keep(&mut self, r: causing_diff::Result<Tensor<'g>>) -> Option<Tensor<'g>> {
        let t = r.ok()?;
        let shape = t.try_shape().expect("a fresh result is live");
        if size(&shape) <= KEEP {
            self.pool.push(t);
        }
        Some(t)
    }

    fn pick(&mut self) -> Tensor<'g> {
        if self.pool.is_empty() || self.b.below(8) == 0 {
            self.create();
        }
        let k = self.b.below(self.pool.len());
        self.pool[self.pool.len() - 1 - k]
    }

    fn create(&mut self) {
        let shape = gen_shape(&mut self.b);
        let dtype = DTYPES[self.b.below(DTYPES.len())];
        self.create_with(&shape, dtype);
    }

    fn create_with(&mut self, shape: &[usize], dtype: DType) -> Tensor<'g> {
        let a = gen_array(&mut self.b, shape, dtype);
        let mut opts = TensorOptions::new();
        if self.b.below(4) == 0 {
            // Sometimes ask for a variable of an integer dtype: a typed error.
            opts = opts.constant(self.b.flag());
        }
        match self.g.try_tensor_with(a, opts) {
            Ok(t) => {
                self.pool.push(t);
                t
            }
            Err(Error::IntNonConstant { .. }) => self.create_with(shape, DType::Float64),
            Err(e) => panic!("creating a {dtype} tensor of shape {shape:?}: {e}"),
        }
    }

    /// The second operand of `x op y`: a weak scalar, a plain array, a pool
    /// tensor, or a new tensor whose shape broadcasts against `like`.
    fn operand(&mut self, like: &[usize]) -> (Operand<'g>, Val) {
        match self.b.below(8) {
            6 | 7 => {
                // Drop leading axes, set some to 1, sometimes prepend one.
                let skip = self.b.below(like.len() + 1);
                let mut shape: Vec<usize> = like[skip..]
                    .iter()
                    .map(|&d| if self.b.flag() { 1 } else { d })
                    .collect();
                if self.b.below(4) == 0 && size(&shape) <= 16 {
                    shape.insert(0, self.b.below(4));
                }
                let dtype = DTYPES[self.b.below(5)];
                let t = self.create_with(&shape, dtype);
                (Operand::T(t), Val::of(t))
            }
            0 => {
                let s = FLOATS[self.b.below(FLOATS.len())];
                (Operand::S(s), Val::scalar(s))
            }
            1 => {
                let shape = gen_shape(&mut self.b);
                let dtype = DTYPES[self.b.below(5)];
                let a = gen_array(&mut self.b, &shape, dtype);
                let v = Val::of_array(&a);
                (Operand::A(a), v)
            }
            _ => {
                let t = self.pick();
                (Operand::T(t), Val::of(t))
            }
        }
    }

    fn axes(&mut self, nd: usize) -> Option<Vec<isize>> {
        if self.b.below(3) == 0 {
            return None;
        }
        let n = nd as isize;
        Some(
            (0..self.b.below(3))
                .map(|_| self.b.range(-n - 1, n))
                .collect(),
        )
    }
}

/// The normalised axes, or `None` for an invalid list (out of range or repeated).
fn norm_axes(axes: Option<&[isize]>, nd: usize) -> Option<Vec<usize>> {
    let Some(axes) = axes else {
        return Some((0..nd).collect());
    };
    let mut out = Vec::new();
    for &a in axes {
        let a = if a < 0 { a + nd as isize } else { a };
        if a < 0 || a >= nd as isize || out.contains(&(a as usize)) {
            return None;
        }
        out.push(a as usize);
    }
    Some(out)
}

/// Naive sum/mean/max/min over `axes`; `None` for an empty max/min.
fn naive_reduce(
    k: usize,
    x: &Val,
    axes: &[usize],
    keepdims: bool,
) -> Option<(Vec<usize>, Vec<f64>, Vec<f64>)> {
    if k >= 2 && axes.iter().any(|&a| x.shape[a] == 0) {
        return None;
    }
    let kept: Vec<usize> = (0..x.shape.len()).filter(|a| !axes.contains(a)).collect();
    let red_shape: Vec<usize> = kept.iter().map(|&a| x.shape[a]).collect();
    let mut acc = vec![Vec::new(); size(&red_shape)];
    for (flat, &v) in x.v.iter().enumerate() {
        let idx = unravel(flat, &x.shape);
        let o: Vec<usize> = kept.iter().map(|&a| idx[a]).collect();
        acc[ravel(&o, &red_shape)].push(v);
    }
    let scales = acc
        .iter()
        .map(|vs| vs.iter().map(|v: &f64| v.abs()).sum::<f64>())
        .collect();
    let vals = acc
        .iter()
        .map(|vs| match k {
            0 => vs.iter().sum::<f64>(),
            1 => vs.iter().sum::<f64>() / vs.len() as f64,
            _ if vs.iter().any(|v| v.is_nan()) => f64::NAN,
            2 => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            _ => vs.iter().copied().fold(f64::INFINITY, f64::min),
        })
        .collect();
    let shape = if keepdims {
        (0..x.shape.len())
            .map(|a| if axes.contains(&a) { 1 } else { x.shape[a] })
            .collect()
    } else {
        red_shape
    };
    Some((shape, vals, scales))
}

/// The index items a program draws: basic items, integer arrays, bool
/// masks (over one axis or all remaining) and integer/bool tensors.
fn gen_index<'g>(p: &mut Prog<'g, '_>, shape: &[usize]) -> Index<'g> {
    let n = p.b.below(shape.len() + 3);
    let mut items = Vec::new();
    let mut axis = 0;
    for _ in 0..n {
        let len = shape.get(axis).copied().unwrap_or(1) as isize;
        let b = &mut p.b;
        let item = match b.below(11) {
            0 | 1 => IndexItem::Int(b.range(-len - 1, len)),
            2..=4 => {
                let bound = |b: &mut Bytes| {
                    (!b.next().is_multiple_of(4)).then(|| b.range(-len - 2, len + 2))
                };
                let start = bound(b);
                let stop = bound(b);
                let step =
                    (!b.next().is_multiple_of(8)).then(|| [1, 2, 3, -1, -2, -3, 0][b.below(7)]);
                IndexItem::slice(start, stop, step)
            }
            5 => IndexItem::NewAxis,
            6 => IndexItem::Ellipsis,
            7 => {
                let ashape: Vec<usize> = (0..b.below(3)).map(|_| b.below(4)).collect();
                let v: Vec<i64> = (0..size(&ashape))
                    .map(|_| b.range(-len - 1, len) as i64)
                    .collect();
                IndexItem::Array(Array::from_shape_vec(&ashape, v).expect("sizes agree"))
            }
            8 => {
                // A mask over the next k axes (sometimes of the wrong shape).
                let k = b.below(3).min(shape.len().saturating_sub(axis));
                let mut mshape: Vec<usize> = shape[axis.min(shape.len())..][..k].to_vec();
                if b.below(8) == 0 {
                    mshape.push(b.below(3));
                }
                let m: Vec<bool> = (0..size(&mshape)).map(|_| b.flag()).collect();
                axis += k.saturating_sub(1);
                IndexItem::Array(Array::from_shape_vec(&mshape, m).expect("sizes agree"))
            }
            9 => {
                let t = p.pick();
                IndexItem::Tensor(t)
            }
            _ => IndexItem::Int(b.range(-8, 8)),
        };
        if !matches!(item, IndexItem::NewAxis | IndexItem::Ellipsis) {
            axis += 1;
        }
        items.push(item);
    }
    Index::from_items(items)
}

impl<'g> Prog<'g, '_> {
    fn step(&mut self) {
        match self.b.below(14) {
            0 => self.create(),
            1 | 2 => self.unary_op(),
            3 | 4 => self.binary_op(),
            5 => self.compare_op(),
            6 => self.reduce_op(),
            7 | 8 => self.shape_op(),
            9 => self.join_op(),
            10 => {
                let t = self.pick();
                let shape = t.try_shape().expect("live");
                let index = gen_index(self, &shape);
                if self.b.flag() {
                    self.keep(t.try_index(index));
                } else {
                    let r = match self.operand(&shape).0 {
                        Operand::T(v) => t.try_set_index(index, v),
                        Operand::S(s) => t.try_set_index(index, s),
                        Operand::A(a) => t.try_set_index(index, a),
                    };
                    self.keep(r);
                }
            }
            11 => self.linalg_op(),
            12 => self.backward_last(),
            _ => self.copy_op(),
        }
    }

    fn unary_op(&mut self) {
        let t = self.pick();
        let k = self.b.below(UNARY.len());
        let x = Val::of(t);
        match unary(k, t) {
            Ok(y) => {
                let out = Val::of(y);
                check_elementwise(UNARY[k], &out, &[&x], true, |a| naive_unary(k, a[0]));
                self.keep(Ok(y));
            }
            Err(e) => assert!(
                matches!(e, Error::UnsupportedDType { .. }),
                "{}({:?} {:?}): {e}",
                UNARY[k],
                x.dtype,
                x.shape
            ),
        }
    }

    fn binary_op(&mut self) {
        let t = self.pick();
        let x = Val::of(t);
        let k = self.b.below(BINARY.len());
        let (other, y) = self.operand(&x.shape);
        if !self.b.flag() {
            let r = binary(k, t, other);
            self.finish_binary(k, r, &x, &y);
            return;
        }
        // The free-function forms, operands swapped.
        let (k, r) = match other {
            Operand::T(o) => match k.min(4) {
                0 => (0, causing_diff::add(o, t)),
                1 => (1, causing_diff::subtract(o, t)),
                2 => (2, causing_diff::multiply(o, t)),
                3 => (3, causing_diff::divide(o, t)),
                _ => (4, causing_diff::power(o, t)),
            },
            Operand::S(s) => (0, causing_diff::add(s, t)),
            Operand::A(a) => (2, causing_diff::multiply(a, t)),
        };
        self.finish_binary(k, r, &y, &x);
    }

    fn finish_binary(&mut self, k: usize, r: causing_diff::Result<Tensor<'g>>, x: &Val, y: &Val) {
        let fits = broadcast(&x.shape, &y.shape).is_some();
        match r {
            Ok(z) => {
                assert!(
                    fits,
                    "{}: {:?} and {:?} do not broadcast",
                    BINARY[k], x.shape, y.shape
                );
                let out = Val::of(z);
                let ints = matches!(k, 0..=2 | 8 | 9);
                check_elementwise(BINARY[k], &out, &[x, y], ints, |a| {
                    naive_binary(k, a[0], a[1])
                });
                self.keep(Ok(z));
            }
            Err(Error::ShapeMismatch { .. }) => assert!(
                !fits,
                "{}: {:?} and {:?} broadcast",
                BINARY[k], x.shape, y.shape
            ),
            // A dtype refusal may come before the shape check, as in NumPy.
            Err(e) => assert!(
                matches!(
                    e,
                    Error::UnsupportedDType { .. } | Error::InvalidArgument { .. }
                ),
                "{}: {e}",
                BINARY[k]
            ),
        }
    }

    fn compare_op(&mut self) {
        let t = self.pick();
        let x = Val::of(t);
        let k = self.b.below(22);
        if k >= 12 {
            let r = match k {
                12 => t.try_logical_not(),
                13 => t.try_isnan(),
                14 => t.try_isinf(),
                15 => t.try_isfinite(),
                16 => t.try_signbit(),
                17 => t.try_ceil(),
                18 => t.try_floor(),
                19 => t.try_trunc(),
                20 => t.try_rint(),
                _ => t.try_sign(),
            };
            let f = |v: f64| match k {
                12 => (v == 0.0) as u8 as f64,
                13 => v.is_nan() as u8 as f64,
                14 => v.is_infinite() as u8 as f64,
                15 => v.is_finite() as u8 as f64,
                16 => v.is_sign_negative() as u8 as f64,
                17 => v.ceil(),
                18 => v.floor(),
                19 => v.trunc(),
                20 => v.round_ties_even(),
                _ if v.is_nan() => f64::NAN,
                _ => (v > 0.0) as u8 as f64 - (v < 0.0) as u8 as f64,
            };
            if let Ok(a) = r {
                check_elementwise(
                    "compare_unary",
                    &Val::of_array(&a),
                    &[&x],
                    true,
                    |a| f(a[0]),
                );
                self.keep_array(a);
            }
            return;
        }
        let (other, y) = self.operand(&x.shape);
        macro_rules! call {
            ($m:ident) => {
                match other {
                    Operand::T(o) => t.$m(o),
                    Operand::S(s) => t.$m(s),
                    Operand::A(a) => t.$m(a),
                }
            };
        }
        let r = match k {
            0 => call!(try_equal),
            1 => call!(try_not_equal),
            2 => call!(try_less),
            3 => call!(try_less_equal),
            4 => call!(try_greater),
            5 => call!(try_greater_equal),
            6 => call!(try_logical_and),
            7 => call!(try_logical_or),
            8 => call!(try_logical_xor),
            9 => call!(try_floor_divide),
            10 => call!(try_remainder),
            _ => call!(try_fmod),
        };
        let fits = broadcast(&x.shape, &y.shape).is_some();
        let truth = |v: f64| v != 0.0;
        let f = |a: f64, b: f64| -> f64 {
            (match k {
                0 => a == b,
                1 => a != b,
                2 => a < b,
                3 => a <= b,
                4 => a > b,
                5 => a >= b,
                6 => truth(a) && truth(b),
                7 => truth(a) || truth(b),
                _ => truth(a) != truth(b),
            }) as u8 as f64
        };
        match r {
            Ok(a) => {
                assert!(
                    fits,
                    "compare {k}: {:?} and {:?} do not broadcast",
                    x.shape, y.shape
                );
                if k < 9 {
                    check_elementwise("compare", &Val::of_array(&a), &[&x, &y], true, |v| {
                        f(v[0], v[1])
                    });
                }
                self.keep_array(a);
            }
            Err(Error::ShapeMismatch { .. }) => assert!(
                !fits,
                "compare {k}: {:?} and {:?} broadcast",
                x.shape, y.shape
            ),
            Err(_) => {}
        }
    }

    fn keep_array(&mut self, a: Array) {
        let r = self
            .g
            .try_tensor_with(a, TensorOptions::new().constant(true));
        self.keep(r);
    }

    fn reduce_op(&mut self) {
        let t = self.pick();
        let x = Val::of(t);
        let nd = x.shape.len();
        let axes = self.axes(nd);
        let keepdims = self.b.flag();
        let k = self.b.below(12);
        let ax = axes.as_deref();
        let r = match k {
            0 => t.try_sum_with(ax, keepdims),
            1 => t.try_mean_with(ax, keepdims),
            2 => t.try_max_with(ax, keepdims),
            3 => t.try_min_with(ax, keepdims),
            4 => t.try_prod_with(ax, keepdims),
            5 => t.try_var_with(ax, keepdims, self.b.below(3)),
            6 => t.try_std_with(ax, keepdims, self.b.below(3)),
            7 => t.try_cumsum_with(ax.and_then(|a| a.first().copied())),
            8 => t.try_cumprod_with(ax.and_then(|a| a.first().copied())),
            9 => t
                .try_argmax_with(ax.and_then(|a| a.first().copied()))
                .map(|_| t),
            10 => t
                .try_argmin_with(ax.and_then(|a| a.first().copied()))
                .map(|_| t),
            _ => t.try_any_with(ax, keepdims).map(|_| t),
        };
        if k < 4 {
            let valid = norm_axes(ax, nd);
            match (&r, &valid) {
                (Ok(y), Some(axes)) => {
                    let out = Val::of(*y);
                    let (shape, vals, scales) =
                        naive_reduce(k, &x, axes, keepdims).unwrap_or_else(|| {
                            panic!(
                                "reduction {k} over an empty axis succeeded: {:?} {axes:?}",
                                x.shape
                            )
                        });
                    assert_eq!(out.shape, shape, "reduction {k} shape");
                    if x.moderate() {
                        for ((&got, &want), &scale) in out.v.iter().zip(&vals).zip(&scales) {
                            let s = if k == 1 {
                                scale / (x.v.len().max(1) as f64)
                            } else {
                                scale
                            };
                            let ok = match out.dtype {
                                DType::Float32 | DType::Float64 => close(got, want, out.dtype, s),
                                _ => got == want || (want.is_nan() && got.is_nan()),
                            };
                            assert!(
                                ok,
                                "reduction {k} of {:?} over {axes:?}: got {got}, want {want}",
                                x.shape
                            );
                        }
                    }
                }
                (Ok(_), None) => panic!("reduction {k} accepted axes {ax:?} for {nd}-D"),
                (Err(e), Some(axes)) => assert!(
                    naive_reduce(k, &x, axes, keepdims).is_none()
                        || matches!(e, Error::UnsupportedDType { .. }),
                    "reduction {k} of {:?} {:?} over {axes:?}: {e}",
                    x.dtype,
                    x.shape
                ),
                (Err(_), None) => {}
            }
        }
        if k < 9 {
            self.keep(r);
        }
    }

    fn shape_op(&mut self) {
        let t = self.pick();
        let shape = t.try_shape().expect("live");
        let nd = shape.len();
        let n = nd as isize;
        let b = &mut self.b;
        let r = match b.below(12) {
            0 => {
                let mut to: Vec<isize> = Vec::new();
                let mut rest = size(&shape);
                for _ in 0..b.below(4) {
                    let d = [1, 2, 3, 4][b.below(4)];
                    if rest.is_multiple_of(d) {
                        to.push(d as isize);
                        rest /= d;
                    }
                }
                to.push(rest as isize);
                if b.below(3) == 0 {
                    let k = b.below(to.len());
                    to[k] = b.range(-2, 4);
                }
                t.try_reshape(&to)
            }
            1 => {
                let mut perm: Vec<isize> = (0..n).collect();
                for k in (1..nd).rev() {
                    perm.swap(k, b.below(k + 1));
                }
                if b.below(6) == 0 && nd > 0 {
                    perm[b.below(nd)] = b.range(-n - 1, n);
                }
                if b.flag() {
                    t.try_transpose_axes(&perm)
                } else {
                    t.try_transpose()
                }
            }
            2 => {
                let axes: Vec<isize> = (0..b.below(3)).map(|_| b.range(-n - 1, n)).collect();
                t.try_squeeze_with(if b.flag() { Some(&axes) } else { None })
            }
            3 => t.try_expand_dims(b.range(-n - 2, n + 1)),
            4 => {
                let mut to: Vec<usize> = (0..b.below(3)).map(|_| b.below(4)).collect();
                for &d in &shape {
                    to.push(if d == 1 || b.below(8) == 0 {
                        b.below(4)
                    } else {
                        d
                    });
                }
                t.try_broadcast_to(&to)
            }
            5 => t.try_moveaxis(&[b.range(-n - 1, n)], &[b.range(-n - 1, n)]),
            6 => t.try_swapaxes(b.range(-n - 1, n), b.range(-n - 1, n)),
            7 => t.try_ravel(),
            8 => t.try_atleast_3d(),
            9 => t.try_flatten(),
            10 => t.try_atleast_2d(),
            _ => t.try_atleast_1d(),
        };
        self.keep(r);
    }

    fn join_op(&mut self) {
        let k = self.b.below(4);
        let count = 1 + self.b.below(3);
        let mut ts: Vec<Tensor<'g>> = (0..count).map(|_| self.pick()).collect();
        if self.b.flag() {
            // Often join copies of one shape, so the join is valid.
            let shape = ts[0].try_shape().expect("live");
            for t in ts.iter_mut().skip(1) {
                let dtype = DTYPES[self.b.below(5)];
                *t = self.create_with(&shape, dtype);
            }
        }
        let nd = ts[0].try_shape().expect("live").len() as isize;
        let axis = self.b.range(-nd - 1, nd);
        let (a, lo, hi) = (ts[0], ts[ts.len() - 1], ts[ts.len() / 2]);
        let r = match k {
            0 => causing_diff::concatenate(&ts, (!self.b.flag()).then_some(axis)),
            1 => causing_diff::stack(&ts, axis),
            2 => {
                let r = causing_diff::where_(a, lo, hi);
                if let Ok(y) = r {
                    let ins = [Val::of(a), Val::of(lo), Val::of(hi)];
                    check_elementwise(
                        "where",
                        &Val::of(y),
                        &[&ins[0], &ins[1], &ins[2]],
                        true,
                        |v| {
                            if v[0] != 0.0 {
                                v[1]
                            } else {
                                v[2]
                            }
                        },
                    );
                }
                r
            }
            _ => {
                let (use_lo, use_hi) = (self.b.flag(), self.b.flag());
                let r = causing_diff::clip(a, use_lo.then_some(lo), use_hi.then_some(hi));
                if let Ok(y) = r {
                    // NumPy's clip is minimum(maximum(a, lo), hi), NaN-propagating.
                    let mut ins = vec![Val::of(a)];
                    ins.extend(use_lo.then(|| Val::of(lo)));
                    ins.extend(use_hi.then(|| Val::of(hi)));
                    let refs: Vec<&Val> = ins.iter().collect();
                    check_elementwise("clip", &Val::of(y), &refs, true, |v| {
                        let mut x = v[0];
                        if use_lo {
                            x = naive_binary(8, x, v[1]);
                        }
                        if use_hi {
                            x = naive_binary(9, x, v[v.len() - 1]);
                        }
                        x
                    });
                }
                r
            }
        };
        self.keep(r);
    }

    fn copy_op(&mut self) {
        let t = self.pick();
        let nd = t.try_shape().expect("live").len() as isize;
        let b = &mut self.b;
        let r = match b.below(7) {
            0 => {
                let reps: Vec<usize> = (0..b.below(3)).map(|_| b.below(4)).collect();
                t.try_repeat(&reps, b.flag().then(|| b.range(-nd - 1, nd)))
            }
            1 => {
                let reps: Vec<usize> = (0..b.below(4)).map(|_| b.below(3)).collect();
                t.try_tile(&reps)
            }
            2 => {
                let axes: Vec<isize> = (0..b.below(3)).map(|_| b.range(-nd - 1, nd)).collect();
                t.try_flip_with(b.flag().then_some(&axes[..]))
            }
            3 => t.try_roll(b.range(-5, 5)),
            4 => {
                let k = b.below(3);
                let shifts: Vec<isize> = (0..k).map(|_| b.range(-5, 5)).collect();
                let axes: Vec<isize> = (0..k + b.below(2)).map(|_| b.range(-nd - 1, nd)).collect();
                t.try_roll_axes(&shifts, &axes)
            }
            5 => t.try_astype(DTYPES[b.below(5)]),
            _ => t.try_copy(),
        };
        self.keep(r);
    }

    fn linalg_op(&mut self) {
        let a = self.pick();
        let shape = a.try_shape().expect("live");
        match self.b.below(3) {
            0 => {
                let other = if self.b.flag() {
                    self.pick()
                } else {
                    // A compatible right operand: (..., n) @ (n, m) or (n,).
                    let mut s = vec![shape.last().copied().unwrap_or(1)];
                    if self.b.flag() {
                        s.push(self.b.below(4));
                    }
                    if self.b.flag() {
                        s.insert(0, self.b.below(3));
                    }
                    let dtype = DTYPES[self.b.below(2)];
                    self.create_with(&s, dtype)
                };
                let r = if self.b.flag() {
                    a.try_matmul(other)
                } else {
                    causing_diff::matmul(other, a)
                };
                self.keep(r);
            }
            1 => {
                let ops: Vec<Tensor<'g>> = (0..1 + self.b.below(2))
                    .map(|i| if i == 0 { a } else { self.pick() })
                    .collect();
                let mut subs = String::new();
                let mut used = String::new();
                for (i, t) in ops.iter().enumerate() {
                    if i > 0 {
                        subs.push(',');
                    }
                    let nd = t.try_shape().expect("live").len();
                    let mut k = 0;
                    while k < nd + self.b.below(8).saturating_sub(6) {
                        if self.b.below(8) == 0 {
                            subs.push_str("...");
                            k += 1;
                            continue;
                        }
                        let c = (b'a' + self.b.below(4) as u8) as char;
                        subs.push(c);
                        used.push(c);
                        k += 1;
                    }
                }
                if self.b.flag() {
                    subs.push_str("->");
                    for c in used.chars() {
                        if self.b.flag() && !subs.split("->").nth(1).unwrap_or("").contains(c) {
                            subs.push(c);
                        }
                    }
                }
                let r = causing_diff::einsum(&subs, &ops);
                self.keep(r);
            }
            _ => {
                let ord = [
                    None,
                    Some(1.0),
                    Some(2.0),
                    Some(f64::INFINITY),
                    Some(f64::NEG_INFINITY),
                    Some(0.5),
                    Some(0.0),
                    Some(-1.0),
                    Some(3.0),
                ][self.b.below(9)];
                let n = shape.len() as isize;
                let axis = self.b.flag().then(|| self.b.range(-n - 1, n));
                let r = causing_diff::norm(a, ord, axis, self.b.flag(), self.b.flag());
                self.keep(r);
            }
        }
    }

    /// Backward on the sum of the newest float result, then the gradient invariants.
    fn backward_last(&mut self) {
        let Some(&last) = self.pool.iter().rev().find(|t| {
            t.try_dtype()
                .is_ok_and(|d| matches!(d, DType::Float32 | DType::Float64))
        }) else {
            return;
        };
        let Ok(total) = last.try_sum_with(None, false) else {
            return;
        };
        self.pool.push(total);
        match total.try_backward() {
            Ok(()) => {}
            // MyGrad's InvalidBackprop: the sum reaches a graph an earlier backward cleared.
            Err(Error::InvalidBackprop { .. }) if self.swept => {}
            Err(e) => panic!("backward of a fresh sum failed: {e}"),
        }
        self.swept = true;
        for &t in &self.pool {
            let grad = t.try_grad().expect("live");
            let constant = t.try_is_constant().expect("live");
            if let Some(g) = grad {
                assert!(!constant, "a constant got a gradient");
                assert_eq!(
                    g.shape(),
                    &t.try_shape().expect("live")[..],
                    "gradient shape"
                );
                assert_eq!(g.dtype(), t.try_dtype().expect("live"), "gradient dtype");
            }
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let g = Graph::new();
    let mut p = Prog {
        g: &g,
        b: Bytes(input),
        pool: Vec::new(),
        swept: false,
    };
    let mut steps = 0;
    while !p.b.0.is_empty() && steps < 32 {
        steps += 1;
        p.step();
    }
    p.backward_last();
});
