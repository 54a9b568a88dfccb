//! Embedded image fixtures (best images, reference portraits), drawn by the project's own generator.

use bytes::Bytes;
use include_dir::{include_dir, Dir};

/// The `fixtures/` directory, embedded at build time.
pub static FIXTURES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures");

/// An image and what the API reports about it.
#[derive(Debug, Clone)]
pub struct Image {
    /// The encoded bytes.
    pub bytes: Bytes,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// SHA-256 of the bytes, lowercase hex (the Face `digest`, the storage `hash`), computed once.
    pub digest: String,
}

/// A face box in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The fixture called `name` (`fixtures/<name>.jpg` or `.png`).
///
/// Described once per fixture (every finished capture stores one as its best image; hashing
/// 70 KB per capture was a visible share of the CPU with thousands of sessions).
pub fn image(name: &str) -> Option<Image> {
    static DESCRIBED: std::sync::LazyLock<std::collections::HashMap<String, Image>> =
        std::sync::LazyLock::new(|| {
            FIXTURES
                .files()
                .filter_map(|f| {
                    let path = f.path().to_str()?;
                    let (stem, _) = path.rsplit_once('.')?;
                    Some((
                        stem.to_string(),
                        from_bytes(Bytes::from_static(f.contents()))?,
                    ))
                })
                .collect()
        });
    DESCRIBED.get(name).cloned()
}

/// Most pixels an uploaded or grabbed image may have (24 megapixels: a 6000×4000 camera frame).
/// Checked from the header before anything decodes it: a 389 KB PNG can declare 20000×20000
/// pixels, which `?compression=true` would otherwise decode into 1.6 GB.
pub const MAX_PIXELS: u64 = 24_000_000;
/// Longest side an uploaded or grabbed image may have, in pixels.
pub const MAX_SIDE: u64 = 12_000;

/// Why bytes were refused as an image; `Display` is the sentence shown to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRefusal {
    /// Not a JPEG or PNG (or its header could not be read).
    NotAnImage,
    /// A JPEG or PNG whose header declares more than [`MAX_PIXELS`] or [`MAX_SIDE`].
    TooLarge {
        /// Declared width.
        width: u64,
        /// Declared height.
        height: u64,
    },
}

impl std::fmt::Display for ImageRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageRefusal::NotAnImage => f.write_str("not a JPEG or PNG image"),
            ImageRefusal::TooLarge { width, height } => write!(
                f,
                "{width}×{height} pixels, over the emulator's limit of {} megapixels and {MAX_SIDE} pixels a side",
                MAX_PIXELS / 1_000_000
            ),
        }
    }
}

/// Describes uploaded or grabbed bytes from their header only (nothing is decoded): a JPEG or
/// PNG within [`MAX_PIXELS`] / [`MAX_SIDE`], or why not.
pub fn describe(bytes: Bytes) -> Result<Image, ImageRefusal> {
    let size = imagesize::blob_size(&bytes).map_err(|_| ImageRefusal::NotAnImage)?;
    let content_type = match imagesize::image_type(&bytes).map_err(|_| ImageRefusal::NotAnImage)? {
        imagesize::ImageType::Jpeg => "image/jpeg",
        imagesize::ImageType::Png => "image/png",
        _ => return Err(ImageRefusal::NotAnImage),
    };
    let (width, height) = (size.width as u64, size.height as u64);
    if width > MAX_SIDE || height > MAX_SIDE || width.saturating_mul(height) > MAX_PIXELS {
        return Err(ImageRefusal::TooLarge { width, height });
    }
    Ok(Image {
        digest: digest(&bytes),
        bytes,
        content_type: content_type.to_string(),
        width: width as u32,
        height: height as u32,
    })
}

/// [`describe`] for callers that only need to know whether the bytes are an acceptable image.
pub fn from_bytes(bytes: Bytes) -> Option<Image> {
    describe(bytes).ok()
}

/// Where the face sits in an image of this size: the fixtures draw it centred, filling about half
/// the width, so the box is computed from the real dimensions.
///
/// `bestImageInfo` and the face answers report this box, and integrators crop with it, so it must
/// lie inside the image whatever its size.
///
/// ```
/// use webcapture_emulator::internals::fixtures::face_box;
///
/// let b = face_box(640, 480);
/// assert_eq!(b.width, 320.0);
/// assert!(b.x >= 0.0 && b.y >= 0.0);
/// assert!(b.x + b.width <= 640.0 && b.y + b.height <= 480.0);
/// ```
pub fn face_box(width: u32, height: u32) -> FaceBox {
    let (w, h) = (f64::from(width), f64::from(height));
    let bw = (w * 0.5).round();
    let bh = (h * 0.55).round();
    FaceBox {
        x: ((w - bw) / 2.0).round(),
        y: ((h - bh) / 2.5).round(),
        width: bw,
        height: bh,
    }
}

/// Eye centres in image pixels (the vendor's `landmarks.eyes`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eyes {
    /// First (image-left) eye, x.
    pub x1: f64,
    /// First eye, y.
    pub y1: f64,
    /// Second (image-right) eye, x.
    pub x2: f64,
    /// Second eye, y.
    pub y2: f64,
}

/// Where the eyes sit in an image of this size: inside [`face_box`], at 30 % and 70 % of its
/// width and 40 % of its height. The generator draws them exactly there, so the landmarks the API
/// reports match what a person sees in the picture.
pub fn eyes(width: u32, height: u32) -> Eyes {
    let b = face_box(width, height);
    let y = (b.y + b.height * 0.4).round();
    Eyes {
        x1: (b.x + b.width * 0.3).round(),
        y1: y,
        x2: (b.x + b.width * 0.7).round(),
        y2: y,
    }
}

/// The names of every embedded fixture (file names without extension), sorted.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = FIXTURES
        .files()
        .filter(|f| {
            matches!(
                f.path().extension().and_then(|e| e.to_str()),
                Some("jpg" | "jpeg" | "png")
            )
        })
        .filter_map(|f| {
            f.path()
                .file_stem()
                .and_then(|s| s.to_str())
                .map(String::from)
        })
        .collect();
    names.sort();
    names
}

/// SHA-256 of `bytes` as lowercase hex: the Face `digest` and the storage `hash`.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// A believable template quality (200..=300) that depends only on the image (its [`digest`]),
/// so the same picture always gets the same quality and snapshots stay stable.
pub fn quality(digest_hex: &str) -> u32 {
    let first = digest_hex
        .get(..4)
        .and_then(|h| u16::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    200 + u32::from(first % 101)
}

/// Re-encodes any JPEG/PNG as a JPEG of `quality` (1..=100): what `?compression=true` returns.
///
/// The decoder is held to [`MAX_SIDE`] and a matching allocation budget as well, whatever the
/// header check before it said (a second line of defence against lying headers).
pub fn to_jpeg(bytes: &[u8], quality: u8) -> Result<Vec<u8>, image::ImageError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE as u32);
    limits.max_image_height = Some(MAX_SIDE as u32);
    // RGBA at 16 bits per channel for the largest accepted image.
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let decoded = reader.decode()?;
    let mut out = Vec::new();
    let encoder =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
    decoded.to_rgb8().write_with_encoder(encoder)?;
    Ok(out)
}
