//! `Grad`: a gradient as the backward sweep holds it — formed, or a smaller
//! array read as if broadcast over the tensor's shape.
//!
//! DESIGN. The gradient of a sum or mean is the upstream gradient spread
//! over the reduced axes; `+`, `-` and scaling by a 0-d operand pass such a
//! gradient on unchanged in form. Forming it costs a write of the whole
//! tensor, and each rule that reads it a read, where the spread form costs
//! nothing (PyTorch's `expand` does the same). So sum and mean give large
//! gradients ([`SPREAD_MIN`] elements or more) spread; the rules above keep
//! them spread; elementwise rules, matrix products and accumulation read
//! them through a broadcast [`Layout`]; sums down to a broadcast input of
//! `+`, `-` and `*` read them in place with the additions the formed
//! gradient would get (`eval::sum_grad_to`, `eval::sum_product_to`); every
//! other rule gets them formed, once per node, by the engine
//! (`Op::takes_spread`). Every element is the same arithmetic on the same
//! values either way, so the bits do not depend on the form. A user reading
//! a gradient always gets it formed.
//!
//! Measured stand-alone (one call of the workload, medians, builds before
//! and after alternating, two rounds): W2's backward 79.5–89.8 -> 69.6–71.8
//! ms at N = 16M and 2.71–3.15 -> 2.30–2.31 ms at 1M; W5's at n = 1024 f64
//! 30.9–31.4 -> 30.2–30.8 ms (no fill of G, and G packed by a fill). W3,
//! whose `+ a` and `a * b` sum the gradient down to broadcast inputs, at
//! n = 4096: 36.7–38.0 -> 14.1–14.5 ms per call once those sums read it in
//! place (two 64 MB fills and three 64 MB reads fewer). A small gradient never takes this route; keeping W1 and
//! W7 from paying for the enum took boxing the spread form and inlining
//! [`Grad::give`] (W7 164–166 against 166–169 ns before; W1 still 642–653
//! against 603–620 ns).

use std::borrow::Cow;

use causing_diff_kernels::{Dims, Layout};

use crate::array::Array;
use crate::dtype::DType;
use crate::error::Result;
use crate::eval;
use crate::pool::Pool;

/// Gradients of fewer elements are always formed: forming them is cheap,
/// and small ones take the formed route's fast paths (W1, W7).
pub(crate) const SPREAD_MIN: usize = 1024;

/// A gradient in the backward sweep.
#[derive(Clone, Debug)]
pub(crate) enum Grad {
    /// Every element stored.
    Formed(Array),
    /// An array read as if broadcast (boxed: a spread gradient is large,
    /// and every formed one, such as a scalar's, stays small to move).
    Spread(Box<Spread>),
}

/// The parts of [`Grad::Spread`].
#[derive(Clone, Debug)]
pub(crate) struct Spread {
    /// The stored values, of a shape that broadcasts to `shape`.
    pub(crate) src: Array,
    /// The gradient's shape.
    pub(crate) shape: Dims,
}

impl Grad {
    /// `src` spread over `shape` (or formed, if that is no larger).
    pub(crate) fn spread(src: Array, shape: &[usize]) -> Grad {
        if src.has_shape(shape) {
            Grad::Formed(src)
        } else {
            Grad::Spread(Box::new(Spread {
                src,
                shape: Dims::from(shape),
            }))
        }
    }

    #[inline]
    pub(crate) fn shape(&self) -> &[usize] {
        match self {
            Grad::Formed(a) => a.shape(),
            Grad::Spread(s) => &s.shape,
        }
    }

    #[inline]
    pub(crate) fn dtype(&self) -> DType {
        self.data().dtype()
    }

    /// Elements of the gradient (not of its storage).
    #[inline]
    pub(crate) fn size(&self) -> usize {
        match self {
            Grad::Formed(a) => a.size(),
            Grad::Spread(s) => s.shape.iter().product(),
        }
    }

    /// The stored values: all of them, or the spread source.
    #[inline]
    pub(crate) fn data(&self) -> &Array {
        match self {
            Grad::Formed(a) => a,
            Grad::Spread(s) => &s.src,
        }
    }

    /// How [`Grad::data`] is read as the gradient's shape.
    pub(crate) fn layout(&self) -> Layout {
        match self {
            Grad::Formed(a) => Layout::contiguous(a.shape()),
            Grad::Spread(s) => Layout::contiguous(s.src.shape())
                .broadcast_to(&s.shape)
                .expect("a spread source broadcasts to its shape"),
        }
    }

    /// The formed gradient.
    pub(crate) fn form(mut self, pool: &mut Pool) -> Result<Array> {
        self.form_in_place(pool)?;
        match self {
            Grad::Formed(a) => Ok(a),
            Grad::Spread(_) => unreachable!("formed above"),
        }
    }

    /// Makes the gradient formed in place (unchanged on error).
    #[inline]
    pub(crate) fn form_in_place(&mut self, pool: &mut Pool) -> Result<()> {
        match self {
            Grad::Formed(_) => Ok(()),
            Grad::Spread(_) => self.form_spread(pool),
        }
    }

    #[cold]
    #[inline(never)]
    fn form_spread(&mut self, pool: &mut Pool) -> Result<()> {
        let formed = self.materialize(pool)?;
        core::mem::replace(self, Grad::Formed(formed)).give(pool);
        Ok(())
    }

    /// Every element of the gradient, in a new array from `pool`.
    pub(crate) fn materialize(&self, pool: &mut Pool) -> Result<Array> {
        let data = self.data();
        eval::materialize(data, &self.layout(), data.dtype(), pool)
    }

    /// The formed gradient, borrowed when it is; give it back with
    /// `eval::release`.
    #[inline]
    pub(crate) fn formed(&self, pool: &mut Pool) -> Result<Cow<'_, Array>> {
        match self {
            Grad::Formed(a) => Ok(Cow::Borrowed(a)),
            Grad::Spread(_) => Ok(Cow::Owned(self.materialize(pool)?)),
        }
    }

    /// The formed gradient as a new array outside the pool (what users
    /// read).
    pub(crate) fn to_array(&self) -> Result<Array> {
        match self {
            Grad::Formed(a) => Ok(a.clone()),
            Grad::Spread(_) => self.materialize(&mut Pool::default()),
        }
    }

    /// Returns the storage to the pool.
    // Always inlined: it runs several times per step of a scalar loop (W7),
    // where as a call it took 5.7–6.6% of the samples.
    #[inline(always)]
    pub(crate) fn give(self, pool: &mut Pool) {
        // One call of the pool's `give`, which then inlines.
        let buf = match self {
            Grad::Formed(a) => a.buf,
            Grad::Spread(s) => s.src.buf,
        };
        pool.give(buf)
    }
}

// A formed gradient moves as cheaply as an array (W1 and W7 move several
// per step).
const _: () = assert!(size_of::<Grad>() == size_of::<Array>());
