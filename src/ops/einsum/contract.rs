//! Evaluating an einsum over labelled operands. Each operand is a strided
//! view over its distinct labels (a diagonal where a label repeats, a
//! stride-0 stretch where it broadcasts). The evaluation follows MyGrad, so
//! that float32 results round as its do:
//!
//! - two operands that form a large enough matrix product go through the
//!   kernels' matmul (MyGrad's `_einsum_via_matmul`, with its conditions);
//! - otherwise one loop over every label, in NumPy's order (NumPy's
//!   `einsum`, which MyGrad calls without `optimize`);
//! - except that three or more operands spanning a large index space are
//!   contracted pairwise instead, through matmul where it pays (a speed-up
//!   MyGrad does not have: it loops over the whole space).

use std::borrow::Cow;

use causing_diff_kernels::{
    contiguous_strides, map1, matmul as mm, sum_axes, sum_of_products, Dims, Layout, SmallVec,
    Strides,
};

use crate::array::Elem;
use crate::error::Result;
use crate::eval;
use crate::pool::Pool;

use super::pairwise::pairwise;

/// Label ids; a label's length is `sizes[label]`.
pub(crate) type Labels = SmallVec<usize>;

/// MyGrad's `_MIN_MATMUL_WORK`: the bound on operand sizes and work below
/// which a two-operand einsum stays in NumPy's loop.
const MYGRAD_MATMUL_WORK: usize = 1 << 14;

/// Above this many index-space points, three or more operands are
/// contracted pairwise rather than in one loop.
const PAIRWISE_SPACE: usize = 1 << 16;

/// The element types an einsum computes in.
pub(crate) trait EinsumElem: Elem + mm::MatElem {}
impl<T: Elem + mm::MatElem> EinsumElem for T {}

/// An operand or intermediate: data seen through `layout`, whose axes are
/// the distinct `labels` at their full lengths.
pub(crate) struct Term<'a, T: Clone> {
    pub(super) data: Cow<'a, [T]>,
    pub(super) layout: Layout,
    pub(super) labels: Labels,
    /// No label repeats and none is stretched from length 1.
    plain: bool,
}

/// Where an einsum's result goes: a zeroed buffer of `len` elements seen
/// through `layout`, whose axes are the distinct `labels` at their full
/// lengths. A gradient's target is its operand's own [`view_layout`]: the
/// loop then scatters onto diagonals and sums over stretched axes.
pub(crate) struct Target {
    pub(crate) labels: Labels,
    pub(crate) layout: Layout,
    pub(crate) len: usize,
}

impl Target {
    /// A contiguous result over `labels`.
    pub(crate) fn contiguous(labels: &[usize], sizes: &[usize]) -> Result<Target> {
        let dims: Dims = labels.iter().map(|&l| sizes[l]).collect();
        Ok(Target {
            labels: labels.into(),
            layout: Layout::contiguous(&dims),
            len: eval::size(&dims, "einsum")?,
        })
    }

    fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }
}

/// How an array of `shape` whose axes carry the labels `raw` (a label may
/// repeat) reads as a layout over its distinct labels at the full lengths
/// `sizes`: a repeated label strides by the sum of its axes' strides (the
/// diagonal), and a length-1 axis of a longer label by 0 (broadcast).
pub(crate) fn view_layout(shape: &[usize], raw: &[usize], sizes: &[usize]) -> (Labels, Layout) {
    let (labels, layout, _) = view(shape, raw, sizes);
    (labels, layout)
}

/// [`view_layout`], and whether the view is plain (no diagonal, no stretch).
fn view(shape: &[usize], raw: &[usize], sizes: &[usize]) -> (Labels, Layout, bool) {
    let cs = contiguous_strides(shape);
    let (mut labels, mut strides, mut own) = (Labels::new(), Strides::new(), Dims::new());
    for (a, &l) in raw.iter().enumerate() {
        match labels.iter().position(|&x| x == l) {
            Some(p) => strides[p] += cs[a],
            None => {
                labels.push(l);
                strides.push(cs[a]);
                own.push(shape[a]);
            }
        }
    }
    let dims: Dims = labels.iter().map(|&l| sizes[l]).collect();
    let mut plain = labels.len() == raw.len();
    for p in 0..labels.len() {
        if own[p] != dims[p] {
            strides[p] = 0;
            plain = false;
        }
    }
    (labels, Layout::new(&dims, &strides, 0), plain)
}

impl<'a, T: EinsumElem> Term<'a, T> {
    /// An operand (see [`view_layout`]).
    pub(crate) fn view(data: &'a [T], shape: &[usize], raw: &[usize], sizes: &[usize]) -> Self {
        let (labels, layout, plain) = view(shape, raw, sizes);
        Term {
            data: Cow::Borrowed(data),
            layout,
            labels,
            plain,
        }
    }

    pub(super) fn owned(data: Vec<T>, labels: Labels, sizes: &[usize]) -> Self {
        let dims: Dims = labels.iter().map(|&l| sizes[l]).collect();
        Term {
            data: Cow::Owned(data),
            layout: Layout::contiguous(&dims),
            labels,
            plain: true,
        }
    }

    pub(super) fn has(&self, l: usize) -> bool {
        self.labels.contains(&l)
    }

    fn stride_of(&self, l: usize) -> isize {
        match self.labels.iter().position(|&x| x == l) {
            Some(p) => self.layout.strides()[p],
            None => 0,
        }
    }

    /// The term's layout with its axes in the order of `order` (labels it
    /// lacks get stride 0).
    pub(super) fn layout_over(&self, order: &[usize], sizes: &[usize]) -> Layout {
        let dims: Dims = order.iter().map(|&l| sizes[l]).collect();
        let strides: Strides = order.iter().map(|&l| self.stride_of(l)).collect();
        Layout::new(&dims, &strides, self.layout.offset())
    }

    pub(super) fn recycle(self, pool: &mut Pool) {
        if let Cow::Owned(v) = self.data {
            pool.give(T::wrap(v));
        }
    }
}

pub(super) fn size_of(labels: &[usize], sizes: &[usize]) -> Result<usize> {
    let dims: Dims = labels.iter().map(|&l| sizes[l]).collect();
    eval::size(&dims, "einsum")
}

/// `term` summed over every label not in `keep`, contiguous in the order of
/// `keep` (a subset of its labels).
pub(super) fn reduce<'a, 'b, T: EinsumElem>(
    term: Term<'a, T>,
    keep: &[usize],
    sizes: &[usize],
    pool: &mut Pool,
) -> Result<Term<'b, T>> {
    let rest = term.labels.iter().copied().filter(|l| !keep.contains(l));
    let order: Labels = keep.iter().copied().chain(rest).collect();
    let mask: SmallVec<bool> = (0..order.len()).map(|i| i >= keep.len()).collect();
    let mut out: Vec<T> = pool.take(size_of(keep, sizes)?, "einsum")?;
    sum_axes(
        &term.data,
        &term.layout_over(&order, sizes),
        &mask,
        &mut out,
    );
    term.recycle(pool);
    Ok(Term::owned(out, keep.into(), sizes))
}

/// `term`'s data and a `[batch, rows, cols]` layout of it whose three axes
/// merge the label groups `groups` (all of its labels), copying only when
/// its strides cannot express the merge.
pub(super) fn as_matrices<'t, T: EinsumElem>(
    term: &'t Term<'_, T>,
    groups: [&[usize]; 3],
    sizes: &[usize],
    pool: &mut Pool,
) -> Result<(Cow<'t, [T]>, Layout)> {
    let order: Labels = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let layout = term.layout_over(&order, sizes);
    let merged: Dims = groups
        .iter()
        .map(|g| g.iter().map(|&l| sizes[l]).product())
        .collect();
    if let Some(l) = layout.reshape(&merged) {
        return Ok((Cow::Borrowed(&term.data[..]), l));
    }
    let mut copy: Vec<T> = pool.take(layout.size(), "einsum")?;
    map1(&term.data, &layout, &mut copy, |x| x);
    Ok((Cow::Owned(copy), Layout::contiguous(&merged)))
}

/// MyGrad's `_einsum_via_matmul`: two plain float operands whose product is
/// a large enough (batched) matrix product, as `(batch, m, k) @ (batch, k,
/// n)` with the contracted labels in `a`'s order; labels private to one
/// operand are summed out first. The result is contiguous over `out`, or
/// `None` where MyGrad would use NumPy's loop.
fn via_matmul<'a, T: EinsumElem>(
    a: &Term<'a, T>,
    b: &Term<'a, T>,
    out: &[usize],
    sizes: &[usize],
    pool: &mut Pool,
) -> Result<Option<Vec<T>>> {
    let float = T::DTYPE.is_float();
    if !float || a.data.len().saturating_mul(b.data.len()) < MYGRAD_MATMUL_WORK {
        return Ok(None);
    }
    if out.iter().all(|&l| a.has(l) && b.has(l)) || !a.plain || !b.plain {
        return Ok(None);
    }
    let of = |t: &Term<'a, T>, f: &dyn Fn(usize) -> bool| -> Labels {
        t.labels.iter().copied().filter(|&l| f(l)).collect()
    };
    let outs =
        |f: &dyn Fn(usize) -> bool| -> Labels { out.iter().copied().filter(|&l| f(l)).collect() };
    let batch = outs(&|l| a.has(l) && b.has(l));
    let free_a = outs(&|l| a.has(l) && !b.has(l));
    let free_b = outs(&|l| b.has(l) && !a.has(l));
    let contracted = of(a, &|l| b.has(l) && !out.contains(&l));
    let len = |ls: &[usize]| ls.iter().map(|&l| sizes[l]).product::<usize>();
    let (nb, m, k, n) = (len(&batch), len(&free_a), len(&contracted), len(&free_b));
    let work = nb.saturating_mul(m).saturating_mul(k).saturating_mul(n);
    if k == 1 || (m == 1 && n == 1) || work < MYGRAD_MATMUL_WORK {
        return Ok(None);
    }
    // Labels only one operand has and the output lacks are summed first.
    let summed =
        |t: &Term<'a, T>, o: &Term<'a, T>, pool: &mut Pool| -> Result<Option<Term<'a, T>>> {
            let keep = of(t, &|l| o.has(l) || out.contains(&l));
            if keep.len() == t.labels.len() {
                return Ok(None);
            }
            let borrowed = Term {
                data: Cow::Borrowed(&t.data[..]),
                layout: t.layout.clone(),
                labels: t.labels.clone(),
                plain: t.plain,
            };
            reduce(borrowed, &keep, sizes, pool).map(Some)
        };
    let a_sum = summed(a, b, pool)?;
    let b_sum = summed(b, a, pool)?;
    let (a2, b2) = (a_sum.as_ref().unwrap_or(a), b_sum.as_ref().unwrap_or(b));
    let mut r: Vec<T> = pool.take(nb * m * n, "einsum")?;
    let (ad, al) = as_matrices(a2, [&batch, &free_a, &contracted], sizes, pool)?;
    let (bd, bl) = as_matrices(b2, [&batch, &contracted, &free_b], sizes, pool)?;
    mm::matmul(&ad, &al, &bd, &bl, &mut r);
    for d in [ad, bd] {
        if let Cow::Owned(v) = d {
            pool.give(T::wrap(v));
        }
    }
    for t in [a_sum, b_sum].into_iter().flatten() {
        t.recycle(pool);
    }
    let labels: Labels = batch
        .iter()
        .chain(free_a.iter())
        .chain(free_b.iter())
        .copied()
        .collect();
    let r = Term::owned(r, labels, sizes);
    if r.labels[..] == out[..] {
        return Ok(Some(r.data.into_owned()));
    }
    let r = reduce(r, out, sizes, pool)?;
    Ok(Some(r.data.into_owned()))
}

/// The einsum of `terms` into `target` (see the module docs for the route).
pub(crate) fn evaluate<T: EinsumElem>(
    terms: Vec<Term<'_, T>>,
    sizes: &[usize],
    target: &Target,
    pool: &mut Pool,
) -> Result<Vec<T>> {
    let labels = &target.labels[..];
    if let [t] = &terms[..] {
        let moves = t.labels.len() == labels.len() && t.labels.iter().all(|l| labels.contains(l));
        if moves && target.is_contiguous() {
            // Nothing summed: NumPy returns a view, its values exact.
            let mut out: Vec<T> = pool.take(target.len, "einsum")?;
            map1(&t.data, &t.layout_over(labels, sizes), &mut out, |x| x);
            return Ok(out);
        }
    }
    if let [a, b] = &terms[..] {
        if let Some(r) = via_matmul(a, b, labels, sizes, pool)? {
            return finish(r, target, sizes, pool);
        }
    }
    if terms.len() >= 3 && space(&terms, labels, sizes) > PAIRWISE_SPACE {
        let r = pairwise(terms, sizes, labels, pool)?;
        return finish(r, target, sizes, pool);
    }
    // NumPy's loop: the target's labels, then the summed ones in label
    // order (the ASCII order of their letters).
    let mut summed = Labels::new();
    for t in &terms {
        for &l in t.labels.iter() {
            if !labels.contains(&l) && !summed.contains(&l) {
                summed.push(l);
            }
        }
    }
    summed.as_mut_slice().sort_unstable();
    let order: Labels = labels.iter().chain(summed.iter()).copied().collect();
    let dims: Dims = order.iter().map(|&l| sizes[l]).collect();
    let out_strides: Strides = (0..order.len())
        .map(|i| target.layout.strides().get(i).copied().unwrap_or(0))
        .collect();
    let out_layout = Layout::new(&dims, &out_strides, target.layout.offset());
    let layouts: Vec<Layout> = terms.iter().map(|t| t.layout_over(&order, sizes)).collect();
    let ins: Vec<(&[T], &Layout)> = terms
        .iter()
        .zip(&layouts)
        .map(|(t, l)| (&t.data[..], l))
        .collect();
    let mut out: Vec<T> = pool.take(target.len, "einsum")?;
    out.fill(T::ZERO);
    sum_of_products(&ins, &mut out, &out_layout);
    Ok(out)
}

/// A result contiguous over the target's labels, written to the target
/// (scattered onto its diagonals unless it is contiguous itself).
fn finish<T: EinsumElem>(
    r: Vec<T>,
    target: &Target,
    sizes: &[usize],
    pool: &mut Pool,
) -> Result<Vec<T>> {
    if target.is_contiguous() {
        return Ok(r);
    }
    let mut out: Vec<T> = pool.take(target.len, "einsum")?;
    out.fill(T::ZERO);
    let dims: Dims = target.labels.iter().map(|&l| sizes[l]).collect();
    sum_of_products(
        &[(&r, &Layout::contiguous(&dims))],
        &mut out,
        &target.layout,
    );
    pool.give(T::wrap(r));
    Ok(out)
}

/// The number of points of the index space over `out` and every label of
/// `terms` (saturating).
fn space<T: EinsumElem>(terms: &[Term<'_, T>], out: &[usize], sizes: &[usize]) -> usize {
    let mut all: Labels = out.into();
    for t in terms {
        for &l in t.labels.iter() {
            if !all.contains(&l) {
                all.push(l);
            }
        }
    }
    all.iter()
        .fold(1usize, |acc, &l| acc.saturating_mul(sizes[l]))
}
