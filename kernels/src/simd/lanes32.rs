//! `f32` lanes: the `Lanes32` abstraction the native single-precision
//! maths is written against, with a scalar, an AVX2 (8 lanes) and an
//! AVX-512 (16 lanes) instantiation.
//!
//! As with the `f64` lanes, every instantiation performs the same IEEE
//! operations in the same order, fused multiply-adds included
//! (`f32::mul_add` is a correctly rounded FMA even without hardware
//! support), so results are bit-identical whichever path runs.

/// A vector of `f32` lanes: the operations the `f32` maths needs.
///
/// Implementations must give, lane by lane, exactly the IEEE result of the
/// scalar operation (round to nearest even), so that every instantiation of
/// an algorithm computes the same bits.
pub(crate) trait Lanes32: Copy {
    /// Lane-wise comparison result.
    type Mask: Copy;
    /// Number of lanes.
    const N: usize;
    fn splat(x: f32) -> Self;
    /// Loads `N` values (`src.len() >= N`).
    fn load(src: &[f32]) -> Self;
    /// Stores `N` values (`dst.len() >= N`).
    fn store(self, dst: &mut [f32]);
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// `self * b + c` with one rounding.
    fn fma(self, b: Self, c: Self) -> Self;
    /// Round to the nearest integer, ties to even.
    fn round(self) -> Self;
    fn abs(self) -> Self;
    /// Flips the sign bit.
    fn neg(self) -> Self;
    /// `self < o` (false for NaN).
    fn lt(self, o: Self) -> Self::Mask;
    /// `self > o` (false for NaN).
    fn gt(self, o: Self) -> Self::Mask;
    fn any(m: Self::Mask) -> bool;
    /// `m ? a : b`, lane-wise.
    fn select(m: Self::Mask, a: Self, b: Self) -> Self;
    /// Lanes whose value, an integer of magnitude below `2^24`, has `bit`
    /// set in its two's complement form (`bit` a power of two).
    fn has_bit(self, bit: i32) -> Self::Mask;
    /// `self * 2^n` for integral `n` in [-250, 250] and `|self|` in
    /// [0.5, 2] (or zero), with one rounding: overflow to ±inf, gradual
    /// underflow.
    fn ldexp(self, n: Self) -> Self;
}

/// The scalar instantiation: one lane.
#[derive(Clone, Copy, Debug)]
pub(crate) struct S32(pub(crate) f32);

impl Lanes32 for S32 {
    type Mask = bool;
    const N: usize = 1;
    #[inline(always)]
    fn splat(x: f32) -> Self {
        S32(x)
    }
    #[inline(always)]
    fn load(src: &[f32]) -> Self {
        S32(src[0])
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32]) {
        dst[0] = self.0;
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        S32(self.0 + o.0)
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        S32(self.0 - o.0)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        S32(self.0 * o.0)
    }
    #[inline(always)]
    fn fma(self, b: Self, c: Self) -> Self {
        S32(self.0.mul_add(b.0, c.0))
    }
    #[inline(always)]
    fn round(self) -> Self {
        S32(self.0.round_ties_even())
    }
    #[inline(always)]
    fn abs(self) -> Self {
        S32(self.0.abs())
    }
    #[inline(always)]
    fn neg(self) -> Self {
        S32(-self.0)
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
    fn has_bit(self, bit: i32) -> bool {
        (self.0 as i32) & bit != 0
    }
    #[inline(always)]
    fn ldexp(self, n: Self) -> Self {
        // Two exact power-of-two factors, each a normal float (the clamp
        // only matters for lanes whose result the caller replaces), so
        // that the first product is exact and only the second rounds.
        let n = (n.0 as i32).clamp(-250, 250);
        let a = n >> 1;
        let b = n - a;
        let p = |k: i32| f32::from_bits(((k + 127) as u32) << 23);
        S32(self.0 * p(a) * p(b))
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{V16f, V8f};

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! AVX2 and AVX-512 `f32` lanes. Every method is `#[inline(always)]` and
    //! is only ever inlined into functions compiled with the matching
    //! `#[target_feature]`, which the dispatcher calls only after
    //! [`isa`](crate::simd::isa) detected the feature.
    use super::Lanes32;
    use core::arch::x86_64::*;

    /// Eight `f32` lanes in a 256-bit AVX2 register.
    #[derive(Clone, Copy)]
    pub(crate) struct V8f(__m256);

    /// Sixteen `f32` lanes in a 512-bit AVX-512 register.
    #[derive(Clone, Copy)]
    pub(crate) struct V16f(__m512);

    // SAFETY (both impls): the intrinsics need AVX2+FMA (V8f) or AVX-512
    // F+DQ (V16f). These types are only constructed inside
    // `#[target_feature]` functions that the dispatcher calls after
    // detecting those features, and the `#[inline(always)]` methods are
    // inlined there. Loads and stores are unaligned and read/write exactly
    // `N` elements of slices whose length is checked first.
    impl Lanes32 for V8f {
        type Mask = __m256;
        const N: usize = 8;
        #[inline(always)]
        fn splat(x: f32) -> Self {
            unsafe { V8f(_mm256_set1_ps(x)) }
        }
        #[inline(always)]
        fn load(src: &[f32]) -> Self {
            assert!(src.len() >= 8);
            unsafe { V8f(_mm256_loadu_ps(src.as_ptr())) }
        }
        #[inline(always)]
        fn store(self, dst: &mut [f32]) {
            assert!(dst.len() >= 8);
            unsafe { _mm256_storeu_ps(dst.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { V8f(_mm256_add_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            unsafe { V8f(_mm256_sub_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            unsafe { V8f(_mm256_mul_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn fma(self, b: Self, c: Self) -> Self {
            unsafe { V8f(_mm256_fmadd_ps(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        fn round(self) -> Self {
            unsafe {
                V8f(_mm256_round_ps::<
                    { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
                >(self.0))
            }
        }
        #[inline(always)]
        fn abs(self) -> Self {
            unsafe { V8f(_mm256_andnot_ps(_mm256_set1_ps(-0.0), self.0)) }
        }
        #[inline(always)]
        fn neg(self) -> Self {
            unsafe { V8f(_mm256_xor_ps(_mm256_set1_ps(-0.0), self.0)) }
        }
        #[inline(always)]
        fn lt(self, o: Self) -> __m256 {
            unsafe { _mm256_cmp_ps::<_CMP_LT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn gt(self, o: Self) -> __m256 {
            unsafe { _mm256_cmp_ps::<_CMP_GT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn any(m: __m256) -> bool {
            unsafe { _mm256_movemask_ps(m) != 0 }
        }
        #[inline(always)]
        fn select(m: __m256, a: Self, b: Self) -> Self {
            unsafe { V8f(_mm256_blendv_ps(b.0, a.0, m)) }
        }
        #[inline(always)]
        fn has_bit(self, bit: i32) -> __m256 {
            unsafe {
                // Integral lanes convert exactly under the default rounding.
                let k = _mm256_and_si256(_mm256_cvtps_epi32(self.0), _mm256_set1_epi32(bit));
                _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(bit)))
            }
        }
        #[inline(always)]
        fn ldexp(self, n: Self) -> Self {
            unsafe {
                // As the scalar version: n >> 1 and n - (n >> 1), each made
                // an exact power of two by building its exponent bits.
                let lim = _mm256_set1_epi32(250);
                let n = _mm256_cvtps_epi32(n.0);
                let n = _mm256_max_epi32(_mm256_sub_epi32(_mm256_setzero_si256(), lim), n);
                let n = _mm256_min_epi32(lim, n);
                let a = _mm256_srai_epi32::<1>(n);
                let b = _mm256_sub_epi32(n, a);
                let pow2 = |k: __m256i| {
                    _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(
                        k,
                        _mm256_set1_epi32(127),
                    )))
                };
                V8f(_mm256_mul_ps(_mm256_mul_ps(self.0, pow2(a)), pow2(b)))
            }
        }
    }

    impl Lanes32 for V16f {
        type Mask = __mmask16;
        const N: usize = 16;
        #[inline(always)]
        fn splat(x: f32) -> Self {
            unsafe { V16f(_mm512_set1_ps(x)) }
        }
        #[inline(always)]
        fn load(src: &[f32]) -> Self {
            assert!(src.len() >= 16);
            unsafe { V16f(_mm512_loadu_ps(src.as_ptr())) }
        }
        #[inline(always)]
        fn store(self, dst: &mut [f32]) {
            assert!(dst.len() >= 16);
            unsafe { _mm512_storeu_ps(dst.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { V16f(_mm512_add_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            unsafe { V16f(_mm512_sub_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            unsafe { V16f(_mm512_mul_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn fma(self, b: Self, c: Self) -> Self {
            unsafe { V16f(_mm512_fmadd_ps(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        fn round(self) -> Self {
            unsafe {
                V16f(_mm512_roundscale_ps::<
                    { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
                >(self.0))
            }
        }
        #[inline(always)]
        fn abs(self) -> Self {
            unsafe { V16f(_mm512_abs_ps(self.0)) }
        }
        #[inline(always)]
        fn neg(self) -> Self {
            unsafe {
                V16f(_mm512_castsi512_ps(_mm512_xor_si512(
                    _mm512_castps_si512(self.0),
                    _mm512_set1_epi32(i32::MIN),
                )))
            }
        }
        #[inline(always)]
        fn lt(self, o: Self) -> __mmask16 {
            unsafe { _mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn gt(self, o: Self) -> __mmask16 {
            unsafe { _mm512_cmp_ps_mask::<_CMP_GT_OQ>(self.0, o.0) }
        }
        #[inline(always)]
        fn any(m: __mmask16) -> bool {
            m != 0
        }
        #[inline(always)]
        fn select(m: __mmask16, a: Self, b: Self) -> Self {
            unsafe { V16f(_mm512_mask_blend_ps(m, b.0, a.0)) }
        }
        #[inline(always)]
        fn has_bit(self, bit: i32) -> __mmask16 {
            unsafe { _mm512_test_epi32_mask(_mm512_cvtps_epi32(self.0), _mm512_set1_epi32(bit)) }
        }
        #[inline(always)]
        fn ldexp(self, n: Self) -> Self {
            // `scalef` computes self·2^n with one rounding (gradual
            // underflow included): the same bits as the two exact steps
            // of the other instantiations.
            unsafe {
                V16f(_mm512_scalef_ps(
                    self.0,
                    _mm512_max_ps(
                        _mm512_set1_ps(-250.0),
                        _mm512_min_ps(n.0, _mm512_set1_ps(250.0)),
                    ),
                ))
            }
        }
    }
}
