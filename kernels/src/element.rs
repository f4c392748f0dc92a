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
    /// `self^e` for a float exponent.
    fn powf(self, e: Self) -> Self;
    /// `self^n` for an integer exponent.
    fn powi(self, n: i32) -> Self;
    /// The larger of two values, NaN-propagating as NumPy's `maximum`.
    fn max_nan(self, other: Self) -> Self;
    /// The smaller of two values, NaN-propagating as NumPy's `minimum`.
    fn min_nan(self, other: Self) -> Self;
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
            #[inline(always)]
            fn exp(self) -> Self {
                $via::exp(self as $via) as $t
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $via::ln(self as $via) as $t
            }
            #[inline(always)]
            fn sin(self) -> Self {
                $via::sin(self as $via) as $t
            }
            #[inline(always)]
            fn cos(self) -> Self {
                $via::cos(self as $via) as $t
            }
            #[inline(always)]
            fn tan(self) -> Self {
                $via::tan(self as $via) as $t
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
        }
    };
}
// float32 transcendentals are computed in float64 and rounded once: correctly
// rounded (but for rare double roundings), and identical on every machine.
// NumPy's float32 SIMD kernels (its own and Intel SVML) are up to a few ulp
// off instead; see the conformance harness for how that is accounted for.
float_impl!(f32, f64);
float_impl!(f64, f64);
