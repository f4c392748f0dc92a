//! MyGrad's free functions of several operands: two or more operands
//! (`mg.add(2, x)`), any of which may be a tensor, a Rust scalar or a plain
//! array as long as one of them is a tensor; the joins of any number of
//! tensors (`concatenate`, `stack`); and `einsum` and `multi_matmul`. They
//! return [`Result`]; the operators (`+ - * /`) and the methods without
//! `try_` are the panicking sugar.

use crate::array::Array;
use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{Graph, IntoOperand, Operand, Tensor};
use crate::ops::einsum::Spec;
use crate::ops::{BinaryOp, CompareOp, IndexOp, JoinOp, Op, SequenceOp};

impl<'g> IntoOperand<'g> for Operand<'g> {
    fn into_operand(self) -> Operand<'g> {
        self
    }
}

/// The graph of the first tensor among `operands`.
fn graph_of<'g>(operands: &[&Operand<'g>], op: &'static str) -> Result<&'g Graph> {
    operands
        .iter()
        .find_map(|o| match o {
            Operand::Tensor(t) => Some(t.graph),
            _ => None,
        })
        .ok_or_else(|| Error::InvalidArgument {
            op,
            message: "at least one operand must be a tensor".into(),
        })
}

/// Applies `op` to two operands in the graph of whichever is a tensor.
pub(crate) fn apply2<'g>(op: Op, a: Operand<'g>, b: Operand<'g>) -> Result<Tensor<'g>> {
    graph_of(&[&a, &b], op.name())?.apply(op, &[a, b], &[])
}

macro_rules! binary_functions {
    ($($(#[$doc:meta])* $name:ident => $op:expr;)*) => {$(
        $(#[$doc])*
        pub fn $name<'g>(a: impl IntoOperand<'g>, b: impl IntoOperand<'g>) -> Result<Tensor<'g>> {
            apply2($op, a.into_operand(), b.into_operand())
        }
    )*};
}

binary_functions! {
    /// `a + b` with broadcasting.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// assert_eq!(causing_diff::add(2.0, x).unwrap().to_string(), "Tensor([3., 4.])");
    /// assert!(causing_diff::add(1.0, 2.0).is_err(), "one operand must be a tensor");
    /// ```
    add => Op::Binary(BinaryOp::Add);
    /// `a - b` with broadcasting.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// assert_eq!(causing_diff::subtract(2.0, x).unwrap().to_string(), "Tensor([1., 0.])");
    /// ```
    subtract => Op::Binary(BinaryOp::Subtract);
    /// `a * b` with broadcasting.
    multiply => Op::Binary(BinaryOp::Multiply);
    /// `a / b` with broadcasting (integer division gives float64).
    divide => Op::Binary(BinaryOp::Divide);
    /// `a ** b` with broadcasting; the gradients at `0 ** 0` are 0.
    power => Op::Binary(BinaryOp::Power);
    /// The matrix product with NumPy's `matmul` semantics.
    matmul => Op::MatMul;
    /// `arctan2(a, b)`, the angle of the point `(b, a)`, with broadcasting.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, -1.0]);
    /// let t = causing_diff::arctan2(1.0, x).unwrap();
    /// assert_eq!(t.to_string(), "Tensor([0.78539816, 2.35619449])");
    /// ```
    arctan2 => Op::Binary(BinaryOp::Arctan2);
    /// `ln(e^a + e^b)` with broadcasting, without overflow.
    logaddexp => Op::Binary(BinaryOp::Logaddexp);
    /// `log2(2^a + 2^b)` with broadcasting, without overflow.
    logaddexp2 => Op::Binary(BinaryOp::Logaddexp2);
    /// The elementwise larger value (NaN wins); at ties neither operand gets
    /// a gradient.
    maximum => Op::Binary(BinaryOp::Maximum);
    /// The elementwise smaller value (NaN wins); at ties neither operand gets
    /// a gradient.
    minimum => Op::Binary(BinaryOp::Minimum);
}

/// Applies an n-ary `op` to two or more operands.
fn apply_seq<'g, I>(op: SequenceOp, operands: I) -> Result<Tensor<'g>>
where
    I: IntoIterator,
    I::Item: IntoOperand<'g>,
{
    let operands: Vec<Operand<'g>> = operands
        .into_iter()
        .map(IntoOperand::into_operand)
        .collect();
    if operands.len() < 2 {
        return Err(Error::InvalidArgument {
            op: op.name(),
            message: format!("requires at least two inputs, got {}", operands.len()),
        });
    }
    let refs: Vec<&Operand<'g>> = operands.iter().collect();
    graph_of(&refs, op.name())?.apply(Op::Sequence(op), &operands, &[])
}

/// `x0 + x1 + ...` over two or more operands with broadcasting, as one
/// node (MyGrad's `add_sequence`).
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let (a, b) = (g.tensor([1.0, 2.0]), g.tensor(10.0));
/// let s = causing_diff::add_sequence([a, b, a]).unwrap();
/// assert_eq!(s.to_string(), "Tensor([12., 14.])");
/// s.backward();
/// assert_eq!(a.grad().unwrap().to_string(), "array([2., 2.])");
/// assert_eq!(b.grad().unwrap().to_string(), "array(2.)");
/// ```
pub fn add_sequence<'g, I>(operands: I) -> Result<Tensor<'g>>
where
    I: IntoIterator,
    I::Item: IntoOperand<'g>,
{
    apply_seq(SequenceOp::Add, operands)
}

/// `x0 * x1 * ...` over two or more operands with broadcasting, as one
/// node (MyGrad's `multiply_sequence`). The gradients are exact where the
/// product is 0: each input gets the product of the others.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let (a, b, c) = (g.tensor([0.0, 2.0]), g.tensor([3.0, 0.0]), g.tensor(4.0));
/// let p = causing_diff::multiply_sequence([a, b, c]).unwrap();
/// p.backward();
/// assert_eq!(a.grad().unwrap().to_string(), "array([12.,  0.])");
/// assert_eq!(c.grad().unwrap().to_string(), "array(0.)");
/// ```
pub fn multiply_sequence<'g, I>(operands: I) -> Result<Tensor<'g>>
where
    I: IntoIterator,
    I::Item: IntoOperand<'g>,
{
    apply_seq(SequenceOp::Multiply, operands)
}

/// `a` limited to `[lo, hi]`, either bound optional (`None` is no bound):
/// `minimum(hi, maximum(lo, a))`, as MyGrad computes it. `a` gets no
/// gradient where it equals a bound; a variable bound gets the gradient
/// where it strictly binds. With neither bound, `a` itself is returned.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let x = g.tensor([-2.0, 0.5, 3.0]);
/// let lo = g.tensor([-1.0, 1.0, 0.0]);
/// let y = causing_diff::clip(x, Some(lo), None::<f64>).unwrap();
/// assert_eq!(y.to_string(), "Tensor([-1.,  1.,  3.])");
/// y.backward();
/// assert_eq!(x.grad().unwrap().to_string(), "array([0., 0., 1.])");
/// assert_eq!(lo.grad().unwrap().to_string(), "array([1., 1., 0.])");
/// ```
pub fn clip<'g>(
    a: impl IntoOperand<'g>,
    lo: Option<impl IntoOperand<'g>>,
    hi: Option<impl IntoOperand<'g>>,
) -> Result<Tensor<'g>> {
    let a = a.into_operand();
    let lo = lo.map(IntoOperand::into_operand);
    let hi = hi.map(IntoOperand::into_operand);
    let all: Vec<&Operand<'g>> = [Some(&a), lo.as_ref(), hi.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    let graph = graph_of(&all, "clip")?;
    let mark = graph.mark();
    let step = |op: BinaryOp, bound: Option<Operand<'g>>, x: Operand<'g>| match bound {
        Some(b) => graph
            .apply(Op::Binary(op), &[b, x], &[])
            .map(Operand::Tensor),
        None => Ok(x),
    };
    let result = step(BinaryOp::Maximum, lo, a).and_then(|m| step(BinaryOp::Minimum, hi, m));
    match result {
        Ok(Operand::Tensor(t)) => Ok(t),
        Ok(_) => Err(Error::InvalidArgument {
            op: "clip",
            message: "at least one operand must be a tensor".into(),
        }),
        Err(e) => {
            // A failed `minimum` must not leave the `maximum` node behind.
            graph.rewind(mark);
            Err(e)
        }
    }
}

/// Generates the free functions of the two-operand non-differentiable ops:
/// any operand kind on either side (two plain values need no graph).
macro_rules! compare_functions {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name<'g>(a: impl IntoOperand<'g>, b: impl IntoOperand<'g>) -> Result<Array> {
            crate::tensor::compare(CompareOp::$op, &a.into_operand(), &b.into_operand())
        }
    )*};
}

compare_functions! {
    /// `a == b` elementwise with broadcasting: a bool array
    /// ([`Tensor::equal`]).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// assert_eq!(causing_diff::equal(2.0, x).unwrap().to_string(), "array([False,  True])");
    /// ```
    equal => Equal;
    /// `a != b` elementwise ([`Tensor::not_equal`]).
    not_equal => NotEqual;
    /// `a < b` elementwise ([`Tensor::less`]).
    less => Less;
    /// `a <= b` elementwise ([`Tensor::less_equal`]).
    less_equal => LessEqual;
    /// `a > b` elementwise ([`Tensor::greater`]).
    greater => Greater;
    /// `a >= b` elementwise ([`Tensor::greater_equal`]).
    greater_equal => GreaterEqual;
    /// Both nonzero, elementwise ([`Tensor::logical_and`]).
    logical_and => LogicalAnd;
    /// Either nonzero, elementwise ([`Tensor::logical_or`]).
    logical_or => LogicalOr;
    /// Exactly one nonzero, elementwise ([`Tensor::logical_xor`]).
    logical_xor => LogicalXor;
    /// `a // b`, rounded toward -inf ([`Tensor::floor_divide`]).
    floor_divide => FloorDivide;
    /// `a % b` with the divisor's sign: NumPy's `remainder` and `mod`
    /// ([`Tensor::remainder`]).
    remainder => Remainder;
    /// The remainder with the dividend's sign, C's `fmod` ([`Tensor::fmod`]).
    fmod => Fmod;
}

/// Joins tensors along an existing axis (`None`: flattens them first). The
/// shapes must agree except along the axis; mixed dtypes are promoted, and
/// each input's gradient is its slice of the output's.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let a = g.tensor([[1.0, 2.0]]);
/// let b = g.tensor([[3.0, 4.0], [5.0, 6.0]]);
/// let c = causing_diff::concatenate(&[a, b], Some(0)).unwrap();
/// assert_eq!(c.shape(), vec![3, 2]);
/// let flat = causing_diff::concatenate(&[a, b], None).unwrap();
/// assert_eq!(flat.to_string(), "Tensor([1., 2., 3., 4., 5., 6.])");
/// assert!(causing_diff::concatenate(&[a, b], Some(1)).is_err());
/// ```
pub fn concatenate<'g>(tensors: &[Tensor<'g>], axis: Option<isize>) -> Result<Tensor<'g>> {
    let op = "concatenate";
    let shapes = join_shapes(tensors, op)?;
    let first = &shapes[0];
    let params = match axis {
        None => Vec::new(),
        Some(axis) => {
            if first.is_empty() {
                return Err(Error::ShapeMismatch {
                    op,
                    shapes,
                    detail: "zero-dimensional arrays cannot be concatenated: shapes",
                });
            }
            let a = eval::normalize_axis(axis, first.len(), op)?;
            let fits = |s: &Vec<usize>| {
                s.len() == first.len() && (0..s.len()).all(|i| i == a || s[i] == first[i])
            };
            if !shapes.iter().all(fits) {
                return Err(Error::ShapeMismatch {
                    op,
                    shapes,
                    detail: "the input shapes must agree except along the concatenation axis:",
                });
            }
            // Empty inputs can have axis lengths whose sum overflows.
            let mut joined = first.clone();
            joined[a] = shapes
                .iter()
                .try_fold(0usize, |n, s| n.checked_add(s[a]))
                .unwrap_or(usize::MAX);
            eval::size(&joined, op)?;
            vec![a as isize]
        }
    };
    let flat = axis.is_none();
    join(tensors, Op::Join(JoinOp::Concatenate { flat }), &params)
}

/// Joins tensors of one shape along a new axis `axis` (in `[-ndim-1,
/// ndim]`). Mixed dtypes are promoted; each input's gradient is its index of
/// the new axis.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let a = g.tensor([1.0, 2.0]);
/// let b = g.tensor([3.0, 4.0]);
/// let s = causing_diff::stack(&[a, b], -1).unwrap();
/// assert_eq!(s.to_string(), "Tensor([[1., 3.],\n        [2., 4.]])");
/// ```
pub fn stack<'g>(tensors: &[Tensor<'g>], axis: isize) -> Result<Tensor<'g>> {
    let op = "stack";
    let shapes = join_shapes(tensors, op)?;
    let a = eval::normalize_axis(axis, shapes[0].len() + 1, op)?;
    if shapes.iter().any(|s| *s != shapes[0]) {
        return Err(Error::ShapeMismatch {
            op,
            shapes,
            detail: "all input arrays must have the same shape:",
        });
    }
    join(tensors, Op::Join(JoinOp::Stack), &[a as isize])
}

/// The shapes of a join's inputs, at least one.
fn join_shapes(tensors: &[Tensor<'_>], op: &'static str) -> Result<Vec<Vec<usize>>> {
    if tensors.is_empty() {
        return Err(Error::InvalidArgument {
            op,
            message: "need at least one array to join".into(),
        });
    }
    tensors.iter().map(|t| t.try_shape()).collect()
}

fn join<'g>(tensors: &[Tensor<'g>], op: Op, params: &[isize]) -> Result<Tensor<'g>> {
    let operands: Vec<Operand<'g>> = tensors.iter().map(|&t| Operand::Tensor(t)).collect();
    tensors[0].graph.apply(op, &operands, params)
}

/// MyGrad's `where(cond, a, b)`: `a` where `cond` is true, `b` elsewhere,
/// all three broadcast together. `cond` is a plain bool array (or a
/// constant bool tensor; a tensor's data is read, and no gradient flows into
/// it); `a` and `b` are tensors, Rust scalars or arrays, and at least one of
/// the three is a tensor. The gradient goes to `a` where `cond` holds and to
/// `b` elsewhere. (The name has a trailing `_` because `where` is a Rust
/// keyword; [`Tensor::where_`] is the method form.)
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let a = g.tensor([1.0, 2.0, 3.0]);
/// let b = g.tensor([[10.0], [20.0]]);
/// let cond = [true, false, true].into_array();
/// let y = causing_diff::where_(&cond, a, b).unwrap();
/// assert_eq!(y.to_string(), "Tensor([[ 1., 10.,  3.],\n        [ 1., 20.,  3.]])");
/// y.backward();
/// assert_eq!(a.grad().unwrap().to_string(), "array([2., 0., 2.])");
/// assert_eq!(b.grad().unwrap().to_string(), "array([[1.],\n       [1.]])");
/// ```
pub fn where_<'g>(
    cond: impl IntoOperand<'g>,
    a: impl IntoOperand<'g>,
    b: impl IntoOperand<'g>,
) -> Result<Tensor<'g>> {
    let (cond, a, b) = (cond.into_operand(), a.into_operand(), b.into_operand());
    let graph = [&a, &b, &cond]
        .into_iter()
        .find_map(|o| match o {
            Operand::Tensor(t) => Some(t.graph),
            _ => None,
        })
        .ok_or_else(|| Error::InvalidArgument {
            op: "where",
            message: "at least one operand must be a tensor".into(),
        })?;
    let cond = match cond {
        Operand::Tensor(t) => Operand::Array(t.try_data()?),
        other => other,
    };
    graph.apply(Op::Index(IndexOp::Where), &[cond, a, b], &[])
}

/// The graph the tensors share, or the error for an empty list or tensors
/// of different graphs.
fn common_graph<'g>(op: &'static str, tensors: &[Tensor<'g>]) -> Result<&'g crate::Graph> {
    let first = tensors.first().ok_or_else(|| Error::InvalidArgument {
        op,
        message: "at least one tensor is required".into(),
    })?;
    if tensors.iter().any(|t| !core::ptr::eq(t.graph, first.graph)) {
        return Err(Error::GraphMismatch { op });
    }
    Ok(first.graph)
}

/// Einstein summation over `operands` with NumPy's `subscripts` grammar
/// (MyGrad's `einsum`).
///
/// Letters label axes; a label shared by operands is multiplied along, and
/// one missing from the output is summed. `"ij,jk->ik"` is a matrix
/// product, `"ii"` a trace, `"ii->i"` a diagonal, `"i,j->ij"` an outer
/// product, `",i->i"` scales by a 0-d operand. Without `->` the output is
/// the labels used exactly once, in ASCII order. `...` stands for the
/// leading (broadcast) axes. Labels of length 1 broadcast against longer
/// ones. Gradients flow to every operand, scattered back onto diagonals.
///
/// Fails with [`Error::InvalidArgument`] for malformed subscripts (or no
/// operands) and with [`Error::ShapeMismatch`] when the operands' shapes
/// disagree with the subscripts or with each other.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let a = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
/// let b = g.tensor([1.0, -1.0]);
/// assert_eq!(causing_diff::einsum("ii", &[a]).unwrap().to_string(), "Tensor(5.)");
/// let y = causing_diff::einsum("ij,j->i", &[a, b]).unwrap();
/// assert_eq!(y.to_string(), "Tensor([-1., -1.])");
/// y.backward();
/// assert_eq!(b.grad().unwrap().to_string(), "array([4., 6.])");
/// assert!(causing_diff::einsum("ij,jk", &[a, b]).is_err());
/// ```
pub fn einsum<'g>(subscripts: &str, operands: &[Tensor<'g>]) -> Result<Tensor<'g>> {
    let graph = common_graph("einsum", operands)?;
    let shapes = operands
        .iter()
        .map(|t| t.try_shape())
        .collect::<Result<Vec<_>>>()?;
    let shapes: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
    let spec = Spec::parse(subscripts, &shapes)?;
    let operands: Vec<Operand<'g>> = operands.iter().map(|&t| Operand::Tensor(t)).collect();
    let op = Op::Einsum {
        view: spec.is_view(),
    };
    graph.apply(op, &operands, &spec.params())
}

/// The matrix product of two or more tensors, `t₀ @ t₁ @ …`, multiplied in
/// the cheapest order (the matrix-chain dynamic program over their shapes,
/// as MyGrad's `multi_matmul` and NumPy's `multi_dot`). The first and last
/// tensors may be 1-D (a row and a column vector); the others are 2-D. It
/// is a composition of `matmul` nodes, so gradients come for free.
///
/// Fails with [`Error::InvalidArgument`] for fewer than two tensors and
/// with [`Error::ShapeMismatch`] for other dimensionalities or mismatched
/// inner dimensions.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let v = g.tensor([1.0, 2.0]);
/// let m = g.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]]);
/// let w = g.tensor([1.0, 1.0, 1.0]);
/// let y = causing_diff::multi_matmul(&[v, m, w]).unwrap();
/// assert_eq!(y.to_string(), "Tensor(7.)");
/// y.backward();
/// assert_eq!(v.grad().unwrap().to_string(), "array([3., 2.])");
/// ```
pub fn multi_matmul<'g>(tensors: &[Tensor<'g>]) -> Result<Tensor<'g>> {
    let n = tensors.len();
    if n < 2 {
        return Err(Error::InvalidArgument {
            op: "multi_matmul",
            message: format!("at least two tensors are required, got {n}"),
        });
    }
    common_graph("multi_matmul", tensors)?;
    let shapes = tensors
        .iter()
        .map(|t| t.try_shape())
        .collect::<Result<Vec<_>>>()?;
    let mismatch = |detail| Error::ShapeMismatch {
        op: "multi_matmul",
        shapes: shapes.clone(),
        detail,
    };
    let ends = |i: usize| i == 0 || i == n - 1;
    if shapes
        .iter()
        .enumerate()
        .any(|(i, s)| s.len() != 2 && !(ends(i) && s.len() == 1))
    {
        return Err(mismatch(
            "the first and last operands must be 1-D or 2-D and the others 2-D; got shapes",
        ));
    }
    // The chain's dimensions: operand i is p[i] × p[i + 1].
    let (first_vec, last_vec) = (shapes[0].len() == 1, shapes[n - 1].len() == 1);
    let rows = |i: usize| if i == 0 && first_vec { 1 } else { shapes[i][0] };
    let cols = |i: usize| {
        if i == n - 1 && last_vec {
            1
        } else {
            *shapes[i].last().expect("1-D or 2-D")
        }
    };
    if (0..n - 1).any(|i| cols(i) != rows(i + 1)) {
        return Err(mismatch("mismatch in the core dimension of shapes"));
    }
    if n == 2 {
        return tensors[0].try_matmul(tensors[1]);
    }
    let p: Vec<usize> = (0..n).map(rows).chain([cols(n - 1)]).collect();
    let split = chain_order(&p);
    let mut ts = tensors.to_vec();
    if first_vec {
        ts[0] = ts[0].try_reshape(&[1, -1])?;
    }
    if last_vec {
        ts[n - 1] = ts[n - 1].try_reshape(&[-1, 1])?;
    }
    let product = chain_product(&ts, &split, 0, n - 1)?;
    match (first_vec, last_vec) {
        (true, true) => product.try_reshape(&[]),
        (true, false) | (false, true) => product.try_reshape(&[-1]),
        (false, false) => Ok(product),
    }
}

/// The matrix-chain dynamic program (Cormen §15.2) for matrices
/// `p[i] × p[i + 1]`: `split[i][j]` is where the cheapest product of
/// matrices `i..=j` splits. Ties keep the first split, as NumPy's.
fn chain_order(p: &[usize]) -> Vec<Vec<usize>> {
    let n = p.len() - 1;
    let mut cost = vec![vec![0u128; n]; n];
    let mut split = vec![vec![0usize; n]; n];
    for len in 1..n {
        for i in 0..n - len {
            let j = i + len;
            cost[i][j] = u128::MAX;
            for k in i..j {
                let q = cost[i][k]
                    .saturating_add(cost[k + 1][j])
                    .saturating_add(p[i] as u128 * p[k + 1] as u128 * p[j + 1] as u128);
                if q < cost[i][j] {
                    cost[i][j] = q;
                    split[i][j] = k;
                }
            }
        }
    }
    split
}

fn chain_product<'g>(
    ts: &[Tensor<'g>],
    split: &[Vec<usize>],
    i: usize,
    j: usize,
) -> Result<Tensor<'g>> {
    if i == j {
        return Ok(ts[i]);
    }
    let k = split[i][j];
    let left = chain_product(ts, split, i, k)?;
    let right = chain_product(ts, split, k + 1, j)?;
    left.try_matmul(right)
}

/// Vector norms (MyGrad's `norm(x, ord, axis, keepdims, nan_to_num=...)`);
/// see [`Tensor::norm_with`].
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let x = g.tensor([[3.0, 4.0], [1.0, 0.0]]);
/// let n = causing_diff::norm(x, None, Some(-1), false, true).unwrap();
/// assert_eq!(n.to_string(), "Tensor([5., 1.])");
/// ```
pub fn norm<'g>(
    x: Tensor<'g>,
    ord: Option<f64>,
    axis: Option<isize>,
    keepdims: bool,
    nan_to_num: bool,
) -> Result<Tensor<'g>> {
    x.try_norm_with(ord, axis, keepdims, nan_to_num)
}
