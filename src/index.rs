//! NumPy's index expressions: [`Index`], its items ([`IndexItem`]), and the
//! [`s!`](crate::s) macro that writes them like Python's `x[...]`.

use core::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use crate::array::{Array, IntoArray};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::graph::{Operand, Tensor};
use crate::ops::index_plan::{encode_slice, ARRAY, ELLIPSIS, INT, NEW_AXIS};

/// One item of an index expression (one entry of NumPy's index tuple).
///
/// Usually written through [`s!`](crate::s); every item also converts from
/// a Rust value with `From`: integers, ranges, [`NewAxis`], [`Ellipsis`],
/// integer or bool arrays (`[0, 2, 2]`, `vec![true, false]`, an [`Array`])
/// and integer or bool tensors.
///
/// ```
/// use causing_diff::{IndexItem, NewAxis};
/// assert!(matches!(IndexItem::from(-1), IndexItem::Int(-1)));
/// assert!(matches!(
///     IndexItem::from(1..),
///     IndexItem::Slice { start: Some(1), stop: None, step: None }
/// ));
/// assert!(matches!(IndexItem::from(NewAxis), IndexItem::NewAxis));
/// ```
#[derive(Clone, Debug)]
pub enum IndexItem<'g> {
    /// `i`: one position (negative counts from the end); removes the axis.
    Int(isize),
    /// `start:stop:step`, with Python's rules: negative bounds count from the
    /// end, out-of-range bounds are clamped, a negative step walks backwards,
    /// and `None` parts take their defaults. The step must not be 0.
    Slice {
        /// The first position (default: the start, or the end for a negative step).
        start: Option<isize>,
        /// The position to stop before (default: past the end).
        stop: Option<isize>,
        /// The step (default 1).
        step: Option<isize>,
    },
    /// NumPy's `np.newaxis` (`None`): inserts a size-1 axis.
    NewAxis,
    /// `...`: as many full slices as the other items leave axes.
    Ellipsis,
    /// An integer array (advanced indexing: int64 or int32, any shape,
    /// negative and repeated entries allowed) or a bool array (a mask,
    /// indexing by its `nonzero()`). A 0-d integer array is an [`Int`](IndexItem::Int).
    Array(Array),
    /// An integer or bool tensor, used as [`Array`](IndexItem::Array) (a
    /// constant: no gradient flows into an index).
    Tensor(Tensor<'g>),
}

/// NumPy's `np.newaxis`, as an index item: `s![NewAxis, ..]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewAxis;

/// A short name for [`NewAxis`]: `s![NEW, ..]`.
pub const NEW: NewAxis = NewAxis;

/// NumPy's `...`, as an index item. In [`s!`](crate::s) it is written `...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ellipsis;

impl<'g> IndexItem<'g> {
    /// The slice `start:stop:step`.
    ///
    /// ```
    /// use causing_diff::IndexItem;
    /// // Python's `::-1`
    /// let rev = IndexItem::slice(None, None, Some(-1));
    /// ```
    pub fn slice(start: Option<isize>, stop: Option<isize>, step: Option<isize>) -> Self {
        IndexItem::Slice { start, stop, step }
    }

    /// The range `range` with a step: `stepped(4..0, -2)` is Python's `4:0:-2`
    /// (the range's bounds are the slice's start and stop, exactly; an
    /// inclusive end `a..=b` includes `b` walking either way). This is what
    /// `s![4..0;-2]` writes.
    ///
    /// ```
    /// use causing_diff::IndexItem;
    /// assert!(matches!(
    ///     IndexItem::stepped(3..=0, -1),
    ///     IndexItem::Slice { start: Some(3), stop: None, step: Some(-1) }
    /// ));
    /// ```
    pub fn stepped(range: impl SliceRange, step: isize) -> Self {
        let (start, stop) = range.bounds(step);
        IndexItem::Slice {
            start,
            stop,
            step: Some(step),
        }
    }
}

impl IndexItem<'_> {
    /// An integer slice bound as `isize` (saturating), for [`s!`](crate::s).
    #[doc(hidden)]
    pub fn bound(v: impl TryInto<isize>) -> isize {
        to_isize(v)
    }

    /// `start..=end` walked with `step` (what `s![3..=0;-1]` writes).
    #[doc(hidden)]
    pub fn stepped_inclusive(start: isize, end: isize, step: isize) -> Self {
        IndexItem::Slice {
            start: Some(start),
            stop: inclusive_stop(end, step),
            step: Some(step),
        }
    }
}

/// Rust ranges as slice bounds: `a..b`, `a..`, `..b`, `..`, `a..=b`, `..=b`
/// over `i32`, `i64`, `isize` and `usize`.
pub trait SliceRange {
    /// The Python `start` and `stop` of the range walked with `step`.
    fn bounds(self, step: isize) -> (Option<isize>, Option<isize>);
}

/// The exclusive stop after an inclusive `end` when walking with `step`:
/// `None` (to the edge) when that would be position -1 or 0 from the other side.
fn inclusive_stop(end: isize, step: isize) -> Option<isize> {
    if step < 0 {
        (end != 0).then(|| end.saturating_sub(1))
    } else {
        (end != -1).then(|| end.saturating_add(1))
    }
}

fn to_isize<T: TryInto<isize>>(v: T) -> isize {
    v.try_into().unwrap_or(isize::MAX)
}

impl SliceRange for RangeFull {
    fn bounds(self, _: isize) -> (Option<isize>, Option<isize>) {
        (None, None)
    }
}

macro_rules! int_items {
    ($($t:ty),*) => {$(
        impl From<$t> for IndexItem<'_> {
            fn from(i: $t) -> Self {
                IndexItem::Int(to_isize(i))
            }
        }
        impl SliceRange for Range<$t> {
            fn bounds(self, _: isize) -> (Option<isize>, Option<isize>) {
                (Some(to_isize(self.start)), Some(to_isize(self.end)))
            }
        }
        impl SliceRange for RangeFrom<$t> {
            fn bounds(self, _: isize) -> (Option<isize>, Option<isize>) {
                (Some(to_isize(self.start)), None)
            }
        }
        impl SliceRange for RangeTo<$t> {
            fn bounds(self, _: isize) -> (Option<isize>, Option<isize>) {
                (None, Some(to_isize(self.end)))
            }
        }
        impl SliceRange for RangeInclusive<$t> {
            fn bounds(self, step: isize) -> (Option<isize>, Option<isize>) {
                let (start, end) = self.into_inner();
                (Some(to_isize(start)), inclusive_stop(to_isize(end), step))
            }
        }
        impl SliceRange for RangeToInclusive<$t> {
            fn bounds(self, step: isize) -> (Option<isize>, Option<isize>) {
                (None, inclusive_stop(to_isize(self.end), step))
            }
        }
        slice_items!(Range<$t>, RangeFrom<$t>, RangeTo<$t>, RangeInclusive<$t>, RangeToInclusive<$t>);
    )*};
}

/// Ranges as unit-step slices.
macro_rules! slice_items {
    ($($r:ty),*) => {$(
        impl From<$r> for IndexItem<'_> {
            fn from(r: $r) -> Self {
                let (start, stop) = r.bounds(1);
                IndexItem::slice(start, stop, None)
            }
        }
    )*};
}
slice_items!(RangeFull);
int_items!(i32, i64, isize, usize);

impl From<NewAxis> for IndexItem<'_> {
    fn from(_: NewAxis) -> Self {
        IndexItem::NewAxis
    }
}

impl From<Ellipsis> for IndexItem<'_> {
    fn from(_: Ellipsis) -> Self {
        IndexItem::Ellipsis
    }
}

/// `true`/`false`: a 0-d mask, NumPy's `x[True]` (a new axis of length 1
/// or 0).
impl From<bool> for IndexItem<'_> {
    fn from(b: bool) -> Self {
        IndexItem::Array(Array::scalar(b))
    }
}

impl From<Array> for IndexItem<'_> {
    fn from(a: Array) -> Self {
        IndexItem::Array(a)
    }
}

impl From<&Array> for IndexItem<'_> {
    fn from(a: &Array) -> Self {
        IndexItem::Array(a.clone())
    }
}

impl<'g> From<Tensor<'g>> for IndexItem<'g> {
    fn from(t: Tensor<'g>) -> Self {
        IndexItem::Tensor(t)
    }
}

macro_rules! array_items {
    ($($t:ty),*) => {$(
        impl<const N: usize> From<[$t; N]> for IndexItem<'_> {
            fn from(a: [$t; N]) -> Self {
                IndexItem::Array(a.into_array())
            }
        }
        impl<const N: usize, const M: usize> From<[[$t; N]; M]> for IndexItem<'_> {
            fn from(a: [[$t; N]; M]) -> Self {
                IndexItem::Array(a.into_array())
            }
        }
        impl From<Vec<$t>> for IndexItem<'_> {
            fn from(a: Vec<$t>) -> Self {
                IndexItem::Array(a.into_array())
            }
        }
        impl From<&[$t]> for IndexItem<'_> {
            fn from(a: &[$t]) -> Self {
                IndexItem::Array(a.into_array())
            }
        }
    )*};
}
array_items!(i64, bool);

/// A whole index expression: NumPy's index tuple `x[i0, i1, ...]`.
///
/// Build it with [`s!`](crate::s), from a single item (`x.index(2)`), or
/// item by item with [`Index::push`]. An empty index is `x[()]`.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let x = g.arange(12.0).reshape(&[3, 4]);
/// let by_macro = x.index(s![1.., ..;-2]);
/// let by_hand = x.index(Index::new().push(1..).push(IndexItem::slice(None, None, Some(-2))));
/// assert_eq!(by_macro.to_string(), "Tensor([[ 7.,  5.],\n        [11.,  9.]])");
/// assert_eq!(by_hand.to_string(), by_macro.to_string());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Index<'g> {
    items: Vec<IndexItem<'g>>,
}

impl<'g> Index<'g> {
    /// The empty index `()`.
    pub fn new() -> Self {
        Index { items: Vec::new() }
    }

    /// An index of these items.
    pub fn from_items(items: Vec<IndexItem<'g>>) -> Self {
        Index { items }
    }

    /// The index with one more item at the end.
    #[must_use]
    pub fn push(mut self, item: impl Into<IndexItem<'g>>) -> Self {
        self.items.push(item.into());
        self
    }

    /// The items.
    pub fn items(&self) -> &[IndexItem<'g>] {
        &self.items
    }

    /// The index as an op's params and index-array inputs. A 0-d integer
    /// array is an integer, as in NumPy; a float array is an error.
    pub(crate) fn lower(&self, op: &'static str) -> Result<Lowered<'g>> {
        let mut params = Vec::new();
        let mut arrays = Vec::new();
        for item in &self.items {
            match item {
                IndexItem::Int(i) => params.extend([INT, *i]),
                IndexItem::Slice { start, stop, step } => {
                    encode_slice(&mut params, *start, *stop, step.unwrap_or(1))
                }
                IndexItem::NewAxis => params.push(NEW_AXIS),
                IndexItem::Ellipsis => params.push(ELLIPSIS),
                IndexItem::Array(a) => {
                    lower_array(a.dtype(), a.shape(), || first_int(a), op, &mut params)?;
                    if params.last() == Some(&ARRAY) {
                        arrays.push(Operand::Array(a.clone()));
                    }
                }
                IndexItem::Tensor(t) => {
                    let (dtype, shape) = (t.try_dtype()?, t.try_shape()?);
                    lower_array(dtype, &shape, || t.with_data(first_int), op, &mut params)?;
                    if params.last() == Some(&ARRAY) {
                        arrays.push(Operand::Tensor(*t));
                    }
                }
            }
        }
        Ok(Lowered { params, arrays })
    }
}

/// An index as an op's params and its index-array inputs.
pub(crate) struct Lowered<'g> {
    pub(crate) params: Vec<isize>,
    pub(crate) arrays: Vec<Operand<'g>>,
}

impl Lowered<'_> {
    /// Whether the index is basic (a view).
    pub(crate) fn is_basic(&self) -> bool {
        self.arrays.is_empty()
    }
}

/// The first element of a non-empty integer array.
fn first_int(a: &Array) -> i64 {
    match a.as_slice::<i64>() {
        Some(v) => v[0],
        None => a.as_slice::<i32>().expect("an integer array")[0].into(),
    }
}

/// Encodes an array item: a 0-d integer array as an integer (NumPy), other
/// integer and bool arrays as an `ARRAY`; anything else is an error.
fn lower_array(
    dtype: DType,
    shape: &[usize],
    item: impl FnOnce() -> i64,
    op: &'static str,
    params: &mut Vec<isize>,
) -> Result<()> {
    match dtype {
        DType::Int32 | DType::Int64 if shape.is_empty() => {
            let i = isize::try_from(item()).unwrap_or(isize::MAX);
            params.extend([INT, i]);
        }
        DType::Int32 | DType::Int64 | DType::Bool => params.push(ARRAY),
        dtype => return Err(Error::UnsupportedDType { op, dtype }),
    }
    Ok(())
}

impl<'g, T: Into<IndexItem<'g>>> From<T> for Index<'g> {
    fn from(item: T) -> Self {
        Index {
            items: vec![item.into()],
        }
    }
}

impl<'g> From<Vec<IndexItem<'g>>> for Index<'g> {
    fn from(items: Vec<IndexItem<'g>>) -> Self {
        Index { items }
    }
}

impl<'g> FromIterator<IndexItem<'g>> for Index<'g> {
    fn from_iter<I: IntoIterator<Item = IndexItem<'g>>>(iter: I) -> Self {
        Index {
            items: iter.into_iter().collect(),
        }
    }
}

/// Writes an [`Index`] the way Python writes `x[...]`.
///
/// | `s![...]` item | NumPy | meaning |
/// |---|---|---|
/// | `2`, `-1` | `2`, `-1` | one position; negative counts from the end |
/// | `1..3`, `1..`, `..3`, `..`, `1..=2` | `1:3`, `1:`, `:3`, `:`, `1:3` | a slice |
/// | `a..b;step`, `..;-1` | `a:b:step`, `::-1` | a slice with a step: the bounds are Python's, exactly (`4..0;-2` is `4:0:-2`) |
/// | `NewAxis` or `NEW` | `None` | a new size-1 axis |
/// | `...` | `...` | the ellipsis |
/// | `[0, 2, 2]`, `vec![..]`, an [`Array`](crate::Array), an int tensor | an integer array | advanced indexing (any shape; repeats allowed) |
/// | `[true, false]`, a bool array or tensor | a boolean mask | advanced indexing by `nonzero()` |
/// | `true`, `false` | `True`, `False` | a 0-d mask: a new axis of length 1 or 0 |
///
/// Unlike `ndarray`'s `s!`, a stepped range keeps Python's meaning (start,
/// stop, step) rather than "slice, then step".
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let x = g.arange(24.0).reshape(&[2, 3, 4]);
/// assert_eq!(x.index(s![0, 1..3, ..;2]).shape(), vec![2, 2]);
/// assert_eq!(x.index(s![-1, ..., NEW]).shape(), vec![3, 4, 1]);
/// assert_eq!(x.index(s![.., [0, 2, 2]]).shape(), vec![2, 3, 4]);
/// assert_eq!(x.index(s![[true, false], .., 3..;-2]).shape(), vec![1, 3, 2]);
/// assert_eq!(x.index(s![]).shape(), vec![2, 3, 4]);
/// ```
#[macro_export]
macro_rules! s {
    (@items [$($out:tt)*]) => {
        $crate::Index::from_items(::std::vec![$($out)*])
    };
    (@items [$($out:tt)*] ... $(, $($rest:tt)*)?) => {
        $crate::s!(@items [$($out)* $crate::IndexItem::Ellipsis,] $($($rest)*)?)
    };
    // Literal bounds are kept out of a Rust range expression, so that a
    // Python-style `4..0;-2` does not trip clippy's `reversed_empty_ranges`.
    (@items [$($out:tt)*] $a:literal .. $b:literal ; $step:expr $(, $($rest:tt)*)?) => {
        $crate::s!(@items [$($out)* $crate::IndexItem::slice(
            ::core::option::Option::Some($crate::IndexItem::bound($a)),
            ::core::option::Option::Some($crate::IndexItem::bound($b)),
            ::core::option::Option::Some($step),
        ),] $($($rest)*)?)
    };
    (@items [$($out:tt)*] $a:literal ..= $b:literal ; $step:expr $(, $($rest:tt)*)?) => {
        $crate::s!(@items [$($out)* $crate::IndexItem::stepped_inclusive($crate::IndexItem::bound($a), $crate::IndexItem::bound($b), $step),] $($($rest)*)?)
    };
    (@items [$($out:tt)*] $a:literal .. $b:literal $(, $($rest:tt)*)?) => {
        $crate::s!(@items [$($out)* $crate::IndexItem::slice(
            ::core::option::Option::Some($crate::IndexItem::bound($a)),
            ::core::option::Option::Some($crate::IndexItem::bound($b)),
            ::core::option::Option::None,
        ),] $($($rest)*)?)
    };
    (@items [$($out:tt)*] $r:expr ; $step:expr $(, $($rest:tt)*)?) => {
        $crate::s!(@items [$($out)* $crate::IndexItem::stepped($r, $step),] $($($rest)*)?)
    };
    (@items [$($out:tt)*] $e:expr $(, $($rest:tt)*)?) => {
        $crate::s!(@items [$($out)* $crate::IndexItem::from($e),] $($($rest)*)?)
    };
    ($($t:tt)*) => {
        $crate::s!(@items [] $($t)*)
    };
}
