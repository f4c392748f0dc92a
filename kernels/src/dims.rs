//! `Dims`: a small vector of shape dimensions or strides that lives inline up
//! to [`INLINE`] entries, so that shapes and layouts of ordinary tensors never
//! touch the heap.

use core::fmt;
use core::ops::{Deref, DerefMut};

/// How many entries a [`SmallVec`] holds without a heap allocation.
pub const INLINE: usize = 6;

/// A vector of `Copy` values stored inline up to [`INLINE`] entries and on the
/// heap beyond that. Derefs to a slice.
#[derive(Clone)]
pub struct SmallVec<T: Copy + Default> {
    len: usize,
    inline: [T; INLINE],
    heap: Vec<T>,
}

/// Shape dimensions.
pub type Dims = SmallVec<usize>;
/// Signed element strides.
pub type Strides = SmallVec<isize>;

impl<T: Copy + Default> SmallVec<T> {
    /// An empty vector (the shape of a 0-d array).
    #[inline]
    pub fn new() -> Self {
        SmallVec {
            len: 0,
            inline: [T::default(); INLINE],
            heap: Vec::new(),
        }
    }

    /// A vector of `len` copies of `value`.
    pub fn filled(value: T, len: usize) -> Self {
        if len <= INLINE {
            SmallVec {
                len,
                inline: [value; INLINE],
                heap: Vec::new(),
            }
        } else {
            SmallVec {
                len,
                inline: [T::default(); INLINE],
                heap: vec![value; len],
            }
        }
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, value: T) {
        if self.len < INLINE {
            self.inline[self.len] = value;
        } else {
            if self.len == INLINE {
                self.heap.clear();
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(value);
        }
        self.len += 1;
    }

    /// Inserts a value at `index`, shifting the rest right.
    pub fn insert(&mut self, index: usize, value: T) {
        assert!(index <= self.len, "SmallVec::insert index out of bounds");
        self.push(value);
        let s = self.as_mut_slice();
        s[index..].rotate_right(1);
    }

    /// Removes and returns the value at `index`.
    pub fn remove(&mut self, index: usize) -> T {
        assert!(index < self.len, "SmallVec::remove index out of bounds");
        let v = self[index];
        self.as_mut_slice()[index..].rotate_left(1);
        self.truncate(self.len - 1);
        v
    }

    /// Shortens the vector to `len` entries.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        if self.len > INLINE && len <= INLINE {
            self.inline[..len].copy_from_slice(&self.heap[..len]);
            self.heap.clear();
        } else if self.len > INLINE {
            self.heap.truncate(len);
        }
        self.len = len;
    }

    /// Removes every entry.
    #[inline]
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// The entries as a slice.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        if self.len <= INLINE {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }

    /// The entries as a mutable slice.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        if self.len <= INLINE {
            &mut self.inline[..self.len]
        } else {
            &mut self.heap
        }
    }
}

impl<T: Copy + Default> Default for SmallVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Default> Deref for SmallVec<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Copy + Default> DerefMut for SmallVec<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T: Copy + Default> From<&[T]> for SmallVec<T> {
    fn from(s: &[T]) -> Self {
        let mut v = Self::new();
        if s.len() > INLINE {
            v.heap = s.to_vec();
            v.len = s.len();
        } else {
            v.inline[..s.len()].copy_from_slice(s);
            v.len = s.len();
        }
        v
    }
}

impl<T: Copy + Default, const N: usize> From<[T; N]> for SmallVec<T> {
    fn from(s: [T; N]) -> Self {
        Self::from(&s[..])
    }
}

impl<T: Copy + Default> FromIterator<T> for SmallVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v = Self::new();
        for x in iter {
            v.push(x);
        }
        v
    }
}

impl<T: Copy + Default + PartialEq> PartialEq for SmallVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Copy + Default + Eq> Eq for SmallVec<T> {}

impl<T: Copy + Default + PartialEq> PartialEq<[T]> for SmallVec<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}

impl<T: Copy + Default + fmt::Debug> fmt::Debug for SmallVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_spills_to_heap_and_back() {
        let mut v = Dims::new();
        for i in 0..10 {
            v.push(i);
        }
        assert_eq!(v.as_slice(), &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        v.truncate(3);
        assert_eq!(v.as_slice(), &[0, 1, 2]);
        v.insert(1, 42);
        assert_eq!(v.as_slice(), &[0, 42, 1, 2]);
        assert_eq!(v.remove(0), 0);
        assert_eq!(v.as_slice(), &[42, 1, 2]);
    }

    #[test]
    fn insert_across_the_inline_boundary() {
        let mut v: Dims = (0..6).collect();
        v.insert(0, 9);
        assert_eq!(v.as_slice(), &[9, 0, 1, 2, 3, 4, 5]);
        assert_eq!(v.remove(6), 5);
        assert_eq!(v.as_slice(), &[9, 0, 1, 2, 3, 4]);
        assert_eq!(Dims::from(&[1usize, 2, 3, 4, 5, 6, 7][..]).len(), 7);
    }
}
