//! Elementwise maths methods: the fallible arithmetic forms, `pow`, and the
//! unary functions.

use super::ok;
use crate::error::Result;
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::{BinaryOp, UnaryOp};

/// Generates the `try_` forms of the arithmetic operators (the operators
/// themselves are the infallible forms).
macro_rules! binary_methods {
    ($($(#[$doc:meta])* $try_name:ident, $op:ident;)*) => {
        impl<'g> Tensor<'g> {
            $(
                $(#[$doc])*
                pub fn $try_name(self, other: impl IntoOperand<'g>) -> Result<Tensor<'g>> {
                    self.binary(BinaryOp::$op, other.into_operand())
                }
            )*
        }
    };
}

binary_methods! {
    /// `self + other` with broadcasting; the `+` operator panics where this
    /// returns [`Error::ShapeMismatch`](crate::Error::ShapeMismatch).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// assert_eq!(x.try_add(1.5).unwrap().to_string(), "Tensor([2.5, 3.5])");
    /// assert!(x.try_add(g.tensor([1.0, 2.0, 3.0])).is_err());
    /// ```
    try_add, Add;
    /// `self - other` with broadcasting (the `-` operator's fallible form).
    try_sub, Subtract;
    /// `self * other` with broadcasting (the `*` operator's fallible form).
    try_mul, Multiply;
    /// `self / other` with broadcasting (the `/` operator's fallible form).
    /// Integer division gives float64.
    try_div, Divide;
}

impl<'g> Tensor<'g> {
    /// `self ** other` with broadcasting. `x.pow(2.0)` is `x.square()` and
    /// `x.pow(1.0)` is `+x`, as in MyGrad. The gradients at `0 ** 0` are 0.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor(3.0);
    /// let y = x.pow(2.0);
    /// y.backward();
    /// assert_eq!(y.to_string(), "Tensor(9.)");
    /// assert_eq!(x.grad().unwrap().to_string(), "array(6.)");
    /// ```
    #[track_caller]
    pub fn pow(self, other: impl IntoOperand<'g>) -> Tensor<'g> {
        ok(self.try_pow(other))
    }

    /// [`Tensor::pow`], failing with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the shapes
    /// do not broadcast (or for integers raised to negative integer powers).
    pub fn try_pow(self, other: impl IntoOperand<'g>) -> Result<Tensor<'g>> {
        let other = other.into_operand();
        if let Operand::Scalar(s) = &other {
            let e = s.to_f64();
            if e == 2.0 {
                return self.unary(UnaryOp::Square);
            }
            if e == 1.0 {
                return self.unary(UnaryOp::Positive);
            }
        }
        self.binary(BinaryOp::Power, other)
    }
}

/// Generates `name()` and `try_name()` for unary methods.
macro_rules! unary_methods {
    ($($(#[$doc:meta])* $name:ident, $try_name:ident, $op:expr;)*) => {
        impl<'g> Tensor<'g> {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name(self) -> Tensor<'g> {
                    ok(self.$try_name())
                }

                #[doc = concat!("[`Tensor::", stringify!($name), "`], failing only on a stale handle or an allocation too large for memory.")]
                pub fn $try_name(self) -> Result<Tensor<'g>> {
                    self.unary($op)
                }
            )*
        }
    };
}

impl<'g> Tensor<'g> {
    /// `-self`; the unary `-` operator is the infallible form.
    pub fn try_neg(self) -> Result<Tensor<'g>> {
        self.unary(UnaryOp::Negative)
    }
}

unary_methods! {
    /// `+self`: a copy in the graph.
    positive, try_positive, UnaryOp::Positive;
    /// `self²`.
    square, try_square, UnaryOp::Square;
    /// `|self|`; the gradient at 0 is 0.
    abs, try_abs, UnaryOp::Abs { nan_to_num: true };
    /// `√self`; the gradient at 0 is infinite.
    sqrt, try_sqrt, UnaryOp::Sqrt;
    /// `e^self`.
    exp, try_exp, UnaryOp::Exp;
    /// The natural logarithm; `log(0)` is `-inf` with an infinite gradient.
    log, try_log, UnaryOp::Log;
    /// Sine.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([0.0, 0.25, 0.5, 0.75, 1.0]);
    /// assert_eq!(
    ///     x.sin().to_string(),
    ///     "Tensor([0.        , 0.24740396, 0.47942554, 0.68163876, 0.84147098])"
    /// );
    /// ```
    sin, try_sin, UnaryOp::Sin;
    /// Cosine.
    cos, try_cos, UnaryOp::Cos;
    /// Tangent.
    tan, try_tan, UnaryOp::Tan;
}

impl<'g> Tensor<'g> {
    /// `|self|` with MyGrad's `nan_to_num` option: `false` makes the
    /// gradient at 0 NaN instead of 0.
    pub fn try_abs_with(self, nan_to_num: bool) -> Result<Tensor<'g>> {
        self.unary(UnaryOp::Abs { nan_to_num })
    }
}
