//! Plots a function and its derivative, computed by autodiff — the last
//! example of the MyGrad tutorial (`plot_func_and_deriv`), in Rust.
//!
//! f(x) = sin(2x)·cos(x)·exp(-x/3)·100 is evaluated on 10 000 points of
//! [0, 10]; one `backward()` call then leaves df/dx in `x.grad()`, because
//! each f(x_i) depends only on x_i. The two curves are drawn as in
//! matplotlib (f solid, df/dx dashed, grid, legend, "x" label) and written
//! as a PNG by a tiny dependency-free rasteriser and encoder.
//!
//! ```text
//! cargo run --release --example plot [out.png]     # default: ./plot.png
//! ```

use causing_diff::prelude::*;

/// A function sampled on a grid, with its derivative at the same points.
struct Curves {
    xs: Vec<f64>,
    ys: Vec<f64>,
    dys: Vec<f64>,
}

/// Evaluates `func(x)` and d`func`/dx at every element of the 1-D `x`.
fn plot_func_and_deriv<'g>(x: Tensor<'g>, func: impl Fn(Tensor<'g>) -> Tensor<'g>) -> Curves {
    let y = func(x);
    y.backward(); // a non-scalar backward seeds with ones: x.grad = df/dx elementwise
    Curves {
        xs: x.data().to_f64_vec(),
        ys: y.data().to_f64_vec(),
        dys: x.grad().expect("x is a variable").to_f64_vec(),
    }
}

/// The tutorial's function.
fn f(x: Tensor) -> Tensor {
    (2.0 * x).sin() * x.cos() * (-x / 3.0).exp() * 100.0
}

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "plot.png".into());
    let g = Graph::new();
    let curves = plot_func_and_deriv(g.linspace(0.0, 10.0, 10000), f);

    let canvas = render(&curves);
    std::fs::write(&path, encode_png(&canvas))?;

    let (f_lo, f_hi) = min_max(&curves.ys);
    let (d_lo, d_hi) = min_max(&curves.dys);
    let peak = curves.ys.iter().position(|&y| y == f_hi).unwrap_or(0);
    println!("wrote {path} ({}x{})", canvas.width, canvas.height);
    println!(
        "f(x) in [{f_lo:.2}, {f_hi:.2}] (peak at x = {:.3}), df/dx in [{d_lo:.2}, {d_hi:.2}]",
        curves.xs[peak]
    );
    Ok(())
}

fn min_max(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    (lo, v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
}

// ---------------------------------------------------------------- the figure

type Rgb = [u8; 3];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const GRID: Rgb = [222, 222, 222];
const BLUE: Rgb = [31, 119, 180]; // matplotlib's C0 and C1
const ORANGE: Rgb = [255, 127, 14];

const WIDTH: usize = 900;
const HEIGHT: usize = 560;
const TEXT_SCALE: usize = 2; // 5×7 glyphs drawn as 10×14 pixels
const LINE_WIDTH: f64 = 2.5;
const DASH: (f64, f64) = (12.0, 7.0); // on, off (pixels of arc length)
const SOLID: (f64, f64) = (f64::INFINITY, 0.0);

/// The plot area in pixels and the data window it shows.
struct Frame {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl Frame {
    fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        let px = self.left + (x - x0) / (x1 - x0) * (self.right - self.left);
        let py = self.bottom - (y - y0) / (y1 - y0) * (self.bottom - self.top);
        (px, py)
    }

    /// The pixel bounds as integers: `[left, top, right, bottom]`.
    fn edges(&self) -> [i64; 4] {
        [self.left, self.top, self.right, self.bottom].map(|v| v as i64)
    }
}

/// Tick positions and the number of decimals that prints them exactly.
struct Ticks {
    values: Vec<f64>,
    decimals: usize,
}

/// Draws the whole figure: grid, curves, axes with ticks and labels, legend.
fn render(c: &Curves) -> Canvas {
    let mut canvas = Canvas::new(WIDTH, HEIGHT, WHITE);
    let (f_lo, f_hi) = min_max(&c.ys);
    let (d_lo, d_hi) = min_max(&c.dys);
    let frame = Frame {
        left: 80.0,
        top: 20.0,
        right: WIDTH as f64 - 20.0,
        bottom: HEIGHT as f64 - 60.0,
        // 5% margins on each side, as matplotlib's autoscaling does.
        x_range: padded(min_max(&c.xs)),
        y_range: padded((f_lo.min(d_lo), f_hi.max(d_hi))),
    };
    let x_ticks = nice_ticks(frame.x_range);
    let y_ticks = nice_ticks(frame.y_range);
    draw_grid(&mut canvas, &frame, &x_ticks, &y_ticks);

    // The same styles as the legend entries in `draw_legend`.
    canvas.stroke(&dashes(&polyline(&frame, &c.xs, &c.ys), SOLID), BLUE);
    canvas.stroke(&dashes(&polyline(&frame, &c.xs, &c.dys), DASH), ORANGE);

    draw_axes(&mut canvas, &frame, &x_ticks, &y_ticks);
    draw_legend(&mut canvas, &frame);
    canvas
}

fn padded((lo, hi): (f64, f64)) -> (f64, f64) {
    let pad = 0.05 * (hi - lo);
    (lo - pad, hi + pad)
}

/// Round tick values inside `range`: steps of 1, 2, 2.5 or 5 × 10^k.
fn nice_ticks((lo, hi): (f64, f64)) -> Ticks {
    let raw = (hi - lo) / 7.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap();
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // i·step with i = 0 is +0.0, so no "-0" label can appear.
    let values = (first..=last).map(|i| i as f64 * step).collect();
    let decimals = (0..6).find(|&d| {
        let scaled = step * 10f64.powi(d as i32);
        (scaled - scaled.round()).abs() < 1e-9
    });
    Ticks {
        values,
        decimals: decimals.unwrap_or(6),
    }
}

fn draw_grid(canvas: &mut Canvas, fr: &Frame, x_ticks: &Ticks, y_ticks: &Ticks) {
    let [l, t, r, b] = fr.edges();
    for &x in &x_ticks.values {
        canvas.fill_rect(fr.to_pixel(x, 0.0).0 as i64, t, 1, b - t, GRID);
    }
    for &y in &y_ticks.values {
        canvas.fill_rect(l, fr.to_pixel(0.0, y).1 as i64, r - l, 1, GRID);
    }
}

/// The frame (whose left and bottom edges are the axes), outward tick marks,
/// numeric tick labels and the "x" axis label.
fn draw_axes(canvas: &mut Canvas, fr: &Frame, x_ticks: &Ticks, y_ticks: &Ticks) {
    let [l, t, r, b] = fr.edges();
    canvas.fill_rect(l, t, r - l + 1, 1, BLACK);
    canvas.fill_rect(l, b, r - l + 1, 1, BLACK);
    canvas.fill_rect(l, t, 1, b - t + 1, BLACK);
    canvas.fill_rect(r, t, 1, b - t + 1, BLACK);

    let glyph_h = 7 * TEXT_SCALE as i64;
    for &x in &x_ticks.values {
        let px = fr.to_pixel(x, 0.0).0 as i64;
        canvas.fill_rect(px, b, 1, 6, BLACK);
        let label = format!("{x:.*}", x_ticks.decimals);
        canvas.text(px - text_width(&label) / 2, b + 10, &label, BLACK);
    }
    for &y in &y_ticks.values {
        let py = fr.to_pixel(0.0, y).1 as i64;
        canvas.fill_rect(l - 6, py, 6, 1, BLACK);
        let label = format!("{y:.*}", y_ticks.decimals);
        canvas.text(l - 10 - text_width(&label), py - glyph_h / 2, &label, BLACK);
    }
    canvas.text((l + r) / 2 - text_width("x") / 2, b + 34, "x", BLACK);
}

/// A framed box in the upper right with a sample of each line style.
fn draw_legend(canvas: &mut Canvas, fr: &Frame) {
    let entries = [("f(x)", BLUE, SOLID), ("df/dx", ORANGE, DASH)];
    let (pad, sample, row_h) = (10, 36, 24);
    let w = pad * 3 + sample + text_width("df/dx");
    let h = pad * 2 + row_h * entries.len() as i64 - 6;
    let [_, top, right, _] = fr.edges();
    let (x0, y0) = (right - 12 - w, top + 12);
    canvas.fill_rect(x0, y0, w, h, [200, 200, 200]);
    canvas.fill_rect(x0 + 1, y0 + 1, w - 2, h - 2, WHITE);
    for (i, (label, color, pattern)) in entries.into_iter().enumerate() {
        let top = y0 + pad + row_h * i as i64;
        let mid = (top + 7) as f64 + 0.5;
        let line = vec![((x0 + pad) as f64, mid), ((x0 + pad + sample) as f64, mid)];
        canvas.stroke(&dashes(&line, pattern), color);
        canvas.text(x0 + 2 * pad + sample, top, label, BLACK);
    }
}

/// The samples as pixel coordinates.
fn polyline(fr: &Frame, xs: &[f64], ys: &[f64]) -> Vec<(f64, f64)> {
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| fr.to_pixel(x, y))
        .collect()
}

/// Cuts a polyline into the "on" pieces of an (on, off) dash pattern that
/// runs continuously along its arc length, as matplotlib's `ls="--"` does.
/// `SOLID` (never off) returns the whole polyline as one piece.
fn dashes(points: &[(f64, f64)], (on, off): (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current = vec![points[0]];
    let (mut drawing, mut left) = (true, on);
    for seg in points.windows(2) {
        let (mut a, b) = (seg[0], seg[1]);
        let mut len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        // Split this segment wherever the pattern switches.
        while len > left {
            let t = left / len;
            let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if drawing {
                current.push(p);
                pieces.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            drawing = !drawing;
            (a, len, left) = (p, len - left, if drawing { on } else { off });
        }
        left -= len;
        if drawing {
            current.push(b);
        }
    }
    if drawing && current.len() > 1 {
        pieces.push(current);
    }
    pieces
}

// ---------------------------------------------------------------- the canvas

/// An RGB image, row-major, 3 bytes a pixel.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize, background: Rgb) -> Canvas {
        Canvas {
            width,
            height,
            pixels: background.repeat(width * height),
        }
    }

    /// Mixes `color` into pixel (x, y) with opacity `alpha`; clips silently.
    fn blend(&mut self, x: i64, y: i64, color: Rgb, alpha: f64) {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return;
        }
        let i = 3 * (y as usize * self.width + x as usize);
        for (p, c) in self.pixels[i..i + 3].iter_mut().zip(color) {
            *p = (*p as f64 * (1.0 - alpha) + c as f64 * alpha).round() as u8;
        }
    }

    fn fill_rect(&mut self, x: i64, y: i64, w: i64, h: i64, color: Rgb) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.blend(xx, yy, color, 1.0);
            }
        }
    }

    /// Draws anti-aliased polylines of width `LINE_WIDTH`. Coverage is
    /// gathered in a mask first (keeping the maximum where segments overlap),
    /// so the 10 000 tiny joined segments do not darken each other.
    fn stroke(&mut self, lines: &[Vec<(f64, f64)>], color: Rgb) {
        let mut mask = vec![0.0f64; self.width * self.height];
        let (w, h) = (self.width as i64, self.height as i64);
        let mut cover = |x: i64, y: i64, a: f64| {
            if (0..w).contains(&x) && (0..h).contains(&y) {
                let m = &mut mask[(y * w + x) as usize];
                *m = m.max(a);
            }
        };
        for line in lines {
            for seg in line.windows(2) {
                wu_segment(seg[0], seg[1], LINE_WIDTH, &mut cover);
            }
        }
        for (i, &a) in mask.iter().enumerate().filter(|(_, &a)| a > 0.0) {
            self.blend((i % self.width) as i64, (i / self.width) as i64, color, a);
        }
    }

    /// Draws `s` in the bitmap font with its top-left corner at (x, y).
    fn text(&mut self, x: i64, y: i64, s: &str, color: Rgb) {
        let k = TEXT_SCALE as i64;
        for (n, ch) in s.chars().enumerate() {
            let x0 = x + n as i64 * 6 * k;
            for (row, bits) in glyph(ch).iter().enumerate() {
                for col in 0..5 {
                    if bits & (0b10000 >> col) != 0 {
                        self.fill_rect(x0 + col * k, y + row as i64 * k, k, k, color);
                    }
                }
            }
        }
    }
}

/// Wu-style anti-aliasing generalised to thick lines: step along the major
/// axis one pixel at a time and cover, in the minor axis, the exact overlap
/// of each pixel with the line's cross-section there.
fn wu_segment(p0: (f64, f64), p1: (f64, f64), width: f64, cover: &mut impl FnMut(i64, i64, f64)) {
    let steep = (p1.1 - p0.1).abs() > (p1.0 - p0.0).abs();
    // Work in (major, minor) coordinates; swap back when plotting.
    let (mut a, mut b) = (swap_if(steep, p0), swap_if(steep, p1));
    if a.0 > b.0 {
        std::mem::swap(&mut a, &mut b);
    }
    // |rise| <= run, so a zero-length segment gets slope 0 rather than NaN.
    let slope = (b.1 - a.1) / (b.0 - a.0).max(1e-12);
    // The cross-section measured along the minor axis is wider for slanted lines.
    let half = 0.5 * width * (1.0 + slope * slope).sqrt();
    for major in a.0.floor() as i64..=b.0.floor() as i64 {
        let centre = (major as f64 + 0.5).clamp(a.0, b.0);
        let mid = a.1 + slope * (centre - a.0);
        let (lo, hi) = (mid - half, mid + half);
        for minor in lo.floor() as i64..=hi.floor() as i64 {
            let overlap = hi.min(minor as f64 + 1.0) - lo.max(minor as f64);
            let (x, y) = swap_if(steep, (major, minor));
            cover(x, y, overlap.clamp(0.0, 1.0));
        }
    }
}

fn swap_if<T>(swap: bool, (a, b): (T, T)) -> (T, T) {
    if swap {
        (b, a)
    } else {
        (a, b)
    }
}

// ---------------------------------------------------------------- the font

/// 5×7 bitmaps, one byte a row, bit 4 the leftmost column.
#[rustfmt::skip] // one glyph a line reads better than rustfmt's column
const FONT: &[(char, [u8; 7])] = &[
    ('0', [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110]),
    ('1', [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110]),
    ('2', [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111]),
    ('3', [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110]),
    ('4', [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010]),
    ('5', [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110]),
    ('6', [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110]),
    ('7', [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000]),
    ('8', [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110]),
    ('9', [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100]),
    ('-', [0b00000, 0b00000, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000]),
    ('.', [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b01100]),
    ('(', [0b00010, 0b00100, 0b01000, 0b01000, 0b01000, 0b00100, 0b00010]),
    (')', [0b01000, 0b00100, 0b00010, 0b00010, 0b00010, 0b00100, 0b01000]),
    ('/', [0b00000, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b00000]),
    ('f', [0b00110, 0b01001, 0b01000, 0b11100, 0b01000, 0b01000, 0b01000]),
    ('x', [0b00000, 0b00000, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001]),
    ('d', [0b00001, 0b00001, 0b01101, 0b10011, 0b10001, 0b10001, 0b01111]),
];

/// The bitmap of `ch`; unknown characters render as blanks.
fn glyph(ch: char) -> [u8; 7] {
    FONT.iter()
        .find(|(c, _)| *c == ch)
        .map_or([0; 7], |(_, g)| *g)
}

/// Pixel width of `s`: 6 columns a glyph (5 plus a gap), minus the last gap.
fn text_width(s: &str) -> i64 {
    (s.chars().count() as i64 * 6 - 1) * TEXT_SCALE as i64
}

// ---------------------------------------------------------------- the PNG

/// Encodes the canvas as an 8-bit RGB PNG: IHDR, one IDAT, IEND.
fn encode_png(c: &Canvas) -> Vec<u8> {
    // Each scanline is prefixed by its filter type; 0 = none.
    let mut raw = Vec::with_capacity((3 * c.width + 1) * c.height);
    for row in c.pixels.chunks(3 * c.width) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(c.width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(c.height as u32).to_be_bytes());
    // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    write_chunk(&mut png, b"IHDR", &ihdr);
    write_chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    write_chunk(&mut png, b"IEND", &[]);
    png
}

/// Length, type, data, then the CRC-32 of type and data.
fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of uncompressed ("stored") deflate blocks: simple and valid,
/// at the price of a file as large as the pixels.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    // CMF 0x78: deflate with a 32 KiB window; FLG 0x01 makes CMF·256+FLG a multiple of 31.
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(65535).collect()
    };
    for (i, block) in blocks.iter().enumerate() {
        let is_final = i + 1 == blocks.len();
        out.push(is_final as u8); // BFINAL bit, BTYPE = 00 (stored)
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the longest run whose sums cannot overflow a u32 before reducing.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += byte as u32;
            b += a;
        }
        (a, b) = (a % MOD, b % MOD);
    }
    (b << 16) | a
}

/// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), bit by bit.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
