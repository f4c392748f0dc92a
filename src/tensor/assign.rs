//! In-place-looking updates, expressed functionally (SPEC §3 ◆): index
//! assignment and the augmented operators `+= -= *= /=`. Each records a new
//! node; the `&mut` forms rebind the handle (see the crate docs, "Indexing
//! and in-place updates").

use core::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use super::ok;
use crate::error::Result;
use crate::eval;
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::index::Index;
use crate::ops::{IndexOp, Op};

impl<'g> Tensor<'g> {
    /// A copy of `self` with `out[index] = value` (MyGrad's
    /// `x[index] = value`, made functional): `self` is unchanged. The value
    /// (a tensor, Rust scalar or array) broadcasts to the shape of
    /// `self[index]` and is cast to `self`'s dtype; with repeated advanced
    /// indices the last write wins.
    ///
    /// Gradients: `self` gets the output's gradient with zeros at every
    /// assigned position; `value` gets the gradient of the positions it was
    /// finally written to, summed over broadcasting (0 for overwritten
    /// writes).
    ///
    /// Panics with the message of [`Tensor::try_set_index`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0, 3.0, 4.0]);
    /// let v = g.tensor([10.0, 20.0, 30.0]);
    /// let y = x.set_index(s![[0, 2, 0]], v);
    /// assert_eq!(y.to_string(), "Tensor([30.,  2., 20.,  4.])");
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([0., 1., 0., 1.])");
    /// assert_eq!(v.grad().unwrap().to_string(), "array([0., 1., 1.])");
    /// ```
    #[must_use = "set_index returns a new tensor; use set_index_mut to rebind the handle"]
    #[track_caller]
    pub fn set_index(self, index: impl Into<Index<'g>>, value: impl IntoOperand<'g>) -> Tensor<'g> {
        ok(self.try_set_index(index, value))
    }

    /// [`Tensor::set_index`], failing as [`Tensor::try_index`] does for the
    /// index, and with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch)
    /// when the value does not broadcast to the indexed shape.
    pub fn try_set_index(
        self,
        index: impl Into<Index<'g>>,
        value: impl IntoOperand<'g>,
    ) -> Result<Tensor<'g>> {
        let lowered = index.into().lower("setitem")?;
        let value = match value.into_operand() {
            // A Rust scalar takes x's dtype directly (it is weak).
            Operand::Scalar(s) => {
                let dtype = self.try_dtype()?;
                let mut inner = self.graph.inner.borrow_mut();
                Operand::Array(eval::scalar_array(s, dtype, &mut inner.pool, "setitem")?)
            }
            other => other,
        };
        let mut operands = Vec::with_capacity(2 + lowered.arrays.len());
        operands.push(self.into_operand());
        operands.push(value);
        operands.extend(lowered.arrays);
        self.graph
            .apply(Op::Index(IndexOp::SetItem), &operands, &lowered.params)
    }

    /// `self[index] = value` on a handle: records [`Tensor::set_index`] and
    /// rebinds `self` to the result. Earlier consumers of the old handle keep
    /// the old value, and the old tensor still receives its gradient (see
    /// the [crate docs](crate#indexing-and-in-place-updates)).
    ///
    /// Panics with the message of [`Tensor::try_set_index_mut`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let mut x = g.zeros(&[2, 2]);
    /// x.set_index_mut(s![.., 1], 5.0);
    /// assert_eq!(x.to_string(), "Tensor([[0., 5.],\n        [0., 5.]], dtype=float32)");
    /// ```
    #[track_caller]
    pub fn set_index_mut(&mut self, index: impl Into<Index<'g>>, value: impl IntoOperand<'g>) {
        ok(self.try_set_index_mut(index, value))
    }

    /// [`Tensor::set_index_mut`]; on error the handle is unchanged.
    pub fn try_set_index_mut(
        &mut self,
        index: impl Into<Index<'g>>,
        value: impl IntoOperand<'g>,
    ) -> Result<()> {
        *self = self.try_set_index(index, value)?;
        Ok(())
    }
}

/// The augmented operators: `x op= rhs` records `x op rhs` and rebinds `x`.
macro_rules! augmented {
    ($($Trait:ident, $method:ident, $op:tt;)*) => {$(
        /// Records `self
        #[doc = stringify!($op)]
        /// rhs` as a new node and rebinds the handle to it; earlier consumers
        /// keep the old value and the old tensor still gets its gradient.
        /// Panics as the binary operator does.
        impl<'g, R: IntoOperand<'g>> $Trait<R> for Tensor<'g> {
            #[track_caller]
            fn $method(&mut self, rhs: R) {
                *self = *self $op rhs;
            }
        }
    )*};
}

augmented! {
    AddAssign, add_assign, +;
    SubAssign, sub_assign, -;
    MulAssign, mul_assign, *;
    DivAssign, div_assign, /;
}
