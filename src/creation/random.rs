//! Random tensors drawn with the graph's generator ([`Graph::seed`] makes
//! them reproducible): `rand`, `randn`, `randint`, and MyGrad's `uniform`
//! and `normal` initializers.
//!
//! The draws are not NumPy's stream: the same seed gives the same values in
//! this crate, not the values `np.random.seed` would.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Graph, Tensor};
use crate::rng::Rng;
use crate::tensor::ok;

use super::{from_fn_i64, TensorOptions};

impl Graph {
    /// Float64 values drawn uniformly from `[0, 1)` with the graph's
    /// generator (see [`Graph::seed`]).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// g.seed(0);
    /// let a = g.rand(&[3, 4]);
    /// g.seed(0);
    /// assert_eq!(g.rand(&[3, 4]).data(), a.data());
    /// ```
    #[track_caller]
    pub fn rand(&self, shape: &[usize]) -> Tensor<'_> {
        ok(self.try_random(shape, TensorOptions::new(), false))
    }

    /// Float64 values drawn from the standard normal distribution.
    #[track_caller]
    pub fn randn(&self, shape: &[usize]) -> Tensor<'_> {
        ok(self.try_random(shape, TensorOptions::new(), true))
    }

    /// [`Graph::rand`] (or [`Graph::randn`] when `normal`) with options.
    pub fn try_random(
        &self,
        shape: &[usize],
        opts: TensorOptions,
        normal: bool,
    ) -> Result<Tensor<'_>> {
        let dtype = opts.dtype.unwrap_or(DType::Float64);
        let draws = self.draw(shape, "rand", |rng| {
            if normal {
                rng.normal()
            } else {
                rng.uniform()
            }
        })?;
        self.create(shape, dtype, &opts, "rand", |i| draws[i])
    }

    /// Integers drawn uniformly from `[low, high)`, as an int64 constant
    /// (MyGrad's `mygrad.random.randint`).
    ///
    /// Panics with the message of [`Graph::try_randint_with`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let t = g.randint(1, 7, &[2, 5]);
    /// assert_eq!(t.dtype(), DType::Int64);
    /// assert!(t.data().to_f64_vec().iter().all(|&x| (1.0..7.0).contains(&x)));
    /// ```
    #[track_caller]
    pub fn randint(&self, low: i64, high: i64, shape: &[usize]) -> Tensor<'_> {
        ok(self.try_randint_with(low, high, shape, TensorOptions::new()))
    }

    /// [`Graph::randint`] with options: the dtype (int64 by default; int32
    /// and bool too) must hold every value of `[low, high)`.
    ///
    /// Fails with [`Error::InvalidArgument`] when `low >= high` or the range
    /// does not fit the dtype, [`Error::UnsupportedDType`] for a float
    /// dtype, [`Error::IntNonConstant`] when asked for a variable.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let opts = TensorOptions::new().dtype(DType::Int32);
    /// assert_eq!(g.try_randint_with(0, 3, &[4], opts.clone()).unwrap().dtype(), DType::Int32);
    /// assert!(g.try_randint_with(0, 1 << 40, &[4], opts).is_err());
    /// assert!(g.try_randint_with(5, 5, &[4], TensorOptions::new()).is_err());
    /// ```
    pub fn try_randint_with(
        &self,
        low: i64,
        high: i64,
        shape: &[usize],
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let dtype = opts.dtype.unwrap_or(DType::Int64);
        let (min, max) = match dtype {
            DType::Bool => (0, 1),
            DType::Int32 => (i32::MIN as i64, i32::MAX as i64),
            DType::Int64 => (i64::MIN, i64::MAX),
            DType::Float32 | DType::Float64 => {
                return Err(Error::UnsupportedDType {
                    op: "randint",
                    dtype,
                })
            }
        };
        if low >= high {
            return Err(Error::InvalidArgument {
                op: "randint",
                message: format!("low >= high (low={low}, high={high})"),
            });
        }
        if low < min || high - 1 > max {
            return Err(Error::InvalidArgument {
                op: "randint",
                message: format!("the range [{low}, {high}) is out of bounds for {dtype}"),
            });
        }
        let constant = opts.constness(dtype, true)?;
        // The range has at most 2^64 - 1 values: it fits a u64.
        let n = (high as i128 - low as i128) as u64;
        let draws = self.draw(shape, "randint", |rng| rng.below(n))?;
        let value = from_fn_i64(shape, dtype, "randint", |i| {
            low.wrapping_add(draws[i] as i64)
        })?;
        self.new_leaf(value, constant)
    }

    /// Float32 values drawn uniformly from `[low, high)` (MyGrad's
    /// `nnet.initializers.uniform`).
    ///
    /// Panics with the message of [`Graph::try_uniform_with`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let w = g.uniform(&[2, 3], -1.0, 3.0);
    /// assert_eq!(w.dtype(), DType::Float32);
    /// assert!(w.data().to_f64_vec().iter().all(|&x| (-1.0..=3.0).contains(&x)));
    /// ```
    #[track_caller]
    pub fn uniform(&self, shape: &[usize], low: f64, high: f64) -> Tensor<'_> {
        ok(self.try_uniform_with(shape, low, high, TensorOptions::new()))
    }

    /// [`Graph::uniform`] with options (a float dtype, float32 by default).
    /// The draws are `low + (high - low) * u` in float64, then cast, so a
    /// float32 value can round up to `high` (as in MyGrad).
    ///
    /// Fails with [`Error::InvalidArgument`] unless `low < high`, both
    /// finite, and with [`Error::UnsupportedDType`] for a non-float dtype.
    pub fn try_uniform_with(
        &self,
        shape: &[usize],
        low: f64,
        high: f64,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let dtype = float_dtype(&opts, "uniform")?;
        if !(low < high && low.is_finite() && high.is_finite()) {
            return Err(Error::InvalidArgument {
                op: "uniform",
                message: format!("need finite bounds with low < high (low={low}, high={high})"),
            });
        }
        let draws = self.draw(shape, "uniform", |rng| low + (high - low) * rng.uniform())?;
        self.create(shape, dtype, &opts, "uniform", |i| draws[i])
    }

    /// Float32 values drawn from a normal distribution of mean `mean` and
    /// standard deviation `std` (MyGrad's `nnet.initializers.normal`).
    ///
    /// Panics with the message of [`Graph::try_normal_with`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// g.seed(3);
    /// let w = g.normal(&[1000], 5.0, 0.5);
    /// let mean = w.data().to_f64_vec().iter().sum::<f64>() / 1000.0;
    /// assert!((mean - 5.0).abs() < 0.1);
    /// ```
    #[track_caller]
    pub fn normal(&self, shape: &[usize], mean: f64, std: f64) -> Tensor<'_> {
        ok(self.try_normal_with(shape, mean, std, TensorOptions::new()))
    }

    /// [`Graph::normal`] with options (a float dtype, float32 by default).
    ///
    /// Fails with [`Error::InvalidArgument`] unless `mean` is finite and
    /// `std` finite and non-negative, and with [`Error::UnsupportedDType`]
    /// for a non-float dtype.
    pub fn try_normal_with(
        &self,
        shape: &[usize],
        mean: f64,
        std: f64,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let dtype = float_dtype(&opts, "normal")?;
        if !(mean.is_finite() && std.is_finite() && std >= 0.0) {
            return Err(Error::InvalidArgument {
                op: "normal",
                message: format!(
                    "need a finite mean and a finite, non-negative std (mean={mean}, std={std})"
                ),
            });
        }
        let draws = self.draw(shape, "normal", |rng| mean + std * rng.normal())?;
        self.create(shape, dtype, &opts, "normal", |i| draws[i])
    }

    /// `size(shape)` draws from the graph's generator, in row-major order.
    fn draw<T>(
        &self,
        shape: &[usize],
        op: &'static str,
        mut f: impl FnMut(&mut Rng) -> T,
    ) -> Result<Vec<T>> {
        let n = crate::eval::size(shape, op)?;
        let mut draws = Vec::new();
        draws.try_reserve_exact(n).map_err(|_| Error::TooLarge {
            op,
            shape: shape.to_vec(),
        })?;
        let rng = &mut self.inner.borrow_mut().rng;
        draws.extend((0..n).map(|_| f(rng)));
        Ok(draws)
    }
}

/// The options' dtype for a float-only initializer (float32 by default).
fn float_dtype(opts: &TensorOptions, op: &'static str) -> Result<DType> {
    let dtype = opts.dtype.unwrap_or(DType::Float32);
    if dtype.is_float() {
        Ok(dtype)
    } else {
        Err(Error::UnsupportedDType { op, dtype })
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    fn values(t: Tensor<'_>) -> Vec<f64> {
        t.data().to_f64_vec()
    }

    #[test]
    fn every_draw_follows_the_seed() {
        let g = Graph::new();
        let draw_all = |g: &Graph| {
            let mut v = values(g.randint(-5, 5, &[7]));
            v.extend(values(g.uniform(&[3], -2.0, 2.0)));
            v.extend(values(g.normal(&[3], 1.0, 2.0)));
            v.extend(values(g.rand(&[2])));
            v.extend(values(g.randn(&[2])));
            v
        };
        g.seed(11);
        let a = draw_all(&g);
        g.seed(11);
        assert_eq!(draw_all(&g), a);
        g.seed(12);
        assert_ne!(draw_all(&g), a);
    }

    #[test]
    fn randint_draws_every_value_of_its_range_and_nothing_else() {
        let g = Graph::new();
        g.seed(1);
        let t = g.randint(-3, 4, &[10, 100]);
        assert!(t.is_constant());
        assert_eq!((t.dtype(), t.shape()), (DType::Int64, vec![10, 100]));
        let v = values(t);
        for k in -3..4 {
            let count = v.iter().filter(|&&x| x == k as f64).count();
            assert!((100..186).contains(&count), "{k}: {count}");
        }
        assert_eq!(v.len(), 1000);
        // The widest ranges, and the other integer dtypes.
        let wide = g.randint(i64::MIN, i64::MAX, &[4]);
        assert_eq!(wide.size(), 4);
        let opts = TensorOptions::new().dtype(DType::Bool);
        let b = g.try_randint_with(0, 2, &[50], opts).unwrap();
        assert_eq!(b.dtype(), DType::Bool);
        let i32s = TensorOptions::new().dtype(DType::Int32);
        let t = g
            .try_randint_with(i32::MIN as i64, i32::MAX as i64 + 1, &[5], i32s)
            .unwrap();
        assert_eq!(t.dtype(), DType::Int32);
    }

    #[test]
    fn randint_rejects_bad_ranges_and_dtypes() {
        let g = Graph::new();
        let o = TensorOptions::new;
        let err = |r: Result<Tensor<'_>>| r.unwrap_err();
        assert!(matches!(
            err(g.try_randint_with(3, 3, &[2], o())),
            Error::InvalidArgument { op: "randint", .. }
        ));
        assert!(matches!(
            err(g.try_randint_with(0, 3, &[2], o().dtype(DType::Float64))),
            Error::UnsupportedDType { op: "randint", .. }
        ));
        assert!(matches!(
            err(g.try_randint_with(0, 3, &[2], o().dtype(DType::Bool))),
            Error::InvalidArgument { op: "randint", .. }
        ));
        assert!(matches!(
            err(g.try_randint_with(0, 3, &[2], o().constant(false))),
            Error::IntNonConstant { .. }
        ));
        // Nothing was drawn or recorded by the failures.
        assert_eq!(g.len(), 0);
    }

    #[test]
    fn uniform_and_normal_are_float32_variables_with_the_right_moments() {
        let g = Graph::new();
        g.seed(5);
        let u = g.uniform(&[20_000], -1.0, 3.0);
        assert_eq!(u.dtype(), DType::Float32);
        assert!(!u.is_constant());
        let v = values(u);
        assert!(v.iter().all(|&x| (-1.0..=3.0).contains(&x)));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((mean - 1.0).abs() < 0.03, "{mean}");

        let n = g.try_normal_with(
            &[20_000],
            -2.0,
            0.5,
            TensorOptions::new().dtype(DType::Float64),
        );
        let v = values(n.unwrap());
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!(
            (mean + 2.0).abs() < 0.02 && (var.sqrt() - 0.5).abs() < 0.02,
            "{mean} {var}"
        );
        // std = 0 is allowed: every value is the mean.
        assert!(values(g.normal(&[3], 4.0, 0.0)).iter().all(|&x| x == 4.0));
    }

    #[test]
    fn uniform_and_normal_reject_bad_arguments() {
        let g = Graph::new();
        let o = TensorOptions::new;
        for r in [
            g.try_uniform_with(&[2], 1.0, 1.0, o()),
            g.try_uniform_with(&[2], 0.0, f64::INFINITY, o()),
            g.try_normal_with(&[2], 0.0, -1.0, o()),
            g.try_normal_with(&[2], f64::NAN, 1.0, o()),
        ] {
            assert!(matches!(r.unwrap_err(), Error::InvalidArgument { .. }));
        }
        let r = g.try_normal_with(&[2], 0.0, 1.0, o().dtype(DType::Int64));
        assert!(matches!(
            r.unwrap_err(),
            Error::UnsupportedDType { op: "normal", .. }
        ));
        let r = g.try_uniform_with(&[2], 0.0, 1.0, o().dtype(DType::Bool));
        assert!(matches!(
            r.unwrap_err(),
            Error::UnsupportedDType { op: "uniform", .. }
        ));
    }
}
