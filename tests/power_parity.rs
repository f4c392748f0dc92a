//! `power` with the exponents NumPy computes by formula rather than by
//! `pow`: -1, 0, ½, 1 and 2 give `1/x`, `1`, `√x`, `x` and `x·x` (NumPy's
//! `power` loop with a broadcast exponent, and `ndarray ** scalar`). The C
//! library's `pow` differs from those formulas in the last bit now and
//! then; the inputs below are ones where it does (found with Python's
//! `math.pow`), and the expected bits are what NumPy 2.4 and MyGrad 2.5
//! printed for them, as `float.hex` converted to bits.

use causing_diff::prelude::*;
use causing_diff::{power, Array};

/// Inputs where glibc's `pow(x, 2)` (the first three), `pow(x, 0.5)` (the
/// next two) or `pow(x, -1)` (the last two) is not the formula's result.
const X: [u64; 7] = [
    0x4081037cda1ac4a6,
    0x3f13aadbf482acf6,
    0x40454fdca73ce061,
    0x3eedb607a4cde2fc,
    0x409f28b914196d1c,
    0x3f1619764c7db4d4,
    0x3fbbe0100ee44820,
];
/// `np.power(x, 2.0)`.
const SQUARE: [u64; 7] = [
    0x4112176a1218ec26,
    0x3e382ceaf291f7b6,
    0x409c6331d5d64404,
    0x3deb95f951a9a4ca,
    0x414e571a69d1f36a,
    0x3e3e862dd77363c8,
    0x3f88483bf9f9c493,
];
/// `np.power(x, 0.5)`.
const SQRT: [u64; 7] = [
    0x403755496c19114a,
    0x3f81bd3b41bf0a37,
    0x401a1d637c219990,
    0x3f6ed594571d15e5,
    0x4046540007339152,
    0x3f82cdd4a0662818,
    0x3fd51e69ff7cf1aa,
];
/// `np.power(x, -1.0)`.
const RECIP: [u64; 7] = [
    0x3f5e17f19591f982,
    0x40ca086c50dbfb2c,
    0x3f98062958671549,
    0x40f13b8e840abda4,
    0x3f406e8b21bd3cf5,
    0x40c72b0118fef31b,
    0x40225e17dbbafa21,
];
/// MyGrad: `t = mg.tensor(x); mg.power(t, 3.0).backward(); t.grad`
/// (`3·x**2`, the square by formula).
const GRAD_CUBE: [u64; 7] = [
    0x412b231f1b256239,
    0x3e5221b035ed79c8,
    0x40b54a656060b303,
    0x3e04b07afd3f3b98,
    0x4166c153cf5d7690,
    0x3e56e4a261968ad6,
    0x3fa2362cfb7b536e,
];
/// MyGrad: the same with `mg.power(t, 1.5)` (`1.5·√x`).
const GRAD_1_5: [u64; 7] = [
    0x40417ff71112ccf8,
    0x3f8a9bd8e29e8f52,
    0x4023960a9d19332c,
    0x3f77202f4155d06c,
    0x4050bf000566acfe,
    0x3f8c34bef0993c24,
    0x3fdfad9eff3b6a7f,
];

fn xs() -> Vec<f64> {
    X.iter().map(|&b| f64::from_bits(b)).collect()
}

fn bits(a: &Array) -> Vec<u64> {
    a.to_f64_vec().iter().map(|v| v.to_bits()).collect()
}

#[test]
fn the_inputs_are_ones_where_pow_differs_from_the_formula() {
    // Guards the test's premise on this machine's C library: were `pow`
    // exact on every input, the tests below could not tell it apart.
    // `black_box`: with a constant exponent the compiler itself turns
    // `powf` into the formula.
    let x = xs();
    let pow = |v: f64, e: f64| core::hint::black_box(v).powf(core::hint::black_box(e));
    let differs = [
        x[..3].iter().all(|&v| pow(v, 2.0) != v * v),
        x[3..5].iter().all(|&v| pow(v, 0.5) != v.sqrt()),
        x[5..].iter().all(|&v| pow(v, -1.0) != 1.0 / v),
    ];
    assert!(differs.iter().all(|&d| d), "{differs:?}");
}

#[test]
fn power_by_a_broadcast_exponent_matches_numpy() {
    for (e, want) in [(2.0, SQUARE), (0.5, SQRT), (-1.0, RECIP)] {
        let g = Graph::new();
        // Array kernels, a 0-d exponent tensor.
        let x = g.tensor(xs());
        let y = power(x, g.tensor(e)).unwrap();
        assert_eq!(bits(&y.data()), want, "power(x, {e})");
        // `Array::powf`.
        assert_eq!(bits(&Array::from_vec(xs()).powf(e)), want, "powf {e}");
        // The scalar lane, one 0-d base at a time.
        for (k, &v) in xs().iter().enumerate() {
            let y = power(g.tensor(v), e).unwrap();
            assert_eq!(y.item().to_bits(), want[k], "0-d power({v}, {e})");
        }
        // The exponent broadcast along rows.
        let m = g.tensor(Array::from_shape_vec(&[7, 1], xs()).unwrap());
        let y = power(m, g.tensor([e, e])).unwrap();
        let got = bits(&y.data());
        for (k, w) in want.iter().enumerate() {
            assert_eq!(&got[2 * k..2 * k + 2], &[*w, *w], "row {k} of {e}");
        }
    }
}

#[test]
fn exponents_zero_and_one_keep_every_special() {
    let g = Graph::new();
    let specials = vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -2.5];
    let x = g.tensor(specials.clone());
    let one = power(x, 1.0).unwrap().data().to_f64_vec();
    let zero = power(x, 0.0).unwrap().data().to_f64_vec();
    for (k, &v) in specials.iter().enumerate() {
        assert_eq!(one[k].to_bits(), v.to_bits(), "{v} ** 1");
        assert_eq!(zero[k], 1.0, "{v} ** 0");
    }
    // NumPy's `(-0) ** 0.5` is `sqrt(-0)`, -0; C's `pow` gives +0.
    let half = power(g.tensor([-0.0, f64::NEG_INFINITY]), 0.5)
        .unwrap()
        .data();
    let half = half.to_f64_vec();
    assert!(half[0] == 0.0 && half[0].is_sign_negative(), "{half:?}");
    assert!(half[1].is_nan(), "{half:?}");
}

#[test]
fn power_gradients_use_the_formulas_as_mygrad_does() {
    for (e, want) in [(3.0, GRAD_CUBE), (1.5, GRAD_1_5)] {
        let g = Graph::new();
        let x = g.tensor(xs());
        power(x, e).unwrap().backward();
        assert_eq!(bits(&x.grad().unwrap()), want, "d/dx x**{e}");
        for (k, &v) in xs().iter().enumerate() {
            let x = g.tensor(v);
            power(x, e).unwrap().backward();
            assert_eq!(
                x.grad().unwrap().item().unwrap().to_bits(),
                want[k],
                "0-d {v}**{e}"
            );
        }
    }
}
