//! MyGrad's free functions of two operands (`mg.add(2, x)`): either operand
//! may be a tensor, a Rust scalar or a plain array, as long as one of them
//! is a tensor. They return [`Result`]; the operators (`+ - * /`) are the
//! panicking sugar.

use crate::error::{Error, Result};
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::{BinaryOp, IndexOp, Op};

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
