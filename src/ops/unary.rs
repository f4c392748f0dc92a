//! Elementwise functions of one tensor: forward and backward side by side.

use causing_diff_kernels::{Element, Float};

use crate::array::Array;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch_float, dispatch_num};
use crate::pool::Pool;

/// An elementwise function of one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Negative,
    Positive,
    Square,
    /// `abs`; at 0 the gradient is 0, or NaN without `nan_to_num` (MyGrad).
    Abs {
        nan_to_num: bool,
    },
    Sqrt,
    Exp,
    Log,
    Sin,
    Cos,
    Tan,
}

impl UnaryOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            UnaryOp::Negative => "negative",
            UnaryOp::Positive => "positive",
            UnaryOp::Square => "square",
            UnaryOp::Abs { .. } => "absolute",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
            UnaryOp::Tan => "tan",
        }
    }

    /// Whether the op keeps integer dtypes (the rest compute in floats).
    fn keeps_dtype(self) -> bool {
        matches!(
            self,
            UnaryOp::Negative | UnaryOp::Positive | UnaryOp::Square | UnaryOp::Abs { .. }
        )
    }

    pub(crate) fn forward(self, x: &Array, pool: &mut Pool) -> Result<Array> {
        let name = self.name();
        if self.keeps_dtype() {
            return dispatch_float!(x.dtype(), T => match self {
                UnaryOp::Negative => eval::map1::<T, T>(x, pool, name, |v| -v),
                UnaryOp::Positive => eval::map1::<T, T>(x, pool, name, |v| v),
                UnaryOp::Square => eval::map1::<T, T>(x, pool, name, |v| v * v),
                _ => eval::map1::<T, T>(x, pool, name, |v| v.abs()),
            }, other => integer_forward(self, x, pool));
        }
        let dtype = x.dtype().float_result();
        let x = eval::as_dtype(x, dtype, pool)?;
        let x = &*x;
        dispatch_float!(dtype, T => match self {
            UnaryOp::Sqrt => eval::map1::<T, T>(x, pool, name, Float::sqrt),
            UnaryOp::Exp => eval::map1::<T, T>(x, pool, name, Float::exp),
            UnaryOp::Log => eval::map1::<T, T>(x, pool, name, Float::ln),
            UnaryOp::Sin => eval::map1::<T, T>(x, pool, name, Float::sin),
            UnaryOp::Cos => eval::map1::<T, T>(x, pool, name, Float::cos),
            UnaryOp::Tan => eval::map1::<T, T>(x, pool, name, Float::tan),
            _ => unreachable!("dtype-keeping ops handled above"),
        }, other => unreachable!("float_result is a float dtype"))
    }

    /// The gradient for the input `x`, given the output `y` and its gradient `g`.
    pub(crate) fn backward(
        self,
        x: &Array,
        y: &Array,
        g: &Array,
        pool: &mut Pool,
    ) -> Result<Array> {
        let name = self.name();
        dispatch_float!(g.dtype(), T => {
            let two = T::ONE + T::ONE;
            match self {
                // d/dx -x = -1
                UnaryOp::Negative => eval::map1::<T, T>(g, pool, name, |g| -g),
                // d/dx +x = 1
                UnaryOp::Positive => eval::map1::<T, T>(g, pool, name, |g| g),
                // d/dx x² = 2x
                UnaryOp::Square => eval::map2::<T, T>(g, x, pool, name, |g, x| two * g * x),
                // d/dx |x| = sign(x); 0 (or NaN) at 0
                UnaryOp::Abs { nan_to_num } => {
                    let at_zero = if nan_to_num { T::ZERO } else { T::NAN };
                    eval::map2::<T, T>(g, x, pool, name, move |g, x| {
                        g * if x > T::ZERO {
                            T::ONE
                        } else if x < T::ZERO {
                            -T::ONE
                        } else if x == T::ZERO {
                            at_zero
                        } else {
                            T::NAN
                        }
                    })
                }
                // d/dx √x = 1 / (2√x)
                UnaryOp::Sqrt => eval::map2::<T, T>(g, y, pool, name, |g, y| g / (two * y)),
                // d/dx eˣ = eˣ
                UnaryOp::Exp => eval::map2::<T, T>(g, y, pool, name, |g, y| g * y),
                // d/dx ln x = 1/x
                UnaryOp::Log => eval::map2::<T, T>(g, x, pool, name, |g, x| g / x),
                // d/dx sin x = cos x
                UnaryOp::Sin => eval::map2::<T, T>(g, x, pool, name, |g, x| g * Float::cos(x)),
                // d/dx cos x = -sin x
                UnaryOp::Cos => eval::map2::<T, T>(g, x, pool, name, |g, x| -g * Float::sin(x)),
                // d/dx tan x = 1 / cos² x
                UnaryOp::Tan => eval::map2::<T, T>(g, x, pool, name, |g, x| {
                    let c = Float::cos(x);
                    g / (c * c)
                }),
            }
        }, other => unreachable!("gradients are floats"))
    }
}

/// The dtype-keeping ops on integers (wrapping, as NumPy) and bools.
fn integer_forward(op: UnaryOp, x: &Array, pool: &mut Pool) -> Result<Array> {
    let name = op.name();
    dispatch_num!(x.dtype(), T => {
        let f = match op {
            UnaryOp::Negative => |v: i64| v.wrapping_neg(),
            UnaryOp::Positive => |v: i64| v,
            UnaryOp::Square => |v: i64| v.wrapping_mul(v),
            _ => |v: i64| v.wrapping_abs(),
        };
        eval::map1::<T, T>(x, pool, name, move |v| T::from_i64(f(v.to_i64())))
    }, bool => match op {
        UnaryOp::Abs { .. } => eval::map1::<bool, bool>(x, pool, name, |v| v),
        _ => Err(Error::UnsupportedDType { op: name, dtype: DType::Bool }),
    })
}
