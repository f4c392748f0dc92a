//! The crate's own cache-blocked GEMM with AVX-512 micro-kernels, for large
//! and small-square float products on machines that have AVX-512
//! (`matmul::gemm` decides when; everything else goes to matrixmultiply).
//!
//! DESIGN. The classic loops: B is packed in `KC × NC` blocks into panels of
//! `NR` columns (two vectors), A in `MC × KC` blocks into panels of [`MR`]
//! rows, and an `MR × NR` micro-kernel keeps one tile of C in 28 of the 32
//! zmm registers. Vectors run along the rows of C, which has unit column
//! stride. Inside a block each A panel stays in L1 while the B panels stream
//! past it from L2.
//!
//! Operands read across their unit stride (row-major A, column-major B, as
//! matmul's backward passes them) are packed through 16 × 16 (f32) or 8 × 8
//! (f64) transposes in registers rather than one element at a time: on G·Bᵀ
//! (W5's slowest product) f32 went from 275–277 to 282–292 GFLOP/s at
//! n = 1024 and from 228 to 269 at n = 256, f64 from 134–135 to 137–139.
//!
//! The micro-kernel prefetches its B panel [`PF_STEPS`] k steps ahead: B
//! streams from L2 while A stays in L1, and the hardware prefetcher alone
//! left the f64 kernel at 83.6 GFLOP/s of an 88 peak on a 1 MiB B block
//! (87.2 with the prefetch, 87.3 with everything in L1). On the whole GEMM at
//! n = 1024, two threads, alternating runs: f32 279–297 -> 291–304 GFLOP/s,
//! f64 A·B and Aᵀ·G 138–141 -> 142–145 (G·Bᵀ unchanged, 138–140). Sixteen
//! steps ahead measured the same as eight.
//!
//! Edge tiles (fewer than `MR` rows or `NR` columns of C left) run the same
//! micro-kernel on the zero-padded A panel and store through lane masks, so
//! every element of C takes the same arithmetic; B's columns past the edge
//! are not read (masked loads, in that case only: in the k loop of a whole
//! tile they cost 6–7%). A small row-major B (at most [`IN_PLACE_BYTES`])
//! is read in place instead of packed, and so are the whole panels of a
//! small column-major A. Edge tiles compute only the rows they need (4, 8
//! or 14). On one thread at n = 64 (the small products `matmul` now sends
//! here) these took W5's A·B / G·Bᵀ / Aᵀ·G from matrixmultiply's 111 / 106
//! / 118 to 130–132 / 120–122 / 144–146 GFLOP/s (f32), and from 55 / 53 /
//! 55 to 68–69 / 59 / 77 (f64).
//!
//! Threads split C into row or column strips, each a whole single-threaded
//! product with its own packing buffers: no shared
//! state and no synchronisation but the final join. Every element of C is
//! the same sum in the same order (`KC` blocks in order, one fused
//! multiply-add per step) whatever the thread count, so results do not depend
//! on it.
//!
//! A product whose A has every row the same (row stride 0) or whose B has
//! every column the same (column stride 0) is rank one: W5's `G·Bᵀ` and
//! `Aᵀ·G`, with G the spread gradient of a sum. [`repeated`] computes one
//! row (column) of C as a one-row product through the same micro-kernel,
//! in the same order, and copies it, so the bits are the formed product's.
//! Compare bench W5 stand-alone, builds before and after alternating, two
//! rounds: n = 1024 f32 18.9–19.3 -> 7.3–7.5 ms, f64 41.4–45.3 -> 16.1 ms;
//! n = 256 f32 347–353 -> 159–162 µs, f64 684–688 -> 329–336 µs; n = 64
//! f32 14.0–14.2 -> 7.9 µs, f64 25.2 -> 14.9–15.2 µs.
//!
//! Measured on the 2-core AVX-512 machine this was written on, with two
//! threads, on W5's three products at n = 1024 (A·B, G·Bᵀ, Aᵀ·G), a
//! stand-alone timing of `gemm`: f32 276–294 GFLOP/s, f64 138–142, against
//! matrixmultiply's 225–230 and 89–91 and MKL's 286 and 123 (one thread: f32
//! 142–151, f64 71–74; the micro-kernel alone reaches 166–170 and 77 per
//! core). At n = 256 the two GEMMs are within noise of each other (f32
//! 540–600 µs for the three, f64 952–970 against 1120–1190).

use core::arch::x86_64::*;
use std::cell::{Cell, RefCell};

use crate::element::Num;
use crate::matmul::{Dst, Src};

/// Rows of a micro-tile (broadcast from A).
const MR: usize = 14;

/// How many k steps ahead the micro-kernel prefetches its B panel.
const PF_STEPS: usize = 8;

/// A row-major B, or column-major A, of at most this many bytes is read in
/// place, not packed.
const IN_PLACE_BYTES: usize = 64 << 10;

/// A float type with an AVX-512 micro-kernel and its blocking sizes.
pub(crate) trait Blocked: Num + Send + Sync {
    /// Lanes of one zmm vector; a micro-tile is `MR × 2·LANES`.
    const LANES: usize;
    /// Depth of a packed block.
    const KC: usize;
    /// Rows of a packed block of A.
    const MC: usize;
    /// Columns of a packed block of B.
    const NC: usize;
    /// Runs `f` with this thread's packing buffers for A and B.
    fn with_bufs<R>(f: impl FnOnce(&mut Vec<Self>, &mut Vec<Self>) -> R) -> R;
    /// This thread's buffer for the one column [`repeated`] computes (taken
    /// out while in use, so the GEMM inside may use [`Blocked::with_bufs`]).
    fn column() -> &'static std::thread::LocalKey<Cell<Vec<Self>>>;
    /// One micro-tile: `C[i][j] = alpha·Σ_p A[p][i]·B[p][j] + beta·C[i][j]`
    /// for A addressed as `ap + p·astep + i` (a packed panel, `astep = MR`,
    /// or column-major A read in place) and B addressed as `bp + p·bstep + j`
    /// (a packed panel, `bstep = 2·LANES`, or row-major B read in place), C
    /// addressed as `c + i·rsc + j`. Only `j < cols` of B is read (masked loads) and only `i < rows`,
    /// `j < cols` of C is written: an edge tile is computed whole from the
    /// zero-padded A panel and stored through masks, so every element of C
    /// takes the same arithmetic. With `beta == 0` the old C is not read.
    ///
    /// # Safety
    /// AVX-512F must be available; `rows ≤ MR`, `cols ≤ 2·LANES`;
    /// `ap + p·astep + i` must be valid for reads for every `p < kc`,
    /// `i < MR`; `bp + p·bstep + j` must be valid for reads for
    /// every `p < kc`, `j < cols`, and `c + i·rsc + j` for reads and writes
    /// for every `i < rows`, `j < cols`.
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile(
        kc: usize,
        ap: *const Self,
        astep: isize,
        bp: *const Self,
        bstep: isize,
        c: *mut Self,
        rsc: isize,
        rows: usize,
        cols: usize,
        alpha: Self,
        beta: Self,
    );
    /// Packs one panel of `live ≤ MR` rows of A with unit column stride and
    /// row stride `lda`: `panel[p·MR + i] = a[i·lda + p]` for `p < kc` and
    /// `i < live`, zero for `live ≤ i < MR`, transposing in registers.
    ///
    /// # Safety
    /// AVX-512F must be available; `live ≤ MR`; `a[i·lda + p]` must be valid
    /// for reads for `i < live`, `p < kc`, and `panel` for `kc·MR` writes.
    unsafe fn pack_a_rows(a: *const Self, lda: isize, kc: usize, live: usize, panel: *mut Self);
    /// Packs one whole panel of `2·LANES` columns of B with unit row stride
    /// and column stride `ldb`: `panel[p·2·LANES + j] = b[j·ldb + p]` for
    /// `p < kc`, transposing in registers.
    ///
    /// # Safety
    /// AVX-512F must be available; `b[j·ldb + p]` must be valid for reads for
    /// `j < 2·LANES`, `p < kc`, and `panel` for `kc·2·LANES` writes.
    unsafe fn pack_b_cols(b: *const Self, ldb: isize, kc: usize, panel: *mut Self);
}

macro_rules! micro_kernel {
    ($t:ty, $lanes:expr, $kc:expr, $mc:expr, $nc:expr, $bufs:ident, $col:ident, $vec:ty, $zero:ident,
     $load:ident, $store:ident, $mask:ty, $mload:ident, $mstore:ident, $set1:ident, $fmadd:ident, $mul:ident,
     $pack_a_rows:ident, $pack_b_cols:ident) => {
        thread_local! {
            static $bufs: RefCell<(Vec<$t>, Vec<$t>)> = const { RefCell::new((Vec::new(), Vec::new())) };
            static $col: Cell<Vec<$t>> = const { Cell::new(Vec::new()) };
        }

        impl Blocked for $t {
            const LANES: usize = $lanes;
            const KC: usize = $kc;
            const MC: usize = $mc;
            const NC: usize = $nc;

            fn with_bufs<R>(f: impl FnOnce(&mut Vec<Self>, &mut Vec<Self>) -> R) -> R {
                $bufs.with(|b| {
                    let mut b = b.borrow_mut();
                    let (a, bb) = &mut *b;
                    f(a, bb)
                })
            }

            fn column() -> &'static std::thread::LocalKey<Cell<Vec<Self>>> {
                &$col
            }

            #[inline]
            unsafe fn tile(
                kc: usize,
                ap: *const $t,
                astep: isize,
                bp: *const $t,
                bstep: isize,
                c: *mut $t,
                rsc: isize,
                rows: usize,
                cols: usize,
                alpha: $t,
                beta: $t,
            ) {
                // `EDGE`: a tile with fewer than MR rows or 2·LANES columns,
                // stored through masks and reading B through masks; whole
                // tiles keep plain loads and stores (masked loads in the k
                // loop cost 6–7% at n = 1024). `R`: the rows computed (at
                // least `rows`), so the 8-row edge tile of a 64-row product
                // costs 8 rows of FMAs, not 14; each row's arithmetic is the
                // same for every `R`.
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx512f")]
                unsafe fn run<const EDGE: bool, const R: usize>(
                    kc: usize,
                    mut a: *const $t,
                    astep: isize,
                    mut b: *const $t,
                    bstep: isize,
                    c: *mut $t,
                    rsc: isize,
                    rows: usize,
                    cols: usize,
                    alpha: $t,
                    beta: $t,
                ) {
                    // Lanes of each half of a row that are inside C (and B).
                    let masks = [0, 1].map(|h| {
                        let live = cols.saturating_sub(h * $lanes).min($lanes);
                        ((1u32 << live) - 1) as $mask
                    });
                    let mut acc: [[$vec; 2]; MR] = [[$zero(); 2]; MR];
                    for _ in 0..kc {
                        // SAFETY (this block): the panels hold kc steps of
                        // MR and 2·LANES elements (the caller's contract).
                        unsafe {
                            // B streams from L2: ask for it PF_STEPS ahead.
                            // (A prefetch cannot fault; wrapping_add keeps
                            // the address computation defined past the end.)
                            let ahead = b.wrapping_offset(PF_STEPS as isize * bstep);
                            _mm_prefetch::<_MM_HINT_T0>(ahead.cast());
                            _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add($lanes).cast());
                            let (b0, b1) = if EDGE {
                                ($mload(masks[0], b), $mload(masks[1], b.wrapping_add($lanes)))
                            } else {
                                ($load(b), $load(b.add($lanes)))
                            };
                            for (i, row) in acc.iter_mut().enumerate().take(R) {
                                let ai = $set1(*a.add(i));
                                row[0] = $fmadd(ai, b0, row[0]);
                                row[1] = $fmadd(ai, b1, row[1]);
                            }
                            a = a.wrapping_offset(astep);
                            b = b.wrapping_offset(bstep);
                        }
                    }
                    let (va, vb) = ($set1(alpha), $set1(beta));
                    // beta == 1 reads C through `old · 1`, which is `old`
                    // exactly, so one formula serves every beta but 0.
                    let read = beta != 0.0;
                    // A whole tile's loops have constant bounds and unroll,
                    // so the accumulators stay in registers.
                    for (i, row) in acc.iter().enumerate().take(R) {
                        if EDGE && i == rows {
                            break;
                        }
                        for (h, v) in row.iter().enumerate() {
                            // SAFETY: the live lanes of row i < rows are
                            // valid for reads and writes (the caller's
                            // contract); masked lanes are not touched.
                            unsafe {
                                let at = c.offset(i as isize * rsc).add(h * $lanes);
                                if EDGE {
                                    let r = if read {
                                        $fmadd(*v, va, $mul($mload(masks[h], at), vb))
                                    } else {
                                        $mul(*v, va)
                                    };
                                    $mstore(at, masks[h], r);
                                } else {
                                    let r = if read {
                                        $fmadd(*v, va, $mul($load(at), vb))
                                    } else {
                                        $mul(*v, va)
                                    };
                                    $store(at, r);
                                }
                            }
                        }
                    }
                }
                // SAFETY: the caller's contract is `run`'s.
                unsafe {
                    if rows == MR && cols == 2 * $lanes {
                        run::<false, MR>(kc, ap, astep, bp, bstep, c, rsc, rows, cols, alpha, beta)
                    } else if rows <= 4 {
                        run::<true, 4>(kc, ap, astep, bp, bstep, c, rsc, rows, cols, alpha, beta)
                    } else if rows <= 8 {
                        run::<true, 8>(kc, ap, astep, bp, bstep, c, rsc, rows, cols, alpha, beta)
                    } else {
                        run::<true, MR>(kc, ap, astep, bp, bstep, c, rsc, rows, cols, alpha, beta)
                    }
                }
            }

            #[inline]
            unsafe fn pack_a_rows(a: *const $t, lda: isize, kc: usize, live: usize, panel: *mut $t) {
                // SAFETY: the caller's contract.
                unsafe { $pack_a_rows(a, lda, kc, live, panel) }
            }

            #[inline]
            unsafe fn pack_b_cols(b: *const $t, ldb: isize, kc: usize, panel: *mut $t) {
                // SAFETY: the caller's contract.
                unsafe { $pack_b_cols(b, ldb, kc, panel) }
            }
        }
    };
}

// Blocking measured on this machine (48 KiB L1d, 2 MiB L2 per core) at
// n = 1024 with two threads: KC 128–384 and MC 126–1008 were within noise
// for f32 once NC was 512 (which lifted it from ~100 to ~117 GFLOP/s on one
// thread, as the packed B block then stays in L2). NC 1024 (a 1 MiB B block,
// still in L2, and A packed once per 1024 columns instead of twice) then
// gave f32 284–287 -> 294 GFLOP/s on W5's A·B and Aᵀ·G at n = 1024 and
// 227–246 -> 287–294 at n = 2048, f64 135–140 -> 139–142 at n = 1024 (one
// thread 69 -> 74). Prefetching the C tile before the k loop, and f64 KC 256,
// measured no difference.
micro_kernel!(
    f32,
    16,
    256,
    252,
    1024,
    BUFS_F32,
    COLUMN_F32,
    __m512,
    _mm512_setzero_ps,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    u16,
    _mm512_maskz_loadu_ps,
    _mm512_mask_storeu_ps,
    _mm512_set1_ps,
    _mm512_fmadd_ps,
    _mm512_mul_ps,
    pack_a_rows_f32,
    pack_b_cols_f32
);
micro_kernel!(
    f64,
    8,
    128,
    126,
    1024,
    BUFS_F64,
    COLUMN_F64,
    __m512d,
    _mm512_setzero_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    u8,
    _mm512_maskz_loadu_pd,
    _mm512_mask_storeu_pd,
    _mm512_set1_pd,
    _mm512_fmadd_pd,
    _mm512_mul_pd,
    pack_a_rows_f64,
    pack_b_cols_f64
);

/// Transposes the 16 × 16 block of f32 held in `r` (row `i` in `r[i]`), in
/// place: afterwards `r[j]` holds column `j`. Three stages: 32-bit and 64-bit
/// unpacks leave, in 128-bit lane `L` of vector `s[g][c]`, rows `4g..4g+4`
/// of column `4L + c`; two rounds of 128-bit lane shuffles gather the four
/// lanes of each column.
#[target_feature(enable = "avx512f")]
fn transpose_f32(r: &mut [__m512; 16]) {
    let mut t = [_mm512_setzero_ps(); 16];
    for i in 0..8 {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    let pd = _mm512_castps_pd;
    let mut s = [[_mm512_setzero_ps(); 4]; 4];
    for (g, sg) in s.iter_mut().enumerate() {
        let (lo, hi, lo2, hi2) = (t[4 * g], t[4 * g + 1], t[4 * g + 2], t[4 * g + 3]);
        sg[0] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(lo), pd(lo2)));
        sg[1] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(lo), pd(lo2)));
        sg[2] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(hi), pd(hi2)));
        sg[3] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(hi), pd(hi2)));
    }
    for c in 0..4 {
        let even01 = _mm512_shuffle_f32x4::<0x88>(s[0][c], s[1][c]);
        let odd01 = _mm512_shuffle_f32x4::<0xDD>(s[0][c], s[1][c]);
        let even23 = _mm512_shuffle_f32x4::<0x88>(s[2][c], s[3][c]);
        let odd23 = _mm512_shuffle_f32x4::<0xDD>(s[2][c], s[3][c]);
        r[c] = _mm512_shuffle_f32x4::<0x88>(even01, even23);
        r[8 + c] = _mm512_shuffle_f32x4::<0xDD>(even01, even23);
        r[4 + c] = _mm512_shuffle_f32x4::<0x88>(odd01, odd23);
        r[12 + c] = _mm512_shuffle_f32x4::<0xDD>(odd01, odd23);
    }
}

/// Transposes the 8 × 8 block of f64 held in `r`, in place, as
/// [`transpose_f32`] does (lane `L` of `t[2g + c]` holds rows `2g, 2g+1` of
/// column `2L + c`).
#[target_feature(enable = "avx512f")]
fn transpose_f64(r: &mut [__m512d; 8]) {
    let mut t = [_mm512_setzero_pd(); 8];
    for i in 0..4 {
        t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
    }
    for c in 0..2 {
        let even01 = _mm512_shuffle_f64x2::<0x88>(t[c], t[2 + c]);
        let odd01 = _mm512_shuffle_f64x2::<0xDD>(t[c], t[2 + c]);
        let even23 = _mm512_shuffle_f64x2::<0x88>(t[4 + c], t[6 + c]);
        let odd23 = _mm512_shuffle_f64x2::<0xDD>(t[4 + c], t[6 + c]);
        r[c] = _mm512_shuffle_f64x2::<0x88>(even01, even23);
        r[4 + c] = _mm512_shuffle_f64x2::<0xDD>(even01, even23);
        r[2 + c] = _mm512_shuffle_f64x2::<0x88>(odd01, odd23);
        r[6 + c] = _mm512_shuffle_f64x2::<0xDD>(odd01, odd23);
    }
}

/// [`Blocked::pack_a_rows`] for f32: 16 columns of the 14 rows at a time
/// through one transpose (rows past `live`, and the two past 14, are zero),
/// each column stored with a 14-lane mask; the last `kc mod 16` columns one
/// element at a time.
///
/// # Safety
/// As for [`Blocked::pack_a_rows`].
#[target_feature(enable = "avx512f")]
unsafe fn pack_a_rows_f32(a: *const f32, lda: isize, kc: usize, live: usize, panel: *mut f32) {
    const { assert!(MR == 14) }; // the store masks below
    let whole = kc / 16 * 16;
    let mut r = [_mm512_setzero_ps(); 16];
    for p0 in (0..whole).step_by(16) {
        for (i, v) in r.iter_mut().enumerate() {
            *v = if i < live {
                // SAFETY: row i < live, columns p0..p0+16 ≤ kc (the contract).
                unsafe { _mm512_loadu_ps(a.offset(i as isize * lda).add(p0)) }
            } else {
                _mm512_setzero_ps()
            };
        }
        transpose_f32(&mut r);
        for (l, v) in r.iter().enumerate() {
            // SAFETY: lanes 0..MR of column p0 + l < kc's slot in the panel.
            unsafe { _mm512_mask_storeu_ps(panel.add((p0 + l) * MR), 0x3fff, *v) };
        }
    }
    for p in whole..kc {
        for i in 0..MR {
            // SAFETY: (i, p) is in the panel's live rows (the contract), and
            // slot p·MR + i < kc·MR in the panel.
            unsafe {
                *panel.add(p * MR + i) = if i < live {
                    *a.offset(i as isize * lda).add(p)
                } else {
                    0.0
                }
            };
        }
    }
}

/// [`Blocked::pack_b_cols`] for f32: each half of the 32 columns, 16 rows at
/// a time, through one transpose; the last `kc mod 16` rows one element at
/// a time.
///
/// # Safety
/// As for [`Blocked::pack_b_cols`].
#[target_feature(enable = "avx512f")]
unsafe fn pack_b_cols_f32(b: *const f32, ldb: isize, kc: usize, panel: *mut f32) {
    let whole = kc / 16 * 16;
    let mut r = [_mm512_setzero_ps(); 16];
    for p0 in (0..whole).step_by(16) {
        for h in 0..2 {
            for (j, v) in r.iter_mut().enumerate() {
                // SAFETY: column 16h + j < 32, rows p0..p0+16 ≤ kc.
                *v = unsafe { _mm512_loadu_ps(b.offset((16 * h + j) as isize * ldb).add(p0)) };
            }
            transpose_f32(&mut r);
            for (l, v) in r.iter().enumerate() {
                // SAFETY: row p0 + l < kc, columns 16h..16h+16 of the panel.
                unsafe { _mm512_storeu_ps(panel.add((p0 + l) * 32 + 16 * h), *v) };
            }
        }
    }
    for p in whole..kc {
        for j in 0..32 {
            // SAFETY: (p, j) is in the panel's columns (the contract).
            unsafe { *panel.add(p * 32 + j) = *b.offset(j as isize * ldb).add(p) };
        }
    }
}

/// [`Blocked::pack_a_rows`] for f64: 8 columns at a time, rows 0..8 and
/// 8..14 (rows past `live`, and two past 14, zero) through one transpose
/// each; the last `kc mod 8` columns one element at a time.
///
/// # Safety
/// As for [`Blocked::pack_a_rows`].
#[target_feature(enable = "avx512f")]
unsafe fn pack_a_rows_f64(a: *const f64, lda: isize, kc: usize, live: usize, panel: *mut f64) {
    let whole = kc / 8 * 8;
    let mut r = [_mm512_setzero_pd(); 8];
    for p0 in (0..whole).step_by(8) {
        for (first, rows, mask) in [(0, 8, 0xff), (8, MR - 8, 0x3f)] {
            for (i, v) in r.iter_mut().enumerate() {
                *v = if i < rows && first + i < live {
                    // SAFETY: row first + i < live, columns p0..p0+8 ≤ kc.
                    unsafe { _mm512_loadu_pd(a.offset((first + i) as isize * lda).add(p0)) }
                } else {
                    _mm512_setzero_pd()
                };
            }
            transpose_f64(&mut r);
            for (l, v) in r.iter().enumerate() {
                // SAFETY: lanes first..first+rows of column p0 + l < kc's
                // slot in the panel.
                unsafe { _mm512_mask_storeu_pd(panel.add((p0 + l) * MR + first), mask, *v) };
            }
        }
    }
    for p in whole..kc {
        for i in 0..MR {
            // SAFETY: (i, p) is in the panel's live rows (the contract), and
            // slot p·MR + i < kc·MR in the panel.
            unsafe {
                *panel.add(p * MR + i) = if i < live {
                    *a.offset(i as isize * lda).add(p)
                } else {
                    0.0
                }
            };
        }
    }
}

/// [`Blocked::pack_b_cols`] for f64: each half of the 16 columns, 8 rows at
/// a time, through one transpose; the last `kc mod 8` rows one element at a
/// time.
///
/// # Safety
/// As for [`Blocked::pack_b_cols`].
#[target_feature(enable = "avx512f")]
unsafe fn pack_b_cols_f64(b: *const f64, ldb: isize, kc: usize, panel: *mut f64) {
    let whole = kc / 8 * 8;
    let mut r = [_mm512_setzero_pd(); 8];
    for p0 in (0..whole).step_by(8) {
        for h in 0..2 {
            for (j, v) in r.iter_mut().enumerate() {
                // SAFETY: column 8h + j < 16, rows p0..p0+8 ≤ kc.
                *v = unsafe { _mm512_loadu_pd(b.offset((8 * h + j) as isize * ldb).add(p0)) };
            }
            transpose_f64(&mut r);
            for (l, v) in r.iter().enumerate() {
                // SAFETY: row p0 + l < kc, columns 8h..8h+8 of the panel.
                unsafe { _mm512_storeu_pd(panel.add((p0 + l) * 16 + 8 * h), *v) };
            }
        }
    }
    for p in whole..kc {
        for j in 0..16 {
            // SAFETY: (p, j) is in the panel's columns (the contract).
            unsafe { *panel.add(p * 16 + j) = *b.offset(j as isize * ldb).add(p) };
        }
    }
}

/// [`gemm`]'s first step: the product, with `beta == 0`, when every row of
/// A is the same one (row stride 0, as in W5's `G·Bᵀ`, G the gradient of a
/// sum spread over the product) or every column of B is (column stride 0,
/// W5's `Aᵀ·G`), and true; false, with nothing written, otherwise. Then every row (resp.
/// column) of C is the same too, so one row of C is computed as a 1×k by
/// k×n product (resp. one column as the row `Cᵀ[0] = B[·,0]ᵀ·Aᵀ`) and
/// copied: one pass over the other operand instead of m·k·n multiply-adds.
///
/// Each element is the sum the whole product would form: the same products
/// (`fma(x, y, z)` is `fma(y, x, z)`), the same `KC` blocks in the same
/// order and the same `alpha` step, through the same micro-kernel, whose
/// arithmetic does not depend on the tile's row count, its packing or the
/// thread count. So the bits equal those of the product with the repeated
/// operand formed (`kernels/tests/matmul.rs` checks this). The one-row
/// products themselves come back here and take the general path.
///
/// # Safety
/// As for [`gemm`].
#[allow(clippy::too_many_arguments)]
unsafe fn repeated<T: Blocked>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: Src<T>,
    b: Src<T>,
    beta: T,
    c: Dst<T>,
    threads: usize,
) -> bool {
    if beta != T::ZERO {
        return false;
    }
    if a.rs == 0 && m > 1 {
        // SAFETY: row 0 of A and C is part of the caller's contract.
        unsafe { gemm(1, k, n, alpha, a, b, beta, c, threads) };
        let row0 = Src {
            p: c.p,
            rs: 0,
            cs: 1,
        };
        // SAFETY: rows 1..m of C are valid for writes and distinct from
        // row 0 (the caller's contract: C's elements are pairwise distinct).
        unsafe {
            for_rows(1..m, c, threads, n, &|_, row| {
                core::ptr::copy_nonoverlapping(row0.at(0, 0), row, n)
            })
        };
        return true;
    }
    if b.cs == 0 && n > 1 {
        let mut col = T::column().take();
        col.clear();
        col.resize(m, T::ZERO);
        // Bᵀ's one row reads B's column 0 down its rows; Aᵀ is A with its
        // strides swapped.
        let (bt, at) = (
            Src {
                p: b.p,
                rs: 0,
                cs: b.rs,
            },
            Src {
                p: a.p,
                rs: a.cs,
                cs: a.rs,
            },
        );
        let dst = Dst {
            p: col.as_mut_ptr(),
            rs: m as isize,
        };
        // SAFETY: Bᵀ and Aᵀ address the elements of B's column 0 and of A,
        // valid by the caller's contract; `col` holds the m elements of the
        // one row written, and is apart from A and B.
        unsafe { gemm(1, k, m, alpha, bt, at, beta, dst, threads) };
        let col_src = Src {
            p: col.as_ptr(),
            rs: 0,
            cs: 1,
        };
        // SAFETY: every row of C is valid for writes (the caller's
        // contract); `col` holds m elements.
        unsafe {
            for_rows(0..m, c, threads, n, &|i, row| {
                core::slice::from_raw_parts_mut(row, n).fill(*col_src.at(0, i))
            })
        };
        T::column().set(col);
        return true;
    }
    false
}

/// Runs `fill(i, row i of C)` for each `i` in `rows`; on two threads when
/// the rows hold at least two [`crate::par::min_chunk`]s of elements (the
/// fills are memory bound).
///
/// # Safety
/// Every row in `rows` of C must be valid for writes of n elements, and
/// `fill` must write only the row it is given.
unsafe fn for_rows<T: Send>(
    rows: core::ops::Range<usize>,
    c: Dst<T>,
    threads: usize,
    n: usize,
    fill: &(dyn Fn(usize, *mut T) + Sync),
) {
    let big = rows.len() * n >= 2 * crate::par::min_chunk(crate::par::Cost::Cheap);
    if threads >= 2 && big && rows.len() >= 2 {
        let mid = rows.start + rows.len() / 2;
        crate::par::join_spinning(
            // SAFETY: the halves are disjoint rows of the caller's range.
            || unsafe { for_rows(rows.start..mid, c, threads / 2, n, fill) },
            || unsafe { for_rows(mid..rows.end, c, threads - threads / 2, n, fill) },
        );
        return;
    }
    for i in rows {
        // SAFETY: row i is in the caller's range.
        fill(i, unsafe { c.p.offset(i as isize * c.rs) });
    }
}

/// `C = alpha·A·B + beta·C` for an m×k by k×n product, on up to `threads`
/// threads. With `beta == 0` the old C is not read.
///
/// # Safety
/// AVX-512F must be available; m, k, n > 0; every element (i, p), i < m,
/// p < k, of `a` and (p, j), j < n, of `b` must be valid for reads, and every
/// element (i, j) of `c` valid for reads and writes, for the whole call; the
/// elements of C must be pairwise distinct (`|c.rs| ≥ n`) and overlap neither
/// A nor B.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gemm<T: Blocked>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: Src<T>,
    b: Src<T>,
    beta: T,
    c: Dst<T>,
    threads: usize,
) {
    // SAFETY: the caller's contract, which is `repeated`'s.
    if unsafe { repeated(m, k, n, alpha, a, b, beta, c, threads) } {
        return;
    }
    let nr = 2 * T::LANES;
    if threads < 2 {
        // SAFETY: the caller's contract.
        return unsafe { serial(m, k, n, alpha, a, b, beta, c) };
    }
    let (left, right) = (threads / 2, threads - threads / 2);
    // Each strip packs its own rows of A and columns of B and all of the
    // other. Packing row-major B is a row copy, and packing one value
    // broadcast (W5's G) a fill, while packing A (and B read through any
    // other stride) transposes or copies the whole of it, so row strips,
    // which share out A, are preferred when B packs by a copy or a fill.
    // (Fills split by columns had each thread pack all of W5's Aᵀ for Aᵀ·G:
    // by rows, alternating runs at n = 1024 went 287–298 -> 300–310 GFLOP/s
    // in f32 and 141–144 -> 147–149 in f64, and 254–258 -> 261–286 at 256.)
    let b_fill = b.rs == 0 && b.cs == 0;
    let by_rows = (b.cs == 1 || b_fill || n < 2 * nr) && m >= 2 * MR;
    if by_rows {
        let cut = row_cut(m, left, threads);
        if cut < m {
            // SAFETY: row `cut < m` of A and C exists; each strip gets the
            // caller's contract on its own rows, and the strips of C are
            // disjoint.
            let (a2, c2) = unsafe { (a.skip(cut, 0), c.skip(cut, 0)) };
            crate::par::join_spinning(
                || unsafe { gemm(cut, k, n, alpha, a, b, beta, c, left) },
                || unsafe { gemm(m - cut, k, n, alpha, a2, b, beta, c2, right) },
            );
            return;
        }
    } else if n >= 2 * nr {
        let cut = (n * left / threads).div_ceil(nr) * nr;
        if cut < n {
            // SAFETY: as above, with columns of B and C.
            let (b2, c2) = unsafe { (b.skip(0, cut), c.skip(0, cut)) };
            crate::par::join_spinning(
                || unsafe { gemm(m, k, cut, alpha, a, b, beta, c, left) },
                || unsafe { gemm(m, k, n - cut, alpha, a, b2, beta, c2, right) },
            );
            return;
        }
    }
    // SAFETY: the caller's contract.
    unsafe { serial(m, k, n, alpha, a, b, beta, c) }
}

/// Where to cut `m` rows so that the first strip gets `left` of `threads`
/// shares of the work: a tile row costs the rows its micro-kernel variant
/// computes (4, 8 or [`MR`]), so the cut is the one, within a panel of the
/// even share, that makes the larger strip's cost least.
fn row_cut(m: usize, left: usize, threads: usize) -> usize {
    let cost = |rows: usize| {
        let edge = match rows % MR {
            0 => 0,
            1..=4 => 4,
            5..=8 => 8,
            _ => MR,
        };
        rows / MR * MR + edge
    };
    let even = m * left / threads;
    let worst =
        |cut: usize| (cost(cut) * threads / left).max(cost(m - cut) * threads / (threads - left));
    (even.saturating_sub(MR).max(1)..=(even + MR).min(m - 1))
        .min_by_key(|&cut| (worst(cut), cut.abs_diff(even)))
        .unwrap_or(even)
}

/// [`gemm`] on the calling thread.
///
/// # Safety
/// As for [`gemm`].
#[allow(clippy::too_many_arguments)]
unsafe fn serial<T: Blocked>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: Src<T>,
    b: Src<T>,
    beta: T,
    c: Dst<T>,
) {
    let nr = 2 * T::LANES;
    // A small row-major B, and a small column-major A, are read in place:
    // packing them cost more than the packed panels saved.
    let b_in_place = b.cs == 1 && k * n * size_of::<T>() <= IN_PLACE_BYTES;
    let a_in_place = a.rs == 1 && m * k * size_of::<T>() <= IN_PLACE_BYTES;
    T::with_bufs(|apack, bpack| {
        for jc in (0..n).step_by(T::NC) {
            let nc = T::NC.min(n - jc);
            for pc in (0..k).step_by(T::KC) {
                let kc = T::KC.min(k - pc);
                let bb = if b_in_place {
                    BBlock {
                        // SAFETY: (pc, jc) is an element of B.
                        base: unsafe { b.at(pc, jc) },
                        panel: nr as isize,
                        step: b.rs,
                    }
                } else {
                    // SAFETY: rows pc..pc+kc and columns jc..jc+nc are
                    // inside B.
                    unsafe { pack_b(b.skip(pc, jc), kc, nc, bpack) };
                    BBlock {
                        base: bpack.as_ptr(),
                        panel: (kc * nr) as isize,
                        step: nr as isize,
                    }
                };
                // Later k blocks add to what the first one wrote.
                let beta = if pc == 0 { beta } else { T::ONE };
                for ic in (0..m).step_by(T::MC) {
                    let mc = T::MC.min(m - ic);
                    // SAFETY: rows ic..ic+mc and columns pc..pc+kc are
                    // inside A; the block of C from (ic, jc) is inside C.
                    unsafe {
                        let ab = if a_in_place {
                            // Only the partial panel, if any, is packed.
                            let whole = mc / MR * MR;
                            if whole < mc {
                                pack_a(a.skip(ic + whole, pc), mc - whole, kc, apack);
                            }
                            ABlock {
                                place: Some(a.skip(ic, pc)),
                                packed: apack,
                            }
                        } else {
                            pack_a(a.skip(ic, pc), mc, kc, apack);
                            ABlock {
                                place: None,
                                packed: apack,
                            }
                        };
                        block(mc, nc, kc, ab, bb, c.skip(ic, jc), alpha, beta);
                    }
                }
            }
        }
    })
}

/// Where the micro-kernel reads one `kc × nc` block of B: column panel `q`
/// starts at `base + q·panel`, and its k steps are `step` apart.
#[derive(Clone, Copy)]
struct BBlock<T> {
    base: *const T,
    panel: isize,
    step: isize,
}

/// Where the micro-kernel reads one `mc × kc` block of A: packed (`place`
/// `None`, `packed` holding every panel), or column-major A read in place
/// for its whole panels, with `packed` holding only the last, partial one.
struct ABlock<'a, T> {
    place: Option<Src<T>>,
    packed: &'a [T],
}

/// All micro-tiles of one `mc × nc` block of C from the block of A at `a`
/// and the block of B at `b`.
///
/// # Safety
/// AVX-512F must be available; `a.packed` must hold the packed panels of the
/// `mc × kc` block of A that `a` says it holds, and `a.place` (if any)
/// address every element (i, p), i < mc, p < kc, of the block; `b` must
/// address (readably) every element (p, j), p < kc, j < nc, of
/// the block of B; every element (i, j), i < mc, j < nc, of `c` must be valid
/// for reads and writes.
#[allow(clippy::too_many_arguments)]
unsafe fn block<T: Blocked>(
    mc: usize,
    nc: usize,
    kc: usize,
    a: ABlock<'_, T>,
    b: BBlock<T>,
    c: Dst<T>,
    alpha: T,
    beta: T,
) {
    let nr = 2 * T::LANES;
    for r in 0..mc.div_ceil(MR) {
        let rows = MR.min(mc - r * MR);
        let (apanel, astep) = match a.place {
            // SAFETY: rows r·MR.. r·MR+MR of the block exist (a whole panel).
            Some(src) if rows == MR => (unsafe { src.at(r * MR, 0) }, src.cs),
            Some(_) => (a.packed[..kc * MR].as_ptr(), MR as isize),
            None => (
                a.packed[r * kc * MR..(r + 1) * kc * MR].as_ptr(),
                MR as isize,
            ),
        };
        for q in 0..nc.div_ceil(nr) {
            let bpanel = b.base.wrapping_offset(q as isize * b.panel);
            let cols = nr.min(nc - q * nr);
            // SAFETY: (r·MR, q·nr) is an element of this block of C.
            let ct = unsafe { c.skip(r * MR, q * nr) };
            // SAFETY: AVX-512F (the caller's contract); the A panel's kc·MR
            // elements are packed (sliced above) or inside A; the `cols` live
            // columns of B's panel q and the tile's `rows × cols` live part
            // of C are inside the blocks (the caller's contract).
            unsafe {
                T::tile(
                    kc, apanel, astep, bpanel, b.step, ct.p, ct.rs, rows, cols, alpha, beta,
                )
            };
        }
    }
}

/// Packs the `mc × kc` block of A at `a` into panels of [`MR`] rows: panel
/// `q` holds, for each column `p`, its `MR` rows (zeros past the end).
///
/// # Safety
/// AVX-512F must be available; every element (i, p), i < mc, p < kc, of `a`
/// must be valid for reads.
#[target_feature(enable = "avx512f")]
unsafe fn pack_a<T: Blocked>(a: Src<T>, mc: usize, kc: usize, ap: &mut Vec<T>) {
    let panels = mc.div_ceil(MR);
    grow(ap, panels * kc * MR);
    for (q, panel) in ap.chunks_exact_mut(kc * MR).take(panels).enumerate() {
        let live = MR.min(mc - q * MR);
        if a.rs == 0 && a.cs == 0 {
            // SAFETY: element (0, 0) is in the block.
            fill_panel(panel, MR, live, unsafe { *a.p });
        } else if a.cs == 1 {
            // Row-major A: transposed in registers.
            // SAFETY: rows q·MR.. q·MR+live and columns 0..kc are in the
            // block, and the panel holds kc·MR elements.
            unsafe { T::pack_a_rows(a.at(q * MR, 0), a.rs, kc, live, panel.as_mut_ptr()) };
        } else if a.rs == 1 {
            // Column-major A (a transposed operand): each column's rows are
            // contiguous, a plain copy.
            for (p, dst) in panel.chunks_exact_mut(MR).enumerate() {
                // SAFETY: rows q·MR.. q·MR+live of column p < kc are in the
                // block, and contiguous since the row stride is 1.
                let src = unsafe { core::slice::from_raw_parts(a.at(q * MR, p), live) };
                if live == MR {
                    // A copy of constant length: inlined, no memcpy call.
                    dst.copy_from_slice(&src[..MR]);
                } else {
                    dst[..live].copy_from_slice(src);
                    dst[live..].fill(T::ZERO);
                }
            }
        } else {
            for (p, dst) in panel.chunks_exact_mut(MR).enumerate() {
                for (i, d) in dst.iter_mut().enumerate() {
                    *d = if i < live {
                        // SAFETY: (q·MR + i, p) is in the block.
                        unsafe { *a.at(q * MR + i, p) }
                    } else {
                        T::ZERO
                    };
                }
            }
        }
    }
}

/// Packs a panel of an operand that is one value broadcast (a spread
/// gradient, W5's G): `v` in the `live` leading slots of each `width`-wide
/// step, zeros past them.
fn fill_panel<T: Blocked>(panel: &mut [T], width: usize, live: usize, v: T) {
    for dst in panel.chunks_exact_mut(width) {
        dst[..live].fill(v);
        dst[live..].fill(T::ZERO);
    }
}

/// Makes `buf` at least `len` long. Never shrinking it keeps the last, short
/// block of a product from costing the next full block a refill.
fn grow<T: Blocked>(buf: &mut Vec<T>, len: usize) {
    if buf.len() < len {
        buf.resize(len, T::ZERO);
    }
}

/// Packs the `kc × nc` block of B at `b` into panels of `2·LANES` columns:
/// panel `q` holds, for each row `p`, its columns (zeros past the end).
///
/// # Safety
/// AVX-512F must be available; every element (p, j), p < kc, j < nc, of `b`
/// must be valid for reads.
#[target_feature(enable = "avx512f")]
unsafe fn pack_b<T: Blocked>(b: Src<T>, kc: usize, nc: usize, bp: &mut Vec<T>) {
    let nr = 2 * T::LANES;
    let panels = nc.div_ceil(nr);
    grow(bp, panels * kc * nr);
    for (q, panel) in bp.chunks_exact_mut(kc * nr).take(panels).enumerate() {
        let live = nr.min(nc - q * nr);
        if b.rs == 0 && b.cs == 0 {
            // SAFETY: element (0, 0) is in the block.
            fill_panel(panel, nr, live, unsafe { *b.p });
            continue;
        }
        if live == nr && b.rs == 1 {
            // Column-major B (a transposed operand): transposed in
            // registers.
            // SAFETY: columns q·nr.. q·nr+nr and rows 0..kc are in the block,
            // and the panel holds kc·nr elements.
            unsafe { T::pack_b_cols(b.at(0, q * nr), b.cs, kc, panel.as_mut_ptr()) };
            continue;
        }
        for (p, dst) in panel.chunks_exact_mut(nr).enumerate() {
            if live == nr && b.cs == 1 {
                // SAFETY: row p, columns q·nr.. q·nr+nr of the block exist.
                let src = unsafe { core::slice::from_raw_parts(b.at(p, q * nr), nr) };
                dst.copy_from_slice(src);
            } else {
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = if j < live {
                        // SAFETY: (p, q·nr + j) is in the block.
                        unsafe { *b.at(p, q * nr + j) }
                    } else {
                        T::ZERO
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{row_cut, MR};

    /// Rows of FMAs a strip's tiles compute (`tile`'s variants: 4, 8, MR).
    fn cost(rows: usize) -> usize {
        (0..rows)
            .step_by(MR)
            .map(|r| {
                [4, 8, MR]
                    .into_iter()
                    .find(|&v| v >= (rows - r).min(MR))
                    .unwrap()
            })
            .sum()
    }

    /// The cut leaves both strips rows, and its busier strip never costs
    /// more than with a cut on the panel grid (the rule it replaced), which
    /// gave W5's n = 256 one strip of 140 rows and one of 116.
    #[test]
    fn row_cuts_balance_the_tiles() {
        for threads in [2, 3, 4] {
            let left = threads / 2;
            let worst = |m: usize, cut: usize| {
                (cost(cut) * threads / left).max(cost(m - cut) * threads / (threads - left))
            };
            for m in 2 * MR..700 {
                let cut = row_cut(m, left, threads);
                assert!(0 < cut && cut < m, "m = {m}: cut {cut}");
                let grid = (m * left / threads).div_ceil(MR) * MR;
                if grid < m {
                    assert!(
                        worst(m, cut) <= worst(m, grid),
                        "m = {m}, {threads} threads"
                    );
                }
            }
        }
        assert_eq!(
            cost(256 - row_cut(256, 1, 2)).max(cost(row_cut(256, 1, 2))),
            130
        );
    }
}
