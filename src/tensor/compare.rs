//! Non-differentiable elementwise functions on tensors and plain arrays:
//! comparisons, logical ops, predicates, rounding, sign and integer
//! division. As in MyGrad they return plain [`Array`]s and record nothing in
//! the graph; variable tensors are simply read.
//!
//! ```
//! use causing_diff::prelude::*;
//! let g = Graph::new();
//! let x = g.tensor([-1.5, 0.0, 2.5]);
//! assert_eq!(x.greater(0.0).to_string(), "array([False, False,  True])");
//! assert_eq!(x.rint().to_string(), "array([-2.,  0.,  2.])");
//! let a = x.data();
//! assert_eq!(a.less_equal(&a).to_string(), "array([ True,  True,  True])");
//! assert_eq!(causing_diff::remainder(5, g.tensor([3, -3])).unwrap().to_string(), "array([ 2, -1])");
//! ```

use std::borrow::Cow;

use super::ok;
use crate::array::Array;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::eval;
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::{CompareOp, CompareUnaryOp};
use crate::pool::Pool;

/// An operand's value, borrowed where it lives.
#[derive(Clone, Copy)]
enum Value<'a> {
    Array(&'a Array),
    Scalar(Scalar),
}

impl<'a> Value<'a> {
    /// The dtype this value computes in beside `other`: a weak scalar
    /// takes the other side's (NEP 50), or NumPy's default beside a scalar.
    fn dtype(self, other: Value<'_>) -> DType {
        match (self, other) {
            (Value::Array(a), _) => a.dtype(),
            (Value::Scalar(s), Value::Array(o)) => o.dtype().promote_weak(s),
            (Value::Scalar(s), Value::Scalar(_)) => eval::scalar_dtype(s),
        }
    }

    fn array(self, dtype: DType, pool: &mut Pool, op: &'static str) -> Result<Cow<'a, Array>> {
        match self {
            Value::Array(a) => Ok(Cow::Borrowed(a)),
            Value::Scalar(s) => eval::scalar_array(s, dtype, pool, op).map(Cow::Owned),
        }
    }
}

/// Runs `f` on an operand's value; a tensor's data is read in place.
fn with_value<R>(o: &Operand<'_>, f: impl FnOnce(Value<'_>) -> Result<R>) -> Result<R> {
    match o {
        Operand::Tensor(t) => t.read(|n| f(Value::Array(&n.value)))?,
        Operand::Array(a) => f(Value::Array(a)),
        Operand::Scalar(s) => f(Value::Scalar(*s)),
    }
}

fn binary(op: CompareOp, a: Value<'_>, b: &Operand<'_>) -> Result<Array> {
    with_value(b, |b| {
        let mut pool = Pool::default();
        let x = a.array(a.dtype(b), &mut pool, op.name())?;
        let y = b.array(b.dtype(a), &mut pool, op.name())?;
        op.forward(&x, &y, &mut pool)
    })
}

/// `op(a, b)` for operands of any kind (the free functions).
pub(crate) fn compare(op: CompareOp, a: &Operand<'_>, b: &Operand<'_>) -> Result<Array> {
    with_value(a, |a| binary(op, a, b))
}

/// Generates, for each two-operand op, `name`/`try_name` on [`Tensor`] and
/// on [`Array`].
macro_rules! compare_methods {
    ($($(#[$doc:meta])* $name:ident, $try_name:ident, $op:ident;)*) => {
        impl<'g> Tensor<'g> {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name(self, other: impl IntoOperand<'g>) -> Array {
                    ok(self.$try_name(other))
                }

                #[doc = concat!("[`Tensor::", stringify!($name), "`], failing with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the shapes do not broadcast.")]
                pub fn $try_name(self, other: impl IntoOperand<'g>) -> Result<Array> {
                    compare(CompareOp::$op, &Operand::Tensor(self), &other.into_operand())
                }
            )*
        }

        impl Array {
            $(
                #[doc = concat!("[`Tensor::", stringify!($name), "`] on a plain array (the other operand may be an array, a scalar or a tensor).")]
                #[track_caller]
                pub fn $name<'g>(&self, other: impl IntoOperand<'g>) -> Array {
                    ok(self.$try_name(other))
                }

                #[doc = concat!("[`Array::", stringify!($name), "`], failing with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the shapes do not broadcast.")]
                pub fn $try_name<'g>(&self, other: impl IntoOperand<'g>) -> Result<Array> {
                    binary(CompareOp::$op, Value::Array(self), &other.into_operand())
                }
            )*
        }
    };
}

compare_methods! {
    /// `self == other` elementwise with broadcasting, in the promoted dtype:
    /// a bool array.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0, f64::NAN]);
    /// assert_eq!(x.equal(2.0).to_string(), "array([False,  True, False])");
    /// assert_eq!(x.equal(g.tensor([[1], [2]])).shape(), &[2, 3]);
    /// ```
    equal, try_equal, Equal;
    /// `self != other` elementwise (true where either is NaN).
    not_equal, try_not_equal, NotEqual;
    /// `self < other` elementwise.
    less, try_less, Less;
    /// `self <= other` elementwise.
    less_equal, try_less_equal, LessEqual;
    /// `self > other` elementwise.
    greater, try_greater, Greater;
    /// `self >= other` elementwise.
    greater_equal, try_greater_equal, GreaterEqual;
    /// Both nonzero (NaN counts as nonzero), elementwise.
    logical_and, try_logical_and, LogicalAnd;
    /// Either nonzero, elementwise.
    logical_or, try_logical_or, LogicalOr;
    /// Exactly one nonzero, elementwise.
    logical_xor, try_logical_xor, LogicalXor;
    /// `self // other`: the quotient rounded toward -inf, in the promoted
    /// dtype. Integer division by 0 gives 0, as NumPy.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([7, -7]);
    /// assert_eq!(x.floor_divide(2).to_string(), "array([ 3, -4])");
    /// assert_eq!(x.remainder(-2).to_string(), "array([-1, -1])");
    /// assert_eq!(x.fmod(-2).to_string(), "array([ 1, -1])");
    /// ```
    floor_divide, try_floor_divide, FloorDivide;
    /// `self % other` with the divisor's sign (Python's `%`, NumPy's
    /// `remainder` and `mod`).
    remainder, try_remainder, Remainder;
    /// The remainder with the dividend's sign (C's `fmod`).
    fmod, try_fmod, Fmod;
}

/// Generates, for each one-operand op, `name`/`try_name` on [`Tensor`] and
/// on [`Array`].
macro_rules! compare_unary_methods {
    ($($(#[$doc:meta])* $name:ident, $try_name:ident, $op:ident;)*) => {
        impl<'g> Tensor<'g> {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name(self) -> Array {
                    ok(self.$try_name())
                }

                #[doc = concat!("[`Tensor::", stringify!($name), "`], failing on a stale handle or a dtype the op does not take.")]
                pub fn $try_name(self) -> Result<Array> {
                    self.read(|n| CompareUnaryOp::$op.forward(&n.value, &mut Pool::default()))?
                }
            )*
        }

        impl Array {
            $(
                #[doc = concat!("[`Tensor::", stringify!($name), "`] on a plain array.")]
                #[track_caller]
                pub fn $name(&self) -> Array {
                    ok(self.$try_name())
                }

                #[doc = concat!("[`Array::", stringify!($name), "`], failing on a dtype the op does not take.")]
                pub fn $try_name(&self) -> Result<Array> {
                    CompareUnaryOp::$op.forward(self, &mut Pool::default())
                }
            )*
        }
    };
}

compare_unary_methods! {
    /// Zero (false) elementwise: a bool array.
    logical_not, try_logical_not, LogicalNot;
    /// NaN elementwise (never for integers).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, f64::NAN, f64::INFINITY]);
    /// assert_eq!(x.isnan().to_string(), "array([False,  True, False])");
    /// assert_eq!(x.isfinite().to_string(), "array([ True, False, False])");
    /// ```
    isnan, try_isnan, IsNan;
    /// `±inf` elementwise.
    isinf, try_isinf, IsInf;
    /// Neither infinite nor NaN, elementwise.
    isfinite, try_isfinite, IsFinite;
    /// The sign bit elementwise: true for negatives and `-0.0`.
    signbit, try_signbit, Signbit;
    /// The smallest integer not below each element, in the input's dtype.
    ceil, try_ceil, Ceil;
    /// The largest integer not above each element, in the input's dtype.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.tensor([-0.5f32, 1.5]).floor().to_string(), "array([-1.,  1.], dtype=float32)");
    /// ```
    floor, try_floor, Floor;
    /// Each element rounded toward 0, in the input's dtype.
    trunc, try_trunc, Trunc;
    /// Each element rounded to the nearest integer, ties to even (integers
    /// give float64, as NumPy).
    rint, try_rint, Rint;
    /// `-1`, `0` or `1` per element in the input's dtype (`sign(-0.0)` is
    /// `0.0`, `sign(NaN)` is NaN); bools are an
    /// [`Error::UnsupportedDType`](crate::Error::UnsupportedDType).
    sign, try_sign, Sign;
}
