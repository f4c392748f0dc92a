//! MyGrad's free functions of two operands (`mg.add(2, x)`): either operand
//! may be a tensor, a Rust scalar or a plain array, as long as one of them
//! is a tensor. They return [`Result`]; the operators (`+ - * /`) are the
//! panicking sugar.

use crate::error::{Error, Result};
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::{BinaryOp, Op};

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
