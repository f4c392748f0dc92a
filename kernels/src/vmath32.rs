//! Native `f32` `exp`, `sin` and `cos` (and the fused `sin`/`cos`
//! gradients), written once over `Lanes32` and run in 16 (AVX-512), 8
//! (AVX2) or 1 lane(s) with bit-identical results.
//!
//! Every finite input gives a result within 1 ulp of the correctly rounded
//! one (checked over all 2^32 inputs by the ignored `exhaustive_*` test).
//! That needs the error before the last rounding below 1 ulp, so the
//! reductions keep the reduced argument in two parts:
//!
//! - `exp`: `n = round(x·log2 e)`, `r = x − n·ln 2` with a two-part `ln 2`
//!   (the first FMA is exact), the low part of `r` carried into a degree-6
//!   minimax polynomial, and the scaling by `2^n` done with one rounding so
//!   that subnormal results and overflow come out right.
//! - `sin`/`cos`: `k = round(x·2/π)`, `x − k·π/2` with a three-part `π/2`
//!   as a two-float sum (the first FMA is exact, the tail's product error is
//!   recovered exactly), degree-7/8 minimax polynomials on `|r| ≤ π/4` with
//!   a first-order correction for the low part, and the quadrant from the
//!   low bits of `k`. Lanes with `|x| > 65536` go through the `f64` path
//!   (the reduction's error grows with `k`).
//!
//! The coefficients were fitted (Lawson's weighted least squares for the
//! minimax relative error, then rounded to `f32`) on the reduced ranges.

use crate::simd::{isa, Isa, Lanes32, S32};
use crate::vmath::{eval_f64, Fun, Grad};

const LOG2E: f32 = f32::from_bits(0x3fb8_aa3b);
/// `ln 2` rounded to `f32`, and the rest.
const LN2_HI: f32 = f32::from_bits(0x3f31_7218);
const LN2_LO: f32 = f32::from_bits(0xb102_e308);
/// Above this `e^x` is `+inf`; below `EXP_TINY`, `+0`. In between, the
/// scaling itself overflows or underflows correctly.
const EXP_HUGE: f32 = 89.0;
const EXP_TINY: f32 = -104.0;
const TWO_OVER_PI: f32 = f32::from_bits(0x3f22_f983);
/// `π/2` in three parts: rounded to `f32`, then the rest, twice.
const PIO2_1: f32 = f32::from_bits(0x3fc9_0fdb);
const PIO2_2: f32 = f32::from_bits(0xb33b_bd2e);
const PIO2_3: f32 = f32::from_bits(0xa6f7_2ced);
/// Beyond this, sin/cos use the `f64` path.
const TRIG_MAX: f32 = 65536.0;
/// Below this, `sin x = x` to within half an ulp (and keeps `-0`).
const TRIG_TINY: f32 = 1.0 / 4096.0;

/// `(e^r − 1 − r)/r²` on `|r| ≤ ln 2 / 2` in powers of `r`: a minimax fit
/// (relative error of `e^r` below 5e-9, 0.08 ulp).
const EXP_C: [f32; 5] = [
    1.381_446_8e-3,
    8.368_781e-3,
    4.166_839_3e-2,
    1.666_652e-1,
    0.499_999_94,
];
/// `(sin r − r)/r³` on `|r| ≤ π/4` in powers of `r²`: a minimax fit
/// (relative error of `sin r` below 9e-9, 0.14 ulp).
const SIN_C: [f32; 3] = [-1.951_521_7e-4, 8.332_16e-3, -1.666_665_5e-1];
/// `(cos r − 1)/r²` on `|r| ≤ π/4` in powers of `r²`: a minimax fit
/// (relative error of `cos r` below 4e-9, 0.06 ulp).
const COS_C: [f32; 4] = [2.438_348_2e-5, -1.388_668_1e-3, 4.166_662e-2, -0.5];

#[inline(always)]
fn horner<V: Lanes32>(x: V, c: &[f32]) -> V {
    let mut acc = V::splat(c[0]);
    for &k in &c[1..] {
        acc = acc.fma(x, V::splat(k));
    }
    acc
}

/// `e^x`.
#[inline(always)]
fn exp<V: Lanes32>(x: V) -> V {
    let n = x.mul(V::splat(LOG2E)).round();
    let nn = n.neg();
    // x − n·LN2_HI is exact: |n| ≤ 151 and the difference is below 1 in
    // magnitude on a grid no finer than x's or LN2_HI's.
    let hi = nn.fma(V::splat(LN2_HI), x);
    let r = nn.fma(V::splat(LN2_LO), hi);
    // What rounding r dropped (hi − r is exact by Sterbenz).
    let lo = nn.fma(V::splat(LN2_LO), hi.sub(r));
    // e^r = 1 + (r + (lo + r²·P(r))).
    let t = r.mul(r).fma(horner(r, &EXP_C), lo);
    let y = V::splat(1.0).add(r.add(t)).ldexp(n);
    let y = V::select(x.gt(V::splat(EXP_HUGE)), V::splat(f32::INFINITY), y);
    V::select(x.lt(V::splat(EXP_TINY)), V::splat(0.0), y)
}

/// `x` reduced by `π/2`: `(hi, lo, k)` with `x = k·π/2 + hi + lo`.
#[inline(always)]
fn reduce_pio2<V: Lanes32>(x: V) -> (V, V, V) {
    let k = x.mul(V::splat(TWO_OVER_PI)).round();
    // Exact: |k| < 2^16, k·PIO2_1 lies on a grid of 2^-23 (or x's, if
    // finer) and the difference is below 1 in magnitude.
    let a = k.neg().fma(V::splat(PIO2_1), x);
    // k·(PIO2_2 + PIO2_3) as th + tl, th's rounding error recovered exactly.
    let th = k.mul(V::splat(PIO2_2));
    let tl = k.fma(V::splat(PIO2_2), th.neg());
    let tl = k.fma(V::splat(PIO2_3), tl);
    // a − th = hi + e (Fast2Sum; where |a| < |th| it is not exact, but
    // the exhaustive test shows the result stays within 1 ulp).
    let hi = a.sub(th);
    let e = a.sub(hi).sub(th);
    (hi, e.sub(tl), k)
}

/// `(sin r, cos r)` for `r = hi + lo`, `|r| ≤ π/4`, `|lo| ≪ |hi|`.
#[inline(always)]
fn sincos_kernel<V: Lanes32>(hi: V, lo: V) -> (V, V) {
    let w = hi.mul(hi);
    // sin r ≈ hi + (lo + hi³·P(w)); cos r ≈ 1 + (w·Q(w) − hi·lo).
    let s = hi.add(hi.mul(w).fma(horner(w, &SIN_C), lo));
    let c = V::splat(1.0).add(w.fma(horner(w, &COS_C), hi.neg().mul(lo)));
    (s, c)
}

#[inline(always)]
fn sin<V: Lanes32>(x: V) -> V {
    let (hi, lo, k) = reduce_pio2(x);
    let (s, c) = sincos_kernel(hi, lo);
    // Quadrants 0..3: s, c, −s, −c.
    let v = V::select(k.has_bit(1), c, s);
    let v = V::select(k.has_bit(2), v.neg(), v);
    V::select(x.abs().lt(V::splat(TRIG_TINY)), x, v)
}

#[inline(always)]
fn cos<V: Lanes32>(x: V) -> V {
    let (hi, lo, k) = reduce_pio2(x);
    let (s, c) = sincos_kernel(hi, lo);
    // Quadrants 0..3: c, −s, −c, s; the sign flips where bit 1 of k + 1 is set.
    let v = V::select(k.has_bit(1), s, c);
    let flip = k.add(V::splat(1.0)).has_bit(2);
    V::select(flip, v.neg(), v)
}

/// Whether [`map_serial`] has a native kernel for `f`.
pub(crate) fn handles(f: Fun) -> bool {
    matches!(f, Fun::Exp | Fun::Sin | Fun::Cos)
}

/// Whether [`grad_serial`] has a native kernel for `d`.
pub(crate) fn handles_grad(d: Grad) -> bool {
    matches!(d, Grad::Sin | Grad::Cos)
}

#[inline(always)]
fn eval<V: Lanes32>(f: Fun, x: V) -> V {
    match f {
        Fun::Exp => exp(x),
        Fun::Sin => sin(x),
        Fun::Cos => cos(x),
        Fun::Ln | Fun::Tan => unreachable!("vmath32 handles exp, sin and cos"),
    }
}

/// Lanes that need the `f64` fallback (large or infinite trig arguments).
#[inline(always)]
fn needs_fallback<V: Lanes32>(f: Fun, x: V) -> bool {
    f != Fun::Exp && V::any(x.abs().gt(V::splat(TRIG_MAX)))
}

/// `f(x)` for one `f32` (`f` one of [`handles`]): the same bits as the
/// vector kernels.
pub(crate) fn eval_f32(f: Fun, x: f32) -> f32 {
    if needs_fallback(f, S32(x)) {
        return eval_f64(f, x as f64) as f32;
    }
    eval(f, S32(x)).0
}

/// `g · f'(x)` for one `f32` (`d` is `Sin` or `Cos`).
fn grad_f32(d: Grad, g: f32, x: f32) -> f32 {
    match d {
        Grad::Sin => g * eval_f32(Fun::Cos, x),
        Grad::Cos => -g * eval_f32(Fun::Sin, x),
        Grad::Tan => unreachable!("vmath32 handles the sin and cos gradients"),
    }
}

/// The vector loop over `N`-lane chunks; the tail and chunks with a lane
/// that needs the fallback go through the scalar path.
#[inline(always)]
fn run<V: Lanes32>(f: Fun, x: &[f32], out: &mut [f32]) {
    let n = x.len();
    let mut i = 0;
    while i + V::N <= n {
        let v = V::load(&x[i..]);
        if needs_fallback(f, v) {
            for j in i..i + V::N {
                out[j] = eval_f32(f, x[j]);
            }
        } else {
            eval(f, v).store(&mut out[i..]);
        }
        i += V::N;
    }
    for j in i..n {
        out[j] = eval_f32(f, x[j]);
    }
}

/// The fused backward loop: `out = g · f'(x)`.
#[inline(always)]
fn grad_run<V: Lanes32>(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
    let f = match d {
        Grad::Sin => Fun::Cos,
        _ => Fun::Sin,
    };
    let n = x.len();
    let mut i = 0;
    while i + V::N <= n {
        let v = V::load(&x[i..]);
        if needs_fallback(f, v) {
            for j in i..i + V::N {
                out[j] = grad_f32(d, g[j], x[j]);
            }
        } else {
            let gv = V::load(&g[i..]);
            let gv = if d == Grad::Sin { gv } else { gv.neg() };
            gv.mul(eval(f, v)).store(&mut out[i..]);
        }
        i += V::N;
    }
    for j in i..n {
        out[j] = grad_f32(d, g[j], x[j]);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;
    use crate::simd::{V16f, V8f};

    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn f32_512(f: Fun, x: &[f32], out: &mut [f32]) {
        run::<V16f>(f, x, out)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn f32_256(f: Fun, x: &[f32], out: &mut [f32]) {
        run::<V8f>(f, x, out)
    }
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) fn g32_512(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
        grad_run::<V16f>(d, g, x, out)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn g32_256(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
        grad_run::<V8f>(d, g, x, out)
    }
}

/// `out[i] = f(x[i])` on one thread (`f` one of [`handles`]).
pub(crate) fn map_serial(f: Fun, x: &[f32], out: &mut [f32]) {
    match isa() {
        // SAFETY: `isa()` detected the features these functions enable.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::f32_512(f, x, out) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::f32_256(f, x, out) },
        _ => run::<S32>(f, x, out),
    }
}

/// `out[i] = g[i] · f'(x[i])` on one thread (`d` is `Sin` or `Cos`).
pub(crate) fn grad_serial(d: Grad, g: &[f32], x: &[f32], out: &mut [f32]) {
    match isa() {
        // SAFETY: `isa()` detected the features these functions enable.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::g32_512(d, g, x, out) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { x86::g32_256(d, g, x, out) },
        _ => grad_run::<S32>(d, g, x, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmath::{grad_f32_slice, map_f32};

    const FUNS: [Fun; 3] = [Fun::Exp, Fun::Sin, Fun::Cos];

    /// Distance in units in the last place between two non-NaN floats
    /// (infinities count as one past the largest finite value).
    fn ulps(a: f32, b: f32) -> u32 {
        let key = |x: f32| {
            let b = x.to_bits() as i32;
            if b < 0 {
                i32::MIN.wrapping_sub(b)
            } else {
                b
            }
        };
        key(a).abs_diff(key(b))
    }

    /// The correctly rounded value, near enough: `f64` rounded once.
    fn reference(f: Fun, x: f32) -> f32 {
        let x = x as f64;
        (match f {
            Fun::Exp => x.exp(),
            Fun::Sin => x.sin(),
            Fun::Cos => x.cos(),
            Fun::Ln | Fun::Tan => unreachable!(),
        }) as f32
    }

    /// `(worst ulp, results not correctly rounded)` of `f` over `x`.
    fn check(f: Fun, x: &[f32]) -> (u32, u64) {
        let mut out = vec![f32::NAN; x.len()];
        map_f32(f, x, &mut out);
        let (mut worst, mut off) = (0, 0);
        for (&xi, &yi) in x.iter().zip(&out) {
            let want = reference(f, xi);
            if want.is_nan() || yi.is_nan() {
                assert!(
                    want.is_nan() && yi.is_nan(),
                    "{f:?}({xi:e}) = {yi:e}, want {want:e}"
                );
                continue;
            }
            let d = ulps(want, yi);
            if d > 0 {
                off += 1;
                worst = worst.max(d);
                assert!(d <= 1, "{f:?}({xi:e}) = {yi:e}, want {want:e} ({d} ulp)");
            }
        }
        (worst, off)
    }

    /// Every `step`-th bit pattern, plus a dense run over `[-20, 20]`.
    fn sample(step: u32) -> Vec<f32> {
        let mut x: Vec<f32> = (0..=u32::MAX / step)
            .map(|i| f32::from_bits(i * step))
            .collect();
        let dense = (1 << 26) / step;
        x.extend((0..dense).map(|i| -20.0 + 40.0 * (i as f32 / dense as f32)));
        x
    }

    #[test]
    fn results_are_within_one_ulp_of_the_correctly_rounded_value() {
        let step = if cfg!(debug_assertions) { 10_007 } else { 97 };
        let x = sample(step);
        for f in FUNS {
            let (worst, off) = check(f, &x);
            println!(
                "{f:?}: {off} of {} not correctly rounded, worst {worst} ulp",
                x.len()
            );
        }
    }

    /// Every `f32`: run with `cargo test --release -- --ignored exhaustive`.
    #[test]
    #[ignore]
    fn exhaustive_exp_sin_cos_are_within_one_ulp() {
        for f in FUNS {
            let (mut worst, mut off) = (0, 0);
            for chunk in 0..1u64 << 12 {
                let lo = (chunk << 20) as u32;
                let x: Vec<f32> = (lo..=lo + ((1 << 20) - 1)).map(f32::from_bits).collect();
                let (w, o) = check(f, &x);
                worst = worst.max(w);
                off += o;
            }
            println!("{f:?}: all 2^32 inputs, {off} not correctly rounded, worst {worst} ulp");
        }
    }

    #[test]
    fn special_values_follow_ieee_and_numpy() {
        let e = |x| eval_f32(Fun::Exp, x);
        assert_eq!(e(0.0), 1.0);
        assert_eq!(e(-0.0), 1.0);
        assert_eq!(e(f32::INFINITY), f32::INFINITY);
        assert_eq!(e(f32::NEG_INFINITY), 0.0);
        assert!(e(f32::NAN).is_nan());
        assert_eq!(e(88.73), f32::INFINITY);
        assert_eq!(e(88.72), reference(Fun::Exp, 88.72));
        assert_eq!(e(-104.0), 0.0);
        assert_eq!(e(-103.9), f32::from_bits(1), "the smallest subnormal");
        assert!(e(-100.0) > 0.0 && e(-100.0) < f32::MIN_POSITIVE);
        assert_eq!(e(1e-30), 1.0);
        for f in [Fun::Sin, Fun::Cos] {
            let t = |x| eval_f32(f, x);
            assert!(t(f32::INFINITY).is_nan() && t(f32::NEG_INFINITY).is_nan());
            assert!(t(f32::NAN).is_nan());
            assert_eq!(t(1e10), reference(f, 1e10), "large arguments use f64");
            assert_eq!(t(-70000.5), reference(f, -70000.5));
        }
        let s = |x| eval_f32(Fun::Sin, x);
        assert_eq!(s(-0.0).to_bits(), (-0.0f32).to_bits(), "sin(-0) = -0");
        assert_eq!(s(0.0).to_bits(), 0);
        assert_eq!(s(1e-40), 1e-40);
        assert_eq!(eval_f32(Fun::Cos, 0.0), 1.0);
        assert_eq!(eval_f32(Fun::Cos, -0.0), 1.0);
        // The same through the slice entry point, tails and vectors alike.
        let x = [
            0.0,
            -0.0,
            f32::NAN,
            f32::INFINITY,
            -1e-40,
            88.73,
            -104.5,
            1e10,
        ];
        let x: Vec<f32> = x.iter().cycle().take(40).copied().collect();
        for f in FUNS {
            let mut out = vec![0.0; x.len()];
            map_f32(f, &x, &mut out);
            for (xi, yi) in x.iter().zip(&out) {
                let want = eval_f32(f, *xi);
                assert!(want.to_bits() == yi.to_bits() || (want.is_nan() && yi.is_nan()));
            }
        }
    }

    fn same(a: &[f32], b: &[f32]) -> bool {
        a.iter()
            .zip(b)
            .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
    }

    #[test]
    fn every_instruction_set_computes_the_same_bits() {
        let mut x = sample(if cfg!(debug_assertions) {
            100_003
        } else {
            1009
        });
        x.extend([
            0.0,
            -0.0,
            f32::NAN,
            f32::INFINITY,
            -1e-40,
            88.73,
            -104.5,
            7e4,
            -65536.0,
        ]);
        let g: Vec<f32> = x.iter().map(|v| 1.0 - v * 0.5).collect();
        for f in FUNS {
            let mut scalar = vec![0.0; x.len()];
            run::<S32>(f, &x, &mut scalar);
            #[cfg(target_arch = "x86_64")]
            for level in [Isa::Avx2, Isa::Avx512] {
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
                let mut v = vec![0.0; x.len()];
                // SAFETY: the features were just detected.
                unsafe {
                    if level == Isa::Avx512 {
                        x86::f32_512(f, &x, &mut v);
                    } else {
                        x86::f32_256(f, &x, &mut v);
                    }
                }
                assert!(same(&scalar, &v), "{f:?} on {level:?}");
            }
        }
        for d in [Grad::Sin, Grad::Cos] {
            let mut scalar = vec![0.0; x.len()];
            grad_run::<S32>(d, &g, &x, &mut scalar);
            #[cfg(target_arch = "x86_64")]
            for level in [Isa::Avx2, Isa::Avx512] {
                let have = match level {
                    Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
                    _ => std::arch::is_x86_feature_detected!("fma"),
                };
                if !have {
                    continue;
                }
                let mut v = vec![0.0; x.len()];
                // SAFETY: the features were just detected.
                unsafe {
                    if level == Isa::Avx512 {
                        x86::g32_512(d, &g, &x, &mut v);
                    } else {
                        x86::g32_256(d, &g, &x, &mut v);
                    }
                }
                assert!(same(&scalar, &v), "{d:?} grad on {level:?}");
            }
        }
    }

    #[test]
    fn fused_gradients_are_within_two_ulp_of_their_definition() {
        let x = sample(if cfg!(debug_assertions) { 100_003 } else { 997 });
        let g: Vec<f32> = x.iter().map(|v| 1.5 - (v * 0.25).fract()).collect();
        for d in [Grad::Sin, Grad::Cos] {
            let mut out = vec![f32::NAN; x.len()];
            grad_f32_slice(d, &g, &x, &mut out);
            for i in 0..x.len() {
                let (gi, xi) = (g[i] as f64, x[i] as f64);
                let want = match d {
                    Grad::Sin => gi * xi.cos(),
                    _ => -gi * xi.sin(),
                } as f32;
                if want.is_nan() {
                    assert!(out[i].is_nan(), "{d:?} at {}", x[i]);
                    continue;
                }
                let u = ulps(want, out[i]);
                assert!(u <= 2, "{d:?} at {}: {} vs {want} ({u} ulp)", x[i], out[i]);
            }
        }
    }

    /// Single-thread timing, old (widened to `f64`) against native:
    /// `cargo test --release -p causing-diff-kernels -- --ignored timing --nocapture`.
    #[test]
    #[ignore]
    fn timing_old_vs_new() {
        use std::time::Instant;
        let n = 1 << 20;
        let x: Vec<f32> = (0..n)
            .map(|i| ((i * 7919) % n) as f32 / n as f32 * 40.0 - 20.0)
            .collect();
        let mut out = vec![0.0f32; n];
        let median = |run: &mut dyn FnMut()| {
            let mut t: Vec<f64> = (0..15)
                .map(|_| {
                    let s = Instant::now();
                    run();
                    s.elapsed().as_secs_f64() * 1e9 / n as f64
                })
                .collect();
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        };
        for f in FUNS {
            let old = median(&mut || crate::vmath::map_f32_widened(f, &x, &mut out));
            let new = median(&mut || map_serial(f, &x, &mut out));
            println!("{f:?}: old {old:.3} ns/element, new {new:.3} ns/element");
        }
        let g = x.clone();
        for d in [Grad::Sin, Grad::Cos] {
            let old = median(&mut || crate::vmath::grad_f32_widened(d, &g, &x, &mut out));
            let new = median(&mut || grad_serial(d, &g, &x, &mut out));
            println!("{d:?} grad: old {old:.3} ns/element, new {new:.3} ns/element");
        }
    }
}
