//! Reading a policy from TOML or JSON text or a file. Parsing is strict (unknown fields
//! are errors, so a typo never silently disables a rule) and every error names the
//! field it is about, or its line and column.

use std::path::Path;

use super::{Policy, PolicyError};

/// The policy compiled into the binary, used when nothing else is configured.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../../policies/default.toml");

impl Policy {
    /// The embedded default policy.
    pub fn embedded_default() -> Self {
        Self::from_toml(DEFAULT_POLICY_TOML).expect("the embedded default policy parses")
    }

    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, "", &e))?;
        serde_path_to_error::deserialize(de)
            .map_err(|e| toml_error(text, &e.path().to_string(), e.inner()))
    }

    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let inner = e.inner();
            PolicyError::invalid(
                field_or_location(&e.path().to_string(), inner.line(), inner.column()),
                strip_location(&inner.to_string()),
            )
        })
    }

    /// Parses inline policy text: JSON when it starts with `{`, TOML otherwise.
    pub fn from_inline(text: &str) -> Result<Self, PolicyError> {
        if text.trim_start().starts_with('{') {
            Self::from_json(text)
        } else {
            Self::from_toml(text)
        }
    }

    /// Reads a policy file: JSON for `.json`, TOML otherwise. Relative `file` paths in
    /// its rules resolve against the file's folder.
    pub fn from_path(path: &Path) -> Result<Self, PolicyError> {
        let text = super::files::read_text(path).map_err(|e| PolicyError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let mut policy = if is_json {
            Self::from_json(&text)
        } else {
            Self::from_toml(&text)
        }
        .map_err(|e| e.in_file(path))?;
        policy.base_dir = path.parent().map(Path::to_path_buf);
        Ok(policy)
    }
}

fn toml_error(text: &str, path: &str, e: &toml::de::Error) -> PolicyError {
    let (line, column) = e
        .span()
        .map_or((0, 0), |span| line_column(text, span.start));
    PolicyError::invalid(
        field_or_location(path, line, column),
        e.message().trim().replace('\n', " "),
    )
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// The field path when serde knows it, else the line and column.
fn field_or_location(path: &str, line: usize, column: usize) -> String {
    if path.is_empty() || path == "." {
        format!("line {line}, column {column}")
    } else {
        path.to_owned()
    }
}

/// serde_json appends " at line L column C"; the field path says more.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::OnError;

    #[test]
    fn unknown_fields_name_their_path() {
        let err = Policy::from_toml(
            "[defaults]\n[[defaults.rules]]\nid = \"x\"\nkind = \"terms\"\nactoin = \"deny\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("defaults.rules[0]"), "{err}");
        assert!(err.contains("actoin"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn bad_enum_values_name_the_field() {
        let err = Policy::from_json(
            r#"{"defaults":{"rules":[{"id":"x","kind":"terms","action":"block"}]}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("defaults.rules[0].action"), "{err}");
        assert!(err.contains("block"), "{err}");
    }

    #[test]
    fn syntax_errors_give_a_line() {
        let err = Policy::from_toml("on_error = \"deny\"\n[defaults\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn inline_detects_json() {
        let p = Policy::from_inline(r#" {"on_error":"allow"}"#).unwrap();
        assert_eq!(p.on_error, OnError::Allow);
        let p = Policy::from_inline("on_error = \"allow\"").unwrap();
        assert_eq!(p.on_error, OnError::Allow);
    }
}
