//! Reuse of value and gradient buffers.
//!
//! Writing into a freshly allocated large buffer runs at a third of the
//! bandwidth of writing into a reused one on these machines (page faults),
//! and a training loop allocates the same shapes every step. The graph
//! therefore returns the buffers of reclaimed nodes and replaced gradients
//! here, and new nodes take them back out. A buffer handed out has
//! arbitrary contents: every producer overwrites all of it.

use crate::array::{Buf, Elem};
use crate::dtype::DType;
use crate::error::{Error, Result};

/// How many idle buffers of one dtype are kept.
const MAX_IDLE: usize = 64;

/// Idle buffers per dtype, most recently returned last.
///
/// One-element buffers (0-d values, scalar operands and their gradients: a
/// scalar training loop takes and gives several per step) have their own
/// lists, so reusing one is a pop, not a search.
#[derive(Default)]
pub(crate) struct Pool {
    idle: [Vec<Buf>; 5],
    single: [Vec<Buf>; 5],
}

fn slot(dtype: DType) -> usize {
    match dtype {
        DType::Bool => 0,
        DType::Int32 => 1,
        DType::Int64 => 2,
        DType::Float32 => 3,
        DType::Float64 => 4,
    }
}

impl Pool {
    /// A buffer of `len` elements of type `T` with arbitrary contents.
    ///
    /// Picks an idle buffer whose capacity fits `len` without wasting more
    /// than 4× (so a huge buffer is not pinned by a scalar), else allocates
    /// fallibly: an allocation too large for memory is an error, not an abort.
    ///
    /// The one-element case (every op of a scalar loop) is a pop, inlined
    /// into the caller (always: left to itself, the compiler kept the scalar
    /// lane's calls out of line); the search lives out of line.
    #[inline(always)]
    pub(crate) fn take<T: Elem>(&mut self, len: usize, op: &'static str) -> Result<Vec<T>> {
        if len == 1 {
            if let Some(b) = self.single[slot(T::DTYPE)].pop() {
                // Single buffers hold exactly one element (see `give`).
                return Ok(T::unwrap_vec(b));
            }
        }
        self.take_any(len, op)
    }

    #[inline(never)]
    fn take_any<T: Elem>(&mut self, len: usize, op: &'static str) -> Result<Vec<T>> {
        let list = &mut self.idle[slot(T::DTYPE)];
        let limit = len.saturating_mul(4).max(64);
        let found = list.iter().rposition(|b| {
            let cap = T::slice_cap(b);
            cap >= len && cap <= limit
        });
        let mut v = match found {
            Some(i) => T::unwrap_vec(list.swap_remove(i)),
            None => {
                let mut v = Vec::new();
                v.try_reserve_exact(len).map_err(|_| Error::TooLarge {
                    op,
                    shape: vec![len],
                })?;
                v
            }
        };
        // Same-length reuse (the steady state of a loop) writes nothing here.
        v.resize(len, T::default());
        v.truncate(len);
        Ok(v)
    }

    /// Returns a buffer for reuse.
    ///
    /// One-element buffers go on their own lists inline; the rest out of line.
    #[inline(always)]
    pub(crate) fn give(&mut self, buf: Buf) {
        if buf.is_single() {
            let list = &mut self.single[slot(buf.dtype())];
            if list.len() < MAX_IDLE {
                list.push(buf);
            }
            return;
        }
        self.give_any(buf);
    }

    #[inline(never)]
    fn give_any(&mut self, buf: Buf) {
        let list = &mut self.idle[slot(buf.dtype())];
        if list.len() >= MAX_IDLE {
            // Keep the larger buffers: they are the expensive ones to fault in.
            if let Some((i, _)) = list
                .iter()
                .enumerate()
                .min_by_key(|(_, b)| b.capacity_bytes())
            {
                if list[i].capacity_bytes() < buf.capacity_bytes() {
                    list.swap_remove(i);
                } else {
                    return;
                }
            }
        }
        list.push(buf);
    }

    /// Drops every idle buffer.
    pub(crate) fn clear(&mut self) {
        for list in self.idle.iter_mut().chain(&mut self.single) {
            list.clear();
        }
    }

    /// Bytes held by idle buffers.
    #[cfg(test)]
    pub(crate) fn idle_bytes(&self) -> usize {
        self.idle
            .iter()
            .chain(&self.single)
            .flatten()
            .map(|b| b.capacity_bytes())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_a_returned_buffer_of_the_same_size() {
        let mut pool = Pool::default();
        let v: Vec<f64> = pool.take(1000, "t").unwrap();
        let ptr = v.as_ptr();
        pool.give(Buf::F64(v));
        let w: Vec<f64> = pool.take(1000, "t").unwrap();
        assert_eq!(w.as_ptr(), ptr);
        assert_eq!(w.len(), 1000);
    }

    #[test]
    fn does_not_pin_a_huge_buffer_for_a_tiny_request() {
        let mut pool = Pool::default();
        pool.give(Buf::F32(vec![0.0; 1 << 20]));
        let v: Vec<f32> = pool.take(1, "t").unwrap();
        assert!(v.capacity() < 1 << 20);
        assert_eq!(pool.idle_bytes(), 4 << 20);
    }

    #[test]
    fn reuses_a_returned_one_element_buffer() {
        let mut pool = Pool::default();
        let v: Vec<f32> = pool.take(1, "t").unwrap();
        let ptr = v.as_ptr();
        pool.give(Buf::F32(v));
        // A buffer of another dtype is not handed out in its place.
        let d: Vec<f64> = pool.take(1, "t").unwrap();
        assert_ne!(d.as_ptr() as usize, ptr as usize);
        let w: Vec<f32> = pool.take(1, "t").unwrap();
        assert_eq!(w.as_ptr(), ptr);
        assert_eq!(w.len(), 1);
        pool.give(Buf::F32(w));
        pool.clear();
        assert_eq!(pool.idle_bytes(), 0);
    }

    #[test]
    fn an_impossible_allocation_is_an_error() {
        let mut pool = Pool::default();
        let err = pool.take::<f64>(usize::MAX / 4, "zeros").unwrap_err();
        assert!(matches!(err, Error::TooLarge { op: "zeros", .. }));
    }
}
