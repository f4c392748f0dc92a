//! MyGrad's free functions of several operands: two or more operands
//! (`mg.add(2, x)`), any of which may be a tensor, a Rust scalar or a plain
//! array as long as one of them is a tensor, and the joins of any number of
//! tensors (`concatenate`, `stack`). They return [`Result`]; the operators
//! (`+ - * /`) and the methods without `try_` are the panicking sugar.

use crate::array::Array;
use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{Graph, IntoOperand, Operand, Tensor};
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
