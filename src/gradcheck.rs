//! A numerical-gradient checker for users' own functions: the gradients
//! `backward` computes against central differences in float64.

use core::fmt;

use crate::array::Array;
use crate::dtype::DType;
use crate::error::{shape_str, Error, Result};
use crate::graph::{Graph, Tensor};
use crate::rng::Rng;

/// Options of [`check_grad`]: the finite-difference step, the tolerances
/// and the seed.
///
/// ```
/// use causing_diff::GradCheckOptions;
/// let opts = GradCheckOptions::new().step(1e-5).tolerances(1e-4, 1e-6).seed(7);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckOptions {
    step: f64,
    tolerances: Option<(f64, f64)>,
    seed: u64,
}

impl Default for GradCheckOptions {
    fn default() -> Self {
        GradCheckOptions {
            step: 1e-6,
            tolerances: None,
            seed: 0,
        }
    }
}

impl GradCheckOptions {
    /// The defaults: step `1e-6`, tolerances by input dtype (float64:
    /// `rtol = 1e-5, atol = 1e-6`; float32: `rtol = 1e-3, atol = 1e-4`),
    /// seed 0.
    pub fn new() -> GradCheckOptions {
        GradCheckOptions::default()
    }

    /// The relative step: element `x` moves by `± step · max(1, |x|)`.
    pub fn step(mut self, step: f64) -> GradCheckOptions {
        self.step = step;
        self
    }

    /// One `rtol` and `atol` for every input: an element passes when
    /// `|analytic − numerical| ≤ atol + rtol · |numerical|`.
    pub fn tolerances(mut self, rtol: f64, atol: f64) -> GradCheckOptions {
        self.tolerances = Some((rtol, atol));
        self
    }

    /// The seed of the output weights and of the graph's generator, which
    /// is reset to it before every evaluation of the function.
    pub fn seed(mut self, seed: u64) -> GradCheckOptions {
        self.seed = seed;
        self
    }
}

/// What [`check_grad`] found, one entry per input.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GradReport {
    /// The checks of the inputs, in order.
    pub inputs: Vec<InputCheck>,
}

/// The check of one input of [`check_grad`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InputCheck {
    /// The gradient `backward` computed (zeros if none reached the input),
    /// in the input's dtype; `None` for an integer or bool input, which is
    /// a constant and not checked.
    pub analytic: Option<Array>,
    /// The central-difference gradient, float64; `None` when not checked.
    pub numerical: Option<Array>,
    /// The largest `|analytic − numerical|` (infinite where exactly one is
    /// non-finite, or they are different infinities / NaN against a number).
    pub max_abs_err: f64,
    /// The largest `|analytic − numerical| / max(|analytic|, |numerical|)`.
    pub max_rel_err: f64,
    /// The flat index of the element furthest outside the tolerances, if
    /// any element is.
    pub worst: Option<usize>,
    /// The tolerances applied.
    pub rtol: f64,
    /// The tolerances applied.
    pub atol: f64,
    /// Whether every element is within the tolerances.
    pub passed: bool,
}

impl GradReport {
    /// Whether every checked input passed.
    pub fn passed(&self) -> bool {
        self.inputs.iter().all(|c| c.passed)
    }

    /// Panics with the report unless every input passed: for tests.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.passed(), "{self}");
    }
}

/// Checks the gradients of `f` at `inputs`: those that `backward` computes
/// against central differences evaluated in float64.
///
/// `f` builds its result from tensors made from `inputs` on the graph it
/// is given. Float inputs are variables; integer and bool inputs are
/// constants and are not checked. For a result with more than one element,
/// the function checked is `sum(f(x) · w)` with fixed random weights `w`,
/// so that every element's gradient counts; the result must be a float
/// tensor.
///
/// The analytic gradients are computed at the inputs' own dtypes. The
/// numerical ones evaluate `f` (with graph tracking off, see
/// [`Graph::no_autodiff`]) on float64 copies of the float inputs, moving
/// each element by `± step · max(1, |x|)`. Before every evaluation the
/// graph's generator is reseeded, so random ops inside `f` (dropout, say)
/// draw the same values each time.
///
/// Fails with [`Error::UnsupportedDType`] when `f`'s result is not a float
/// tensor, [`Error::InvalidArgument`] when its shape changes between
/// evaluations, and with any error the backward pass returns. Panics if
/// `f` panics.
///
/// ```
/// use causing_diff::prelude::*;
/// use causing_diff::{check_grad, GradCheckOptions};
///
/// // f(x, y) = sum(x * sin(y)), with y broadcast against x.
/// let x = Array::from_shape_vec(&[2, 3], vec![0.5, -1.0, 2.0, 0.1, 0.2, 0.3]).unwrap();
/// let y = Array::from_vec(vec![1.0, 2.0, 3.0]);
/// let report = check_grad(|_, t| (t[0] * t[1].sin()).sum(), &[x, y], &GradCheckOptions::new())?;
/// report.assert_passed();
/// assert!(report.inputs[0].max_abs_err < 1e-8);
///
/// // A gradient that does not match its function: `x * x.data()` hides
/// // one factor from backward, so backward finds x where the slope is 2x.
/// let x = Array::from_vec(vec![1.0, 2.0]);
/// let report = check_grad(|_, t| (t[0] * t[0].data()).sum(), &[x], &GradCheckOptions::new())?;
/// assert!(!report.passed());
/// # Ok::<(), Error>(())
/// ```
pub fn check_grad<F>(f: F, inputs: &[Array], opts: &GradCheckOptions) -> Result<GradReport>
where
    F: for<'g> Fn(&'g Graph, &[Tensor<'g>]) -> Tensor<'g>,
{
    let g = Graph::new();

    // The analytic pass, at the inputs' dtypes.
    g.seed(opts.seed);
    let xs: Vec<Tensor<'_>> = inputs.iter().map(|a| g.tensor(a)).collect();
    let out = f(&g, &xs);
    let (out_shape, out_dtype) = (out.try_shape()?, out.try_dtype()?);
    if !out_dtype.is_float() {
        return Err(Error::UnsupportedDType {
            op: "check_grad",
            dtype: out_dtype,
        });
    }
    let size = out_shape.iter().product::<usize>();
    let mut rng = Rng::new(opts.seed ^ 0x6AD_C4EC);
    let w: Vec<f64> = (0..size)
        .map(|_| {
            if size == 1 {
                1.0
            } else {
                2.0 * rng.uniform() - 1.0
            }
        })
        .collect();
    // The weights as the backward pass sees them: in the output's dtype.
    let w = Array::from_shape_vec(&out_shape, w)?.astype(out_dtype);
    out.try_backward_with(&w)?;
    let w = w.to_f64_vec();
    let analytic: Vec<Option<Array>> = inputs
        .iter()
        .zip(&xs)
        .map(|(a, x)| {
            let grad = a.dtype().is_float().then(|| x.try_grad()).transpose()?;
            Ok(grad.map(|gr| gr.unwrap_or_else(|| zeros_like(a))))
        })
        .collect::<Result<_>>()?;

    // The numerical pass, in float64 with tracking off.
    let mut point: Vec<Array> = inputs
        .iter()
        .map(|a| {
            if a.dtype().is_float() {
                a.astype(DType::Float64)
            } else {
                a.clone()
            }
        })
        .collect();
    let eval = |point: &[Array]| -> Result<f64> {
        let mark = g.mark();
        g.seed(opts.seed);
        let value = g.no_autodiff(|| {
            let xs: Vec<Tensor<'_>> = point.iter().map(|a| g.tensor(a)).collect();
            let out = f(&g, &xs);
            if out.try_shape()? != out_shape {
                return Err(Error::InvalidArgument {
                    op: "check_grad",
                    message: format!(
                        "the function's result changed shape from {} to {}",
                        shape_str(&out_shape),
                        shape_str(&out.shape())
                    ),
                });
            }
            let values = out.try_data()?.to_f64_vec();
            Ok(values.iter().zip(&w).map(|(v, w)| v * w).sum::<f64>())
        });
        g.try_rewind(mark)?;
        value
    };
    let mut checks = Vec::with_capacity(inputs.len());
    for (k, analytic) in analytic.into_iter().enumerate() {
        let Some(analytic) = analytic else {
            checks.push(InputCheck::skipped());
            continue;
        };
        let n = point[k].size();
        let mut numerical = Vec::with_capacity(n);
        for i in 0..n {
            let x = point[k].as_slice::<f64>().expect("float64 copy")[i];
            let h = opts.step * x.abs().max(1.0);
            // Divide by the distance actually stepped, not 2h.
            let (above, below) = (x + h, x - h);
            let at = |v: f64, point: &mut Vec<Array>| {
                point[k].as_mut_slice::<f64>().expect("float64 copy")[i] = v;
                eval(point)
            };
            let up = at(above, &mut point)?;
            let down = at(below, &mut point)?;
            point[k].as_mut_slice::<f64>().expect("float64 copy")[i] = x;
            numerical.push((up - down) / (above - below));
        }
        let numerical = Array::from_shape_vec(point[k].shape(), numerical)?;
        let (rtol, atol) = opts.tolerances.unwrap_or(match analytic.dtype() {
            DType::Float32 => (1e-3, 1e-4),
            _ => (1e-5, 1e-6),
        });
        checks.push(InputCheck::compare(analytic, numerical, rtol, atol));
    }
    Ok(GradReport { inputs: checks })
}

fn zeros_like(a: &Array) -> Array {
    Array::zeros(a.shape(), a.dtype()).expect("the input itself has this size")
}

impl InputCheck {
    fn skipped() -> InputCheck {
        InputCheck {
            analytic: None,
            numerical: None,
            max_abs_err: 0.0,
            max_rel_err: 0.0,
            worst: None,
            rtol: 0.0,
            atol: 0.0,
            passed: true,
        }
    }

    fn compare(analytic: Array, numerical: Array, rtol: f64, atol: f64) -> InputCheck {
        let (a, n) = (analytic.to_f64_vec(), numerical.to_f64_vec());
        let (mut max_abs, mut max_rel) = (0.0f64, 0.0f64);
        let mut worst: Option<(usize, f64)> = None;
        for (i, (&a, &n)) in a.iter().zip(&n).enumerate() {
            let same_special = (a.is_nan() && n.is_nan()) || (a.is_infinite() && a == n);
            let err = if same_special { 0.0 } else { (a - n).abs() };
            let err = if err.is_nan() { f64::INFINITY } else { err };
            let scale = a.abs().max(n.abs());
            let rel = if err == 0.0 { 0.0 } else { err / scale };
            max_abs = max_abs.max(err);
            max_rel = max_rel.max(if rel.is_nan() { f64::INFINITY } else { rel });
            // An infinite error is outside any tolerance (even an infinite one).
            let tol = atol + rtol * n.abs();
            let outside = err.is_infinite() || err > tol;
            let excess = if err.is_infinite() {
                f64::INFINITY
            } else {
                err / tol
            };
            if outside && worst.is_none_or(|(_, e)| excess > e) {
                worst = Some((i, excess));
            }
        }
        InputCheck {
            analytic: Some(analytic),
            numerical: Some(numerical),
            max_abs_err: max_abs,
            max_rel_err: max_rel,
            worst: worst.map(|(i, _)| i),
            rtol,
            atol,
            passed: worst.is_none(),
        }
    }
}

impl fmt::Display for GradReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        write!(f, "check_grad {verdict}")?;
        for (k, c) in self.inputs.iter().enumerate() {
            write!(f, "\n  input {k}: {c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for InputCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (Some(a), Some(n)) = (&self.analytic, &self.numerical) else {
            return f.write_str("not a float input, not checked");
        };
        write!(
            f,
            "{} {}: max abs err {:.3e}, max rel err {:.3e} (rtol {:e}, atol {:e})",
            a.dtype(),
            shape_str(a.shape()),
            self.max_abs_err,
            self.max_rel_err,
            self.rtol,
            self.atol
        )?;
        match self.worst {
            None => f.write_str(", ok"),
            Some(i) => write!(
                f,
                ", FAILED; worst at flat index {i}: analytic {:?}, numerical {:?}",
                a.to_f64_vec()[i],
                n.to_f64_vec()[i]
            ),
        }
    }
}
