//! Matrix products with NumPy's `matmul` semantics: 1-D operands promoted
//! to matrices (and the added axis removed again), broadcast batch
//! dimensions. Forward and backward side by side; transposes in the
//! backward are stride swaps, never copies.

use causing_diff_kernels::{broadcast_shapes, matmul as mm, Dims, Layout};

use crate::array::{Array, Elem};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch_num};
use crate::grad::Grad;
use crate::pool::Pool;

/// Shapes of one `a @ b`.
struct Plan {
    batch: Dims,
    m: usize,
    k: usize,
    n: usize,
    a_vec: bool,
    b_vec: bool,
}

impl Plan {
    fn new(a: &[usize], b: &[usize]) -> Result<Plan> {
        let mismatch = |detail| Error::ShapeMismatch {
            op: "matmul",
            shapes: vec![a.to_vec(), b.to_vec()],
            detail,
        };
        if a.is_empty() || b.is_empty() {
            return Err(mismatch(
                "operands must have at least one dimension; got shapes",
            ));
        }
        let (a_vec, b_vec) = (a.len() == 1, b.len() == 1);
        let (m, k) = if a_vec {
            (1, a[0])
        } else {
            (a[a.len() - 2], a[a.len() - 1])
        };
        let (k2, n) = if b_vec {
            (b[0], 1)
        } else {
            (b[b.len() - 2], b[b.len() - 1])
        };
        if k != k2 {
            return Err(mismatch("mismatch in the core dimension of shapes"));
        }
        let ba = if a_vec { &[][..] } else { &a[..a.len() - 2] };
        let bb = if b_vec { &[][..] } else { &b[..b.len() - 2] };
        let batch = broadcast_shapes(ba, bb).ok_or_else(|| {
            mismatch("batch dimensions could not be broadcast together with shapes")
        })?;
        Ok(Plan {
            batch,
            m,
            k,
            n,
            a_vec,
            b_vec,
        })
    }

    fn with(&self, r: usize, c: usize) -> Dims {
        let mut d = self.batch.clone();
        d.push(r);
        d.push(c);
        d
    }

    /// The result shape with the promoted axes removed.
    fn out_shape(&self) -> Dims {
        let mut d = self.batch.clone();
        if !self.a_vec {
            d.push(self.m);
        }
        if !self.b_vec {
            d.push(self.n);
        }
        d
    }
}

fn operand_layout(shape: &[usize], vec_dims: [usize; 2], target: &Dims) -> Layout {
    let base = if shape.len() == 1 {
        Layout::contiguous(&vec_dims)
    } else {
        Layout::contiguous(shape)
    };
    base.broadcast_to(target)
        .expect("plan checked the broadcast")
}

fn product<T: Elem + mm::MatElem>(
    a: &[T],
    al: &Layout,
    b: &[T],
    bl: &Layout,
    shape: &[usize],
    pool: &mut Pool,
) -> Result<Array> {
    let n = eval::size(shape, "matmul")?;
    let mut out: Vec<T> = pool.take(n, "matmul")?;
    mm::matmul(a, al, b, bl, &mut out);
    Ok(eval::wrap(out, shape))
}

/// `a @ b`.
pub(crate) fn matmul(a: &Array, b: &Array, pool: &mut Pool) -> Result<Array> {
    let plan = Plan::new(a.shape(), b.shape())?;
    let dtype = DType::promote(a.dtype(), b.dtype());
    let (a, b) = (
        eval::as_dtype(a, dtype, pool)?,
        eval::as_dtype(b, dtype, pool)?,
    );
    let (a, b) = (&*a, &*b);
    let al = operand_layout(a.shape(), [1, plan.k], &plan.with(plan.m, plan.k));
    let bl = operand_layout(b.shape(), [plan.k, 1], &plan.with(plan.k, plan.n));
    let full = plan.with(plan.m, plan.n);
    let mut out = dispatch_num!(dtype, T => {
        product::<T>(eval::slice(a), &al, eval::slice(b), &bl, &full, pool)?
    }, bool => return Err(Error::UnsupportedDType { op: "matmul", dtype }));
    out.shape = plan.out_shape();
    Ok(out)
}

/// The gradient of `a @ b` for input `k`: `g @ bᵀ` or `aᵀ @ g`, in the
/// input's (batch-broadcast) shape. A spread `g` (W5's G) is read in place
/// with stride 0; where the product then has every row or column the same,
/// the GEMM forms one and copies it, with the formed product's bits.
pub(crate) fn matmul_backward(
    a: &Array,
    b: &Array,
    g: &Grad,
    k: usize,
    pool: &mut Pool,
) -> Result<Array> {
    let plan = Plan::new(a.shape(), b.shape())?;
    if plan.a_vec || plan.b_vec {
        // The gradient's shape drops the promoted axis: read it formed.
        if let Grad::Spread(_) = g {
            let formed = Grad::Formed(g.materialize(pool)?);
            let r = matmul_backward(a, b, &formed, k, pool);
            formed.give(pool);
            return r;
        }
    }
    let dtype = g.dtype();
    let (a, b) = (
        eval::as_dtype(a, dtype, pool)?,
        eval::as_dtype(b, dtype, pool)?,
    );
    let (a, b) = (&*a, &*b);
    // A formed gradient is read with the promoted axis of a 1-D operand put
    // back; a spread one (sum's, W5's G; never with a promoted axis, see
    // above) through its own layout, with stride 0.
    let gl = match g {
        Grad::Formed(_) => Layout::contiguous(&plan.with(plan.m, plan.n)),
        Grad::Spread(_) => g.layout(),
    };
    let g = g.data();
    let swap = |l: Layout| {
        let nd = l.ndim();
        let mut perm: Dims = (0..nd).collect();
        perm.swap(nd - 2, nd - 1);
        l.permute(&perm).expect("swap of the last two axes")
    };
    let (mut out, mut shape) = if k == 0 {
        // d(a@b)/da = g @ bᵀ
        let bt = swap(operand_layout(
            b.shape(),
            [plan.k, 1],
            &plan.with(plan.k, plan.n),
        ));
        let full = plan.with(plan.m, plan.k);
        let out = dispatch_num!(dtype, T => {
            product::<T>(eval::slice(g), &gl, eval::slice(b), &bt, &full, pool)?
        }, bool => unreachable!("gradients are floats"));
        (out, full)
    } else {
        // d(a@b)/db = aᵀ @ g
        let at = swap(operand_layout(
            a.shape(),
            [1, plan.k],
            &plan.with(plan.m, plan.k),
        ));
        let full = plan.with(plan.k, plan.n);
        let out = dispatch_num!(dtype, T => {
            product::<T>(eval::slice(a), &at, eval::slice(g), &gl, &full, pool)?
        }, bool => unreachable!("gradients are floats"));
        (out, full)
    };
    // Remove the axis a 1-D operand was promoted with; the engine then sums
    // over the broadcast batch axes.
    let nd = shape.len();
    if k == 0 && plan.a_vec {
        shape.remove(nd - 2);
    } else if k == 1 && plan.b_vec {
        shape.remove(nd - 1);
    }
    out.shape = shape;
    Ok(out)
}
