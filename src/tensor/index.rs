//! Indexing methods: `x[index]` and `where`.

use super::ok;
use crate::error::Result;
use crate::graph::{IntoOperand, Tensor};
use crate::index::Index;
use crate::ops::{IndexOp, Op};

impl<'g> Tensor<'g> {
    /// `self[index]`, with NumPy's whole indexing grammar (write the index
    /// with [`s!`](crate::s)): integers, slices with steps, new axes, the
    /// ellipsis, integer arrays and boolean masks, and mixes of them.
    ///
    /// Basic indexing (no arrays or masks) is a view in MyGrad's sense: it
    /// does not null `self`'s gradient. Advanced indexing is a copy. Either
    /// way the gradient is scattered back and **accumulates** over repeated
    /// indices.
    ///
    /// Panics with the message of [`Tensor::try_index`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0, 3.0]);
    /// let y = x.index(s![[0, 0, 2]]);
    /// assert_eq!(y.to_string(), "Tensor([1., 1., 3.])");
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([2., 0., 1.])");
    /// ```
    #[track_caller]
    pub fn index(self, index: impl Into<Index<'g>>) -> Tensor<'g> {
        ok(self.try_index(index))
    }

    /// [`Tensor::index`], failing with [`Error::IndexOutOfRange`] for an
    /// integer or array entry outside `[-n, n)`,
    /// [`Error::TooManyIndices`], [`Error::ShapeMismatch`] for a mask of the
    /// wrong shape or index arrays that do not broadcast together,
    /// [`Error::UnsupportedDType`] for a float index array, and
    /// [`Error::InvalidArgument`] for a zero step or two ellipses.
    ///
    /// [`Error::IndexOutOfRange`]: crate::Error::IndexOutOfRange
    /// [`Error::TooManyIndices`]: crate::Error::TooManyIndices
    /// [`Error::ShapeMismatch`]: crate::Error::ShapeMismatch
    /// [`Error::UnsupportedDType`]: crate::Error::UnsupportedDType
    /// [`Error::InvalidArgument`]: crate::Error::InvalidArgument
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.zeros(&[2, 3]);
    /// assert!(matches!(x.try_index(s![0, -4]), Err(Error::IndexOutOfRange { index: -4, axis: 1, .. })));
    /// assert!(matches!(x.try_index(s![0, 0, 0]), Err(Error::TooManyIndices { .. })));
    /// assert!(matches!(x.try_index(s![[true, false, true]]), Err(Error::ShapeMismatch { .. })));
    /// ```
    pub fn try_index(self, index: impl Into<Index<'g>>) -> Result<Tensor<'g>> {
        let lowered = index.into().lower("getitem")?;
        let view = lowered.is_basic();
        let mut operands = Vec::with_capacity(1 + lowered.arrays.len());
        operands.push(self.into_operand());
        operands.extend(lowered.arrays);
        self.graph.apply(
            Op::Index(IndexOp::GetItem { view }),
            &operands,
            &lowered.params,
        )
    }

    /// `self` where `cond` is true and `other` elsewhere: MyGrad's
    /// `where(cond, self, other)` (see [`where_`](crate::where_)). All three
    /// broadcast; the gradient goes to `self` where `cond` holds and to
    /// `other` elsewhere.
    ///
    /// Panics with the message of [`Tensor::try_where_`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, -2.0, 3.0]);
    /// let y = x.where_([true, false, true].into_array(), 0.0); // relu-like
    /// assert_eq!(y.to_string(), "Tensor([1., 0., 3.])");
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([1., 0., 1.])");
    /// ```
    #[track_caller]
    pub fn where_(self, cond: impl IntoOperand<'g>, other: impl IntoOperand<'g>) -> Tensor<'g> {
        ok(self.try_where_(cond, other))
    }

    /// [`Tensor::where_`], failing with
    /// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the three
    /// do not broadcast together.
    pub fn try_where_(
        self,
        cond: impl IntoOperand<'g>,
        other: impl IntoOperand<'g>,
    ) -> Result<Tensor<'g>> {
        crate::functions::where_(cond, self, other)
    }
}
