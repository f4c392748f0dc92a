//! The pairwise route for einsums of three or more operands over a large
//! index space: contract the cheapest pair at a time, through matmul where
//! the pair is a large enough matrix product. A speed-up MyGrad does not
//! have (it loops over the whole space), so float32 results may round
//! differently from its in the last bits there.

use std::borrow::Cow;

use causing_diff_kernels::{
    contiguous_strides, map1, matmul as mm, sum_of_products, Dims, Layout, Strides,
};

use crate::error::Result;
use crate::pool::Pool;

use super::contract::{as_matrices, reduce, size_of, EinsumElem, Labels, Term};

/// Below this many multiply-adds a pair is cheaper in the general loop than
/// through matmul's packing.
const MIN_MATMUL_WORK: usize = 1 << 12;

/// Contracts two terms, keeping the labels in `keep` (every label of either
/// that is used later) and summing the others.
fn pair<'a, T: EinsumElem>(
    a: Term<'a, T>,
    b: Term<'a, T>,
    keep: &[usize],
    sizes: &[usize],
    pool: &mut Pool,
) -> Result<Term<'a, T>> {
    // Labels only one side has and nobody needs are summed out first.
    let private = |t: &Term<'a, T>, o: &Term<'a, T>| {
        let needed: Labels = t
            .labels
            .iter()
            .copied()
            .filter(|&l| o.has(l) || keep.contains(&l))
            .collect();
        (needed.len() < t.labels.len()).then_some(needed)
    };
    let a = match private(&a, &b) {
        Some(needed) => reduce(a, &needed, sizes, pool)?,
        None => a,
    };
    let b = match private(&b, &a) {
        Some(needed) => reduce(b, &needed, sizes, pool)?,
        None => b,
    };
    let pick = |t: &Term<'a, T>, f: &dyn Fn(usize) -> bool| -> Labels {
        t.labels.iter().copied().filter(|&l| f(l)).collect()
    };
    let batch = pick(&a, &|l| b.has(l) && keep.contains(&l));
    let contracted = pick(&a, &|l| b.has(l) && !keep.contains(&l));
    let free_a = pick(&a, &|l| !b.has(l));
    let free_b = pick(&b, &|l| !a.has(l));
    let len = |ls: &[usize]| ls.iter().map(|&l| sizes[l]).product::<usize>();
    let (nb, m, k, n) = (len(&batch), len(&free_a), len(&contracted), len(&free_b));
    let work = nb.saturating_mul(m).saturating_mul(k).saturating_mul(n);
    let kept: Labels = batch
        .iter()
        .chain(free_a.iter())
        .chain(free_b.iter())
        .copied()
        .collect();
    let mut out: Vec<T> = pool.take(size_of(&kept, sizes)?, "einsum")?;
    if k > 1 && (m > 1 || n > 1) && work >= MIN_MATMUL_WORK {
        // (batch, m, k) @ (batch, k, n) -> (batch, m, n)
        let (ad, al) = as_matrices(&a, [&batch, &free_a, &contracted], sizes, pool)?;
        let (bd, bl) = as_matrices(&b, [&batch, &contracted, &free_b], sizes, pool)?;
        mm::matmul(&ad, &al, &bd, &bl, &mut out);
        for d in [ad, bd] {
            if let Cow::Owned(v) = d {
                pool.give(T::wrap(v));
            }
        }
    } else {
        let space: Labels = kept.iter().chain(contracted.iter()).copied().collect();
        let cs = contiguous_strides(&kept.iter().map(|&l| sizes[l]).collect::<Dims>());
        let out_strides: Strides = (0..space.len())
            .map(|i| if i < kept.len() { cs[i] } else { 0 })
            .collect();
        let space_dims: Dims = space.iter().map(|&l| sizes[l]).collect();
        let (la, lb) = (a.layout_over(&space, sizes), b.layout_over(&space, sizes));
        let out_layout = Layout::new(&space_dims, &out_strides, 0);
        out.fill(T::ZERO);
        sum_of_products(&[(&a.data, &la), (&b.data, &lb)], &mut out, &out_layout);
    }
    a.recycle(pool);
    b.recycle(pool);
    Ok(Term::owned(out, kept, sizes))
}

/// The einsum of `terms` with output labels `out` (distinct; a label no
/// term has is broadcast), contiguous at the full lengths `sizes`.
///
/// Pairs are contracted greedily: each step takes the pair whose labels span
/// the smallest index space.
pub(super) fn pairwise<T: EinsumElem>(
    mut terms: Vec<Term<'_, T>>,
    sizes: &[usize],
    out: &[usize],
    pool: &mut Pool,
) -> Result<Vec<T>> {
    while terms.len() > 1 {
        let span = |a: &Term<'_, T>, b: &Term<'_, T>| {
            let extra = b.labels.iter().filter(|&&l| !a.has(l));
            a.labels
                .iter()
                .chain(extra)
                .fold(1usize, |acc, &l| acc.saturating_mul(sizes[l]))
        };
        let mut best = (usize::MAX, 0, 1);
        for i in 0..terms.len() {
            for j in i + 1..terms.len() {
                let cost = span(&terms[i], &terms[j]);
                if cost < best.0 {
                    best = (cost, i, j);
                }
            }
        }
        let (_, i, j) = best;
        let b = terms.remove(j);
        let a = terms.remove(i);
        let keep: Labels = a
            .labels
            .iter()
            .chain(b.labels.iter().filter(|&&l| !a.has(l)))
            .copied()
            .filter(|&l| out.contains(&l) || terms.iter().any(|t| t.has(l)))
            .collect();
        let t = pair(a, b, &keep, sizes, pool)?;
        terms.insert(i, t);
    }
    let term = terms.pop().expect("einsum has at least one operand");
    let present: Labels = out.iter().copied().filter(|&l| term.has(l)).collect();
    let ready =
        matches!(term.data, Cow::Owned(_)) && term.labels == present && term.layout.is_contiguous();
    let term = if ready {
        term
    } else {
        reduce(term, &present, sizes, pool)?
    };
    if present.len() == out.len() {
        return Ok(term.data.into_owned());
    }
    // Labels the result does not depend on (a gradient's broadcast axes).
    let mut full: Vec<T> = pool.take(size_of(out, sizes)?, "einsum")?;
    map1(&term.data, &term.layout_over(out, sizes), &mut full, |x| x);
    term.recycle(pool);
    Ok(full)
}
