//! Linear algebra methods.

use super::ok;
use crate::error::Result;
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::Op;

impl<'g> Tensor<'g> {
    /// The matrix product with NumPy's `matmul` semantics: 1-D operands are
    /// promoted to a row (left) or column (right) vector and the added axis
    /// removed; leading dimensions broadcast.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// let y = g.tensor([-3.0, -4.0]);
    /// assert_eq!(x.matmul(y).to_string(), "Tensor(-11.)");
    /// ```
    #[track_caller]
    pub fn matmul(self, other: impl IntoOperand<'g>) -> Tensor<'g> {
        ok(self.try_matmul(other))
    }

    /// [`Tensor::matmul`], failing with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the
    /// core dimensions differ or the batch dimensions do not broadcast.
    pub fn try_matmul(self, other: impl IntoOperand<'g>) -> Result<Tensor<'g>> {
        self.graph.apply(
            Op::MatMul,
            &[Operand::Tensor(self), other.into_operand()],
            &[],
        )
    }
}
