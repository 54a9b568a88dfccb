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
pub fn image(name: &str) -> Option<Image> {
    ["jpg", "jpeg", "png"].iter().find_map(|ext| {
        FIXTURES
            .get_file(format!("{name}.{ext}"))
            .and_then(|f| from_bytes(Bytes::from_static(f.contents())))
    })
}

/// Describes uploaded or grabbed bytes; `None` when they are not a JPEG or PNG image.
pub fn from_bytes(bytes: Bytes) -> Option<Image> {
    let size = imagesize::blob_size(&bytes).ok()?;
    let content_type = match imagesize::image_type(&bytes).ok()? {
        imagesize::ImageType::Jpeg => "image/jpeg",
        imagesize::ImageType::Png => "image/png",
        _ => return None,
    };
    Some(Image {
        bytes,
        content_type: content_type.to_string(),
        width: size.width as u32,
        height: size.height as u32,
    })
}

/// Where the face sits in an image of this size: the fixtures draw it centred, filling about half
/// the width, so the box is computed from the real dimensions.
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
