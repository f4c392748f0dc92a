//! Non-differentiable elementwise functions — comparisons, logical ops,
//! predicates, rounding, sign and integer division — computed on plain
//! arrays. MyGrad returns NumPy arrays for them, so they have no backward
//! and record no graph node; the user-facing forms are in `tensor/compare.rs`.

use causing_diff_kernels::{Element, Float};

use crate::array::{Array, Elem};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch, dispatch_float, dispatch_num};
use crate::pool::Pool;

/// A non-differentiable function of two operands (broadcast together).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    /// Rounds toward -inf.
    FloorDivide,
    /// Python's `%` (NumPy's `remainder`/`mod`): the divisor's sign.
    Remainder,
    /// C's `fmod`: the dividend's sign.
    Fmod,
}

impl CompareOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CompareOp::Equal => "equal",
            CompareOp::NotEqual => "not_equal",
            CompareOp::Less => "less",
            CompareOp::LessEqual => "less_equal",
            CompareOp::Greater => "greater",
            CompareOp::GreaterEqual => "greater_equal",
            CompareOp::LogicalAnd => "logical_and",
            CompareOp::LogicalOr => "logical_or",
            CompareOp::LogicalXor => "logical_xor",
            CompareOp::FloorDivide => "floor_divide",
            CompareOp::Remainder => "remainder",
            CompareOp::Fmod => "fmod",
        }
    }

    /// The result: bool for comparisons and logical ops (compared in the
    /// promoted dtype; logical ops take nonzero, NaN included, as true),
    /// the promoted dtype for the divisions.
    // The comparisons are generic over every dtype; for bool they order
    // `false < true`, as NumPy does.
    #[allow(clippy::bool_comparison)]
    pub(crate) fn forward(self, a: &Array, b: &Array, pool: &mut Pool) -> Result<Array> {
        let name = self.name();
        macro_rules! logical {
            ($f:expr) => {{
                let a = eval::as_dtype(a, DType::Bool, pool)?;
                let b = eval::as_dtype(b, DType::Bool, pool)?;
                return eval::map2::<bool, bool>(&a, &b, pool, name, $f);
            }};
        }
        match self {
            CompareOp::LogicalAnd => logical!(|x, y| x & y),
            CompareOp::LogicalOr => logical!(|x, y| x | y),
            CompareOp::LogicalXor => logical!(|x, y| x ^ y),
            _ => {}
        }
        let dtype = DType::promote(a.dtype(), b.dtype());
        let (a, b) = (
            eval::as_dtype(a, dtype, pool)?,
            eval::as_dtype(b, dtype, pool)?,
        );
        let (a, b) = (&*a, &*b);
        macro_rules! cmp {
            ($T:ty, $f:expr) => {
                eval::map2::<$T, bool>(a, b, pool, name, $f)
            };
        }
        match self {
            CompareOp::Equal => dispatch!(dtype, T => cmp!(T, |x, y| x == y)),
            CompareOp::NotEqual => dispatch!(dtype, T => cmp!(T, |x, y| x != y)),
            CompareOp::Less => dispatch!(dtype, T => cmp!(T, |x, y| x < y)),
            CompareOp::LessEqual => dispatch!(dtype, T => cmp!(T, |x, y| x <= y)),
            CompareOp::Greater => dispatch!(dtype, T => cmp!(T, |x, y| x > y)),
            CompareOp::GreaterEqual => dispatch!(dtype, T => cmp!(T, |x, y| x >= y)),
            _ => divide(self, a, b, pool),
        }
    }
}

/// `floor_divide`, `remainder`, `fmod` in the (common) dtype of `a` and `b`.
fn divide(op: CompareOp, a: &Array, b: &Array, pool: &mut Pool) -> Result<Array> {
    let name = op.name();
    match a.dtype() {
        DType::Bool => Err(Error::UnsupportedDType {
            op: name,
            dtype: DType::Bool,
        }),
        DType::Int32 | DType::Int64 => dispatch!(a.dtype(), T => {
            macro_rules! int {
                ($f:expr) => {
                    eval::map2::<T, T>(a, b, pool, name, |x, y| T::from_i64($f(x.to_i64(), y.to_i64())))
                };
            }
            match op {
                CompareOp::FloorDivide => int!(int_floor_divide),
                CompareOp::Remainder => int!(int_remainder),
                _ => int!(int_fmod),
            }
        }),
        dtype => dispatch_float!(dtype, T => match op {
            CompareOp::FloorDivide => eval::map2::<T, T>(a, b, pool, name, floor_divide),
            CompareOp::Remainder => eval::map2::<T, T>(a, b, pool, name, remainder),
            _ => eval::map2::<T, T>(a, b, pool, name, Float::fmod),
        }, other => unreachable!("integers and bools are handled above")),
    }
}

// Integer division as NumPy's loops do it: division by zero gives 0, and
// `MIN // -1` wraps to `MIN`. An int32 `MIN // -1` computed in i64 is
// 2^31, which `from_i64` wraps back to `MIN` too.

fn int_floor_divide(a: i64, b: i64) -> i64 {
    if b == 0 {
        return 0;
    }
    let q = a.wrapping_div(b);
    if a.wrapping_rem(b) != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn int_remainder(a: i64, b: i64) -> i64 {
    if b == 0 {
        return 0;
    }
    let r = a.wrapping_rem(b);
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

fn int_fmod(a: i64, b: i64) -> i64 {
    if b == 0 {
        0
    } else {
        a.wrapping_rem(b)
    }
}

/// NumPy's `npy_divmod`: the floored quotient and the remainder with the
/// divisor's sign, from `fmod`, with its rules for zeros, signs and
/// infinities.
fn divmod<T: Float>(a: T, b: T) -> (T, T) {
    let mut m = Float::fmod(a, b);
    if b == T::ZERO {
        // IEEE: ±inf or NaN, and a NaN remainder.
        return (a / b, m);
    }
    // `a - m` is very nearly a multiple of `b`.
    let mut div = (a - m) / b;
    if m != T::ZERO {
        // Comparisons false for NaN, as C's `isless`.
        if (b < T::ZERO) != (m < T::ZERO) {
            m += b;
            div = div - T::ONE;
        }
    } else {
        m = Float::copysign(T::ZERO, b);
    }
    let q = if div != T::ZERO {
        let f = Float::floor(div);
        // Snap to the nearest integer.
        if div - f > T::from_f64(0.5) {
            f + T::ONE
        } else {
            f
        }
    } else {
        Float::copysign(T::ZERO, a / b)
    };
    (q, m)
}

fn floor_divide<T: Float>(a: T, b: T) -> T {
    if b == T::ZERO {
        return a / b;
    }
    divmod(a, b).0
}

fn remainder<T: Float>(a: T, b: T) -> T {
    if b == T::ZERO {
        return Float::fmod(a, b);
    }
    divmod(a, b).1
}

/// A non-differentiable function of one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareUnaryOp {
    LogicalNot,
    IsNan,
    IsInf,
    IsFinite,
    /// True for `-0.0` too.
    Signbit,
    Ceil,
    Floor,
    Trunc,
    /// Round half to even.
    Rint,
    /// `-1`, `0` or `1` (`sign(-0.0) = 0.0`, `sign(NaN) = NaN`).
    Sign,
}

impl CompareUnaryOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CompareUnaryOp::LogicalNot => "logical_not",
            CompareUnaryOp::IsNan => "isnan",
            CompareUnaryOp::IsInf => "isinf",
            CompareUnaryOp::IsFinite => "isfinite",
            CompareUnaryOp::Signbit => "signbit",
            CompareUnaryOp::Ceil => "ceil",
            CompareUnaryOp::Floor => "floor",
            CompareUnaryOp::Trunc => "trunc",
            CompareUnaryOp::Rint => "rint",
            CompareUnaryOp::Sign => "sign",
        }
    }

    /// The result: bool for the predicates and `logical_not`, `x`'s dtype
    /// for rounding and `sign` (integers are already integral; `rint` of an
    /// integer gives float64, as NumPy).
    pub(crate) fn forward(self, x: &Array, pool: &mut Pool) -> Result<Array> {
        let name = self.name();
        let dtype = x.dtype();
        macro_rules! pred {
            ($float:expr, $int:expr) => {
                dispatch!(dtype, T => {
                    if T::DTYPE.is_float() {
                        eval::map1::<T, bool>(x, pool, name, |v| $float(v.to_f64()))
                    } else {
                        eval::map1::<T, bool>(x, pool, name, |v| $int(v.to_i64()))
                    }
                })
            };
        }
        match self {
            CompareUnaryOp::LogicalNot => {
                let x = eval::as_dtype(x, DType::Bool, pool)?;
                eval::map1::<bool, bool>(&x, pool, name, |v| !v)
            }
            // Through f64: exact for every float32 value, NaN and sign included.
            CompareUnaryOp::IsNan => pred!(f64::is_nan, |_| false),
            CompareUnaryOp::IsInf => pred!(f64::is_infinite, |_| false),
            CompareUnaryOp::IsFinite => pred!(f64::is_finite, |_| true),
            CompareUnaryOp::Signbit => pred!(f64::is_sign_negative, |v: i64| v < 0),
            CompareUnaryOp::Rint if !dtype.is_float() => {
                let x = eval::as_dtype(x, DType::Float64, pool)?;
                eval::map1::<f64, f64>(&x, pool, name, Float::round_ties_even)
            }
            CompareUnaryOp::Sign => dispatch_num!(dtype, T => {
                eval::map1::<T, T>(x, pool, name, |v| {
                    if v > T::ZERO {
                        T::ONE
                    } else if v < T::ZERO {
                        T::from_i64(-1)
                    } else if v == T::ZERO {
                        T::ZERO
                    } else {
                        v // NaN
                    }
                })
            }, bool => Err(Error::UnsupportedDType { op: name, dtype })),
            _ => dispatch_float!(dtype, T => match self {
                CompareUnaryOp::Ceil => eval::map1::<T, T>(x, pool, name, Float::ceil),
                CompareUnaryOp::Floor => eval::map1::<T, T>(x, pool, name, Float::floor),
                CompareUnaryOp::Trunc => eval::map1::<T, T>(x, pool, name, Float::trunc),
                _ => eval::map1::<T, T>(x, pool, name, Float::round_ties_even),
            }, other => eval::cast(x, dtype, pool)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_division_matches_numpy() {
        // np.floor_divide / np.remainder / np.fmod on int64.
        let cases = [
            (7, 2, 3, 1, 1),
            (-7, 2, -4, 1, -1),
            (7, -2, -4, -1, 1),
            (-7, -2, 3, -1, -1),
            (5, 0, 0, 0, 0),
            (i64::MIN, -1, i64::MIN, 0, 0),
        ];
        for (a, b, q, r, f) in cases {
            assert_eq!(int_floor_divide(a, b), q, "{a} // {b}");
            assert_eq!(int_remainder(a, b), r, "{a} % {b}");
            assert_eq!(int_fmod(a, b), f, "fmod({a}, {b})");
        }
    }

    #[test]
    fn float_division_matches_numpy() {
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        let same = |x: f64, y: f64| (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits();
        // (a, b, np.floor_divide(a, b), np.remainder(a, b)) from NumPy 2.4.
        let cases = [
            (0.0, 0.0, nan, nan),
            (0.0, -1.0, -0.0, -0.0),
            (-0.0, 1e300, -0.0, 0.0),
            (-0.0, -inf, 0.0, -0.0),
            (1.0, 0.0, inf, nan),
            (1.0, -0.0, -inf, nan),
            (1.0, -inf, -1.0, -inf),
            (-1.0, inf, -1.0, inf),
            (-2.5, 1e300, -1.0, 1e300),
            (1e300, -7.0, -1.4285714285714286e299, -6.0),
            (1e300, 0.3, 3.3333333333333335e300, 0.15321850028067768),
            (1e300, -1e-300, -inf, -5.108445149146398e-301),
            (inf, 1.0, nan, nan),
            (-inf, 0.0, -inf, nan),
            (nan, 1.0, nan, nan),
            (-7.0, 2.5, -3.0, 0.5),
        ];
        for (a, b, q, r) in cases {
            assert!(
                same(floor_divide(a, b), q),
                "{a} // {b}: {}",
                floor_divide(a, b)
            );
            assert!(same(remainder(a, b), r), "{a} % {b}: {}", remainder(a, b));
        }
    }
}
