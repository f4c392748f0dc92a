//! The general einsum loop: over one shared index space, add the product of
//! the operands' elements to the output element, each array seen through a
//! [`Layout`] of that space (stride 0 where it does not depend on an axis,
//! the sum of two axes' strides where it reads a diagonal).
//!
//! The loop is NumPy's (`einsum` without `optimize`), so that float results
//! round as NumPy's do: the axes are visited in the order NumPy's `nditer`
//! picks for them (sorted by the operands' strides, C order where they
//! disagree), adjacent axes are merged, and the innermost run is summed by
//! the same specialised inner loops — 128-bit SIMD lanes, four vectors per
//! step, for contiguous runs summed into one output element; one sequential
//! accumulator for other runs summed into one element; one product added to
//! its output element at a time otherwise.

use crate::dims::{Dims, Strides};
use crate::element::Num;
use crate::layout::{check_fits, Layout};

/// For every index `i` of the space `out_layout.dims()`, adds the product of
/// the operands' elements at `i` to the output element at `i`:
/// `out[o(i)] += Π_k ins_k[l_k(i)]` (integers wrap, as NumPy's do).
///
/// Every layout has the dims of the index space. An operand that does not
/// depend on an axis has stride 0 there; one that reads a diagonal has the
/// sum of its axes' strides. The output's stride is 0 along the axes summed
/// over; distinct indices may also share an output offset (a diagonal of a
/// larger array), and then accumulate. `out` is not cleared first. With no
/// operands the product is 1.
///
/// The order of the additions is NumPy's (see the module docs), given the
/// axes in the order NumPy's `einsum` lists them: the output's, then the
/// summed ones.
///
/// # Panics
/// If a layout's dims differ from the output layout's, or a layout reaches
/// outside its slice.
///
/// ```
/// use causing_diff_kernels::{einsum::sum_of_products, Layout};
/// // The trace of a 3×3 matrix: one index i, the operand read at stride 3 + 1.
/// let a: Vec<f64> = (0..9).map(f64::from).collect();
/// let mut out = [0.0];
/// sum_of_products(&[(&a, &Layout::new(&[3], &[4], 0))], &mut out, &Layout::new(&[3], &[0], 0));
/// assert_eq!(out, [12.0]);
/// ```
pub fn sum_of_products<T: Num>(ins: &[(&[T], &Layout)], out: &mut [T], out_layout: &Layout) {
    let dims = out_layout.dims();
    for (k, (src, l)) in ins.iter().enumerate() {
        assert_eq!(
            l.dims(),
            dims,
            "sum_of_products: operand {k} has dims {:?}, the index space is {dims:?}",
            l.dims()
        );
        check_fits(l, src.len(), "sum_of_products operand");
    }
    check_fits(out_layout, out.len(), "sum_of_products output");
    if dims.contains(&0) {
        return;
    }
    let plan = Plan::new(ins, out_layout);
    let (chunk, outer) = plan.axes.split_at(plan.chunk);
    let start: Strides = core::iter::once(out_layout.offset() as isize)
        .chain(ins.iter().map(|(_, l)| l.offset() as isize))
        .collect();
    let mut scratch: Vec<Vec<T>> = vec![Vec::new(); ins.len()];
    visit(outer, &start, |off| {
        plan.run(ins, out, off, chunk, &mut scratch)
    });
}

/// NumPy's buffer size (elements): a buffered inner loop covers at most
/// this many.
const BUFFER: usize = 8192;

/// One axis of the iteration: its length and the strides of the output and
/// of each operand along it.
#[derive(Clone, Debug)]
struct Axis {
    len: usize,
    strides: Strides,
}

/// How NumPy runs one einsum: the axes in its iterator's order (innermost
/// first, length-1 axes dropped), how many of them one call of the inner
/// loop covers, and that inner loop.
struct Plan {
    axes: Vec<Axis>,
    chunk: usize,
    kind: Inner,
    /// Whether NumPy's iterator is buffered here: a summed chunk is then
    /// added up [`BUFFER`] elements at a time.
    buffered: bool,
}

impl Plan {
    fn new<T>(ins: &[(&[T], &Layout)], out: &Layout) -> Plan {
        let axes = sorted_axes(ins, out);
        // NumPy merges adjacent axes every array steps through as one; its
        // own output is laid out in iteration order, so for the output only
        // the boundary between summed and kept axes stops a merge.
        let linear = |a: &Axis, b: &Axis, k: usize| a.strides[k] * a.len as isize == b.strides[k];
        let merges = |a: &Axis, b: &Axis| {
            (a.strides[0] == 0) == (b.strides[0] == 0)
                && (1..a.strides.len()).all(|k| linear(a, b, k))
        };
        let mut groups: Vec<usize> = Vec::new(); // axes per merged axis
        for i in 0..axes.len() {
            match groups.last_mut() {
                Some(n) if merges(&axes[i - 1], &axes[i]) => *n += 1,
                _ => groups.push(1),
            }
        }
        // einsum's unbuffered loops take one or two operands over two or
        // three merged axes, the inner loop over the innermost. Otherwise the
        // buffered iterator's inner loop spans the innermost axes that are
        // all summed (or all kept), copying the operands that do not step
        // through them as one.
        let buffered = !(matches!(ins.len(), 1 | 2) && matches!(groups.len(), 2 | 3));
        let summed = |a: &Axis| a.strides[0] == 0;
        let chunk = match groups.first() {
            None => 0,
            Some(&g0) if !buffered => g0,
            Some(_) => axes
                .iter()
                .take_while(|a| summed(a) == summed(&axes[0]))
                .count(),
        };
        let c = &axes[..chunk];
        let step = |k: usize| -> isize {
            match c.first() {
                None => 0,
                Some(_) if k == 0 && summed(&c[0]) => 0,
                Some(_) if k == 0 => 1,
                Some(first) if c.windows(2).all(|w| linear(&w[0], &w[1], k)) => first.strides[k],
                Some(_) => 1,
            }
        };
        let strides: Strides = (0..=ins.len()).map(step).collect();
        Plan {
            axes,
            chunk,
            kind: Inner::of(&strides),
            buffered,
        }
    }

    /// One call of NumPy's inner loop over the chunk axes from the offsets
    /// `off` (output first).
    fn run<T: Num>(
        &self,
        ins: &[(&[T], &Layout)],
        out: &mut [T],
        off: &[isize],
        chunk: &[Axis],
        scratch: &mut [Vec<T>],
    ) {
        let o = off[0] as usize;
        let piece = if self.buffered { BUFFER } else { usize::MAX };
        match self.kind {
            Inner::Each => visit(chunk, off, |offs| {
                let p = product(ins, |k| offs[k + 1] as usize);
                let ot = offs[0] as usize;
                out[ot] = p.wrapping_add(out[ot]);
            }),
            Inner::Accumulate => {
                let (mut acc, mut n) = (T::ZERO, 0);
                visit(chunk, off, |offs| {
                    acc = acc.wrapping_add(product(ins, |k| offs[k + 1] as usize));
                    n += 1;
                    if n == piece {
                        out[o] = acc.wrapping_add(out[o]);
                        (acc, n) = (T::ZERO, 0);
                    }
                });
                if n > 0 {
                    out[o] = acc.wrapping_add(out[o]);
                }
            }
            kind => {
                // The runs NumPy sums with SIMD, in iteration order.
                for (k, buf) in scratch.iter_mut().enumerate() {
                    buf.clear();
                    visit(chunk, off, |offs| buf.push(ins[k].0[offs[k + 1] as usize]));
                }
                let n = scratch[0].len();
                let mut start = 0;
                while start < n {
                    let r = start..n.min(start.saturating_add(piece));
                    start = r.end;
                    let (a, b) = (&scratch[0][r.clone()], scratch.get(1).map(|b| &b[r]));
                    out[o] = match (kind, b) {
                        (Inner::Sum, _) => lanes_sum(a).wrapping_add(out[o]),
                        (Inner::ScaledSum0, Some(b)) => {
                            out[o].wrapping_add(a[0].wrapping_mul(lanes_sum(b)))
                        }
                        (Inner::ScaledSum1, Some(b)) => {
                            out[o].wrapping_add(b[0].wrapping_mul(lanes_sum(a)))
                        }
                        (_, Some(b)) => out[o].wrapping_add(lanes_dot(a, b)),
                        (_, None) => unreachable!("two-operand loops have two operands"),
                    };
                }
            }
        }
    }
}

/// Calls `f` with the offsets (output first) of every point of `axes`
/// (innermost first) from `start`, in iteration order.
fn visit(axes: &[Axis], start: &[isize], mut f: impl FnMut(&[isize])) {
    let mut off: Strides = start.iter().copied().collect();
    let mut idx = Dims::filled(0, axes.len());
    loop {
        f(&off);
        let mut ax = 0;
        loop {
            if ax == axes.len() {
                return;
            }
            let a = &axes[ax];
            idx[ax] += 1;
            if idx[ax] < a.len {
                off.iter_mut()
                    .zip(a.strides.iter())
                    .for_each(|(o, &s)| *o += s);
                break;
            }
            idx[ax] = 0;
            let back = a.len as isize - 1;
            off.iter_mut()
                .zip(a.strides.iter())
                .for_each(|(o, &s)| *o -= s * back);
            ax += 1;
        }
    }
}

/// The axes of length > 1 in NumPy `nditer`'s order, innermost first.
fn sorted_axes<T>(ins: &[(&[T], &Layout)], out: &Layout) -> Vec<Axis> {
    let dims = out.dims();
    let stride = |k: usize, a: usize| -> isize {
        if k == 0 {
            out.strides()[a]
        } else {
            ins[k - 1].1.strides()[a]
        }
    };
    // A stable insertion sort from the reversed C order by the operands'
    // strides (the output, which NumPy allocates afterwards, has no say):
    // an axis moves inwards past one with a larger stride in the first
    // operand that has both, unless a later operand disagrees (C order wins).
    let mut perm: Vec<usize> = (0..dims.len()).rev().filter(|&a| dims[a] > 1).collect();
    for i0 in 1..perm.len() {
        let j0 = perm[i0];
        let mut ipos = i0;
        for i1 in (0..i0).rev() {
            let j1 = perm[i1];
            let (mut ambiguous, mut swap) = (true, false);
            for k in 1..=ins.len() {
                let (s0, s1) = (stride(k, j0), stride(k, j1));
                if s0 != 0 && s1 != 0 {
                    if s1.abs() <= s0.abs() {
                        swap = false;
                    } else if ambiguous {
                        swap = true;
                    }
                    ambiguous = false;
                }
            }
            if !ambiguous {
                if swap {
                    ipos = i1;
                } else {
                    break;
                }
            }
        }
        if ipos != i0 {
            perm.remove(i0);
            perm.insert(ipos, j0);
        }
    }
    perm.iter()
        .map(|&a| Axis {
            len: dims[a],
            strides: (0..=ins.len()).map(|k| stride(k, a)).collect(),
        })
        .collect()
}

/// NumPy's inner loop for the innermost axis, chosen by its strides.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Inner {
    /// One contiguous operand summed into one element (`sum_of_arr`).
    Sum,
    /// Operand 0 fixed, operand 1 contiguous: `a · Σ b`.
    ScaledSum0,
    /// Operand 0 contiguous, operand 1 fixed: `b · Σ a`.
    ScaledSum1,
    /// Two contiguous operands: the dot product.
    Dot,
    /// Any other run into one element: one sequential accumulator.
    Accumulate,
    /// Each product into its own element.
    Each,
}

impl Inner {
    /// `s[0]` is the output's stride, then each operand's.
    fn of(s: &[isize]) -> Inner {
        match s {
            [0, 1] => Inner::Sum,
            [0, 0, 1] => Inner::ScaledSum0,
            [0, 1, 0] => Inner::ScaledSum1,
            [0, 1, 1] => Inner::Dot,
            [0, ..] => Inner::Accumulate,
            _ => Inner::Each,
        }
    }
}

/// `ins[0][at(0)] · ins[1][at(1)] · …`, left to right.
#[inline]
fn product<T: Num>(ins: &[(&[T], &Layout)], at: impl Fn(usize) -> usize) -> T {
    match ins {
        [] => T::ONE,
        [(a, _), rest @ ..] => rest
            .iter()
            .enumerate()
            .fold(a[at(0)], |p, (k, (x, _))| p.wrapping_mul(x[at(k + 1)])),
    }
}

/// Lanes of a 128-bit vector of `T` (4 for `f32`, 2 for `f64`).
const fn lanes<T>() -> usize {
    16 / core::mem::size_of::<T>()
}

/// NumPy's SIMD sum of a contiguous run: lane-wise partial sums (four
/// vectors a step, `(v0 + v1) + (v2 + v3)` added to the accumulator), then
/// the lanes pairwise.
fn lanes_sum<T: Num>(x: &[T]) -> T {
    let l = lanes::<T>();
    let mut acc = [T::ZERO; 4];
    let mut chunks = x.chunks_exact(4 * l);
    for c in &mut chunks {
        for (j, a) in acc.iter_mut().enumerate().take(l) {
            let v01 = c[j].wrapping_add(c[l + j]);
            let v23 = c[2 * l + j].wrapping_add(c[3 * l + j]);
            *a = v01.wrapping_add(v23).wrapping_add(*a);
        }
    }
    for c in chunks.remainder().chunks(l) {
        for (j, &v) in c.iter().enumerate() {
            acc[j] = v.wrapping_add(acc[j]);
        }
    }
    horizontal(&acc[..l])
}

/// NumPy's SIMD dot product of two contiguous runs (multiply, then add:
/// its baseline vectors have no fused multiply-add).
fn lanes_dot<T: Num>(x: &[T], y: &[T]) -> T {
    let l = lanes::<T>();
    let mut acc = [T::ZERO; 4];
    let step = 4 * l;
    let full = x.len() / step * step;
    for base in (0..full).step_by(step) {
        for (j, a) in acc.iter_mut().enumerate().take(l) {
            for v in (0..4).rev() {
                let i = base + v * l + j;
                *a = x[i].wrapping_mul(y[i]).wrapping_add(*a);
            }
        }
    }
    for (xs, ys) in x[full..].chunks(l).zip(y[full..].chunks(l)) {
        for (j, (&a, &b)) in xs.iter().zip(ys).enumerate() {
            acc[j] = a.wrapping_mul(b).wrapping_add(acc[j]);
        }
    }
    horizontal(&acc[..l])
}

/// The sum of a vector's lanes as SSE3's `hadd` computes it.
fn horizontal<T: Num>(v: &[T]) -> T {
    match v {
        [a, b, c, d] => a.wrapping_add(*b).wrapping_add(c.wrapping_add(*d)),
        [a, b] => a.wrapping_add(*b),
        _ => v.iter().fold(T::ZERO, |s, &x| s.wrapping_add(x)),
    }
}
