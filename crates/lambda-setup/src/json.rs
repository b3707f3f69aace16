//! Reading fields of untrusted JSON. Errors name the field by its path and the JSON
//! type found, never the value: values are user data (message text, names), and
//! serde's own messages quote them.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde_json::{Map, Value};

/// "a string", "an object", ...: the type of `v`, for messages like
/// `Content: expected a string, got a number`.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A field that is missing or of the wrong kind: shown as `field: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The fields of one JSON object, named in errors by their path (`Sender.UserId`).
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Fields<'a> {
    /// The fields of `map`, whose path is `path` (empty at the top, else ending in `.`).
    pub fn new(map: &'a Map<String, Value>, path: &'a str) -> Self {
        Fields { map, path }
    }

    /// The raw value of a field.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// The path of a field, for error messages.
    pub fn name(&self, key: &str) -> String {
        format!("{}{key}", self.path)
    }

    pub fn error(&self, key: &str, message: impl Into<String>) -> FieldError {
        FieldError::new(self.name(key), message)
    }

    fn wrong_type(&self, key: &str, expected: &str, got: &Value) -> FieldError {
        self.error(key, format!("expected {expected}, got {}", json_type(got)))
    }

    /// A string field; missing and null are `None`.
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, FieldError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    /// A string field that must be present.
    pub fn required_str(&self, key: &str) -> Result<&'a str, FieldError> {
        self.str(key)?.ok_or_else(|| self.error(key, "missing"))
    }

    /// A string field whose length in characters lies in `range`; missing, null and
    /// empty are `None`.
    pub fn bounded(
        &self,
        key: &str,
        range: RangeInclusive<usize>,
    ) -> Result<Option<&'a str>, FieldError> {
        let Some(s) = self.str(key)?.filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let n = s.chars().count();
        if !range.contains(&n) {
            return Err(self.error(
                key,
                format!(
                    "must be {} to {} characters, got {n}",
                    range.start(),
                    range.end()
                ),
            ));
        }
        Ok(Some(s))
    }

    /// A string field that must be one of `allowed`; missing, null and empty are `None`.
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<&'a str>, FieldError> {
        match self.str(key)?.filter(|s| !s.is_empty()) {
            Some(v) if !allowed.contains(&v) => {
                Err(self.error(key, format!("must be one of {}", allowed.join(", "))))
            }
            other => Ok(other),
        }
    }

    /// An object field; missing and null are `None`.
    pub fn object(&self, key: &str) -> Result<Option<&'a Map<String, Value>>, FieldError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(self.wrong_type(key, "an object", other)),
        }
    }

    /// An object of strings; missing and null are empty.
    pub fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, FieldError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(BTreeMap::new()),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    other => Err(self.error(
                        key,
                        format!("values must be strings, got {}", json_type(other)),
                    )),
                })
                .collect(),
            Some(other) => Err(self.wrong_type(key, "an object of strings", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: &Value) -> Fields<'_> {
        Fields::new(value.as_object().unwrap(), "Top.")
    }

    #[test]
    fn names_every_type() {
        let names: Vec<&str> = [
            json!(null),
            json!(true),
            json!(1),
            json!("x"),
            json!([]),
            json!({}),
        ]
        .iter()
        .map(json_type)
        .collect();
        assert_eq!(
            names,
            [
                "null",
                "a boolean",
                "a number",
                "a string",
                "an array",
                "an object"
            ]
        );
    }

    #[test]
    fn errors_name_the_field_and_type_never_the_value() {
        let v = json!({"n": 12345, "o": {"k": {"secret": "text"}}, "s": "secret text"});
        let f = fields(&v);
        assert_eq!(
            f.str("n").unwrap_err().to_string(),
            "Top.n: expected a string, got a number"
        );
        assert_eq!(
            f.required_str("x").unwrap_err().to_string(),
            "Top.x: missing"
        );
        assert_eq!(
            f.string_map("o").unwrap_err().to_string(),
            "Top.o: values must be strings, got an object"
        );
        assert_eq!(
            f.string_map("s").unwrap_err().to_string(),
            "Top.s: expected an object of strings, got a string"
        );
        assert_eq!(
            f.object("s").unwrap_err().to_string(),
            "Top.s: expected an object, got a string"
        );
    }

    #[test]
    fn optional_fields() {
        let v = json!({"null": null, "empty": "", "t": "plain", "long": "ééé"});
        let f = fields(&v);
        assert_eq!(f.str("null").unwrap(), None);
        assert_eq!(f.str("empty").unwrap(), Some(""));
        assert_eq!(f.bounded("empty", 1..=2).unwrap(), None);
        assert_eq!(
            f.bounded("long", 1..=3).unwrap(),
            Some("ééé"),
            "characters, not bytes"
        );
        assert_eq!(
            f.bounded("long", 1..=2).unwrap_err().to_string(),
            "Top.long: must be 1 to 2 characters, got 3"
        );
        assert_eq!(
            f.one_of("t", &["a", "b"]).unwrap_err().to_string(),
            "Top.t: must be one of a, b"
        );
        assert!(f.string_map("missing").unwrap().is_empty());
    }
}
