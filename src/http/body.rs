//! JSON request bodies read without building trees for what the emulator ignores.
//!
//! Why: `serde_json::from_slice::<Value>` turns every member of a body into a tree of maps and
//! vectors (an 8 MiB body of unknown members cost ~310 MB while it was handled). The vendor
//! endpoints read a handful of named members; [`known_members`] keeps only those (as small
//! `Value`s, so the field-by-field validation and its messages stay as they were) and lets the
//! parser skip the rest without allocating.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A body that is not an object is kept whole only up to this size (it only feeds an error
/// message); a larger one becomes a short description.
const MAX_OTHER: usize = 4096;

/// Parses `bytes` as JSON: an object keeps only the members named in `names` (the others are
/// checked for syntax and skipped); any other value is returned as it is when small, else as a
/// string describing it. Errors are serde_json's syntax errors.
///
/// ```
/// use webcapture_emulator::internals::known_members;
///
/// let v = known_members(br#"{"a": 1, "junk": [[1, 2], {"x": 3}]}"#, &["a"]).unwrap();
/// assert_eq!(v, serde_json::json!({"a": 1}));
/// ```
pub fn known_members(bytes: &[u8], names: &[&str]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Known { names, list: false }.deserialize(&mut de)?;
    de.end()?;
    Ok(finish(value, bytes))
}

/// Like [`known_members`] for a body that is an object or an array of objects (each element
/// keeps only the named members).
pub fn known_members_list(bytes: &[u8], names: &[&str]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Known { names, list: true }.deserialize(&mut de)?;
    de.end()?;
    Ok(finish(value, bytes))
}

/// A non-object body, parsed whole now that its syntax is known good (small) or described.
fn finish(value: Option<Value>, bytes: &[u8]) -> Value {
    match value {
        Some(v) => v,
        None if bytes.len() <= MAX_OTHER => serde_json::from_slice(bytes).unwrap_or(Value::Null),
        None => Value::String(format!("a JSON value of {} bytes", bytes.len())),
    }
}

/// The seed: `Some(filtered object or list)`, or `None` for any other value (skipped).
struct Known<'n> {
    names: &'n [&'n str],
    list: bool,
}

impl<'de> DeserializeSeed<'de> for Known<'_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Known<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kept = Map::new();
        while let Some(known) = map.next_key_seed(KeyIndex(self.names))? {
            match known {
                Some(i) => {
                    let value: Value = map.next_value()?;
                    kept.insert(self.names[i].to_string(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Some(Value::Object(kept)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if !self.list {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(None);
        }
        let mut items = Vec::new();
        let element = || Known {
            names: self.names,
            list: false,
        };
        while let Some(item) = seq.next_element_seed(element())? {
            // A non-object element only needs to be reported as such.
            items.push(item.unwrap_or(Value::Null));
        }
        Ok(Some(Value::Array(items)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A member name, read as the index of the name it matches in the list (no allocation).
struct KeyIndex<'n>(&'n [&'n str]);

impl<'de> DeserializeSeed<'de> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|n| *n == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_members_are_skipped_and_known_ones_kept() {
        let v = known_members(
            br#"{"livenessMode": "LIVENESS_PASSIVE", "x": {"deep": [1, 2, {"y": null}]}, "n": 2}"#,
            &["livenessMode", "n"],
        )
        .unwrap();
        assert_eq!(v, json!({"livenessMode": "LIVENESS_PASSIVE", "n": 2}));
    }

    #[test]
    fn other_values_and_lists_are_reported_as_they_are() {
        assert_eq!(known_members(b"[1, 2]", &["a"]).unwrap(), json!([1, 2]));
        assert_eq!(known_members(b"\"s\"", &["a"]).unwrap(), json!("s"));
        assert_eq!(
            known_members_list(br#"[{"a": 1, "b": 2}, 3]"#, &["a"]).unwrap(),
            json!([{"a": 1}, null])
        );
        assert!(known_members(b"{\"a\": 1", &["a"]).is_err());
        assert!(known_members(b"{} trailing", &["a"]).is_err());
    }
}
