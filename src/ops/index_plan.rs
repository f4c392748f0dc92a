//! NumPy's indexing rules: from an index expression and a shape to an
//! [`IndexMap`] (where each element of `x[index]` lives in `x`) and the
//! result's shape. The index ops resolve their plan in the forward pass and
//! again in the backward pass, so a node stores only its params.
//!
//! An index is encoded in an op's params as a sequence of items: `[INT, i]`,
//! `[SLICE, flags, start, stop, step]` (flags: bit 0 start given, bit 1 stop
//! given), `[NEW_AXIS]`, `[ELLIPSIS]`, `[ARRAY]`. The `k`-th `ARRAY` item is
//! the op's `k`-th index-array input: integers (advanced indexing) or bools
//! (a mask, by its `nonzero()`).

use causing_diff_kernels::{map1, Dims, IndexMap, Layout};

use crate::array::Array;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval;

pub(crate) const INT: isize = 0;
pub(crate) const SLICE: isize = 1;
pub(crate) const NEW_AXIS: isize = 2;
pub(crate) const ELLIPSIS: isize = 3;
pub(crate) const ARRAY: isize = 4;

/// A decoded index item.
#[derive(Clone, Copy, Debug)]
enum Item {
    Int(isize),
    Slice(Option<isize>, Option<isize>, isize),
    NewAxis,
    Ellipsis,
    /// The `k`-th index array.
    Array(usize),
}

fn decode(params: &[isize]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut k = 0;
    let mut i = 0;
    while i < params.len() {
        let item = match params[i] {
            INT => {
                i += 1;
                Item::Int(params[i])
            }
            SLICE => {
                let (flags, start, stop, step) =
                    (params[i + 1], params[i + 2], params[i + 3], params[i + 4]);
                i += 4;
                Item::Slice(
                    (flags & 1 != 0).then_some(start),
                    (flags & 2 != 0).then_some(stop),
                    step,
                )
            }
            NEW_AXIS => Item::NewAxis,
            ELLIPSIS => Item::Ellipsis,
            _ => {
                k += 1;
                Item::Array(k - 1)
            }
        };
        items.push(item);
        i += 1;
    }
    items
}

/// Appends the encoding of a slice item to `params`.
pub(crate) fn encode_slice(
    params: &mut Vec<isize>,
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
) {
    let flags = isize::from(start.is_some()) | (isize::from(stop.is_some()) << 1);
    params.extend([SLICE, flags, start.unwrap_or(0), stop.unwrap_or(0), step]);
}

/// Python's `slice.indices(n)` and the slice's length: `(start, len)`.
fn slice_indices(
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
    n: usize,
) -> (usize, usize) {
    let (n, step) = (n as i128, step as i128);
    let clamp = |v: Option<isize>, default: i128| match v {
        None => default,
        Some(v) => {
            let v = v as i128;
            if v < 0 {
                (v + n).max(if step < 0 { -1 } else { 0 })
            } else {
                v.min(if step < 0 { n - 1 } else { n })
            }
        }
    };
    let start = clamp(start, if step < 0 { n - 1 } else { 0 });
    let stop = clamp(stop, if step < 0 { -1 } else { n });
    let len = if step < 0 && stop < start {
        (start - stop - 1) / -step + 1
    } else if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    if len == 0 {
        (0, 0)
    } else {
        (start as usize, len as usize)
    }
}

/// One advanced index: the values selecting along axis `pos` of the basic
/// layout (of length `len`; axis `axis` of `x`, for errors).
struct Adv {
    pos: usize,
    len: usize,
    axis: usize,
    values: Vec<i64>,
    shape: Dims,
}

/// Where the elements of `x[index]` live in `x`.
pub(crate) struct Plan {
    /// The shape of `x[index]`.
    pub(crate) shape: Dims,
    /// The basic part of the index: a view of `x` without the advanced axes.
    base: Layout,
    /// How many axes of `base` come before the advanced dimensions.
    split: usize,
    /// The offset each advanced element adds, in C order over their shape.
    adv: Vec<usize>,
    /// Whether the index has arrays or masks (a copy, not a view).
    pub(crate) advanced: bool,
}

impl Plan {
    /// Resolves the index encoded in `params` against a shape; `array(k)`
    /// is the `k`-th index array.
    pub(crate) fn new<'a>(
        shape: &[usize],
        params: &[isize],
        array: impl Fn(usize) -> &'a Array,
        op: &'static str,
    ) -> Result<Plan> {
        let items = decode(params);
        let ndim = shape.len();
        let advanced = items.iter().any(|it| matches!(it, Item::Array(_)));
        let mut indexed = 0;
        let mut ellipses = 0;
        let mut new_axes = 0;
        for &it in &items {
            match it {
                Item::Int(_) | Item::Slice(..) => indexed += 1,
                Item::Array(k) => {
                    let a = array(k);
                    indexed += if a.dtype() == DType::Bool {
                        a.ndim()
                    } else {
                        1
                    };
                }
                Item::Ellipsis => ellipses += 1,
                Item::NewAxis => new_axes += 1,
            }
        }
        if ellipses > 1 {
            return Err(Error::InvalidArgument {
                op,
                message: "an index can only have a single ellipsis ('...')".into(),
            });
        }
        if indexed > ndim {
            return Err(Error::TooManyIndices { op, ndim, indexed });
        }
        // Before inserting axes one by one (each insertion costs ndim).
        eval::check_ndim(ndim - indexed + new_axes, op)?;
        let mut l = Layout::contiguous(shape);
        let mut advs: Vec<Adv> = Vec::new();
        let (mut pos, mut axis) = (0, 0);
        // NumPy's rule for where the advanced dimensions go: in place when the
        // advanced items are adjacent, first when a slice, ellipsis or new
        // axis separates them. -1: none yet, 0: in a run, 1: after a run, 2: split.
        let mut run = -1;
        for &it in &items {
            let fancy = advanced && matches!(it, Item::Int(_) | Item::Array(_));
            run = match (fancy, run) {
                (true, -1) => 0,
                (true, 1) => 2,
                (false, 0) => 1,
                (_, r) => r,
            };
            match it {
                Item::Int(i) => {
                    let len = l.dims()[pos];
                    let at = normalize(i as i64, len, axis, op)?;
                    if advanced {
                        // With arrays present, integers index as 0-d arrays.
                        advs.push(Adv {
                            pos,
                            len,
                            axis,
                            values: vec![at as i64],
                            shape: Dims::new(),
                        });
                        pos += 1;
                    } else {
                        l = l.index_axis(pos, at);
                    }
                    axis += 1;
                }
                Item::Slice(start, stop, step) => {
                    if step == 0 {
                        return Err(Error::InvalidArgument {
                            op,
                            message: "slice step cannot be zero".into(),
                        });
                    }
                    let (s, len) = slice_indices(start, stop, step, l.dims()[pos]);
                    // A step only matters between two elements.
                    l = l.slice_axis(pos, s, len, if len > 1 { step } else { 1 });
                    pos += 1;
                    axis += 1;
                }
                Item::NewAxis => {
                    l = l.insert_axis(pos);
                    pos += 1;
                }
                Item::Ellipsis => {
                    pos += ndim - indexed;
                    axis += ndim - indexed;
                }
                Item::Array(k) => {
                    let a = array(k);
                    match a.dtype() {
                        DType::Bool if a.ndim() == 0 => {
                            // A 0-d mask indexes a new size-1 axis: [0] or [].
                            l = l.insert_axis(pos);
                            let n = usize::from(a.as_slice::<bool>().expect("bool")[0]);
                            advs.push(Adv {
                                pos,
                                len: 1,
                                axis,
                                values: vec![0; n],
                                shape: Dims::from([n]),
                            });
                            pos += 1;
                        }
                        DType::Bool => {
                            let k = a.ndim();
                            let dims = &l.dims()[pos..pos + k];
                            if a.shape() != dims {
                                return Err(Error::ShapeMismatch {
                                    op,
                                    shapes: vec![a.shape().to_vec(), dims.to_vec()],
                                    detail:
                                        "the boolean index does not match the indexed axes: shapes",
                                });
                            }
                            for (d, values) in nonzero(a).into_iter().enumerate() {
                                let n = values.len();
                                advs.push(Adv {
                                    pos: pos + d,
                                    len: dims[d],
                                    axis: axis + d,
                                    values,
                                    shape: Dims::from([n]),
                                });
                            }
                            pos += k;
                            axis += k;
                        }
                        DType::Int32 | DType::Int64 => {
                            let values = match a.as_slice::<i64>() {
                                Some(v) => v.to_vec(),
                                None => eval::slice::<i32>(a).iter().map(|&v| v.into()).collect(),
                            };
                            advs.push(Adv {
                                pos,
                                len: l.dims()[pos],
                                axis,
                                values,
                                shape: Dims::from(a.shape()),
                            });
                            pos += 1;
                            axis += 1;
                        }
                        dtype => return Err(Error::UnsupportedDType { op, dtype }),
                    }
                }
            }
        }
        if !advanced {
            return Ok(Plan {
                shape: Dims::from(l.dims()),
                split: l.ndim(),
                base: l,
                adv: vec![0],
                advanced,
            });
        }
        Plan::advanced(l, advs, run == 2, op)
    }

    /// The advanced part: broadcast the index arrays, check and normalise
    /// their entries, and drop their axes from the basic layout.
    fn advanced(l: Layout, advs: Vec<Adv>, split_up: bool, op: &'static str) -> Result<Plan> {
        let mut b = Dims::new();
        for a in &advs {
            b = causing_diff_kernels::broadcast_shapes(&b, &a.shape).ok_or_else(|| {
                Error::ShapeMismatch {
                    op,
                    shapes: advs.iter().map(|a| a.shape.to_vec()).collect(),
                    detail: "indexing arrays could not be broadcast together with shapes",
                }
            })?;
        }
        let n = eval::size(&b, op)?;
        let mut adv = eval::try_vec(n, 0usize, op, &b)?;
        // As NumPy, the entries are only checked when some are used.
        if n > 0 {
            let mut full = eval::try_vec(n, 0i64, op, &b)?;
            for a in &advs {
                let values = a
                    .values
                    .iter()
                    .map(|&v| normalize(v, a.len, a.axis, op).map(|v| v as i64))
                    .collect::<Result<Vec<i64>>>()?;
                let layout = Layout::contiguous(&a.shape)
                    .broadcast_to(&b)
                    .expect("broadcast shape");
                map1(&values, &layout, &mut full, |v| v);
                let stride = l.strides()[a.pos] as usize;
                for (o, &v) in adv.iter_mut().zip(&full) {
                    *o += stride * v as usize;
                }
            }
        }
        let keep: Vec<usize> = (0..l.ndim())
            .filter(|p| advs.iter().all(|a| a.pos != *p))
            .collect();
        let dims: Dims = keep.iter().map(|&p| l.dims()[p]).collect();
        let strides: Vec<isize> = keep.iter().map(|&p| l.strides()[p]).collect();
        let base = if n > 0 && !dims.contains(&0) {
            Layout::new(&dims, &strides, l.offset())
        } else {
            Layout::contiguous(&dims)
        };
        let split = if split_up { 0 } else { advs[0].pos };
        let mut shape = Dims::from(&dims[..split]);
        for &d in b.iter().chain(&dims[split..]) {
            shape.push(d);
        }
        Ok(Plan {
            shape,
            base,
            split,
            adv,
            advanced: true,
        })
    }

    /// The index map of `x[index]` over `x`'s contiguous data.
    pub(crate) fn map(&self) -> IndexMap<'_> {
        IndexMap::new(&self.base, self.split, &self.adv)
    }
}

/// An index in `[-len, len)` as a position, or `IndexOutOfRange`.
fn normalize(i: i64, len: usize, axis: usize, op: &'static str) -> Result<usize> {
    let n = len as i64;
    if i < -n || i >= n {
        return Err(Error::IndexOutOfRange {
            op,
            index: i,
            axis,
            len,
        });
    }
    Ok(if i < 0 { (i + n) as usize } else { i as usize })
}

/// The coordinates of the true entries of a mask, one vector per axis, in
/// C order (NumPy's `nonzero`).
fn nonzero(mask: &Array) -> Vec<Vec<i64>> {
    let shape = mask.shape();
    let mut coords = vec![Vec::new(); shape.len()];
    let mut idx = vec![0usize; shape.len()];
    for &m in mask.as_slice::<bool>().expect("bool mask") {
        if m {
            for (c, &i) in coords.iter_mut().zip(&idx) {
                c.push(i as i64);
            }
        }
        for a in (0..shape.len()).rev() {
            idx[a] += 1;
            if idx[a] < shape[a] {
                break;
            }
            idx[a] = 0;
        }
    }
    coords
}

#[cfg(test)]
mod tests {
    use super::slice_indices;

    #[test]
    fn slices_clamp_like_python() {
        // (start, len) of range(5)[start:stop:step]
        assert_eq!(slice_indices(None, None, 1, 5), (0, 5));
        assert_eq!(slice_indices(None, None, -1, 5), (4, 5));
        assert_eq!(slice_indices(Some(-2), Some(1), 1, 5), (0, 0));
        assert_eq!(slice_indices(Some(-7), None, -1, 5), (0, 0));
        assert_eq!(slice_indices(Some(4), Some(0), -2, 6), (4, 2));
        assert_eq!(slice_indices(Some(-1), Some(-7), -1, 6), (5, 6));
        assert_eq!(slice_indices(Some(6), None, 3, 4), (0, 0));
        assert_eq!(slice_indices(Some(-7), Some(7), 1, 5), (0, 5));
        assert_eq!(slice_indices(None, None, -3, 5), (4, 2));
        assert_eq!(slice_indices(Some(1), None, isize::MAX, 5), (1, 1));
        assert_eq!(slice_indices(None, None, isize::MIN, 5), (4, 1));
        assert_eq!(slice_indices(None, None, 1, 0), (0, 0));
    }
}
