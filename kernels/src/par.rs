//! The one place that knows threads: when a kernel is worth splitting over
//! rayon's pool, and how. Everything else calls these helpers.
//!
//! Starting parallel work costs tens of microseconds on these machines, and
//! two threads on small arrays ran many times slower than one
//! (`../shared/bench/BASELINE.md`), so a kernel runs serially unless each
//! thread gets at least [`min_chunk`] elements, which depends on how much work
//! an element costs. Splits are contiguous and deterministic; elementwise
//! results do not depend on the thread count.

use core::ops::Range;

use rayon::prelude::*;

/// How much work one element of a kernel costs, for the split threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    /// Arithmetic, copies and casts: memory bound, well under a nanosecond.
    Cheap,
    /// Transcendental functions: about a nanosecond per element.
    Heavy,
}

/// The fewest elements a thread must get before splitting pays.
///
/// For cheap work, 2^18: an autodiff graph keeps every intermediate value
/// and gradient alive until it is rewound, so at a million elements the
/// arrays stream from L3 and memory, where two threads move more data than
/// one. Measured on W2 at N = 10^6 (24 passes over 4 MB arrays): 2^18 took
/// 10–14 ms a call against 21–30 ms for 2^19 (serial at that size), in
/// interleaved runs on the same machine.
pub fn min_chunk(cost: Cost) -> usize {
    match cost {
        Cost::Cheap => 1 << 18,
        Cost::Heavy => 1 << 15,
    }
}

/// How many pieces `n` elements of `cost` are split into (1: serial).
fn pieces(n: usize, cost: Cost) -> usize {
    let k = n / min_chunk(cost);
    if k < 2 {
        return 1; // no thread-pool call at all for small work
    }
    k.min(rayon::current_num_threads().max(1))
}

/// The ranges `0..n` is split into for `cost` (a single range when small),
/// each a multiple of 64 long but the last.
pub fn ranges(n: usize, cost: Cost) -> Vec<Range<usize>> {
    let k = pieces(n, cost);
    let step = n.div_ceil(k).div_ceil(64) * 64;
    (0..k)
        .map(|i| (i * step).min(n)..((i + 1) * step).min(n))
        .filter(|r| !r.is_empty() || n == 0)
        .collect()
}

/// Runs `f(range, out_chunk)` over the chunks of `out` given by
/// [`ranges`], in parallel when there is more than one.
pub fn for_chunks<U: Send>(out: &mut [U], cost: Cost, f: impl Fn(Range<usize>, &mut [U]) + Sync) {
    if pieces(out.len(), cost) == 1 {
        // The common case allocates nothing (training loops rely on it).
        f(0..out.len(), out);
        return;
    }
    let parts = ranges(out.len(), cost);
    let mut chunks: Vec<(Range<usize>, &mut [U])> = Vec::with_capacity(parts.len());
    let mut rest = out;
    let mut at = 0;
    for r in parts {
        let (head, tail) = rest.split_at_mut(r.end - at);
        at = r.end;
        chunks.push((r, head));
        rest = tail;
    }
    chunks.into_par_iter().for_each(|(r, c)| f(r, c));
}

/// Runs `f(rows, out_chunk)` over chunks of whole rows: `out` holds `rows`
/// rows of equal length, and each chunk gets a range of them. Serial unless
/// the work is large enough for [`min_chunk`] elements per thread.
pub fn for_rows<U: Send>(
    rows: usize,
    out: &mut [U],
    cost: Cost,
    f: impl Fn(Range<usize>, &mut [U]) + Sync,
) {
    let k = pieces(out.len(), cost).min(rows);
    if k <= 1 || rows == 0 {
        f(0..rows, out);
        return;
    }
    let row_len = out.len() / rows;
    let per = rows.div_ceil(k);
    let mut chunks = Vec::with_capacity(k);
    let mut rest = out;
    for start in (0..rows).step_by(per) {
        let end = (start + per).min(rows);
        let (head, tail) = rest.split_at_mut((end - start) * row_len);
        chunks.push((start..end, head));
        rest = tail;
    }
    chunks.into_par_iter().for_each(|(r, c)| f(r, c));
}

/// The size of the thread pool.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Runs `f` on every item, in parallel.
pub fn each<I: Send>(items: Vec<I>, f: impl Fn(I) + Sync + Send) {
    items.into_par_iter().for_each(f);
}

/// `(a(), b())`, run on two threads when `n` elements of `cost` are worth
/// it. Used at the top of recursive reductions, whose tree (and so whose
/// result) stays the same either way.
pub fn join<A: Send, B: Send>(
    n: usize,
    cost: Cost,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if pieces(n, cost) >= 2 {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_element_once() {
        for n in [0, 1, 63, 64, 1000, (1 << 19) + 5, 3 << 20] {
            for cost in [Cost::Cheap, Cost::Heavy] {
                let rs = ranges(n, cost);
                assert_eq!(rs.first().map_or(0, |r| r.start), 0);
                assert_eq!(rs.last().map_or(0, |r| r.end), n);
                for w in rs.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                    assert_eq!(w[0].len() % 64, 0);
                }
            }
        }
        assert_eq!(
            ranges(1000, Cost::Cheap).len(),
            1,
            "small work stays serial"
        );
    }

    #[test]
    fn for_rows_hands_out_whole_rows() {
        let (rows, len) = (3000, 700);
        let mut out = vec![0usize; rows * len];
        for_rows(rows, &mut out, Cost::Cheap, |r, c| {
            assert_eq!(c.len(), r.len() * len);
            for (i, v) in c.iter_mut().enumerate() {
                *v = r.start * len + i;
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| v == i));
    }

    #[test]
    fn for_chunks_hands_out_matching_ranges() {
        let mut out = vec![0usize; 3 << 20];
        for_chunks(&mut out, Cost::Heavy, |r, c| {
            for (o, i) in c.iter_mut().zip(r) {
                *o = i;
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| v == i));
    }
}
