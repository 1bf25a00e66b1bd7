//! Reading FHIR JSON elements with the path of each, so an error names its field.

use serde_json::Value;
use time::OffsetDateTime;

use super::outcome::Invalid;

/// Path of a child element.
#[must_use]
pub fn child(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

/// Path of an array item.
#[must_use]
pub fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// An optional string element; present but not a non-empty string is an error.
pub fn opt_str<'a>(parent: &'a Value, path: &str, name: &str) -> Result<Option<&'a str>, Invalid> {
    match parent.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.trim())),
        Some(_) => Err(Invalid::new(
            child(path, name),
            "must be a non-empty string",
        )),
    }
}

/// A required string element.
pub fn req_str<'a>(parent: &'a Value, path: &str, name: &str) -> Result<&'a str, Invalid> {
    opt_str(parent, path, name)?.ok_or_else(|| Invalid::new(child(path, name), "is required"))
}

/// An optional array element (absent = empty); present but not an array is an error.
pub fn array<'a>(parent: &'a Value, path: &str, name: &str) -> Result<&'a [Value], Invalid> {
    match parent.get(name) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(Invalid::new(child(path, name), "must be an array")),
    }
}

/// An optional array of `CodeableConcept`s (each must be an object).
pub fn concepts<'a>(parent: &'a Value, path: &str, name: &str) -> Result<&'a [Value], Invalid> {
    let items = array(parent, path, name)?;
    if let Some(index) = items.iter().position(|concept| !concept.is_object()) {
        return Err(Invalid::new(
            item(&child(path, name), index),
            "must be a CodeableConcept",
        ));
    }
    Ok(items)
}

/// An optional object element.
pub fn object<'a>(parent: &'a Value, path: &str, name: &str) -> Result<Option<&'a Value>, Invalid> {
    match parent.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value @ Value::Object(_)) => Ok(Some(value)),
        Some(_) => Err(Invalid::new(child(path, name), "must be an object")),
    }
}

/// An optional boolean element.
pub fn opt_bool(parent: &Value, path: &str, name: &str) -> Result<Option<bool>, Invalid> {
    match parent.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Invalid::new(child(path, name), "must be true or false")),
    }
}

/// An `instant`/`dateTime` with a time and zone, truncated to milliseconds (the log's
/// precision). A date alone is not precise enough for an access.
pub fn instant(
    parent: &Value,
    path: &str,
    name: &str,
    required: bool,
) -> Result<Option<OffsetDateTime>, Invalid> {
    let Some(text) = opt_str(parent, path, name)? else {
        return if required {
            Err(Invalid::new(child(path, name), "is required"))
        } else {
            Ok(None)
        };
    };
    parse_instant(text, &child(path, name)).map(Some)
}

/// A date and time with a zone (`instant`/`dateTime` text, or a query parameter), truncated
/// to milliseconds; `path` names it in the refusal.
pub fn parse_instant(text: &str, path: &str) -> Result<OffsetDateTime, Invalid> {
    let parsed: jiff::Timestamp = text.parse().map_err(|_| {
        Invalid::new(
            path,
            "must be a date and time with a zone, like 2026-11-20T08:15:00+08:00",
        )
    })?;
    let ms = i128::from(parsed.as_millisecond());
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000)
        .map_err(|_| Invalid::new(path, "is out of range"))
}

/// A FHIR `instant` to send: UTC, to the second.
#[must_use]
pub fn instant_text(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The parameters of a query string, decoded, in order.
#[must_use]
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// The codes of a `CodeableConcept` (or a bare `Coding`), with their systems and the text.
pub fn codings(concept: &Value) -> Vec<(Option<&str>, &str)> {
    let mut out = Vec::new();
    if let Some(code) = concept.get("code").and_then(Value::as_str) {
        out.push((concept.get("system").and_then(Value::as_str), code));
    }
    if let Some(list) = concept.get("coding").and_then(Value::as_array) {
        for coding in list {
            if let Some(code) = coding.get("code").and_then(Value::as_str) {
                out.push((coding.get("system").and_then(Value::as_str), code));
            }
        }
    }
    out
}

/// Human text of a `CodeableConcept`: its `text`, else the first coding's `display`.
pub fn concept_text(concept: &Value) -> Option<String> {
    concept
        .get("text")
        .and_then(Value::as_str)
        .or_else(|| concept.get("display").and_then(Value::as_str))
        .or_else(|| {
            concept
                .get("coding")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter()
                        .find_map(|c| c.get("display").and_then(Value::as_str))
                })
        })
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// The `identifier.value` of a `Reference`, else the id in its `reference`
/// (`Patient/123` → `123`).
pub fn reference_key(reference: &Value) -> Option<String> {
    reference
        .get("identifier")
        .and_then(|identifier| identifier.get("value"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            reference
                .get("reference")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit_once('/'))
                .map(|(_, id)| id.trim().to_owned())
                .filter(|id| !id.is_empty())
        })
}

/// The resource type named in a `Reference` (`Patient/123` → `Patient`), or its `type`.
pub fn reference_type(reference: &Value) -> Option<&str> {
    reference
        .get("reference")
        .and_then(Value::as_str)
        .and_then(|r| r.split('/').rev().nth(1))
        .or_else(|| {
            reference
                .get("type")
                .and_then(Value::as_str)
                .map(|t| t.rsplit('/').next().unwrap_or(t))
        })
}
