//! Numerical-gradient property tests of every differentiable op, driven by one table.
//!
//! Each proptest case draws shapes (0–3 dims, sizes 1–4), op parameters and
//! values in `[0, 1)`; every row of the case's [`Kind`] then maps the values
//! into its own [`Domain`], builds `loss = (f(inputs) * w).sum()` with a fixed
//! random weight `w`, and compares each input's analytic gradient with
//! `(loss(x + h) - loss(x - h)) / 2h` evaluated on fresh graph nodes.
//! The fixed tests at the end pin MyGrad's conventions at the
//! non-differentiable points (SPEC §3, conformance FORMAT §8.1/§8.2).

use causing_diff as cd;
use causing_diff::{concatenate, stack, Array, DType, Error, Graph, Index, IndexItem, Tensor, PI};
use proptest::prelude::*;

/// How a row's inputs (and op parameters) are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// One tensor of a random shape.
    Unary,
    /// Two tensors of broadcast-compatible shapes.
    Binary,
    /// Three tensors of broadcast-compatible shapes.
    Ternary,
    /// One tensor, with random axes (none / one / several, maybe negative) and keepdims.
    Reduce,
    /// As `Reduce`, but every axis has 2–4 elements and the axes are never an
    /// empty set, so each reduced group holds at least two (distinct) values:
    /// what `var` with `ddof = 1` and `std` need to be differentiable.
    Spread,
    /// Two tensors of matmul-compatible shapes: 1-D, 2-D, batched, broadcast batch.
    MatMul,
    /// One tensor, with random layout parameters: a reshape target (maybe
    /// with a -1), a permutation, axes to squeeze, insert, move, swap, roll
    /// and flip, a broadcast target, repeat counts and tile repetitions.
    Shape,
    /// 2–4 tensors of at least one axis whose shapes agree except along one
    /// (random) axis, which may have length 0.
    Concat,
    /// 2–4 tensors of one shape.
    Stack,
    /// One tensor, with a random valid index expression: integers, slices
    /// (negative steps, clamped bounds), new axes, an ellipsis, integer
    /// arrays with repeated entries, masks (also 0-d), in any mix.
    Index,
    /// A tensor and a value broadcastable to `x[index]`, with a random index.
    SetIndex,
    /// Two tensors of broadcast-compatible shapes and a random bool condition
    /// that broadcasts with both.
    Where,
    /// Operands of a random valid einsum: traces, diagonals, shared and
    /// broadcast (length-1) labels, `...` of different widths, 1–3 operands.
    Einsum,
    /// 2–4 tensors of a matrix chain; the first and last maybe 1-D.
    Chain,
    /// One tensor, with a random `ord` and axis for a vector norm.
    Norm,
}

/// Where an input's values live; a unit draw `u ∈ [0, 1)` is mapped into it.
#[derive(Clone, Copy, Debug)]
enum Domain {
    /// `[-3, 3)`.
    Any,
    /// `[0.1, 3)`: away from the edge of `log`, `sqrt` and fractional powers.
    Positive,
    /// `±[0.2, 3)`: divisors, and `abs` away from its kink.
    AwayFromZero,
    /// `[-1.2, 1.2)`: `|cos x| ≥ 0.36`, so `tan` stays tame.
    Tan,
    /// `[-2, 2)`: exponents of `pow`, so `0.1 ** e` stays moderate.
    Exponent,
    /// `±[0.5, 1.5)`: factors of products, so that long products stay moderate.
    Factor,
    /// `[-0.9, 0.9)`: inside the domain of `arcsin`, `arccos`, `arctanh`.
    Unit,
    /// `±[1.1, 3)`: outside `[-1, 1]`, for `arccsc`, `arcsec`, `arccoth`.
    OutsideUnit,
    /// `[1.1, 3)`: the domain of `arccosh`.
    AboveOne,
}

impl Domain {
    fn map(self, u: f64) -> f64 {
        match self {
            Domain::Any => -3.0 + 6.0 * u,
            Domain::Positive => 0.1 + 2.9 * u,
            Domain::AwayFromZero => {
                let v = 2.0 * u - 1.0;
                v.signum() * (0.2 + 2.8 * v.abs())
            }
            Domain::Tan => -1.2 + 2.4 * u,
            Domain::Exponent => -2.0 + 4.0 * u,
            Domain::Factor => {
                let v = 2.0 * u - 1.0;
                v.signum() * (0.5 + v.abs())
            }
            Domain::Unit => -0.9 + 1.8 * u,
            Domain::OutsideUnit => {
                let v = 2.0 * u - 1.0;
                v.signum() * (1.1 + 1.9 * v.abs())
            }
            Domain::AboveOne => 1.1 + 1.9 * u,
        }
    }
}

/// The op parameters of a case, drawn from its seed.
#[derive(Clone, Debug)]
struct Args {
    axes: Option<Vec<isize>>,
    keepdims: bool,
    target: Vec<isize>,
    perm: Vec<isize>,
    /// Some of the size-1 axes (for `squeeze`).
    ones: Vec<isize>,
    /// An axis of a result with one more dimension (`expand_dims`, `stack`).
    new_axis: isize,
    /// A shape the input broadcasts to.
    bcast: Vec<usize>,
    // The parameters below refer to the input seen with at least one axis.
    source: Vec<isize>,
    destination: Vec<isize>,
    swap: (isize, isize),
    shift: isize,
    shifts: Vec<isize>,
    roll_axes: Vec<isize>,
    repeats: Vec<usize>,
    repeat_axis: Option<isize>,
    reps: Vec<usize>,
    /// The concatenation axis of a [`Kind::Concat`] case.
    join_axis: isize,
    index: Vec<IndexItem<'static>>,
    cond: Array,
    subscripts: String,
    ord: Option<f64>,
    axis: Option<isize>,
}

impl Args {
    /// The drawn index expression.
    fn index<'g>(&self) -> Index<'g> {
        Index::from_items(self.index.clone())
    }
}

type OpFn = for<'g> fn(&[Tensor<'g>], &Args) -> Tensor<'g>;

/// One row of the gradient-check table.
struct Row {
    name: &'static str,
    kind: Kind,
    /// One domain per input (the last one repeats).
    domains: &'static [Domain],
    f: OpFn,
}

const fn row(name: &'static str, kind: Kind, domains: &'static [Domain], f: OpFn) -> Row {
    Row {
        name,
        kind,
        domains,
        f,
    }
}

use Domain::{AboveOne, Any, AwayFromZero, Exponent, Factor, OutsideUnit, Positive, Tan, Unit};
use Kind::{
    Binary, Chain, Concat, Einsum, Index as Idx, MatMul, Norm, Reduce, SetIndex, Shape, Spread,
    Stack, Ternary, Unary, Where,
};

#[rustfmt::skip]
const TABLE: &[Row] = &[
    row("try_neg", Unary, &[Any], |t, _| t[0].try_neg().unwrap()),
    row("-x (operator)", Unary, &[Any], |t, _| -t[0]),
    row("positive", Unary, &[Any], |t, _| t[0].positive()),
    row("square", Unary, &[Any], |t, _| t[0].square()),
    row("abs", Unary, &[AwayFromZero], |t, _| t[0].abs()),
    row("sqrt", Unary, &[Positive], |t, _| t[0].sqrt()),
    row("exp", Unary, &[Any], |t, _| t[0].exp()),
    row("log", Unary, &[Positive], |t, _| t[0].log()),
    row("sin", Unary, &[Any], |t, _| t[0].sin()),
    row("cos", Unary, &[Any], |t, _| t[0].cos()),
    row("tan", Unary, &[Tan], |t, _| t[0].tan()),
    row("reciprocal", Unary, &[AwayFromZero], |t, _| t[0].reciprocal()),
    row("cot", Unary, &[AwayFromZero], |t, _| t[0].cot()),
    row("csc", Unary, &[AwayFromZero], |t, _| t[0].csc()),
    row("sec", Unary, &[Tan], |t, _| t[0].sec()),
    row("arcsin", Unary, &[Unit], |t, _| t[0].arcsin()),
    row("arccos", Unary, &[Unit], |t, _| t[0].arccos()),
    row("arctan", Unary, &[Any], |t, _| t[0].arctan()),
    row("arccot", Unary, &[AwayFromZero], |t, _| t[0].arccot()),
    row("arccsc", Unary, &[OutsideUnit], |t, _| t[0].arccsc()),
    row("arcsec", Unary, &[OutsideUnit], |t, _| t[0].arcsec()),
    row("sinc", Unary, &[Any], |t, _| t[0].sinc()),
    row("sinh", Unary, &[Any], |t, _| t[0].sinh()),
    row("cosh", Unary, &[Any], |t, _| t[0].cosh()),
    row("tanh", Unary, &[Any], |t, _| t[0].tanh()),
    row("coth", Unary, &[AwayFromZero], |t, _| t[0].coth()),
    row("csch", Unary, &[AwayFromZero], |t, _| t[0].csch()),
    row("sech", Unary, &[Any], |t, _| t[0].sech()),
    row("arcsinh", Unary, &[Any], |t, _| t[0].arcsinh()),
    row("arccosh", Unary, &[AboveOne], |t, _| t[0].arccosh()),
    row("arctanh", Unary, &[Unit], |t, _| t[0].arctanh()),
    row("arccoth", Unary, &[OutsideUnit], |t, _| t[0].arccoth()),
    row("arccsch", Unary, &[AwayFromZero], |t, _| t[0].arccsch()),
    row("exp2", Unary, &[Any], |t, _| t[0].exp2()),
    row("expm1", Unary, &[Any], |t, _| t[0].expm1()),
    row("log2", Unary, &[Positive], |t, _| t[0].log2()),
    row("log10", Unary, &[Positive], |t, _| t[0].log10()),
    row("log1p", Unary, &[Positive], |t, _| t[0].log1p()),
    row("cbrt", Unary, &[AwayFromZero], |t, _| t[0].cbrt()),
    row("pow(x, 2.0)", Unary, &[Any], |t, _| t[0].pow(2.0)),
    row("pow(x, 3.0)", Unary, &[Any], |t, _| t[0].pow(3.0)),
    row("pow(x, 1.0)", Unary, &[Any], |t, _| t[0].pow(1.0)),
    row("pow(x, 0.5)", Unary, &[Positive], |t, _| t[0].pow(0.5)),
    row("pow(x, -1.5)", Unary, &[Positive], |t, _| t[0].pow(-1.5)),
    row("x + 1.5", Unary, &[Any], |t, _| t[0] + 1.5),
    row("1.5 + x", Unary, &[Any], |t, _| 1.5 + t[0]),
    row("x - 2.0", Unary, &[Any], |t, _| t[0] - 2.0),
    row("2.0 - x", Unary, &[Any], |t, _| 2.0 - t[0]),
    row("x * 2.5", Unary, &[Any], |t, _| t[0] * 2.5),
    row("2.5 * x", Unary, &[Any], |t, _| 2.5 * t[0]),
    row("x / 3.0", Unary, &[Any], |t, _| t[0] / 3.0),
    row("3.0 / x", Unary, &[AwayFromZero], |t, _| 3.0 / t[0]),
    row("x * x (one tensor twice)", Unary, &[Any], |t, _| t[0] * t[0]),
    row("x ** x (one tensor twice)", Unary, &[Positive], |t, _| t[0].pow(t[0])),
    row("add", Binary, &[Any], |t, _| t[0] + t[1]),
    row("sub", Binary, &[Any], |t, _| t[0] - t[1]),
    row("mul", Binary, &[Any], |t, _| t[0] * t[1]),
    row("div", Binary, &[Any, AwayFromZero], |t, _| t[0] / t[1]),
    row("pow", Binary, &[Positive, Exponent], |t, _| t[0].pow(t[1])),
    row("arctan2", Binary, &[AwayFromZero, Any], |t, _| t[0].arctan2(t[1])),
    row("arctan2 (free, scalar first)", Unary, &[Any], |t, _| cd::arctan2(0.7, t[0]).unwrap()),
    row("logaddexp", Binary, &[Any], |t, _| t[0].logaddexp(t[1])),
    row("logaddexp2", Binary, &[Any], |t, _| t[0].logaddexp2(t[1])),
    row("maximum", Binary, &[Any], |t, _| t[0].maximum(t[1])),
    row("minimum", Binary, &[Any], |t, _| t[0].minimum(t[1])),
    row("maximum (free, scalar first)", Unary, &[Any], |t, _| cd::maximum(0.5, t[0]).unwrap()),
    row("clip(x, -1, 1)", Unary, &[Any], |t, _| t[0].clip(-1.0, 1.0)),
    row("clip(x, lo, None)", Binary, &[Any], |t, _| cd::clip(t[0], Some(t[1]), None::<f64>).unwrap()),
    row("clip(x, lo, hi)", Ternary, &[Any], |t, _| t[0].clip(t[1], t[2])),
    row("add_sequence (2)", Binary, &[Any], |t, _| cd::add_sequence([t[0], t[1]]).unwrap()),
    row("add_sequence (3)", Ternary, &[Any], |t, _| cd::add_sequence([t[0], t[1], t[2]]).unwrap()),
    row("add_sequence (x twice)", Binary, &[Any], |t, _| cd::add_sequence([t[0], t[1], t[0]]).unwrap()),
    row("multiply_sequence (2)", Binary, &[Any], |t, _| cd::multiply_sequence([t[0], t[1]]).unwrap()),
    row("multiply_sequence (3)", Ternary, &[Any], |t, _| cd::multiply_sequence([t[0], t[1], t[2]]).unwrap()),
    row("multiply_sequence (x twice)", Binary, &[Any], |t, _| cd::multiply_sequence([t[0], t[1], t[0]]).unwrap()),
    row("sum", Reduce, &[Any], |t, a| t[0].sum_with(a.axes.as_deref(), a.keepdims)),
    row("mean", Reduce, &[Any], |t, a| t[0].mean_with(a.axes.as_deref(), a.keepdims)),
    row("var", Reduce, &[Any], |t, a| t[0].var_with(a.axes.as_deref(), a.keepdims, 0)),
    row("var (ddof 1)", Spread, &[Any], |t, a| t[0].var_with(a.axes.as_deref(), a.keepdims, 1)),
    row("std", Spread, &[Any], |t, a| t[0].std_with(a.axes.as_deref(), a.keepdims, 0)),
    row("std (ddof 1)", Spread, &[Any], |t, a| t[0].std_with(a.axes.as_deref(), a.keepdims, 1)),
    row("max", Reduce, &[Any], |t, a| t[0].max_with(a.axes.as_deref(), a.keepdims)),
    row("min", Reduce, &[Any], |t, a| t[0].min_with(a.axes.as_deref(), a.keepdims)),
    row("prod", Reduce, &[Factor], |t, a| t[0].prod_with(a.axes.as_deref(), a.keepdims)),
    // The cumulative ops take the first drawn axis, or the flattened tensor.
    row("cumsum", Reduce, &[Any], |t, a| t[0].cumsum_with(a.axes.as_ref().and_then(|x| x.first().copied()))),
    row("cumprod", Reduce, &[Factor], |t, a| t[0].cumprod_with(a.axes.as_ref().and_then(|x| x.first().copied()))),
    row("matmul", MatMul, &[Any], |t, _| t[0].matmul(t[1])),
    row("einsum", Einsum, &[Any], |t, a| causing_diff::einsum(&a.subscripts, t).unwrap()),
    row("einsum (first operand twice)", Einsum, &[Any], |t, a| {
        let mut ops = t.to_vec();
        ops.push(t[0]);
        let (lhs, rhs) = a.subscripts.split_once("->").unwrap_or((&a.subscripts, ""));
        let first = lhs.split(',').next().unwrap_or("");
        let sub = format!("{lhs},{first}->{rhs}");
        let implicit = !a.subscripts.contains("->");
        let sub = if implicit { format!("{lhs},{first}") } else { sub };
        causing_diff::einsum(&sub, &ops).unwrap()
    }),
    row("multi_matmul", Chain, &[Any], |t, _| causing_diff::multi_matmul(t).unwrap()),
    row("norm", Norm, &[AwayFromZero], |t, a| t[0].norm_with(a.ord, a.axis, a.keepdims, true)),
    row("norm (nan_to_num=false)", Norm, &[AwayFromZero], |t, a| {
        causing_diff::norm(t[0], a.ord, a.axis, a.keepdims, false).unwrap()
    }),
    row("reshape", Shape, &[Any], |t, a| t[0].reshape(&a.target)),
    row("transpose (reversed)", Shape, &[Any], |t, _| t[0].transpose()),
    row("transpose_axes", Shape, &[Any], |t, a| t[0].transpose_axes(&a.perm)),
    row("ravel", Shape, &[Any], |t, _| t[0].ravel()),
    row("flatten", Shape, &[Any], |t, _| t[0].flatten()),
    row("squeeze (all)", Shape, &[Any], |t, _| t[0].squeeze()),
    row("squeeze_axes", Shape, &[Any], |t, a| t[0].squeeze_axes(&a.ones)),
    row("expand_dims", Shape, &[Any], |t, a| t[0].expand_dims(a.new_axis)),
    row("broadcast_to", Shape, &[Any], |t, a| t[0].broadcast_to(&a.bcast)),
    row("atleast_1d", Shape, &[Any], |t, _| t[0].atleast_1d()),
    row("atleast_2d", Shape, &[Any], |t, _| t[0].atleast_2d()),
    row("atleast_3d", Shape, &[Any], |t, _| t[0].atleast_3d()),
    row("moveaxis", Shape, &[Any], |t, a| t[0].atleast_1d().moveaxis(&a.source, &a.destination)),
    row("swapaxes", Shape, &[Any], |t, a| t[0].atleast_1d().swapaxes(a.swap.0, a.swap.1)),
    row("roll (flattened)", Shape, &[Any], |t, a| t[0].roll(a.shift)),
    row("roll_axes", Shape, &[Any], |t, a| t[0].atleast_1d().roll_axes(&a.shifts, &a.roll_axes)),
    row("flip", Shape, &[Any], |t, _| t[0].flip()),
    row("flip_axes", Shape, &[Any], |t, a| t[0].try_flip_with(a.axes.as_deref()).unwrap()),
    row("repeat", Shape, &[Any], |t, a| t[0].repeat(&a.repeats, a.repeat_axis)),
    row("tile", Shape, &[Any], |t, a| t[0].tile(&a.reps)),
    row("concatenate", Concat, &[Any], |t, a| concatenate(t, Some(a.join_axis)).unwrap()),
    row("concatenate (flattened)", Concat, &[Any], |t, _| concatenate(t, None).unwrap()),
    row("stack", Stack, &[Any], |t, a| stack(t, a.new_axis).unwrap()),
    row("x += y (AddAssign)", Binary, &[Any], |t, _| { let mut x = t[0]; x += t[1]; x }),
    row("x -= y (SubAssign)", Binary, &[Any], |t, _| { let mut x = t[0]; x -= t[1]; x }),
    row("x *= y (MulAssign)", Binary, &[Any], |t, _| { let mut x = t[0]; x *= t[1]; x }),
    row("x /= y (DivAssign)", Binary, &[Any, AwayFromZero], |t, _| { let mut x = t[0]; x /= t[1]; x }),
    row("x[index]", Idx, &[Any], |t, a| t[0].index(a.index())),
    row("x[index] twice (accumulating)", Idx, &[Any], |t, a| t[0].index(a.index()) * t[0].index(a.index())),
    row("set_index", SetIndex, &[Any], |t, a| t[0].set_index(a.index(), t[1])),
    row("set_index, then use x[index]", SetIndex, &[Any], |t, a| {
        t[0].set_index(a.index(), t[1]) * t[0].index(a.index()).sum()
    }),
    row("set_index_mut", SetIndex, &[Any], |t, a| { let mut x = t[0] * 1.0; x.set_index_mut(a.index(), t[1]); x }),
    row("where_ (method)", Where, &[Any], |t, a| t[0].where_(&a.cond, t[1])),
    row("where_ (free function)", Where, &[Any], |t, a| causing_diff::where_(&a.cond, t[0], t[1]).unwrap()),
];

/// A small deterministic generator (splitmix64) for the parameters a case
/// derives from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }

    /// A random axis of `ndim`, written negatively half the time.
    fn any_axis(&mut self, ndim: usize) -> isize {
        let axis = self.below(ndim);
        self.signed_axis(axis, ndim)
    }

    /// An axis index, written negatively half the time.
    fn signed_axis(&mut self, axis: usize, ndim: usize) -> isize {
        if self.coin() {
            axis as isize - ndim as isize
        } else {
            axis as isize
        }
    }
}

/// A shape that broadcasts against `shape`: some leading axes dropped, some
/// of the rest set to 1.
fn partner(shape: &[usize], rng: &mut Rng) -> Vec<usize> {
    let drop = rng.below(shape.len() + 1);
    shape[drop..]
        .iter()
        .map(|&d| if rng.below(3) == 0 { 1 } else { d })
        .collect()
}

/// The input shapes of a case of `kind`, grown from a random base shape.
fn input_shapes(kind: Kind, base: &[usize], seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng(seed ^ 0x5EED);
    match kind {
        Unary | Reduce | Shape | Idx | Norm => vec![base.to_vec()],
        Einsum => einsum_case(seed).1,
        Chain => {
            let n = 2 + rng.below(3);
            let p: Vec<usize> = (0..=n).map(|_| 1 + rng.below(4)).collect();
            (0..n)
                .map(|i| match i {
                    0 if rng.below(4) == 0 => vec![p[1]],
                    _ if i == n - 1 && rng.below(4) == 0 => vec![p[i]],
                    _ => vec![p[i], p[i + 1]],
                })
                .collect()
        }
        Concat => {
            let base = if base.is_empty() { &[3][..] } else { base };
            let axis = join_axis(base.len(), seed);
            (0..2 + rng.below(3))
                .map(|_| {
                    let mut s = base.to_vec();
                    s[axis] = rng.below(4);
                    s
                })
                .collect()
        }
        Stack => vec![base.to_vec(); 2 + rng.below(3)],
        Spread => {
            let mut shape: Vec<usize> = base.iter().map(|&d| d.max(2)).collect();
            if shape.is_empty() {
                shape.push(2 + rng.below(3));
            }
            vec![shape]
        }
        SetIndex => {
            let g = Graph::new();
            let index = Index::from_items(draw_index(base, seed));
            let target = g.zeros(base).index(index).shape();
            let mut value = partner(&target, &mut rng);
            if rng.below(6) == 0 {
                value.insert(0, 1); // extra leading 1s are allowed
            }
            vec![base.to_vec(), value]
        }
        Binary | Where => {
            let mut pair = vec![base.to_vec(), partner(base, &mut rng)];
            if rng.coin() {
                pair.swap(0, 1);
            }
            pair
        }
        Ternary => {
            let mut three = vec![
                base.to_vec(),
                partner(base, &mut rng),
                partner(base, &mut rng),
            ];
            rng.shuffle(&mut three);
            three
        }
        MatMul => {
            let [n, k, m] = [0; 3].map(|_| 1 + rng.below(4));
            let batch_a: Vec<usize> = base.iter().copied().take(2).collect();
            let batch_b = partner(&batch_a, &mut rng);
            let (batch_a, batch_b) = if rng.coin() {
                (batch_b, batch_a)
            } else {
                (batch_a, batch_b)
            };
            let lhs = if rng.below(4) == 0 {
                vec![k]
            } else {
                [&batch_a[..], &[n, k]].concat()
            };
            let rhs = if rng.below(4) == 0 {
                vec![k]
            } else {
                [&batch_b[..], &[k, m]].concat()
            };
            vec![lhs, rhs]
        }
    }
}

/// The concatenation axis (unsigned) of a [`Kind::Concat`] case.
fn join_axis(ndim: usize, seed: u64) -> usize {
    Rng(seed ^ 0x10A1).below(ndim)
}

/// A random valid einsum: its subscripts and operand shapes, from `seed`.
///
/// Labels `a`–`e` get lengths 1–4; an operand repeats a label (a diagonal or
/// trace) a quarter of the time and stretches a label from length 1 a sixth
/// of the time; a quarter of the specs put `...` (of a different width in
/// each operand, some axes 1) in front of every term. The output is implicit
/// a third of the time, else a random ordering of a random subset of the
/// labels used.
fn einsum_case(seed: u64) -> (String, Vec<Vec<usize>>) {
    let mut rng = Rng(seed ^ 0xE125);
    let letters = ['a', 'b', 'c', 'd', 'e'];
    let lens: Vec<usize> = letters.iter().map(|_| 1 + rng.below(4)).collect();
    let ellipsis = rng.below(4) == 0;
    let wide: Vec<usize> = (0..rng.below(3)).map(|_| 1 + rng.below(3)).collect();
    let mut terms = Vec::new();
    let mut shapes = Vec::new();
    let mut used: Vec<char> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let (mut term, mut shape) = (String::new(), Vec::new());
        if ellipsis {
            term.push_str("...");
            let w = rng.below(wide.len() + 1);
            for &d in &wide[wide.len() - w..] {
                shape.push(if rng.below(3) == 0 { 1 } else { d });
            }
        }
        let mut mine: Vec<usize> = Vec::new();
        for _ in 0..rng.below(4) {
            let l = if !mine.is_empty() && rng.below(4) == 0 {
                mine[rng.below(mine.len())]
            } else {
                rng.below(letters.len())
            };
            mine.push(l);
        }
        for &l in &mine {
            let repeated = mine.iter().filter(|&&m| m == l).count() > 1;
            let len = if !repeated && rng.below(6) == 0 {
                1
            } else {
                lens[l]
            };
            term.push(letters[l]);
            shape.push(len);
            if !used.contains(&letters[l]) {
                used.push(letters[l]);
            }
        }
        terms.push(term);
        shapes.push(shape);
    }
    let lhs = terms.join(",");
    if rng.below(3) == 0 {
        return (lhs, shapes);
    }
    rng.shuffle(&mut used);
    let mut out: Vec<String> = used[..rng.below(used.len() + 1)]
        .iter()
        .map(char::to_string)
        .collect();
    if ellipsis {
        out.insert(rng.below(out.len() + 1), "...".into());
    }
    (format!("{lhs}->{}", out.concat()), shapes)
}

impl Args {
    /// The parameters for an input of shape `shape`.
    fn draw(shape: &[usize], seed: u64) -> Args {
        let mut rng = Rng(seed ^ 0xA7C5);
        let ndim = shape.len();
        let mut all: Vec<usize> = (0..ndim).collect();
        rng.shuffle(&mut all);
        let axes = match rng.below(4) {
            0 => None,
            1 if ndim > 0 => Some(all[..1].to_vec()),
            2 => Some(all[..rng.below(ndim + 1)].to_vec()),
            _ => Some(all.clone()),
        };
        let axes = axes.map(|a| a.into_iter().map(|x| rng.signed_axis(x, ndim)).collect());
        // A reshape target: the prime factors of the size spread over 0–3 axes.
        let size: usize = shape.iter().product();
        let n_axes = if size == 1 {
            rng.below(4)
        } else {
            1 + rng.below(3)
        };
        let mut target = vec![1isize; n_axes];
        // (Only `Shape` cases reshape; a size-0 `Concat` input gets a dummy.)
        let mut rest = size.max(1);
        for p in [2, 3] {
            while rest.is_multiple_of(p) {
                rest /= p;
                target[rng.below(n_axes)] *= p as isize;
            }
        }
        assert_eq!(rest, 1, "sizes are products of 1..=4");
        if n_axes > 0 && rng.coin() {
            target[rng.below(n_axes)] = -1;
        }
        rng.shuffle(&mut all);
        let perm = all.iter().map(|&x| rng.signed_axis(x, ndim)).collect();
        let ones: Vec<usize> = (0..ndim).filter(|&a| shape[a] == 1 && rng.coin()).collect();
        let ones = ones.into_iter().map(|a| rng.signed_axis(a, ndim)).collect();
        let new_axis = rng.any_axis(ndim + 1);
        let mut bcast: Vec<usize> = (0..rng.below(3)).map(|_| 1 + rng.below(3)).collect();
        bcast.extend(
            shape
                .iter()
                .map(|&d| if d == 1 { 1 + rng.below(3) } else { d }),
        );
        // For the ops that need an axis: the shape seen by `atleast_1d`.
        let shape1 = if ndim == 0 { vec![1] } else { shape.to_vec() };
        let nd1 = shape1.len();
        let mut order: Vec<usize> = (0..nd1).collect();
        rng.shuffle(&mut order);
        let moved = rng.below(nd1 + 1);
        let source = order[..moved]
            .iter()
            .map(|&a| rng.signed_axis(a, nd1))
            .collect();
        rng.shuffle(&mut order);
        let destination = order[..moved]
            .iter()
            .map(|&a| rng.signed_axis(a, nd1))
            .collect();
        let swap = (rng.any_axis(nd1), rng.any_axis(nd1));
        let shift_flat = rng.below(15) as isize - 7;
        let (n_shifts, n_axes) = match rng.below(3) {
            0 => (1, 1 + rng.below(3)),
            1 => (1 + rng.below(3), 1),
            _ => {
                let n = 1 + rng.below(3);
                (n, n)
            }
        };
        let shifts = (0..n_shifts).map(|_| rng.below(15) as isize - 7).collect();
        let roll_axes = (0..n_axes).map(|_| rng.any_axis(nd1)).collect();
        let repeat_axis = rng.coin().then(|| rng.any_axis(nd1));
        let len = match repeat_axis {
            None => shape.iter().product(),
            Some(a) => shape1[a.rem_euclid(nd1 as isize) as usize],
        };
        let n_counts = if rng.coin() { 1 } else { len };
        let repeats = (0..n_counts).map(|_| rng.below(4)).collect();
        let reps = (0..rng.below(5))
            .map(|_| {
                if rng.below(8) == 0 {
                    0
                } else {
                    1 + rng.below(3)
                }
            })
            .collect();
        let join_axis = rng.signed_axis(join_axis(nd1, seed), nd1);
        let cond_shape = partner(shape, &mut rng);
        let cond: Vec<bool> = (0..cond_shape.iter().product())
            .map(|_| rng.coin())
            .collect();
        // A vector norm: any `ord`; no axis only where MyGrad allows it.
        let ords = [
            None,
            Some(1.0),
            Some(2.0),
            Some(3.0),
            Some(1.5),
            Some(0.5),
            Some(-1.0),
            Some(-2.5),
        ];
        let mut ord = match rng.below(ords.len() + 2) {
            i if i < ords.len() => ords[i],
            i if i == ords.len() => Some(f64::INFINITY),
            _ => Some(f64::NEG_INFINITY),
        };
        if ndim == 0 && ord.is_some_and(f64::is_finite) {
            ord = None; // a 0-d tensor has no axis to take a finite-ord norm along
        }
        let flat_ok =
            ndim == 1 || ord.is_none() || (ndim != 2 && ord.is_some_and(f64::is_infinite));
        let axis = if ndim > 0 && (!flat_ok || rng.coin()) {
            let a = rng.below(ndim);
            Some(rng.signed_axis(a, ndim))
        } else {
            None
        };
        Args {
            axes,
            keepdims: rng.coin(),
            target,
            perm,
            ones,
            new_axis,
            bcast,
            source,
            destination,
            swap,
            shift: shift_flat,
            shifts,
            roll_axes,
            repeats,
            repeat_axis,
            reps,
            join_axis,
            index: draw_index(shape, seed),
            cond: Array::from_shape_vec(&cond_shape, cond).expect("shape and data agree"),
            subscripts: einsum_case(seed).0,
            ord,
            axis,
        }
    }
}

/// A random index expression valid for `shape`, drawn from `seed`: every
/// item kind of NumPy's grammar, with repeated entries in integer arrays.
/// Draws whose index arrays do not broadcast together are drawn again.
fn draw_index(shape: &[usize], seed: u64) -> Vec<IndexItem<'static>> {
    let g = Graph::new();
    let x = g.zeros(shape);
    (0..64u64)
        .map(|k| draw_index_once(shape, seed.wrapping_add(k.wrapping_mul(0x9E37))))
        .find(|items| x.try_index(Index::from_items(items.clone())).is_ok())
        .unwrap_or_default()
}

fn draw_index_once(shape: &[usize], seed: u64) -> Vec<IndexItem<'static>> {
    let mut rng = Rng(seed ^ 0x1DE7);
    let ndim = shape.len();
    let mut items = Vec::new();
    // Axes the items still have to cover; an ellipsis takes some of them.
    let mut pos = 0;
    let mut end = ndim;
    let mut ellipsis = false;
    // An axis of length 0 has no valid integer; 0 makes `draw_index` redraw.
    let signed = |rng: &mut Rng, n: usize| {
        if n == 0 {
            0
        } else {
            rng.below(2 * n) as isize - n as isize
        }
    };
    for _ in 0..1 + rng.below(ndim + 2) {
        let left = end - pos;
        let choice = rng.below(if left == 0 { 3 } else { 9 });
        match choice {
            0 => items.push(IndexItem::NewAxis),
            1 if !ellipsis => {
                ellipsis = true;
                end -= rng.below(left + 1);
                items.push(IndexItem::Ellipsis);
            }
            1 if left > 0 => {
                items.push(IndexItem::slice(None, None, Some(-1)));
                pos += 1;
            }
            1 => items.push(IndexItem::NewAxis),
            2 => items.push(IndexItem::Array(Array::scalar(rng.coin()))), // 0-d mask
            3 => {
                items.push(IndexItem::Int(signed(&mut rng, shape[pos])));
                pos += 1;
            }
            4 | 5 => {
                let n = shape[pos] as isize;
                let bound = |rng: &mut Rng| {
                    (rng.below(4) != 0).then(|| rng.below(2 * n as usize + 5) as isize - n - 2)
                };
                let (start, stop) = (bound(&mut rng), bound(&mut rng));
                let step = [None, Some(1), Some(2), Some(3), Some(-1), Some(-2)][rng.below(6)];
                items.push(IndexItem::slice(start, stop, step));
                pos += 1;
            }
            6 | 7 => {
                let dims: Vec<usize> = (0..rng.below(3)).map(|_| 1 + rng.below(3)).collect();
                let len = dims.iter().product();
                let mut v: Vec<i64> = (0..len)
                    .map(|_| signed(&mut rng, shape[pos]) as i64)
                    .collect();
                if len >= 2 && rng.below(3) != 0 {
                    v[len - 1] = v[0]; // a repeated entry
                }
                let a = Array::from_shape_vec(&dims, v).expect("shape and data agree");
                items.push(IndexItem::Array(if rng.coin() {
                    a.astype(DType::Int32)
                } else {
                    a
                }));
                pos += 1;
            }
            _ => {
                let k = 1 + rng.below(left.min(2));
                let dims = &shape[pos..pos + k];
                let m: Vec<bool> = (0..dims.iter().product())
                    .map(|_| rng.below(3) != 0)
                    .collect();
                items.push(IndexItem::Array(
                    Array::from_shape_vec(dims, m).expect("agree"),
                ));
                pos += k;
            }
        }
    }
    if ellipsis {
        // The items after the ellipsis must reach the end exactly.
        while pos < end {
            items.push(IndexItem::slice(None, None, None));
            pos += 1;
        }
    }
    items
}

/// One proptest case: input shapes, values in `[0, 1)` and a seed for the
/// op parameters and the loss weight.
#[derive(Clone, Debug)]
struct Case {
    shapes: Vec<Vec<usize>>,
    units: Vec<Vec<f64>>,
    seed: u64,
}

fn cases(kind: Kind) -> impl Strategy<Value = Case> {
    (prop::collection::vec(1usize..=4, 0..=3), any::<u64>()).prop_flat_map(move |(base, seed)| {
        let shapes = input_shapes(kind, &base, seed);
        let units: Vec<_> = shapes
            .iter()
            .map(|s| prop::collection::vec(0.0..1.0f64, s.iter().product::<usize>()))
            .collect();
        (Just(shapes), units, Just(seed)).prop_map(|(shapes, units, seed)| Case {
            shapes,
            units,
            seed,
        })
    })
}

fn leaves<'g>(g: &'g Graph, shapes: &[Vec<usize>], values: &[Vec<f64>]) -> Vec<Tensor<'g>> {
    shapes
        .iter()
        .zip(values)
        .map(|(s, v)| g.tensor(Array::from_shape_vec(s, v.clone()).expect("shape and data agree")))
        .collect()
}

/// Checks `row` on `case`: the analytic gradient of every input against
/// central differences, and each gradient's shape and dtype.
fn check(row: &Row, case: &Case) -> Result<(), String> {
    let domain = |k: usize| row.domains[k.min(row.domains.len() - 1)];
    let mut values: Vec<Vec<f64>> = case
        .units
        .iter()
        .enumerate()
        .map(|(k, us)| us.iter().map(|&u| domain(k).map(u)).collect())
        .collect();
    if matches!(row.kind, Reduce | Spread) {
        // Distinct values, even where proptest shrinks every draw to 0: no
        // ties for max/min, no constant groups for std.
        for v in &mut values {
            v.iter_mut()
                .enumerate()
                .for_each(|(i, x)| *x += 0.01 * i as f64);
        }
    }
    let mut args = Args::draw(&case.shapes[0], case.seed);
    if row.kind == Spread && args.axes.as_ref().is_some_and(Vec::is_empty) {
        args.axes = None;
    }
    let g = Graph::new();
    let mark = g.mark();
    let context = |w: &Array| {
        format!(
            "row `{}`: shapes {:?}, inputs {:?}, args {:?}, w {:?}",
            row.name,
            case.shapes,
            values,
            args,
            w.to_f64_vec()
        )
    };

    // The analytic pass.
    let xs = leaves(&g, &case.shapes, &values);
    let out = (row.f)(&xs, &args);
    let out_shape = out.shape();
    let mut rng = Rng(case.seed ^ 0x3E16);
    let w_data = (0..out.size()).map(|_| rng.unit() * 2.0 - 1.0).collect();
    let w = Array::from_shape_vec(&out_shape, w_data).expect("shape and data agree");
    (out * &w).sum().backward();
    // The op's output, an intermediate, keeps its gradient: `w` itself.
    if out.grad().as_ref() != Some(&w) {
        return Err(format!(
            "output grad {:?} is not w; {}",
            out.grad(),
            context(&w)
        ));
    }
    let mut analytic = Vec::new();
    for (k, x) in xs.iter().enumerate() {
        let grad = x
            .grad()
            .ok_or_else(|| format!("input {k} has no grad; {}", context(&w)))?;
        if grad.shape() != case.shapes[k].as_slice() || grad.dtype() != DType::Float64 {
            return Err(format!(
                "input {k}: grad has shape {:?} and dtype {}; {}",
                grad.shape(),
                grad.dtype(),
                context(&w)
            ));
        }
        analytic.push(grad.as_slice::<f64>().expect("float64").to_vec());
    }
    g.rewind(mark);

    // The numerical pass, one element at a time, on fresh nodes.
    let loss = |vals: &[Vec<f64>]| {
        let xs = leaves(&g, &case.shapes, vals);
        let l = ((row.f)(&xs, &args) * &w).sum().item();
        g.rewind(mark);
        l
    };
    let mut probe = values.clone();
    for k in 0..values.len() {
        for i in 0..values[k].len() {
            let x = values[k][i];
            let h = 1e-6 * x.abs().max(1.0);
            let (hi, lo) = (x + h, x - h);
            probe[k][i] = hi;
            let up = loss(&probe);
            probe[k][i] = lo;
            let down = loss(&probe);
            probe[k][i] = x;
            let numeric = (up - down) / (hi - lo);
            let a = analytic[k][i];
            // NaN on either side fails too.
            let close = (a - numeric).abs() <= 1e-5 + 1e-4 * numeric.abs();
            if !close {
                return Err(format!(
                    "input {k} element {i}: analytic {a} vs numeric {numeric}; {}",
                    context(&w)
                ));
            }
        }
    }
    Ok(())
}

/// Checks every row of `kind` on `case`.
fn check_kind(kind: Kind, case: &Case) -> Result<(), TestCaseError> {
    for row in TABLE.iter().filter(|r| r.kind == kind) {
        check(row, case).map_err(TestCaseError::fail)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn unary_ops(case in cases(Unary)) { check_kind(Unary, &case)?; }

    #[test]
    fn binary_ops_broadcasting(case in cases(Binary)) { check_kind(Binary, &case)?; }

    #[test]
    fn ternary_ops_broadcasting(case in cases(Ternary)) { check_kind(Ternary, &case)?; }

    #[test]
    fn reductions(case in cases(Reduce)) { check_kind(Reduce, &case)?; }

    #[test]
    fn reductions_over_spread_groups(case in cases(Spread)) { check_kind(Spread, &case)?; }

    #[test]
    fn matmul(case in cases(MatMul)) { check_kind(MatMul, &case)?; }

    #[test]
    fn shape_ops(case in cases(Shape)) { check_kind(Shape, &case)?; }

    #[test]
    fn concatenate_joins(case in cases(Concat)) { check_kind(Concat, &case)?; }

    #[test]
    fn stack_joins(case in cases(Stack)) { check_kind(Stack, &case)?; }

    #[test]
    fn indexing(case in cases(Idx)) { check_kind(Idx, &case)?; }

    #[test]
    fn index_assignment(case in cases(SetIndex)) { check_kind(SetIndex, &case)?; }

    #[test]
    fn where_broadcasting(case in cases(Where)) { check_kind(Where, &case)?; }

    #[test]
    fn einsum(case in cases(Einsum)) { check_kind(Einsum, &case)?; }

    #[test]
    fn multi_matmul(case in cases(Chain)) { check_kind(Chain, &case)?; }

    #[test]
    fn norms(case in cases(Norm)) { check_kind(Norm, &case)?; }
}

#[test]
fn every_kind_has_rows() {
    for kind in [
        Unary, Binary, Ternary, Reduce, Spread, MatMul, Shape, Concat, Stack, Idx, SetIndex, Where,
        Einsum, Chain, Norm,
    ] {
        assert!(TABLE.iter().any(|r| r.kind == kind), "no rows of {kind:?}");
    }
}

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
