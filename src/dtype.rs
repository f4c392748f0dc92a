//! Data types, NumPy's promotion rules between them, and the single dispatch
//! helpers that turn a runtime dtype into a concrete element type.

use core::fmt;

/// The element type of a tensor or array.
///
/// `Float32` and `Float64` tensors can be variables (they receive gradients);
/// `Bool`, `Int32` and `Int64` tensors are always constants, as in MyGrad.
///
/// ```
/// use causing_diff::DType;
/// assert_eq!(DType::promote(DType::Float32, DType::Float64), DType::Float64);
/// assert_eq!(DType::promote(DType::Int64, DType::Float32), DType::Float64);
/// assert_eq!(DType::Float32.to_string(), "float32");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// `bool`
    Bool,
    /// `int32`
    Int32,
    /// `int64`
    Int64,
    /// `float32`
    Float32,
    /// `float64`
    Float64,
}

impl DType {
    /// NumPy's name for the dtype (`"float32"`, `"int64"`, `"bool"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    /// Parses NumPy's name for a dtype.
    ///
    /// ```
    /// use causing_diff::DType;
    /// assert_eq!(DType::from_name("int32"), Some(DType::Int32));
    /// assert_eq!(DType::from_name("complex64"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<DType> {
        Some(match name {
            "bool" => DType::Bool,
            "int32" => DType::Int32,
            "int64" => DType::Int64,
            "float32" => DType::Float32,
            "float64" => DType::Float64,
            _ => return None,
        })
    }

    /// Whether the dtype is `Float32` or `Float64`.
    pub fn is_float(self) -> bool {
        matches!(self, DType::Float32 | DType::Float64)
    }

    /// Whether the dtype is `Int32` or `Int64`.
    pub fn is_integer(self) -> bool {
        matches!(self, DType::Int32 | DType::Int64)
    }

    /// Bytes per element.
    pub fn size_of(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }

    /// NumPy 2's result dtype for an operation between two arrays.
    ///
    /// `f32 ⊕ f64 → f64`, `int ⊕ f64 → f64`, `int32 ⊕ f32 → f64`,
    /// `int64 ⊕ f32 → f64`, `int32 ⊕ int64 → int64`, `bool ⊕ x → x`.
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::*;
        if a == b {
            return a;
        }
        match (a.min(b), a.max(b)) {
            (Bool, x) => x,
            (Int32, Int64) => Int64,
            (Int32 | Int64, Float32) => Float64,
            (_, Float64) => Float64,
            _ => unreachable!("promote covers every pair"),
        }
    }

    /// The dtype of an operation between an array of this dtype and a weak
    /// Rust scalar (NEP 50): a float scalar keeps a float dtype and turns
    /// integers and bools into `Float64`; an integer scalar keeps integer
    /// dtypes and turns `Bool` into `Int64`.
    pub fn promote_weak(self, scalar: Scalar) -> DType {
        match (self, scalar) {
            (d, Scalar::Float(_)) if d.is_float() => d,
            (_, Scalar::Float(_)) => DType::Float64,
            (DType::Bool, Scalar::Int(_)) => DType::Int64,
            (d, Scalar::Int(_)) => d,
            (d, Scalar::Bool(_)) => d,
        }
    }

    /// The dtype a float-valued function (`sin`, `exp`, `divide`, ...)
    /// returns for this input dtype: floats keep theirs, everything else
    /// becomes `Float64` (NumPy's rule for integer inputs).
    pub fn float_result(self) -> DType {
        if self.is_float() {
            self
        } else {
            DType::Float64
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A plain Rust number used as an operand: a *weak* scalar in NumPy 2's
/// sense (NEP 50), which never widens a tensor's float dtype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// A `bool` scalar.
    Bool(bool),
    /// An integer scalar (`i32` or `i64`).
    Int(i64),
    /// A float scalar (`f32` or `f64`).
    Float(f64),
}

impl Scalar {
    /// The value as `f64`.
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(x) => x,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x:?}"),
        }
    }
}

macro_rules! scalar_from {
    ($t:ty, $v:ident, $e:expr) => {
        impl From<$t> for Scalar {
            fn from($v: $t) -> Scalar {
                $e
            }
        }
    };
}
scalar_from!(f64, x, Scalar::Float(x));
scalar_from!(f32, x, Scalar::Float(x as f64));
scalar_from!(i64, x, Scalar::Int(x));
scalar_from!(i32, x, Scalar::Int(x as i64));
scalar_from!(bool, x, Scalar::Bool(x));

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn promotion_matches_numpy_2() {
        // Expected values from NumPy 2's np.result_type on arrays.
        let table = [
            (Bool, Bool, Bool),
            (Bool, Int32, Int32),
            (Bool, Float32, Float32),
            (Int32, Int32, Int32),
            (Int32, Int64, Int64),
            (Int32, Float32, Float64),
            (Int64, Float32, Float64),
            (Int64, Float64, Float64),
            (Float32, Float64, Float64),
            (Float32, Float32, Float32),
        ];
        for (a, b, want) in table {
            assert_eq!(DType::promote(a, b), want, "{a} with {b}");
            assert_eq!(DType::promote(b, a), want, "{b} with {a}");
        }
    }

    #[test]
    fn weak_scalars_follow_nep50() {
        assert_eq!(Float32.promote_weak(Scalar::Float(2.0)), Float32);
        assert_eq!(Int32.promote_weak(Scalar::Float(2.0)), Float64);
        assert_eq!(Int32.promote_weak(Scalar::Int(2)), Int32);
        assert_eq!(Bool.promote_weak(Scalar::Int(2)), Int64);
        assert_eq!(Bool.promote_weak(Scalar::Float(2.0)), Float64);
    }
}
