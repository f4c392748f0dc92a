//! Elementwise functions of one tensor: forward and backward side by side.
//!
//! The rules follow MyGrad's formulas term by term, so values, infinities
//! and NaNs at singular points come out as MyGrad's. Each NumPy ufunc in a
//! formula is one correctly rounded [`Float`] call; the arithmetic between
//! them is done in the tensor's own float type, as NumPy does.

use causing_diff_kernels::vmath::{Fun, Grad};
use causing_diff_kernels::{Element, Float};

use crate::array::Elem;

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
    /// `1/x`; for integer inputs it computes in float64 (NumPy's integer
    /// `reciprocal` truncates).
    Reciprocal,
    Cot,
    Csc,
    Sec,
    Arcsin,
    Arccos,
    Arctan,
    Arccot,
    Arccsc,
    Arcsec,
    Sinc,
    Sinh,
    Cosh,
    Tanh,
    Coth,
    Csch,
    Sech,
    Arcsinh,
    Arccosh,
    Arctanh,
    Arccoth,
    Arccsch,
    Exp2,
    Expm1,
    Log2,
    Log10,
    Log1p,
    Cbrt,
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
            UnaryOp::Reciprocal => "reciprocal",
            UnaryOp::Cot => "cot",
            UnaryOp::Csc => "csc",
            UnaryOp::Sec => "sec",
            UnaryOp::Arcsin => "arcsin",
            UnaryOp::Arccos => "arccos",
            UnaryOp::Arctan => "arctan",
            UnaryOp::Arccot => "arccot",
            UnaryOp::Arccsc => "arccsc",
            UnaryOp::Arcsec => "arcsec",
            UnaryOp::Sinc => "sinc",
            UnaryOp::Sinh => "sinh",
            UnaryOp::Cosh => "cosh",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Coth => "coth",
            UnaryOp::Csch => "csch",
            UnaryOp::Sech => "sech",
            UnaryOp::Arcsinh => "arcsinh",
            UnaryOp::Arccosh => "arccosh",
            UnaryOp::Arctanh => "arctanh",
            UnaryOp::Arccoth => "arccoth",
            UnaryOp::Arccsch => "arccsch",
            UnaryOp::Exp2 => "exp2",
            UnaryOp::Expm1 => "expm1",
            UnaryOp::Log2 => "log2",
            UnaryOp::Log10 => "log10",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Cbrt => "cbrt",
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
        dispatch_float!(dtype, T => {
            // Each arm monomorphises its own kernel (no call through a pointer).
            macro_rules! map {
                ($f:expr) => {
                    eval::map1::<T, T>(x, pool, name, $f)
                };
            }
            match self {
                UnaryOp::Sqrt => map!(Float::sqrt),
                UnaryOp::Exp => vector::<T>(Fun::Exp, x, pool, name),
                UnaryOp::Log => vector::<T>(Fun::Ln, x, pool, name),
                UnaryOp::Sin => vector::<T>(Fun::Sin, x, pool, name),
                UnaryOp::Cos => vector::<T>(Fun::Cos, x, pool, name),
                UnaryOp::Tan => vector::<T>(Fun::Tan, x, pool, name),
                UnaryOp::Reciprocal => map!(|x| T::ONE / x),
                UnaryOp::Cot => map!(|x| T::ONE / Float::tan(x)),
                UnaryOp::Csc => map!(|x| T::ONE / Float::sin(x)),
                UnaryOp::Sec => map!(|x| T::ONE / Float::cos(x)),
                UnaryOp::Arcsin => map!(Float::asin),
                UnaryOp::Arccos => map!(Float::acos),
                UnaryOp::Arctan => map!(Float::atan),
                // arccot(0) = π/2 (MyGrad), not atan(1/0) = atan(±inf)
                UnaryOp::Arccot => map!(|x| {
                    if x == T::ZERO {
                        T::from_f64(core::f64::consts::FRAC_PI_2)
                    } else {
                        Float::atan(T::ONE / x)
                    }
                }),
                UnaryOp::Arccsc => map!(|x| Float::asin(T::ONE / x)),
                UnaryOp::Arcsec => map!(|x| Float::acos(T::ONE / x)),
                // np.sinc: y = π·(x, or 1e-20 where x = 0); sin(y)/y
                UnaryOp::Sinc => map!(|x| {
                    let y = T::from_f64(core::f64::consts::PI)
                        * if x == T::ZERO { T::from_f64(1e-20) } else { x };
                    Float::sin(y) / y
                }),
                UnaryOp::Sinh => map!(Float::sinh),
                UnaryOp::Cosh => map!(Float::cosh),
                UnaryOp::Tanh => map!(Float::tanh),
                UnaryOp::Coth => map!(|x| T::ONE / Float::tanh(x)),
                UnaryOp::Csch => map!(|x| T::ONE / Float::sinh(x)),
                UnaryOp::Sech => map!(|x| T::ONE / Float::cosh(x)),
                UnaryOp::Arcsinh => map!(Float::asinh),
                UnaryOp::Arccosh => map!(Float::acosh),
                UnaryOp::Arctanh => map!(Float::atanh),
                UnaryOp::Arccoth => map!(|x| Float::atanh(T::ONE / x)),
                UnaryOp::Arccsch => map!(|x| Float::asinh(T::ONE / x)),
                UnaryOp::Exp2 => map!(Float::exp2),
                UnaryOp::Expm1 => map!(Float::exp_m1),
                UnaryOp::Log2 => map!(Float::log2),
                UnaryOp::Log10 => map!(Float::log10),
                UnaryOp::Log1p => map!(Float::ln_1p),
                UnaryOp::Cbrt => map!(Float::cbrt),
                _ => unreachable!("dtype-keeping ops handled above"),
            }
        }, other => unreachable!("float_result is a float dtype"))
    }

    /// The op on one number, for the scalar lane (`lane.rs`); `None` for
    /// ops outside it. Each is the expression the array kernels of
    /// [`UnaryOp::forward`] apply per element, so the bits are theirs.
    /// The functions with vector kernels run those kernels on one element.
    #[inline(always)]
    pub(crate) fn lane_forward<T: Float>(self, x: T) -> Option<T> {
        let fun = |f| {
            let mut y = [T::ZERO];
            T::map_fun(f, &[x], &mut y);
            y[0]
        };
        Some(match self {
            UnaryOp::Negative => -x,
            UnaryOp::Positive => x,
            UnaryOp::Square => x * x,
            UnaryOp::Sqrt => Float::sqrt(x),
            UnaryOp::Exp => fun(Fun::Exp),
            UnaryOp::Log => fun(Fun::Ln),
            UnaryOp::Sin => fun(Fun::Sin),
            UnaryOp::Cos => fun(Fun::Cos),
            UnaryOp::Tan => fun(Fun::Tan),
            _ => return None,
        })
    }

    /// The gradient of [`UnaryOp::lane_forward`] at `x` (whose value was
    /// `y`), given the output's gradient `g`: the per-element rule of
    /// [`UnaryOp::backward`], through the same fused vector kernels.
    #[inline(always)]
    pub(crate) fn lane_backward<T: Float>(self, g: T, x: T, y: T) -> Option<T> {
        let fused = |d| {
            let mut out = [T::ZERO];
            T::grad_fun(d, &[g], &[x], &mut out);
            out[0]
        };
        Some(match self {
            UnaryOp::Negative => -g,
            UnaryOp::Positive => g,
            UnaryOp::Square => square_grad(g, x),
            UnaryOp::Sqrt => sqrt_grad(g, y),
            UnaryOp::Exp => g * y,
            UnaryOp::Log => g / x,
            UnaryOp::Sin => fused(Grad::Sin),
            UnaryOp::Cos => fused(Grad::Cos),
            UnaryOp::Tan => fused(Grad::Tan),
            _ => return None,
        })
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
            match self {
                // d/dx -x = -1
                UnaryOp::Negative => eval::map1::<T, T>(g, pool, name, |g| -g),
                // d/dx +x = 1
                UnaryOp::Positive => eval::map1::<T, T>(g, pool, name, |g| g),
                UnaryOp::Square => eval::map2::<T, T>(g, x, pool, name, square_grad),
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
                UnaryOp::Sqrt => eval::map2::<T, T>(g, y, pool, name, sqrt_grad),
                // d/dx eˣ = eˣ
                UnaryOp::Exp => eval::map2::<T, T>(g, y, pool, name, |g, y| g * y),
                // d/dx ln x = 1/x
                UnaryOp::Log => eval::map2::<T, T>(g, x, pool, name, |g, x| g / x),
                // d/dx sin x = cos x
                UnaryOp::Sin => vector_grad::<T>(Grad::Sin, g, x, pool, name),
                // d/dx cos x = -sin x
                UnaryOp::Cos => vector_grad::<T>(Grad::Cos, g, x, pool, name),
                // d/dx tan x = 1 / cos² x
                UnaryOp::Tan => vector_grad::<T>(Grad::Tan, g, x, pool, name),
                _ => trig_log_backward(self, x, y, g, pool),
            }
        }, other => unreachable!("gradients are floats"))
    }
}

/// d/dx x² = 2x, times `g`.
#[inline(always)]
fn square_grad<T: Float>(g: T, x: T) -> T {
    (T::ONE + T::ONE) * g * x
}

/// d/dx √x = 1 / (2√x) with `y` = √x, times `g`.
#[inline(always)]
fn sqrt_grad<T: Float>(g: T, y: T) -> T {
    g / ((T::ONE + T::ONE) * y)
}

/// The gradients of the inverse, reciprocal, hyperbolic and exp/log
/// functions, as MyGrad writes them (the order of operations included, so
/// infinities and NaNs come out where MyGrad's do).
fn trig_log_backward(
    op: UnaryOp,
    x: &Array,
    y: &Array,
    g: &Array,
    pool: &mut Pool,
) -> Result<Array> {
    let name = op.name();
    dispatch_float!(g.dtype(), T => {
        // The gradient as a function of (g, x) or (g, y).
        macro_rules! gx {
            ($f:expr) => {
                eval::map2::<T, T>(g, x, pool, name, $f)
            };
        }
        macro_rules! gy {
            ($f:expr) => {
                eval::map2::<T, T>(g, y, pool, name, $f)
            };
        }
        let one = T::ONE;
        // MyGrad's `np.select([|x| != 1], [v])`: 0 at x = ±1 (but NaN stays NaN).
        let off_unit = |x: T, v: T| if Float::abs(x) != one { v } else { T::ZERO };
        match op {
            // d/dx 1/x = -1/x²
            UnaryOp::Reciprocal => gx!(|g, x| -g * (one / (x * x))),
            // d/dx cot x = -1/sin² x
            UnaryOp::Cot => gx!(|g, x| {
                let s = Float::sin(x);
                -g / (s * s)
            }),
            // d/dx csc x = -cos x / sin² x
            UnaryOp::Csc => gx!(|g, x| {
                let s = Float::sin(x);
                g * -Float::cos(x) / (s * s)
            }),
            // d/dx sec x = sin x / cos² x
            UnaryOp::Sec => gx!(|g, x| {
                let c = Float::cos(x);
                g * Float::sin(x) / (c * c)
            }),
            // d/dx arcsin x = 1/√(1 - x²); 0 at ±1
            UnaryOp::Arcsin => gx!(|g, x| off_unit(x, g / Float::sqrt(one - x * x))),
            // d/dx arccos x = -1/√(1 - x²); 0 at ±1
            UnaryOp::Arccos => gx!(|g, x| off_unit(x, -g / Float::sqrt(one - x * x))),
            // d/dx arctan x = 1/(1 + x²)
            UnaryOp::Arctan => gx!(|g, x| g / (one + x * x)),
            // d/dx arccot x = -1/(1 + x²)
            UnaryOp::Arccot => gx!(|g, x| -g / (one + x * x)),
            // d/dx arccsc x = -1/(|x|·√(x² - 1)); 0 at ±1
            UnaryOp::Arccsc => gx!(|g, x| {
                off_unit(x, -g / (Float::abs(x) * Float::sqrt(x * x - one)))
            }),
            // d/dx arcsec x = 1/(|x|·√(x² - 1)); 0 at ±1
            UnaryOp::Arcsec => gx!(|g, x| {
                off_unit(x, g / (Float::abs(x) * Float::sqrt(x * x - one)))
            }),
            // d/dx sinc x = π·(y cos y - sin y)/y² with y = πx; 0 where
            // |x| ≤ 1e-162 (MyGrad's isclose; that is x = 0 in float32)
            UnaryOp::Sinc => {
                let pi = T::from_f64(core::f64::consts::PI);
                let tiny = T::from_f64(1e-162);
                gx!(move |g, x| {
                    let d = if Float::abs(x) <= tiny {
                        T::ZERO
                    } else {
                        let y = x * pi;
                        (y * Float::cos(y) - Float::sin(y)) / (y * y)
                    };
                    pi * g * d
                })
            }
            // d/dx sinh x = cosh x
            UnaryOp::Sinh => gx!(|g, x| g * Float::cosh(x)),
            // d/dx cosh x = sinh x
            UnaryOp::Cosh => gx!(|g, x| g * Float::sinh(x)),
            // d/dx tanh x = 1 - tanh² x
            UnaryOp::Tanh => gy!(|g, y| g * (one - y * y)),
            // d/dx coth x = -1/sinh² x
            UnaryOp::Coth => gx!(|g, x| {
                let s = Float::sinh(x);
                -g / (s * s)
            }),
            // d/dx csch x = -cosh x / sinh² x
            UnaryOp::Csch => gx!(|g, x| {
                let s = Float::sinh(x);
                g * -Float::cosh(x) / (s * s)
            }),
            // d/dx sech x = -sinh x / cosh² x
            UnaryOp::Sech => gx!(|g, x| {
                let c = Float::cosh(x);
                g * -Float::sinh(x) / (c * c)
            }),
            // d/dx arcsinh x = 1/√(1 + x²)
            UnaryOp::Arcsinh => gx!(|g, x| g / Float::sqrt(one + x * x)),
            // d/dx arccosh x = 1/√(x² - 1)
            UnaryOp::Arccosh => gx!(|g, x| g / Float::sqrt(x * x - one)),
            // d/dx arctanh x = d/dx arccoth x = 1/(1 - x²)
            UnaryOp::Arctanh | UnaryOp::Arccoth => gx!(|g, x| g / (one - x * x)),
            // d/dx arccsch x = -1/(|x|·√(1 + x²))
            UnaryOp::Arccsch => gx!(|g, x| -g / (Float::abs(x) * Float::sqrt(one + x * x))),
            // d/dx 2ˣ = 2ˣ·ln 2
            UnaryOp::Exp2 => {
                let ln2 = T::from_f64(core::f64::consts::LN_2);
                gy!(move |g, y| g * y * ln2)
            }
            // d/dx (eˣ - 1) = eˣ
            UnaryOp::Expm1 => gx!(|g, x| g * Float::exp(x)),
            // d/dx log2 x = 1/(x·ln 2)
            UnaryOp::Log2 => {
                let ln2 = T::from_f64(core::f64::consts::LN_2);
                gx!(move |g, x| g / (x * ln2))
            }
            // d/dx log10 x = 1/(x·ln 10)
            UnaryOp::Log10 => {
                let ln10 = T::from_f64(core::f64::consts::LN_10);
                gx!(move |g, x| g / (x * ln10))
            }
            // d/dx ln(1 + x) = 1/(1 + x)
            UnaryOp::Log1p => gx!(|g, x| g / (one + x)),
            // d/dx ∛x = 1/(3·∛(x²))
            UnaryOp::Cbrt => {
                let three = T::from_f64(3.0);
                gx!(move |g, x| g / (three * Float::cbrt(x * x)))
            }
            _ => unreachable!("the other unary ops are handled in UnaryOp::backward"),
        }
    }, other => unreachable!("gradients are floats"))
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

/// `f(x)` through the vector kernels (AVX-512/AVX2 when present).
fn vector<T: Elem + Float>(
    f: Fun,
    x: &Array,
    pool: &mut Pool,
    name: &'static str,
) -> Result<Array> {
    let mut out: Vec<T> = pool.take(x.size(), name)?;
    T::map_fun(f, eval::slice(x), &mut out);
    Ok(eval::wrap(out, x.shape()))
}

/// `g · f'(x)` through the fused vector kernels (`g` and `x` share a shape).
fn vector_grad<T: Elem + Float>(
    d: Grad,
    g: &Array,
    x: &Array,
    pool: &mut Pool,
    name: &'static str,
) -> Result<Array> {
    debug_assert_eq!(g.shape(), x.shape());
    let mut out: Vec<T> = pool.take(g.size(), name)?;
    T::grad_fun(d, eval::slice(g), eval::slice(x), &mut out);
    Ok(eval::wrap(out, g.shape()))
}
