//! `.npy` save/load: round trips of every dtype and shape, hand-made files
//! of the other header versions and orders, the errors, and (when a Python
//! with NumPy is available) files exchanged with `numpy.save`/`numpy.load`.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use causing_diff::prelude::*;

/// Every dtype with edge values, in shapes 0-d, empty, 1-D to 4-D.
fn samples() -> Vec<(String, Array)> {
    let shapes: &[&[usize]] = &[
        &[],
        &[0],
        &[2, 0, 3],
        &[5],
        &[2, 3],
        &[2, 1, 3],
        &[1, 2, 2, 2],
    ];
    let f64s = [
        0.0,
        -0.0,
        1.5,
        -2.25,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
        5e-324,
        f64::MAX,
        0.1,
        -1e300,
    ];
    let f32s = f64s.map(|x| x as f32);
    let i64s = [
        0,
        1,
        -1,
        i64::MAX,
        i64::MIN,
        42,
        -7,
        1 << 40,
        3,
        9,
        -100,
        12,
    ];
    let i32s = i64s.map(|x| x as i32);
    let bools = i64s.map(|x| x % 2 != 0);
    let mut out = Vec::new();
    for shape in shapes {
        let n: usize = shape.iter().product();
        let pick = |k: usize| (0..n).map(move |i| (i * 5 + k) % 12);
        let arrays = [
            Array::from_shape_vec(shape, pick(0).map(|i| f64s[i]).collect()).unwrap(),
            Array::from_shape_vec(shape, pick(1).map(|i| f32s[i]).collect()).unwrap(),
            Array::from_shape_vec(shape, pick(2).map(|i| i64s[i]).collect()).unwrap(),
            Array::from_shape_vec(shape, pick(3).map(|i| i32s[i]).collect()).unwrap(),
            Array::from_shape_vec(shape, pick(4).map(|i| bools[i]).collect()).unwrap(),
        ];
        for a in arrays {
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            out.push((format!("{}_{}", a.dtype(), dims.join("x")), a));
        }
    }
    out
}

/// Bit-exact equality (NaN payloads and the sign of zero included).
fn same(a: &Array, b: &Array) -> bool {
    a.dtype() == b.dtype()
        && a.shape() == b.shape()
        && match a.dtype() {
            DType::Float64 => {
                let bits = |x: &Array| -> Vec<u64> {
                    x.as_slice::<f64>()
                        .unwrap()
                        .iter()
                        .map(|v| v.to_bits())
                        .collect()
                };
                bits(a) == bits(b)
            }
            DType::Float32 => {
                let bits = |x: &Array| -> Vec<u32> {
                    x.as_slice::<f32>()
                        .unwrap()
                        .iter()
                        .map(|v| v.to_bits())
                        .collect()
                };
                bits(a) == bits(b)
            }
            _ => a == b,
        }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("causing-diff-npy-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_dtype_and_shape_round_trips_through_bytes_and_files() {
    let dir = scratch_dir("roundtrip");
    for (name, a) in samples() {
        let mut bytes = Vec::new();
        a.write_npy(&mut bytes).unwrap();
        // The data starts on a 64-byte boundary, after a newline.
        let header_len = bytes.len() - a.size() * a.dtype().size_of();
        assert_eq!(header_len % 64, 0, "{name}");
        assert_eq!(bytes[header_len - 1], b'\n', "{name}");
        let back = Array::read_npy(&bytes[..]).unwrap();
        assert!(same(&a, &back), "{name}: {a:?} became {back:?}");

        let path = dir.join(format!("{name}.npy"));
        a.save_npy(&path).unwrap();
        assert!(same(&a, &Array::load_npy(&path).unwrap()), "{name} (file)");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn headers_are_numpys() {
    let a = Array::from_shape_vec(&[2, 3], vec![0.0; 6]).unwrap();
    let mut bytes = Vec::new();
    a.write_npy(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes[10..128]).into_owned();
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    assert!(text.starts_with(dict), "{text}");
    assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
    let mut bytes = Vec::new();
    Array::scalar(true).write_npy(&mut bytes).unwrap();
    assert_eq!(bytes.len(), 128 + 1);
    let text = String::from_utf8_lossy(&bytes[10..]).into_owned();
    assert!(text.starts_with("{'descr': '|b1', 'fortran_order': False, 'shape': (), }"));
}

/// A hand-made `.npy` file: `version`, a header dict and raw data.
fn npy_file(version: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[version, 0]);
    let header = format!("{dict}\n");
    if version == 1 {
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn le_i32(values: &[i32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[test]
fn versions_two_and_three_and_fortran_order_are_read() {
    let data = le_i32(&[0, 3, 1, 4, 2, 5]); // [[0, 1, 2], [3, 4, 5]] in column-major order
    let expected = Array::from_shape_vec(&[2, 3], vec![0i32, 1, 2, 3, 4, 5]).unwrap();
    for version in [1, 2, 3] {
        let dict = "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }";
        let a = Array::read_npy(&npy_file(version, dict, &data)[..]).unwrap();
        assert_eq!(a, expected, "version {version}");
    }
    // Double quotes, no trailing comma, Python 2 longs, a 3-D Fortran array.
    let data = le_i32(&(0..24).collect::<Vec<_>>());
    let dict = r#"{"descr": "<i4", "shape": (2L, 3L, 4L), "fortran_order": True}"#;
    let a = Array::read_npy(&npy_file(1, dict, &data)[..]).unwrap();
    let v = a.as_slice::<i32>().unwrap();
    // C index (i, j, k) is Fortran offset i + 2j + 6k.
    assert_eq!((v[0], v[1], v[4], v[12], v[23]), (0, 6, 2, 1, 23));
    // A version 3.0 header may hold UTF-8 (NumPy writes it for non-latin-1
    // field names; here in a harmless spot: trailing spaces are not required).
    let dict = "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }";
    let a = Array::read_npy(&npy_file(3, dict, &[1, 0])[..]).unwrap();
    assert_eq!(a.to_string(), "array([ True, False])");
}

fn read_err(bytes: &[u8]) -> (ErrorKind, String) {
    match Array::read_npy(bytes).unwrap_err() {
        e @ Error::Io { kind, .. } => (kind, e.to_string()),
        e => panic!("expected an Io error, got {e:?}"),
    }
}

#[test]
fn unsupported_and_malformed_files_are_clear_errors() {
    let big = npy_file(
        1,
        "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
        &[0; 8],
    );
    let (kind, msg) = read_err(&big);
    assert_eq!(kind, ErrorKind::Unsupported);
    assert!(msg.starts_with("read_npy: big-endian"), "{msg}");
    // One-byte big-endian descriptors are fine: there is no byte order.
    let b = npy_file(
        1,
        "{'descr': '>b1', 'fortran_order': False, 'shape': (1,), }",
        &[1],
    );
    assert_eq!(
        Array::read_npy(&b[..]).unwrap().to_string(),
        "array([ True])"
    );

    let f16 = npy_file(
        1,
        "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }",
        &[0; 2],
    );
    let (kind, msg) = read_err(&f16);
    assert_eq!(kind, ErrorKind::Unsupported);
    assert!(msg.contains("\"<f2\""), "{msg}");

    let (kind, _) = read_err(&npy_file(4, "{}", &[]));
    assert_eq!(kind, ErrorKind::Unsupported);

    let (kind, msg) = read_err(b"PK\x03\x04 not an npy file");
    assert_eq!(kind, ErrorKind::InvalidData);
    assert!(msg.contains("magic"), "{msg}");

    let short = npy_file(
        1,
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
        &[0; 20],
    );
    let (kind, msg) = read_err(&short);
    assert_eq!(kind, ErrorKind::UnexpectedEof);
    assert!(msg.contains("24 bytes of data expected, 20 found"), "{msg}");
    let (kind, _) = read_err(&short[..9]);
    assert_eq!(kind, ErrorKind::UnexpectedEof);

    for dict in [
        "{'descr': '<f8', 'shape': (3,), }",
        "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}",
        "['descr']",
    ] {
        let (kind, msg) = read_err(&npy_file(1, dict, &[0; 24]));
        assert_eq!(kind, ErrorKind::InvalidData, "{dict}");
        assert!(msg.starts_with("read_npy: bad header"), "{msg}");
    }
    // A header whose shape overflows is refused before any allocation.
    let huge = npy_file(
        1,
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
        &[],
    );
    assert!(matches!(
        Array::read_npy(&huge[..]),
        Err(Error::TooLarge { .. })
    ));
    let lie = npy_file(
        1,
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }",
        &[],
    );
    assert_eq!(read_err(&lie).0, ErrorKind::UnexpectedEof);
}

#[test]
fn file_errors_name_the_operation_and_the_path() {
    let err = Array::load_npy("/nonexistent/dir/x.npy").unwrap_err();
    assert!(matches!(
        err,
        Error::Io {
            op: "load_npy",
            kind: ErrorKind::NotFound,
            ..
        }
    ));
    assert!(err.to_string().contains("/nonexistent/dir/x.npy"));
    let err = Array::scalar(1.0)
        .save_npy("/nonexistent/dir/x.npy")
        .unwrap_err();
    assert!(matches!(err, Error::Io { op: "save_npy", .. }));
}

#[test]
fn tensors_save_their_data_and_load_as_new_leaves() {
    let dir = scratch_dir("tensor");
    let g = Graph::new();
    let w = g.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
    let loss = (w * w).sum();
    w.save_npy(dir.join("w.npy")).unwrap(); // allowed while a graph is live
    loss.backward();
    let labels = g.tensor([1, 0, 2]);
    labels.save_npy(dir.join("labels.npy")).unwrap();

    let w2 = g.load_npy(dir.join("w.npy")).unwrap();
    assert_eq!(
        w2.to_string(),
        "Tensor([[1., 2.],\n        [3., 4.]], dtype=float32)"
    );
    assert!(!w2.is_constant() && w2.grad().is_none());
    let l2 = g.load_npy(dir.join("labels.npy")).unwrap();
    assert!(l2.is_constant());
    assert_eq!(l2.data(), labels.data());
    std::fs::remove_dir_all(dir).unwrap();
}

/// A Python that can import NumPy: the benchmark venv's if present, else `python3`.
fn python_with_numpy() -> Option<PathBuf> {
    let venv = Path::new("/work/main/.bench-work/venv/bin/python");
    let candidates = [venv.to_path_buf(), PathBuf::from("python3")];
    candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import numpy"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// A Python literal for an array's values, as `np.array(..., dtype)`.
fn py_array(a: &Array) -> String {
    let items: Vec<String> = match a.dtype() {
        DType::Bool => a
            .as_slice::<bool>()
            .unwrap()
            .iter()
            .map(|&b| if b { "True" } else { "False" }.to_string())
            .collect(),
        DType::Int32 | DType::Int64 => {
            let v = a.clone().astype(DType::Int64);
            v.as_slice::<i64>()
                .unwrap()
                .iter()
                .map(|x| x.to_string())
                .collect()
        }
        _ => a
            .to_f64_vec()
            .iter()
            .map(|x| format!("float('{x:?}')").replace("NaN", "nan"))
            .collect(),
    };
    let dims: Vec<String> = a.shape().iter().map(|d| format!("{d},")).collect();
    format!(
        "np.array([{}], dtype='{}').reshape(({}))",
        items.join(", "),
        a.dtype(),
        dims.join("")
    )
}

#[test]
fn files_are_exchanged_with_numpy() {
    let Some(py) = python_with_numpy() else {
        println!("note: no Python with NumPy found; skipping the NumPy interop test");
        return;
    };
    let dir = scratch_dir("numpy");
    let cases = samples();
    // Python: for each case, (1) check our file loads with the same dtype,
    // shape and values and re-saves to the same bytes; (2) save the same
    // array in C order, Fortran order, and with versions 2.0 and 3.0.
    let mut script = String::from(
        "import numpy as np, sys\nfrom numpy.lib import format as fmt\nd = sys.argv[1]\n\
         def check(name, want):\n    got = np.load(f'{d}/{name}.rust.npy')\n    \
         assert got.dtype == want.dtype and got.shape == want.shape, (name, got.dtype, got.shape)\n    \
         assert got.tobytes() == want.tobytes(), name\n    \
         np.save(f'{d}/{name}.again.npy', got)\n    \
         assert open(f'{d}/{name}.again.npy', 'rb').read() == open(f'{d}/{name}.rust.npy', 'rb').read(), name\n    \
         np.save(f'{d}/{name}.c.npy', want)\n    np.save(f'{d}/{name}.f.npy', want.copy(order='F'))\n    \
         for v in (2, 3):\n        with open(f'{d}/{name}.v{v}.npy', 'wb') as f:\n            \
         fmt.write_array(f, want.copy(order='F'), version=(v, 0))\n",
    );
    for (name, a) in &cases {
        a.save_npy(dir.join(format!("{name}.rust.npy"))).unwrap();
        script.push_str(&format!("check('{name}', {})\n", py_array(a)));
    }
    script.push_str("print('ok')\n");
    let out = Command::new(&py)
        .arg("-c")
        .arg(&script)
        .arg(&dir)
        .output()
        .expect("running python");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "numpy side failed:\n{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");

    for (name, a) in &cases {
        for variant in ["c", "f", "v2", "v3"] {
            let back = Array::load_npy(dir.join(format!("{name}.{variant}.npy"))).unwrap();
            assert!(same(a, &back), "{name}.{variant}: {a:?} became {back:?}");
        }
    }
    // A big-endian file written by NumPy is refused with a clear error.
    let big = dir.join("big.npy");
    let status = Command::new(&py)
        .args([
            "-c",
            "import numpy as np, sys; np.save(sys.argv[1], np.arange(3, dtype='>f8'))",
        ])
        .arg(&big)
        .status()
        .unwrap();
    assert!(status.success());
    let err = Array::load_npy(&big).unwrap_err();
    assert!(matches!(
        err,
        Error::Io {
            kind: ErrorKind::Unsupported,
            ..
        }
    ));
    assert!(err.to_string().contains("big-endian"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
