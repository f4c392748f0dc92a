//! Vectorised `exp`, `ln`, `sin`, `cos` and `tan` for `f32` and `f64`
//! arrays, and the fused forms their backward rules need.
//!
//! Each function is written once over `Lanes` and runs on AVX-512, AVX2 or
//! scalar code with bit-identical results (see `simd.rs`). What `f32`
//! results promise depends on the function:
//!
//! - `exp`, `sin`, `cos` and the `sin`/`cos` gradients run natively in
//!   `f32` (16 or 8 lanes, `vmath32.rs`): every finite input gives a result
//!   within 1 ulp of the correctly rounded value (for about 0.5% of inputs
//!   it is the neighbour of that value), checked over all 2^32 inputs;
//! - `ln`, `tan` and the `tan` gradient widen to `f64`, evaluate, and round
//!   once: the polynomials are good to about 1 ulp of `f64`, so the results
//!   are correctly rounded except when the exact value lies within ~1e-16
//!   (relative) of a rounding boundary.
//!
//! The algorithms are the textbook ones: `exp` reduces by `ln 2` (Cody–Waite,
//! two parts) and scales by `2^n`; `ln` splits off the exponent and uses
//! `log(1+f) = 2 atanh(f / (2 + f))`; `sin`/`cos`/`tan` reduce by `π/2` in
//! three parts and pick the quadrant, falling back to the platform's scalar
//! functions beyond `|x| ≥ 2^16`, where the three-part reduction would lose
//! accuracy. Polynomials are Taylor series, long enough that truncation is
//! far below rounding on the reduced ranges.

use crate::par::Cost;
use crate::simd::{isa, Isa, Lanes, S};
use crate::stream;
use crate::vmath32;

/// The elementwise functions with vector kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fun {
    /// `e^x`
    Exp,
    /// Natural logarithm.
    Ln,
    /// Sine.
    Sin,
    /// Cosine.
    Cos,
    /// Tangent.
    Tan,
}

/// Fused forms of backward rules: `out = g · f'(x)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grad {
    /// `g · cos x` (the gradient of `sin`).
    Sin,
    /// `-g · sin x` (the gradient of `cos`).
    Cos,
    /// `g / cos² x` (the gradient of `tan`).
    Tan,
}

const LOG2E: f64 = core::f64::consts::LOG2_E;
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const EXP_MAX: f64 = 709.782_712_893_384;
const EXP_MIN: f64 = -745.133_219_101_941_2;
const SQRT2: f64 = core::f64::consts::SQRT_2;
const TWO_OVER_PI: f64 = core::f64::consts::FRAC_2_PI;
const PIO2_1: f64 = core::f64::consts::FRAC_PI_2;
const PIO2_2: f64 = 6.123_233_995_736_766e-17;
const PIO2_3: f64 = -1.497_384_904_859_169_8e-33;
/// Beyond this, sin/cos/tan use the platform's scalar functions.
const TRIG_MAX: f64 = 65536.0;
/// Below this, `sin x = tan x = x` to within half an ulp.
const TRIG_TINY: f64 = 1.0 / 134_217_728.0;

/// `1/k!` for k = 13 down to 2: `e^r` on `|r| ≤ ln 2 / 2`.
const EXP_C: [f64; 12] = [
    1.605_904_383_682_161_3e-10,
    2.087_675_698_786_81e-9,
    2.505_210_838_544_172e-8,
    2.755_731_922_398_589e-7,
    2.755_731_922_398_589_3e-6,
    2.480_158_730_158_73e-5,
    1.984_126_984_126_984e-4,
    1.388_888_888_888_889e-3,
    8.333_333_333_333_333e-3,
    4.166_666_666_666_666_4e-2,
    1.666_666_666_666_666_6e-1,
    0.5,
];

/// `2/(2k+1)` for k = 10 down to 1: `2 atanh(s)/s - 2` in powers of `s²`.
const LOG_C: [f64; 10] = [
    9.523_809_523_809_523e-2,
    1.052_631_578_947_368_4e-1,
    1.176_470_588_235_294_1e-1,
    1.333_333_333_333_333_3e-1,
    1.538_461_538_461_538_5e-1,
    1.818_181_818_181_818_2e-1,
    2.222_222_222_222_222e-1,
    2.857_142_857_142_857e-1,
    0.4,
    6.666_666_666_666_666e-1,
];

/// `(-1)^k/(2k+1)!` for k = 8 down to 1: `(sin r - r)/r³` in powers of `r²`.
const SIN_C: [f64; 8] = [
    2.811_457_254_345_520_6e-15,
    -7.647_163_731_819_816e-13,
    1.605_904_383_682_161_3e-10,
    -2.505_210_838_544_172e-8,
    2.755_731_922_398_589_3e-6,
    -1.984_126_984_126_984e-4,
    8.333_333_333_333_333e-3,
    -1.666_666_666_666_666_6e-1,
];

/// `(-1)^k/(2k)!` for k = 9 down to 2: `(cos r - 1 + r²/2)/r⁴` in powers of `r²`.
const COS_C: [f64; 8] = [
    -1.561_920_696_858_622_5e-16,
    4.779_477_332_387_385e-14,
    -1.147_074_559_772_972_5e-11,
    2.087_675_698_786_81e-9,
    -2.755_731_922_398_589e-7,
    2.480_158_730_158_73e-5,
    -1.388_888_888_888_889e-3,
    4.166_666_666_666_666_4e-2,
];

#[inline(always)]
fn horner<V: Lanes>(x: V, c: &[f64]) -> V {
    let mut acc = V::splat(c[0]);
    for &k in &c[1..] {
        acc = acc.fma(x, V::splat(k));
    }
    acc
}

/// `e^x`.
#[inline(always)]
fn exp<V: Lanes>(x: V) -> V {
    let n = x.mul(V::splat(LOG2E)).round();
    let r = n.mul(V::splat(-1.0)).fma(V::splat(LN2_HI), x);
    let r = n.mul(V::splat(-1.0)).fma(V::splat(LN2_LO), r);
    // e^r = 1 + r + r²·(1/2 + r/6 + ...)
    let p = horner(r, &EXP_C);
    let p = r.mul(r).fma(p, r).add(V::splat(1.0));
    let y = p.ldexp(n);
    let y = V::select(x.gt(V::splat(EXP_MAX)), V::splat(f64::INFINITY), y);
    V::select(x.lt(V::splat(EXP_MIN)), V::splat(0.0), y)
}

/// The natural logarithm.
#[inline(always)]
fn ln<V: Lanes>(x: V) -> V {
    // Subnormals: scale into the normal range first.
    let small = x.lt(V::splat(f64::MIN_POSITIVE));
    let xs = V::select(small, x.mul(V::splat(18_014_398_509_481_984.0)), x);
    let mut e = xs
        .exponent()
        .sub(V::select(small, V::splat(54.0), V::splat(0.0)));
    let mut m = xs.mantissa();
    let big = m.gt(V::splat(SQRT2));
    m = V::select(big, m.mul(V::splat(0.5)), m);
    e = V::select(big, e.add(V::splat(1.0)), e);
    let f = m.sub(V::splat(1.0));
    let s = f.div(f.add(V::splat(2.0)));
    let z = s.mul(s);
    let r = z.mul(horner(z, &LOG_C));
    let hfsq = V::splat(0.5).mul(f).mul(f);
    // log(1+f) = f - (hfsq - s·(hfsq + R)), plus e·ln 2 in two parts.
    let t = s.fma(hfsq.add(r), e.mul(V::splat(LN2_LO)));
    let y = e.fma(V::splat(LN2_HI), f.sub(hfsq.sub(t)));
    // Special values: ln(+inf) = inf, ln(±0) = -inf, ln(x<0) = NaN, NaN.
    let y = V::select(x.gt(V::splat(f64::MAX)), x, y);
    let edge = V::select(
        x.lt(V::splat(0.0)),
        V::splat(f64::NAN),
        V::splat(f64::NEG_INFINITY),
    );
    let y = V::select(x.le(V::splat(0.0)), edge, y);
    V::select(x.is_nan(), x, y)
}

/// `x` reduced by `π/2`: `(r, q)` with `x = r + k·π/2`, `q = k mod 4`.
#[inline(always)]
fn reduce_pio2<V: Lanes>(x: V) -> (V, V) {
    let k = x.mul(V::splat(TWO_OVER_PI)).round();
    let nk = k.mul(V::splat(-1.0));
    let r = nk.fma(V::splat(PIO2_1), x);
    let r = nk.fma(V::splat(PIO2_2), r);
    let r = nk.fma(V::splat(PIO2_3), r);
    (r, k.low2())
}

/// `(sin r, cos r)` for `|r| ≤ π/4`.
#[inline(always)]
fn sincos_kernel<V: Lanes>(r: V) -> (V, V) {
    let w = r.mul(r);
    let s = r.mul(w).fma(horner(w, &SIN_C), r);
    let c = w
        .mul(w)
        .fma(horner(w, &COS_C), V::splat(1.0).sub(w.mul(V::splat(0.5))));
    (s, c)
}

/// Masks of the quadrant `q ∈ {0,1,2,3}`: odd, and `q ≥ 2`.
#[inline(always)]
fn quadrant<V: Lanes>(q: V) -> (V::Mask, V::Mask) {
    let half = q.mul(V::splat(0.5)).sub(V::splat(0.25)).round();
    let odd = q.sub(half.mul(V::splat(2.0))).gt(V::splat(0.5));
    (odd, q.gt(V::splat(1.5)))
}

#[inline(always)]
fn neg<V: Lanes>(x: V) -> V {
    V::splat(0.0).sub(x)
}

#[inline(always)]
fn sin<V: Lanes>(x: V) -> V {
    let (r, q) = reduce_pio2(x);
    let (s, c) = sincos_kernel(r);
    let (odd, hi) = quadrant(q);
    let v = V::select(odd, c, s);
    let v = V::select(hi, neg(v), v);
    V::select(x.abs().lt(V::splat(TRIG_TINY)), x, v)
}

#[inline(always)]
fn cos<V: Lanes>(x: V) -> V {
    let (r, q) = reduce_pio2(x);
    let (s, c) = sincos_kernel(r);
    let (odd, hi) = quadrant(q);
    let v = V::select(odd, neg(s), c);
    V::select(hi, neg(v), v)
}

#[inline(always)]
fn tan<V: Lanes>(x: V) -> V {
    let (r, q) = reduce_pio2(x);
    let (s, c) = sincos_kernel(r);
    let (odd, _) = quadrant(q);
    let v = V::select(odd, neg(c).div(s), s.div(c));
    V::select(x.abs().lt(V::splat(TRIG_TINY)), x, v)
}

/// The scalar result for lanes beyond [`TRIG_MAX`] (and infinities).
fn trig_fallback(f: Fun, x: f64) -> f64 {
    match f {
        Fun::Sin => x.sin(),
        Fun::Cos => x.cos(),
        Fun::Tan => x.tan(),
        Fun::Exp | Fun::Ln => unreachable!("only trig falls back"),
    }
}

#[inline(always)]
fn eval<V: Lanes>(f: Fun, x: V) -> V {
    match f {
        Fun::Exp => exp(x),
        Fun::Ln => ln(x),
        Fun::Sin => sin(x),
        Fun::Cos => cos(x),
        Fun::Tan => tan(x),
    }
}

#[inline(always)]
fn is_trig(f: Fun) -> bool {
    matches!(f, Fun::Sin | Fun::Cos | Fun::Tan)
}

/// `f(x)` for one `f64`: the scalar instantiation, used for tails and by
/// code that needs the same bits one value at a time.
pub fn eval_f64(f: Fun, x: f64) -> f64 {
    if is_trig(f) && x.abs() > TRIG_MAX {
        return trig_fallback(f, x);
    }
    eval(f, S(x)).0
}

/// `f(x)` for one `f32`: the same bits as [`map_f32`].
pub(crate) fn eval_f32(f: Fun, x: f32) -> f32 {
    if vmath32::handles(f) {
        return vmath32::eval_f32(f, x);
    }
    eval_f64(f, x as f64) as f32
}

/// `g · f'(x)` for one `f64` (see [`Grad`]).
pub fn grad_f64(d: Grad, g: f64, x: f64) -> f64 {
    let f = match d {
        Grad::Sin => Fun::Cos,
        Grad::Cos => Fun::Sin,
        Grad::Tan => Fun::Cos,
    };
    let v = eval_f64(f, x);
    match d {
        Grad::Sin => g * v,
        Grad::Cos => -g * v,
        Grad::Tan => g / (v * v),
    }
}

macro_rules! drivers {
    ($name:ident, $t:ty, $load:ident, $store:ident, $grad_name:ident) => {
        /// The vector loop over `N`-lane chunks; the tail (and lanes that
        /// need the scalar trig fallback) go through the scalar path.
        #[inline(always)]
        fn $name<V: Lanes>(f: Fun, x: &[$t], out: &mut [$t]) {
            let n = x.len();
            let mut i = 0;
            while i + V::N <= n {
                let v = V::$load(&x[i..]);
                if is_trig(f) && V::any(v.abs().gt(V::splat(TRIG_MAX))) {
                    for j in i..i + V::N {
                        out[j] = eval_f64(f, x[j] as f64) as $t;
                    }
                } else {
                    eval(f, v).$store(&mut out[i..]);
                }
                i += V::N;
            }
            for j in i..n {
                out[j] = eval_f64(f, x[j] as f64) as $t;
            }
        }

        /// The fused backward loop: `out = g · f'(x)`.
        #[inline(always)]
        fn $grad_name<V: Lanes>(d: Grad, g: &[$t], x: &[$t], out: &mut [$t]) {
            let n = x.len();
            let f = match d {
                Grad::Sin | Grad::Tan => Fun::Cos,
                Grad::Cos => Fun::Sin,
            };
            let mut i = 0;
            while i + V::N <= n {
                let v = V::$load(&x[i..]);
                if V::any(v.abs().gt(V::splat(TRIG_MAX))) {
                    for j in i..i + V::N {
                        out[j] = grad_f64(d, g[j] as f64, x[j] as f64) as $t;
                    }
                } else {
                    let gv = V::$load(&g[i..]);
                    let t = eval(f, v);
                    let r = match d {
                        Grad::Sin => gv.mul(t),
                        Grad::Cos => neg(gv).mul(t),
                        Grad::Tan => gv.div(t.mul(t)),
                    };
                    r.$store(&mut out[i..]);
                }
                i += V::N;
            }
            for j in i..n {
                out[j] = grad_f64(d, g[j] as f64, x[j] as f64) as $t;
            }
        }
    };
}
drivers!(run_f64, f64, load, store, grad_run_f64);
drivers!(run_f32, f32, load_f32, store_f32, grad_run_f32);

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;
    use crate::simd::{V4, V8};

    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn f64_512(f: Fun, x: &[f64], out: &mut [f64]) {
        run_f64::<V8>(f, x, out)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn f64_256(f: Fun, x: &[f64], out: &mut [f64]) {
        run_f64::<V4>(f, x, out)
    }
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn f32_512(f: Fun, x: &[f32], out: &mut [f32]) {
        run_f32::<V8>(f, x, out)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn f32_256(f: Fun, x: &[f32], out: &mut [f32]) {
        run_f32::<V4>(f, x, out)
    }
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn g64_512(d: Grad, g: &[f64], x: &[f64], out: &mut [f64]) {
        grad_run_f64::<V8>(d, g, x, out)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn g64_256(d: Grad, g: &[f64], x: &[f64], out: &mut [f64]) {
        grad_run_f64::<V4>(d, g, x, out)
    }
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn g32_512(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
        grad_run_f32::<V8>(d, g, x, out)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn g32_256(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
        grad_run_f32::<V4>(d, g, x, out)
    }
}

fn check(what: &str, a: usize, b: usize) {
    assert_eq!(a, b, "vmath::{what}: input and output lengths differ");
}

/// `out[i] = f(x[i])` for `f64` slices of equal length (in parallel when large).
pub fn map_f64(f: Fun, x: &[f64], out: &mut [f64]) {
    check("map_f64", x.len(), out.len());
    stream::for_chunks(out, Cost::Heavy, |r, o| map_f64_serial(f, &x[r], o));
}

fn map_f64_serial(f: Fun, x: &[f64], out: &mut [f64]) {
    match isa() {
        // SAFETY: `isa()` detected the features these functions enable.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::f64_512(f, x, out) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::f64_256(f, x, out) },
        _ => run_f64::<S>(f, x, out),
    }
}

/// `out[i] = f(x[i])` for `f32` slices of equal length (in parallel when
/// large). `exp`, `sin` and `cos` are computed in `f32`, within 1 ulp of the
/// correctly rounded result; `ln` and `tan` in `f64`, rounded once (see the
/// [module docs](self)).
pub fn map_f32(f: Fun, x: &[f32], out: &mut [f32]) {
    check("map_f32", x.len(), out.len());
    stream::for_chunks(out, Cost::Heavy, |r, o| map_f32_serial(f, &x[r], o));
}

fn map_f32_serial(f: Fun, x: &[f32], out: &mut [f32]) {
    if vmath32::handles(f) {
        return vmath32::map_serial(f, x, out);
    }
    map_f32_widened(f, x, out)
}

/// `f32` through the `f64` kernels: widen, evaluate, round once.
pub(crate) fn map_f32_widened(f: Fun, x: &[f32], out: &mut [f32]) {
    match isa() {
        // SAFETY: `isa()` detected the features these functions enable.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::f32_512(f, x, out) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::f32_256(f, x, out) },
        _ => run_f32::<S>(f, x, out),
    }
}

/// `out[i] = g[i] · f'(x[i])` for `f64` slices of equal length.
pub fn grad_f64_slice(d: Grad, g: &[f64], x: &[f64], out: &mut [f64]) {
    check("grad_f64", x.len(), out.len());
    check("grad_f64", g.len(), out.len());
    stream::for_chunks(out, Cost::Heavy, |r, o| {
        grad_f64_serial(d, &g[r.clone()], &x[r], o)
    });
}

fn grad_f64_serial(d: Grad, g: &[f64], x: &[f64], out: &mut [f64]) {
    match isa() {
        // SAFETY: `isa()` detected the features these functions enable.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::g64_512(d, g, x, out) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::g64_256(d, g, x, out) },
        _ => grad_run_f64::<S>(d, g, x, out),
    }
}

/// `out[i] = g[i] · f'(x[i])` for `f32` slices of equal length. The `sin`
/// and `cos` forms multiply `g` by the native `f32` `cos x` / `sin x`
/// (within 1 ulp), so the product is within 2 ulp of `g · f'(x)` rounded;
/// the `tan` form is computed in `f64` and rounded once.
pub fn grad_f32_slice(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
    check("grad_f32", x.len(), out.len());
    check("grad_f32", g.len(), out.len());
    stream::for_chunks(out, Cost::Heavy, |r, o| {
        grad_f32_serial(d, &g[r.clone()], &x[r], o)
    });
}

fn grad_f32_serial(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
    if vmath32::handles_grad(d) {
        return vmath32::grad_serial(d, g, x, out);
    }
    grad_f32_widened(d, g, x, out)
}

/// The `f32` backward forms through the `f64` kernels, rounded once.
pub(crate) fn grad_f32_widened(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
    match isa() {
        // SAFETY: `isa()` detected the features these functions enable.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::g32_512(d, g, x, out) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::g32_256(d, g, x, out) },
        _ => grad_run_f32::<S>(d, g, x, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite doubles.
    fn ulps(a: f64, b: f64) -> u64 {
        let key = |x: f64| {
            let b = x.to_bits() as i64;
            if b < 0 {
                i64::MIN - b
            } else {
                b
            }
        };
        key(a).abs_diff(key(b))
    }

    fn reference(f: Fun, x: f64) -> f64 {
        match f {
            Fun::Exp => x.exp(),
            Fun::Ln => x.ln(),
            Fun::Sin => x.sin(),
            Fun::Cos => x.cos(),
            Fun::Tan => x.tan(),
        }
    }

    /// A deterministic spread of test inputs for `f`.
    fn inputs(f: Fun) -> Vec<f64> {
        let mut s = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut v: Vec<f64> = (0..20_000)
            .map(|_| {
                let u = next();
                match f {
                    Fun::Exp => -740.0 + 1449.0 * u,
                    Fun::Ln => (2.0f64).powf(-1070.0 + 2090.0 * u),
                    _ => (u - 0.5) * 200.0,
                }
            })
            .collect();
        v.extend((0..2000).map(|i| (i as f64 - 1000.0) * 0.01));
        v
    }

    #[test]
    fn f64_results_are_within_a_few_ulp_of_the_platform_functions() {
        for f in [Fun::Exp, Fun::Ln, Fun::Sin, Fun::Cos, Fun::Tan] {
            let x = inputs(f);
            let mut out = vec![f64::NAN; x.len()];
            map_f64(f, &x, &mut out);
            let mut worst = 0;
            for (&xi, &yi) in x.iter().zip(&out) {
                let want = reference(f, xi);
                let d = if want == yi || (want.is_nan() && yi.is_nan()) {
                    0
                } else {
                    ulps(want, yi)
                };
                worst = worst.max(d);
                // tan is a quotient of two ~1-ulp values.
                let bound = if f == Fun::Tan { 4 } else { 2 };
                assert!(
                    d <= bound,
                    "{f:?}({xi:e}) = {yi:e}, platform {want:e} ({d} ulp)"
                );
            }
            println!("{f:?}: at most {worst} ulp from the platform function");
        }
    }

    /// `ln` and `tan` go through the `f64` kernels (`exp`, `sin` and `cos`
    /// have native `f32` kernels, within 1 ulp: see `vmath32`).
    #[test]
    fn f32_ln_and_tan_are_correctly_rounded() {
        for f in [Fun::Ln, Fun::Tan] {
            let x: Vec<f32> = inputs(f)
                .into_iter()
                .map(|v| v as f32)
                .filter(|v| v.is_finite() && (f != Fun::Exp || v.abs() < 88.0))
                .collect();
            let mut out = vec![f32::NAN; x.len()];
            map_f32(f, &x, &mut out);
            let mut differ = 0;
            for (&xi, &yi) in x.iter().zip(&out) {
                let want = reference(f, xi as f64) as f32;
                if want.to_bits() != yi.to_bits() && !(want.is_nan() && yi.is_nan()) {
                    differ += 1;
                    let d = ulps(want as f64, yi as f64);
                    assert!(
                        want.is_finite() && d < (1 << 29) + 1,
                        "{f:?}({xi}) = {yi}, want {want}"
                    );
                }
            }
            // Only a double rounding can tell the two apart.
            assert!(
                differ * 10_000 <= x.len(),
                "{f:?}: {differ} of {} differ",
                x.len()
            );
        }
    }

    #[test]
    fn special_values_follow_ieee_and_numpy() {
        let e = |x| eval_f64(Fun::Exp, x);
        assert_eq!(e(0.0), 1.0);
        assert_eq!(e(f64::INFINITY), f64::INFINITY);
        assert_eq!(e(f64::NEG_INFINITY), 0.0);
        assert!(e(f64::NAN).is_nan());
        assert_eq!(e(710.0), f64::INFINITY);
        assert_eq!(e(-746.0), 0.0);
        assert!(
            e(-740.0) > 0.0 && e(-740.0) < f64::MIN_POSITIVE,
            "subnormal result"
        );
        let l = |x| eval_f64(Fun::Ln, x);
        assert_eq!(l(1.0), 0.0);
        assert_eq!(l(0.0), f64::NEG_INFINITY);
        assert_eq!(l(-0.0), f64::NEG_INFINITY);
        assert!(l(-1.0).is_nan());
        assert!(l(f64::NAN).is_nan());
        assert_eq!(l(f64::INFINITY), f64::INFINITY);
        assert!(
            (l(5e-324) - 5e-324f64.ln()).abs() < 1e-12,
            "subnormal input"
        );
        let s = |x| eval_f64(Fun::Sin, x);
        assert_eq!(
            s(-0.0).to_bits(),
            (-0.0f64).to_bits(),
            "sin keeps the sign of zero"
        );
        assert_eq!(s(1e-300), 1e-300);
        assert!(s(f64::INFINITY).is_nan() && s(f64::NAN).is_nan());
        assert_eq!(
            s(1e10),
            1e10f64.sin(),
            "large arguments use the platform function"
        );
        assert_eq!(eval_f64(Fun::Cos, 0.0), 1.0);
        assert_eq!(eval_f64(Fun::Tan, -0.0).to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn every_instruction_set_computes_the_same_bits() {
        for f in [Fun::Exp, Fun::Ln, Fun::Sin, Fun::Cos, Fun::Tan] {
            let mut x = inputs(f);
            x.extend([0.0, -0.0, f64::NAN, f64::INFINITY, -1.0, 1e6, 7e4, -3e5]);
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let mut scalar = vec![0.0; x.len()];
            run_f64::<S>(f, &x, &mut scalar);
            let mut scalar32 = vec![0.0f32; x.len()];
            run_f32::<S>(f, &x32, &mut scalar32);
            let g: Vec<f64> = x.iter().map(|v| v * 0.5 + 1.0).collect();
            let mut gscalar = vec![0.0; x.len()];
            grad_run_f64::<S>(Grad::Tan, &g, &x, &mut gscalar);
            for level in [Isa::Avx2, Isa::Avx512] {
                let mut v = vec![0.0; x.len()];
                let mut v32 = vec![0.0f32; x.len()];
                let mut gv = vec![0.0; x.len()];
                #[cfg(target_arch = "x86_64")]
                {
                    let have = match level {
                        Isa::Avx512 => {
                            std::arch::is_x86_feature_detected!("avx512f")
                                && std::arch::is_x86_feature_detected!("avx512dq")
                        }
                        _ => {
                            std::arch::is_x86_feature_detected!("avx2")
                                && std::arch::is_x86_feature_detected!("fma")
                        }
                    };
                    if !have {
                        continue;
                    }
                    // SAFETY: the features were just detected.
                    unsafe {
                        if level == Isa::Avx512 {
                            x86::f64_512(f, &x, &mut v);
                            x86::f32_512(f, &x32, &mut v32);
                            x86::g64_512(Grad::Tan, &g, &x, &mut gv);
                        } else {
                            x86::f64_256(f, &x, &mut v);
                            x86::f32_256(f, &x32, &mut v32);
                            x86::g64_256(Grad::Tan, &g, &x, &mut gv);
                        }
                    }
                }
                #[cfg(not(target_arch = "x86_64"))]
                continue;
                let same = |a: &[f64], b: &[f64]| {
                    a.iter()
                        .zip(b)
                        .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
                };
                assert!(same(&scalar, &v), "{f:?} f64 on {level:?}");
                assert!(same(&gscalar, &gv), "tan grad on {level:?}");
                let same32 = scalar32
                    .iter()
                    .zip(&v32)
                    .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()));
                assert!(same32, "{f:?} f32 on {level:?}");
            }
        }
    }

    /// The `f32` `tan` gradient is computed in `f64` and rounded once (the
    /// `sin` and `cos` ones are native `f32`: see `vmath32`).
    #[test]
    fn fused_tan_gradient_matches_its_definition() {
        let x: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) * 0.013).collect();
        let g: Vec<f32> = x.iter().map(|v| 1.5 - v).collect();
        for (d, f) in [(Grad::Tan, Fun::Cos)] {
            let mut out = vec![f32::NAN; x.len()];
            grad_f32_slice(d, &g, &x, &mut out);
            for i in 0..x.len() {
                let t = eval_f64(f, x[i] as f64);
                let want = match d {
                    Grad::Sin => g[i] as f64 * t,
                    Grad::Cos => -(g[i] as f64) * t,
                    Grad::Tan => g[i] as f64 / (t * t),
                } as f32;
                assert_eq!(out[i].to_bits(), want.to_bits(), "{d:?} at {}", x[i]);
            }
        }
    }
}
