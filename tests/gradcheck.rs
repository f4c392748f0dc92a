//! Numerical-gradient property tests of every differentiable op, driven by one table.
//!
//! Each proptest case draws shapes (0–3 dims, sizes 1–4), op parameters and
//! values in `[0, 1)`; every row of the case's [`Kind`] then maps the values
//! into its own [`Domain`], builds `loss = (f(inputs) * w).sum()` with a fixed
//! random weight `w`, and compares each input's analytic gradient with
//! `(loss(x + h) - loss(x - h)) / 2h` evaluated on fresh graph nodes.
//! Drawing the cases lives in `gradcheck/draw.rs`; MyGrad's conventions at
//! the non-differentiable points are pinned by fixed tests in
//! `tests/conventions.rs`.

use causing_diff as cd;
use causing_diff::{concatenate, stack, Array, DType, Graph, Index, IndexItem, Tensor};
use proptest::prelude::*;

#[path = "gradcheck/draw.rs"]
mod draw;

use draw::{cases, Case, Rng};

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
