//! Linear algebra methods: `matmul` and vector norms (`einsum` and
//! `multi_matmul` are free functions, over any number of tensors).

use causing_diff_kernels::SmallVec;

use super::ok;
use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::{NormOp, Op};

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

impl<'g> Tensor<'g> {
    /// The 2-norm of all elements (MyGrad's `norm(x)`): `√Σx²` of the
    /// flattened tensor, a 0-d tensor.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[3.0, 0.0], [0.0, -4.0]]);
    /// let n = x.norm();
    /// assert_eq!(n.to_string(), "Tensor(5.)");
    /// n.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([[ 0.6,  0. ],\n       [ 0. , -0.8]])");
    /// ```
    #[track_caller]
    pub fn norm(self) -> Tensor<'g> {
        ok(self.try_norm_with(None, None, false, true))
    }

    /// Vector norms, as MyGrad's `norm(x, ord, axis, keepdims,
    /// nan_to_num=...)`: `(Σ|x|^ord)^(1/ord)` along `axis`, for any real
    /// `ord` but 0 (`None` is 2); `f64::INFINITY` is `max|x|` and
    /// `f64::NEG_INFINITY` `min|x|`. With no axis the tensor is flattened
    /// when `ord` is `None`, and must be 1-D otherwise (MyGrad has no matrix
    /// norms). Integer tensors give float64.
    ///
    /// The gradient follows MyGrad: at a zero entry it is 0, or NaN with
    /// `nan_to_num = false`; an all-zero vector gets NaN (`0/0`) for every
    /// `ord` but 1 and ±∞, even with `nan_to_num`. For ±∞ the whole
    /// gradient goes to the first extreme entry and `nan_to_num` is
    /// ignored, as in MyGrad.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([[1.0, -2.0, 2.0], [0.0, 3.0, 0.0]]);
    /// let n = x.norm_with(Some(1.0), Some(1), false, true);
    /// assert_eq!(n.to_string(), "Tensor([5., 3.])");
    /// n.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([[ 1., -1.,  1.],\n       [ 0.,  1.,  0.]])");
    /// ```
    #[track_caller]
    pub fn norm_with(
        self,
        ord: Option<f64>,
        axis: Option<isize>,
        keepdims: bool,
        nan_to_num: bool,
    ) -> Tensor<'g> {
        ok(self.try_norm_with(ord, axis, keepdims, nan_to_num))
    }

    /// [`Tensor::norm_with`], failing with
    /// [`Error::AxisOutOfRange`](crate::Error::AxisOutOfRange), with
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for `ord`
    /// 0 or NaN and for a matrix norm (an `ord` and no axis on a tensor that
    /// is not 1-D), and with
    /// [`Error::EmptyReduction`](crate::Error::EmptyReduction) for an
    /// infinite `ord` over an empty axis.
    pub fn try_norm_with(
        self,
        ord: Option<f64>,
        axis: Option<isize>,
        keepdims: bool,
        nan_to_num: bool,
    ) -> Result<Tensor<'g>> {
        let ndim = self.try_shape()?.len();
        let invalid = |message: String| Error::InvalidArgument {
            op: "norm",
            message,
        };
        if let Some(p) = ord {
            if p == 0.0 || p.is_nan() {
                return Err(invalid(format!("ord={p} is not a differentiable norm")));
            }
            // MyGrad's rule: its infinite norms go through max/min, which
            // only refuse the 2-D case.
            let matrix = if p.is_infinite() {
                ndim == 2
            } else {
                ndim != 1
            };
            if axis.is_none() && matrix {
                return Err(invalid(format!(
                    "matrix norms are not supported: ord={p} with no axis needs a 1-D tensor, got {ndim}-D"
                )));
            }
        }
        let axes = axis.map(|a| [a]);
        let mask = eval::axes_mask(axes.as_ref().map(|a| &a[..]), ndim, "norm")?;
        let params: SmallVec<isize> = mask.iter().map(|&m| m as isize).collect();
        let op = NormOp {
            ord: ord.unwrap_or(2.0),
            keepdims,
            nan_to_num,
        };
        self.graph
            .apply(Op::Norm(op), &[Operand::Tensor(self)], &params)
    }
}
