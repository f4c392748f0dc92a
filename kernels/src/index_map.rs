//! Gathers and scatters through an [`IndexMap`]: NumPy's basic and advanced
//! indexing over a flat source, as reads (`x[index]`), accumulating writes
//! (the gradient of `x[index]`) and assignments (`x[index] = v`).

use crate::element::{Element, Num};
use crate::layout::Layout;
use crate::walk::Walk;

/// Where each element of an indexed result lives in its source.
///
/// The result's shape is `pre ++ B ++ post`, where `pre` and `post` are the
/// first `split` and the remaining axes of `base`, and `B` is the (flattened)
/// space of the advanced indices. Element `(p, b, q)` lives at
/// `base.offset(p, q) + adv[b]`. Basic indexing is `split = base.ndim()` and
/// `adv = [0]`.
///
/// ```
/// use causing_diff_kernels::index_map::gather;
/// use causing_diff_kernels::{IndexMap, Layout};
/// // x = [[0, 1, 2], [3, 4, 5]]; x[:, [2, 0, 2]] (advanced axis 1, stride 1)
/// let x = [0, 1, 2, 3, 4, 5];
/// let rows = Layout::contiguous(&[2, 3]).index_axis(1, 0); // axis 0 kept, stride 3
/// let map = IndexMap::new(&rows, 1, &[2, 0, 2]);
/// let mut out = [0; 6];
/// gather(&x, &map, &mut out);
/// assert_eq!(out, [2, 0, 2, 5, 3, 5]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct IndexMap<'a> {
    base: &'a Layout,
    split: usize,
    adv: &'a [usize],
}

impl<'a> IndexMap<'a> {
    /// A map over `base` with the advanced offsets `adv` placed after its
    /// first `split` axes.
    ///
    /// # Panics
    /// If `split > base.ndim()`.
    pub fn new(base: &'a Layout, split: usize, adv: &'a [usize]) -> IndexMap<'a> {
        assert!(
            split <= base.ndim(),
            "IndexMap: split {split} beyond {} axes",
            base.ndim()
        );
        IndexMap { base, split, adv }
    }

    /// The number of result elements.
    pub fn len(&self) -> usize {
        self.base.size() * self.adv.len()
    }

    /// Whether the result is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f(i, offset)` for every result element `i`, in C order.
    ///
    /// # Panics
    /// If an offset would reach `src_len` or beyond.
    pub fn for_each(&self, src_len: usize, mut f: impl FnMut(usize, usize)) {
        self.for_each_run(src_len, |i, o, len, s| {
            for k in 0..len {
                f(i + k, at(o, k, s));
            }
        });
    }

    /// Calls `f(i, offset, len, stride)` for runs of result elements
    /// `i..i + len`, in C order, living at `offset + k * stride`.
    ///
    /// # Panics
    /// If an offset would reach `src_len` or beyond.
    pub fn for_each_run(&self, src_len: usize, mut f: impl FnMut(usize, usize, usize, isize)) {
        if self.is_empty() {
            return;
        }
        let (_, hi) = self.base.min_max_offset().expect("non-empty");
        let max_adv = self.adv.iter().copied().max().unwrap_or(0);
        assert!(
            hi.checked_add(max_adv).is_some_and(|m| m < src_len),
            "IndexMap: offsets reach {hi} + {max_adv} but the source has {src_len} elements"
        );
        let (dims, strides) = (self.base.dims(), self.base.strides());
        let mut i = 0;
        if let [a] = self.adv {
            // One advanced element (or none): a plain strided walk.
            Walk::new(dims, [strides]).run([self.base.offset() + a], |[o], len, [st]| {
                f(i, o, len, st);
                i += len;
            });
            return;
        }
        let s = self.split;
        let post = Walk::new(&dims[s..], [&strides[s..]]);
        Walk::new(&dims[..s], [&strides[..s]]).run([self.base.offset()], |[o], len, [st]| {
            for k in 0..len {
                // `base(p, 0)` is an element of `base`, so it is non-negative.
                let p = at(o, k, st);
                for &a in self.adv {
                    post.run([p + a], |[q], qlen, [qs]| {
                        f(i, q, qlen, qs);
                        i += qlen;
                    });
                }
            }
        });
    }
}

/// Offset of element `k` of a run starting at `o` with stride `s`.
#[inline(always)]
fn at(o: usize, k: usize, s: isize) -> usize {
    (o as isize + k as isize * s) as usize
}

/// `out[i] = src[offset(i)]`: the indexed elements, contiguous in C order.
///
/// # Panics
/// If `out.len() != map.len()` or the map reaches outside `src`.
pub fn gather<T: Element>(src: &[T], map: &IndexMap, out: &mut [T]) {
    check_len(out.len(), map, "gather");
    map.for_each_run(src.len(), |i, o, len, s| {
        let out = &mut out[i..i + len];
        if s == 1 {
            out.copy_from_slice(&src[o..o + len]);
        } else {
            for (k, x) in out.iter_mut().enumerate() {
                *x = src[at(o, k, s)];
            }
        }
    });
}

/// `dst[offset(i)] = src[i]` in C order, so that the last write to a
/// repeated position wins (NumPy's `x[index] = v`).
///
/// # Panics
/// If `src.len() != map.len()` or the map reaches outside `dst`.
pub fn scatter<T: Element>(dst: &mut [T], map: &IndexMap, src: &[T]) {
    check_len(src.len(), map, "scatter");
    map.for_each_run(dst.len(), |i, o, len, s| {
        let src = &src[i..i + len];
        if s == 1 {
            dst[o..o + len].copy_from_slice(src);
        } else {
            for (k, &x) in src.iter().enumerate() {
                dst[at(o, k, s)] = x;
            }
        }
    });
}

/// `dst[offset(i)] += src[i]`, accumulating over repeated positions
/// (NumPy's `np.add.at`).
///
/// # Panics
/// If `src.len() != map.len()` or the map reaches outside `dst`.
pub fn scatter_add<T: Num>(dst: &mut [T], map: &IndexMap, src: &[T]) {
    check_len(src.len(), map, "scatter_add");
    map.for_each_run(dst.len(), |i, o, len, s| {
        let src = &src[i..i + len];
        if s == 1 {
            for (d, &x) in dst[o..o + len].iter_mut().zip(src) {
                *d += x;
            }
        } else {
            for (k, &x) in src.iter().enumerate() {
                dst[at(o, k, s)] += x;
            }
        }
    });
}

#[track_caller]
fn check_len(len: usize, map: &IndexMap, what: &str) {
    assert_eq!(
        len,
        map.len(),
        "{what}: {len} elements for an index map of {}",
        map.len()
    );
}
