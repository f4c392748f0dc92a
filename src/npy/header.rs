//! The `.npy` header: writing NumPy's exact bytes, and parsing the Python
//! dict literal of any version's header.

use crate::dtype::DType;
use crate::eval;

use super::{NpyElem, ALIGN, GROWTH_AXIS_MAX_DIGITS, MAGIC};

/// The header NumPy writes for an array: magic, version, length, the dict
/// with room to grow the first axis, spaces and a newline up to a multiple
/// of [`ALIGN`].
pub(super) fn header(dtype: DType, shape: &[usize]) -> Vec<u8> {
    let descr = eval::dispatch!(dtype, T => <T as NpyElem>::DESCR);
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_repr = match shape.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut dict =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_repr}, }}");
    if let Some(first) = dims.first() {
        dict.extend(core::iter::repeat_n(
            ' ',
            GROWTH_AXIS_MAX_DIGITS.saturating_sub(first.len()),
        ));
    }
    // Version 1.0 stores the length in 2 bytes; 2.0 in 4.
    let wrap = |len_bytes: usize| {
        let hlen = dict.len() + 1;
        let pad = ALIGN - (8 + len_bytes + hlen) % ALIGN;
        (hlen + pad, pad)
    };
    let (v1_len, _) = wrap(2);
    let (major, len_bytes) = if v1_len <= u16::MAX as usize {
        (1, 2)
    } else {
        (2, 4)
    };
    let (total, pad) = wrap(len_bytes);
    let mut out = Vec::with_capacity(8 + len_bytes + total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        out.extend_from_slice(&(total as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(total as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.extend(core::iter::repeat_n(b' ', pad));
    out.push(b'\n');
    out
}

/// The fields of a header dict.
pub(super) struct Header {
    pub(super) descr: String,
    pub(super) fortran_order: bool,
    pub(super) shape: Vec<usize>,
}

/// A Python literal of a header dict.
enum Lit {
    Str(String),
    Bool(bool),
    Tuple(Vec<usize>),
}

/// Parses the Python dict literal of a header:
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`.
pub(super) fn parse_header(text: &str) -> core::result::Result<Header, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    p.expect(b'{')?;
    loop {
        p.ws();
        if p.eat(b'}') {
            break;
        }
        let Lit::Str(key) = p.literal()? else {
            return Err("keys must be strings".into());
        };
        p.ws();
        p.expect(b':')?;
        p.ws();
        match (key.as_str(), p.literal()?) {
            ("descr", Lit::Str(d)) => descr = Some(d),
            ("fortran_order", Lit::Bool(b)) => fortran = Some(b),
            ("shape", Lit::Tuple(s)) => shape = Some(s),
            (k, _) => return Err(format!("unexpected key or value for {k:?}")),
        }
        p.ws();
        if !p.eat(b',') {
            p.ws();
            p.expect(b'}')?;
            break;
        }
    }
    if !p.s[p.at..].iter().all(u8::is_ascii_whitespace) {
        return Err("text after the dict".into());
    }
    match (descr, fortran, shape) {
        (Some(descr), Some(fortran_order), Some(shape)) => Ok(Header {
            descr,
            fortran_order,
            shape,
        }),
        _ => Err("'descr', 'fortran_order' and 'shape' are required".into()),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.at += hit as usize;
        hit
    }

    fn expect(&mut self, c: u8) -> core::result::Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {:?} at byte {}", c as char, self.at))
        }
    }

    fn literal(&mut self) -> core::result::Result<Lit, String> {
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => {
                self.at += 1;
                let start = self.at;
                while self.peek().is_some_and(|c| c != q) {
                    self.at += 1;
                }
                let s = String::from_utf8_lossy(&self.s[start..self.at]).into_owned();
                self.expect(q)?;
                Ok(Lit::Str(s))
            }
            Some(b'(') => {
                self.at += 1;
                let mut dims = Vec::new();
                loop {
                    self.ws();
                    if self.eat(b')') {
                        return Ok(Lit::Tuple(dims));
                    }
                    dims.push(self.int()?);
                    self.ws();
                    if !self.eat(b',') {
                        self.ws();
                        self.expect(b')')?;
                        return Ok(Lit::Tuple(dims));
                    }
                }
            }
            _ => {
                for (word, value) in [("True", true), ("False", false)] {
                    if self.s[self.at..].starts_with(word.as_bytes()) {
                        self.at += word.len();
                        return Ok(Lit::Bool(value));
                    }
                }
                Err(format!("unsupported value at byte {}", self.at))
            }
        }
    }

    /// A non-negative integer (Python 2 headers may add an `L`).
    fn int(&mut self) -> core::result::Result<usize, String> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = core::str::from_utf8(&self.s[start..self.at]).unwrap_or_default();
        let n = digits
            .parse()
            .map_err(|_| format!("bad dimension at byte {start}"))?;
        self.eat(b'L');
        Ok(n)
    }
}
