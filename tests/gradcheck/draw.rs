//! Drawing gradient-check cases: input shapes per [`Kind`], op parameters
//! ([`Args`]) and index expressions, all from a case's seed. Part of
//! `cargo test --test gradcheck`.

use causing_diff::{Array, DType, Graph, Index, IndexItem};
use proptest::prelude::*;

use super::Kind::{
    Binary, Chain, Concat, Einsum, Index as Idx, MatMul, Norm, Reduce, SetIndex, Shape, Spread,
    Stack, Ternary, Unary, Where,
};
use super::{Args, Kind};

/// A small deterministic generator (splitmix64) for the parameters a case
/// derives from its seed.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(super) fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }

    /// A random axis of `ndim`, written negatively half the time.
    pub(super) fn any_axis(&mut self, ndim: usize) -> isize {
        let axis = self.below(ndim);
        self.signed_axis(axis, ndim)
    }

    /// An axis index, written negatively half the time.
    pub(super) fn signed_axis(&mut self, axis: usize, ndim: usize) -> isize {
        if self.coin() {
            axis as isize - ndim as isize
        } else {
            axis as isize
        }
    }
}

/// A shape that broadcasts against `shape`: some leading axes dropped, some
/// of the rest set to 1.
fn partner(shape: &[usize], rng: &mut Rng) -> Vec<usize> {
    let drop = rng.below(shape.len() + 1);
    shape[drop..]
        .iter()
        .map(|&d| if rng.below(3) == 0 { 1 } else { d })
        .collect()
}

/// The input shapes of a case of `kind`, grown from a random base shape.
fn input_shapes(kind: Kind, base: &[usize], seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng(seed ^ 0x5EED);
    match kind {
        Unary | Reduce | Shape | Idx | Norm => vec![base.to_vec()],
        Einsum => einsum_case(seed).1,
        Chain => {
            let n = 2 + rng.below(3);
            let p: Vec<usize> = (0..=n).map(|_| 1 + rng.below(4)).collect();
            (0..n)
                .map(|i| match i {
                    0 if rng.below(4) == 0 => vec![p[1]],
                    _ if i == n - 1 && rng.below(4) == 0 => vec![p[i]],
                    _ => vec![p[i], p[i + 1]],
                })
                .collect()
        }
        Concat => {
            let base = if base.is_empty() { &[3][..] } else { base };
            let axis = join_axis(base.len(), seed);
            (0..2 + rng.below(3))
                .map(|_| {
                    let mut s = base.to_vec();
                    s[axis] = rng.below(4);
                    s
                })
                .collect()
        }
        Stack => vec![base.to_vec(); 2 + rng.below(3)],
        Spread => {
            let mut shape: Vec<usize> = base.iter().map(|&d| d.max(2)).collect();
            if shape.is_empty() {
                shape.push(2 + rng.below(3));
            }
            vec![shape]
        }
        SetIndex => {
            let g = Graph::new();
            let index = Index::from_items(draw_index(base, seed));
            let target = g.zeros(base).index(index).shape();
            let mut value = partner(&target, &mut rng);
            if rng.below(6) == 0 {
                value.insert(0, 1); // extra leading 1s are allowed
            }
            vec![base.to_vec(), value]
        }
        Binary | Where => {
            let mut pair = vec![base.to_vec(), partner(base, &mut rng)];
            if rng.coin() {
                pair.swap(0, 1);
            }
            pair
        }
        Ternary => {
            let mut three = vec![
                base.to_vec(),
                partner(base, &mut rng),
                partner(base, &mut rng),
            ];
            rng.shuffle(&mut three);
            three
        }
        MatMul => {
            let [n, k, m] = [0; 3].map(|_| 1 + rng.below(4));
            let batch_a: Vec<usize> = base.iter().copied().take(2).collect();
            let batch_b = partner(&batch_a, &mut rng);
            let (batch_a, batch_b) = if rng.coin() {
                (batch_b, batch_a)
            } else {
                (batch_a, batch_b)
            };
            let lhs = if rng.below(4) == 0 {
                vec![k]
            } else {
                [&batch_a[..], &[n, k]].concat()
            };
            let rhs = if rng.below(4) == 0 {
                vec![k]
            } else {
                [&batch_b[..], &[k, m]].concat()
            };
            vec![lhs, rhs]
        }
    }
}

/// The concatenation axis (unsigned) of a [`Kind::Concat`] case.
fn join_axis(ndim: usize, seed: u64) -> usize {
    Rng(seed ^ 0x10A1).below(ndim)
}

/// A random valid einsum: its subscripts and operand shapes, from `seed`.
///
/// Labels `a`–`e` get lengths 1–4; an operand repeats a label (a diagonal or
/// trace) a quarter of the time and stretches a label from length 1 a sixth
/// of the time; a quarter of the specs put `...` (of a different width in
/// each operand, some axes 1) in front of every term. The output is implicit
/// a third of the time, else a random ordering of a random subset of the
/// labels used.
fn einsum_case(seed: u64) -> (String, Vec<Vec<usize>>) {
    let mut rng = Rng(seed ^ 0xE125);
    let letters = ['a', 'b', 'c', 'd', 'e'];
    let lens: Vec<usize> = letters.iter().map(|_| 1 + rng.below(4)).collect();
    let ellipsis = rng.below(4) == 0;
    let wide: Vec<usize> = (0..rng.below(3)).map(|_| 1 + rng.below(3)).collect();
    let mut terms = Vec::new();
    let mut shapes = Vec::new();
    let mut used: Vec<char> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let (mut term, mut shape) = (String::new(), Vec::new());
        if ellipsis {
            term.push_str("...");
            let w = rng.below(wide.len() + 1);
            for &d in &wide[wide.len() - w..] {
                shape.push(if rng.below(3) == 0 { 1 } else { d });
            }
        }
        let mut mine: Vec<usize> = Vec::new();
        for _ in 0..rng.below(4) {
            let l = if !mine.is_empty() && rng.below(4) == 0 {
                mine[rng.below(mine.len())]
            } else {
                rng.below(letters.len())
            };
            mine.push(l);
        }
        for &l in &mine {
            let repeated = mine.iter().filter(|&&m| m == l).count() > 1;
            let len = if !repeated && rng.below(6) == 0 {
                1
            } else {
                lens[l]
            };
            term.push(letters[l]);
            shape.push(len);
            if !used.contains(&letters[l]) {
                used.push(letters[l]);
            }
        }
        terms.push(term);
        shapes.push(shape);
    }
    let lhs = terms.join(",");
    if rng.below(3) == 0 {
        return (lhs, shapes);
    }
    rng.shuffle(&mut used);
    let mut out: Vec<String> = used[..rng.below(used.len() + 1)]
        .iter()
        .map(char::to_string)
        .collect();
    if ellipsis {
        out.insert(rng.below(out.len() + 1), "...".into());
    }
    (format!("{lhs}->{}", out.concat()), shapes)
}

impl Args {
    /// The parameters for an input of shape `shape`.
    pub(super) fn draw(shape: &[usize], seed: u64) -> Args {
        let mut rng = Rng(seed ^ 0xA7C5);
        let ndim = shape.len();
        let mut all: Vec<usize> = (0..ndim).collect();
        rng.shuffle(&mut all);
        let axes = match rng.below(4) {
            0 => None,
            1 if ndim > 0 => Some(all[..1].to_vec()),
            2 => Some(all[..rng.below(ndim + 1)].to_vec()),
            _ => Some(all.clone()),
        };
        let axes = axes.map(|a| a.into_iter().map(|x| rng.signed_axis(x, ndim)).collect());
        // A reshape target: the prime factors of the size spread over 0–3 axes.
        let size: usize = shape.iter().product();
        let n_axes = if size == 1 {
            rng.below(4)
        } else {
            1 + rng.below(3)
        };
        let mut target = vec![1isize; n_axes];
        // (Only `Shape` cases reshape; a size-0 `Concat` input gets a dummy.)
        let mut rest = size.max(1);
        for p in [2, 3] {
            while rest.is_multiple_of(p) {
                rest /= p;
                target[rng.below(n_axes)] *= p as isize;
            }
        }
        assert_eq!(rest, 1, "sizes are products of 1..=4");
        if n_axes > 0 && rng.coin() {
            target[rng.below(n_axes)] = -1;
        }
        rng.shuffle(&mut all);
        let perm = all.iter().map(|&x| rng.signed_axis(x, ndim)).collect();
        let ones: Vec<usize> = (0..ndim).filter(|&a| shape[a] == 1 && rng.coin()).collect();
        let ones = ones.into_iter().map(|a| rng.signed_axis(a, ndim)).collect();
        let new_axis = rng.any_axis(ndim + 1);
        let mut bcast: Vec<usize> = (0..rng.below(3)).map(|_| 1 + rng.below(3)).collect();
        bcast.extend(
            shape
                .iter()
                .map(|&d| if d == 1 { 1 + rng.below(3) } else { d }),
        );
        // For the ops that need an axis: the shape seen by `atleast_1d`.
        let shape1 = if ndim == 0 { vec![1] } else { shape.to_vec() };
        let nd1 = shape1.len();
        let mut order: Vec<usize> = (0..nd1).collect();
        rng.shuffle(&mut order);
        let moved = rng.below(nd1 + 1);
        let source = order[..moved]
            .iter()
            .map(|&a| rng.signed_axis(a, nd1))
            .collect();
        rng.shuffle(&mut order);
        let destination = order[..moved]
            .iter()
            .map(|&a| rng.signed_axis(a, nd1))
            .collect();
        let swap = (rng.any_axis(nd1), rng.any_axis(nd1));
        let shift_flat = rng.below(15) as isize - 7;
        let (n_shifts, n_axes) = match rng.below(3) {
            0 => (1, 1 + rng.below(3)),
            1 => (1 + rng.below(3), 1),
            _ => {
                let n = 1 + rng.below(3);
                (n, n)
            }
        };
        let shifts = (0..n_shifts).map(|_| rng.below(15) as isize - 7).collect();
        let roll_axes = (0..n_axes).map(|_| rng.any_axis(nd1)).collect();
        let repeat_axis = rng.coin().then(|| rng.any_axis(nd1));
        let len = match repeat_axis {
            None => shape.iter().product(),
            Some(a) => shape1[a.rem_euclid(nd1 as isize) as usize],
        };
        let n_counts = if rng.coin() { 1 } else { len };
        let repeats = (0..n_counts).map(|_| rng.below(4)).collect();
        let reps = (0..rng.below(5))
            .map(|_| {
                if rng.below(8) == 0 {
                    0
                } else {
                    1 + rng.below(3)
                }
            })
            .collect();
        let join_axis = rng.signed_axis(join_axis(nd1, seed), nd1);
        let cond_shape = partner(shape, &mut rng);
        let cond: Vec<bool> = (0..cond_shape.iter().product())
            .map(|_| rng.coin())
            .collect();
        // A vector norm: any `ord`; no axis only where MyGrad allows it.
        let ords = [
            None,
            Some(1.0),
            Some(2.0),
            Some(3.0),
            Some(1.5),
            Some(0.5),
            Some(-1.0),
            Some(-2.5),
        ];
        let mut ord = match rng.below(ords.len() + 2) {
            i if i < ords.len() => ords[i],
            i if i == ords.len() => Some(f64::INFINITY),
            _ => Some(f64::NEG_INFINITY),
        };
        if ndim == 0 && ord.is_some_and(f64::is_finite) {
            ord = None; // a 0-d tensor has no axis to take a finite-ord norm along
        }
        let flat_ok =
            ndim == 1 || ord.is_none() || (ndim != 2 && ord.is_some_and(f64::is_infinite));
        let axis = if ndim > 0 && (!flat_ok || rng.coin()) {
            let a = rng.below(ndim);
            Some(rng.signed_axis(a, ndim))
        } else {
            None
        };
        Args {
            axes,
            keepdims: rng.coin(),
            target,
            perm,
            ones,
            new_axis,
            bcast,
            source,
            destination,
            swap,
            shift: shift_flat,
            shifts,
            roll_axes,
            repeats,
            repeat_axis,
            reps,
            join_axis,
            index: draw_index(shape, seed),
            cond: Array::from_shape_vec(&cond_shape, cond).expect("shape and data agree"),
            subscripts: einsum_case(seed).0,
            ord,
            axis,
        }
    }
}

/// A random index expression valid for `shape`, drawn from `seed`: every
/// item kind of NumPy's grammar, with repeated entries in integer arrays.
/// Draws whose index arrays do not broadcast together are drawn again.
pub(super) fn draw_index(shape: &[usize], seed: u64) -> Vec<IndexItem<'static>> {
    let g = Graph::new();
    let x = g.zeros(shape);
    (0..64u64)
        .map(|k| draw_index_once(shape, seed.wrapping_add(k.wrapping_mul(0x9E37))))
        .find(|items| x.try_index(Index::from_items(items.clone())).is_ok())
        .unwrap_or_default()
}

fn draw_index_once(shape: &[usize], seed: u64) -> Vec<IndexItem<'static>> {
    let mut rng = Rng(seed ^ 0x1DE7);
    let ndim = shape.len();
    let mut items = Vec::new();
    // Axes the items still have to cover; an ellipsis takes some of them.
    let mut pos = 0;
    let mut end = ndim;
    let mut ellipsis = false;
    // An axis of length 0 has no valid integer; 0 makes `draw_index` redraw.
    let signed = |rng: &mut Rng, n: usize| {
        if n == 0 {
            0
        } else {
            rng.below(2 * n) as isize - n as isize
        }
    };
    for _ in 0..1 + rng.below(ndim + 2) {
        let left = end - pos;
        let choice = rng.below(if left == 0 { 3 } else { 9 });
        match choice {
            0 => items.push(IndexItem::NewAxis),
            1 if !ellipsis => {
                ellipsis = true;
                end -= rng.below(left + 1);
                items.push(IndexItem::Ellipsis);
            }
            1 if left > 0 => {
                items.push(IndexItem::slice(None, None, Some(-1)));
                pos += 1;
            }
            1 => items.push(IndexItem::NewAxis),
            2 => items.push(IndexItem::Array(Array::scalar(rng.coin()))), // 0-d mask
            3 => {
                items.push(IndexItem::Int(signed(&mut rng, shape[pos])));
                pos += 1;
            }
            4 | 5 => {
                let n = shape[pos] as isize;
                let bound = |rng: &mut Rng| {
                    (rng.below(4) != 0).then(|| rng.below(2 * n as usize + 5) as isize - n - 2)
                };
                let (start, stop) = (bound(&mut rng), bound(&mut rng));
                let step = [None, Some(1), Some(2), Some(3), Some(-1), Some(-2)][rng.below(6)];
                items.push(IndexItem::slice(start, stop, step));
                pos += 1;
            }
            6 | 7 => {
                let dims: Vec<usize> = (0..rng.below(3)).map(|_| 1 + rng.below(3)).collect();
                let len = dims.iter().product();
                let mut v: Vec<i64> = (0..len)
                    .map(|_| signed(&mut rng, shape[pos]) as i64)
                    .collect();
                if len >= 2 && rng.below(3) != 0 {
                    v[len - 1] = v[0]; // a repeated entry
                }
                let a = Array::from_shape_vec(&dims, v).expect("shape and data agree");
                items.push(IndexItem::Array(if rng.coin() {
                    a.astype(DType::Int32)
                } else {
                    a
                }));
                pos += 1;
            }
            _ => {
                let k = 1 + rng.below(left.min(2));
                let dims = &shape[pos..pos + k];
                let m: Vec<bool> = (0..dims.iter().product())
                    .map(|_| rng.below(3) != 0)
                    .collect();
                items.push(IndexItem::Array(
                    Array::from_shape_vec(dims, m).expect("agree"),
                ));
                pos += k;
            }
        }
    }
    if ellipsis {
        // The items after the ellipsis must reach the end exactly.
        while pos < end {
            items.push(IndexItem::slice(None, None, None));
            pos += 1;
        }
    }
    items
}

/// One proptest case: input shapes, values in `[0, 1)` and a seed for the
/// op parameters and the loss weight.
#[derive(Clone, Debug)]
pub(super) struct Case {
    pub(super) shapes: Vec<Vec<usize>>,
    pub(super) units: Vec<Vec<f64>>,
    pub(super) seed: u64,
}

pub(super) fn cases(kind: Kind) -> impl Strategy<Value = Case> {
    (prop::collection::vec(1usize..=4, 0..=3), any::<u64>()).prop_flat_map(move |(base, seed)| {
        let shapes = input_shapes(kind, &base, seed);
        let units: Vec<_> = shapes
            .iter()
            .map(|s| prop::collection::vec(0.0..1.0f64, s.iter().product::<usize>()))
            .collect();
        (Just(shapes), units, Just(seed)).prop_map(|(shapes, units, seed)| Case {
            shapes,
            units,
            seed,
        })
    })
}
