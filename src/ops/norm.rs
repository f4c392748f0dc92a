//! Vector norms along one axis (or of all elements), with MyGrad's gradient
//! conventions: forward and backward side by side. The reduced axes are the
//! op's params, as a 0/1 mask over the input's axes.

use causing_diff_kernels::{
    map2, map3, max_axes, min_axes, Dims, Element, Float, Layout, SmallVec,
};

use crate::array::Array;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch_float};
use crate::pool::Pool;

/// `(Σ |x|^ord)^(1/ord)` over the masked axes; `ord = ±∞` is `max|x|` /
/// `min|x|`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NormOp {
    pub(crate) ord: f64,
    pub(crate) keepdims: bool,
    /// `false` makes the gradient NaN wherever `x == 0` (finite `ord`).
    pub(crate) nan_to_num: bool,
}

/// NumPy's `sign`: -1, 0 or 1, NaN for NaN.
fn sign<T: Float>(v: T) -> T {
    if v > T::ZERO {
        T::ONE
    } else if v < T::ZERO {
        -T::ONE
    } else if v == T::ZERO {
        T::ZERO
    } else {
        T::NAN
    }
}

fn mask_of(params: &[isize]) -> (Dims, SmallVec<bool>) {
    let mask: Dims = params.iter().map(|&m| m as usize).collect();
    let axes = params.iter().map(|&m| m != 0).collect();
    (mask, axes)
}

impl NormOp {
    pub(crate) fn forward(self, x: &Array, params: &[isize], pool: &mut Pool) -> Result<Array> {
        let (mask, axes) = mask_of(params);
        let dtype = x.dtype().float_result();
        let x = eval::as_dtype(x, dtype, pool)?;
        let x = &*x;
        let shape = eval::reduced_shape(x.shape(), &mask, self.keepdims);
        let p = self.ord;
        dispatch_float!(dtype, T => {
            let pt = T::from_f64(p);
            if p.is_infinite() {
                // max|x| (min|x|), NaN-propagating as NumPy's `max`
                let n = eval::size(&shape, "norm")?;
                let reduced: usize = x.shape().iter().zip(axes.iter()).filter(|(_, &a)| a).map(|(&d, _)| d).product();
                if n > 0 && reduced == 0 {
                    return Err(Error::EmptyReduction { op: "norm", shape: x.shape().to_vec() });
                }
                let a = eval::map1::<T, T>(x, pool, "norm", Float::abs)?;
                let mut out: Vec<T> = pool.take(n, "norm")?;
                let src = eval::slice::<T>(&a);
                let layout = Layout::contiguous(a.shape());
                if p > 0.0 {
                    max_axes(src, &layout, &axes, &mut out, None);
                } else {
                    min_axes(src, &layout, &axes, &mut out, None);
                }
                pool.give(a.buf);
                return Ok(eval::wrap(out, &shape));
            }
            // ord 1: Σ|x|; ord 2: √Σx²; else (Σ|x|^p)^(1/p), the root in T as NumPy's
            let powered = if p == 1.0 {
                eval::map1::<T, T>(x, pool, "norm", Float::abs)?
            } else if p == 2.0 {
                eval::map1::<T, T>(x, pool, "norm", |v| v * v)?
            } else {
                eval::map1::<T, T>(x, pool, "norm", move |v| Float::powf(Float::abs(v), pt))?
            };
            let s = eval::sum(&powered, &mask, self.keepdims, pool)?;
            pool.give(powered.buf);
            if p == 1.0 {
                return Ok(s);
            }
            let root = T::ONE / pt;
            let out = if p == 2.0 {
                eval::map1::<T, T>(&s, pool, "norm", Float::sqrt)
            } else {
                eval::map1::<T, T>(&s, pool, "norm", move |v| Float::powf(v, root))
            };
            pool.give(s.buf);
            out
        }, other => unreachable!("float_result is a float dtype"))
    }

    /// The gradient for `x`, given the norm `out` and its gradient `g`
    /// (MyGrad's `Norm.backward_var`):
    /// - `ord = 1`: `sign(x)`;
    /// - `ord = 2`: `x / ‖x‖`;
    /// - other finite `ord`: `|x|^(ord-1) · sign(x) · ‖x‖ / Σ|x|^ord`;
    /// - `ord = ±∞`: `sign(x)` at the first largest (smallest) `|x|`, 0
    ///   elsewhere (MyGrad's `max(abs(x))`, whose `abs` gives 0 at 0).
    ///
    /// So a zero entry of a non-zero vector gets 0 (NaN with
    /// `nan_to_num = false`), and an all-zero vector gets `0/0 = NaN` for
    /// every `ord` but 1 and ±∞.
    pub(crate) fn backward(
        self,
        x: &Array,
        out: &Array,
        g: &Array,
        params: &[isize],
        pool: &mut Pool,
    ) -> Result<Array> {
        let (mask, axes) = mask_of(params);
        let dtype = g.dtype();
        let x = eval::as_dtype(x, dtype, pool)?;
        let x = &*x;
        let shape = x.shape();
        // The norm and its gradient seen in x's shape (keepdims, stretched).
        let kept = eval::reduced_shape(shape, &mask, true);
        let spread = Layout::contiguous(&kept)
            .broadcast_to(shape)
            .expect("a keepdims shape broadcasts to its input");
        let xl = Layout::contiguous(shape);
        let n = x.size();
        let p = self.ord;
        let nan_at_zero = !self.nan_to_num;
        dispatch_float!(dtype, T => {
            let (xs, gs, ns) = (eval::slice::<T>(x), eval::slice::<T>(g), eval::slice::<T>(out));
            let mut grad: Vec<T> = pool.take(n, "norm")?;
            if p.is_infinite() {
                // all of g to the first extreme |x|, times d|x|/dx (0 at 0 and NaN)
                grad.fill(T::ZERO);
                let a = eval::map1::<T, T>(x, pool, "norm", Float::abs)?;
                let mut best: Vec<T> = pool.take(ns.len(), "norm")?;
                let mut arg = vec![0usize; ns.len()];
                let src = eval::slice::<T>(&a);
                if p > 0.0 {
                    max_axes(src, &xl, &axes, &mut best, Some(&mut arg));
                } else {
                    min_axes(src, &xl, &axes, &mut best, Some(&mut arg));
                }
                for (j, &i) in arg.iter().enumerate() {
                    let v = xs[i];
                    let d = if v > T::ZERO { T::ONE } else if v < T::ZERO { -T::ONE } else { T::ZERO };
                    grad[i] = gs[j] * d;
                }
                pool.give(a.buf);
                pool.give(<T as crate::array::Storage>::wrap(best));
                return Ok(eval::wrap(grad, shape));
            }
            let zero_nan = move |x: T, v: T| if nan_at_zero && x == T::ZERO { T::NAN } else { v };
            if p == 1.0 {
                // d/dx Σ|x| = sign(x)
                map2(xs, &xl, gs, &spread, &mut grad, |x, g| zero_nan(x, sign(x) * g));
            } else if p == 2.0 {
                // d/dx √Σx² = x / ‖x‖
                map3(xs, &xl, ns, &spread, gs, &spread, &mut grad, |x, nv, g| {
                    zero_nan(x, x / nv * g)
                });
            } else if n > 0 {
                // d/dx (Σ|x|^p)^(1/p) = |x|^(p-1) sign(x) ‖x‖ / Σ|x|^p
                let (pt, pm1) = (T::from_f64(p), T::from_f64(p - 1.0));
                let powered = eval::map1::<T, T>(x, pool, "norm", move |v| Float::powf(Float::abs(v), pt))?;
                let s = eval::sum(&powered, &mask, true, pool)?;
                pool.give(powered.buf);
                let mut scale: Vec<T> = pool.take(s.size(), "norm")?;
                let kl = Layout::contiguous(&kept);
                map2(ns, &kl, eval::slice::<T>(&s), &kl, &mut scale, |nv, s| nv / s);
                pool.give(s.buf);
                map3(xs, &xl, &scale, &spread, gs, &spread, &mut grad, move |x, f, g| {
                    zero_nan(x, Float::powf(Float::abs(x), pm1) * sign(x) * f * g)
                });
                pool.give(<T as crate::array::Storage>::wrap(scale));
            }
            Ok(eval::wrap(grad, shape))
        }, other => unreachable!("gradients are floats"))
    }
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn sign_is_numpys() {
        assert_eq!([2.0, -0.5, 0.0].map(sign::<f64>), [1.0, -1.0, 0.0]);
        assert!(sign(f64::NAN).is_nan());
    }
}
