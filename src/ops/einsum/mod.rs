//! `einsum` with NumPy's subscripts grammar: parsing the subscripts into
//! label ids, resolving each label's length, and the op's forward and
//! backward side by side. The evaluation itself is in [`contract`].
//!
//! The parsed spec is the op's params: `[n, len₀, labels₀…, …, len_out,
//! labels_out…]`, with `...` already expanded into labels of its own.

mod contract;
mod pairwise;

use crate::array::Array;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch_float, dispatch_num};
use crate::ops::Inputs;
use crate::pool::Pool;

use contract::{evaluate, view_layout, Labels, Target, Term};

/// An einsum's labels: one list per operand (one label per axis; a label
/// may repeat within an operand) and the output's (distinct).
#[derive(Debug, PartialEq)]
pub(crate) struct Spec {
    terms: Vec<Labels>,
    out: Labels,
}

/// One item of a term: a letter or `...`.
#[derive(Clone, Copy)]
enum Item {
    Letter(u8),
    Ellipsis,
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument {
        op: "einsum",
        message,
    }
}

fn mismatch(shapes: &[&[usize]], detail: &'static str) -> Error {
    Error::ShapeMismatch {
        op: "einsum",
        shapes: shapes.iter().map(|s| s.to_vec()).collect(),
        detail,
    }
}

/// The letters and ellipsis of one term.
fn items(term: &str) -> Result<Vec<Item>> {
    let bytes = term.as_bytes();
    let (mut out, mut i, mut ellipsis) = (Vec::new(), 0, false);
    while i < bytes.len() {
        match bytes[i] {
            c if c.is_ascii_alphabetic() => {
                out.push(Item::Letter(c));
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") && !ellipsis => {
                out.push(Item::Ellipsis);
                ellipsis = true;
                i += 3;
            }
            b'.' => {
                return Err(invalid(format!(
                    "the term {term:?} has a '.' that is not part of its one '...'"
                )))
            }
            _ => {
                let c = term[i..].chars().next().unwrap_or_default();
                return Err(invalid(format!(
                    "invalid subscript {c:?}: subscripts must be letters, ',', '->' or '...'"
                )));
            }
        }
    }
    Ok(out)
}

impl Spec {
    /// Parses `subscripts` for operands of the given shapes.
    ///
    /// Spaces are ignored. Without `->` the output is the broadcast `...`
    /// axes followed by the letters used exactly once, in ASCII order
    /// (NumPy's implicit mode). Fails with [`Error::InvalidArgument`] for
    /// malformed subscripts and with [`Error::ShapeMismatch`] when an
    /// operand's number of axes does not match its term.
    pub(crate) fn parse(subscripts: &str, shapes: &[&[usize]]) -> Result<Spec> {
        let text: String = subscripts.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, rhs) = match text.split_once("->") {
            Some((l, r)) => (l, Some(r)),
            None => (&text[..], None),
        };
        let inputs: Vec<Vec<Item>> = lhs.split(',').map(items).collect::<Result<_>>()?;
        if inputs.len() != shapes.len() {
            return Err(invalid(format!(
                "the subscripts {subscripts:?} have {} term(s) for {} operand(s)",
                inputs.len(),
                shapes.len()
            )));
        }
        // How many axes each term's `...` stands for.
        let mut widths = Vec::with_capacity(inputs.len());
        for (term, shape) in inputs.iter().zip(shapes) {
            let letters = term.iter().filter(|i| matches!(i, Item::Letter(_))).count();
            let width = match letters < term.len() {
                true => shape.len().checked_sub(letters),
                false => (letters == shape.len()).then_some(0),
            };
            widths.push(width.ok_or_else(|| {
                mismatch(
                    shapes,
                    "the subscripts of an operand name a different number of axes than it has; shapes",
                )
            })?);
        }
        // Labels 0..e are the broadcast `...` axes (right-aligned, as NumPy
        // broadcasts); the letters follow in ASCII order, the order in which
        // NumPy's loop visits the summed ones.
        let e = widths.iter().copied().max().unwrap_or(0);
        let mut count = [0usize; 128];
        for item in inputs.iter().flatten() {
            if let Item::Letter(c) = *item {
                count[c as usize] += 1;
            }
        }
        let mut ids = [usize::MAX; 128];
        let mut next = e;
        for c in 0..128 {
            if count[c] > 0 {
                ids[c] = next;
                next += 1;
            }
        }
        let terms: Vec<Labels> = inputs
            .iter()
            .zip(&widths)
            .map(|(term, &w)| {
                let mut labels = Labels::new();
                for item in term {
                    match *item {
                        Item::Ellipsis => (e - w..e).for_each(|l| labels.push(l)),
                        Item::Letter(c) => labels.push(ids[c as usize]),
                    }
                }
                labels
            })
            .collect();
        let mut out: Labels = (0..e).collect();
        match rhs {
            None => {
                let letters = (b'A'..=b'Z').chain(b'a'..=b'z');
                letters
                    .filter(|&c| count[c as usize] == 1)
                    .for_each(|c| out.push(ids[c as usize]));
            }
            Some(rhs) => {
                out.clear();
                let mut ellipsis = false;
                for item in items(rhs)? {
                    match item {
                        Item::Ellipsis => {
                            ellipsis = true;
                            (0..e).for_each(|l| out.push(l));
                        }
                        Item::Letter(c) => {
                            let (ch, id) = (c as char, ids[c as usize]);
                            if id == usize::MAX {
                                return Err(invalid(format!(
                                    "the output subscript '{ch}' does not appear in the inputs"
                                )));
                            }
                            if out.contains(&id) {
                                return Err(invalid(format!(
                                    "the output subscript '{ch}' appears more than once"
                                )));
                            }
                            out.push(id);
                        }
                    }
                }
                if !ellipsis && e > 0 {
                    return Err(mismatch(
                        shapes,
                        "the operands have '...' axes but the output subscripts do not; shapes",
                    ));
                }
            }
        }
        Ok(Spec { terms, out })
    }

    /// The spec as op params.
    pub(crate) fn params(&self) -> Vec<isize> {
        let mut p = vec![self.terms.len() as isize];
        for labels in self.terms.iter().chain([&self.out]) {
            p.push(labels.len() as isize);
            p.extend(labels.iter().map(|&l| l as isize));
        }
        p
    }

    fn from_params(p: &[isize]) -> Spec {
        let mut at = 1;
        let mut next = || {
            let n = p[at] as usize;
            let labels: Labels = p[at + 1..at + 1 + n].iter().map(|&l| l as usize).collect();
            at += 1 + n;
            labels
        };
        let terms = (0..p[0]).map(|_| next()).collect();
        let out = next();
        Spec { terms, out }
    }

    /// Whether NumPy returns a view: one operand and nothing summed.
    pub(crate) fn is_view(&self) -> bool {
        self.terms.len() == 1 && self.terms[0].iter().all(|l| self.out.contains(l))
    }

    /// Each label's length. A label repeated within one operand needs equal
    /// lengths there; across operands, lengths broadcast (1 stretches).
    fn sizes(&self, shapes: &[&[usize]]) -> Result<Vec<usize>> {
        let n = self
            .terms
            .iter()
            .flat_map(|t| t.iter())
            .max()
            .map_or(0, |&l| l + 1);
        let mut sizes: Vec<Option<usize>> = vec![None; n];
        for (labels, shape) in self.terms.iter().zip(shapes) {
            for (a, &l) in labels.iter().enumerate() {
                let s = shape[a];
                if let Some(p) = labels[..a].iter().position(|&x| x == l) {
                    if shape[p] != s {
                        return Err(mismatch(
                            shapes,
                            "a subscript repeated within one operand indexes axes of different lengths; shapes",
                        ));
                    }
                    continue;
                }
                sizes[l] = Some(match sizes[l] {
                    None => s,
                    Some(c) if c == s || s == 1 => c,
                    Some(1) => s,
                    Some(_) => {
                        return Err(mismatch(
                            shapes,
                            "operands could not be broadcast together with shapes",
                        ))
                    }
                });
            }
        }
        Ok(sizes.into_iter().map(|s| s.unwrap_or(1)).collect())
    }
}

fn shapes<'a>(ins: &Inputs<'a>) -> Vec<&'a [usize]> {
    (0..ins.parents.len()).map(|k| ins.get(k).shape()).collect()
}

/// `einsum(spec, operands…)`, in the operands' promoted dtype.
pub(crate) fn forward(ins: &Inputs, pool: &mut Pool) -> Result<Array> {
    let spec = Spec::from_params(ins.params);
    let shapes = shapes(ins);
    let sizes = spec.sizes(&shapes)?;
    let n = ins.parents.len();
    let dtype = (1..n).fold(ins.get(0).dtype(), |d, k| {
        DType::promote(d, ins.get(k).dtype())
    });
    let cast = (0..n)
        .map(|k| eval::as_dtype(ins.get(k), dtype, pool))
        .collect::<Result<Vec<_>>>()?;
    let out_shape: Vec<usize> = spec.out.iter().map(|&l| sizes[l]).collect();
    let target = Target::contiguous(&spec.out, &sizes)?;
    dispatch_num!(dtype, T => {
        let terms = cast
            .iter()
            .zip(&spec.terms)
            .map(|(a, raw)| Term::view(eval::slice::<T>(a), a.shape(), raw, &sizes))
            .collect();
        let v = evaluate::<T>(terms, &sizes, &target, pool)?;
        Ok(eval::wrap(v, &out_shape))
    }, bool => Err(Error::UnsupportedDType { op: "einsum", dtype }))
}

/// The gradient for operand `k`: the einsum of the upstream gradient with
/// the other operands, into operand `k`'s distinct labels (broadcast along
/// labels nothing else has); then summed over axes it broadcast and
/// scattered onto the diagonals of labels it repeats.
pub(crate) fn backward(ins: &Inputs, g: &Array, k: usize, pool: &mut Pool) -> Result<Array> {
    let spec = Spec::from_params(ins.params);
    let shapes = shapes(ins);
    let sizes = spec.sizes(&shapes)?;
    let dtype = g.dtype();
    let cast = (0..ins.parents.len())
        .map(|j| eval::as_dtype(ins.get(j), dtype, pool))
        .collect::<Result<Vec<_>>>()?;
    let shape = shapes[k];
    let (labels, layout) = view_layout(shape, &spec.terms[k], &sizes);
    let target = Target {
        labels,
        layout,
        len: eval::size(shape, "einsum")?,
    };
    dispatch_float!(dtype, T => {
        let mut terms = vec![Term::view(eval::slice::<T>(g), g.shape(), &spec.out, &sizes)];
        for (j, (a, raw)) in cast.iter().zip(&spec.terms).enumerate() {
            if j != k {
                terms.push(Term::view(eval::slice::<T>(a), a.shape(), raw, &sizes));
            }
        }
        let grad = evaluate::<T>(terms, &sizes, &target, pool)?;
        Ok(eval::wrap(grad, shape))
    }, other => unreachable!("gradients are floats"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, shapes: &[&[usize]]) -> Result<(Vec<Vec<usize>>, Vec<usize>)> {
        Spec::parse(s, shapes).map(|sp| {
            let terms = sp.terms.iter().map(|t| t.to_vec()).collect();
            (terms, sp.out.to_vec())
        })
    }

    #[test]
    fn implicit_output_is_the_labels_used_once_in_ascii_order() {
        assert_eq!(
            parse("ij,jk", &[&[2, 3], &[3, 4]]).unwrap(),
            (vec![vec![0, 1], vec![1, 2]], vec![0, 2])
        );
        // Letters are numbered in ASCII order (uppercase first).
        assert_eq!(
            parse("ba", &[&[2, 3]]).unwrap(),
            (vec![vec![1, 0]], vec![0, 1])
        );
        assert_eq!(
            parse("aB", &[&[2, 3]]).unwrap(),
            (vec![vec![1, 0]], vec![0, 1])
        );
        assert_eq!(parse("ii", &[&[3, 3]]).unwrap(), (vec![vec![0, 0]], vec![]));
        assert_eq!(parse(" i , j ", &[&[2], &[3]]).unwrap().1, vec![0, 1]);
    }

    #[test]
    fn ellipsis_axes_broadcast_from_the_right_and_lead_the_implicit_output() {
        // '...' of widths 1 and 2: labels 0..2, letters from 2.
        let (terms, out) = parse("...i,...i", &[&[2, 3], &[5, 1, 3]]).unwrap();
        assert_eq!(terms, vec![vec![1, 2], vec![0, 1, 2]]);
        assert_eq!(out, vec![0, 1]);
        assert_eq!(parse("i...->i", &[&[3]]).unwrap(), (vec![vec![0]], vec![0]));
        let sp = Spec::parse("...i,...i", &[&[2, 3], &[5, 1, 3]]).unwrap();
        assert_eq!(sp.sizes(&[&[2, 3], &[5, 1, 3]]).unwrap(), vec![5, 2, 3]);
    }

    #[test]
    fn params_round_trip() {
        let sp = Spec::parse("ij,jk,,k->ik", &[&[2, 3], &[3, 4], &[], &[4]]).unwrap();
        assert_eq!(Spec::from_params(&sp.params()), sp);
    }

    #[test]
    fn bad_subscripts_are_invalid_arguments() {
        for (s, shapes) in [
            ("i->ii", &[&[3][..]][..]),
            ("i->j", &[&[3]]),
            ("1,i", &[&[2], &[2]]),
            ("i.i", &[&[3]]),
            ("...i...", &[&[3]]),
            ("i,j", &[&[3]]),
            ("i->i->i", &[&[3]]),
            ("i-j", &[&[3, 3]]),
            ("iλ", &[&[3, 3]]),
        ] {
            let err = Spec::parse(s, shapes).unwrap_err();
            assert!(
                matches!(err, Error::InvalidArgument { op: "einsum", .. }),
                "{s}: {err}"
            );
        }
    }

    #[test]
    fn shape_disagreements_are_shape_mismatches() {
        let cases: [(&str, &[&[usize]]); 5] = [
            ("ij", &[&[3]]),
            ("i", &[&[3, 2]]),
            ("...i->", &[&[2, 3]]),
            ("ii", &[&[3, 4]]),
            ("ij,jk", &[&[2, 3], &[4, 2]]),
        ];
        for (s, shapes) in cases {
            let err = Spec::parse(s, shapes)
                .and_then(|sp| sp.sizes(shapes))
                .unwrap_err();
            assert!(
                matches!(err, Error::ShapeMismatch { op: "einsum", .. }),
                "{s}: {err}"
            );
        }
        // Length 1 broadcasts, also on a diagonal.
        let shapes: &[&[usize]] = &[&[1, 1], &[3]];
        let sp = Spec::parse("ii,i->i", shapes).unwrap();
        assert_eq!(sp.sizes(shapes).unwrap(), vec![3]);
    }
}
