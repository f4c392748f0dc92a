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

/// Generates `name(other)` and `try_name(other)` for two-operand methods.
macro_rules! binary_fn_methods {
    ($($(#[$doc:meta])* $name:ident, $try_name:ident, $op:ident;)*) => {
        impl<'g> Tensor<'g> {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name(self, other: impl IntoOperand<'g>) -> Tensor<'g> {
                    ok(self.$try_name(other))
                }

                #[doc = concat!("[`Tensor::", stringify!($name), "`], failing with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the shapes do not broadcast.")]
                pub fn $try_name(self, other: impl IntoOperand<'g>) -> Result<Tensor<'g>> {
                    self.binary(BinaryOp::$op, other.into_operand())
                }
            )*
        }
    };
}

binary_fn_methods! {
    /// `arctan2(self, other)`: the angle of the point `(other, self)`, with
    /// broadcasting.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let y = g.tensor([1.0, -1.0]);
    /// assert_eq!(y.arctan2(0.0).to_string(), "Tensor([ 1.57079633, -1.57079633])");
    /// ```
    arctan2, try_arctan2, Arctan2;
    /// `ln(e^self + e^other)` with broadcasting, without overflow.
    logaddexp, try_logaddexp, Logaddexp;
    /// `log2(2^self + 2^other)` with broadcasting, without overflow.
    logaddexp2, try_logaddexp2, Logaddexp2;
    /// The elementwise larger value (NaN wins), with broadcasting. Where the
    /// two are equal, neither gets a gradient (MyGrad).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let a = g.tensor([1.0, 5.0, 3.0]);
    /// let b = g.tensor([2.0, 4.0, 3.0]);
    /// a.maximum(b).backward();
    /// assert_eq!(a.grad().unwrap().to_string(), "array([0., 1., 0.])");
    /// assert_eq!(b.grad().unwrap().to_string(), "array([1., 0., 0.])");
    /// ```
    maximum, try_maximum, Maximum;
    /// The elementwise smaller value (NaN wins), with broadcasting. Where the
    /// two are equal, neither gets a gradient (MyGrad).
    minimum, try_minimum, Minimum;
}

impl<'g> Tensor<'g> {
    /// `self` limited to `[lo, hi]`: `minimum(hi, maximum(lo, self))`, as
    /// MyGrad computes it. Each bound is a scalar, an array or a tensor
    /// (broadcast; a variable bound gets the gradient where it strictly
    /// binds). `self` gets no gradient where it equals a bound. For one
    /// bound only, see [`clip`](crate::clip).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([-2.0, 0.5, 1.0, 3.0]);
    /// let y = x.clip(-1.0, 1.0);
    /// assert_eq!(y.to_string(), "Tensor([-1. ,  0.5,  1. ,  1. ])");
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([0., 1., 0., 0.])");
    /// ```
    #[track_caller]
    pub fn clip(self, lo: impl IntoOperand<'g>, hi: impl IntoOperand<'g>) -> Tensor<'g> {
        ok(self.try_clip(lo, hi))
    }

    /// [`Tensor::clip`], failing with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when a bound does
    /// not broadcast with `self`.
    pub fn try_clip(
        self,
        lo: impl IntoOperand<'g>,
        hi: impl IntoOperand<'g>,
    ) -> Result<Tensor<'g>> {
        crate::functions::clip(self, Some(lo), Some(hi))
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
    /// `1/self`; `reciprocal(0)` is inf with an infinite gradient. Integer
    /// tensors give float64 (NumPy's integer `reciprocal` truncates).
    reciprocal, try_reciprocal, UnaryOp::Reciprocal;
    /// Cotangent, `1/tan`.
    cot, try_cot, UnaryOp::Cot;
    /// Cosecant, `1/sin`.
    csc, try_csc, UnaryOp::Csc;
    /// Secant, `1/cos`.
    sec, try_sec, UnaryOp::Sec;
    /// Arcsine; as in MyGrad, the gradient at `±1` is 0 (not infinite).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([0.0, 0.6, 1.0]);
    /// x.arcsin().backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([1.  , 1.25, 0.  ])");
    /// ```
    arcsin, try_arcsin, UnaryOp::Arcsin;
    /// Arccosine; the gradient at `±1` is 0.
    arccos, try_arccos, UnaryOp::Arccos;
    /// Arctangent.
    arctan, try_arctan, UnaryOp::Arctan;
    /// Arccotangent, `arctan(1/x)`, with `arccot(0) = π/2`.
    arccot, try_arccot, UnaryOp::Arccot;
    /// Arccosecant, `arcsin(1/x)`; the gradient at `±1` is 0.
    arccsc, try_arccsc, UnaryOp::Arccsc;
    /// Arcsecant, `arccos(1/x)`; the gradient at `±1` is 0.
    arcsec, try_arcsec, UnaryOp::Arcsec;
    /// The normalised sinc, `sin(πx)/(πx)`, with `sinc(0) = 1` and a 0
    /// gradient there.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([0.0, 0.5, 1.0]);
    /// let y = x.sinc();
    /// assert_eq!(y.to_string(), "Tensor([1.00000000e+00, 6.36619772e-01, 3.89817183e-17])");
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().to_string(), "array([ 0.        , -1.27323954, -1.        ])");
    /// ```
    sinc, try_sinc, UnaryOp::Sinc;
    /// Hyperbolic sine.
    sinh, try_sinh, UnaryOp::Sinh;
    /// Hyperbolic cosine.
    cosh, try_cosh, UnaryOp::Cosh;
    /// Hyperbolic tangent.
    tanh, try_tanh, UnaryOp::Tanh;
    /// Hyperbolic cotangent, `1/tanh`.
    coth, try_coth, UnaryOp::Coth;
    /// Hyperbolic cosecant, `1/sinh`.
    csch, try_csch, UnaryOp::Csch;
    /// Hyperbolic secant, `1/cosh`.
    sech, try_sech, UnaryOp::Sech;
    /// Inverse hyperbolic sine.
    arcsinh, try_arcsinh, UnaryOp::Arcsinh;
    /// Inverse hyperbolic cosine; `arccosh(1)` has an infinite gradient.
    arccosh, try_arccosh, UnaryOp::Arccosh;
    /// Inverse hyperbolic tangent; `arctanh(±1)` is `±inf` with an infinite gradient.
    arctanh, try_arctanh, UnaryOp::Arctanh;
    /// Inverse hyperbolic cotangent, `arctanh(1/x)`.
    arccoth, try_arccoth, UnaryOp::Arccoth;
    /// Inverse hyperbolic cosecant, `arcsinh(1/x)`.
    arccsch, try_arccsch, UnaryOp::Arccsch;
    /// `2^self`.
    exp2, try_exp2, UnaryOp::Exp2;
    /// `e^self - 1`, accurate near 0.
    expm1, try_expm1, UnaryOp::Expm1;
    /// The base-2 logarithm; `log2(0)` is `-inf` with an infinite gradient.
    log2, try_log2, UnaryOp::Log2;
    /// The base-10 logarithm; `log10(0)` is `-inf` with an infinite gradient.
    log10, try_log10, UnaryOp::Log10;
    /// `ln(1 + self)`, accurate near 0; `log1p(-1)` is `-inf` with an
    /// infinite gradient.
    log1p, try_log1p, UnaryOp::Log1p;
    /// The cube root; the gradient at 0 is infinite.
    cbrt, try_cbrt, UnaryOp::Cbrt;
}

impl<'g> Tensor<'g> {
    /// `|self|` with MyGrad's `nan_to_num` option: `false` makes the
    /// gradient at 0 NaN instead of 0.
    pub fn try_abs_with(self, nan_to_num: bool) -> Result<Tensor<'g>> {
        self.unary(UnaryOp::Abs { nan_to_num })
    }
}
