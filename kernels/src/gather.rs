//! Copies that rearrange whole elements: gathering by per-axis index maps
//! and its adjoint scatter-add (the loops behind `roll`, `repeat` and
//! `tile`, forward and backward), and interleaving chunks (`concatenate`,
//! `stack`).
//!
//! In [`gather`], an output element `(i0, i1, …)` reads the source element
//! `(maps[0][i0], maps[1][i1], …)`. Source and output are C-contiguous; the
//! output's shape is the maps' lengths.

use crate::element::{Element, Num};
use crate::layout::{checked_size, contiguous_strides};

/// `out[i0, i1, …] = src[maps[0][i0], maps[1][i1], …]`, where `src` is
/// C-contiguous with shape `src_dims` and `out` is C-contiguous with shape
/// `[maps[0].len(), maps[1].len(), …]`. A 0-d source (no maps) copies its
/// one element.
///
/// # Panics
/// If there is not one map per axis, a map entry is out of range for its
/// axis, or a slice has the wrong length.
///
/// ```
/// use causing_diff_kernels::gather::gather;
/// let src = [1, 2, 3, 4, 5, 6]; // 2×3
/// let mut out = [0; 6];
/// gather(&src, &[2, 3], &[&[1, 0], &[2, 0, 1]], &mut out); // roll both axes
/// assert_eq!(out, [6, 4, 5, 3, 1, 2]);
/// ```
pub fn gather<T: Element>(src: &[T], src_dims: &[usize], maps: &[&[usize]], out: &mut [T]) {
    check("gather", src.len(), src_dims, maps, out.len());
    for_each_pair(src_dims, maps, |o, s| out[o] = src[s]);
}

/// The adjoint of [`gather`]: `acc[maps[0][i0], …] += g[i0, …]` for every
/// element of `g` (C-contiguous, shape the maps' lengths). Entries of `acc`
/// that several output positions map to accumulate all of them.
///
/// # Panics
/// As [`gather`], with `acc` in the role of the source.
///
/// ```
/// use causing_diff_kernels::gather::scatter_add;
/// let g = [1.0, 2.0, 3.0, 4.0];
/// let mut acc = [0.0; 2];
/// scatter_add(&g, &[&[0, 0, 1, 1]], &[2], &mut acc); // repeat's backward
/// assert_eq!(acc, [3.0, 7.0]);
/// ```
pub fn scatter_add<T: Num>(g: &[T], maps: &[&[usize]], acc_dims: &[usize], acc: &mut [T]) {
    check("scatter_add", acc.len(), acc_dims, maps, g.len());
    for_each_pair(acc_dims, maps, |o, s| acc[s] += g[o]);
}

/// Joins `parts` by interleaving chunks: for each of `outer` rounds, the
/// next `chunks[k]` elements of every part `k` in turn. Concatenating
/// C-contiguous arrays along an axis is this with `outer` the product of the
/// leading dims and `chunks[k]` the product of part `k`'s dims from the axis
/// on.
///
/// # Panics
/// If `chunks` does not have one entry per part, or a slice has the wrong
/// length (`parts[k].len() == outer * chunks[k]`, `out.len()` their sum).
///
/// ```
/// use causing_diff_kernels::gather::interleave;
/// // [[1, 2], [3, 4]] and [[5], [6]] joined along axis 1.
/// let mut out = [0; 6];
/// interleave(&[&[1, 2, 3, 4], &[5, 6]], &[2, 1], 2, &mut out);
/// assert_eq!(out, [1, 2, 5, 3, 4, 6]);
/// ```
pub fn interleave<T: Element>(parts: &[&[T]], chunks: &[usize], outer: usize, out: &mut [T]) {
    assert_eq!(
        parts.len(),
        chunks.len(),
        "interleave: {} parts but {} chunk lengths",
        parts.len(),
        chunks.len()
    );
    let mut total = 0usize;
    for (k, (p, &c)) in parts.iter().zip(chunks).enumerate() {
        assert_eq!(
            Some(p.len()),
            outer.checked_mul(c),
            "interleave: part {k} has {} elements, not {outer} chunks of {c}",
            p.len()
        );
        total += p.len();
    }
    assert_eq!(
        out.len(),
        total,
        "interleave: {} output elements for {total} input elements",
        out.len()
    );
    let mut o = 0;
    for r in 0..outer {
        for (p, &c) in parts.iter().zip(chunks) {
            out[o..o + c].copy_from_slice(&p[r * c..(r + 1) * c]);
            o += c;
        }
    }
}

/// Calls `f(out_offset, src_offset)` for every output element in C order.
fn for_each_pair(src_dims: &[usize], maps: &[&[usize]], mut f: impl FnMut(usize, usize)) {
    let nd = maps.len();
    if nd == 0 {
        f(0, 0);
        return;
    }
    if maps.iter().any(|m| m.is_empty()) {
        return;
    }
    let strides = contiguous_strides(src_dims);
    let last = maps[nd - 1];
    let last_stride = strides[nd - 1] as usize;
    // An odometer over the outer axes, with the source offset they add up to.
    let mut index = vec![0usize; nd - 1];
    let mut base: usize = (0..nd - 1).map(|a| maps[a][0] * strides[a] as usize).sum();
    let mut o = 0;
    loop {
        for &j in last {
            f(o, base + j * last_stride);
            o += 1;
        }
        let mut a = nd - 1;
        loop {
            if a == 0 {
                return;
            }
            a -= 1;
            let s = strides[a] as usize;
            base -= maps[a][index[a]] * s;
            index[a] += 1;
            if index[a] < maps[a].len() {
                base += maps[a][index[a]] * s;
                break;
            }
            index[a] = 0;
            base += maps[a][0] * s;
        }
    }
}

#[track_caller]
fn check(what: &str, src_len: usize, src_dims: &[usize], maps: &[&[usize]], out_len: usize) {
    assert_eq!(
        maps.len(),
        src_dims.len(),
        "{what}: {} maps for {} axes",
        maps.len(),
        src_dims.len()
    );
    assert_eq!(
        checked_size(src_dims),
        Some(src_len),
        "{what}: a slice of {src_len} elements for shape {src_dims:?}"
    );
    let lens: Vec<usize> = maps.iter().map(|m| m.len()).collect();
    assert_eq!(
        checked_size(&lens),
        Some(out_len),
        "{what}: a slice of {out_len} elements for shape {lens:?}"
    );
    for (a, (m, &d)) in maps.iter().zip(src_dims).enumerate() {
        if let Some(&bad) = m.iter().find(|&&i| i >= d) {
            panic!("{what}: index {bad} out of range for axis {a} of size {d}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive reference: decode every output multi-index.
    fn naive(src: &[i64], dims: &[usize], maps: &[&[usize]]) -> Vec<i64> {
        let lens: Vec<usize> = maps.iter().map(|m| m.len()).collect();
        let n: usize = lens.iter().product();
        (0..n)
            .map(|mut flat| {
                let mut off = 0;
                let mut stride = 1;
                for a in (0..lens.len()).rev() {
                    let i = flat % lens[a];
                    flat /= lens[a];
                    off += maps[a][i] * stride;
                    stride *= dims[a];
                }
                src[off]
            })
            .collect()
    }

    #[test]
    fn gather_matches_the_naive_loop() {
        let dims = [2, 3, 4];
        let src: Vec<i64> = (0..24).collect();
        let maps: [&[usize]; 3] = [&[1, 1, 0], &[2, 0], &[3, 3, 0, 1, 2]];
        let mut out = vec![-1; 30];
        gather(&src, &dims, &maps, &mut out);
        assert_eq!(out, naive(&src, &dims, &maps));
    }

    #[test]
    fn zero_d_and_empty() {
        let mut out = [0];
        gather(&[7], &[], &[], &mut out);
        assert_eq!(out, [7]);
        let mut none: [i64; 0] = [];
        gather(&[1, 2], &[2, 1], &[&[0, 1], &[]], &mut none);
        gather::<i64>(&[], &[0, 3], &[&[], &[0, 1]], &mut none);
    }

    #[test]
    fn scatter_add_is_the_adjoint() {
        // <gather(x), g> == <x, scatter_add(g)> for integer data.
        let dims = [3, 2];
        let x: Vec<i64> = vec![5, -1, 2, 7, 3, 4];
        let maps: [&[usize]; 2] = [&[2, 0, 0, 1], &[1, 1, 0]];
        let g: Vec<i64> = (1..=12).collect();
        let mut gx = vec![0; 12];
        gather(&x, &dims, &maps, &mut gx);
        let mut acc = vec![0; 6];
        scatter_add(&g, &maps, &dims, &mut acc);
        let lhs: i64 = gx.iter().zip(&g).map(|(a, b)| a * b).sum();
        let rhs: i64 = x.iter().zip(&acc).map(|(a, b)| a * b).sum();
        assert_eq!(lhs, rhs);
    }

    #[test]
    fn interleave_joins_along_an_axis() {
        // (2, 1, 2) and (2, 2, 2) along axis 1 -> (2, 3, 2).
        let a: Vec<i64> = (0..4).collect();
        let b: Vec<i64> = (10..18).collect();
        let mut out = vec![-1; 12];
        interleave(&[&a, &b], &[2, 4], 2, &mut out);
        assert_eq!(out, [0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17]);
        let mut none: [i64; 0] = [];
        interleave(&[&[], &[]], &[0, 3], 0, &mut none);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn rejects_out_of_range_maps() {
        let mut out = [0; 2];
        gather(&[1, 2], &[2], &[&[0, 2]], &mut out);
    }
}
