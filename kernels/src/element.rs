//! The element types kernels compute over, and the conversions between them.

use core::fmt::Debug;

/// A scalar type a kernel can read and write: `bool`, `i32`, `i64`, `f32`, `f64`.
///
/// Every kernel is generic over this trait; the runtime dtype is matched once,
/// in the main crate, never inside a kernel.
pub trait Element: Copy + Debug + Default + PartialEq + PartialOrd + Send + Sync + 'static {
    /// The additive identity (`false` for `bool`).
    const ZERO: Self;
    /// The multiplicative identity (`true` for `bool`).
    const ONE: Self;
    /// Converts to `f64` (`true` is `1.0`).
    fn to_f64(self) -> f64;
    /// Converts from `f64` with NumPy's `astype` rules: floats round to
    /// nearest, integers truncate toward zero (saturating), `bool` is `x != 0`
    /// (NaN is `true`).
    fn from_f64(x: f64) -> Self;
    /// Converts to `i64` exactly for integers and `bool`; floats truncate toward zero (saturating).
    fn to_i64(self) -> i64;
    /// Converts from `i64` (wrapping for `i32`, as NumPy's `astype` does; `bool` is `x != 0`).
    fn from_i64(x: i64) -> Self;
}

macro_rules! float_element {
    ($t:ty) => {
        impl Element for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(x: i64) -> Self {
                x as $t
            }
        }
    };
}
float_element!(f32);
float_element!(f64);

macro_rules! int_element {
    ($t:ty) => {
        impl Element for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(x: i64) -> Self {
                x as $t
            }
        }
    };
}
int_element!(i32);
int_element!(i64);

impl Element for bool {
    const ZERO: Self = false;
    const ONE: Self = true;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x != 0.0
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_i64(x: i64) -> Self {
        x != 0
    }
}

/// Numeric element types (everything but `bool`): closed under `+ - *`.
pub trait Num:
    Element
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
    + core::ops::Mul<Output = Self>
    + core::ops::AddAssign
{
    /// `self + other`, wrapping on integer overflow as NumPy does (plain `+` for floats).
    fn wrapping_add(self, other: Self) -> Self;
    /// `self * other`, wrapping on integer overflow as NumPy does (plain `*` for floats).
    fn wrapping_mul(self, other: Self) -> Self;
}

macro_rules! int_num {
    ($t:ty) => {
        impl Num for $t {
            #[inline(always)]
            fn wrapping_add(self, other: Self) -> Self {
                <$t>::wrapping_add(self, other)
            }
            #[inline(always)]
            fn wrapping_mul(self, other: Self) -> Self {
                <$t>::wrapping_mul(self, other)
            }
        }
    };
}
int_num!(i32);
int_num!(i64);

macro_rules! float_num {
    ($t:ty) => {
        impl Num for $t {
            #[inline(always)]
            fn wrapping_add(self, other: Self) -> Self {
                self + other
            }
            #[inline(always)]
            fn wrapping_mul(self, other: Self) -> Self {
                self * other
            }
        }
    };
}
float_num!(f32);
float_num!(f64);

/// Floating-point element types, with the maths the kernels need.
///
/// Call the transcendental methods through the trait (`Float::sin(x)`):
/// `f32`'s inherent methods of the same names compute in single precision,
/// while these compute in `f64` and round once, so they are correctly
/// rounded and the same on every machine.
pub trait Float:
    Num + core::ops::Div<Output = Self> + core::ops::Neg<Output = Self> + core::ops::DivAssign
{
    /// Not-a-number.
    const NAN: Self;
    /// Positive infinity.
    const INFINITY: Self;
    /// Negative infinity.
    const NEG_INFINITY: Self;
    /// Converts from `f64`, rounding to nearest.
    fn from_f64_lossy(x: f64) -> Self;
    /// Whether the value is NaN.
    fn is_nan(self) -> bool;
    /// Absolute value.
    fn abs(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// `e^x`.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Tangent.
    fn tan(self) -> Self;
    /// `out[i] = f(x[i])` with the vector kernels of [`vmath`](crate::vmath)
    /// (the same bits as the scalar methods).
    fn map_fun(f: crate::vmath::Fun, x: &[Self], out: &mut [Self]);
    /// `out[i] = g[i] · f'(x[i])` with the fused vector kernels.
    fn grad_fun(d: crate::vmath::Grad, g: &[Self], x: &[Self], out: &mut [Self]);
    /// `2^x`.
    fn exp2(self) -> Self;
    /// `e^x - 1`, accurate near 0.
    fn exp_m1(self) -> Self;
    /// Base-2 logarithm.
    fn log2(self) -> Self;
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// `ln(1 + x)`, accurate near 0.
    fn ln_1p(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// Arcsine.
    fn asin(self) -> Self;
    /// Arccosine.
    fn acos(self) -> Self;
    /// Arctangent.
    fn atan(self) -> Self;
    /// The angle of the point `(other, self)`: NumPy's `arctan2(self, other)`.
    fn atan2(self, other: Self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Inverse hyperbolic sine.
    fn asinh(self) -> Self;
    /// Inverse hyperbolic cosine.
    fn acosh(self) -> Self;
    /// Inverse hyperbolic tangent.
    fn atanh(self) -> Self;
    /// `ln(e^x + e^y)` without overflow: NumPy's `logaddexp` formula,
    /// evaluated in the type's own precision as NumPy does.
    fn ln_add_exp(self, other: Self) -> Self;
    /// `log2(2^x + 2^y)` without overflow: NumPy's `logaddexp2` formula,
    /// evaluated in the type's own precision as NumPy does.
    fn log2_add_exp2(self, other: Self) -> Self;
    /// `self^e` for a float exponent.
    fn powf(self, e: Self) -> Self;
    /// `self^n` for an integer exponent.
    fn powi(self, n: i32) -> Self;
    /// The larger of two values, NaN-propagating as NumPy's `maximum`.
    fn max_nan(self, other: Self) -> Self;
    /// The smaller of two values, NaN-propagating as NumPy's `minimum`.
    fn min_nan(self, other: Self) -> Self;
    /// Whether the value is `±inf`.
    fn is_infinite(self) -> bool;
    /// Whether the value is neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// Whether the sign bit is set (true for `-0.0` and negative NaNs).
    fn is_sign_negative(self) -> bool;
    /// The largest integer not above the value.
    fn floor(self) -> Self;
    /// The smallest integer not below the value.
    fn ceil(self) -> Self;
    /// The integer part (rounds toward zero).
    fn trunc(self) -> Self;
    /// The nearest integer, ties to even (NumPy's `rint`).
    fn round_ties_even(self) -> Self;
    /// The remainder of truncated division, with the dividend's sign (C's `fmod`).
    fn fmod(self, other: Self) -> Self;
    /// The value with the sign of `sign`.
    fn copysign(self, sign: Self) -> Self;
}

/// One-argument methods computed in `$via` and rounded once to `$t`.
macro_rules! via {
    ($t:ident, $via:ident; $($name:ident)*) => {$(
        #[inline(always)]
        fn $name(self) -> Self {
            $via::$name(self as $via) as $t
        }
    )*};
}

/// The functions with vector kernels go through `vmath`'s scalar path, so a
/// value computed alone has the same bits as in a vectorised array.
macro_rules! vmath_via {
    (f32; $($name:ident $fun:ident)*) => {$(
        #[inline(always)]
        fn $name(self) -> Self {
            crate::vmath::eval_f32(crate::vmath::Fun::$fun, self)
        }
    )*};
    (f64; $($name:ident $fun:ident)*) => {$(
        #[inline(always)]
        fn $name(self) -> Self {
            crate::vmath::eval_f64(crate::vmath::Fun::$fun, self)
        }
    )*};
}

/// `vmath`'s slice entry points for a float type.
macro_rules! vmath_slices {
    (f32) => {
        (crate::vmath::map_f32, crate::vmath::grad_f32_slice)
    };
    (f64) => {
        (crate::vmath::map_f64, crate::vmath::grad_f64_slice)
    };
}

macro_rules! float_impl {
    ($t:ident, $via:ident) => {
        impl Float for $t {
            const NAN: Self = $t::NAN;
            const INFINITY: Self = $t::INFINITY;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;
            #[inline(always)]
            fn from_f64_lossy(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                $t::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                $t::sqrt(self)
            }
            vmath_via!($t; exp Exp ln Ln sin Sin cos Cos tan Tan);
            via!($t, $via; exp2 exp_m1 log2 log10 ln_1p cbrt
                asin acos atan sinh cosh tanh asinh acosh atanh);
            #[inline]
            fn map_fun(f: crate::vmath::Fun, x: &[Self], out: &mut [Self]) {
                vmath_slices!($t).0(f, x, out)
            }
            #[inline]
            fn grad_fun(d: crate::vmath::Grad, g: &[Self], x: &[Self], out: &mut [Self]) {
                vmath_slices!($t).1(d, g, x, out)
            }
            #[inline(always)]
            fn atan2(self, other: Self) -> Self {
                $via::atan2(self as $via, other as $via) as $t
            }
            // NumPy's npy_logaddexp(2) formulas, step by step in the type
            // itself (as NumPy's float32 loop runs them in float32), with
            // the correctly rounded exp/exp2/log1p above.
            #[inline(always)]
            fn ln_add_exp(self, other: Self) -> Self {
                let (x, y) = (self, other);
                if x == y {
                    // Equal arguments (infinities included) need no log.
                    x + core::$t::consts::LN_2
                } else {
                    let d = x - y;
                    if d > 0.0 {
                        x + Float::ln_1p(Float::exp(-d))
                    } else if d <= 0.0 {
                        y + Float::ln_1p(Float::exp(d))
                    } else {
                        d // NaN
                    }
                }
            }
            #[inline(always)]
            fn log2_add_exp2(self, other: Self) -> Self {
                let (x, y) = (self, other);
                if x == y {
                    x + 1.0
                } else {
                    let d = x - y;
                    // npy_log2_1p(u) = log2(e) · ln(1 + u)
                    if d > 0.0 {
                        x + core::$t::consts::LOG2_E * Float::ln_1p(Float::exp2(-d))
                    } else if d <= 0.0 {
                        y + core::$t::consts::LOG2_E * Float::ln_1p(Float::exp2(d))
                    } else {
                        d // NaN
                    }
                }
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                $via::powf(self as $via, e as $via) as $t
            }
            #[inline(always)]
            fn powi(self, n: i32) -> Self {
                $t::powi(self, n)
            }
            #[inline(always)]
            fn max_nan(self, other: Self) -> Self {
                if self.is_nan() || other.is_nan() {
                    $t::NAN
                } else if self >= other {
                    self
                } else {
                    other
                }
            }
            #[inline(always)]
            fn min_nan(self, other: Self) -> Self {
                if self.is_nan() || other.is_nan() {
                    $t::NAN
                } else if self <= other {
                    self
                } else {
                    other
                }
            }
            // Exact in the type itself: no detour through f64 needed.
            #[inline(always)]
            fn is_infinite(self) -> bool {
                $t::is_infinite(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                $t::is_finite(self)
            }
            #[inline(always)]
            fn is_sign_negative(self) -> bool {
                $t::is_sign_negative(self)
            }
            #[inline(always)]
            fn floor(self) -> Self {
                $t::floor(self)
            }
            #[inline(always)]
            fn ceil(self) -> Self {
                $t::ceil(self)
            }
            #[inline(always)]
            fn trunc(self) -> Self {
                $t::trunc(self)
            }
            #[inline(always)]
            fn round_ties_even(self) -> Self {
                $t::round_ties_even(self)
            }
            #[inline(always)]
            fn fmod(self, other: Self) -> Self {
                self % other
            }
            #[inline(always)]
            fn copysign(self, sign: Self) -> Self {
                $t::copysign(self, sign)
            }
        }
    };
}

// float32 transcendentals are computed in float64 and rounded once: correctly
// rounded (but for rare double roundings), and identical on every machine —
// except exp, sin and cos, which run natively in float32 (vmath32.rs) within
// 1 ulp of the correctly rounded value, also identical on every machine.
// NumPy's float32 SIMD kernels (its own and Intel SVML) are up to a few ulp
// off instead; see the conformance harness for how that is accounted for.
float_impl!(f32, f64);
float_impl!(f64, f64);

#[cfg(test)]
mod tests {
    use super::Float;

    #[test]
    fn float32_maths_is_float64_rounded_once() {
        for x in [0.3f32, -1.7, 2.5, 1e-3] {
            assert_eq!(Float::asinh(x), (x as f64).asinh() as f32);
            assert_eq!(Float::exp_m1(x), (x as f64).exp_m1() as f32);
            assert_eq!(Float::cbrt(x), (x as f64).cbrt() as f32);
            assert_eq!(
                Float::atan2(x, 0.7f32),
                (x as f64).atan2(0.7f32 as f64) as f32
            );
        }
    }

    #[test]
    fn logaddexp_follows_numpy_at_the_edges() {
        let inf = f64::INFINITY;
        // Equal arguments, infinities included, take the `x + ln 2` branch.
        assert_eq!(Float::ln_add_exp(inf, inf), inf);
        assert_eq!(Float::ln_add_exp(-inf, -inf), -inf);
        assert_eq!(Float::ln_add_exp(0.0f64, 0.0), core::f64::consts::LN_2);
        assert_eq!(Float::log2_add_exp2(3.0f64, 3.0), 4.0);
        // No overflow for large arguments.
        assert_eq!(Float::ln_add_exp(1000.0f64, 0.0), 1000.0);
        assert_eq!(Float::log2_add_exp2(-inf, 5.0f64), 5.0);
        assert!(Float::ln_add_exp(f64::NAN, 1.0).is_nan());
        assert!(Float::ln_add_exp(inf, -inf) == inf);
        assert!((Float::ln_add_exp(1.0f32, 2.0) - 2.313_261_7).abs() < 1e-6);
    }
}
