//! JSON merge patch (RFC 7396), the one way scenario files alter a JSON body.
//!
//! Scenario files override vendor answers (`rest.<endpoint>.patch`) and tracking frames
//! (`faceTracking.with`) with a partial body; merge patch is the standard that lets them change
//! one member, add one, or remove one with `null`, without a file having to repeat the rest.

use serde_json::{json, Value};

/// Applies `patch` onto `target` (RFC 7396 §2).
///
/// ```
/// use serde_json::json;
/// use webcapture_emulator::internals::merge;
///
/// let mut body = json!({"livenessStatus": "SUCCESS", "diagnostic": "ok", "score": 3000});
/// merge(&mut body, &json!({"livenessStatus": "SPOOF", "diagnostic": null}));
/// assert_eq!(body, json!({"livenessStatus": "SPOOF", "score": 3000}));
/// ```
pub fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}
