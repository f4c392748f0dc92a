//! Outputs large enough to be written with non-temporal stores
//! (`stream::STREAM_MIN_BYTES` per thread's chunk and more), at every
//! alignment of the output's start within a cache line, against naive loops
//! and against the same kernels run on small pieces (which never stream).
//! Outputs start as NaN so an unwritten element cannot pass.

use causing_diff_kernels::contig::{fill, zip1, zip2};
use causing_diff_kernels::stream::STREAM_MIN_BYTES;
use causing_diff_kernels::vmath::{self, Fun, Grad};
use causing_diff_kernels::{map1, map2, Layout};

/// Elements of `T` in an output whose every thread's chunk streams, plus an
/// odd tail.
fn big<T>() -> usize {
    3 * STREAM_MIN_BYTES / size_of::<T>() + 37
}

/// `len` values in about [-20, 20), varied enough to exercise every kernel
/// branch a little.
fn values(len: usize) -> Vec<f64> {
    (0..len)
        .map(|i| ((i.wrapping_mul(2_654_435_761) % 40_000) as f64) * 1e-3 - 20.0)
        .collect()
}

/// The 16 offsets of an f32 output's start within a 64-byte line (8 for f64).
fn skews<T>() -> usize {
    64 / size_of::<T>()
}

#[test]
#[cfg_attr(miri, ignore)] // large
fn binary_maps_stream_every_element() {
    let n = big::<f32>();
    let a: Vec<f32> = values(n).iter().map(|&v| v as f32).collect();
    let b: Vec<f32> = values(n + 3)[3..].iter().map(|&v| v as f32).collect();
    let mut backing = vec![f32::NAN; n + 16];
    for skew in [0, 1, 5, skews::<f32>() - 1] {
        let out = &mut backing[skew..skew + n];
        out.fill(f32::NAN);
        zip2(&a, &b, out, |x, y| x * y - 1.0);
        assert!(out
            .iter()
            .zip(a.iter().zip(&b))
            .all(|(&o, (&x, &y))| o == x * y - 1.0));
        out.fill(f32::NAN);
        zip2(&a, &[3.0f32], out, |x, y| x / y);
        assert!(out.iter().zip(&a).all(|(&o, &x)| o == x / 3.0));
        out.fill(f32::NAN);
        zip2(&[2.0f32], &b, out, |x, y| x - y);
        assert!(out.iter().zip(&b).all(|(&o, &y)| o == 2.0 - y));
        out.fill(f32::NAN);
        zip2(&[2.0f32], &[0.25f32], out, |x, y| x * y);
        assert!(out.iter().all(|&o| o == 0.5));
        out.fill(f32::NAN);
        zip1(&a, out, |x| -x);
        assert!(out.iter().zip(&a).all(|(&o, &x)| o == -x));
        out.fill(f32::NAN);
        fill(out, 1.5);
        assert!(out.iter().all(|&o| o == 1.5));
    }
}

#[test]
#[cfg_attr(miri, ignore)] // large
fn strided_kernels_stream_their_contiguous_outputs() {
    let n = big::<f64>();
    let x = values(n);
    let y = values(n + 1);
    let l = Layout::contiguous(&[n]);
    let mut out = vec![f64::NAN; n];
    map2(&x, &l, &y[1..], &l, &mut out, |p, q| p + 2.0 * q);
    assert!(out
        .iter()
        .zip(x.iter().zip(&y[1..]))
        .all(|(&o, (&p, &q))| o == p + 2.0 * q));
    out.fill(f64::NAN);
    map1(&x, &l, &mut out, |p| p * p);
    assert!(out.iter().zip(&x).all(|(&o, &p)| o == p * p));
}

/// The vector math kernels give the same bits streamed as in small pieces.
#[test]
#[cfg_attr(miri, ignore)] // large
fn transcendentals_stream_the_same_bits() {
    let n = big::<f32>();
    let x64 = values(n);
    let g64 = values(n + 7)[7..].to_vec();
    let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
    let g32: Vec<f32> = g64.iter().map(|&v| v as f32).collect();
    let piece = 1000;
    for f in [Fun::Exp, Fun::Sin, Fun::Cos] {
        let mut out = vec![f32::NAN; n + 1];
        vmath::map_f32(f, &x32, &mut out[1..]);
        let mut want = vec![f32::NAN; n];
        for (w, x) in want.chunks_mut(piece).zip(x32.chunks(piece)) {
            vmath::map_f32(f, x, w);
        }
        assert!(
            out[1..]
                .iter()
                .zip(&want)
                .all(|(o, w)| o.to_bits() == w.to_bits()),
            "{f:?} f32"
        );
        let mut out = vec![f64::NAN; n];
        vmath::map_f64(f, &x64, &mut out);
        assert!(
            out.iter()
                .zip(&x64)
                .all(|(&o, &x)| o.to_bits() == vmath::eval_f64(f, x).to_bits()),
            "{f:?} f64"
        );
    }
    for d in [Grad::Sin, Grad::Cos] {
        let what = format!("{d:?}");
        let f32_grad = |g: &[f32], x: &[f32], o: &mut [f32]| vmath::grad_f32_slice(d, g, x, o);
        let f64_grad = |g: &[f64], x: &[f64], o: &mut [f64]| vmath::grad_f64_slice(d, g, x, o);
        whole_as_pieces(
            &g32,
            &x32,
            piece,
            f32::NAN,
            |v| v.to_bits() as u64,
            f32_grad,
            &what,
        );
        whole_as_pieces(&g64, &x64, piece, f64::NAN, f64::to_bits, f64_grad, &what);
    }
}

/// `kernel(g, x, out)` on the whole arrays (streamed) against the same
/// kernel run on `piece`-element pieces (never streamed), bit for bit, with
/// both outputs pre-filled with NaN.
fn whole_as_pieces<T: Copy>(
    g: &[T],
    x: &[T],
    piece: usize,
    nan: T,
    bits: fn(T) -> u64,
    kernel: impl Fn(&[T], &[T], &mut [T]),
    what: &str,
) {
    let mut out = vec![nan; x.len()];
    kernel(g, x, &mut out);
    let mut want = vec![nan; x.len()];
    for ((w, g), x) in want
        .chunks_mut(piece)
        .zip(g.chunks(piece))
        .zip(x.chunks(piece))
    {
        kernel(g, x, w);
    }
    assert!(
        out.iter().zip(&want).all(|(&o, &w)| bits(o) == bits(w)),
        "{what} {}",
        core::any::type_name::<T>()
    );
}
