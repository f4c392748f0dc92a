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
        return pairwise_repeat(src[off], len, &mut Vec::new());
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
/// [`pairwise_slice`]: its sub-runs come in few distinct lengths, so each
/// length's sum is computed once and kept in `memo`.
fn pairwise_repeat<T: Num>(x: T, len: usize, memo: &mut Vec<(usize, T)>) -> T {
    if let Some(&(_, s)) = memo.iter().find(|&&(l, _)| l == len) {
        return s;
    }
    let s = if len <= LEAF {
        leaf_sum(&[x; LEAF][..len])
    } else {
        let mid = split_point(len);
        let lo = pairwise_repeat(x, mid, memo);
        lo.wrapping_add(pairwise_repeat(x, len - mid, memo))
    };
    memo.push((len, s));
    s
}

/// NumPy's pairwise summation: blocks of [`LEAF`] summed with eight
/// accumulators, blocks combined by recursive halving.
pub(crate) fn pairwise_slice<T: Num>(x: &[T]) -> T {
    if x.len() <= LEAF {
        return leaf_sum(x);
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
fn leaf_sum<T: Num>(x: &[T]) -> T {
    if x.len() < 8 {
        return x.iter().fold(T::ZERO, |s, &v| s.wrapping_add(v));
    }
    let mut r = [T::ZERO; 8];
    r.copy_from_slice(&x[..8]);
    let chunks = x[8..].chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &v) in r.iter_mut().zip(c) {
            *a = a.wrapping_add(v);
        }
    }
    let add = |x: T, y: T| x.wrapping_add(y);
    let s = add(
        add(add(r[0], r[1]), add(r[2], r[3])),
        add(add(r[4], r[5]), add(r[6], r[7])),
    );
    rest.iter().fold(s, |s, &v| s.wrapping_add(v))
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
