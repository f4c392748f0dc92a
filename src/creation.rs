//! Creating tensors: from data, and NumPy's creation functions with
//! MyGrad's defaults (`zeros`, `ones` and `empty` are float32). Ranges live
//! in `creation/ranges.rs`, random draws in `creation/random.rs`.

mod random;
mod ranges;

use causing_diff_kernels::Dims;

use crate::array::{Array, IntoArray};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{Graph, Tensor};
use crate::tensor::ok;

/// Options of the creation functions: the dtype, constness and (for the
/// `*_like` functions) a shape.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let t = g
///     .try_tensor_with([1.0, 2.0, 3.0], TensorOptions::new().dtype(DType::Float32))
///     .unwrap();
/// assert_eq!(t.to_string(), "Tensor([1., 2., 3.], dtype=float32)");
/// let err = g.try_tensor_with([1, 2], TensorOptions::new().constant(false)).unwrap_err();
/// assert!(matches!(err, Error::IntNonConstant { .. }));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TensorOptions {
    dtype: Option<DType>,
    constant: Option<bool>,
    shape: Option<Dims>,
}

impl TensorOptions {
    /// No options: every default applies.
    pub fn new() -> TensorOptions {
        TensorOptions::default()
    }

    /// The dtype of the result.
    pub fn dtype(mut self, dtype: DType) -> TensorOptions {
        self.dtype = Some(dtype);
        self
    }

    /// Whether the result is a constant. Asking for a variable of an
    /// integer or bool dtype is an [`Error::IntNonConstant`].
    pub fn constant(mut self, constant: bool) -> TensorOptions {
        self.constant = Some(constant);
        self
    }

    /// The shape of a `*_like` result, instead of the template's.
    pub fn shape(mut self, shape: &[usize]) -> TensorOptions {
        self.shape = Some(Dims::from(shape));
        self
    }

    /// The constness of a result of `dtype`: the option when given, else
    /// `default` for floats and constant for integers and bools.
    fn constness(&self, dtype: DType, default: bool) -> Result<bool> {
        match self.constant {
            Some(false) if !dtype.is_float() => Err(Error::IntNonConstant { dtype }),
            Some(c) => Ok(c),
            None => Ok(default || !dtype.is_float()),
        }
    }
}

/// A template for the `*_like` functions: a tensor or a plain array.
pub trait LikeTemplate {
    /// The template's dtype, shape and constness (arrays count as constants).
    fn template(&self) -> Result<(DType, Vec<usize>, bool)>;
}

impl LikeTemplate for Tensor<'_> {
    fn template(&self) -> Result<(DType, Vec<usize>, bool)> {
        let shape = self.try_shape()?;
        Ok((self.dtype(), shape, self.is_constant()))
    }
}

impl LikeTemplate for Array {
    fn template(&self) -> Result<(DType, Vec<usize>, bool)> {
        Ok((self.dtype(), self.shape().to_vec(), true))
    }
}

impl IntoArray for Tensor<'_> {
    /// A copy of the tensor's data: a tensor made from it starts a new
    /// graph and re-infers its constness.
    fn into_array(self) -> Array {
        self.data()
    }
}

impl Graph {
    fn new_leaf(&self, value: Array, constant: bool) -> Result<Tensor<'_>> {
        let ids = self.inner.borrow_mut().leaf(value, constant)?;
        Ok(self.handle(ids))
    }

    /// A tensor holding `data`. Float data makes a variable; integer and
    /// bool data make a constant. An `f64` (or unsuffixed float literal) is
    /// float64, `f32` float32, an unsuffixed integer literal int64.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.tensor(2.3).to_string(), "Tensor(2.3)");
    /// assert_eq!(g.tensor([1.0f32, 2.0, 3.0]).to_string(), "Tensor([1., 2., 3.], dtype=float32)");
    /// assert_eq!(g.tensor([1, 2, 3]).dtype(), DType::Int64);
    /// ```
    pub fn tensor(&self, data: impl IntoArray) -> Tensor<'_> {
        let value = data.into_array();
        let constant = !value.dtype().is_float();
        ok(self.new_leaf(value, constant))
    }

    /// A constant tensor holding `data`: it never receives a gradient.
    pub fn constant(&self, data: impl IntoArray) -> Tensor<'_> {
        ok(self.new_leaf(data.into_array(), true))
    }

    /// A tensor from `data` converted to `opts`' dtype (float→int truncates)
    /// with `opts`' constness.
    pub fn try_tensor_with(&self, data: impl IntoArray, opts: TensorOptions) -> Result<Tensor<'_>> {
        let value = data.into_array();
        let dtype = opts.dtype.unwrap_or(value.dtype());
        let constant = opts.constness(dtype, false)?;
        let value = if value.dtype() == dtype {
            value
        } else {
            value.astype(dtype)
        };
        self.new_leaf(value, constant)
    }

    fn create(
        &self,
        shape: &[usize],
        dtype: DType,
        opts: &TensorOptions,
        op: &'static str,
        fill: impl FnMut(usize) -> f64,
    ) -> Result<Tensor<'_>> {
        let constant = opts.constness(dtype, false)?;
        let value = from_fn(shape, dtype, op, fill)?;
        self.new_leaf(value, constant)
    }

    /// A float32 tensor of zeros (MyGrad's default dtype for `zeros`).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[2]).to_string(), "Tensor([0., 0.], dtype=float32)");
    /// ```
    #[track_caller]
    pub fn zeros(&self, shape: &[usize]) -> Tensor<'_> {
        ok(self.try_zeros_with(shape, TensorOptions::new()))
    }

    /// Zeros with options (default float32).
    pub fn try_zeros_with(&self, shape: &[usize], opts: TensorOptions) -> Result<Tensor<'_>> {
        let opts = opts.clone().dtype(opts.dtype.unwrap_or(DType::Float32));
        self.filled(shape, 0.0.into(), opts, "zeros")
    }

    /// A float32 tensor of ones.
    #[track_caller]
    pub fn ones(&self, shape: &[usize]) -> Tensor<'_> {
        ok(self.try_ones_with(shape, TensorOptions::new()))
    }

    /// Ones with options (default float32).
    pub fn try_ones_with(&self, shape: &[usize], opts: TensorOptions) -> Result<Tensor<'_>> {
        let opts = opts.clone().dtype(opts.dtype.unwrap_or(DType::Float32));
        self.filled(shape, 1.0.into(), opts, "ones")
    }

    /// A float32 tensor for the caller to fill. Unlike NumPy's `empty`, the
    /// contents are zeros, never uninitialised memory.
    #[track_caller]
    pub fn empty(&self, shape: &[usize]) -> Tensor<'_> {
        self.zeros(shape)
    }

    /// A tensor filled with `value`, whose type picks the dtype: an integer
    /// gives int64, a float float64, a bool bool.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.full(&[2], 7).to_string(), "Tensor([7, 7])");
    /// ```
    #[track_caller]
    pub fn full(&self, shape: &[usize], value: impl Into<Scalar>) -> Tensor<'_> {
        let value = value.into();
        ok(self.try_full_with(shape, value, TensorOptions::new()))
    }

    /// [`Graph::full`] with options; the fill is cast to the dtype.
    pub fn try_full_with(
        &self,
        shape: &[usize],
        value: impl Into<Scalar>,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        self.filled(shape, value.into(), opts, "full")
    }

    /// `full` under the name of the creation function the user called, so
    /// that its errors name that function.
    fn filled(
        &self,
        shape: &[usize],
        value: Scalar,
        opts: TensorOptions,
        op: &'static str,
    ) -> Result<Tensor<'_>> {
        let dtype = opts.dtype.unwrap_or_else(|| eval::scalar_dtype(value));
        let v = fill_value(value, dtype);
        self.create(shape, dtype, &opts, op, |_| v)
    }

    /// An `n`×`n` float64 identity matrix.
    #[track_caller]
    pub fn eye(&self, n: usize) -> Tensor<'_> {
        ok(self.try_eye_with(n, None, 0, TensorOptions::new()))
    }

    /// An `n`×`m` matrix (`m` defaults to `n`) with ones on diagonal `k`
    /// (positive: above the main diagonal); float64 unless `opts` says otherwise.
    pub fn try_eye_with(
        &self,
        n: usize,
        m: Option<usize>,
        k: isize,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let m = m.unwrap_or(n);
        let dtype = opts.dtype.unwrap_or(DType::Float64);
        self.create(&[n, m], dtype, &opts, "eye", |i| {
            let (r, c) = ((i / m.max(1)) as isize, (i % m.max(1)) as isize);
            if c - r == k {
                1.0
            } else {
                0.0
            }
        })
    }

    /// The `n`×`n` float64 identity (NumPy's `identity`).
    #[track_caller]
    pub fn identity(&self, n: usize) -> Tensor<'_> {
        self.eye(n)
    }

    /// The identity with options.
    pub fn try_identity_with(&self, n: usize, opts: TensorOptions) -> Result<Tensor<'_>> {
        self.try_eye_with(n, None, 0, opts)
    }

    /// MyGrad's Dirac-delta initializer (`nnet.initializers.dirac`): a
    /// float32 tensor of `shape` (at least 2-D) with
    /// `out[i, i, k2 / 2, k3 / 2, ...] = 1` for `i < min(shape[0], shape[1])`,
    /// where `k2, k3, ...` are the trailing axes' lengths; all else 0. A
    /// convolution with it passes as many input channels through as it can.
    ///
    /// Panics with the message of [`Graph::try_dirac_with`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(
    ///     g.dirac(&[2, 3]).to_string(),
    ///     "Tensor([[1., 0., 0.],\n        [0., 1., 0.]], dtype=float32)"
    /// );
    /// assert_eq!(g.dirac(&[1, 1, 4]).data().to_f64_vec(), vec![0.0, 0.0, 1.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn dirac(&self, shape: &[usize]) -> Tensor<'_> {
        ok(self.try_dirac_with(shape, TensorOptions::new()))
    }

    /// [`Graph::dirac`] with options (dtype, float32 by default; constness).
    /// Fails with [`Error::InvalidArgument`] for fewer than 2 dimensions.
    pub fn try_dirac_with(&self, shape: &[usize], opts: TensorOptions) -> Result<Tensor<'_>> {
        if shape.len() < 2 {
            return Err(Error::InvalidArgument {
                op: "dirac",
                message: format!(
                    "Dirac initialization requires at least two dimensions, got shape {}",
                    crate::error::shape_str(shape)
                ),
            });
        }
        let dtype = opts.dtype.unwrap_or(DType::Float32);
        // The flat offset of out[0, 0, k2/2, ...], and the step from
        // out[i, i, ...] to out[i+1, i+1, ...].
        let inner: usize = shape[2..].iter().product();
        let center = shape[2..].iter().fold(0usize, |acc, &k| acc * k + k / 2);
        let step = (shape[1] + 1) * inner;
        let depth = shape[0].min(shape[1]);
        let ones = (inner > 0).then(|| (0..depth).map(move |i| center + i * step));
        let mut next = ones.into_iter().flatten().peekable();
        self.create(shape, dtype, &opts, "dirac", |flat| {
            if next.peek() == Some(&flat) {
                next.next();
                1.0
            } else {
                0.0
            }
        })
    }

    /// Zeros of the template's shape and dtype; constness follows the template.
    #[track_caller]
    pub fn zeros_like(&self, template: &impl LikeTemplate) -> Tensor<'_> {
        ok(self.try_full_like_with(template, Scalar::Int(0), TensorOptions::new()))
    }

    /// [`Graph::zeros_like`] with options.
    pub fn try_zeros_like_with(
        &self,
        template: &impl LikeTemplate,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        self.try_full_like_with(template, Scalar::Int(0), opts)
    }

    /// Ones of the template's shape and dtype; constness follows the template.
    #[track_caller]
    pub fn ones_like(&self, template: &impl LikeTemplate) -> Tensor<'_> {
        ok(self.try_full_like_with(template, Scalar::Int(1), TensorOptions::new()))
    }

    /// [`Graph::ones_like`] with options.
    pub fn try_ones_like_with(
        &self,
        template: &impl LikeTemplate,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        self.try_full_like_with(template, Scalar::Int(1), opts)
    }

    /// Zeros like the template (NumPy's `empty_like`, but never uninitialised).
    #[track_caller]
    pub fn empty_like(&self, template: &impl LikeTemplate) -> Tensor<'_> {
        self.zeros_like(template)
    }

    /// `value` (cast to the template's dtype) in the template's shape.
    #[track_caller]
    pub fn full_like(&self, template: &impl LikeTemplate, value: impl Into<Scalar>) -> Tensor<'_> {
        let value = value.into();
        ok(self.try_full_like_with(template, value, TensorOptions::new()))
    }

    /// [`Graph::full_like`] with options (dtype, shape, constness).
    pub fn try_full_like_with(
        &self,
        template: &impl LikeTemplate,
        value: impl Into<Scalar>,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let value = value.into();
        let (t_dtype, t_shape, t_const) = template.template()?;
        let dtype = opts.dtype.unwrap_or(t_dtype);
        let shape = opts
            .shape
            .clone()
            .unwrap_or_else(|| Dims::from(&t_shape[..]));
        let constant = opts.constness(dtype, t_const)?;
        let v = fill_value(value, dtype);
        let value = from_fn(&shape, dtype, "full_like", |_| v)?;
        self.new_leaf(value, constant)
    }
}

/// `value` as the `f64` that casts to the right element of `dtype`.
fn fill_value(value: Scalar, dtype: DType) -> f64 {
    match (value, dtype.is_integer()) {
        // float→int truncates (1.9 → 1), as NumPy's cast.
        (Scalar::Float(x), true) => x.trunc(),
        (v, _) => v.to_f64(),
    }
}

/// An array of `shape` and `dtype` with element `i` = `f(i)` (as f64).
fn from_fn(
    shape: &[usize],
    dtype: DType,
    op: &'static str,
    mut f: impl FnMut(usize) -> f64,
) -> Result<Array> {
    let n = eval::size(shape, op)?;
    eval::dispatch!(dtype, T => {
        let mut v: Vec<T> = Vec::new();
        v.try_reserve_exact(n).map_err(|_| Error::TooLarge { op, shape: shape.to_vec() })?;
        v.extend((0..n).map(|i| <T as causing_diff_kernels::Element>::from_f64(f(i))));
        Ok(eval::wrap(v, shape))
    })
}

/// [`from_fn`] with exact integer values.
fn from_fn_i64(
    shape: &[usize],
    dtype: DType,
    op: &'static str,
    f: impl Fn(usize) -> i64,
) -> Result<Array> {
    let n = eval::size(shape, op)?;
    eval::dispatch!(dtype, T => {
        let mut v: Vec<T> = Vec::new();
        v.try_reserve_exact(n).map_err(|_| Error::TooLarge { op, shape: shape.to_vec() })?;
        v.extend((0..n).map(|i| <T as causing_diff_kernels::Element>::from_i64(f(i))));
        Ok(eval::wrap(v, shape))
    })
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn dirac_puts_ones_at_the_centre_of_each_kernel() {
        let g = Graph::new();
        let t = g.dirac(&[3, 2, 3, 5]);
        assert_eq!((t.dtype(), t.shape()), (DType::Float32, vec![3, 2, 3, 5]));
        let d = t.data();
        let ones: Vec<Vec<usize>> = (0..90)
            .filter(|&i| d.to_f64_vec()[i] == 1.0)
            .map(|i| vec![i / 30, i / 15 % 2, i / 5 % 3, i % 5])
            .collect();
        assert_eq!(ones, vec![vec![0, 0, 1, 2], vec![1, 1, 1, 2]]);
        // Zero-length leading axes give no ones; bool and int dtypes work.
        assert_eq!(g.dirac(&[0, 4]).shape(), vec![0, 4]);
        let b = g.try_dirac_with(&[2, 2], TensorOptions::new().dtype(DType::Bool));
        assert_eq!(
            b.unwrap().to_string(),
            "Tensor([[ True, False],\n        [False,  True]])"
        );
    }

    #[test]
    fn dirac_needs_two_dimensions() {
        let g = Graph::new();
        let err = g.try_dirac_with(&[4], TensorOptions::new()).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "dirac", .. }));
        assert!(err.to_string().contains("(4,)"));
    }
}
