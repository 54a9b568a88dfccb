//! Draws the synthetic face fixtures into `fixtures/` (no third-party photos).
//!
//! Run with `cargo run --example gen_fixtures`; the output is deterministic, so re-running it only
//! changes files when this generator changes. Faces are drawn inside
//! [`webcapture_emulator::internals::fixtures::face_box`] with the eyes at
//! [`webcapture_emulator::internals::fixtures::eyes`], so the landmarks the API reports are where a person
//! sees them.

use std::path::Path;

use image::{codecs::jpeg::JpegEncoder, ImageFormat, Rgb, RgbImage};
use webcapture_emulator::internals::fixtures::{eyes, face_box};

/// What tells one drawn person from another.
#[derive(Clone, Copy)]
struct Person {
    skin: [u8; 3],
    hair: [u8; 3],
    iris: [u8; 3],
    lips: [u8; 3],
    shirt: [u8; 3],
    /// Head width relative to the face box.
    head_width: f64,
    /// How far the hair comes down (fraction of the box height).
    hair_depth: f64,
}

/// The person of every "same person" fixture (best images and the reference portrait).
const ALICE: Person = Person {
    skin: [224, 182, 150],
    hair: [74, 48, 30],
    iris: [70, 110, 60],
    lips: [180, 90, 90],
    shirt: [40, 80, 150],
    head_width: 0.84,
    hair_depth: 0.30,
};

/// Somebody else, for no-match flows.
const BOB: Person = Person {
    skin: [150, 105, 75],
    hair: [20, 20, 24],
    iris: [60, 40, 25],
    lips: [120, 65, 60],
    shirt: [150, 40, 40],
    head_width: 0.94,
    hair_depth: 0.18,
};

/// One file to write.
struct Spec {
    file: &'static str,
    width: u32,
    height: u32,
    person: Person,
    background: ([u8; 3], [u8; 3]),
    seed: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::create_dir_all(&dir)?;
    let specs = [
        Spec {
            file: "face-1.jpg",
            width: 640,
            height: 800,
            person: ALICE,
            background: ([205, 215, 225], [150, 165, 185]),
            seed: 1,
        },
        Spec {
            file: "face-2.jpg",
            width: 480,
            height: 640,
            person: ALICE,
            background: ([225, 215, 200], [175, 160, 140]),
            seed: 2,
        },
        Spec {
            file: "reference-1.jpg",
            width: 600,
            height: 800,
            person: ALICE,
            background: ([235, 235, 235], [210, 210, 210]),
            seed: 3,
        },
        Spec {
            file: "other-person.jpg",
            width: 640,
            height: 800,
            person: BOB,
            background: ([200, 225, 205], [140, 170, 150]),
            seed: 4,
        },
        Spec {
            file: "selfie-1.png",
            width: 360,
            height: 480,
            person: ALICE,
            background: ([240, 225, 230], [200, 180, 190]),
            seed: 5,
        },
    ];
    for spec in &specs {
        let img = draw(spec);
        let path = dir.join(spec.file);
        if spec.file.ends_with(".png") {
            img.save_with_format(&path, ImageFormat::Png)?;
        } else {
            let mut out = Vec::new();
            img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 88))?;
            std::fs::write(&path, out)?;
        }
        println!("wrote {} ({}x{})", path.display(), spec.width, spec.height);
    }
    Ok(())
}

/// Whether (x, y) lies inside the ellipse centred on (cx, cy) with radii (rx, ry).
fn in_ellipse(x: f64, y: f64, cx: f64, cy: f64, rx: f64, ry: f64) -> bool {
    let (dx, dy) = ((x - cx) / rx, (y - cy) / ry);
    dx * dx + dy * dy <= 1.0
}

/// A colour scaled by `f` (shading).
fn shade(c: [u8; 3], f: f64) -> [u8; 3] {
    c.map(|v| (f64::from(v) * f).clamp(0.0, 255.0) as u8)
}

/// Deterministic per-pixel noise in -4..=4, so the JPEGs look like sensor output, not flat fills.
fn noise(x: u32, y: u32, seed: u32) -> i32 {
    let mut h = x.wrapping_mul(374_761_393)
        ^ y.wrapping_mul(668_265_263)
        ^ seed.wrapping_mul(2_246_822_519);
    h = (h ^ (h >> 13)).wrapping_mul(1_274_126_177);
    (h % 9) as i32 - 4
}

fn draw(spec: &Spec) -> RgbImage {
    let (w, h) = (spec.width, spec.height);
    let b = face_box(w, h);
    let e = eyes(w, h);
    let p = spec.person;
    let cx = b.x + b.width / 2.0;
    let cy = b.y + b.height / 2.0;
    let (rx, ry) = (b.width / 2.0 * p.head_width, b.height / 2.0);
    let eye_rx = b.width * 0.075;
    let eye_ry = b.width * 0.04;
    RgbImage::from_fn(w, h, |xi, yi| {
        let (x, y) = (f64::from(xi) + 0.5, f64::from(yi) + 0.5);
        let t = y / f64::from(h);
        let (top, bottom) = spec.background;
        let mut c = [0u8; 3];
        for i in 0..3 {
            c[i] = (f64::from(top[i]) * (1.0 - t) + f64::from(bottom[i]) * t) as u8;
        }
        // Shoulders and neck.
        if in_ellipse(
            x,
            y,
            cx,
            f64::from(h) * 1.08,
            f64::from(w) * 0.48,
            f64::from(h) * 0.3,
        ) {
            c = p.shirt;
        }
        if (x - cx).abs() < rx * 0.42 && y > cy && y < b.y + b.height * 1.22 {
            c = shade(p.skin, 0.86);
        }
        // Hair behind the head.
        if in_ellipse(x, y, cx, cy - ry * 0.08, rx * 1.1, ry * 1.06)
            && y < b.y + b.height * (p.hair_depth + 0.25)
        {
            c = p.hair;
        }
        // Ears, then the head.
        let ear_y = e.y1 + b.height * 0.08;
        if in_ellipse(x, y, cx - rx, ear_y, rx * 0.14, ry * 0.16)
            || in_ellipse(x, y, cx + rx, ear_y, rx * 0.14, ry * 0.16)
        {
            c = shade(p.skin, 0.92);
        }
        if in_ellipse(x, y, cx, cy, rx, ry) {
            // Light from the upper left.
            let light = 1.05 - 0.12 * ((x - cx) / rx) - 0.05 * ((y - cy) / ry);
            c = shade(p.skin, light);
            // Fringe.
            if y < b.y + b.height * p.hair_depth
                && !in_ellipse(
                    x,
                    y,
                    cx,
                    b.y + b.height * (p.hair_depth + 0.12),
                    rx * 0.8,
                    b.height * 0.12,
                )
            {
                c = p.hair;
            }
        }
        // Eyebrows, eyes (white, iris, pupil, glint).
        for ex in [e.x1, e.x2] {
            if (x - ex).abs() < eye_rx * 1.1 && (y - (e.y1 - eye_ry * 2.4)).abs() < eye_ry * 0.35 {
                c = shade(p.hair, 0.9);
            }
            if in_ellipse(x, y, ex, e.y1, eye_rx, eye_ry) {
                c = [245, 245, 240];
                if in_ellipse(x, y, ex, e.y1, eye_ry * 0.95, eye_ry * 0.95) {
                    c = p.iris;
                }
                if in_ellipse(x, y, ex, e.y1, eye_ry * 0.45, eye_ry * 0.45) {
                    c = [15, 15, 15];
                }
                if in_ellipse(
                    x,
                    y,
                    ex - eye_ry * 0.3,
                    e.y1 - eye_ry * 0.3,
                    eye_ry * 0.18,
                    eye_ry * 0.18,
                ) {
                    c = [255, 255, 255];
                }
            }
        }
        // Nose and mouth.
        let nose_y = b.y + b.height * 0.6;
        if in_ellipse(x, y, cx, nose_y, b.width * 0.05, b.height * 0.025) {
            c = shade(p.skin, 0.78);
        }
        let mouth_y = b.y + b.height * 0.76;
        if in_ellipse(x, y, cx, mouth_y, b.width * 0.14, b.height * 0.035)
            && y > mouth_y - b.height * 0.01
        {
            c = p.lips;
        }
        let n = noise(xi, yi, spec.seed);
        Rgb(c.map(|v| (i32::from(v) + n).clamp(0, 255) as u8))
    })
}
