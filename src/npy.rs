//! Saving and loading arrays in NumPy's `.npy` format.
//!
//! Writing produces what `numpy.save` writes, byte for byte: a version 1.0
//! header (2.0 if the header would not fit), the dtypes `<f4 <f8 <i4 <i8
//! |b1`, C order, the header padded so the data starts on a 64-byte
//! boundary. Reading accepts versions 1.0, 2.0 and 3.0 and
//! `fortran_order: True` files; big-endian data and other dtypes are an
//! [`Error::Io`] of kind `Unsupported`, malformed files of kind `InvalidData`.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::Path;

use crate::array::{with_buf, Array, Elem};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval;
use crate::graph::{Graph, Tensor};

mod header;
use header::{header, parse_header};

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// NumPy aligns the start of the data to this many bytes.
const ALIGN: usize = 64;
/// NumPy leaves room after the header dict so that the first axis can grow
/// to this many digits in place.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;
/// Headers longer than this are refused before being read.
const MAX_HEADER: usize = 1 << 20;
/// Elements encoded per write.
const CHUNK: usize = 8192;

/// How one element type is stored: its descr and little-endian bytes.
trait NpyElem: Elem {
    const DESCR: &'static str;
    fn put(self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! npy_elem {
    ($($t:ty => $descr:literal),*) => {$(
        impl NpyElem for $t {
            const DESCR: &'static str = $descr;
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                let mut b = [0u8; core::mem::size_of::<$t>()];
                b.copy_from_slice(bytes);
                <$t>::from_le_bytes(b)
            }
        }
    )*};
}
npy_elem!(f32 => "<f4", f64 => "<f8", i32 => "<i4", i64 => "<i8");

impl NpyElem for bool {
    const DESCR: &'static str = "|b1";
    fn put(self, out: &mut Vec<u8>) {
        out.push(self as u8);
    }
    fn get(bytes: &[u8]) -> Self {
        bytes[0] != 0
    }
}

impl Array {
    /// Writes the array to `w` in `.npy` format, exactly as `numpy.save`
    /// would.
    ///
    /// ```
    /// use causing_diff::Array;
    /// let a = Array::from_shape_vec(&[2, 2], vec![1i64, 2, 3, 4]).unwrap();
    /// let mut bytes = Vec::new();
    /// a.write_npy(&mut bytes).unwrap();
    /// assert!(bytes.starts_with(b"\x93NUMPY\x01\x00"));
    /// assert_eq!(bytes.len(), 128 + 4 * 8); // a 128-byte header, then the data
    /// assert_eq!(Array::read_npy(&bytes[..]).unwrap(), a);
    /// ```
    pub fn write_npy<W: Write>(&self, mut w: W) -> Result<()> {
        let io = |e: io::Error| io_error("write_npy", e);
        w.write_all(&header(self.dtype(), self.shape()))
            .map_err(io)?;
        let mut bytes = Vec::with_capacity(CHUNK * 8);
        with_buf!(&self.buf, v => {
            for chunk in v.chunks(CHUNK) {
                bytes.clear();
                chunk.iter().for_each(|&x| x.put(&mut bytes));
                w.write_all(&bytes).map_err(io)?;
            }
        });
        w.flush().map_err(io)
    }

    /// Reads an array in `.npy` format from `r` (versions 1.0 to 3.0, C or
    /// Fortran order, little-endian `f4 f8 i4 i8` and `b1`). Bytes after
    /// the data are left unread.
    ///
    /// Fails with [`Error::Io`]: of kind `InvalidData` for a malformed
    /// file, `UnexpectedEof` for a truncated one, `Unsupported` for
    /// big-endian data, other dtypes and unknown versions.
    pub fn read_npy<R: Read>(mut r: R) -> Result<Array> {
        let op = "read_npy";
        let mut prefix = [0u8; 8];
        r.read_exact(&mut prefix).map_err(|e| io_error(op, e))?;
        if &prefix[..6] != MAGIC {
            return Err(invalid(op, "not a .npy file (bad magic string)".into()));
        }
        let (major, minor) = (prefix[6], prefix[7]);
        let len = match major {
            1 => {
                let mut b = [0u8; 2];
                r.read_exact(&mut b).map_err(|e| io_error(op, e))?;
                u16::from_le_bytes(b) as usize
            }
            2 | 3 => {
                let mut b = [0u8; 4];
                r.read_exact(&mut b).map_err(|e| io_error(op, e))?;
                u32::from_le_bytes(b) as usize
            }
            _ => {
                return Err(unsupported(
                    op,
                    format!("unknown .npy format version {major}.{minor}"),
                ))
            }
        };
        if len > MAX_HEADER {
            return Err(invalid(op, format!("header of {len} bytes is too long")));
        }
        let mut raw = vec![0u8; len];
        r.read_exact(&mut raw).map_err(|e| io_error(op, e))?;
        let text: String = if major == 3 {
            String::from_utf8(raw).map_err(|_| invalid(op, "header is not UTF-8".into()))?
        } else {
            raw.iter().map(|&b| b as char).collect() // latin-1
        };
        let h =
            parse_header(&text).map_err(|m| invalid(op, format!("bad header {text:?}: {m}")))?;
        let dtype = dtype_of(&h.descr)?;
        let size = crate::eval::size(&h.shape, op)?;
        let nbytes = size
            .checked_mul(dtype.size_of())
            .ok_or_else(|| Error::TooLarge {
                op,
                shape: h.shape.clone(),
            })?;
        // Read without trusting the header's size for the allocation.
        let mut data = Vec::new();
        (&mut r)
            .take(nbytes as u64)
            .read_to_end(&mut data)
            .map_err(|e| io_error(op, e))?;
        if data.len() < nbytes {
            return Err(Error::Io {
                op,
                kind: ErrorKind::UnexpectedEof,
                message: format!(
                    "truncated file: {nbytes} bytes of data expected, {} found",
                    data.len()
                ),
            });
        }
        eval::dispatch!(dtype, T => Ok(decode::<T>(&data, &h.shape, h.fortran_order)))
    }

    /// Saves the array to a `.npy` file at `path` (created or truncated).
    ///
    /// ```no_run
    /// use causing_diff::Array;
    /// let a = Array::from_vec(vec![1.5f32, 2.5]);
    /// a.save_npy("weights.npy").unwrap();
    /// assert_eq!(Array::load_npy("weights.npy").unwrap(), a);
    /// ```
    pub fn save_npy(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let file = File::create(path).map_err(|e| file_error("save_npy", path, e))?;
        self.write_npy(BufWriter::new(file))
            .map_err(|e| retag(e, "save_npy", path))
    }

    /// Loads an array from the `.npy` file at `path` (see [`Array::read_npy`]).
    pub fn load_npy(path: impl AsRef<Path>) -> Result<Array> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| file_error("load_npy", path, e))?;
        Array::read_npy(BufReader::new(file)).map_err(|e| retag(e, "load_npy", path))
    }
}

impl Tensor<'_> {
    /// Saves the tensor's data (not its gradient or graph) to a `.npy`
    /// file: [`Array::save_npy`] of [`Tensor::data`].
    ///
    /// ```no_run
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// g.tensor([[1.0, 2.0], [3.0, 4.0]]).save_npy("w.npy").unwrap();
    /// let w = g.load_npy("w.npy").unwrap();
    /// assert_eq!(w.shape(), vec![2, 2]);
    /// ```
    pub fn save_npy(self, path: impl AsRef<Path>) -> Result<()> {
        self.try_data()?.save_npy(path)
    }
}

impl Graph {
    /// A new tensor holding the array in the `.npy` file at `path`, as
    /// [`Graph::tensor`] makes it: float data gives a variable, integer and
    /// bool data a constant.
    pub fn load_npy(&self, path: impl AsRef<Path>) -> Result<Tensor<'_>> {
        Ok(self.tensor(Array::load_npy(path)?))
    }
}

/// The dtype of a `descr`, or why it is not supported.
fn dtype_of(descr: &str) -> Result<DType> {
    let op = "read_npy";
    let (order, code) = match descr.as_bytes().first() {
        Some(b'<' | b'>' | b'=' | b'|') => descr.split_at(1),
        _ => ("|", descr),
    };
    let dtype = match code {
        "f4" => DType::Float32,
        "f8" => DType::Float64,
        "i4" => DType::Int32,
        "i8" => DType::Int64,
        "b1" | "?" => DType::Bool,
        _ => {
            return Err(unsupported(
                op,
                format!(
                "dtype {descr:?} is not supported (only float32, float64, int32, int64 and bool)"
            ),
            ))
        }
    };
    let big = order == ">" || (order == "=" && cfg!(target_endian = "big"));
    if big && dtype.size_of() > 1 {
        return Err(unsupported(
            op,
            format!(
                "big-endian data ({descr:?}) is not supported; save it little-endian, e.g. with \
                 numpy.save(path, a.astype(a.dtype.newbyteorder('<')))"
            ),
        ));
    }
    Ok(dtype)
}

/// The array of `shape` stored in `bytes`, converted from Fortran order
/// when `fortran`.
fn decode<T: NpyElem>(bytes: &[u8], shape: &[usize], fortran: bool) -> Array {
    let size = core::mem::size_of::<T>();
    let values: Vec<T> = bytes.chunks_exact(size).map(T::get).collect();
    let values = if fortran && shape.len() > 1 {
        from_fortran(&values, shape)
    } else {
        values
    };
    eval::wrap(values, shape)
}

/// Column-major `values` of `shape` in row-major order.
fn from_fortran<T: Copy>(values: &[T], shape: &[usize]) -> Vec<T> {
    // Column-major strides, and an odometer over the row-major index.
    let mut strides = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        strides[k] = strides[k - 1] * shape[k - 1];
    }
    let mut index = vec![0usize; shape.len()];
    let mut offset = 0usize;
    let mut out = Vec::with_capacity(values.len());
    for _ in 0..values.len() {
        out.push(values[offset]);
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            offset += strides[k];
            if index[k] < shape[k] {
                break;
            }
            offset -= strides[k] * shape[k];
            index[k] = 0;
        }
    }
    out
}

fn io_error(op: &'static str, e: io::Error) -> Error {
    let message = match e.kind() {
        ErrorKind::UnexpectedEof => "truncated file: it ends inside the header".to_string(),
        _ => e.to_string(),
    };
    Error::Io {
        op,
        kind: e.kind(),
        message,
    }
}

fn file_error(op: &'static str, path: &Path, e: io::Error) -> Error {
    Error::Io {
        op,
        kind: e.kind(),
        message: format!("{}: {e}", path.display()),
    }
}

/// A stream error, renamed to the file operation and given the path.
fn retag(e: Error, op: &'static str, path: &Path) -> Error {
    match e {
        Error::Io { kind, message, .. } => Error::Io {
            op,
            kind,
            message: format!("{}: {message}", path.display()),
        },
        other => other,
    }
}

fn invalid(op: &'static str, message: String) -> Error {
    Error::Io {
        op,
        kind: ErrorKind::InvalidData,
        message,
    }
}

fn unsupported(op: &'static str, message: String) -> Error {
    Error::Io {
        op,
        kind: ErrorKind::Unsupported,
        message,
    }
}
