//! Manipulation methods that copy (MyGrad nulls the input's gradient):
//! `flip`, `roll`, `repeat`, `tile` and `copy`, and `astype`, which makes a
//! new leaf.

use causing_diff_kernels::SmallVec;

use super::ok;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval;
use crate::grad::Grad;
use crate::graph::{Inner, Operand, Tensor};
use crate::ops::{JoinOp, Op, ShapeOp};

impl<'g> Tensor<'g> {
    /// The elements reversed along every axis (a copy).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(x.flip().to_string(), "Tensor([[4., 3.],\n        [2., 1.]])");
    /// assert_eq!(x.flip_axes(&[1]).to_string(), "Tensor([[2., 1.],\n        [4., 3.]])");
    /// ```
    #[track_caller]
    pub fn flip(self) -> Tensor<'g> {
        ok(self.try_flip_with(None))
    }

    /// The elements reversed along `axes`.
    #[track_caller]
    pub fn flip_axes(self, axes: &[isize]) -> Tensor<'g> {
        ok(self.try_flip_with(Some(axes)))
    }

    /// The elements reversed along `axes` (`None`: all), failing with
    /// [`Error::AxisOutOfRange`] or [`Error::DuplicateAxis`].
    pub fn try_flip_with(self, axes: Option<&[isize]>) -> Result<Tensor<'g>> {
        let ndim = self.try_shape()?.len();
        let mask = eval::axes_mask(axes, ndim, "flip")?;
        let params: SmallVec<isize> = mask.iter().map(|&m| m as isize).collect();
        self.shape_op(ShapeOp::Flip, &params)
    }

    /// The flattened elements shifted by `shift` places (negative: back),
    /// wrapping around, in the original shape (a copy).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(x.roll(1).to_string(), "Tensor([[4., 1.],\n        [2., 3.]])");
    /// assert_eq!(x.roll_axes(&[1], &[1]).to_string(), "Tensor([[2., 1.],\n        [4., 3.]])");
    /// ```
    #[track_caller]
    pub fn roll(self, shift: isize) -> Tensor<'g> {
        ok(self.try_roll(shift))
    }

    /// [`Tensor::roll`], or [`Error::StaleTensor`].
    pub fn try_roll(self, shift: isize) -> Result<Tensor<'g>> {
        let n = self.read(|n| n.value.size())?;
        let s = if n == 0 {
            0
        } else {
            shift.rem_euclid(n as isize)
        };
        self.shape_op(ShapeOp::Roll { flat: true }, &[s])
    }

    /// The elements shifted along axes: `shifts[i]` places along `axes[i]`,
    /// where either list of length 1 pairs with every entry of the other
    /// (NumPy broadcasting); shifts of a repeated axis add up.
    #[track_caller]
    pub fn roll_axes(self, shifts: &[isize], axes: &[isize]) -> Tensor<'g> {
        ok(self.try_roll_axes(shifts, axes))
    }

    /// [`Tensor::roll_axes`], failing with [`Error::AxisOutOfRange`], or
    /// [`Error::ShapeMismatch`] when the lists do not broadcast.
    pub fn try_roll_axes(self, shifts: &[isize], axes: &[isize]) -> Result<Tensor<'g>> {
        let shape = self.try_shape()?;
        let pairs = match (shifts.len(), axes.len()) {
            (a, b) if a == b => a,
            (1, b) => b,
            (a, 1) => a,
            (a, b) => {
                return Err(Error::ShapeMismatch {
                    op: "roll",
                    shapes: vec![vec![a], vec![b]],
                    detail: "shift and axis could not be broadcast together with shapes",
                })
            }
        };
        let mut total = vec![0isize; shape.len()];
        for i in 0..pairs {
            let shift = shifts[if shifts.len() == 1 { 0 } else { i }];
            let axis = axes[if axes.len() == 1 { 0 } else { i }];
            let a = eval::normalize_axis(axis, shape.len(), "roll")?;
            let n = shape[a] as isize;
            if n > 0 {
                total[a] = (total[a] + shift.rem_euclid(n)) % n;
            }
        }
        self.shape_op(ShapeOp::Roll { flat: false }, &total)
    }

    /// A copy as a **new leaf** (MyGrad's `Tensor.copy`): the data and the
    /// gradient are copied, the constness kept, and no graph: gradients of
    /// the copy never reach `self`.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// let y = x * 2.0;
    /// y.backward();
    /// let c = y.copy();
    /// assert_eq!(c.to_string(), "Tensor([2., 4.])");
    /// assert_eq!(c.grad().unwrap().to_string(), "array([1., 1.])");
    /// (c * 3.0).backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([2., 2.])", "x is untouched");
    /// ```
    #[track_caller]
    pub fn copy(self) -> Tensor<'g> {
        ok(self.try_copy())
    }

    /// [`Tensor::copy`], or [`Error::StaleTensor`].
    pub fn try_copy(self) -> Result<Tensor<'g>> {
        let mut inner = self.graph.inner.borrow_mut();
        let i = inner.check(self.idx, self.stamp)?;
        let Inner { nodes, pool, .. } = &mut *inner;
        let node = &nodes[i];
        let value = eval::cast(&node.value, node.value.dtype(), pool)?;
        let grad = match &node.grad {
            Some(g) => {
                let formed = g.formed(pool)?;
                let copy = eval::cast(&formed, g.dtype(), pool);
                eval::release(formed, pool);
                Some(Grad::Formed(copy?))
            }
            None => None,
        };
        let constant = node.constant;
        let ids = inner.leaf(value, constant)?;
        inner.nodes[ids.0 as usize].grad = grad;
        drop(inner);
        Ok(self.graph.handle(ids))
    }

    /// Each element repeated: `repeats` holds one count for all elements or
    /// one per element along `axis` (`None`: of the flattened tensor, giving
    /// a 1-D result). Counts may be 0.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(x.repeat(&[2], None).to_string(), "Tensor([1., 1., 2., 2., 3., 3., 4., 4.])");
    /// let y = x.repeat(&[0, 3], Some(1));
    /// assert_eq!(y.to_string(), "Tensor([[2., 2., 2.],\n        [4., 4., 4.]])");
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([[0., 3.],\n       [0., 3.]])");
    /// ```
    #[track_caller]
    pub fn repeat(self, repeats: &[usize], axis: Option<isize>) -> Tensor<'g> {
        ok(self.try_repeat(repeats, axis))
    }

    /// [`Tensor::repeat`], failing with [`Error::AxisOutOfRange`], or
    /// [`Error::ShapeMismatch`] when there are neither one count nor one
    /// per element.
    pub fn try_repeat(self, repeats: &[usize], axis: Option<isize>) -> Result<Tensor<'g>> {
        let shape = self.try_shape()?;
        let too_large = || Error::TooLarge {
            op: "repeat",
            shape: shape.clone(),
        };
        // A 0-d tensor repeats along an axis as if it were 1-D (NumPy).
        let (len, axis) = match axis {
            None => (eval::size(&shape, "repeat")?, None),
            Some(a) if shape.is_empty() => (1, Some(eval::normalize_axis(a, 1, "repeat")?)),
            Some(a) => {
                let a = eval::normalize_axis(a, shape.len(), "repeat")?;
                (shape[a], Some(a))
            }
        };
        let total = match repeats {
            [r] => r.checked_mul(len),
            _ if repeats.len() == len => repeats.iter().try_fold(0usize, |t, &r| t.checked_add(r)),
            _ => {
                return Err(Error::ShapeMismatch {
                    op: "repeat",
                    shapes: vec![vec![repeats.len()], vec![len]],
                    detail: "the repeats do not broadcast to the repeated elements: shapes",
                })
            }
        }
        .ok_or_else(too_large)?;
        let out_shape = match axis {
            Some(a) if !shape.is_empty() => {
                let mut s = shape.clone();
                s[a] = total;
                s
            }
            _ => vec![total],
        };
        eval::size(&out_shape, "repeat")?;
        let mut params: Vec<isize> = axis.map(|a| a as isize).into_iter().collect();
        for &r in repeats {
            params.push(isize::try_from(r).map_err(|_| too_large())?);
        }
        let op = JoinOp::Repeat {
            flat: axis.is_none(),
        };
        self.graph
            .apply(Op::Join(op), &[Operand::Tensor(self)], &params)
    }

    /// The tensor tiled `reps[i]` times along axis `i` (NumPy's `tile`: the
    /// shorter of `reps` and the shape is padded with leading 1s).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// assert_eq!(x.tile(&[2]).to_string(), "Tensor([1., 2., 1., 2.])");
    /// assert_eq!(x.tile(&[2, 1]).shape(), vec![2, 2]);
    /// ```
    #[track_caller]
    pub fn tile(self, reps: &[usize]) -> Tensor<'g> {
        ok(self.try_tile(reps))
    }

    /// [`Tensor::tile`], failing with [`Error::TooLarge`] when the result
    /// would not fit in memory.
    pub fn try_tile(self, reps: &[usize]) -> Result<Tensor<'g>> {
        let shape = self.try_shape()?;
        let d = reps.len().max(shape.len());
        let pad = |v: &[usize]| -> Vec<usize> {
            core::iter::repeat_n(1, d - v.len())
                .chain(v.iter().copied())
                .collect()
        };
        let (reps, dims) = (pad(reps), pad(&shape));
        let too_large = || Error::TooLarge {
            op: "tile",
            shape: shape.clone(),
        };
        let out_shape = reps
            .iter()
            .zip(&dims)
            .map(|(&r, &n)| r.checked_mul(n))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(too_large)?;
        eval::size(&out_shape, "tile")?;
        let params = reps
            .iter()
            .map(|&r| isize::try_from(r).map_err(|_| too_large()))
            .collect::<Result<SmallVec<isize>>>()?;
        self.graph
            .apply(Op::Join(JoinOp::Tile), &[Operand::Tensor(self)], &params)
    }

    /// A copy converted to `dtype`, as a **new leaf**: no gradient flows back
    /// to `self`. A float result is a variable (even from a constant or an
    /// integer tensor), an integer or bool result a constant. Float → int
    /// truncates toward zero; → bool is `x != 0` (NaN is true).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.9, -0.5, 0.0]);
    /// assert_eq!(x.astype(DType::Int64).to_string(), "Tensor([1, 0, 0])");
    /// assert_eq!(x.astype(DType::Bool).to_string(), "Tensor([ True,  True, False])");
    /// let y = g.tensor([1, 2]).astype(DType::Float32);
    /// assert!(!y.is_constant());
    /// ```
    #[track_caller]
    pub fn astype(self, dtype: DType) -> Tensor<'g> {
        ok(self.try_astype(dtype))
    }

    /// [`Tensor::astype`], or [`Error::StaleTensor`].
    pub fn try_astype(self, dtype: DType) -> Result<Tensor<'g>> {
        let mut inner = self.graph.inner.borrow_mut();
        let i = inner.check(self.idx, self.stamp)?;
        let Inner { nodes, pool, .. } = &mut *inner;
        let value = eval::cast(&nodes[i].value, dtype, pool)?;
        let ids = inner.leaf(value, !dtype.is_float())?;
        drop(inner);
        Ok(self.graph.handle(ids))
    }
}
