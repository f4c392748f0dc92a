//! Numerical-gradient property tests of every differentiable op, driven by one table.
//!
//! Each proptest case draws shapes (0–3 dims, sizes 1–4), op parameters and
//! values in `[0, 1)`; every row of the case's [`Kind`] then maps the values
//! into its own [`Domain`], builds `loss = (f(inputs) * w).sum()` with a fixed
//! random weight `w`, and compares each input's analytic gradient with
//! `(loss(x + h) - loss(x - h)) / 2h` evaluated on fresh graph nodes.
//! The fixed tests at the end pin MyGrad's conventions at the
//! non-differentiable points (SPEC §3, conformance FORMAT §8.1/§8.2).

use causing_diff::{Array, DType, Graph, Index, IndexItem, Tensor};
use proptest::prelude::*;

/// How a row's inputs (and op parameters) are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// One tensor of a random shape.
    Unary,
    /// Two tensors of broadcast-compatible shapes.
    Binary,
    /// One tensor, with random axes (none / one / several, maybe negative) and keepdims.
    Reduce,
    /// Two tensors of matmul-compatible shapes: 1-D, 2-D, batched, broadcast batch.
    MatMul,
    /// One tensor, with a random reshape target (maybe with a -1) and permutation.
    Shape,
    /// One tensor, with a random valid index expression: integers, slices
    /// (negative steps, clamped bounds), new axes, an ellipsis, integer
    /// arrays with repeated entries, masks (also 0-d), in any mix.
    Index,
    /// A tensor and a value broadcastable to `x[index]`, with a random index.
    SetIndex,
    /// Two tensors of broadcast-compatible shapes and a random bool condition
    /// that broadcasts with both.
    Where,
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
    index: Vec<IndexItem<'static>>,
    cond: Array,
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

use Domain::{Any, AwayFromZero, Exponent, Positive, Tan};
use Kind::{Binary, Index as Idx, MatMul, Reduce, SetIndex, Shape, Unary, Where};

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
    row("sum", Reduce, &[Any], |t, a| t[0].sum_with(a.axes.as_deref(), a.keepdims)),
    row("mean", Reduce, &[Any], |t, a| t[0].mean_with(a.axes.as_deref(), a.keepdims)),
    row("matmul", MatMul, &[Any], |t, _| t[0].matmul(t[1])),
    row("reshape", Shape, &[Any], |t, a| t[0].reshape(&a.target)),
    row("transpose (reversed)", Shape, &[Any], |t, _| t[0].transpose()),
    row("transpose_axes", Shape, &[Any], |t, a| t[0].transpose_axes(&a.perm)),
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
        Unary | Reduce | Shape | Idx => vec![base.to_vec()],
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
        let mut rest = size;
        for p in [2, 3] {
            while rest % p == 0 {
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
        let cond_shape = partner(shape, &mut rng);
        let cond: Vec<bool> = (0..cond_shape.iter().product())
            .map(|_| rng.coin())
            .collect();
        Args {
            axes,
            keepdims: rng.coin(),
            target,
            perm,
            index: draw_index(shape, seed),
            cond: Array::from_shape_vec(&cond_shape, cond).expect("shape and data agree"),
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
    let signed = |rng: &mut Rng, n: usize| rng.below(2 * n) as isize - n as isize;
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
    let values: Vec<Vec<f64>> = case
        .units
        .iter()
        .enumerate()
        .map(|(k, us)| us.iter().map(|&u| domain(k).map(u)).collect())
        .collect();
    let args = Args::draw(&case.shapes[0], case.seed);
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
    fn reductions(case in cases(Reduce)) { check_kind(Reduce, &case)?; }

    #[test]
    fn matmul(case in cases(MatMul)) { check_kind(MatMul, &case)?; }

    #[test]
    fn shape_ops(case in cases(Shape)) { check_kind(Shape, &case)?; }

    #[test]
    fn indexing(case in cases(Idx)) { check_kind(Idx, &case)?; }

    #[test]
    fn index_assignment(case in cases(SetIndex)) { check_kind(SetIndex, &case)?; }

    #[test]
    fn where_broadcasting(case in cases(Where)) { check_kind(Where, &case)?; }
}

#[test]
fn every_kind_has_rows() {
    for kind in [Unary, Binary, Reduce, MatMul, Shape, Idx, SetIndex, Where] {
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
