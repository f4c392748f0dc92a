//! Reductions over any set of axes (`sum mean var std max min prod`), the
//! cumulative ops (`cumsum cumprod`), and the non-differentiable `argmax`,
//! `argmin` and `any`, which return plain arrays.
//!
//! Each reduction comes as `name()` (every axis), `name_axis(axis)`,
//! `name_with(axes, keepdims)` and the fallible `try_name_with`; axes may be
//! negative, and naming one twice is an error.

use causing_diff_kernels::SmallVec;

use super::ok;
use crate::array::Array;
use crate::error::Result;
use crate::eval;
use crate::graph::{Operand, Tensor};
use crate::ops::{self, Op, ReduceOp};

impl<'g> Tensor<'g> {
    fn reduce(self, op: ReduceOp, axes: Option<&[isize]>) -> Result<Tensor<'g>> {
        let ndim = self.read(|n| n.value.ndim())?;
        let mask = eval::axes_mask(axes, ndim, op.name())?;
        let params: SmallVec<isize> = mask.iter().map(|&m| m as isize).collect();
        self.graph
            .apply(Op::Reduce(op), &[Operand::Tensor(self)], &params)
    }

    /// A cumulative op along `axis`, or over the flattened tensor.
    fn cumulative(self, op: ReduceOp, axis: Option<isize>) -> Result<Tensor<'g>> {
        let ndim = self.read(|n| n.value.ndim())?;
        let params = match axis {
            Some(a) => vec![eval::normalize_axis(a, ndim, op.name())? as isize],
            None => vec![],
        };
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

    /// The variance of all elements (biased: divides by N). Integer inputs give float64.
    #[track_caller]
    pub fn var(self) -> Tensor<'g> {
        ok(self.try_var_with(None, false, 0))
    }

    /// The variance over one axis.
    #[track_caller]
    pub fn var_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_var_with(Some(&[axis]), false, 0))
    }

    /// The variance over `axes` (`None`: all), with `keepdims`, dividing by
    /// `N - ddof` (NumPy's and MyGrad's `ddof`; 1 gives the unbiased estimate).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]]);
    /// let v = x.var_with(Some(&[-1]), false, 1);
    /// assert_eq!(v.to_string(), "Tensor([1., 0.])");
    /// v.backward();
    /// // d/dx var = 2 (x - mean) / (N - ddof)
    /// assert_eq!(x.grad().unwrap().to_string(), "array([[-1.,  0.,  1.],\n       [ 0.,  0.,  0.]])");
    /// ```
    #[track_caller]
    pub fn var_with(self, axes: Option<&[isize]>, keepdims: bool, ddof: usize) -> Tensor<'g> {
        ok(self.try_var_with(axes, keepdims, ddof))
    }

    /// [`Tensor::var_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange) or
    /// [`Error::DuplicateAxis`](crate::Error::DuplicateAxis).
    pub fn try_var_with(
        self,
        axes: Option<&[isize]>,
        keepdims: bool,
        ddof: usize,
    ) -> Result<Tensor<'g>> {
        self.reduce(ReduceOp::Var { keepdims, ddof }, axes)
    }

    /// The standard deviation of all elements (biased: `sqrt(var())`).
    #[track_caller]
    pub fn std(self) -> Tensor<'g> {
        ok(self.try_std_with(None, false, 0))
    }

    /// The standard deviation over one axis.
    #[track_caller]
    pub fn std_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_std_with(Some(&[axis]), false, 0))
    }

    /// The standard deviation over `axes` (`None`: all), with `keepdims`,
    /// from the variance dividing by `N - ddof`. As in MyGrad, constant data
    /// has a std of 0 and a NaN gradient.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 3.0]);
    /// let s = x.std_with(None, false, 0);
    /// assert_eq!(s.to_string(), "Tensor(1.)");
    /// s.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([-0.5,  0.5])");
    /// ```
    #[track_caller]
    pub fn std_with(self, axes: Option<&[isize]>, keepdims: bool, ddof: usize) -> Tensor<'g> {
        ok(self.try_std_with(axes, keepdims, ddof))
    }

    /// [`Tensor::std_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange) or
    /// [`Error::DuplicateAxis`](crate::Error::DuplicateAxis).
    pub fn try_std_with(
        self,
        axes: Option<&[isize]>,
        keepdims: bool,
        ddof: usize,
    ) -> Result<Tensor<'g>> {
        self.reduce(ReduceOp::Std { keepdims, ddof }, axes)
    }

    /// The largest element (MyGrad's `max`/`amax`). Panics on an empty tensor.
    #[doc(alias = "amax")]
    #[track_caller]
    pub fn max(self) -> Tensor<'g> {
        ok(self.try_max_with(None, false))
    }

    /// The maximum over one axis.
    #[track_caller]
    pub fn max_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_max_with(Some(&[axis]), false))
    }

    /// The maximum over `axes` (`None`: all), with `keepdims`. NaN wins. The
    /// whole gradient of each maximum goes to its first occurrence, in
    /// row-major order over the reduced axes.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, 3.0, 3.0], [4.0, 0.0, 4.0]]);
    /// let m = x.max_with(Some(&[1]), false);
    /// assert_eq!(m.to_string(), "Tensor([3., 4.])");
    /// m.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([[0., 1., 0.],\n       [1., 0., 0.]])");
    /// ```
    #[track_caller]
    pub fn max_with(self, axes: Option<&[isize]>, keepdims: bool) -> Tensor<'g> {
        ok(self.try_max_with(axes, keepdims))
    }

    /// [`Tensor::max_with`], failing with [`Error::EmptyReduction`](crate::Error::EmptyReduction)
    /// when a reduced group is empty, or on bad axes.
    pub fn try_max_with(self, axes: Option<&[isize]>, keepdims: bool) -> Result<Tensor<'g>> {
        self.reduce(ReduceOp::Max { keepdims }, axes)
    }

    /// The smallest element (MyGrad's `min`/`amin`). Panics on an empty tensor.
    #[doc(alias = "amin")]
    #[track_caller]
    pub fn min(self) -> Tensor<'g> {
        ok(self.try_min_with(None, false))
    }

    /// The minimum over one axis.
    #[track_caller]
    pub fn min_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_min_with(Some(&[axis]), false))
    }

    /// The minimum over `axes` (`None`: all), with `keepdims`; as
    /// [`Tensor::max_with`], the gradient goes to the first minimum.
    #[track_caller]
    pub fn min_with(self, axes: Option<&[isize]>, keepdims: bool) -> Tensor<'g> {
        ok(self.try_min_with(axes, keepdims))
    }

    /// [`Tensor::min_with`], failing with [`Error::EmptyReduction`](crate::Error::EmptyReduction)
    /// when a reduced group is empty, or on bad axes.
    pub fn try_min_with(self, axes: Option<&[isize]>, keepdims: bool) -> Result<Tensor<'g>> {
        self.reduce(ReduceOp::Min { keepdims }, axes)
    }

    /// The product of all elements. Integer products are int64.
    ///
    /// The gradient is exact with zeros: where a group holds one zero, that
    /// element gets the product of the others; with two or more, all get 0.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([2.0, 0.0, 3.0]);
    /// let p = x.prod();
    /// p.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([0., 6., 0.])");
    /// ```
    #[track_caller]
    pub fn prod(self) -> Tensor<'g> {
        ok(self.try_prod_with(None, false))
    }

    /// The product over one axis.
    #[track_caller]
    pub fn prod_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_prod_with(Some(&[axis]), false))
    }

    /// The product over `axes` (`None`: all), with `keepdims`.
    #[track_caller]
    pub fn prod_with(self, axes: Option<&[isize]>, keepdims: bool) -> Tensor<'g> {
        ok(self.try_prod_with(axes, keepdims))
    }

    /// [`Tensor::prod_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange) or
    /// [`Error::DuplicateAxis`](crate::Error::DuplicateAxis).
    pub fn try_prod_with(self, axes: Option<&[isize]>, keepdims: bool) -> Result<Tensor<'g>> {
        self.reduce(ReduceOp::Prod { keepdims }, axes)
    }

    /// The running sum of the flattened tensor (a 1-D result). Integer sums are int64.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(x.cumsum().to_string(), "Tensor([ 1.,  3.,  6., 10.])");
    /// assert_eq!(x.cumsum_axis(0).to_string(), "Tensor([[1., 2.],\n        [4., 6.]])");
    /// ```
    #[track_caller]
    pub fn cumsum(self) -> Tensor<'g> {
        ok(self.try_cumsum_with(None))
    }

    /// The running sum along `axis`.
    #[track_caller]
    pub fn cumsum_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_cumsum_with(Some(axis)))
    }

    /// The running sum along `axis`, or of the flattened tensor for `None`.
    #[track_caller]
    pub fn cumsum_with(self, axis: Option<isize>) -> Tensor<'g> {
        ok(self.try_cumsum_with(axis))
    }

    /// [`Tensor::cumsum_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange).
    pub fn try_cumsum_with(self, axis: Option<isize>) -> Result<Tensor<'g>> {
        self.cumulative(ReduceOp::CumSum, axis)
    }

    /// The running product of the flattened tensor (a 1-D result). Integer
    /// products are int64. The gradient is exact with zeros: after the
    /// first zero of a lane every element gets 0. (With NaN inputs it
    /// differs from MyGrad's, whose `nan_to_num` masks them; here a NaN
    /// spreads only to the gradients whose products contain it.)
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([2.0, 0.0, 3.0]);
    /// let y = x.cumprod();
    /// assert_eq!(y.to_string(), "Tensor([2., 0., 0.])");
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([1., 8., 0.])");
    /// ```
    #[track_caller]
    pub fn cumprod(self) -> Tensor<'g> {
        ok(self.try_cumprod_with(None))
    }

    /// The running product along `axis`.
    #[track_caller]
    pub fn cumprod_axis(self, axis: isize) -> Tensor<'g> {
        ok(self.try_cumprod_with(Some(axis)))
    }

    /// The running product along `axis`, or of the flattened tensor for `None`.
    #[track_caller]
    pub fn cumprod_with(self, axis: Option<isize>) -> Tensor<'g> {
        ok(self.try_cumprod_with(axis))
    }

    /// [`Tensor::cumprod_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange).
    pub fn try_cumprod_with(self, axis: Option<isize>) -> Result<Tensor<'g>> {
        self.cumulative(ReduceOp::CumProd, axis)
    }

    /// The index of the first maximum in the flattened tensor, as a 0-d
    /// int64 array (not differentiable; no graph node). NaN counts as the
    /// maximum. Panics on an empty tensor.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, 5.0], [5.0, 2.0]]);
    /// assert_eq!(x.argmax().to_string(), "array(1)");
    /// assert_eq!(x.argmax_axis(0).to_string(), "array([1, 0])");
    /// assert_eq!(x.argmin_axis(-1).to_string(), "array([0, 1])");
    /// ```
    #[track_caller]
    pub fn argmax(self) -> Array {
        ok(self.try_argmax_with(None))
    }

    /// The indices of the first maxima along `axis`.
    #[track_caller]
    pub fn argmax_axis(self, axis: isize) -> Array {
        ok(self.try_argmax_with(Some(axis)))
    }

    /// [`Tensor::argmax_axis`], or [`Tensor::argmax`] for `None`; failing
    /// with [`Error::EmptyReduction`](crate::Error::EmptyReduction) or
    /// [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange).
    pub fn try_argmax_with(self, axis: Option<isize>) -> Result<Array> {
        self.arg_extreme(axis, true)
    }

    /// The index of the first minimum in the flattened tensor; see [`Tensor::argmax`].
    #[track_caller]
    pub fn argmin(self) -> Array {
        ok(self.try_argmin_with(None))
    }

    /// The indices of the first minima along `axis`.
    #[track_caller]
    pub fn argmin_axis(self, axis: isize) -> Array {
        ok(self.try_argmin_with(Some(axis)))
    }

    /// [`Tensor::argmin_axis`], or [`Tensor::argmin`] for `None`; failing
    /// as [`Tensor::try_argmax_with`].
    pub fn try_argmin_with(self, axis: Option<isize>) -> Result<Array> {
        self.arg_extreme(axis, false)
    }

    fn arg_extreme(self, axis: Option<isize>, is_max: bool) -> Result<Array> {
        let op = if is_max { "argmax" } else { "argmin" };
        self.read(|n| {
            let axis = axis
                .map(|a| eval::normalize_axis(a, n.value.ndim(), op))
                .transpose()?;
            ops::reduce::arg_extreme(&n.value, axis, is_max)
        })?
    }

    /// Whether any element is nonzero (NaN counts), as a 0-d bool array
    /// (not differentiable; no graph node).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[0.0, 0.0], [0.0, -1.5]]);
    /// assert_eq!(x.any().to_string(), "array(True)");
    /// assert_eq!(x.any_axis(1).to_string(), "array([False,  True])");
    /// ```
    #[track_caller]
    pub fn any(self) -> Array {
        ok(self.try_any_with(None, false))
    }

    /// Whether any element along `axis` is nonzero.
    #[track_caller]
    pub fn any_axis(self, axis: isize) -> Array {
        ok(self.try_any_with(Some(&[axis]), false))
    }

    /// Whether any element over `axes` (`None`: all) is nonzero, with `keepdims`.
    #[track_caller]
    pub fn any_with(self, axes: Option<&[isize]>, keepdims: bool) -> Array {
        ok(self.try_any_with(axes, keepdims))
    }

    /// [`Tensor::any_with`], failing with [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange) or
    /// [`Error::DuplicateAxis`](crate::Error::DuplicateAxis).
    pub fn try_any_with(self, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.read(|n| {
            let mask = eval::axes_mask(axes, n.value.ndim(), "any")?;
            ops::reduce::any(&n.value, &mask, keepdims)
        })?
    }
}
