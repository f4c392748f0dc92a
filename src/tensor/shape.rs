//! Shape and layout methods: MyGrad's views (reshape, squeeze, transpose,
//! ...) and `flatten`, their copying twin. The other copies are in `copies.rs`.

use causing_diff_kernels::{Layout, SmallVec};

use super::ok;
use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{Operand, Tensor};
use crate::ops::{Op, ShapeOp};

impl<'g> Tensor<'g> {
    pub(super) fn shape_op(self, op: ShapeOp, params: &[isize]) -> Result<Tensor<'g>> {
        self.graph
            .apply(Op::Shape(op), &[Operand::Tensor(self)], params)
    }

    /// A reshape-like op to the output shape `to`.
    pub(super) fn reshape_op(self, op: ShapeOp, to: &[usize]) -> Result<Tensor<'g>> {
        let params: SmallVec<isize> = to.iter().map(|&d| d as isize).collect();
        self.shape_op(op, &params)
    }

    /// The same data with a new shape; one entry may be `-1` (inferred).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(
    ///     g.arange(9.0).reshape(&[3, 3]).to_string(),
    ///     "Tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])"
    /// );
    /// ```
    #[track_caller]
    pub fn reshape(self, shape: &[isize]) -> Tensor<'g> {
        ok(self.try_reshape(shape))
    }

    /// [`Tensor::reshape`], failing with [`Error::BadReshape`].
    pub fn try_reshape(self, shape: &[isize]) -> Result<Tensor<'g>> {
        let from = self.try_shape()?;
        let to = resolve_reshape(&from, shape)?;
        self.shape_op(ShapeOp::Reshape, &to)
    }

    /// The elements as a 1-D tensor in row-major order (a view, as MyGrad's
    /// `ravel`).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.tensor([[1.0, 2.0], [3.0, 4.0]]).ravel().to_string(), "Tensor([1., 2., 3., 4.])");
    /// ```
    #[track_caller]
    pub fn ravel(self) -> Tensor<'g> {
        ok(self.try_ravel())
    }

    /// [`Tensor::ravel`], or [`Error::StaleTensor`].
    pub fn try_ravel(self) -> Result<Tensor<'g>> {
        let n = self.read(|n| n.value.size())?;
        self.reshape_op(ShapeOp::Ravel, &[n])
    }

    /// The elements as a 1-D tensor in row-major order, as a copy (MyGrad's
    /// `Tensor.flatten`: unlike [`Tensor::ravel`], it nulls `self`'s gradient).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.tensor(5.0).flatten().shape(), vec![1]);
    /// ```
    #[track_caller]
    pub fn flatten(self) -> Tensor<'g> {
        ok(self.try_flatten())
    }

    /// [`Tensor::flatten`], or [`Error::StaleTensor`].
    pub fn try_flatten(self) -> Result<Tensor<'g>> {
        let n = self.read(|n| n.value.size())?;
        self.reshape_op(ShapeOp::Flatten, &[n])
    }

    /// Removes every size-1 axis.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[1, 3, 1]).squeeze().shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn squeeze(self) -> Tensor<'g> {
        ok(self.try_squeeze_with(None))
    }

    /// Removes the given size-1 axes (negative counts from the end).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[1, 3, 1]).squeeze_axes(&[-1]).shape(), vec![1, 3]);
    /// assert!(g.zeros(&[1, 3]).try_squeeze_with(Some(&[1])).is_err());
    /// ```
    #[track_caller]
    pub fn squeeze_axes(self, axes: &[isize]) -> Tensor<'g> {
        ok(self.try_squeeze_with(Some(axes)))
    }

    /// Removes the size-1 `axes` (`None`: all of them). Fails with
    /// [`Error::AxisOutOfRange`], [`Error::DuplicateAxis`], or
    /// [`Error::InvalidArgument`] for an axis whose size is not 1.
    pub fn try_squeeze_with(self, axes: Option<&[isize]>) -> Result<Tensor<'g>> {
        let shape = self.try_shape()?;
        let to: Vec<usize> = match axes {
            None => shape.iter().copied().filter(|&d| d != 1).collect(),
            Some(axes) => {
                let mask = eval::axes_mask(Some(axes), shape.len(), "squeeze")?;
                if let Some(a) = (0..shape.len()).find(|&a| mask[a] == 1 && shape[a] != 1) {
                    return Err(Error::InvalidArgument {
                        op: "squeeze",
                        message: format!(
                            "cannot select an axis to squeeze out which has size not equal \
                             to one (axis {a} of shape {shape:?})"
                        ),
                    });
                }
                (0..shape.len())
                    .filter(|&a| mask[a] == 0)
                    .map(|a| shape[a])
                    .collect()
            }
        };
        self.reshape_op(ShapeOp::Squeeze, &to)
    }

    /// Inserts a size-1 axis at position `axis` of the result (in
    /// `[-ndim-1, ndim]`).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[2, 3]).expand_dims(-1).shape(), vec![2, 3, 1]);
    /// ```
    #[track_caller]
    pub fn expand_dims(self, axis: isize) -> Tensor<'g> {
        ok(self.try_expand_dims(axis))
    }

    /// [`Tensor::expand_dims`], failing with [`Error::AxisOutOfRange`].
    pub fn try_expand_dims(self, axis: isize) -> Result<Tensor<'g>> {
        let mut shape = self.try_shape()?;
        let at = eval::normalize_axis(axis, shape.len() + 1, "expand_dims")?;
        shape.insert(at, 1);
        eval::size(&shape, "expand_dims")?;
        self.reshape_op(ShapeOp::ExpandDims, &shape)
    }

    /// The tensor broadcast to `shape` (NumPy's rules, one way). The
    /// gradient sums over the broadcast axes.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// let y = x.broadcast_to(&[3, 2]);
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([3., 3.])");
    /// ```
    #[track_caller]
    pub fn broadcast_to(self, shape: &[usize]) -> Tensor<'g> {
        ok(self.try_broadcast_to(shape))
    }

    /// [`Tensor::broadcast_to`], failing with [`Error::ShapeMismatch`].
    pub fn try_broadcast_to(self, shape: &[usize]) -> Result<Tensor<'g>> {
        let from = self.try_shape()?;
        if Layout::contiguous(&from).broadcast_to(shape).is_none() {
            return Err(Error::ShapeMismatch {
                op: "broadcast_to",
                shapes: vec![from, shape.to_vec()],
                detail: "the input cannot be broadcast to the target shape (input, target):",
            });
        }
        eval::size(shape, "broadcast_to")?;
        self.reshape_op(ShapeOp::BroadcastTo, shape)
    }

    /// The tensor with at least one axis: a 0-d tensor becomes `(1,)`.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.tensor(1.0).atleast_1d().shape(), vec![1]);
    /// ```
    #[track_caller]
    pub fn atleast_1d(self) -> Tensor<'g> {
        ok(self.try_atleast_1d())
    }

    /// [`Tensor::atleast_1d`], or [`Error::StaleTensor`].
    pub fn try_atleast_1d(self) -> Result<Tensor<'g>> {
        let to = match self.try_shape()?[..] {
            [] => vec![1],
            ref s => s.to_vec(),
        };
        self.reshape_op(ShapeOp::AtLeast1d, &to)
    }

    /// The tensor with at least two axes: `()` becomes `(1, 1)` and `(n,)`
    /// becomes `(1, n)`.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[3]).atleast_2d().shape(), vec![1, 3]);
    /// ```
    #[track_caller]
    pub fn atleast_2d(self) -> Tensor<'g> {
        ok(self.try_atleast_2d())
    }

    /// [`Tensor::atleast_2d`], or [`Error::StaleTensor`].
    pub fn try_atleast_2d(self) -> Result<Tensor<'g>> {
        let to = match self.try_shape()?[..] {
            [] => vec![1, 1],
            [n] => vec![1, n],
            ref s => s.to_vec(),
        };
        self.reshape_op(ShapeOp::AtLeast2d, &to)
    }

    /// The tensor with at least three axes (NumPy's rules): `()` becomes
    /// `(1, 1, 1)`, `(n,)` becomes `(1, n, 1)` and `(m, n)` becomes
    /// `(m, n, 1)`.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[3]).atleast_3d().shape(), vec![1, 3, 1]);
    /// assert_eq!(g.zeros(&[2, 3]).atleast_3d().shape(), vec![2, 3, 1]);
    /// ```
    #[track_caller]
    pub fn atleast_3d(self) -> Tensor<'g> {
        ok(self.try_atleast_3d())
    }

    /// [`Tensor::atleast_3d`], or [`Error::StaleTensor`].
    pub fn try_atleast_3d(self) -> Result<Tensor<'g>> {
        let to = match self.try_shape()?[..] {
            [] => vec![1, 1, 1],
            [n] => vec![1, n, 1],
            [m, n] => vec![m, n, 1],
            ref s => s.to_vec(),
        };
        self.reshape_op(ShapeOp::AtLeast3d, &to)
    }

    /// The axes reversed (MyGrad's `.T` and `transpose()`).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[2, 3, 4]).transpose().shape(), vec![4, 3, 2]);
    /// ```
    #[track_caller]
    pub fn transpose(self) -> Tensor<'g> {
        ok(self.try_transpose())
    }

    /// [`Tensor::transpose`], or [`Error::StaleTensor`].
    pub fn try_transpose(self) -> Result<Tensor<'g>> {
        let n = self.read(|n| n.value.ndim())? as isize;
        let axes: SmallVec<isize> = (0..n).rev().collect();
        self.try_transpose_axes(&axes)
    }

    /// The axes permuted: axis `i` of the result is axis `axes[i]` of `self`.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[2, 3, 4]).transpose_axes(&[2, 0, 1]).shape(), vec![4, 2, 3]);
    /// ```
    #[track_caller]
    pub fn transpose_axes(self, axes: &[isize]) -> Tensor<'g> {
        ok(self.try_transpose_axes(axes))
    }

    /// [`Tensor::transpose_axes`], failing unless `axes` is a permutation
    /// of the axes (negative entries count from the end).
    pub fn try_transpose_axes(self, axes: &[isize]) -> Result<Tensor<'g>> {
        let ndim = self.try_shape()?.len();
        if axes.len() != ndim {
            return Err(Error::InvalidArgument {
                op: "transpose",
                message: format!(
                    "axes don't match array: {} axes for {ndim} dimensions",
                    axes.len()
                ),
            });
        }
        let perm = normalize_axes(axes, ndim, "transpose")?;
        self.shape_op(ShapeOp::Transpose, &perm)
    }

    /// Moves the axes `source` to the positions `destination` (as many of
    /// each; negative counts from the end); the other axes keep their order.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.zeros(&[2, 3, 4]);
    /// assert_eq!(x.moveaxis(&[0], &[-1]).shape(), vec![3, 4, 2]);
    /// assert_eq!(x.moveaxis(&[0, 1], &[-1, 0]).shape(), vec![3, 4, 2]);
    /// ```
    #[track_caller]
    pub fn moveaxis(self, source: &[isize], destination: &[isize]) -> Tensor<'g> {
        ok(self.try_moveaxis(source, destination))
    }

    /// [`Tensor::moveaxis`], failing with [`Error::AxisOutOfRange`],
    /// [`Error::DuplicateAxis`], or [`Error::InvalidArgument`] when
    /// `source` and `destination` differ in length.
    pub fn try_moveaxis(self, source: &[isize], destination: &[isize]) -> Result<Tensor<'g>> {
        let ndim = self.try_shape()?.len();
        let src = normalize_axes(source, ndim, "moveaxis")?;
        let dst = normalize_axes(destination, ndim, "moveaxis")?;
        if src.len() != dst.len() {
            return Err(Error::InvalidArgument {
                op: "moveaxis",
                message: format!(
                    "`source` and `destination` arguments must have the same number of \
                     elements ({} and {})",
                    src.len(),
                    dst.len()
                ),
            });
        }
        // The unmoved axes in order, then each moved axis inserted at its
        // destination, lowest destination first (NumPy's construction).
        let mut order: Vec<isize> = (0..ndim as isize).filter(|a| !src.contains(a)).collect();
        let mut moves: Vec<(isize, isize)> = dst.iter().copied().zip(src).collect();
        moves.sort_unstable();
        for (d, s) in moves {
            order.insert(d as usize, s);
        }
        self.shape_op(ShapeOp::MoveAxis, &order)
    }

    /// Exchanges two axes.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[2, 3, 4]).swapaxes(0, -1).shape(), vec![4, 3, 2]);
    /// ```
    #[track_caller]
    pub fn swapaxes(self, axis1: isize, axis2: isize) -> Tensor<'g> {
        ok(self.try_swapaxes(axis1, axis2))
    }

    /// [`Tensor::swapaxes`], failing with [`Error::AxisOutOfRange`].
    pub fn try_swapaxes(self, axis1: isize, axis2: isize) -> Result<Tensor<'g>> {
        let ndim = self.try_shape()?.len();
        let a = eval::normalize_axis(axis1, ndim, "swapaxes")?;
        let b = eval::normalize_axis(axis2, ndim, "swapaxes")?;
        let mut perm: Vec<isize> = (0..ndim as isize).collect();
        perm.swap(a, b);
        self.shape_op(ShapeOp::SwapAxes, &perm)
    }
}

/// Axes in `[-ndim, ndim)` as indices, each at most once.
fn normalize_axes(axes: &[isize], ndim: usize, op: &'static str) -> Result<Vec<isize>> {
    eval::axes_mask(Some(axes), ndim, op)?;
    axes.iter()
        .map(|&a| eval::normalize_axis(a, ndim, op).map(|a| a as isize))
        .collect()
}

/// The concrete shape of a reshape, resolving one `-1`.
fn resolve_reshape(from: &[usize], to: &[isize]) -> Result<Vec<isize>> {
    let bad = || Error::BadReshape {
        from: from.to_vec(),
        to: to.to_vec(),
    };
    let size = eval::size(from, "reshape")?;
    let mut known: usize = 1;
    let mut infer = None;
    for (i, &d) in to.iter().enumerate() {
        if d == -1 {
            if infer.replace(i).is_some() {
                return Err(bad());
            }
        } else if d < 0 {
            return Err(bad());
        } else {
            known = known.checked_mul(d as usize).ok_or_else(bad)?;
        }
    }
    let mut out = to.to_vec();
    match infer {
        Some(i) => {
            if known == 0 || size % known != 0 {
                return Err(bad());
            }
            out[i] = (size / known) as isize;
        }
        None if known != size => return Err(bad()),
        None => {}
    }
    // A zero among the sizes lets the others grow past what can be addressed.
    let dims: Vec<usize> = out.iter().map(|&d| d as usize).collect();
    eval::size(&dims, "reshape")?;
    Ok(out)
}
