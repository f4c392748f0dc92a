//! The one place that knows the vector instruction sets: runtime detection,
//! and the `Lanes` abstraction the vector maths is written against.
//!
//! Every vector algorithm in this crate is written once over `Lanes` and
//! instantiated three times: a scalar `f64` (portable fallback, and the
//! tails of arrays), AVX2+FMA (4 lanes) and AVX-512 (8 lanes). All three
//! perform the same IEEE operations in the same order, fused multiply-adds
//! included (`f64::mul_add` is a correctly rounded FMA even without
//! hardware support), so results are bit-identical whichever path runs.
//! The `f32` analogue, `Lanes32` (1, 8 and 16 lanes), lives in the
//! `lanes32` child module under the same rules.

use std::sync::atomic::{AtomicU8, Ordering};

mod lanes32;
pub(crate) use lanes32::{Lanes32, S32};
#[cfg(target_arch = "x86_64")]
pub(crate) use lanes32::{V16f, V8f};

/// The instruction sets a kernel can be dispatched to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Portable scalar code.
    Scalar,
    /// AVX2 with FMA (x86-64).
    Avx2,
    /// AVX-512 F + DQ (x86-64).
    Avx512,
}

static DETECTED: AtomicU8 = AtomicU8::new(0);

/// The best instruction set of this machine, detected once. Setting the
/// environment variable `CAUSING_DIFF_ISA` to `scalar` or `avx2` before the
/// first call caps it (for tests and benchmarks).
pub fn isa() -> Isa {
    match DETECTED.load(Ordering::Relaxed) {
        1 => Isa::Scalar,
        2 => Isa::Avx2,
        3 => Isa::Avx512,
        _ => {
            let found = detect();
            let code = match found {
                Isa::Scalar => 1,
                Isa::Avx2 => 2,
                Isa::Avx512 => 3,
            };
            DETECTED.store(code, Ordering::Relaxed);
            found
        }
    }
}

fn detect() -> Isa {
    let cap = std::env::var("CAUSING_DIFF_ISA").unwrap_or_default();
    if cap == "scalar" {
        return Isa::Scalar;
    }
    #[cfg(target_arch = "x86_64")]
    {
        let avx512 = std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq");
        let avx2 = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma");
        if avx512 && cap != "avx2" {
            return Isa::Avx512;
        }
        if avx2 {
            return Isa::Avx2;
        }
    }
    Isa::Scalar
}

/// A vector of `f64` lanes: the operations the vector maths needs.
///
/// Implementations must give, lane by lane, exactly the IEEE result of the
/// scalar operation (round to nearest even), so that every instantiation of
/// an algorithm computes the same bits.
pub(crate) trait Lanes: Copy {
    /// Lane-wise comparison result.
    type Mask: Copy;
    /// Number of lanes.
    const N: usize;
    fn splat(x: f64) -> Self;
    /// Loads `N` values (`src.len() >= N`).
    fn load(src: &[f64]) -> Self;
    /// Loads `N` `f32` values, widened exactly.
    fn load_f32(src: &[f32]) -> Self;
    /// Stores `N` values (`dst.len() >= N`).
    fn store(self, dst: &mut [f64]);
    /// Stores `N` values rounded to `f32`.
    fn store_f32(self, dst: &mut [f32]);
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    /// `self * b + c` with one rounding.
    fn fma(self, b: Self, c: Self) -> Self;
    /// Round to the nearest integer, ties to even.
    fn round(self) -> Self;
    fn abs(self) -> Self;
    /// `self < o` (false for NaN).
    fn lt(self, o: Self) -> Self::Mask;
    /// `self > o` (false for NaN).
    fn gt(self, o: Self) -> Self::Mask;
    /// `self <= o` (false for NaN).
    fn le(self, o: Self) -> Self::Mask;
    /// NaN lanes.
    fn is_nan(self) -> Self::Mask;
    fn any(m: Self::Mask) -> bool;
    /// `m ? a : b`, lane-wise.
    fn select(m: Self::Mask, a: Self, b: Self) -> Self;
    /// `self * 2^n` for integral `n` in [-2100, 2100] (as `f64`), with one
    /// rounding (overflow to ±inf, gradual underflow).
    fn ldexp(self, n: Self) -> Self;
    /// The raw bits reinterpreted as `i64` lanes, in an `f64` carrier: the
    /// unbiased exponent of each lane (for normal, finite, non-zero values).
    fn exponent(self) -> Self;
    /// The significand scaled into `[1, 2)` (normal, finite, non-zero values).
    fn mantissa(self) -> Self;
    /// The lowest two bits of an integral lane value, as `0..=3` in `f64`.
    fn low2(self) -> Self;
}

/// The scalar instantiation: one lane.
#[derive(Clone, Copy, Debug)]
pub(crate) struct S(pub(crate) f64);

impl Lanes for S {
    type Mask = bool;
    const N: usize = 1;
    #[inline(always)]
    fn splat(x: f64) -> Self {
        S(x)
    }
    #[inline(always)]
    fn load(src: &[f64]) -> Self {
        S(src[0])
    }
    #[inline(always)]
    fn load_f32(src: &[f32]) -> Self {
        S(src[0] as f64)
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64]) {
        dst[0] = self.0;
    }
    #[inline(always)]
    fn store_f32(self, dst: &mut [f32]) {
        dst[0] = self.0 as f32;
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        S(self.0 + o.0)
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        S(self.0 - o.0)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        S(self.0 * o.0)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        S(self.0 / o.0)
    }
    #[inline(always)]
    fn fma(self, b: Self, c: Self) -> Self {
        S(self.0.mul_add(b.0, c.0))
    }
    #[inline(always)]
    fn round(self) -> Self {
        S(self.0.round_ties_even())
    }
    #[inline(always)]
    fn abs(self) -> Self {
        S(self.0.abs())
    }
    #[inline(always)]
    fn lt(self, o: Self) -> bool {
        self.0 < o.0
    }
    #[inline(always)]
    fn gt(self, o: Self) -> bool {
        self.0 > o.0
    }
    #[inline(always)]
    fn le(self, o: Self) -> bool {
        self.0 <= o.0
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        self.0.is_nan()
    }
    #[inline(always)]
    fn any(m: bool) -> bool {
        m
    }
    #[inline(always)]
    fn select(m: bool, a: Self, b: Self) -> Self {
        if m {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn ldexp(self, n: Self) -> Self {
        // Two exact power-of-two factors, each a normal double, so that
        // only the final multiplication rounds.
        let n = n.0 as i64;
        let a = n / 2;
        let b = n - a;
        let p = |k: i64| f64::from_bits(((k + 1023).clamp(1, 2046) as u64) << 52);
        S(self.0 * p(a) * p(b))
    }
    #[inline(always)]
    fn exponent(self) -> Self {
        S((((self.0.to_bits() >> 52) & 0x7ff) as i64 - 1023) as f64)
    }
    #[inline(always)]
    fn mantissa(self) -> Self {
        S(f64::from_bits(
            (self.0.to_bits() & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000,
        ))
    }
    #[inline(always)]
    fn low2(self) -> Self {
        S(((self.0 as i64) & 3) as f64)
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{V4, V8};

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! AVX2 and AVX-512 lanes. Every method is `#[inline(always)]` and is
    //! only ever inlined into functions compiled with the matching
    //! `#[target_feature]`, which the dispatcher calls only after
    //! [`isa`](super::isa) detected the feature.
    use super::Lanes;
    use core::arch::x86_64::*;

    /// Four `f64` lanes in a 256-bit AVX2 register.
    #[derive(Clone, Copy)]
    pub(crate) struct V4(__m256d);

    /// Eight `f64` lanes in a 512-bit AVX-512 register.
    #[derive(Clone, Copy)]
    pub(crate) struct V8(__m512d);

    // SAFETY (both impls): the intrinsics need AVX2+FMA (V4) or AVX-512 F+DQ
    // (V8). These types are only constructed inside `#[target_feature]`
    // functions that the dispatcher calls after detecting those features,
    // and the `#[inline(always)]` methods are inlined there. Loads and
    // stores are unaligned and read/write exactly `N` elements of slices
    // whose length is checked first.
    impl Lanes for V4 {
        type Mask = __m256d;
        const N: usize = 4;
        #[inline(always)]
        fn splat(x: f64) -> Self {
            unsafe { V4(_mm256_set1_pd(x)) }
        }
        #[inline(always)]
        fn load(src: &[f64]) -> Self {
            assert!(src.len() >= 4);
            unsafe { V4(_mm256_loadu_pd(src.as_ptr())) }
        }
        #[inline(always)]
        fn load_f32(src: &[f32]) -> Self {
            assert!(src.len() >= 4);
            unsafe { V4(_mm256_cvtps_pd(_mm_loadu_ps(src.as_ptr()))) }
        }
        #[inline(always)]
        fn store(self, dst: &mut [f64]) {
            assert!(dst.len() >= 4);
            unsafe { _mm256_storeu_pd(dst.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn store_f32(self, dst: &mut [f32]) {
            assert!(dst.len() >= 4);
            unsafe { _mm_storeu_ps(dst.as_mut_ptr(), _mm256_cvtpd_ps(self.0)) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { V4(_mm256_add_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            unsafe { V4(_mm256_sub_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            unsafe { V4(_mm256_mul_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            unsafe { V4(_mm256_div_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn fma(self, b: Self, c: Self) -> Self {
            unsafe { V4(_mm256_fmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        fn round(self) -> Self {
            unsafe {
                V4(_mm256_round_pd::<
                    { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
                >(self.0))
            }
        }
        #[inline(always)]
        fn abs(self) -> Self {
            unsafe { V4(_mm256_andnot_pd(_mm256_set1_pd(-0.0), self.0)) }
        }
        #[inline(always)]
        fn lt(self, o: Self) -> __m256d {
            unsafe { _mm256_cmp_pd::<_CMP_LT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn gt(self, o: Self) -> __m256d {
            unsafe { _mm256_cmp_pd::<_CMP_GT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn le(self, o: Self) -> __m256d {
            unsafe { _mm256_cmp_pd::<_CMP_LE_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn is_nan(self) -> __m256d {
            unsafe { _mm256_cmp_pd::<_CMP_UNORD_Q>(self.0, self.0) }
        }
        #[inline(always)]
        fn any(m: __m256d) -> bool {
            unsafe { _mm256_movemask_pd(m) != 0 }
        }
        #[inline(always)]
        fn select(m: __m256d, a: Self, b: Self) -> Self {
            unsafe { V4(_mm256_blendv_pd(b.0, a.0, m)) }
        }
        #[inline(always)]
        fn ldexp(self, n: Self) -> Self {
            unsafe {
                // n/2 and n - n/2 (truncating, as the scalar version), each
                // turned into an exact power of two by building its bits.
                let a = _mm256_round_pd::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(
                    _mm256_mul_pd(n.0, _mm256_set1_pd(0.5)),
                );
                let b = _mm256_sub_pd(n.0, a);
                let pow2 = |k: __m256d| {
                    let k = _mm256_max_pd(
                        _mm256_set1_pd(-1022.0),
                        _mm256_min_pd(k, _mm256_set1_pd(1023.0)),
                    );
                    // k + 1023 + 2^52 puts the integer in the low mantissa bits.
                    let t = _mm256_add_pd(k, _mm256_set1_pd(1023.0 + 4_503_599_627_370_496.0));
                    let e = _mm256_slli_epi64::<52>(_mm256_castpd_si256(t));
                    _mm256_castsi256_pd(e)
                };
                V4(_mm256_mul_pd(_mm256_mul_pd(self.0, pow2(a)), pow2(b)))
            }
        }
        #[inline(always)]
        fn exponent(self) -> Self {
            unsafe {
                let bits = _mm256_castpd_si256(self.0);
                let e = _mm256_and_si256(_mm256_srli_epi64::<52>(bits), _mm256_set1_epi64x(0x7ff));
                // e + 2^52 as a double, minus 2^52 + 1023: the unbiased exponent.
                let f = _mm256_castsi256_pd(_mm256_or_si256(
                    e,
                    _mm256_castpd_si256(_mm256_set1_pd(4_503_599_627_370_496.0)),
                ));
                V4(_mm256_sub_pd(
                    f,
                    _mm256_set1_pd(4_503_599_627_370_496.0 + 1023.0),
                ))
            }
        }
        #[inline(always)]
        fn mantissa(self) -> Self {
            unsafe {
                let bits = _mm256_castpd_si256(self.0);
                let m = _mm256_and_si256(bits, _mm256_set1_epi64x(0x000f_ffff_ffff_ffff));
                V4(_mm256_castsi256_pd(_mm256_or_si256(
                    m,
                    _mm256_set1_epi64x(0x3ff0_0000_0000_0000),
                )))
            }
        }
        #[inline(always)]
        fn low2(self) -> Self {
            unsafe {
                // For |x| < 2^51, x + 2^52 holds x in its low mantissa bits
                // (two's complement for negatives wraps in the low bits too).
                let t = _mm256_castpd_si256(_mm256_add_pd(
                    self.0,
                    _mm256_set1_pd(6_755_399_441_055_744.0),
                ));
                let q = _mm256_and_si256(t, _mm256_set1_epi64x(3));
                let f = _mm256_castsi256_pd(_mm256_or_si256(
                    q,
                    _mm256_castpd_si256(_mm256_set1_pd(4_503_599_627_370_496.0)),
                ));
                V4(_mm256_sub_pd(f, _mm256_set1_pd(4_503_599_627_370_496.0)))
            }
        }
    }

    impl Lanes for V8 {
        type Mask = __mmask8;
        const N: usize = 8;
        #[inline(always)]
        fn splat(x: f64) -> Self {
            unsafe { V8(_mm512_set1_pd(x)) }
        }
        #[inline(always)]
        fn load(src: &[f64]) -> Self {
            assert!(src.len() >= 8);
            unsafe { V8(_mm512_loadu_pd(src.as_ptr())) }
        }
        #[inline(always)]
        fn load_f32(src: &[f32]) -> Self {
            assert!(src.len() >= 8);
            unsafe { V8(_mm512_cvtps_pd(_mm256_loadu_ps(src.as_ptr()))) }
        }
        #[inline(always)]
        fn store(self, dst: &mut [f64]) {
            assert!(dst.len() >= 8);
            unsafe { _mm512_storeu_pd(dst.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn store_f32(self, dst: &mut [f32]) {
            assert!(dst.len() >= 8);
            unsafe { _mm256_storeu_ps(dst.as_mut_ptr(), _mm512_cvtpd_ps(self.0)) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { V8(_mm512_add_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            unsafe { V8(_mm512_sub_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            unsafe { V8(_mm512_mul_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            unsafe { V8(_mm512_div_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn fma(self, b: Self, c: Self) -> Self {
            unsafe { V8(_mm512_fmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        fn round(self) -> Self {
            unsafe {
                V8(_mm512_roundscale_pd::<
                    { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
                >(self.0))
            }
        }
        #[inline(always)]
        fn abs(self) -> Self {
            unsafe { V8(_mm512_abs_pd(self.0)) }
        }
        #[inline(always)]
        fn lt(self, o: Self) -> __mmask8 {
            unsafe { _mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn gt(self, o: Self) -> __mmask8 {
            unsafe { _mm512_cmp_pd_mask::<_CMP_GT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn le(self, o: Self) -> __mmask8 {
            unsafe { _mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn is_nan(self) -> __mmask8 {
            unsafe { _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0) }
        }
        #[inline(always)]
        fn any(m: __mmask8) -> bool {
            m != 0
        }
        #[inline(always)]
        fn select(m: __mmask8, a: Self, b: Self) -> Self {
            unsafe { V8(_mm512_mask_blend_pd(m, b.0, a.0)) }
        }
        #[inline(always)]
        fn ldexp(self, n: Self) -> Self {
            unsafe {
                let a = _mm512_roundscale_pd::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(
                    _mm512_mul_pd(n.0, _mm512_set1_pd(0.5)),
                );
                let b = _mm512_sub_pd(n.0, a);
                let pow2 = |k: __m512d| {
                    let k = _mm512_max_pd(
                        _mm512_set1_pd(-1022.0),
                        _mm512_min_pd(k, _mm512_set1_pd(1023.0)),
                    );
                    let t = _mm512_add_pd(k, _mm512_set1_pd(1023.0 + 4_503_599_627_370_496.0));
                    _mm512_castsi512_pd(_mm512_slli_epi64::<52>(_mm512_castpd_si512(t)))
                };
                V8(_mm512_mul_pd(_mm512_mul_pd(self.0, pow2(a)), pow2(b)))
            }
        }
        #[inline(always)]
        fn exponent(self) -> Self {
            unsafe {
                let bits = _mm512_castpd_si512(self.0);
                let e = _mm512_and_si512(_mm512_srli_epi64::<52>(bits), _mm512_set1_epi64(0x7ff));
                let f = _mm512_castsi512_pd(_mm512_or_si512(
                    e,
                    _mm512_castpd_si512(_mm512_set1_pd(4_503_599_627_370_496.0)),
                ));
                V8(_mm512_sub_pd(
                    f,
                    _mm512_set1_pd(4_503_599_627_370_496.0 + 1023.0),
                ))
            }
        }
        #[inline(always)]
        fn mantissa(self) -> Self {
            unsafe {
                let bits = _mm512_castpd_si512(self.0);
                let m = _mm512_and_si512(bits, _mm512_set1_epi64(0x000f_ffff_ffff_ffff));
                V8(_mm512_castsi512_pd(_mm512_or_si512(
                    m,
                    _mm512_set1_epi64(0x3ff0_0000_0000_0000),
                )))
            }
        }
        #[inline(always)]
        fn low2(self) -> Self {
            unsafe {
                let t = _mm512_castpd_si512(_mm512_add_pd(
                    self.0,
                    _mm512_set1_pd(6_755_399_441_055_744.0),
                ));
                let q = _mm512_and_si512(t, _mm512_set1_epi64(3));
                let f = _mm512_castsi512_pd(_mm512_or_si512(
                    q,
                    _mm512_castpd_si512(_mm512_set1_pd(4_503_599_627_370_496.0)),
                ));
                V8(_mm512_sub_pd(f, _mm512_set1_pd(4_503_599_627_370_496.0)))
            }
        }
    }
}
