//! The pure kernels against naive loops: random shapes (0–4 dims of 0–5,
//! size-0 and size-1 axes included), random views of a base buffer
//! (permutations, steps including negative ones, broadcast axes, offsets),
//! then an elementwise map, a reduction over a random axis set, or a batched
//! matmul. Invariants: no panic for valid layouts, and every output equals
//! the naive evaluation over logical indices. Values are small integers
//! stored as f64, so sums and products compare exactly.
#![no_main]

use causing_diff_kernels::{map2, matmul, max_axes, prod_axes, sum_axes, Layout};
use libfuzzer_sys::fuzz_target;

mod common;
use common::Bytes;

/// Offset of a logical multi-index in a layout.
fn offset(l: &Layout, idx: &[usize]) -> usize {
    let mut o = l.offset() as isize;
    for (&i, &s) in idx.iter().zip(l.strides()) {
        o += i as isize * s;
    }
    o as usize
}

/// Every logical multi-index of `dims`, in C order.
fn indices(dims: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = dims.iter().product();
    (0..n)
        .map(|mut flat| {
            let mut idx = vec![0; dims.len()];
            for k in (0..dims.len()).rev() {
                idx[k] = flat % dims[k];
                flat /= dims[k];
            }
            idx
        })
        .collect()
}

/// A random view of a contiguous base of `dims`: sliced, permuted, maybe broadcast.
fn view(b: &mut Bytes, base_dims: &[usize]) -> Layout {
    let mut l = Layout::contiguous(base_dims);
    for axis in 0..l.ndim() {
        let len = l.dims()[axis];
        match b.next() % 4 {
            0 if len > 1 => l = l.slice_axis(axis, len - 1, len.div_ceil(2), -2),
            1 if len > 1 => l = l.slice_axis(axis, 0, len.div_ceil(2), 2),
            _ => {}
        }
    }
    if b.next() % 2 == 1 && l.ndim() > 1 {
        let mut perm: Vec<usize> = (0..l.ndim()).collect();
        perm.rotate_left(1 + b.next() as usize % (l.ndim() - 1));
        l = l.permute(&perm).expect("a rotation is a permutation");
    }
    l
}

fn shape(b: &mut Bytes) -> Vec<usize> {
    let nd = b.next() as usize % 5;
    (0..nd).map(|_| b.next() as usize % 6).collect()
}

fn data(n: usize, seed: u8) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * 7 + seed as usize) % 11) as f64 - 5.0)
        .collect()
}

fuzz_target!(|input: &[u8]| {
    let mut b = Bytes(input);
    match b.next() % 3 {
        0 => {
            // Binary map over two views broadcast to a common shape.
            let base = shape(&mut b);
            let a_l = view(&mut b, &base);
            let out_dims = a_l.dims().to_vec();
            let mut b_dims = out_dims.clone();
            for d in &mut b_dims {
                if b.next() % 3 == 0 {
                    *d = 1;
                }
            }
            let drop = b.next() as usize % (b_dims.len() + 1);
            let b_dims = b_dims[drop..].to_vec();
            let b_l = Layout::contiguous(&b_dims)
                .broadcast_to(&out_dims)
                .expect("broadcastable");
            let xa = data(base.iter().product(), 1);
            let xb = data(b_dims.iter().product(), 2);
            let mut out = vec![f64::NAN; out_dims.iter().product()];
            map2(&xa, &a_l, &xb, &b_l, &mut out, |p, q| p * 3.0 + q);
            for (k, idx) in indices(&out_dims).iter().enumerate() {
                let want = xa[offset(&a_l, idx)] * 3.0 + xb[offset(&b_l, idx)];
                assert_eq!(out[k], want, "map2 at {idx:?}");
            }
        }
        1 => {
            // Reductions over a random set of axes of a random view.
            let base = shape(&mut b);
            let l = view(&mut b, &base);
            let x = data(base.iter().product(), 3);
            let axes: Vec<bool> = (0..l.ndim()).map(|_| b.next() % 2 == 1).collect();
            let kept: Vec<usize> = l
                .dims()
                .iter()
                .zip(&axes)
                .filter(|(_, &a)| !a)
                .map(|(&d, _)| d)
                .collect();
            let n_out: usize = kept.iter().product();
            let mut sum = vec![f64::NAN; n_out];
            let mut prod = vec![f64::NAN; n_out];
            sum_axes(&x, &l, &axes, &mut sum);
            prod_axes(&x, &l, &axes, &mut prod);
            let empty_reduced = l.dims().iter().zip(&axes).any(|(&d, &a)| a && d == 0);
            let mut max = vec![f64::NAN; n_out];
            let mut arg = vec![usize::MAX; n_out];
            if !empty_reduced {
                max_axes(&x, &l, &axes, &mut max, Some(&mut arg));
            }
            let mut want_sum = vec![0.0; n_out];
            let mut want_prod = vec![1.0; n_out];
            let mut want_max = vec![f64::NEG_INFINITY; n_out];
            let mut want_arg = vec![usize::MAX; n_out];
            for (flat, idx) in indices(l.dims()).iter().enumerate() {
                let mut o = 0;
                for (k, &i) in idx.iter().enumerate() {
                    if !axes[k] {
                        o = o * l.dims()[k] + i;
                    }
                }
                let v = x[offset(&l, idx)];
                want_sum[o] += v;
                want_prod[o] *= v;
                if v > want_max[o] {
                    want_max[o] = v;
                    want_arg[o] = flat;
                }
            }
            assert_eq!(sum, want_sum, "sum over {axes:?} of {:?}", l.dims());
            assert_eq!(prod, want_prod, "prod over {axes:?}");
            if !empty_reduced {
                assert_eq!(max, want_max, "max over {axes:?}");
                assert_eq!(arg, want_arg, "first argmax over {axes:?}");
            }
        }
        _ => {
            // Batched matmul with a transposed or broadcast operand.
            let batch = b.next() as usize % 3;
            let (m, k, n) = (
                b.next() as usize % 5,
                b.next() as usize % 5,
                b.next() as usize % 5,
            );
            let bdims = vec![batch; usize::from(batch > 0)];
            let mut a_dims = bdims.clone();
            a_dims.extend([m, k]);
            let mut b_dims = bdims.clone();
            b_dims.extend([n, k]);
            let a_l = Layout::contiguous(&a_dims);
            let nd = b_dims.len();
            let mut perm: Vec<usize> = (0..nd).collect();
            perm.swap(nd - 2, nd - 1);
            let b_l = Layout::contiguous(&b_dims).permute(&perm).expect("swap");
            let xa = data(a_dims.iter().product(), 4);
            let xb = data(b_dims.iter().product(), 5);
            let mut out_dims = bdims.clone();
            out_dims.extend([m, n]);
            let mut out = vec![f64::NAN; out_dims.iter().product()];
            matmul(&xa, &a_l, &xb, &b_l, &mut out);
            for (o, idx) in indices(&out_dims).iter().enumerate() {
                let (i, j) = (idx[idx.len() - 2], idx[idx.len() - 1]);
                let mut want = 0.0;
                for kk in 0..k {
                    let mut ia = idx[..idx.len() - 2].to_vec();
                    ia.extend([i, kk]);
                    let mut ib = idx[..idx.len() - 2].to_vec();
                    ib.extend([kk, j]);
                    want += xa[offset(&a_l, &ia)] * xb[offset(&b_l, &ib)];
                }
                assert_eq!(out[o], want, "matmul at {idx:?}");
            }
        }
    }
});
