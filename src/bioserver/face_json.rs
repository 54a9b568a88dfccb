//! The vendor's Face object, as every core answer embeds it.
//!
//! Integrators read `id`, a numeric `quality` (the sample answers 400 without it) and `landmarks`
//! (the sample crashes with a 500 without it), so all three are always present. Landmarks come
//! from the real image size through [`fixtures::face_box`] and [`fixtures::eyes`], which is where
//! the fixture generator draws the face.

use serde_json::{json, Map, Value};

use crate::{fixtures, sessions::Face, state::AppState};

/// The biometric template algorithm every face reports.
pub const FACE_MODE: &str = "F6_4_VID60X";

/// The Face JSON of `face`, members in the order of the vendor's examples.
pub fn face_json(state: &AppState, face: &Face) -> Value {
    let b = fixtures::face_box(face.width, face.height);
    let e = fixtures::eyes(face.width, face.height);
    let mut obj = Map::new();
    obj.insert("id".into(), face.id.clone().into());
    if let Some(name) = &face.friendly_name {
        obj.insert("friendlyName".into(), name.clone().into());
    }
    obj.insert("digest".into(), face.digest.clone().into());
    obj.insert("mode".into(), FACE_MODE.into());
    obj.insert("imageType".into(), face.image_type.clone().into());
    obj.insert("quality".into(), fixtures::quality(&face.digest).into());
    obj.insert(
        "landmarks".into(),
        json!({
            "eyes": {"x1": e.x1, "y1": e.y1, "x2": e.x2, "y2": e.y2},
            "box": {
                "x": b.x as i64,
                "y": b.y as i64,
                "width": b.width as i64,
                "height": b.height as i64,
            },
        }),
    );
    obj.insert("created".into(), super::rfc3339(face.created).into());
    obj.insert("expires".into(), super::expires(state, face.created).into());
    Value::Object(obj)
}
