//! The crate's one error type. Every fallible operation returns
//! [`Result`]; operator sugar panics with the same message.

use core::fmt;

use crate::dtype::DType;

/// Everything that can go wrong on user input.
///
/// Each variant names the operation and the offending shapes or values.
/// `Display` gives a one-line message; operators such as `+` panic with
/// exactly that message.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let a = g.tensor([1.0, 2.0, 3.0]);
/// let b = g.tensor([1.0, 2.0]);
/// let err = a.try_add(b).unwrap_err();
/// assert!(matches!(err, Error::ShapeMismatch { op: "add", .. }));
/// assert_eq!(
///     err.to_string(),
///     "add: operands could not be broadcast together with shapes (3,) (2,)"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Operand shapes are incompatible (broadcasting, a matmul core
    /// dimension, joining, a broadcast target).
    ShapeMismatch {
        /// The operation.
        op: &'static str,
        /// The shapes involved, in argument order.
        shapes: Vec<Vec<usize>>,
        /// What had to agree.
        detail: &'static str,
    },
    /// An axis outside `[-ndim, ndim)`.
    AxisOutOfRange {
        /// The operation.
        op: &'static str,
        /// The axis as given.
        axis: isize,
        /// The number of dimensions it was checked against.
        ndim: usize,
    },
    /// The same axis was named twice.
    DuplicateAxis {
        /// The operation.
        op: &'static str,
        /// The (normalised) axis that repeats.
        axis: usize,
    },
    /// A reshape to a shape of a different size, or with an unresolvable `-1`.
    BadReshape {
        /// The shape of the input.
        from: Vec<usize>,
        /// The requested shape.
        to: Vec<isize>,
    },
    /// An integer index outside `[-len, len)`.
    IndexOutOfRange {
        /// The operation.
        op: &'static str,
        /// The index as given.
        index: i64,
        /// The axis it indexes.
        axis: usize,
        /// The length of that axis.
        len: usize,
    },
    /// An index with more items than the array has dimensions.
    TooManyIndices {
        /// The operation.
        op: &'static str,
        /// The number of dimensions of the indexed array.
        ndim: usize,
        /// How many dimensions the index addresses.
        indexed: usize,
    },
    /// A variable (non-constant) tensor of an integer or bool dtype was requested.
    IntNonConstant {
        /// The dtype asked for.
        dtype: DType,
    },
    /// `backward_with` got a gradient that does not broadcast one way to the tensor's shape.
    BadBackwardGradShape {
        /// The gradient's shape.
        grad: Vec<usize>,
        /// The tensor's shape.
        tensor: Vec<usize>,
    },
    /// A backward pass needs a part of the graph that an earlier backward (or
    /// `clear_graph`) already cleared: MyGrad's `InvalidBackprop`.
    InvalidBackprop {
        /// The index of the node whose graph was cleared.
        node: usize,
    },
    /// The tensor's data cannot change while a live (not yet back-propagated
    /// or cleared) graph depends on it: MyGrad's memory guard.
    DataLocked {
        /// The operation that tried to write.
        op: &'static str,
        /// How many live operations use the tensor.
        users: u32,
        /// Whether the tensor is itself the output of a live operation.
        live_output: bool,
    },
    /// The handle's node was reclaimed by `Graph::rewind` (or a similar reset).
    StaleTensor {
        /// The node index the handle pointed to.
        node: usize,
    },
    /// Tensors from two different graphs were combined.
    GraphMismatch {
        /// The operation.
        op: &'static str,
    },
    /// A reduction with no identity (max, min, argmax, argmin) over an empty axis.
    EmptyReduction {
        /// The operation.
        op: &'static str,
        /// The input's shape.
        shape: Vec<usize>,
    },
    /// The operation does not accept this dtype.
    UnsupportedDType {
        /// The operation.
        op: &'static str,
        /// The offending dtype.
        dtype: DType,
    },
    /// A shape whose element count overflows `usize`, or an allocation too large for memory.
    TooLarge {
        /// The operation.
        op: &'static str,
        /// The requested shape.
        shape: Vec<usize>,
    },
    /// Reading or writing a stream or file failed, or its contents are not
    /// what was expected (for example a malformed or unsupported `.npy`
    /// file: `kind` is then `InvalidData` or `Unsupported`).
    Io {
        /// The operation.
        op: &'static str,
        /// The kind of failure, as `std::io` classifies it.
        kind: std::io::ErrorKind,
        /// What went wrong.
        message: String,
    },
    /// Data and shape disagree, or an argument is outside its domain.
    InvalidArgument {
        /// The operation.
        op: &'static str,
        /// What was wrong.
        message: String,
    },
}

/// `Result` with the crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Formats a shape as NumPy does: `(3,)`, `(2, 3)`, `()`.
pub(crate) fn shape_str(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ShapeMismatch { op, shapes, detail } => {
                let s: Vec<String> = shapes.iter().map(|s| shape_str(s)).collect();
                write!(f, "{op}: {detail} {}", s.join(" "))
            }
            Error::AxisOutOfRange { op, axis, ndim } => {
                write!(f, "{op}: axis {axis} is out of bounds for array of dimension {ndim}")
            }
            Error::DuplicateAxis { op, axis } => write!(f, "{op}: repeated axis {axis}"),
            Error::BadReshape { from, to } => {
                let to: Vec<String> = to.iter().map(|d| d.to_string()).collect();
                write!(
                    f,
                    "reshape: cannot reshape array of shape {} into shape ({})",
                    shape_str(from),
                    to.join(", ")
                )
            }
            Error::IndexOutOfRange { op, index, axis, len } => write!(
                f,
                "{op}: index {index} is out of bounds for axis {axis} with size {len}"
            ),
            Error::TooManyIndices { op, ndim, indexed } => write!(
                f,
                "{op}: too many indices for array: array is {ndim}-dimensional, but {indexed} were indexed"
            ),
            Error::IntNonConstant { dtype } => write!(
                f,
                "tensor: Integer-valued tensors must be treated as constants (got a variable of dtype {dtype})"
            ),
            Error::BadBackwardGradShape { grad, tensor } => write!(
                f,
                "backward: the gradient's shape {} does not broadcast to the tensor's shape {}",
                shape_str(grad),
                shape_str(tensor)
            ),
            Error::InvalidBackprop { node } => write!(
                f,
                "backward: part of the computational graph containing node {node} was cleared \
                 by an earlier backward pass or clear_graph (MyGrad's InvalidBackprop); \
                 rebuild the computation"
            ),
            Error::DataLocked { op, users, live_output } => {
                if *live_output {
                    write!(
                        f,
                        "{op}: the tensor is the output of an operation whose graph is still live; \
                         call backward() or clear_graph() before changing its data"
                    )
                } else {
                    write!(
                        f,
                        "{op}: the tensor's data is used by {users} live operation(s); \
                         call backward() or clear_graph() before changing it"
                    )
                }
            }
            Error::StaleTensor { node } => write!(
                f,
                "the tensor handle (node {node}) was reclaimed by Graph::rewind and can no longer be used"
            ),
            Error::GraphMismatch { op } => {
                write!(f, "{op}: the tensors belong to different graphs")
            }
            Error::EmptyReduction { op, shape } => write!(
                f,
                "{op}: zero-size array (shape {}) to reduction operation which has no identity",
                shape_str(shape)
            ),
            Error::UnsupportedDType { op, dtype } => {
                write!(f, "{op}: not supported for dtype {dtype}")
            }
            Error::TooLarge { op, shape } => write!(
                f,
                "{op}: an array of shape {} is too large for this machine",
                shape_str(shape)
            ),
            Error::Io { op, message, .. } => write!(f, "{op}: {message}"),
            Error::InvalidArgument { op, message } => write!(f, "{op}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_print_like_numpy() {
        assert_eq!(shape_str(&[]), "()");
        assert_eq!(shape_str(&[3]), "(3,)");
        assert_eq!(shape_str(&[2, 0, 4]), "(2, 0, 4)");
    }
}
