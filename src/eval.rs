//! Array-level compute on pooled buffers: broadcasting elementwise maps,
//! reductions, casts and the gradient plumbing the engine needs. Forward
//! passes, backward rules and plain [`Array`] arithmetic all go through here;
//! the kernels crate does the loops.

use causing_diff_kernels::{
    broadcast_shapes, contig, elementwise, reduce, Dims, Element, Float, Layout, Num, SmallVec,
};

use crate::array::{same_shape, Array, Buf, Elem, Storage};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::grad::Grad;
use crate::pool::Pool;

/// Runs `$body` with the type alias `$T` set to the element type of `$dtype`.
/// The one place a runtime dtype selects a static element type for compute.
macro_rules! dispatch {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool => {
                #[allow(dead_code)]
                type $T = bool;
                $body
            }
            $crate::dtype::DType::Int32 => {
                #[allow(dead_code)]
                type $T = i32;
                $body
            }
            $crate::dtype::DType::Int64 => {
                #[allow(dead_code)]
                type $T = i64;
                $body
            }
            $crate::dtype::DType::Float32 => {
                #[allow(dead_code)]
                type $T = f32;
                $body
            }
            $crate::dtype::DType::Float64 => {
                #[allow(dead_code)]
                type $T = f64;
                $body
            }
        }
    };
}
pub(crate) use dispatch;

/// [`dispatch!`] over the numeric dtypes; `Bool` evaluates `$bool` instead.
macro_rules! dispatch_num {
    ($dtype:expr, $T:ident => $body:expr, bool => $bool:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool => $bool,
            $crate::dtype::DType::Int32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::Int64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::Float32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::Float64 => {
                type $T = f64;
                $body
            }
        }
    };
}
pub(crate) use dispatch_num;

/// [`dispatch!`] over `Float32`/`Float64`; other dtypes evaluate `$other`.
macro_rules! dispatch_float {
    ($dtype:expr, $T:ident => $body:expr, other => $other:expr) => {
        match $dtype {
            $crate::dtype::DType::Float32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::Float64 => {
                type $T = f64;
                $body
            }
            _ => $other,
        }
    };
}
pub(crate) use dispatch_float;

/// The typed contents of an array known to hold `T`.
#[inline]
pub(crate) fn slice<T: Elem>(a: &Array) -> &[T] {
    T::slice(&a.buf).unwrap_or_else(|| unreachable!("array of {} read as {}", a.dtype(), T::DTYPE))
}

/// Wraps a typed vector as an array of `shape`.
#[inline]
pub(crate) fn wrap<T: Elem>(v: Vec<T>, shape: &[usize]) -> Array {
    wrap_dims(v, Dims::from(shape))
}

/// [`wrap`] for a shape already held as [`Dims`] (cloning an array's shape
/// copies a fixed-size block, where a slice copy is a `memcpy` call: this
/// is on the path of every op of a scalar loop).
pub(crate) fn wrap_dims<T: Elem>(v: Vec<T>, shape: Dims) -> Array {
    Array::from_parts(T::wrap(v), shape)
}

/// NumPy's limit on the number of dimensions (`NPY_MAXDIMS`). Printing
/// recurses once per axis, and several plans cost the square of the number
/// of axes, so an unbounded count could overflow the stack or hang.
pub(crate) const MAX_NDIM: usize = 64;

/// `InvalidArgument` (NumPy's message) when a result would have more than
/// [`MAX_NDIM`] dimensions.
pub(crate) fn check_ndim(ndim: usize, op: &'static str) -> Result<()> {
    if ndim > MAX_NDIM {
        return Err(Error::InvalidArgument {
            op,
            message: format!(
                "maximum supported dimension for an ndarray is currently {MAX_NDIM}, found {ndim}"
            ),
        });
    }
    Ok(())
}

/// The number of elements of `shape`, checking it as every new array's
/// shape is checked: at most [`MAX_NDIM`] dimensions, else
/// `InvalidArgument`, and addressable (`checked_size`), else `TooLarge`.
pub(crate) fn size(shape: &[usize], op: &'static str) -> Result<usize> {
    check_ndim(shape.len(), op)?;
    causing_diff_kernels::checked_size(shape).ok_or_else(|| Error::TooLarge {
        op,
        shape: shape.to_vec(),
    })
}

/// `n` copies of `value` (scratch such as index maps, whose length comes
/// from user input), or `TooLarge` naming `shape` when memory refuses: an
/// error, not an abort.
pub(crate) fn try_vec<T: Clone>(
    n: usize,
    value: T,
    op: &'static str,
    shape: &[usize],
) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::TooLarge {
        op,
        shape: shape.to_vec(),
    })?;
    v.resize(n, value);
    Ok(v)
}

/// An array of `shape` filled with `value` cast to `dtype`.
pub(crate) fn full(
    shape: &[usize],
    value: f64,
    dtype: DType,
    pool: &mut Pool,
    op: &'static str,
) -> Result<Array> {
    filled(size(shape, op)?, Dims::from(shape), value, dtype, pool, op)
}

/// An array of `a`'s shape and dtype filled with `value`.
pub(crate) fn full_like(a: &Array, value: f64, pool: &mut Pool, op: &'static str) -> Result<Array> {
    // `a` already holds its size and shape (this seeds every backward pass).
    filled(a.buf.len(), a.shape.clone(), value, a.dtype(), pool, op)
}

/// [`full`] for a shape already known to hold `n` elements. Inlined into
/// its two callers: `full_like` seeds every backward pass.
#[inline(always)]
fn filled(
    n: usize,
    shape: Dims,
    value: f64,
    dtype: DType,
    pool: &mut Pool,
    op: &'static str,
) -> Result<Array> {
    dispatch!(dtype, T => {
        let mut v: Vec<T> = pool.take(n, op)?;
        contig::fill(&mut v, T::from_f64(value));
        Ok(wrap_dims(v, shape))
    })
}

/// A copy of `a` with another dtype (or the same).
pub(crate) fn cast(a: &Array, dtype: DType, pool: &mut Pool) -> Result<Array> {
    let layout = Layout::contiguous(a.shape());
    materialize(a, &layout, dtype, pool)
}

/// `a` seen as `dtype`: borrowed when it already has it, else a converted copy.
pub(crate) fn as_dtype<'a>(
    a: &'a Array,
    dtype: DType,
    pool: &mut Pool,
) -> Result<std::borrow::Cow<'a, Array>> {
    if a.dtype() == dtype {
        Ok(std::borrow::Cow::Borrowed(a))
    } else {
        cast(a, dtype, pool).map(std::borrow::Cow::Owned)
    }
}

/// `a` converted to `dtype`, without a copy when it already has it.
pub(crate) fn cast_owned(a: Array, dtype: DType, pool: &mut Pool) -> Result<Array> {
    if a.dtype() == dtype {
        return Ok(a);
    }
    let out = cast(&a, dtype, pool)?;
    pool.give(a.buf);
    Ok(out)
}

/// The elements of `a` seen through `layout` (a broadcast, permutation or
/// slice of its row-major data), written out contiguously as `dtype`.
pub(crate) fn materialize(
    a: &Array,
    layout: &Layout,
    dtype: DType,
    pool: &mut Pool,
) -> Result<Array> {
    let n = size(layout.dims(), "copy")?;
    let src = a.dtype();
    dispatch!(dtype, U => {
        let mut out: Vec<U> = pool.take(n, "copy")?;
        dispatch!(src, T => {
            let s = slice::<T>(a);
            if U::DTYPE.is_integer() {
                elementwise::map1(s, layout, &mut out, |x: T| U::from_i64(x.to_i64()));
            } else {
                elementwise::map1(s, layout, &mut out, |x: T| U::from_f64(x.to_f64()));
            }
        });
        Ok(wrap(out, layout.dims()))
    })
}

/// `g` broadcast one way to `shape` and cast to `dtype` (the backward seed).
pub(crate) fn broadcast_cast(
    g: &Array,
    shape: &[usize],
    dtype: DType,
    pool: &mut Pool,
) -> Result<Array> {
    let layout = Layout::contiguous(g.shape())
        .broadcast_to(shape)
        .expect("caller checked the broadcast");
    materialize(g, &layout, dtype, pool)
}

/// Layouts of two operands broadcast against each other, and the result shape.
pub(crate) fn broadcast2(
    a: &[usize],
    b: &[usize],
    op: &'static str,
) -> Result<(Dims, Layout, Layout)> {
    let shape = broadcast_shapes(a, b).ok_or_else(|| Error::ShapeMismatch {
        op,
        shapes: vec![a.to_vec(), b.to_vec()],
        detail: "operands could not be broadcast together with shapes",
    })?;
    let la = Layout::contiguous(a)
        .broadcast_to(&shape)
        .expect("broadcast shape");
    let lb = Layout::contiguous(b)
        .broadcast_to(&shape)
        .expect("broadcast shape");
    Ok((shape, la, lb))
}

/// `f` applied elementwise to `a` (of type `T`), giving an array of `U`.
pub(crate) fn map1<T: Elem, U: Elem>(
    a: &Array,
    pool: &mut Pool,
    op: &'static str,
    f: impl Fn(T) -> U + Sync,
) -> Result<Array> {
    // Arrays are contiguous: a plain zip, no layout needed.
    let mut out: Vec<U> = pool.take(a.buf.len(), op)?;
    contig::zip1(slice::<T>(a), &mut out, f);
    Ok(wrap_dims(out, a.shape.clone()))
}

/// `f` applied elementwise to `a` and `b` (both of type `T`) with NumPy
/// broadcasting, giving an array of `U`.
pub(crate) fn map2<T: Elem, U: Elem>(
    a: &Array,
    b: &Array,
    pool: &mut Pool,
    op: &'static str,
    f: impl Fn(T, T) -> U + Sync,
) -> Result<Array> {
    let (sa, sb) = (slice::<T>(a), slice::<T>(b));
    // Fast paths without layouts: equal shapes, or one operand a 0-d scalar.
    if a.has_shape(b.shape()) || b.ndim() == 0 || a.ndim() == 0 {
        // The result has the shape of the operand with more axes, which may
        // have a size-0 axis (then the 0-d operand is never read).
        let (shape, n) = if a.ndim() >= b.ndim() {
            (&a.shape, sa.len())
        } else {
            (&b.shape, sb.len())
        };
        let mut out: Vec<U> = pool.take(n, op)?;
        contig::zip2(sa, sb, &mut out, f);
        return Ok(wrap_dims(out, shape.clone()));
    }
    let (shape, la, lb) = broadcast2(a.shape(), b.shape(), op)?;
    let n = size(&shape, op)?;
    let mut out: Vec<U> = pool.take(n, op)?;
    elementwise::map2(sa, &la, sb, &lb, &mut out, f);
    Ok(wrap(out, &shape))
}

/// `f` applied elementwise to three arrays of type `T`, broadcast together.
pub(crate) fn map3<T: Elem, U: Elem>(
    a: &Array,
    b: &Array,
    c: &Array,
    pool: &mut Pool,
    op: &'static str,
    f: impl Fn(T, T, T) -> U + Sync,
) -> Result<Array> {
    if a.has_shape(b.shape()) && b.has_shape(c.shape()) {
        let mut out: Vec<U> = pool.take(a.size(), op)?;
        let (sa, sb, sc) = (slice::<T>(a), slice::<T>(b), slice::<T>(c));
        for (((o, &x), &y), &z) in out.iter_mut().zip(sa).zip(sb).zip(sc) {
            *o = f(x, y, z);
        }
        return Ok(wrap(out, a.shape()));
    }
    let ab = broadcast_shapes(a.shape(), b.shape());
    let shape = ab
        .and_then(|ab| broadcast_shapes(&ab, c.shape()))
        .ok_or_else(|| Error::ShapeMismatch {
            op,
            shapes: vec![a.shape().to_vec(), b.shape().to_vec(), c.shape().to_vec()],
            detail: "operands could not be broadcast together with shapes",
        })?;
    let n = size(&shape, op)?;
    let mut out: Vec<U> = pool.take(n, op)?;
    elementwise::map3(
        slice::<T>(a),
        &input_layout(a, &shape),
        slice::<T>(b),
        &input_layout(b, &shape),
        slice::<T>(c),
        &input_layout(c, &shape),
        &mut out,
        f,
    );
    Ok(wrap(out, &shape))
}

/// An array borrowed or made by [`as_dtype`] (or `Grad::formed`), given
/// back to the pool when made.
#[inline]
pub(crate) fn release(a: std::borrow::Cow<'_, Array>, pool: &mut Pool) {
    if let std::borrow::Cow::Owned(a) = a {
        pool.give(a.buf);
    }
}

/// `layout`'s view of `a` broadcast to `shape` (an input of an op whose
/// output has `shape`).
fn input_layout(a: &Array, shape: &[usize]) -> Layout {
    Layout::contiguous(a.shape())
        .broadcast_to(shape)
        .expect("an op's input broadcasts to its output")
}

/// [`map1`] of a gradient, formed or read spread.
#[inline]
pub(crate) fn map1g<T: Elem, U: Elem>(
    g: &Grad,
    pool: &mut Pool,
    op: &'static str,
    f: impl Fn(T) -> U + Sync,
) -> Result<Array> {
    match g {
        Grad::Formed(g) => map1(g, pool, op, f),
        Grad::Spread(s) => {
            let mut out: Vec<U> = pool.take(size(&s.shape, op)?, op)?;
            elementwise::map1(slice::<T>(&s.src), &g.layout(), &mut out, f);
            Ok(wrap(out, &s.shape))
        }
    }
}

/// [`map2`] of a gradient (formed or read spread) and an input of the op
/// whose output has the gradient's shape.
#[inline]
pub(crate) fn map2g<T: Elem, U: Elem>(
    g: &Grad,
    b: &Array,
    pool: &mut Pool,
    op: &'static str,
    f: impl Fn(T, T) -> U + Sync,
) -> Result<Array> {
    match g {
        Grad::Formed(g) => map2(g, b, pool, op, f),
        Grad::Spread(s) => {
            let mut out: Vec<U> = pool.take(size(&s.shape, op)?, op)?;
            let (sg, sb) = (slice::<T>(&s.src), slice::<T>(b));
            elementwise::map2(sg, &g.layout(), sb, &input_layout(b, &s.shape), &mut out, f);
            Ok(wrap(out, &s.shape))
        }
    }
}

/// [`map3`] of a gradient (formed or read spread) and two inputs of the op
/// whose output has the gradient's shape.
#[inline]
pub(crate) fn map3g<T: Elem, U: Elem>(
    g: &Grad,
    a: &Array,
    b: &Array,
    pool: &mut Pool,
    op: &'static str,
    f: impl Fn(T, T, T) -> U + Sync,
) -> Result<Array> {
    match g {
        Grad::Formed(g) => map3(g, a, b, pool, op, f),
        Grad::Spread(s) => {
            let mut out: Vec<U> = pool.take(size(&s.shape, op)?, op)?;
            elementwise::map3(
                slice::<T>(&s.src),
                &g.layout(),
                slice::<T>(a),
                &input_layout(a, &s.shape),
                slice::<T>(b),
                &input_layout(b, &s.shape),
                &mut out,
                f,
            );
            Ok(wrap(out, &s.shape))
        }
    }
}

/// `acc += g` for two arrays of the same shape and dtype (gradient accumulation).
pub(crate) fn add_assign(acc: &mut Array, g: &Array) {
    debug_assert_eq!(acc.shape(), g.shape());
    dispatch_num!(acc.dtype(), T => {
        let a = T::slice_mut(&mut acc.buf).expect("same dtype");
        contig::update(a, slice::<T>(g), |x: T, y: T| x + y)
    }, bool => {
        let a = bool::slice_mut(&mut acc.buf).expect("same dtype");
        contig::update(a, slice::<bool>(g), |x, y| x | y)
    })
}

/// `acc += g` for a gradient of `acc`'s shape and dtype, formed or read
/// spread (gradient accumulation).
pub(crate) fn add_grad(acc: &mut Array, g: &Grad) {
    match g {
        Grad::Formed(g) => add_assign(acc, g),
        Grad::Spread(s) => dispatch_float!(acc.dtype(), T => {
            add_into(acc, slice::<T>(&s.src), &g.layout(), |g: T| g)
        }, other => unreachable!("gradients are floats")),
    }
}

/// In place: `acc[i] = acc[i] + f(g[…])`, with `g` read through `gl` (the
/// dims of `acc`, possibly broadcast): a gradient added into an existing one
/// without being formed.
pub(crate) fn add_into<T: Elem + Float>(
    acc: &mut Array,
    g: &[T],
    gl: &Layout,
    f: impl Fn(T) -> T + Sync,
) {
    debug_assert_eq!(acc.shape(), gl.dims());
    let a = T::slice_mut(&mut acc.buf).expect("same dtype");
    elementwise::zip_assign(a, g, gl, |a, g| a + f(g));
}

/// A boolean mask over the axes of an `ndim`-dimensional array from
/// possibly negative axis numbers; `None` means every axis.
pub(crate) fn axes_mask(axes: Option<&[isize]>, ndim: usize, op: &'static str) -> Result<Dims> {
    let mut mask = Dims::filled(0, ndim);
    match axes {
        None => mask.iter_mut().for_each(|m| *m = 1),
        Some(axes) => {
            for &ax in axes {
                let a = normalize_axis(ax, ndim, op)?;
                if mask[a] == 1 {
                    return Err(Error::DuplicateAxis { op, axis: a });
                }
                mask[a] = 1;
            }
        }
    }
    Ok(mask)
}

/// An axis in `[-ndim, ndim)` as an index in `[0, ndim)`.
pub(crate) fn normalize_axis(axis: isize, ndim: usize, op: &'static str) -> Result<usize> {
    let n = ndim as isize;
    if axis < -n || axis >= n {
        return Err(Error::AxisOutOfRange { op, axis, ndim });
    }
    Ok(if axis < 0 {
        (axis + n) as usize
    } else {
        axis as usize
    })
}

/// The shape left after reducing the masked axes (kept as 1s with `keepdims`).
pub(crate) fn reduced_shape(shape: &[usize], mask: &[usize], keepdims: bool) -> Dims {
    let mut out = Dims::new();
    for (&d, &m) in shape.iter().zip(mask) {
        if m == 0 {
            out.push(d);
        } else if keepdims {
            out.push(1);
        }
    }
    out
}

fn mask_bools(mask: &[usize]) -> SmallVec<bool> {
    mask.iter().map(|&m| m != 0).collect()
}

/// The sum of `a` over the masked axes. Integer and bool sums are int64, as
/// NumPy's `sum` (int32 included); float sums keep their dtype.
pub(crate) fn sum(a: &Array, mask: &[usize], keepdims: bool, pool: &mut Pool) -> Result<Array> {
    let shape = reduced_shape(a.shape(), mask, keepdims);
    let n = size(&shape, "sum")?;
    let layout = Layout::contiguous(a.shape());
    let axes = mask_bools(mask);
    let out = match a.dtype() {
        DType::Float32 => sum_typed::<f32>(slice(a), &layout, &axes, n, pool)?,
        DType::Float64 => sum_typed::<f64>(slice(a), &layout, &axes, n, pool)?,
        DType::Int64 => sum_typed::<i64>(slice(a), &layout, &axes, n, pool)?,
        _ => {
            let wide = cast(a, DType::Int64, pool)?;
            let r = sum_typed::<i64>(slice(&wide), &layout, &axes, n, pool);
            pool.give(wide.buf);
            r?
        }
    };
    Ok(Array::from_parts(out, shape))
}

fn sum_typed<T: Elem + Num>(
    src: &[T],
    layout: &Layout,
    axes: &[bool],
    n: usize,
    pool: &mut Pool,
) -> Result<Buf> {
    let mut out: Vec<T> = pool.take(n, "sum")?;
    reduce::sum_axes(src, layout, axes, &mut out);
    Ok(T::wrap(out))
}

/// Reduces a gradient computed in an op's output shape to an input's shape
/// (summing over broadcast axes, MyGrad's `reduce_broadcast`) and dtype.
#[inline]
pub(crate) fn reduce_to(g: Grad, shape: &[usize], dtype: DType, pool: &mut Pool) -> Result<Grad> {
    if g.dtype() == dtype && same_shape(g.shape(), shape) {
        // The common case: the rule already produced the input's gradient.
        return Ok(g);
    }
    sum_cast_to(g, shape, dtype, pool).map(Grad::Formed)
}

#[inline(never)]
fn sum_cast_to(g: Grad, shape: &[usize], dtype: DType, pool: &mut Pool) -> Result<Array> {
    let g = if g.shape() == shape {
        g.form(pool)?
    } else {
        let r = sum_grad_to(&g, shape, pool)?;
        g.give(pool);
        r
    };
    cast_owned(g, dtype, pool)
}

/// The axes along which a gradient of shape `from` sums to an input of the
/// shape `to` it was broadcast from (leading extra axes, and stretched 1s).
fn broadcast_axes(from: &[usize], to: &[usize]) -> Dims {
    let lead = from.len() - to.len();
    let mut mask = Dims::filled(0, from.len());
    for (k, m) in mask.iter_mut().enumerate() {
        *m = usize::from(k < lead || (to[k - lead] == 1 && from[k] != 1));
    }
    mask
}

/// `g` summed over its broadcast axes down to `shape` (which `g.shape()`
/// is a broadcast of), in `g`'s dtype.
pub(crate) fn sum_to(g: &Array, shape: &[usize], pool: &mut Pool) -> Result<Array> {
    let mut r = sum(g, &broadcast_axes(g.shape(), shape), true, pool)?;
    // Drop the leading axes (now 1s): same data, the input's shape.
    r.shape = Dims::from(shape);
    Ok(r)
}

/// [`sum_to`] of a gradient: a spread one summed where it is stored, with
/// the additions of its formed route (`sum_axes_as_contiguous`), when its
/// layout allows that; else formed and summed.
pub(crate) fn sum_grad_to(g: &Grad, shape: &[usize], pool: &mut Pool) -> Result<Array> {
    if let Grad::Spread(s) = g {
        let axes = mask_bools(&broadcast_axes(&s.shape, shape));
        let n = size(shape, "sum")?;
        let layout = g.layout();
        let summed = dispatch_float!(g.dtype(), T => {
            let mut out: Vec<T> = pool.take(n, "sum")?;
            let done = reduce::sum_axes_as_contiguous(slice::<T>(&s.src), &layout, &axes, &mut out);
            done_or_give(done, out, pool)
        }, other => unreachable!("gradients are float arrays, not {}", g.dtype()));
        if let Some(buf) = summed {
            return Ok(Array::from_parts(buf, Dims::from(shape)));
        }
    }
    let formed = g.formed(pool)?;
    let r = sum_to(&formed, shape, pool);
    release(formed, pool);
    r
}

/// `sum_to(g * other)` without forming the broadcast product: the gradient
/// of a product with respect to a broadcast factor. `g` is a float
/// gradient of the product's shape, read where it is stored, spread or not,
/// with the additions of its formed route (`sum_prod_axes_as_contiguous`;
/// a formed gradient always follows them); a spread one whose layout
/// cannot follow them is formed first. `other` is the other factor in
/// `g`'s dtype.
pub(crate) fn sum_product_to(
    g: &Grad,
    other: &Array,
    shape: &[usize],
    pool: &mut Pool,
) -> Result<Array> {
    let gs = g.shape();
    let (lg, lo) = (
        g.layout(),
        Layout::contiguous(other.shape())
            .broadcast_to(gs)
            .expect("the other factor broadcasts to the product's shape"),
    );
    let axes = mask_bools(&broadcast_axes(gs, shape));
    let n = size(shape, "sum")?;
    let summed = dispatch_float!(g.dtype(), T => {
        let mut out: Vec<T> = pool.take(n, "multiply")?;
        let (gv, ov) = (slice::<T>(g.data()), slice::<T>(other));
        let done = reduce::sum_prod_axes_as_contiguous(gv, &lg, ov, &lo, &axes, &mut out);
        done_or_give(done, out, pool)
    }, other => unreachable!("gradients are float arrays, not {}", g.dtype()));
    match summed {
        Some(buf) => Ok(Array::from_parts(buf, Dims::from(shape))),
        None => {
            let formed = Grad::Formed(g.materialize(pool)?);
            let r = sum_product_to(&formed, other, shape, pool);
            formed.give(pool);
            r
        }
    }
}

/// `out` as a buffer if a kernel `done` filling it; else back to `pool`.
fn done_or_give<T: Elem>(done: bool, out: Vec<T>, pool: &mut Pool) -> Option<Buf> {
    if done {
        Some(T::wrap(out))
    } else {
        pool.give(T::wrap(out));
        None
    }
}

/// The dtype of a scalar that meets no tensor: NumPy's default for it.
pub(crate) fn scalar_dtype(s: crate::dtype::Scalar) -> DType {
    match s {
        crate::dtype::Scalar::Bool(_) => DType::Bool,
        crate::dtype::Scalar::Int(_) => DType::Int64,
        crate::dtype::Scalar::Float(_) => DType::Float64,
    }
}

/// A 0-d array holding a weak scalar converted to `dtype`. An integer that
/// does not fit the dtype is an error (NEP 50), not a silent wrap.
pub(crate) fn scalar_array(
    s: crate::dtype::Scalar,
    dtype: DType,
    pool: &mut Pool,
    op: &'static str,
) -> Result<Array> {
    if let (crate::dtype::Scalar::Int(i), DType::Int32) = (s, dtype) {
        if i32::try_from(i).is_err() {
            return Err(Error::InvalidArgument {
                op,
                message: format!("Python integer {i} out of bounds for int32"),
            });
        }
    }
    let mut out = match s {
        crate::dtype::Scalar::Int(i) if dtype.is_integer() => {
            dispatch!(dtype, T => {
                let mut v: Vec<T> = pool.take(1, op)?;
                v[0] = T::from_i64(i);
                wrap(v, &[])
            })
        }
        _ => full(&[], s.to_f64(), dtype, pool, op)?,
    };
    out.shape = Dims::new();
    Ok(out)
}

/// `value -= lr * grad` in place (both the same shape and float dtype).
pub(crate) fn sub_scaled_assign(value: &mut Array, grad: &Array, lr: f64) {
    debug_assert_eq!(value.shape(), grad.shape());
    dispatch_float!(value.dtype(), T => {
        let lr = T::from_f64(lr);
        let v = T::slice_mut(&mut value.buf).expect("float data");
        contig::update(v, slice::<T>(grad), move |w: T, g: T| w - lr * g)
    }, other => unreachable!("only float tensors have gradients"))
}
