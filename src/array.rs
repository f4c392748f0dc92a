//! `Array`: a plain N-dimensional array of values with no graph — what
//! `Tensor::data()` and `Tensor::grad()` return — and the typed storage
//! (`Buf`) that tensors and arrays share.

use causing_diff_kernels::{Dims, Element};

use crate::dtype::DType;
use crate::error::{shape_str, Error, Result};

/// Contiguous, row-major storage of one dtype (crate-internal: the module is
/// private and the type is not re-exported).
#[derive(Clone, Debug, PartialEq)]
pub enum Buf {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Runs `$body` with `$v` bound to the typed contents of a [`Buf`]-like
/// enum, once per element type: the one place a runtime dtype becomes a
/// static type.
macro_rules! with_buf {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            $crate::array::Buf::Bool($v) => $body,
            $crate::array::Buf::I32($v) => $body,
            $crate::array::Buf::I64($v) => $body,
            $crate::array::Buf::F32($v) => $body,
            $crate::array::Buf::F64($v) => $body,
        }
    };
}
pub(crate) use with_buf;

impl Buf {
    pub(crate) fn dtype(&self) -> DType {
        match self {
            Buf::Bool(_) => DType::Bool,
            Buf::I32(_) => DType::Int32,
            Buf::I64(_) => DType::Int64,
            Buf::F32(_) => DType::Float32,
            Buf::F64(_) => DType::Float64,
        }
    }

    pub(crate) fn len(&self) -> usize {
        with_buf!(self, v => v.len())
    }

    /// Whether this is a one-element buffer with no room to spare (what
    /// the pool keeps on its own lists).
    pub(crate) fn is_single(&self) -> bool {
        with_buf!(self, v => v.len() == 1 && v.capacity() <= 2)
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        with_buf!(self, v => v.capacity()) * self.dtype().size_of()
    }

    /// Element `i` as `f64`.
    pub(crate) fn get_f64(&self, i: usize) -> f64 {
        with_buf!(self, v => v[i].to_f64())
    }
}

/// The Rust element types an [`Array`] can hold: `bool`, `i32`, `i64`,
/// `f32`, `f64`.
pub trait Elem: Element + sealed::Storage {
    /// The matching [`DType`].
    const DTYPE: DType;
}

pub(crate) mod sealed {
    use super::Buf;
    /// Moves typed vectors in and out of a [`Buf`]; private to the crate.
    pub trait Storage: Sized {
        fn wrap(v: Vec<Self>) -> Buf;
        fn slice(buf: &Buf) -> Option<&[Self]>;
        fn slice_mut(buf: &mut Buf) -> Option<&mut Vec<Self>>;
        /// The capacity of `buf` if it holds `Self`, else 0.
        fn slice_cap(buf: &Buf) -> usize;
        /// Takes the vector out of a buffer known to hold `Self`.
        fn unwrap_vec(buf: Buf) -> Vec<Self>;
    }
}
pub(crate) use sealed::Storage;

macro_rules! elem {
    ($t:ty, $variant:ident, $dtype:ident) => {
        impl Storage for $t {
            fn wrap(v: Vec<Self>) -> Buf {
                Buf::$variant(v)
            }
            fn slice(buf: &Buf) -> Option<&[Self]> {
                match buf {
                    Buf::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn slice_mut(buf: &mut Buf) -> Option<&mut Vec<Self>> {
                match buf {
                    Buf::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn slice_cap(buf: &Buf) -> usize {
                match buf {
                    Buf::$variant(v) => v.capacity(),
                    _ => 0,
                }
            }
            fn unwrap_vec(buf: Buf) -> Vec<Self> {
                match buf {
                    Buf::$variant(v) => v,
                    other => unreachable!("buffer of {} taken as {}", other.dtype(), DType::$dtype),
                }
            }
        }
        impl Elem for $t {
            const DTYPE: DType = DType::$dtype;
        }
    };
}
elem!(bool, Bool, Bool);
elem!(i32, I32, Int32);
elem!(i64, I64, Int64);
elem!(f32, F32, Float32);
elem!(f64, F64, Float64);

/// A plain N-dimensional array: values, a shape and a dtype, no graph.
///
/// This is what [`Tensor::data`](crate::Tensor::data) and
/// [`Tensor::grad`](crate::Tensor::grad) return. It prints as NumPy's
/// `repr` does.
///
/// ```
/// use causing_diff::Array;
/// let a = Array::from_shape_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
/// assert_eq!(a.shape(), &[2, 2]);
/// assert_eq!(a.to_string(), "array([[1., 2.],\n       [3., 4.]])");
/// assert_eq!(a.get::<f64>(&[1, 0]), Some(3.0));
/// ```
#[derive(Clone, PartialEq)]
pub struct Array {
    pub(crate) buf: Buf,
    pub(crate) shape: Dims,
}

impl Array {
    pub(crate) fn from_parts(buf: Buf, shape: Dims) -> Array {
        debug_assert_eq!(Some(buf.len()), causing_diff_kernels::checked_size(&shape));
        Array { buf, shape }
    }

    /// A 1-D array holding `data`.
    ///
    /// ```
    /// use causing_diff::Array;
    /// assert_eq!(Array::from_vec(vec![1i32, 2]).to_string(), "array([1, 2], dtype=int32)");
    /// ```
    pub fn from_vec<T: Elem>(data: Vec<T>) -> Array {
        let n = data.len();
        Array {
            buf: T::wrap(data),
            shape: Dims::from([n]),
        }
    }

    /// An array of the given shape holding `data` in row-major order.
    ///
    /// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument) when `data.len()` is not the
    /// product of `shape`.
    pub fn from_shape_vec<T: Elem>(shape: &[usize], data: Vec<T>) -> Result<Array> {
        let size = crate::eval::size(shape, "array")?;
        if size != data.len() {
            return Err(Error::InvalidArgument {
                op: "array",
                message: format!(
                    "{} elements cannot fill an array of shape {}",
                    data.len(),
                    shape_str(shape)
                ),
            });
        }
        Ok(Array {
            buf: T::wrap(data),
            shape: Dims::from(shape),
        })
    }

    /// A 0-d array holding one value.
    ///
    /// ```
    /// use causing_diff::Array;
    /// assert_eq!(Array::scalar(2.5).to_string(), "array(2.5)");
    /// ```
    pub fn scalar<T: Elem>(value: T) -> Array {
        Array {
            buf: T::wrap(vec![value]),
            shape: Dims::new(),
        }
    }

    /// An array of the given shape and dtype filled with `value` (converted
    /// with NumPy's casting rules).
    pub fn full(shape: &[usize], value: f64, dtype: DType) -> Result<Array> {
        Array::filled(shape, value, dtype, "full")
    }

    /// [`Array::full`] with errors naming `op`, the function the user called.
    fn filled(shape: &[usize], value: f64, dtype: DType, op: &'static str) -> Result<Array> {
        let n = crate::eval::size(shape, op)?;
        let buf = filled_buf(dtype, n, value).ok_or_else(|| Error::TooLarge {
            op,
            shape: shape.to_vec(),
        })?;
        Ok(Array {
            buf,
            shape: Dims::from(shape),
        })
    }

    /// An array of zeros.
    ///
    /// ```
    /// use causing_diff::{Array, DType};
    /// assert_eq!(Array::zeros(&[2], DType::Int64).unwrap().to_string(), "array([0, 0])");
    /// ```
    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Array> {
        Array::filled(shape, 0.0, dtype, "zeros")
    }

    /// An array of ones.
    pub fn ones(shape: &[usize], dtype: DType) -> Result<Array> {
        Array::filled(shape, 1.0, dtype, "ones")
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.buf.dtype()
    }

    /// The shape (`&[]` for a 0-d array).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Whether the shape is `shape`, by a loop: `==` on slices calls
    /// `memcmp`, which took 4.7% of the samples of W1 (0-d arrays, whose
    /// shapes are empty).
    #[inline(always)]
    pub(crate) fn has_shape(&self, shape: &[usize]) -> bool {
        same_shape(&self.shape, shape)
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        self.buf.len()
    }

    /// The elements in row-major order, if `T` is the array's element type.
    ///
    /// ```
    /// use causing_diff::Array;
    /// let a = Array::from_vec(vec![1.5f32, 2.5]);
    /// assert_eq!(a.as_slice::<f32>(), Some(&[1.5f32, 2.5][..]));
    /// assert_eq!(a.as_slice::<f64>(), None);
    /// ```
    pub fn as_slice<T: Elem>(&self) -> Option<&[T]> {
        T::slice(&self.buf)
    }

    /// The elements in row-major order, mutably, if `T` is the element type.
    pub fn as_mut_slice<T: Elem>(&mut self) -> Option<&mut [T]> {
        T::slice_mut(&mut self.buf).map(|v| v.as_mut_slice())
    }

    /// The elements converted to `f64`, in row-major order.
    ///
    /// ```
    /// use causing_diff::Array;
    /// assert_eq!(Array::from_vec(vec![true, false]).to_f64_vec(), vec![1.0, 0.0]);
    /// ```
    pub fn to_f64_vec(&self) -> Vec<f64> {
        with_buf!(&self.buf, v => v.iter().map(|x| x.to_f64()).collect())
    }

    /// The element at a multi-index, if `T` is the element type and the
    /// index is in bounds.
    pub fn get<T: Elem>(&self, index: &[usize]) -> Option<T> {
        let flat = self.flat_index(index)?;
        self.as_slice::<T>().map(|s| s[flat])
    }

    /// The single element of a size-1 array as `f64` (MyGrad's `item()`).
    ///
    /// ```
    /// use causing_diff::Array;
    /// assert_eq!(Array::scalar(7i64).item(), Some(7.0));
    /// assert_eq!(Array::from_vec(vec![1.0, 2.0]).item(), None);
    /// ```
    pub fn item(&self) -> Option<f64> {
        (self.size() == 1).then(|| self.buf.get_f64(0))
    }

    /// A copy converted to another dtype with NumPy's `astype` rules:
    /// float→int truncates toward zero, anything→bool is `x != 0`.
    ///
    /// ```
    /// use causing_diff::{Array, DType};
    /// let a = Array::from_vec(vec![1.9, -1.9]).astype(DType::Int64);
    /// assert_eq!(a.to_string(), "array([ 1, -1])");
    /// ```
    pub fn astype(&self, dtype: DType) -> Array {
        Array {
            buf: cast_buf(&self.buf, dtype),
            shape: self.shape.clone(),
        }
    }

    fn flat_index(&self, index: &[usize]) -> Option<usize> {
        if index.len() != self.shape.len() {
            return None;
        }
        let mut flat = 0usize;
        for (&i, &d) in index.iter().zip(self.shape.iter()) {
            if i >= d {
                return None;
            }
            flat = flat * d + i;
        }
        Some(flat)
    }
}

/// A buffer of `n` copies of `value` cast to `dtype`; `None` if the
/// allocation fails.
pub(crate) fn filled_buf(dtype: DType, n: usize, value: f64) -> Option<Buf> {
    fn fill<T: Elem>(n: usize, value: f64) -> Option<Buf> {
        let mut v: Vec<T> = Vec::new();
        v.try_reserve_exact(n).ok()?;
        v.resize(n, T::from_f64(value));
        Some(T::wrap(v))
    }
    match dtype {
        DType::Bool => fill::<bool>(n, value),
        DType::Int32 => fill::<i32>(n, value),
        DType::Int64 => fill::<i64>(n, value),
        DType::Float32 => fill::<f32>(n, value),
        DType::Float64 => fill::<f64>(n, value),
    }
}

/// Converts a buffer to another dtype (a copy even when the dtype matches).
pub(crate) fn cast_buf(buf: &Buf, dtype: DType) -> Buf {
    fn conv<T: Elem>(buf: &Buf) -> Buf {
        // Integer targets convert through i64 (exact for integers, truncation
        // toward zero for floats); float and bool targets through f64.
        if T::DTYPE.is_integer() {
            with_buf!(buf, v => T::wrap(v.iter().map(|&x| T::from_i64(x.to_i64())).collect()))
        } else {
            with_buf!(buf, v => T::wrap(v.iter().map(|&x| T::from_f64(x.to_f64())).collect()))
        }
    }
    match dtype {
        DType::Bool => conv::<bool>(buf),
        DType::Int32 => conv::<i32>(buf),
        DType::Int64 => conv::<i64>(buf),
        DType::Float32 => conv::<f32>(buf),
        DType::Float64 => conv::<f64>(buf),
    }
}

/// Rust values that become arrays: scalars, fixed-size (nested) arrays,
/// `Vec`s, slices and [`Array`]s.
///
/// Element types `f64`, `f32`, `i64` and `bool` are accepted in literals, so
/// an unsuffixed integer literal (`g.tensor([1, 2])`) is `int64`, as in
/// MyGrad. Build `int32` data with [`Array::from_vec`].
///
/// ```
/// use causing_diff::{Array, IntoArray, DType};
/// assert_eq!(2.0.into_array().dtype(), DType::Float64);
/// assert_eq!([1, 2].into_array().dtype(), DType::Int64);
/// assert_eq!([[1.0f32], [2.0]].into_array().shape(), &[2, 1]);
/// ```
pub trait IntoArray {
    /// Converts into an [`Array`].
    fn into_array(self) -> Array;
}

/// Element types accepted in array literals: `f64`, `f32`, `i64`, `bool`.
pub trait LiteralElem: Elem {}
impl LiteralElem for f64 {}
impl LiteralElem for f32 {}
impl LiteralElem for i64 {}
impl LiteralElem for bool {}

impl<T: LiteralElem> IntoArray for T {
    fn into_array(self) -> Array {
        Array::scalar(self)
    }
}

impl<T: LiteralElem, const N: usize> IntoArray for [T; N] {
    fn into_array(self) -> Array {
        Array::from_vec(self.to_vec())
    }
}

impl<T: LiteralElem, const N: usize, const M: usize> IntoArray for [[T; N]; M] {
    fn into_array(self) -> Array {
        let data: Vec<T> = self.iter().flat_map(|r| r.iter().copied()).collect();
        Array {
            buf: T::wrap(data),
            shape: Dims::from([M, N]),
        }
    }
}

impl<T: LiteralElem, const N: usize, const M: usize, const L: usize> IntoArray
    for [[[T; N]; M]; L]
{
    fn into_array(self) -> Array {
        let data: Vec<T> = self
            .iter()
            .flat_map(|p| p.iter().flat_map(|r| r.iter().copied()))
            .collect();
        Array {
            buf: T::wrap(data),
            shape: Dims::from([L, M, N]),
        }
    }
}

impl<T: LiteralElem> IntoArray for Vec<T> {
    fn into_array(self) -> Array {
        Array::from_vec(self)
    }
}

impl<T: LiteralElem> IntoArray for &[T] {
    fn into_array(self) -> Array {
        Array::from_vec(self.to_vec())
    }
}

impl IntoArray for Array {
    fn into_array(self) -> Array {
        self
    }
}

impl IntoArray for &Array {
    fn into_array(self) -> Array {
        self.clone()
    }
}

/// `a == b` for shapes, without a call to `memcmp` (see [`Array::has_shape`]).
#[inline(always)]
pub(crate) fn same_shape(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_data_must_agree() {
        let err = Array::from_shape_vec(&[2, 2], vec![1.0, 2.0, 3.0]).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "array", .. }));
        assert!(err.to_string().contains("(2, 2)"));
    }

    #[test]
    fn casts_follow_numpy() {
        let a = Array::from_vec(vec![f64::NAN, 0.0, -2.7]);
        assert_eq!(
            a.astype(DType::Bool).as_slice::<bool>().unwrap(),
            &[true, false, true]
        );
        assert_eq!(a.astype(DType::Int32).as_slice::<i32>().unwrap()[2], -2);
        let big = Array::from_vec(vec![i64::MAX]);
        assert_eq!(
            big.astype(DType::Int64).as_slice::<i64>().unwrap(),
            &[i64::MAX]
        );
    }

    #[test]
    fn get_checks_bounds_and_type() {
        let a = [[1i64, 2], [3, 4]].into_array();
        assert_eq!(a.get::<i64>(&[1, 1]), Some(4));
        assert_eq!(a.get::<i64>(&[2, 0]), None);
        assert_eq!(a.get::<f64>(&[0, 0]), None);
        assert_eq!(a.get::<i64>(&[0]), None);
    }
}
