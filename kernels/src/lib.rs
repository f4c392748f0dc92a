//! Pure compute kernels for causing-diff.
//!
//! Functions over `&[T]` / `&mut [T]` plus a [`Layout`]: no
//! tensors, no graphs, no autodiff. Each kernel can be checked against a
//! five-line naive loop, and is (see each module's tests and `tests/`).
//!
//! - [`layout`]: the one owner of stride arithmetic;
//! - [`walk`]: the strided walker every elementwise kernel and reduction uses;
//! - [`elementwise`]: `map1`/`map2`/`map3` and in-place `zip_assign`;
//! - [`gather`]: gathers by per-axis index maps, the adjoint scatter-add,
//!   and the chunk interleaving that joins arrays;
//! - [`index_map`]: reads and writes through NumPy index maps;
//! - [`reduce`]: sums, products, max/min (with arg) and folds over any axes;
//! - [`einsum`]: the general sum-of-products loop over a shared index space;
//! - [`scan`]: cumulative sums and products along an axis, and the gradient
//!   of a cumulative product;
//! - [`matmul`](mod@matmul): `gemm` and NumPy's batched `matmul` core;
//! - [`stream`]: large outputs written with non-temporal stores.
#![deny(missing_docs)]

#[cfg(target_arch = "x86_64")]
mod blocked;
pub mod contig;
pub mod dims;
pub mod einsum;
pub mod element;
pub mod elementwise;
pub mod gather;
pub mod index_map;
pub mod layout;
pub mod matmul;
mod pairwise;
pub mod par;
pub mod reduce;
pub mod scan;
pub mod simd;
pub mod stream;
pub mod vmath;
mod vmath32;
pub mod walk;

pub use dims::{Dims, SmallVec, Strides};
pub use einsum::sum_of_products;
pub use element::{Element, Float, Num};
pub use elementwise::{map1, map2, map3, zip_assign};
pub use index_map::IndexMap;
pub use layout::{broadcast_shapes, checked_size, contiguous_strides, Layout};
pub use matmul::{gemm, matmul, GemmFn, MatElem};
pub use reduce::{
    fold_axes, max_axes, min_axes, prod_axes, sum_axes, sum_axes_as_contiguous, sum_prod_axes,
    sum_prod_axes_as_contiguous,
};
pub use scan::{cumprod_grad, scan_axis};
pub use walk::{for_each_run, Walk};
