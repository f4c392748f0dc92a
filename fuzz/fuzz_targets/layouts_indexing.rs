//! Views and indexing against a naive index map: a float64 tensor built
//! from `arange` goes through a random chain of reshape, transpose,
//! broadcast_to and `s![]`-style indexing (integers, slices with positive
//! and negative steps, new axes, an ellipsis, integer arrays and 1-D bool
//! masks, valid and invalid). The reference is a plain `Vec<usize>` + shape
//! mapping each output element (C order) to the source's flat index.
//! Invariants: an op fails exactly when the reference says NumPy would
//! (a few genuinely unspecified corners accept either), a result has the
//! reference's shape and values, and the gradient of `sum(result)` with
//! respect to the source counts how often each source element was used.
#![no_main]

use causing_diff::{Array, Error, Graph, Index, IndexItem, Tensor, TensorOptions};
use libfuzzer_sys::fuzz_target;

mod common;
use common::{broadcast, broadcast_flat, ravel, unravel, Bytes};

/// What NumPy would do with an op: succeed, fail, or either (a corner the
/// reference does not pin down).
enum Expect {
    Ok(Ref),
    Err,
    Either(Option<Ref>),
}

/// The naive model of a view: its shape, and for each element in C order
/// the flat index in the source it reads.
#[derive(Clone, Debug)]
struct Ref {
    shape: Vec<usize>,
    map: Vec<usize>,
}

/// The element count (0 with any size-0 axis, saturating otherwise).
fn size(shape: &[usize]) -> usize {
    if shape.contains(&0) {
        return 0;
    }
    shape.iter().fold(1usize, |acc, &d| acc.saturating_mul(d))
}

/// Whether NumPy refuses `shape` as too big even when it is empty: it skips
/// zero dims but the product of the others must fit in `isize` ("array is
/// too big").
fn overflows(shape: &[usize]) -> bool {
    shape
        .iter()
        .filter(|&&d| d != 0)
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .is_none_or(|n| n > isize::MAX as usize)
}

/// NumPy's cap on the number of dimensions (`NPY_MAXDIMS`), which the
/// fuzzer's chains of new axes can exceed.
const MAX_NDIM: usize = 64;

/// Python's `slice(start, stop, step).indices(len)`, expanded.
fn slice_positions(
    len: usize,
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
) -> Vec<usize> {
    let len = len as isize;
    let (lower, upper) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let clamp = |v: Option<isize>, default: isize| match v {
        None => default,
        Some(v) if v < 0 => (v + len).max(lower),
        Some(v) => v.min(upper),
    };
    let start = clamp(start, if step > 0 { lower } else { upper });
    let stop = clamp(stop, if step > 0 { upper } else { lower });
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    out
}

/// An index item as the reference sees it.
#[derive(Clone, Debug)]
enum Item {
    Int(isize),
    Slice(Option<isize>, Option<isize>, isize),
    New,
    Ellipsis,
    /// An integer array: shape and values.
    Ints(Vec<usize>, Vec<i64>),
    /// A 1-D bool mask.
    Mask(Vec<bool>),
}

impl Item {
    fn to_index_item(&self) -> IndexItem<'static> {
        match self {
            Item::Int(i) => IndexItem::Int(*i),
            Item::Slice(start, stop, step) => IndexItem::slice(*start, *stop, Some(*step)),
            Item::New => IndexItem::NewAxis,
            Item::Ellipsis => IndexItem::Ellipsis,
            Item::Ints(shape, v) => {
                IndexItem::Array(Array::from_shape_vec(shape, v.clone()).expect("shape fits"))
            }
            Item::Mask(m) => IndexItem::Array(Array::from_vec(m.clone())),
        }
    }
}

/// One resolved entry of an expanded index.
enum Entry {
    /// Positions along one source axis (a slice, or a full axis).
    Basic(usize, Vec<usize>),
    /// A basic integer: drops the source axis.
    Fixed(usize, usize),
    New,
    /// An advanced index on a source axis: its (broadcast later) shape and positions.
    Fancy(usize, Vec<usize>, Vec<usize>),
    /// An ellipsis standing for zero axes, which still separates advanced items.
    Gap,
}

fn normalize(i: i64, len: usize) -> Option<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&j).then_some(j as usize)
}

impl Ref {
    fn arange(shape: &[usize]) -> Ref {
        Ref {
            shape: shape.to_vec(),
            map: (0..size(shape)).collect(),
        }
    }

    fn reshape(&self, to: &[isize]) -> Expect {
        let unknown = to.iter().filter(|&&d| d < 0).count();
        let known: usize = to
            .iter()
            .filter(|&&d| d >= 0)
            .map(|&d| d as usize)
            .product();
        let n = size(&self.shape);
        let shape: Vec<usize> = match unknown {
            0 if known == n => to.iter().map(|&d| d as usize).collect(),
            1 if known != 0 && n.is_multiple_of(known) => to
                .iter()
                .map(|&d| if d < 0 { n / known } else { d as usize })
                .collect(),
            _ => return Expect::Err,
        };
        Expect::Ok(Ref {
            shape,
            map: self.map.clone(),
        })
    }

    fn transpose(&self, axes: &[isize]) -> Expect {
        let nd = self.shape.len() as isize;
        if axes.len() != self.shape.len() {
            return Expect::Err;
        }
        let mut perm = Vec::new();
        for &a in axes {
            if a < -nd || a >= nd {
                return Expect::Err;
            }
            let a = a.rem_euclid(nd.max(1)) as usize;
            if perm.contains(&a) {
                return Expect::Err;
            }
            perm.push(a);
        }
        let shape: Vec<usize> = perm.iter().map(|&p| self.shape[p]).collect();
        let map = (0..size(&shape))
            .map(|flat| {
                let out = unravel(flat, &shape);
                let mut src = vec![0; perm.len()];
                for (k, &p) in perm.iter().enumerate() {
                    src[p] = out[k];
                }
                self.map[ravel(&src, &self.shape)]
            })
            .collect();
        Expect::Ok(Ref { shape, map })
    }

    fn broadcast_to(&self, to: &[usize]) -> Expect {
        match broadcast(&self.shape, to) {
            Some(b) if b == to => {}
            _ => return Expect::Err,
        }
        let map = (0..size(to))
            .map(|flat| self.map[broadcast_flat(&unravel(flat, to), &self.shape)])
            .collect();
        Expect::Ok(Ref {
            shape: to.to_vec(),
            map,
        })
    }

    fn index(&self, items: &[Item]) -> Expect {
        // NumPy reads a 0-d integer array as a plain integer.
        let items: Vec<Item> = items
            .iter()
            .map(|it| match it {
                Item::Ints(shape, v) if shape.is_empty() => Item::Int(v[0] as isize),
                other => other.clone(),
            })
            .collect();
        let items = &items[..];
        let nd = self.shape.len();
        let advanced = items
            .iter()
            .any(|it| matches!(it, Item::Ints(..) | Item::Mask(_)));
        let indexed = items
            .iter()
            .filter(|it| !matches!(it, Item::New | Item::Ellipsis))
            .count();
        if indexed > nd
            || items
                .iter()
                .filter(|it| matches!(it, Item::Ellipsis))
                .count()
                > 1
        {
            return Expect::Err;
        }
        // Expand to entries over the source axes.
        let mut entries = Vec::new();
        let mut axis = 0;
        // Out-of-range advanced positions whose broadcast result is empty:
        // whether NumPy checks them then is not pinned down here.
        let mut bad_advanced = false;
        for it in items {
            match it {
                Item::Int(i) => {
                    let Some(p) = normalize(*i as i64, self.shape[axis]) else {
                        if advanced {
                            bad_advanced = true;
                            entries.push(Entry::Fancy(axis, vec![], vec![0]));
                            axis += 1;
                            continue;
                        }
                        return Expect::Err;
                    };
                    entries.push(if advanced {
                        Entry::Fancy(axis, vec![], vec![p])
                    } else {
                        Entry::Fixed(axis, p)
                    });
                    axis += 1;
                }
                Item::Slice(start, stop, step) => {
                    if *step == 0 {
                        return Expect::Err;
                    }
                    entries.push(Entry::Basic(
                        axis,
                        slice_positions(self.shape[axis], *start, *stop, *step),
                    ));
                    axis += 1;
                }
                Item::New => entries.push(Entry::New),
                Item::Ellipsis => {
                    if nd == indexed {
                        entries.push(Entry::Gap);
                    }
                    for _ in 0..nd - indexed {
                        entries.push(Entry::Basic(axis, (0..self.shape[axis]).collect()));
                        axis += 1;
                    }
                }
                Item::Ints(shape, values) => {
                    let mut pos = Vec::new();
                    for &v in values {
                        match normalize(v, self.shape[axis]) {
                            Some(p) => pos.push(p),
                            None => {
                                bad_advanced = true;
                                pos.push(0);
                            }
                        }
                    }
                    entries.push(Entry::Fancy(axis, shape.clone(), pos));
                    axis += 1;
                }
                Item::Mask(m) => {
                    if m.len() != self.shape[axis] {
                        return Expect::Err;
                    }
                    let pos: Vec<usize> = (0..m.len()).filter(|&k| m[k]).collect();
                    entries.push(Entry::Fancy(axis, vec![pos.len()], pos));
                    axis += 1;
                }
            }
        }
        while axis < nd {
            entries.push(Entry::Basic(axis, (0..self.shape[axis]).collect()));
            axis += 1;
        }
        // Broadcast the advanced shapes; find where their dimensions go.
        let mut fancy_shape: Vec<usize> = Vec::new();
        let mut first_fancy = None;
        let mut split = false;
        let mut after_run = false;
        let mut out_pos = 0;
        for e in &entries {
            match e {
                Entry::Fancy(_, shape, _) => {
                    match broadcast(&fancy_shape, shape) {
                        Some(b) => fancy_shape = b,
                        None => return Expect::Err,
                    }
                    if first_fancy.is_none() {
                        first_fancy = Some(out_pos);
                    } else if after_run {
                        split = true;
                    }
                }
                Entry::Basic(..) | Entry::New | Entry::Gap | Entry::Fixed(..) => {
                    if first_fancy.is_some() {
                        after_run = true;
                    }
                    if matches!(e, Entry::Basic(..) | Entry::New) {
                        out_pos += 1;
                    }
                }
            }
        }
        let fancy_at = if split { 0 } else { first_fancy.unwrap_or(0) };
        let fancy_nd = fancy_shape.len();
        // The output's shape: basic dims in order, the advanced block at fancy_at.
        let mut basic_dims: Vec<usize> = Vec::new();
        for e in &entries {
            match e {
                Entry::Basic(_, p) => basic_dims.push(p.len()),
                Entry::New => basic_dims.push(1),
                _ => {}
            }
        }
        let mut shape = basic_dims.clone();
        if first_fancy.is_some() {
            for (k, &d) in fancy_shape.iter().enumerate() {
                shape.insert(fancy_at + k, d);
            }
        }
        if bad_advanced {
            return if size(&fancy_shape) == 0 {
                Expect::Either(None)
            } else {
                Expect::Err
            };
        }
        if size(&shape) > 4096 {
            return Expect::Either(None);
        }
        let map = (0..size(&shape))
            .map(|flat| {
                let out = unravel(flat, &shape);
                let (fancy_idx, basic_idx): (Vec<usize>, Vec<usize>) = if first_fancy.is_some() {
                    let f = out[fancy_at..fancy_at + fancy_nd].to_vec();
                    let mut b = out[..fancy_at].to_vec();
                    b.extend_from_slice(&out[fancy_at + fancy_nd..]);
                    (f, b)
                } else {
                    (vec![], out)
                };
                let mut src = vec![0; nd];
                let mut k = 0;
                for e in &entries {
                    match e {
                        Entry::Basic(a, p) => {
                            src[*a] = p[basic_idx[k]];
                            k += 1;
                        }
                        Entry::New => k += 1,
                        Entry::Fixed(a, p) => src[*a] = *p,
                        Entry::Fancy(a, s, p) => src[*a] = p[broadcast_flat(&fancy_idx, s)],
                        Entry::Gap => {}
                    }
                }
                self.map[ravel(&src, &self.shape)]
            })
            .collect();
        Expect::Ok(Ref { shape, map })
    }
}

fn gen_shape(b: &mut Bytes) -> Vec<usize> {
    loop {
        let nd = b.below(5);
        let shape: Vec<usize> = (0..nd).map(|_| b.below(5)).collect();
        if size(&shape) <= 64 {
            return shape;
        }
        if b.0.is_empty() {
            return vec![];
        }
    }
}

fn gen_index(b: &mut Bytes, shape: &[usize]) -> Vec<Item> {
    let n = b.below(shape.len() + 3);
    let mut items = Vec::new();
    let mut axis = 0;
    let mut ellipsis = false;
    let mut arrays = 0;
    for _ in 0..n {
        let len = shape.get(axis).copied().unwrap_or(1) as isize;
        let item = match b.below(10) {
            0 | 1 => Item::Int(b.range(-len - 1, len)),
            2..=4 => {
                let bound = |b: &mut Bytes| {
                    (!b.next().is_multiple_of(4)).then(|| b.range(-len - 2, len + 2))
                };
                let start = bound(b);
                let stop = bound(b);
                let step = match b.below(16) {
                    0 => 0,
                    k => [1, 1, 2, 3, -1, -1, -2, -3][k % 8],
                };
                Item::Slice(start, stop, step)
            }
            5 => Item::New,
            6 if !ellipsis => {
                ellipsis = true;
                Item::Ellipsis
            }
            7 | 8 if arrays < 2 => {
                arrays += 1;
                let ashape: Vec<usize> = (0..b.below(3)).map(|_| b.below(4)).collect();
                let values = (0..size(&ashape))
                    .map(|_| b.range(-len - 1, len) as i64)
                    .collect();
                Item::Ints(ashape, values)
            }
            9 if arrays < 2 => {
                arrays += 1;
                let n = if b.below(8) == 0 {
                    b.below(5)
                } else {
                    len as usize
                };
                Item::Mask((0..n).map(|_| b.next() & 1 == 1).collect())
            }
            _ => Item::Slice(None, None, 1),
        };
        if !matches!(item, Item::New | Item::Ellipsis) {
            axis += 1;
        }
        items.push(item);
    }
    items
}

fn check(t: Tensor, r: &Ref) {
    let data = t.try_data().expect("a live tensor has data");
    assert_eq!(data.shape(), &r.shape[..], "shape");
    let got = data.to_f64_vec();
    let want: Vec<f64> = r.map.iter().map(|&i| i as f64).collect();
    assert_eq!(got, want, "values of shape {:?}", r.shape);
}

fuzz_target!(|input: &[u8]| {
    let mut b = Bytes(input);
    let shape = gen_shape(&mut b);
    let g = Graph::new();
    let n = size(&shape);
    let base = Array::from_shape_vec(&shape, (0..n).map(|i| i as f64).collect::<Vec<f64>>())
        .expect("shape fits");
    let src = g
        .try_tensor_with(base, TensorOptions::new())
        .expect("a float64 variable");
    let mut t = src;
    let mut r = Ref::arange(&shape);
    for _ in 0..1 + b.below(6) {
        let cur = r.shape.clone();
        let nd = cur.len();
        let (got, want) = match b.below(4) {
            0 => {
                // A valid factorisation of the size, sometimes with -1 or a wrong dim.
                let mut to: Vec<isize> = Vec::new();
                let mut rest = size(&cur);
                for _ in 0..b.below(4) {
                    let d = [1, 2, 3, 4, 0][b.below(5)];
                    if d != 0 && rest.is_multiple_of(d) {
                        to.push(d as isize);
                        rest /= d;
                    }
                }
                to.push(rest as isize);
                let k = b.below(to.len());
                match b.below(4) {
                    0 => to[k] = -1,
                    1 if b.below(4) == 0 => to[k] = b.range(0, 5),
                    _ => {}
                }
                (t.try_reshape(&to), r.reshape(&to))
            }
            1 => {
                let mut perm: Vec<isize> = (0..nd as isize).collect();
                for k in (1..nd).rev() {
                    perm.swap(k, b.below(k + 1));
                }
                match b.below(8) {
                    0 if nd > 0 => perm[b.below(nd)] -= nd as isize,
                    1 if nd > 0 => perm[b.below(nd)] = b.range(-4, 4),
                    2 => perm.truncate(b.below(nd + 1)),
                    _ => {}
                }
                (t.try_transpose_axes(&perm), r.transpose(&perm))
            }
            2 => {
                let mut to: Vec<usize> = (0..b.below(3)).map(|_| b.below(4)).collect();
                for &d in &cur {
                    to.push(if d == 1 || b.below(8) == 0 {
                        b.below(4)
                    } else {
                        d
                    });
                }
                if size(&to) > 1024 {
                    continue;
                }
                (t.try_broadcast_to(&to), r.broadcast_to(&to))
            }
            _ => {
                let items = gen_index(&mut b, &cur);
                let index = Index::from_items(items.iter().map(Item::to_index_item).collect());
                (t.try_index(index), r.index(&items))
            }
        };
        match (got, want) {
            (Ok(next), Expect::Ok(rn)) | (Ok(next), Expect::Either(Some(rn))) => {
                check(next, &rn);
                t = next;
                r = rn;
            }
            (Ok(next), Expect::Either(None)) => {
                // Unreferenced: keep going from the reference's last state.
                let _ = next.try_data();
            }
            (Err(_), Expect::Err | Expect::Either(_)) => {}
            (Ok(next), Expect::Err) => panic!(
                "expected an error from shape {:?}, got a result of shape {:?}",
                cur,
                next.try_shape()
            ),
            (Err(Error::TooLarge { .. }), Expect::Ok(rn)) if overflows(&rn.shape) => {}
            (Err(Error::InvalidArgument { .. }), Expect::Ok(rn)) if rn.shape.len() > MAX_NDIM => {}
            (Err(e), Expect::Ok(rn)) => {
                panic!(
                    "shape {cur:?}: unexpected error {e} (reference shape {:?})",
                    rn.shape
                )
            }
        }
    }
    // d sum(result) / d source = how often each source element was read.
    let total = t
        .try_sum_with(None, false)
        .expect("sum of a float64 tensor");
    total.try_backward().expect("backward on a fresh graph");
    let grad = src
        .try_grad()
        .expect("live")
        .expect("the source is a variable");
    assert_eq!(grad.shape(), &shape[..], "gradient shape");
    let mut counts = vec![0.0; n];
    for &i in &r.map {
        counts[i] += 1.0;
    }
    assert_eq!(grad.to_f64_vec(), counts, "gradient = scatter counts");
    if b.flag() {
        set_index(&g, &mut b, &shape);
    }
});

/// `x[index] = v` on a fresh arange: written positions hold a value of `v`
/// (any of them where an advanced index repeats a position: NumPy does not
/// promise which write wins), the rest keep the source; `v` must broadcast
/// to the indexed shape. The gradient of `sum(x')` w.r.t. `x` is 0 where
/// written and 1 elsewhere; `v`'s gradient has `v`'s shape.
fn set_index(g: &Graph, b: &mut Bytes, shape: &[usize]) {
    let n = size(shape);
    let base: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let x = g
        .try_tensor_with(
            Array::from_shape_vec(shape, base.clone()).expect("shape fits"),
            TensorOptions::new(),
        )
        .expect("a float64 variable");
    let items = gen_index(b, shape);
    let index = || Index::from_items(items.iter().map(Item::to_index_item).collect());
    let sel = match Ref::arange(shape).index(&items) {
        Expect::Ok(sel) => sel,
        Expect::Err => {
            assert!(
                x.try_set_index(index(), -1.0).is_err(),
                "setitem accepted an invalid index"
            );
            return;
        }
        Expect::Either(_) => return,
    };
    let nd = sel.shape.len();
    let mut vshape: Vec<usize> = sel.shape[b.below(nd + 1)..]
        .iter()
        .map(|&d| if b.flag() { 1 } else { d })
        .collect();
    if !vshape.is_empty() && b.below(8) == 0 {
        let k = b.below(vshape.len());
        vshape[k] += 1;
    }
    let vvals: Vec<f64> = (0..size(&vshape)).map(|k| 1000.0 + k as f64).collect();
    let v = g
        .try_tensor_with(
            Array::from_shape_vec(&vshape, vvals.clone()).expect("shape fits"),
            TensorOptions::new(),
        )
        .expect("a float64 variable");
    let fits = broadcast(&vshape, &sel.shape).as_deref() == Some(&sel.shape[..]);
    let y = match x.try_set_index(index(), v) {
        Ok(y) => y,
        Err(e) => {
            assert!(!fits, "setitem of {vshape:?} into {:?}: {e}", sel.shape);
            return;
        }
    };
    assert!(fits, "setitem accepted {vshape:?} into {:?}", sel.shape);
    let mut written: Vec<Vec<f64>> = vec![Vec::new(); n];
    for (k, &pos) in sel.map.iter().enumerate() {
        let at = broadcast_flat(&unravel(k, &sel.shape), &vshape);
        written[pos].push(vvals[at]);
    }
    let got = y.try_data().expect("live").to_f64_vec();
    for (pos, w) in written.iter().enumerate() {
        let ok = if w.is_empty() {
            got[pos] == base[pos]
        } else {
            w.contains(&got[pos])
        };
        assert!(
            ok,
            "setitem: position {pos} holds {}, candidates {w:?}",
            got[pos]
        );
    }
    let total = y.try_sum_with(None, false).expect("sum");
    total.try_backward().expect("backward on a fresh graph");
    let gx = x
        .try_grad()
        .expect("live")
        .expect("x is a variable")
        .to_f64_vec();
    let want: Vec<f64> = written
        .iter()
        .map(|w| if w.is_empty() { 1.0 } else { 0.0 })
        .collect();
    assert_eq!(gx, want, "setitem: d sum / d x");
    let gv = v.try_grad().expect("live").expect("v is a variable");
    assert_eq!(
        gv.shape(),
        &vshape[..],
        "setitem: gradient shape of the value"
    );
}
