//! MyGrad's free functions of several operands: two operands (`mg.add(2,
//! x)`), either of which may be a tensor, a Rust scalar or a plain array as
//! long as one of them is a tensor, and the joins of any number of tensors
//! (`concatenate`, `stack`). They return [`Result`]; the operators
//! (`+ - * /`) are the panicking sugar.

use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::{BinaryOp, JoinOp, Op};

impl<'g> IntoOperand<'g> for Operand<'g> {
    fn into_operand(self) -> Operand<'g> {
        self
    }
}

/// Applies `op` to two operands in the graph of whichever is a tensor.
pub(crate) fn apply2<'g>(op: Op, a: Operand<'g>, b: Operand<'g>) -> Result<Tensor<'g>> {
    let graph = match (&a, &b) {
        (Operand::Tensor(t), _) | (_, Operand::Tensor(t)) => t.graph,
        _ => {
            return Err(Error::InvalidArgument {
                op: op.name(),
                message: "at least one operand must be a tensor".into(),
            })
        }
    };
    graph.apply(op, &[a, b], &[])
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
