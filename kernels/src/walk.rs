//! The strided walker every elementwise kernel and reduction uses: visits an
//! index space in C order as runs along its innermost (merged) axis.

use crate::dims::{Dims, SmallVec, Strides};

/// Visits the index space `dims` in C (row-major) order for `K` operands, each
/// given by its strides and start offset (element units).
///
/// Adjacent axes are merged when every operand allows it (and size-1 axes
/// dropped), so a fully contiguous case produces exactly one call. For each
/// innermost run it calls `f(offsets, len, inner_strides)`: the offsets of the
/// run's first element in each operand, the run length, and each operand's
/// stride along the run. Zero-size index spaces make no calls; a 0-d space
/// makes one call with len 1.
///
/// Offsets are computed in `isize`, so negative strides walk toward lower
/// offsets; the caller guarantees every visited offset is non-negative.
///
/// ```
/// use causing_diff_kernels::walk::for_each_run;
/// // A 2×3 C-contiguous array and its transpose's strides, both read as 2×3.
/// let mut runs = Vec::new();
/// for_each_run(&[2, 3], [&[3, 1], &[1, 2]], [0, 0], |o, len, s| runs.push((o, len, s)));
/// assert_eq!(runs, vec![([0, 0], 3, [1, 2]), ([3, 1], 3, [1, 2])]);
/// ```
pub fn for_each_run<const K: usize>(
    dims: &[usize],
    strides: [&[isize]; K],
    offsets: [usize; K],
    f: impl FnMut([usize; K], usize, [isize; K]),
) {
    Walk::new(dims, strides).run(offsets, f);
}

/// A prepared [`for_each_run`]: the merged axes are computed once and the walk
/// can then be repeated from different start offsets (as a reduction does for
/// every output element).
#[derive(Clone, Debug)]
pub struct Walk<const K: usize> {
    /// Merged outer axes (everything but the innermost run), C order.
    outer_dims: Dims,
    /// Per operand, the strides of the merged outer axes.
    outer_strides: [Strides; K],
    /// Length of each innermost run (0 when the space is empty).
    inner_len: usize,
    /// Per operand, the stride along the innermost run.
    inner_strides: [isize; K],
}

impl<const K: usize> Walk<K> {
    /// Prepares a walk over `dims` for operands with the given strides.
    ///
    /// # Panics
    /// If an operand's strides differ in length from `dims`.
    pub fn new(dims: &[usize], strides: [&[isize]; K]) -> Self {
        Self::merged(dims, None, strides).expect("a walk follows its own merges")
    }

    /// A walk over `dims` for operands with the given `strides` whose axes
    /// are merged exactly where [`Walk::new`] would merge them for operands
    /// with the strides `order`: the runs, and so the calls and their
    /// lengths, are those of the walk over `order`, while the offsets and
    /// strides passed are those of `strides`. A reduction reads, say, a
    /// broadcast array (stride-0 axes merge freely) in the runs of the
    /// contiguous array holding the same values, and so adds the same
    /// terms in the same order. `None` when some operand cannot step
    /// through a merged run evenly (a run crossing from a stride-0 axis to
    /// a real one).
    ///
    /// # Panics
    /// If any strides differ in length from `dims`.
    ///
    /// ```
    /// use causing_diff_kernels::walk::Walk;
    /// // Two rows read as a 2×3 contiguous array: one run of 6.
    /// let w = Walk::new_as(&[2, 3], [&[3, 1]], [&[0, 0]]).unwrap();
    /// assert_eq!((w.runs(), w.inner_len(), w.inner_strides()), (1, 6, [0]));
    /// // Rows of a column spread over 3: runs cannot cross rows.
    /// assert!(Walk::new_as(&[2, 3], [&[3, 1]], [&[1, 0]]).is_none());
    /// ```
    pub fn new_as<const J: usize>(
        dims: &[usize],
        order: [&[isize]; J],
        strides: [&[isize]; K],
    ) -> Option<Self> {
        Walk::<J>::merged(dims, Some(order), strides)
    }
}

impl<const J: usize> Walk<J> {
    /// The merges of a walk with strides `order` (or with `strides`
    /// themselves, for `None`: the plain walk, merges checked once),
    /// applied to `strides`.
    fn merged<const K: usize>(
        dims: &[usize],
        order: Option<[&[isize]; J]>,
        strides: [&[isize]; K],
    ) -> Option<Walk<K>> {
        for s in order.iter().flatten().chain(&strides) {
            assert_eq!(
                s.len(),
                dims.len(),
                "walk: {} strides for {} dims",
                s.len(),
                dims.len()
            );
        }
        let mut md = Dims::new();
        let mut mo: Option<([&[isize]; J], [Strides; J])> =
            order.map(|o| (o, core::array::from_fn(|_| Strides::new())));
        let mut ms: [Strides; K] = core::array::from_fn(|_| Strides::new());
        if dims.contains(&0) {
            return Some(Walk {
                outer_dims: md,
                outer_strides: ms,
                inner_len: 0,
                inner_strides: [0; K],
            });
        }
        // Axis `a` folds into the previous merged axis when, for every
        // operand, stepping the previous axis once equals stepping `a` d times.
        let folds = |d: usize, prev: &[Strides], now: &[&[isize]], a: usize| {
            prev.iter()
                .zip(now)
                .all(|(p, s)| (d as isize).checked_mul(s[a]) == Some(p[p.len() - 1]))
        };
        for (a, &d) in dims.iter().enumerate() {
            if d == 1 {
                continue;
            }
            let merge = !md.is_empty()
                && match &mo {
                    Some((o, mo)) => folds(d, mo, o, a),
                    None => folds(d, &ms, &strides, a),
                };
            if merge {
                if mo.is_some() && !folds(d, &ms, &strides, a) {
                    return None;
                }
                let last = md.len() - 1;
                md[last] *= d;
                if let Some((o, mo)) = &mut mo {
                    for (m, s) in mo.iter_mut().zip(o.iter()) {
                        m[last] = s[a];
                    }
                }
                for (m, s) in ms.iter_mut().zip(&strides) {
                    m[last] = s[a];
                }
            } else {
                md.push(d);
                if let Some((o, mo)) = &mut mo {
                    for (m, s) in mo.iter_mut().zip(o.iter()) {
                        m.push(s[a]);
                    }
                }
                for (m, s) in ms.iter_mut().zip(&strides) {
                    m.push(s[a]);
                }
            }
        }
        Some(match md.len() {
            0 => Walk {
                outer_dims: md,
                outer_strides: ms,
                inner_len: 1,
                inner_strides: [0; K],
            },
            n => {
                let inner_len = md[n - 1];
                let inner_strides = core::array::from_fn(|k| ms[k][n - 1]);
                md.truncate(n - 1);
                for s in ms.iter_mut() {
                    s.truncate(n - 1);
                }
                Walk {
                    outer_dims: md,
                    outer_strides: ms,
                    inner_len,
                    inner_strides,
                }
            }
        })
    }
}

impl<const K: usize> Walk<K> {
    /// The length of every innermost run (0 for an empty index space).
    #[inline]
    pub fn inner_len(&self) -> usize {
        self.inner_len
    }

    /// Each operand's stride along the innermost run (0 for a 0-d space).
    #[inline]
    pub fn inner_strides(&self) -> [isize; K] {
        self.inner_strides
    }

    /// The number of runs the walk makes.
    pub fn runs(&self) -> usize {
        if self.inner_len == 0 {
            0
        } else {
            self.outer_dims.iter().product()
        }
    }

    /// Walks the index space from the given start offsets; see [`for_each_run`].
    pub fn run(&self, offsets: [usize; K], mut f: impl FnMut([usize; K], usize, [isize; K])) {
        if self.inner_len == 0 {
            return;
        }
        let n = self.outer_dims.len();
        if n == 0 {
            f(offsets, self.inner_len, self.inner_strides);
            return;
        }
        let mut off: [isize; K] = offsets.map(|o| o as isize);
        let mut idx: SmallVec<usize> = SmallVec::filled(0, n);
        loop {
            f(off.map(|o| o as usize), self.inner_len, self.inner_strides);
            // Odometer step over the outer axes, innermost first.
            let mut ax = n;
            loop {
                if ax == 0 {
                    return;
                }
                ax -= 1;
                idx[ax] += 1;
                let d = self.outer_dims[ax];
                if idx[ax] < d {
                    for (o, s) in off.iter_mut().zip(&self.outer_strides) {
                        *o += s[ax];
                    }
                    break;
                }
                idx[ax] = 0;
                for (o, s) in off.iter_mut().zip(&self.outer_strides) {
                    *o -= s[ax] * (d as isize - 1);
                }
            }
        }
    }
}
