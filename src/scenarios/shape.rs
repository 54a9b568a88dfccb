//! The shape check of scenario files, in the author's words.
//!
//! serde stops at the first problem and speaks Rust (`invalid type: map, expected f64`). Authors
//! write JSON, so this module walks the parsed document against the JSON Schema generated from
//! [`super::model`] (the same schema editors get, so the two never disagree) and reports *every*
//! shape problem at once, each with its JSON pointer, the types named as JSON types ("expected a
//! number, found an object"), the field's documented meaning (its schema description), an
//! example, and "did you mean" for misspelt field names and values.

use std::sync::LazyLock;

use serde_json::Value;

/// The scenario schema as a JSON value, generated once.
static SCHEMA: LazyLock<Value> = LazyLock::new(super::schema_value);

/// Every shape problem of a scenario document, as (JSON pointer, message) pairs, in document
/// order. Empty when the document has the shape of a scenario file.
pub fn problems(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(&SCHEMA, doc, &mut Path::default(), None, &mut out);
    out
}

/// Where the walk is: the JSON pointer (for `file:line:column`) and the dotted path (for messages).
#[derive(Default, Clone)]
struct Path {
    pointer: String,
    dotted: String,
}

impl Path {
    fn key(&self, key: &str) -> Path {
        Path {
            pointer: format!(
                "{}/{}",
                self.pointer,
                key.replace('~', "~0").replace('/', "~1")
            ),
            dotted: if self.dotted.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.dotted)
            },
        }
    }

    fn index(&self, i: usize) -> Path {
        Path {
            pointer: format!("{}/{i}", self.pointer),
            dotted: format!("{}[{i}]", self.dotted),
        }
    }

    fn shown(&self) -> &str {
        if self.dotted.is_empty() {
            "the file"
        } else {
            &self.dotted
        }
    }
}

/// Follows `$ref` (one level is all schemars emits) and keeps the outer description.
fn resolve(schema: &Value) -> (&Value, Option<&str>) {
    let outer = schema.get("description").and_then(Value::as_str);
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        if let Some(target) = SCHEMA.get("$defs").and_then(|d| d.get(name)) {
            let inner = target.get("description").and_then(Value::as_str);
            return (target, outer.or(inner));
        }
    }
    (schema, outer)
}

fn walk(
    schema: &Value,
    value: &Value,
    at: &mut Path,
    described: Option<&str>,
    out: &mut Vec<(String, String)>,
) {
    let (schema, own) = resolve(schema);
    let description = described.or(own);
    // `Option<T>` is `anyOf: [T, null]`.
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        if value.is_null() && any.iter().any(|s| s.get("type") == Some(&"null".into())) {
            return;
        }
        if let Some(inner) = any.iter().find(|s| s.get("type") != Some(&"null".into())) {
            walk(inner, value, at, description, out);
        }
        return;
    }
    if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
        one_of(schema, alternatives, value, at, description, out);
        return;
    }
    if let Some(expected) = schema.get("type") {
        if !type_fits(expected, schema, value) {
            out.push((
                at.pointer.clone(),
                format!(
                    "{}: expected {}, found {}.{}",
                    at.shown(),
                    expected_words(expected, schema),
                    found_words(value),
                    explain(schema, description, at)
                ),
            ));
            return;
        }
    }
    match value {
        Value::Object(members) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !members.contains_key(name) {
                        let field = properties.and_then(|p| p.get(name));
                        let child = at.key(name);
                        let what = field.map(|f| explain(f, None, &child)).unwrap_or_default();
                        out.push((
                            at.pointer.clone(),
                            format!("{}: the field `{name}` is missing.{what}", at.shown()),
                        ));
                    }
                }
            }
            let names: Vec<&str> = schema
                .pointer("/propertyNames/enum")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (key, member) in members {
                let mut child = at.key(key);
                if !names.is_empty() && !names.contains(&key.as_str()) {
                    out.push((child.pointer.clone(), unknown_field(at, key, &names)));
                    continue;
                }
                match properties.and_then(|p| p.get(key)) {
                    Some(field) => walk(field, member, &mut child, None, out),
                    None => match additional {
                        Some(Value::Bool(false)) => {
                            let known: Vec<&str> = properties
                                .map(|p| p.keys().map(String::as_str).collect())
                                .unwrap_or_default();
                            out.push((child.pointer.clone(), unknown_field(at, key, &known)));
                        }
                        Some(field) if field.is_object() => {
                            walk(field, member, &mut child, None, out)
                        }
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, element) in items.iter().enumerate() {
                    walk(item, element, &mut at.index(i), None, out);
                }
            }
        }
        _ => {}
    }
}

/// Enums (`oneOf` of constants) and tagged unions (`oneOf` of objects told apart by `type`).
fn one_of(
    schema: &Value,
    alternatives: &[Value],
    value: &Value,
    at: &mut Path,
    description: Option<&str>,
    out: &mut Vec<(String, String)>,
) {
    let consts: Vec<&str> = alternatives
        .iter()
        .filter_map(|a| a.get("const").and_then(Value::as_str))
        .collect();
    if consts.len() == alternatives.len() {
        if value.as_str().is_some_and(|s| consts.contains(&s)) {
            return;
        }
        let listed = consts
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let hint = value
            .as_str()
            .and_then(|s| did_you_mean(s, consts.iter().copied()))
            .map(|s| format!(" Did you mean \"{s}\"?"))
            .unwrap_or_default();
        let found = match value {
            Value::String(s) => format!("\"{s}\""),
            other => found_words(other),
        };
        out.push((
            at.pointer.clone(),
            format!(
                "{}: expected one of {listed}, found {found}.{hint}{}",
                at.shown(),
                explain(schema, description, at)
            ),
        ));
        return;
    }
    // A tagged union: the member `type` picks the alternative.
    let tag_of = |a: &Value| {
        a.pointer("/properties/type/const")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let tags: Vec<String> = alternatives.iter().filter_map(tag_of).collect();
    let listed = tags.join(", ");
    let Some(members) = value.as_object() else {
        out.push((
            at.pointer.clone(),
            format!(
                "{}: expected an object with a \"type\" ({listed}), found {}.{}",
                at.shown(),
                found_words(value),
                explain(schema, description, at)
            ),
        ));
        return;
    };
    let tag = members.get("type");
    let Some(tag_text) = tag.and_then(Value::as_str) else {
        let found = tag.map_or("no \"type\"".to_string(), |t| {
            format!("\"type\" {}", found_words(t))
        });
        out.push((
            at.pointer.clone(),
            format!(
                "{}: a step needs a \"type\", one of {listed}; found {found}. Example: {{\"type\": \"wait\", \"ms\": 500}}",
                at.shown()
            ),
        ));
        return;
    };
    match alternatives
        .iter()
        .find(|a| tag_of(a).as_deref() == Some(tag_text))
    {
        Some(alternative) => walk(alternative, value, at, None, out),
        None => {
            let hint = did_you_mean(tag_text, tags.iter().map(String::as_str))
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            out.push((
                at.key("type").pointer,
                format!(
                    "{}.type: unknown step type \"{tag_text}\": expected one of {listed}.{hint}",
                    at.shown()
                ),
            ));
        }
    }
}

fn unknown_field(at: &Path, key: &str, known: &[&str]) -> String {
    let hint = did_you_mean(key, known.iter().copied())
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default();
    let place = if at.dotted.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in {}", at.dotted)
    };
    let mut listed: Vec<&str> = known.iter().copied().filter(|k| *k != "type").collect();
    listed.sort_unstable();
    format!(
        "unknown field `{key}` {place}.{hint} Known fields: {}.",
        listed.join(", ")
    )
}

/// Whether `value` has one of the schema's JSON types (and, for integers, fits the format).
fn type_fits(expected: &Value, schema: &Value, value: &Value) -> bool {
    let types: Vec<&str> = match expected {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    types.iter().any(|t| match *t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "number" => value.is_number(),
        "integer" => {
            let unsigned = schema
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("uint"));
            let max = match schema.get("format").and_then(Value::as_str) {
                Some("uint16") => u64::from(u16::MAX),
                Some("uint32") => u64::from(u32::MAX),
                _ => u64::MAX,
            };
            match value.as_u64() {
                Some(n) => n <= max,
                None => !unsigned && value.as_i64().is_some(),
            }
        }
        _ => true,
    })
}

fn expected_words(expected: &Value, schema: &Value) -> String {
    let types: Vec<&str> = match expected {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let words: Vec<String> = types
        .iter()
        .filter(|t| **t != "null")
        .map(|t| match *t {
            "boolean" => "true or false".to_string(),
            "string" => "a string".to_string(),
            "object" => "an object".to_string(),
            "array" => "an array".to_string(),
            "number" => "a number".to_string(),
            "integer" => {
                let unsigned = schema
                    .get("format")
                    .and_then(Value::as_str)
                    .is_some_and(|f| f.starts_with("uint"));
                if unsigned {
                    "a whole number (0 or more)".to_string()
                } else {
                    "a whole number".to_string()
                }
            }
            other => other.to_string(),
        })
        .collect();
    if words.is_empty() {
        "null".into()
    } else {
        words.join(" or ")
    }
}

/// A JSON value's kind in words, with the value itself when it is short.
fn found_words(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            if n.as_f64().is_some_and(|f| f.fract() != 0.0) {
                format!("the number {n}, which has a fraction")
            } else if n.as_i64().is_some_and(|i| i < 0) {
                format!("the negative number {n}")
            } else {
                format!("the number {n}, which is too large")
            }
        }
        Value::String(s) if s.chars().count() <= 40 => format!("a string (\"{s}\")"),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// `" <description> Example: <example>"` for a field (empty parts left out).
fn explain(schema: &Value, description: Option<&str>, at: &Path) -> String {
    let mut text = String::new();
    if let Some(d) = description.or_else(|| schema.get("description").and_then(Value::as_str)) {
        // Doc comments keep their line breaks in the schema; a message is one line.
        let one_line = d.split_whitespace().collect::<Vec<_>>().join(" ");
        text.push(' ');
        text.push_str(one_line.trim_end_matches('.'));
        text.push('.');
    }
    if let Some(example) = example_of(schema) {
        let key = at.dotted.rsplit('.').next().unwrap_or_default();
        if key.is_empty() || key.ends_with(']') {
            text.push_str(&format!(" Example: {example}"));
        } else {
            text.push_str(&format!(" Example: \"{key}\": {example}"));
        }
    }
    text
}

/// An example value of a field: its `examples`, else its `default`, else one for its type.
fn example_of(schema: &Value) -> Option<String> {
    let (schema, _) = resolve(schema);
    if let Some(e) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return Some(e.to_string());
    }
    if let Some(d) = schema.get("default") {
        if !d.is_null() && d != &Value::Object(Default::default()) {
            return Some(d.to_string());
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        return any
            .iter()
            .find(|s| s.get("type") != Some(&"null".into()))
            .and_then(example_of);
    }
    if let Some(first) = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        if let Some(c) = first.get("const") {
            return Some(c.to_string());
        }
        return Some("{\"type\": \"wait\", \"ms\": 500}".into());
    }
    let ty = match schema.get("type")? {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null")?,
        _ => return None,
    };
    Some(
        match ty {
            "integer" => "500",
            "number" => "1.5",
            "string" => "\"text\"",
            "boolean" => "true",
            "array" => "[]",
            "object" => "{}",
            _ => return None,
        }
        .to_string(),
    )
}

/// The closest of `candidates` to `wanted` when it is close enough to be a typo (case and the
/// `-`/`_` spelling ignored; at most a third of the letters differ).
///
/// ```
/// use webcapture_emulator::internals::did_you_mean;
///
/// assert_eq!(did_you_mean("spof", ["success", "spoof"]), Some("spoof".into()));
/// assert_eq!(did_you_mean("resutl", ["result", "rest"]), Some("result".into()));
/// assert_eq!(did_you_mean("banana", ["success", "spoof"]), None);
/// ```
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    // Names and fields are short; a long input is no typo (and must not cost quadratic time).
    if wanted.len() > 64 {
        return None;
    }
    let norm = |s: &str| s.to_lowercase().replace(['-', '_'], "");
    let w = norm(wanted);
    let limit = (w.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != wanted && c.len() <= 64)
        .map(|c| (strsim::osa_distance(&w, &norm(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(doc: Value) -> Vec<String> {
        problems(&doc).into_iter().map(|(_, m)| m).collect()
    }

    #[test]
    fn a_valid_document_has_no_shape_problem() {
        assert!(messages(json!({"result": {"age": 17, "livenessStatus": "SPOOF"}})).is_empty());
    }

    #[test]
    fn an_object_where_a_number_belongs_is_named_in_json_terms() {
        let m = messages(json!({"result": {"age": {"aboveThreshold": false}}}));
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("result.age: expected a number, found an object."),
            "{}",
            m[0]
        );
        assert!(m[0].contains("Example: \"age\": 17"), "{}", m[0]);
        assert!(!m[0].contains("f64") && !m[0].contains("map"), "{}", m[0]);
    }

    #[test]
    fn every_problem_is_reported_with_did_you_mean() {
        let m = messages(json!({
            "resutl": {},
            "capture": {"timeline": [{"type": "wiat", "ms": 1}, {"type": "wait", "ms": -1}]},
            "result": {"livenessStatus": "SPOF"}
        }));
        assert_eq!(m.len(), 4, "{m:?}");
        assert!(
            m.iter().any(|p| p.contains("Did you mean `result`?")),
            "{m:?}"
        );
        assert!(
            m.iter().any(|p| p.contains("Did you mean \"wait\"?")),
            "{m:?}"
        );
        assert!(
            m.iter().any(|p| p.contains("Did you mean \"SPOOF\"?")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|p| p
                    .contains("expected a whole number (0 or more), found the negative number -1")),
            "{m:?}"
        );
    }

    #[test]
    fn a_missing_required_field_is_named() {
        let m = messages(json!({"capture": {"timeline": [{"type": "wait"}]}}));
        assert!(m[0].contains("the field `ms` is missing"), "{m:?}");
    }
}
