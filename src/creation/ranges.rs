//! Ranges: `arange`, `linspace`, `logspace` and `geomspace`, computed in
//! float64 exactly as NumPy does and then cast to the requested dtype.

use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::graph::{Graph, Tensor};
use crate::tensor::ok;

use super::{from_fn_i64, TensorOptions};

impl Graph {
    /// Evenly spaced values `0, 1, ..., stop - 1` (NumPy's `arange(stop)`):
    /// int64 for an integer `stop`, float64 for a float.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.arange(4.0).to_string(), "Tensor([0., 1., 2., 3.])");
    /// assert_eq!(g.arange(3).to_string(), "Tensor([0, 1, 2])");
    /// ```
    #[track_caller]
    pub fn arange(&self, stop: impl Into<Scalar>) -> Tensor<'_> {
        let stop = stop.into();
        ok(self.try_arange_with(Scalar::Int(0), stop, Scalar::Int(1), TensorOptions::new()))
    }

    /// NumPy's `arange(start, stop, step)`: `ceil((stop - start) / step)`
    /// values; int64 when all three are integers, else float64, unless
    /// `opts` gives a dtype.
    pub fn try_arange_with(
        &self,
        start: impl Into<Scalar>,
        stop: impl Into<Scalar>,
        step: impl Into<Scalar>,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let (start, stop, step) = (start.into(), stop.into(), step.into());
        let all_int = [start, stop, step]
            .iter()
            .all(|s| !matches!(s, Scalar::Float(_)));
        let dtype = opts.dtype.unwrap_or(if all_int {
            DType::Int64
        } else {
            DType::Float64
        });
        let (a, b, s) = (start.to_f64(), stop.to_f64(), step.to_f64());
        if s == 0.0 || !s.is_finite() || !a.is_finite() || !b.is_finite() {
            return Err(Error::InvalidArgument {
                op: "arange",
                message: format!("invalid range start={start}, stop={stop}, step={step}"),
            });
        }
        let n = ((b - a) / s).ceil().max(0.0);
        if n > usize::MAX as f64 / 2.0 {
            return Err(Error::TooLarge {
                op: "arange",
                shape: vec![usize::MAX],
            });
        }
        let n = n as usize;
        if let (true, Scalar::Int(a), Scalar::Int(s)) = (all_int, start, step) {
            // Exact integer arithmetic.
            let constant = opts.constness(dtype, false)?;
            let value = from_fn_i64(&[n], dtype, "arange", |i| {
                a.wrapping_add((i as i64).wrapping_mul(s))
            })?;
            return self.new_leaf(value, constant);
        }
        // NumPy's fill: x0 = start and x1 = start + step (computed in f64,
        // stored in the dtype), then x0 + i·(x1 − x0) in the dtype's own
        // arithmetic (float32 rounds at every step).
        let (x0, x1) = (a, a + s);
        match dtype {
            DType::Float32 => {
                let (x0, x1) = (x0 as f32, x1 as f32);
                let d = x1 - x0;
                self.create(&[n], dtype, &opts, "arange", |i| {
                    f64::from(if i == 1 { x1 } else { x0 + i as f32 * d })
                })
            }
            DType::Int32 | DType::Int64 => {
                let constant = opts.constness(dtype, false)?;
                let (x0, x1) = (x0.trunc() as i64, x1.trunc() as i64);
                let d = x1.wrapping_sub(x0);
                let value = from_fn_i64(&[n], dtype, "arange", |i| {
                    x0.wrapping_add((i as i64).wrapping_mul(d))
                })?;
                self.new_leaf(value, constant)
            }
            _ => {
                let d = x1 - x0;
                self.create(&[n], dtype, &opts, "arange", |i| {
                    if i == 1 {
                        x1
                    } else {
                        x0 + i as f64 * d
                    }
                })
            }
        }
    }

    /// `num` evenly spaced float64 values from `start` to `stop` inclusive.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.linspace(0.0, 1.0, 5).to_string(), "Tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])");
    /// ```
    #[track_caller]
    pub fn linspace(&self, start: f64, stop: f64, num: usize) -> Tensor<'_> {
        ok(self.try_linspace_with(start, stop, num, true, TensorOptions::new()))
    }

    /// NumPy's `linspace`, with `endpoint` and options. Integer dtypes get
    /// the floored values.
    pub fn try_linspace_with(
        &self,
        start: f64,
        stop: f64,
        num: usize,
        endpoint: bool,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let dtype = opts.dtype.unwrap_or(DType::Float64);
        let y = linspace_values(start, stop, num, endpoint);
        let floor = !dtype.is_float();
        self.create(&[num], dtype, &opts, "linspace", |i| {
            if floor {
                y(i).floor()
            } else {
                y(i)
            }
        })
    }

    /// `num` float64 values spaced evenly on a log scale: `10 ** linspace(start, stop, num)`.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.logspace(0.0, 2.0, 3).to_string(), "Tensor([  1.,  10., 100.])");
    /// ```
    #[track_caller]
    pub fn logspace(&self, start: f64, stop: f64, num: usize) -> Tensor<'_> {
        ok(self.try_logspace_with(start, stop, num, true, 10.0, TensorOptions::new()))
    }

    /// NumPy's `logspace`: `base ** linspace(start, stop, num, endpoint)`,
    /// computed in float64 and cast to `opts`' dtype (float64 by default;
    /// integer dtypes truncate, as NumPy's `astype`).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let t = g.try_logspace_with(0.0, 3.0, 4, true, 2.0, TensorOptions::new()).unwrap();
    /// assert_eq!(t.to_string(), "Tensor([1., 2., 4., 8.])");
    /// ```
    pub fn try_logspace_with(
        &self,
        start: f64,
        stop: f64,
        num: usize,
        endpoint: bool,
        base: f64,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        let dtype = opts.dtype.unwrap_or(DType::Float64);
        let y = linspace_values(start, stop, num, endpoint);
        self.create(&[num], dtype, &opts, "logspace", |i| base.powf(y(i)))
    }

    /// `num` float64 values from `start` to `stop` inclusive in a geometric
    /// progression; both ends must be non-zero and of the same sign.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.geomspace(1.0, 1000.0, 4).to_string(), "Tensor([   1.,   10.,  100., 1000.])");
    /// assert_eq!(g.geomspace(-1.0, -100.0, 3).to_string(), "Tensor([  -1.,  -10., -100.])");
    /// ```
    #[track_caller]
    pub fn geomspace(&self, start: f64, stop: f64, num: usize) -> Tensor<'_> {
        ok(self.try_geomspace_with(start, stop, num, true, TensorOptions::new()))
    }

    /// NumPy's `geomspace` with `endpoint` and options, computed in float64
    /// and cast to `opts`' dtype (float64 by default). The first value is
    /// exactly `start` and (with `endpoint`) the last exactly `stop`.
    ///
    /// Fails with [`Error::InvalidArgument`] when an end is zero or the ends
    /// have different signs. (NumPy raises for zero; for opposite signs it
    /// returns NaNs between the ends, with a warning.)
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let t = g.try_geomspace_with(2.0, 32.0, 4, false, TensorOptions::new()).unwrap();
    /// assert_eq!(t.to_string(), "Tensor([ 2.,  4.,  8., 16.])");
    /// assert!(g.try_geomspace_with(-1.0, 8.0, 4, true, TensorOptions::new()).is_err());
    /// ```
    pub fn try_geomspace_with(
        &self,
        start: f64,
        stop: f64,
        num: usize,
        endpoint: bool,
        opts: TensorOptions,
    ) -> Result<Tensor<'_>> {
        if start == 0.0 || stop == 0.0 {
            return Err(Error::InvalidArgument {
                op: "geomspace",
                message: format!(
                    "a geometric sequence cannot include zero (start={start}, stop={stop})"
                ),
            });
        }
        if start.is_sign_negative() != stop.is_sign_negative() {
            return Err(Error::InvalidArgument {
                op: "geomspace",
                message: format!("start={start} and stop={stop} must have the same sign"),
            });
        }
        let dtype = opts.dtype.unwrap_or(DType::Float64);
        // NumPy rotates start to the positive axis, spaces the logs evenly,
        // pins the ends to the exact inputs and rotates back.
        let sign = start.signum();
        let (start, stop) = (start / sign, stop / sign);
        let y = linspace_values(start.log10(), stop.log10(), num, endpoint);
        self.create(&[num], dtype, &opts, "geomspace", |i| {
            let v = if i == 0 {
                start
            } else if endpoint && i == num - 1 {
                stop
            } else {
                10f64.powf(y(i))
            };
            v * sign
        })
    }
}

/// Element `i` of NumPy's float64 `linspace(start, stop, num, endpoint)`,
/// with NumPy's exact arithmetic: `start + i * step` (or `i / div * delta`
/// when the step underflows to zero), and `stop` itself as the last value.
fn linspace_values(start: f64, stop: f64, num: usize, endpoint: bool) -> impl Fn(usize) -> f64 {
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let delta = stop - start;
    let step = delta / div as f64;
    move |i| {
        if endpoint && num > 1 && i == num - 1 {
            return stop;
        }
        let y = if div == 0 {
            i as f64 * delta
        } else if step == 0.0 {
            i as f64 / div as f64 * delta
        } else {
            i as f64 * step
        };
        y + start
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn geomspace_pins_its_ends_and_keeps_the_sign() {
        let g = Graph::new();
        let t = g.geomspace(-3.0, -3.0e7, 8);
        let v = t.data().to_f64_vec();
        assert_eq!((v[0], v[7]), (-3.0, -3.0e7));
        assert!(v.windows(2).all(|w| (w[1] / w[0] - 10.0).abs() < 1e-12));
        let one = g.geomspace(5.0, 7.0, 1);
        assert_eq!(one.data().to_f64_vec(), vec![5.0]);
        assert_eq!(g.geomspace(5.0, 7.0, 0).shape(), vec![0]);
    }

    #[test]
    fn geomspace_rejects_zero_and_mixed_signs() {
        let g = Graph::new();
        let o = TensorOptions::new;
        for (a, b) in [(0.0, 1.0), (1.0, -0.0), (-1.0, 2.0), (3.0, -4.0)] {
            let err = g.try_geomspace_with(a, b, 4, true, o()).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidArgument {
                        op: "geomspace",
                        ..
                    }
                ),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn logspace_and_geomspace_cast_like_astype() {
        let g = Graph::new();
        let ints = TensorOptions::new().dtype(DType::Int64);
        let t = g
            .try_logspace_with(0.0, 1.0, 3, true, 10.0, ints.clone())
            .unwrap();
        // 10 ** 0.5 = 3.16... truncates to 3 (NumPy's astype, not a floor).
        assert_eq!(t.to_string(), "Tensor([ 1,  3, 10])");
        let t = g.try_geomspace_with(-1.0, -100.0, 3, true, ints).unwrap();
        assert_eq!(t.to_string(), "Tensor([  -1,  -10, -100])");
        assert!(t.is_constant());
    }
}
