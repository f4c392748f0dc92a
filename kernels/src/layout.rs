//! `Layout`: dims, signed element strides and a base offset — the one owner of
//! stride arithmetic (broadcast, permute, slice, reshape, contiguity).

use crate::dims::{Dims, Strides};

/// How an N-dimensional array is laid out in a flat slice: element `(i0, i1, …)`
/// lives at `offset + Σ i_a · strides[a]` (all in elements, strides signed).
///
/// A layout never addresses a negative offset: [`Layout::new`] checks it and
/// every transformation preserves it. Checking that it fits a particular slice
/// is the caller's job ([`Layout::min_max_offset`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    dims: Dims,
    strides: Strides,
    offset: usize,
}

impl Layout {
    /// A C-order (row-major) contiguous layout starting at offset 0.
    pub fn contiguous(dims: &[usize]) -> Layout {
        Layout {
            dims: Dims::from(dims),
            strides: contiguous_strides(dims),
            offset: 0,
        }
    }

    /// A layout with explicit strides and offset.
    ///
    /// # Panics
    /// If `dims` and `strides` differ in length, or a non-empty layout would
    /// address a negative offset or overflow `isize`.
    pub fn new(dims: &[usize], strides: &[isize], offset: usize) -> Layout {
        assert_eq!(
            dims.len(),
            strides.len(),
            "Layout::new: {} dims but {} strides",
            dims.len(),
            strides.len()
        );
        let l = Layout {
            dims: Dims::from(dims),
            strides: Strides::from(strides),
            offset,
        };
        if l.size() > 0 {
            match l.extent() {
                Some((lo, _)) => assert!(
                    lo >= 0,
                    "Layout::new: dims {dims:?}, strides {strides:?}, offset {offset} address a negative offset"
                ),
                None => panic!(
                    "Layout::new: dims {dims:?}, strides {strides:?}, offset {offset} overflow isize"
                ),
            }
        }
        l
    }

    /// The shape.
    #[inline]
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The signed element strides, one per axis.
    #[inline]
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// The offset of element `(0, 0, …)`.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The number of axes.
    #[inline]
    pub fn ndim(&self) -> usize {
        self.dims.len()
    }

    /// The number of elements (1 for a 0-d layout).
    #[inline]
    pub fn size(&self) -> usize {
        self.dims.iter().product()
    }

    /// Whether the elements are C-contiguous from `offset` on. Strides of
    /// size-1 axes are ignored, and empty layouts count as contiguous.
    pub fn is_contiguous(&self) -> bool {
        if self.size() == 0 {
            return true;
        }
        let mut expected = 1isize;
        for (&d, &s) in self.dims.iter().zip(self.strides.iter()).rev() {
            if d != 1 {
                if s != expected {
                    return false;
                }
                expected *= d as isize;
            }
        }
        true
    }

    /// Whether every element is the same one (every axis of size > 1 has
    /// stride 0), as for a broadcast scalar.
    pub fn is_broadcast_scalar(&self) -> bool {
        self.dims
            .iter()
            .zip(self.strides.iter())
            .all(|(&d, &s)| d <= 1 || s == 0)
    }

    /// NumPy's one-way broadcast to `dims`: prepend axes and stretch size-1
    /// axes, both with stride 0. `None` if the shapes are incompatible.
    pub fn broadcast_to(&self, dims: &[usize]) -> Option<Layout> {
        let extra = dims.len().checked_sub(self.ndim())?;
        let mut strides = Strides::filled(0, dims.len());
        for (a, (&d, &s)) in self.dims.iter().zip(self.strides.iter()).enumerate() {
            let target = dims[extra + a];
            if d == target {
                strides[extra + a] = s;
            } else if d != 1 {
                return None;
            }
        }
        Some(Layout {
            dims: Dims::from(dims),
            strides,
            offset: self.offset,
        })
    }

    /// Reorders the axes: axis `a` of the result is axis `perm[a]` of `self`.
    /// `None` unless `perm` is a permutation of `0..ndim`.
    pub fn permute(&self, perm: &[usize]) -> Option<Layout> {
        if perm.len() != self.ndim() {
            return None;
        }
        let mut seen = SmallSeen::new(perm.len());
        for &p in perm {
            if p >= perm.len() || !seen.insert(p) {
                return None;
            }
        }
        Some(Layout {
            dims: perm.iter().map(|&p| self.dims[p]).collect(),
            strides: perm.iter().map(|&p| self.strides[p]).collect(),
            offset: self.offset,
        })
    }

    /// Takes an already-normalised Python slice along `axis`: `len` elements
    /// starting at index `start`, stepping by `step` (which may be negative).
    ///
    /// # Panics
    /// If `axis` is out of range, `step` is 0, or (when `len > 0`) an index
    /// the slice selects is out of range.
    pub fn slice_axis(&self, axis: usize, start: usize, len: usize, step: isize) -> Layout {
        assert!(
            axis < self.ndim(),
            "slice_axis: axis {axis} out of range for {} dims",
            self.ndim()
        );
        assert!(step != 0, "slice_axis: step must not be zero");
        let d = self.dims[axis];
        let mut out = self.clone();
        if len > 0 {
            let last = start as isize + (len as isize - 1) * step;
            assert!(
                start < d && last >= 0 && (last as usize) < d,
                "slice_axis: {len} elements from {start} by {step} out of range for axis {axis} of size {d}"
            );
            let shift = start as isize * self.strides[axis];
            out.offset = (self.offset as isize + shift) as usize;
        }
        out.dims[axis] = len;
        out.strides[axis] = self.strides[axis] * step;
        out
    }

    /// Selects index `index` of `axis`, removing the axis.
    ///
    /// # Panics
    /// If `axis` or `index` is out of range.
    pub fn index_axis(&self, axis: usize, index: usize) -> Layout {
        assert!(
            axis < self.ndim(),
            "index_axis: axis {axis} out of range for {} dims",
            self.ndim()
        );
        let d = self.dims[axis];
        assert!(
            index < d,
            "index_axis: index {index} out of range for axis {axis} of size {d}"
        );
        let mut out = self.clone();
        out.offset = (self.offset as isize + index as isize * self.strides[axis]) as usize;
        out.dims.remove(axis);
        out.strides.remove(axis);
        out
    }

    /// Inserts a new size-1 axis at position `axis` (`0..=ndim`).
    ///
    /// # Panics
    /// If `axis > ndim`.
    pub fn insert_axis(&self, axis: usize) -> Layout {
        assert!(
            axis <= self.ndim(),
            "insert_axis: axis {axis} out of range for {} dims",
            self.ndim()
        );
        // The stride of a size-1 axis is never used; pick the one a
        // contiguous layout would have so that naive contiguity checks agree.
        let stride = if axis < self.ndim() {
            self.strides[axis] * self.dims[axis].max(1) as isize
        } else {
            1
        };
        let mut out = self.clone();
        out.dims.insert(axis, 1);
        out.strides.insert(axis, stride);
        out
    }

    /// A view with shape `dims` over the same elements in C order, when the
    /// existing strides allow it without copying (NumPy's rule). `None` if
    /// they do not, or if the sizes differ.
    pub fn reshape(&self, dims: &[usize]) -> Option<Layout> {
        if checked_size(dims)? != self.size() {
            return None;
        }
        if self.size() == 0 {
            return Some(Layout {
                dims: Dims::from(dims),
                strides: contiguous_strides(dims),
                offset: self.offset,
            });
        }
        // NumPy's `_attempt_nocopy_reshape`, C order: group old and new axes
        // into runs of equal products; each old run must be contiguous in
        // itself, and the new run's strides follow from its last stride.
        let (mut od, mut os) = (Dims::new(), Strides::new());
        for (&d, &s) in self.dims.iter().zip(self.strides.iter()) {
            if d != 1 {
                od.push(d);
                os.push(s);
            }
        }
        let mut ns = Strides::filled(0, dims.len());
        let (mut oi, mut oj, mut ni, mut nj) = (0, 1, 0, 1);
        while ni < dims.len() && oi < od.len() {
            let (mut np, mut op) = (dims[ni], od[oi]);
            while np != op {
                if np < op {
                    np *= dims[nj];
                    nj += 1;
                } else {
                    op *= od[oj];
                    oj += 1;
                }
            }
            for ok in oi..oj - 1 {
                if os[ok] != od[ok + 1] as isize * os[ok + 1] {
                    return None;
                }
            }
            ns[nj - 1] = os[oj - 1];
            for nk in (ni + 1..nj).rev() {
                ns[nk - 1] = ns[nk] * dims[nk] as isize;
            }
            ni = nj;
            nj += 1;
            oi = oj;
            oj += 1;
        }
        // Trailing new axes are all of size 1.
        let last = if ni >= 1 { ns[ni - 1] } else { 1 };
        for s in ns[ni..].iter_mut() {
            *s = last;
        }
        Some(Layout {
            dims: Dims::from(dims),
            strides: ns,
            offset: self.offset,
        })
    }

    /// The smallest and largest element offsets the layout addresses, or
    /// `None` if it has no elements. A layout fits a slice of length `len`
    /// exactly when `max < len`.
    pub fn min_max_offset(&self) -> Option<(usize, usize)> {
        if self.size() == 0 {
            return None;
        }
        // `new` checked these; the other constructors preserve them.
        let (lo, hi) = self.extent().expect("layout extent overflows isize");
        Some((lo as usize, hi as usize))
    }

    /// Lowest and highest addressed offsets of a non-empty layout, in
    /// `isize`; `None` on overflow.
    fn extent(&self) -> Option<(isize, isize)> {
        let mut lo = isize::try_from(self.offset).ok()?;
        let mut hi = lo;
        for (&d, &s) in self.dims.iter().zip(self.strides.iter()) {
            let reach = isize::try_from(d - 1).ok()?.checked_mul(s)?;
            if reach < 0 {
                lo = lo.checked_add(reach)?;
            } else {
                hi = hi.checked_add(reach)?;
            }
        }
        Some((lo, hi))
    }
}

/// Panics with a clear message unless every element `layout` addresses lies
/// inside a slice of length `len`.
#[track_caller]
pub(crate) fn check_fits(layout: &Layout, len: usize, what: &str) {
    if let Some((_, max)) = layout.min_max_offset() {
        assert!(
            max < len,
            "{what}: layout (dims {:?}, strides {:?}, offset {}) reaches offset {max} but the slice has {len} elements",
            layout.dims(),
            layout.strides(),
            layout.offset()
        );
    }
}

/// NumPy broadcasting of two shapes; `None` if incompatible.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Dims> {
    let n = a.len().max(b.len());
    let mut out = Dims::filled(1, n);
    for (i, o) in out.iter_mut().enumerate() {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        *o = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// Product of `dims`, `None` when the shape is too large to address.
///
/// As NumPy ("array is too big"), the product of the non-zero dims must fit
/// in `isize` even when another dim is 0: every stride and offset computed
/// from the dims is then an `isize` that cannot overflow, and no size-0
/// array carries a shape that would overflow once an op drops its zero.
///
/// ```
/// use causing_diff_kernels::checked_size;
/// assert_eq!(checked_size(&[2, 3]), Some(6));
/// assert_eq!(checked_size(&[]), Some(1));
/// assert_eq!(checked_size(&[1 << 40, 0]), Some(0));
/// assert_eq!(checked_size(&[usize::MAX, 2]), None);
/// assert_eq!(checked_size(&[usize::MAX / 2, 0, 3]), None);
/// ```
pub fn checked_size(dims: &[usize]) -> Option<usize> {
    let nonzero = dims
        .iter()
        .filter(|&&d| d != 0)
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= isize::MAX as usize)?;
    Some(if dims.contains(&0) { 0 } else { nonzero })
}

/// C-order strides for `dims` (a size-0 axis counts as size 1, as in NumPy,
/// so that no stride is 0).
pub fn contiguous_strides(dims: &[usize]) -> Strides {
    let mut strides = Strides::filled(0, dims.len());
    let mut acc = 1isize;
    for (s, &d) in strides.iter_mut().zip(dims.iter()).rev() {
        *s = acc;
        acc = acc.wrapping_mul(d.max(1) as isize);
    }
    strides
}

/// A tiny "seen" set for permutation checks.
struct SmallSeen(crate::dims::SmallVec<bool>);

impl SmallSeen {
    fn new(n: usize) -> Self {
        SmallSeen(crate::dims::SmallVec::filled(false, n))
    }

    /// Marks `i`; false if it was already marked.
    fn insert(&mut self, i: usize) -> bool {
        !core::mem::replace(&mut self.0[i], true)
    }
}
