//! Accurate summation: NumPy's pairwise scheme along a run, and a binary
//! cascade that combines many partial sums (scalars or lane vectors) in a
//! balanced tree, so rounding error grows like `log n` rather than `n`.

use crate::element::Num;

/// Elements summed by one pairwise leaf (NumPy's block size).
const LEAF: usize = 128;

/// Pairwise sum of the run `src[off + i·stride]`, `i < len`.
pub(crate) fn pairwise<T: Num>(src: &[T], off: usize, len: usize, stride: isize) -> T {
    if stride == 1 {
        return pairwise_slice(&src[off..off + len]);
    }
    if stride == 0 && len > 0 {
        return pairwise_repeat(src[off], len, &mut Memo::new());
    }
    if len <= LEAF {
        let mut buf = [T::ZERO; LEAF];
        for (i, b) in buf[..len].iter_mut().enumerate() {
            *b = src[at(off, i, stride)];
        }
        return leaf_sum(&buf[..len]);
    }
    let mid = split_point(len);
    let hi = pairwise(src, at(off, mid, stride), len - mid, stride);
    pairwise(src, off, mid, stride).wrapping_add(hi)
}

/// The pairwise sum of `len` copies of `x` (a stride-0 run), by the tree of
/// [`pairwise_slice`]: its sub-runs come in few distinct lengths (two or
/// three a level), so each length's sum is computed once and kept in `memo`, on
/// the stack (a reduction makes one such call per output).
fn pairwise_repeat<T: Num>(x: T, len: usize, memo: &mut Memo<T>) -> T {
    if let Some(s) = memo.get(len) {
        return s;
    }
    let s = if len <= LEAF {
        leaf_sum(&[x; LEAF][..len])
    } else {
        let mid = split_point(len);
        let lo = pairwise_repeat(x, mid, memo);
        lo.wrapping_add(pairwise_repeat(x, len - mid, memo))
    };
    memo.put(len, s);
    s
}

/// Sums of [`pairwise_repeat`] by run length; when full, further lengths
/// are recomputed (the same sums, only slower).
struct Memo<T> {
    seen: [(usize, T); 64],
    n: usize,
}

impl<T: Num> Memo<T> {
    fn new() -> Self {
        Memo {
            seen: [(0, T::ZERO); 64],
            n: 0,
        }
    }

    fn get(&self, len: usize) -> Option<T> {
        self.seen[..self.n]
            .iter()
            .find(|&&(l, _)| l == len)
            .map(|&(_, s)| s)
    }

    fn put(&mut self, len: usize, s: T) {
        if self.n < self.seen.len() {
            self.seen[self.n] = (len, s);
            self.n += 1;
        }
    }
}

/// NumPy's pairwise summation: blocks of [`LEAF`] summed with eight
/// accumulators, blocks combined by recursive halving.
pub(crate) fn pairwise_slice<T: Num>(x: &[T]) -> T {
    if x.len() <= LEAF {
        return leaf_sum(x);
    }
    if let Some(s) = four_leaves(x) {
        return s;
    }
    let (lo, hi) = x.split_at(split_point(x.len()));
    // Large halves on two threads: the same tree, so the same sum.
    let (lo, hi) = crate::par::join(
        x.len(),
        crate::par::Cost::Cheap,
        || pairwise_slice(lo),
        || pairwise_slice(hi),
    );
    lo.wrapping_add(hi)
}

/// Pairwise sum of `get(start + i)`, `i < len`, with the tree of
/// [`pairwise_slice`]: for terms computed on the fly (products in a fused
/// reduction) the same sum as over their materialised run.
pub(crate) fn pairwise_by<T: Num, F: Fn(usize) -> T>(start: usize, len: usize, get: &F) -> T {
    if len <= LEAF {
        let mut buf = [T::ZERO; LEAF];
        for (i, b) in buf[..len].iter_mut().enumerate() {
            *b = get(start + i);
        }
        return leaf_sum(&buf[..len]);
    }
    let mid = split_point(len);
    let lo = pairwise_by(start, mid, get);
    lo.wrapping_add(pairwise_by(start + mid, len - mid, get))
}

/// Where pairwise summation splits a run of `n > LEAF`: half, rounded down
/// to a multiple of 8.
fn split_point(n: usize) -> usize {
    let half = n / 2;
    half - half % 8
}

/// Sums up to [`LEAF`] elements with eight interleaved accumulators, so the
/// loop vectorises without reassociating floats.
#[inline(always)]
fn leaf_sum<T: Num>(x: &[T]) -> T {
    if x.len() < 8 {
        return x.iter().fold(T::ZERO, |s, &v| s.wrapping_add(v));
    }
    let mut r = [T::ZERO; 8];
    r.copy_from_slice(&x[..8]);
    let chunks = (x.len() - 8) / 8;
    add_chunks(&mut r, &x[8..8 + 8 * chunks]);
    leaf_finish(r, &x[8 + 8 * chunks..])
}

/// Adds the 8-element chunks of `x` into the accumulators, lane by lane.
#[inline(always)]
fn add_chunks<T: Num>(r: &mut [T; 8], x: &[T]) {
    for c in x.chunks_exact(8) {
        for (a, &v) in r.iter_mut().zip(c) {
            *a = a.wrapping_add(v);
        }
    }
}

/// A leaf's sum from its accumulators and its last (fewer than 8) elements.
#[inline(always)]
fn leaf_finish<T: Num>(r: [T; 8], rest: &[T]) -> T {
    let add = |x: T, y: T| x.wrapping_add(y);
    let s = add(
        add(add(r[0], r[1]), add(r[2], r[3])),
        add(add(r[4], r[5]), add(r[6], r[7])),
    );
    rest.iter().fold(s, |s, &v| s.wrapping_add(v))
}

/// [`leaf_sum`] of four leaves of at least 8 elements each, the chunks
/// they all have added in turn, one chunk of each leaf per step.
fn leaf_sums4<T: Num>(x: [&[T]; 4]) -> [T; 4] {
    let first = |x: &[T]| -> [T; 8] { x[..8].try_into().expect("8 elements") };
    let (mut r0, mut r1, mut r2, mut r3) = (first(x[0]), first(x[1]), first(x[2]), first(x[3]));
    let chunks = x.map(|x| (x.len() - 8) / 8);
    let common = chunks.into_iter().min().unwrap_or(0);
    let (c0, c1, c2, c3) = (
        x[0][8..8 + 8 * common].chunks_exact(8),
        x[1][8..8 + 8 * common].chunks_exact(8),
        x[2][8..8 + 8 * common].chunks_exact(8),
        x[3][8..8 + 8 * common].chunks_exact(8),
    );
    for (((a, b), c), d) in c0.zip(c1).zip(c2).zip(c3) {
        add8(&mut r0, a);
        add8(&mut r1, b);
        add8(&mut r2, c);
        add8(&mut r3, d);
    }
    let mut r = [r0, r1, r2, r3];
    core::array::from_fn(|j| {
        let end = 8 + 8 * chunks[j];
        add_chunks(&mut r[j], &x[j][8 + 8 * common..end]);
        leaf_finish(r[j], &x[j][end..])
    })
}

/// `r[i] += c[i]` for one chunk of 8.
#[inline(always)]
fn add8<T: Num>(r: &mut [T; 8], c: &[T]) {
    let c: &[T; 8] = c.try_into().expect("a chunk of 8");
    for i in 0..8 {
        r[i] = r[i].wrapping_add(c[i]);
    }
}

/// [`pairwise_slice`] of `x` when the tree's two levels below it end in
/// four leaves: those leaves summed together, their chains of additions
/// interleaved. One leaf's eight accumulators are a few chains of
/// dependent vector additions, bound by the adder's latency; four leaves
/// keep four times as many in flight. (Compiled for AVX2 through the
/// multiversioned paths, this ran 45% slower than at the baseline width:
/// measured 528 against 363 ns for 4096 f32.)
/// Every leaf adds the same values in the same order, and the four sums
/// combine as the tree does, so the result is the same on every path.
#[inline]
fn four_leaves<T: Num>(x: &[T]) -> Option<T> {
    let n = x.len();
    if n > 4 * LEAF + 16 || n <= 2 * LEAF {
        return None;
    }
    let mid = split_point(n);
    if mid <= LEAF || n - mid <= LEAF {
        return None; // a child is a leaf itself
    }
    let (m0, m1) = (split_point(mid), split_point(n - mid));
    if [m0, mid - m0, m1, n - mid - m1]
        .iter()
        .any(|&l| !(8..=LEAF).contains(&l))
    {
        return None; // a grandchild is split further
    }
    let (lo, hi) = x.split_at(mid);
    let leaves = [&lo[..m0], &lo[m0..], &hi[..m1], &hi[m1..]];
    let s = leaf_sums4(leaves);
    Some(
        s[0].wrapping_add(s[1])
            .wrapping_add(s[2].wrapping_add(s[3])),
    )
}

/// Binary-counter cascade of partial-sum vectors: pushing `2^k` equal-level
/// partials merges them into one, so `n` partials combine in a balanced tree
/// using `O(log n)` storage.
pub(crate) struct Cascade<T> {
    /// Stacked partials, `lanes` values each.
    data: Vec<T>,
    /// The tree level of each stacked partial (strictly decreasing upward).
    levels: Vec<u32>,
}

impl<T: Num> Cascade<T> {
    pub(crate) fn new() -> Self {
        Cascade {
            data: Vec::new(),
            levels: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, partial: &[T]) {
        let lanes = partial.len();
        self.data.extend_from_slice(partial);
        self.levels.push(0);
        while let [.., below, top] = self.levels[..] {
            if below != top {
                break;
            }
            let split = self.data.len() - lanes;
            let (left, right) = self.data.split_at_mut(split);
            for (l, &r) in left[split - lanes..].iter_mut().zip(right.iter()) {
                *l = l.wrapping_add(r);
            }
            self.data.truncate(split);
            self.levels.pop();
            *self.levels.last_mut().expect("two levels were stacked") += 1;
        }
    }

    /// Writes `0 + (p0 + (p1 + (…)))` of the stacked partials to `out` (zeros
    /// if none were pushed) and empties the cascade.
    pub(crate) fn finish(&mut self, out: &mut [T]) {
        let lanes = out.len();
        out.fill(T::ZERO);
        if let Some(top) = self.data.rchunks_exact(lanes).next() {
            out.copy_from_slice(top);
            for below in self.data.rchunks_exact(lanes).skip(1) {
                for (o, &b) in out.iter_mut().zip(below) {
                    *o = b.wrapping_add(*o);
                }
            }
            for o in out.iter_mut() {
                *o = T::ZERO.wrapping_add(*o);
            }
        }
        self.data.clear();
        self.levels.clear();
    }
}

/// Offset of element `i` of a run starting at `base` with stride `stride`.
#[inline(always)]
fn at(base: usize, i: usize, stride: isize) -> usize {
    (base as isize + i as isize * stride) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cascade_is_a_balanced_tree() {
        let mut c = Cascade::new();
        for i in 0..5i64 {
            c.push(&[i, 10 * i]);
        }
        assert_eq!(c.levels, vec![2, 0]);
        let mut out = [0; 2];
        c.finish(&mut out);
        assert_eq!(out, [10, 100]);
        assert!(c.data.is_empty() && c.levels.is_empty());
    }

    /// The pairwise tree written plainly: split at `split_point` down to
    /// leaves of at most [`LEAF`], each summed by [`leaf_sum`].
    fn plain_tree<T: Num>(x: &[T]) -> T {
        if x.len() <= LEAF {
            return leaf_sum(x);
        }
        let (lo, hi) = x.split_at(split_point(x.len()));
        plain_tree(lo).wrapping_add(plain_tree(hi))
    }

    #[test]
    fn interleaved_leaves_sum_as_the_plain_tree() {
        let mut st = 0x2545_f491_4f6c_dd1du64;
        let x: Vec<f64> = (0..70_000)
            .map(|_| {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                (st >> 11) as f64 / (1u64 << 53) as f64 - 0.3
            })
            .collect();
        let y: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let lens = (0..1200).chain([4096, 4097, 10_007, 65_536, 70_000]);
        let mut four = 0;
        for n in lens {
            four += usize::from(four_leaves(&x[..n]).is_some());
            let (a, b) = (pairwise_slice(&x[..n]), plain_tree(&x[..n]));
            assert_eq!(a.to_bits(), b.to_bits(), "f64, n = {n}");
            let (a, b) = (pairwise_slice(&y[..n]), plain_tree(&y[..n]));
            assert_eq!(a.to_bits(), b.to_bits(), "f32, n = {n}");
        }
        assert!(four > 200, "four leaves taken {four} times");
    }

    #[test]
    fn repeated_values_sum_as_the_plain_tree() {
        let x = 0.1f32;
        for len in [1, 7, 128, 129, 1000, 4096, 100_003, (1 << 21) + 13] {
            let want = plain_tree(&vec![x; len]);
            let got = pairwise(&[x], 0, len, 0);
            assert_eq!(got.to_bits(), want.to_bits(), "{len} copies");
        }
    }

    #[test]
    fn pairwise_matches_a_plain_sum_on_integers() {
        let x: Vec<i64> = (0..1000).map(|i| i * 7 % 13 - 6).collect();
        for n in [0, 1, 7, 8, 9, 128, 129, 300, 1000] {
            let want: i64 = x[..n].iter().sum();
            assert_eq!(pairwise_slice(&x[..n]), want, "n = {n}");
            assert_eq!(
                pairwise(&x, 0, n / 2, 2),
                x[..n].iter().step_by(2).take(n / 2).sum::<i64>()
            );
        }
    }
}
