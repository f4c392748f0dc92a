//! Shape and layout methods (MyGrad's views).

use causing_diff_kernels::SmallVec;

use super::ok;
use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{Operand, Tensor};
use crate::ops::{Op, ShapeOp};

impl<'g> Tensor<'g> {
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
        self.graph
            .apply(Op::Shape(ShapeOp::Reshape), &[Operand::Tensor(self)], &to)
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
        let mask = eval::axes_mask(Some(axes), ndim, "transpose")?;
        debug_assert!(mask.iter().all(|&m| m == 1));
        let perm: Vec<isize> = axes
            .iter()
            .map(|&a| eval::normalize_axis(a, ndim, "transpose").map(|a| a as isize))
            .collect::<Result<_>>()?;
        self.graph.apply(
            Op::Shape(ShapeOp::Transpose),
            &[Operand::Tensor(self)],
            &perm,
        )
    }
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
    Ok(out)
}
