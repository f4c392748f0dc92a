//! Reductions over any set of axes.

use causing_diff_kernels::SmallVec;

use super::ok;
use crate::error::Result;
use crate::eval;
use crate::graph::{Operand, Tensor};
use crate::ops::{Op, ReduceOp};

impl<'g> Tensor<'g> {
    fn reduce(self, op: ReduceOp, axes: Option<&[isize]>) -> Result<Tensor<'g>> {
        let ndim = self.read(|n| n.value.ndim())?;
        let mask = eval::axes_mask(axes, ndim, op.name())?;
        let params: SmallVec<isize> = mask.iter().map(|&m| m as isize).collect();
        self.graph
            .apply(Op::Reduce(op), &[Operand::Tensor(self)], &params)
    }

    /// The sum of all elements (a 0-d tensor). Integer sums are int64.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let t = g.tensor([2.0, 4.0, 8.0]);
    /// let arr = Array::from_vec(vec![-1.0, 2.0, 0.0]);
    /// let loss = (arr * t.pow(2.0)).sum();
    /// loss.backward();
    /// assert_eq!(t.grad().unwrap().to_string(), "array([-4., 16.,  0.])");
    /// ```
    #[track_caller]
    pub fn sum(self) -> Tensor<'g> {
        ok(self.try_sum_with(None, false))
    }

    /// The sum over one axis (negative counts from the end).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([0.0, 0.25, 0.5, 0.75, 1.0]);
    /// let y = g.tensor([[0.0], [1.0], [2.0]]);
    /// assert_eq!((x * y).sum_axis(0).to_string(), "Tensor([0.  , 0.75, 1.5 , 2.25, 3.  ])");
    /// ```
    #[track_caller]
    pub fn sum_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_sum_with(Some(&[axis]), false))
    }

    /// The sum over `axes` (`None`: all), keeping them as size-1 axes with `keepdims`.
    #[track_caller]
    pub fn sum_with(self, axes: Option<&[isize]>, keepdims: bool) -> Tensor<'g> {
        ok(self.try_sum_with(axes, keepdims))
    }

    /// [`Tensor::sum_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange) or
    /// [`Error::DuplicateAxis`](crate::Error::DuplicateAxis).
    pub fn try_sum_with(self, axes: Option<&[isize]>, keepdims: bool) -> Result<Tensor<'g>> {
        self.reduce(ReduceOp::Sum { keepdims }, axes)
    }

    /// The mean of all elements. Integer inputs give float64.
    #[track_caller]
    pub fn mean(self) -> Tensor<'g> {
        ok(self.try_mean_with(None, false))
    }

    /// The mean over one axis.
    #[track_caller]
    pub fn mean_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_mean_with(Some(&[axis]), false))
    }

    /// The mean over `axes` (`None`: all), with `keepdims`.
    #[track_caller]
    pub fn mean_with(self, axes: Option<&[isize]>, keepdims: bool) -> Tensor<'g> {
        ok(self.try_mean_with(axes, keepdims))
    }

    /// [`Tensor::mean_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange) or
    /// [`Error::DuplicateAxis`](crate::Error::DuplicateAxis).
    pub fn try_mean_with(self, axes: Option<&[isize]>, keepdims: bool) -> Result<Tensor<'g>> {
        self.reduce(ReduceOp::Mean { keepdims }, axes)
    }
}
