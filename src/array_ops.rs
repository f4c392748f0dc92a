//! Plain-array arithmetic (eager, no graph) and [`Numeric`]: numeric code
//! written once that computes values for [`Array`]s and differentiates for
//! [`Tensor`]s — the Rust counterpart of passing a tensor through NumPy code.

use core::ops::{Add, Div, Mul, Neg, Sub};

use crate::array::Array;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::eval;
use crate::graph::Tensor;
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::pool::Pool;
use crate::tensor::ok;

impl Array {
    fn binary(&self, op: BinaryOp, other: &Array) -> Result<Array> {
        op.forward(self, other, &mut Pool::default())
    }

    fn binary_scalar(&self, op: BinaryOp, s: Scalar, scalar_first: bool) -> Result<Array> {
        let mut pool = Pool::default();
        let s = eval::scalar_array(s, self.dtype().promote_weak(s), &mut pool, op.name())?;
        if scalar_first {
            op.forward(&s, self, &mut pool)
        } else {
            op.forward(self, &s, &mut pool)
        }
    }

    fn unary(&self, op: UnaryOp) -> Array {
        ok(op.forward(self, &mut Pool::default()))
    }

    /// `self + other` with broadcasting, failing with
    /// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch).
    ///
    /// ```
    /// use causing_diff::Array;
    /// let a = Array::from_vec(vec![1.0, 2.0]);
    /// assert_eq!(a.try_add(&a).unwrap().to_string(), "array([2., 4.])");
    /// ```
    pub fn try_add(&self, other: &Array) -> Result<Array> {
        self.binary(BinaryOp::Add, other)
    }

    /// `self - other` with broadcasting.
    pub fn try_sub(&self, other: &Array) -> Result<Array> {
        self.binary(BinaryOp::Subtract, other)
    }

    /// `self * other` with broadcasting.
    pub fn try_mul(&self, other: &Array) -> Result<Array> {
        self.binary(BinaryOp::Multiply, other)
    }

    /// `self / other` with broadcasting.
    pub fn try_div(&self, other: &Array) -> Result<Array> {
        self.binary(BinaryOp::Divide, other)
    }

    /// `self ** exponent`, elementwise.
    pub fn powf(&self, exponent: f64) -> Array {
        ok(self.binary_scalar(BinaryOp::Power, Scalar::Float(exponent), false))
    }

    /// The sum of all elements, as a 0-d array.
    pub fn sum(&self) -> Array {
        let mask = ok(eval::axes_mask(None, self.ndim(), "sum"));
        let params: Vec<isize> = mask.iter().map(|&m| m as isize).collect();
        ok(ReduceOp::Sum { keepdims: false }.forward(
            self,
            &params,
            &mut Pool::default(),
            &mut Vec::new(),
        ))
    }

    /// The mean of all elements, as a 0-d array.
    pub fn mean(&self) -> Array {
        let mask = ok(eval::axes_mask(None, self.ndim(), "mean"));
        let params: Vec<isize> = mask.iter().map(|&m| m as isize).collect();
        ok(ReduceOp::Mean { keepdims: false }.forward(
            self,
            &params,
            &mut Pool::default(),
            &mut Vec::new(),
        ))
    }
}

/// Rust numbers usable beside an [`Array`] in an operator.
pub trait ArrayScalar: Into<Scalar> + Copy {}
impl ArrayScalar for f64 {}
impl ArrayScalar for f32 {}
impl ArrayScalar for i64 {}
impl ArrayScalar for i32 {}

macro_rules! array_operators {
    ($($Trait:ident, $method:ident, $op:ident;)*) => {$(
        impl $Trait<&Array> for &Array {
            type Output = Array;
            /// Panics when the shapes do not broadcast.
            #[track_caller]
            fn $method(self, rhs: &Array) -> Array {
                ok(self.binary(BinaryOp::$op, rhs))
            }
        }
        impl $Trait<Array> for Array {
            type Output = Array;
            /// Panics when the shapes do not broadcast.
            #[track_caller]
            fn $method(self, rhs: Array) -> Array {
                ok(self.binary(BinaryOp::$op, &rhs))
            }
        }
        impl $Trait<&Array> for Array {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: &Array) -> Array {
                ok(self.binary(BinaryOp::$op, rhs))
            }
        }
        impl<S: ArrayScalar> $Trait<S> for Array {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: S) -> Array {
                ok(self.binary_scalar(BinaryOp::$op, rhs.into(), false))
            }
        }
        impl<S: ArrayScalar> $Trait<S> for &Array {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: S) -> Array {
                ok(self.binary_scalar(BinaryOp::$op, rhs.into(), false))
            }
        }
        // Only f64 and i64 on the left, so that literals infer (see tensor.rs).
        array_operators!(@rev $Trait, $method, $op; f64, i64);
    )*};
    (@rev $Trait:ident, $method:ident, $op:ident; $($t:ty),*) => {$(
        impl $Trait<Array> for $t {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: Array) -> Array {
                ok(rhs.binary_scalar(BinaryOp::$op, self.into(), true))
            }
        }
        impl $Trait<&Array> for $t {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: &Array) -> Array {
                ok(rhs.binary_scalar(BinaryOp::$op, self.into(), true))
            }
        }
    )*};
}

array_operators! {
    Add, add, Add;
    Sub, sub, Subtract;
    Mul, mul, Multiply;
    Div, div, Divide;
}

impl Neg for Array {
    type Output = Array;
    fn neg(self) -> Array {
        self.unary(UnaryOp::Negative)
    }
}

impl Neg for &Array {
    type Output = Array;
    fn neg(self) -> Array {
        self.unary(UnaryOp::Negative)
    }
}

/// Numeric code written once for plain arrays and tensors: with an
/// [`Array`] it computes values; with a [`Tensor`] it records a graph that
/// can be differentiated. Operators with `Self` and `f64` are available
/// too (they panic on incompatible shapes).
///
/// ```
/// use causing_diff::prelude::*;
///
/// fn f<T: Numeric>(x: &T) -> T {
///     (x.clone() * 2.0).sin() * x.cos() * (-x.clone() / 3.0).exp() * 100.0
/// }
///
/// // Plain values:
/// let a = Array::scalar(1.0);
/// assert!((f(&a).item().unwrap() - 100.0 * 2f64.sin() * 1f64.cos() * (-1f64 / 3.0).exp()).abs() < 1e-12);
///
/// // The same code, differentiated:
/// let g = Graph::new();
/// let x = g.tensor(1.0);
/// f(&x).backward();
/// assert!(x.grad().is_some());
/// ```
pub trait Numeric:
    Sized
    + Clone
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// Elementwise square.
    fn square(&self) -> Self;
    /// Elementwise square root.
    fn sqrt(&self) -> Self;
    /// Elementwise `e^x`.
    fn exp(&self) -> Self;
    /// Elementwise natural logarithm.
    fn log(&self) -> Self;
    /// Elementwise sine.
    fn sin(&self) -> Self;
    /// Elementwise cosine.
    fn cos(&self) -> Self;
    /// Elementwise tangent.
    fn tan(&self) -> Self;
    /// Elementwise absolute value.
    fn abs(&self) -> Self;
    /// Elementwise power with a scalar exponent.
    fn powf(&self, exponent: f64) -> Self;
    /// The sum of all elements.
    fn sum(&self) -> Self;
    /// The mean of all elements.
    fn mean(&self) -> Self;
}

impl Numeric for Array {
    fn square(&self) -> Self {
        self.unary(UnaryOp::Square)
    }
    fn sqrt(&self) -> Self {
        self.unary(UnaryOp::Sqrt)
    }
    fn exp(&self) -> Self {
        self.unary(UnaryOp::Exp)
    }
    fn log(&self) -> Self {
        self.unary(UnaryOp::Log)
    }
    fn sin(&self) -> Self {
        self.unary(UnaryOp::Sin)
    }
    fn cos(&self) -> Self {
        self.unary(UnaryOp::Cos)
    }
    fn tan(&self) -> Self {
        self.unary(UnaryOp::Tan)
    }
    fn abs(&self) -> Self {
        self.unary(UnaryOp::Abs { nan_to_num: true })
    }
    fn powf(&self, exponent: f64) -> Self {
        Array::powf(self, exponent)
    }
    fn sum(&self) -> Self {
        Array::sum(self)
    }
    fn mean(&self) -> Self {
        Array::mean(self)
    }
}

impl Numeric for Tensor<'_> {
    fn square(&self) -> Self {
        Tensor::square(*self)
    }
    fn sqrt(&self) -> Self {
        Tensor::sqrt(*self)
    }
    fn exp(&self) -> Self {
        Tensor::exp(*self)
    }
    fn log(&self) -> Self {
        Tensor::log(*self)
    }
    fn sin(&self) -> Self {
        Tensor::sin(*self)
    }
    fn cos(&self) -> Self {
        Tensor::cos(*self)
    }
    fn tan(&self) -> Self {
        Tensor::tan(*self)
    }
    fn abs(&self) -> Self {
        Tensor::abs(*self)
    }
    fn powf(&self, exponent: f64) -> Self {
        Tensor::pow(*self, exponent)
    }
    fn sum(&self) -> Self {
        Tensor::sum(*self)
    }
    fn mean(&self) -> Self {
        Tensor::mean(*self)
    }
}
