//! Streaming stores: large outputs written around the caches.
//!
//! DESIGN. An eager engine writes every intermediate array once and reads it
//! back in a later op. When the output is much larger than the caches it
//! goes to memory anyway, and a plain store first reads each cache line of
//! the output from memory (a read for ownership) only to overwrite all of
//! it: a third more traffic for a unary map, a quarter more for a binary
//! one. Non-temporal stores skip that read. A kernel body cannot choose its
//! stores (the compiler vectorises it), so [`write()`] runs it on a small
//! staging tile that stays in L1 and copies each tile out with
//! non-temporal stores; the body's arithmetic, and so every result bit, is
//! unchanged.
//!
//! Measured on this 2-core AVX-512 machine (16M-element f32 arrays, two
//! threads, hand-written loops): `2·x` took 6.7 ms with plain stores and
//! 2.5–3.2 ms streamed, `x·y` 7.7–7.9 ms against 4.3–5.3.

use core::ops::Range;

use crate::element::Element;
use crate::par::Cost;

/// A chunk of output of at least this many bytes is streamed. Below it the
/// output is likely to be read again from the caches (L2 is 2 MiB a core
/// here), where streaming it out would cost the next op a trip to memory.
pub const STREAM_MIN_BYTES: usize = 4 << 20;

/// Bytes of one staging tile: with the inputs it streams from, it stays in
/// a 48 KiB L1.
const TILE_BYTES: usize = 16 << 10;

/// Runs `f(range, dst)` so that `out[range]` receives what `f` writes into
/// `dst`, for ranges that cover `out` in order. A small `out` is handed to
/// `f` whole (`dst` is `out`); one of at least [`STREAM_MIN_BYTES`] goes
/// through staging tiles copied out with non-temporal stores, ordered
/// before this call returns. `f` must write every element of `dst`.
#[inline]
pub fn write<U: Element>(out: &mut [U], mut f: impl FnMut(Range<usize>, &mut [U])) {
    #[cfg(target_arch = "x86_64")]
    if core::mem::size_of_val(out) >= STREAM_MIN_BYTES {
        return x86::streamed(out, f);
    }
    f(0..out.len(), out)
}

/// [`par::for_chunks`](crate::par::for_chunks) with each thread's chunk
/// written through [`write()`]: `f(range, dst)` gets ranges of `out` itself
/// and where to write them.
#[inline]
pub(crate) fn for_chunks<U: Element>(
    out: &mut [U],
    cost: Cost,
    f: impl Fn(Range<usize>, &mut [U]) + Sync,
) {
    crate::par::for_chunks(out, cost, |r, chunk| {
        write(chunk, |q, dst| f(r.start + q.start..r.start + q.end, dst))
    })
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;
    use core::ops::Range;

    use super::TILE_BYTES;
    use crate::element::Element;
    use crate::simd::{isa, Isa};

    /// [`super::write`] through staging tiles.
    #[inline(never)]
    pub(super) fn streamed<U: Element>(out: &mut [U], mut f: impl FnMut(Range<usize>, &mut [U])) {
        let size = size_of::<U>();
        if size == 0 || !TILE_BYTES.is_multiple_of(size) || align_of::<U>() > 16 {
            return f(0..out.len(), out);
        }
        let n = out.len();
        // Up to the first 64-byte boundary of `out`, plain stores.
        let head = out.as_ptr().align_offset(64).min(n);
        f(0..head, &mut out[..head]);
        let per = TILE_BYTES / size;
        let mut buf = [0u128; TILE_BYTES / 16];
        let tile_ptr = buf.as_mut_ptr().cast::<U>();
        for k in 0..per {
            // SAFETY: `buf` holds TILE_BYTES = per·size bytes, aligned to 16
            // ≥ align_of::<U>(), so slot k < per is in bounds and aligned.
            unsafe { tile_ptr.add(k).write(U::default()) };
        }
        // SAFETY: every slot was initialised above; `buf` outlives the slice
        // and nothing else touches it while the slice lives.
        let tile = unsafe { core::slice::from_raw_parts_mut(tile_ptr, per) };
        let wide = isa() == Isa::Avx512;
        let mut i = head;
        while n - i >= per {
            f(i..i + per, tile);
            let dst = out[i..i + per].as_mut_ptr().cast::<u8>();
            // SAFETY: `dst` is 64-byte aligned (i - head is a multiple of
            // `per`, and per·size = TILE_BYTES a multiple of 64) and valid
            // for TILE_BYTES writes; the tile is 16-byte aligned and holds
            // TILE_BYTES bytes; AVX-512F is present when `wide`.
            unsafe {
                let src = tile.as_ptr().cast::<u8>();
                if wide {
                    copy_512(src, dst);
                } else {
                    copy_128(src, dst);
                }
            }
            i += per;
        }
        f(i..n, &mut out[i..]);
        // SAFETY: SSE is part of x86-64. Orders the streamed stores before
        // anything after this call (another thread's reads after a join).
        unsafe { _mm_sfence() };
    }

    /// Copies one tile with 16-byte non-temporal stores (SSE2, every x86-64).
    ///
    /// # Safety
    /// `src` 16-byte aligned and `dst` 64-byte aligned, each valid for
    /// TILE_BYTES bytes, not overlapping.
    #[inline]
    unsafe fn copy_128(src: *const u8, dst: *mut u8) {
        for k in (0..TILE_BYTES).step_by(64) {
            // SAFETY: the caller's contract; k + 64 ≤ TILE_BYTES.
            unsafe {
                for j in (0..64).step_by(16) {
                    let v = _mm_load_si128(src.add(k + j).cast());
                    _mm_stream_si128(dst.add(k + j).cast(), v);
                }
            }
        }
    }

    /// [`copy_128`] with 64-byte stores.
    ///
    /// # Safety
    /// As for [`copy_128`], and AVX-512F must be available.
    #[target_feature(enable = "avx512f")]
    unsafe fn copy_512(src: *const u8, dst: *mut u8) {
        for k in (0..TILE_BYTES).step_by(64) {
            // SAFETY: the caller's contract; k + 64 ≤ TILE_BYTES.
            unsafe {
                let v = _mm512_loadu_si512(src.add(k).cast());
                _mm512_stream_si512(dst.add(k).cast(), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every element written once, in order, for large and small outputs and
    /// every alignment of the output's start.
    #[test]
    fn writes_every_element_once() {
        let len = STREAM_MIN_BYTES / 4 + 5000;
        let mut backing = vec![f32::NAN; len + 16];
        for skew in 0..16 {
            let out = &mut backing[skew..skew + len];
            out.fill(f32::NAN);
            let mut next = 0;
            write(out, |r, dst| {
                assert_eq!(r.start, next, "ranges in order");
                assert_eq!(r.len(), dst.len());
                next = r.end;
                for (d, i) in dst.iter_mut().zip(r) {
                    *d = i as f32;
                }
            });
            assert_eq!(next, len);
            assert!(out.iter().enumerate().all(|(i, &v)| v == i as f32));
        }
        let mut small = vec![0i32; 100];
        write(&mut small, |r, dst| {
            assert_eq!(r, 0..100);
            dst.fill(7);
        });
        assert!(small.iter().all(|&v| v == 7));
    }
}
