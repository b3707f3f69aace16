//! The policy file an operator writes, in TOML or JSON, as plain serde types.
//!
//! Parsing is strict (unknown fields are errors, so a typo never silently disables a
//! rule) and every error names the field it is about. Checking what the fields mean
//! happens when the policy is compiled (`Engine::compile`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::PolicyError;

/// A whole policy file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version; only 1 exists.
    pub version: Option<u32>,
    /// Verdict for an event that cannot be reviewed (malformed, wrong types).
    #[serde(default)]
    pub on_error: OnError,
    /// `Reason` sent when `on_error = "deny"` applies.
    pub error_reason: Option<String>,
    /// Settings and rules for every room.
    #[serde(default)]
    pub defaults: Settings,
    /// Overrides keyed by room ARN (or by the room id at the end of the ARN).
    #[serde(default)]
    pub rooms: BTreeMap<String, Settings>,
    /// Folder that relative `file` paths in rules resolve against.
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    Allow,
    #[default]
    Deny,
}

/// Settings of `defaults` or of one room. In a room, every setting given replaces the
/// default one; `rules` with a known id replace that rule, new ids are appended, and
/// `disable` lists inherited rule ids to switch off.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub exempt_roles: Option<Vec<String>>,
    pub role_attribute: Option<String>,
    pub blocked_users: Option<Vec<String>>,
    pub blocked_reason: Option<String>,
    pub mask_char: Option<char>,
    pub flag_attribute: Option<String>,
    pub rewrite_attribute: Option<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

/// One rule as written. Which optional fields apply depends on `kind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub kind: RuleKind,
    pub action: Action,
    pub reason: Option<String>,
    pub replacement: Option<String>,
    // profanity
    pub severity: Option<Severity>,
    pub categories: Option<Vec<Category>>,
    // terms
    pub terms: Option<Vec<String>>,
    pub file: Option<String>,
    // regex
    pub pattern: Option<String>,
    pub case_sensitive: Option<bool>,
    // links
    pub allow_domains: Option<Vec<String>>,
    // pii
    pub types: Option<Vec<PiiType>>,
    // spam
    pub max_length: Option<usize>,
    pub max_caps_ratio: Option<f64>,
    pub min_letters: Option<usize>,
    pub max_repeat: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Profanity,
    Terms,
    Regex,
    Links,
    Pii,
    Spam,
}

impl RuleKind {
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Profanity => "profanity",
            RuleKind::Terms => "terms",
            RuleKind::Regex => "regex",
            RuleKind::Links => "links",
            RuleKind::Pii => "pii",
            RuleKind::Spam => "spam",
        }
    }
}

/// What a matching rule does. Precedence: deny > mask/replace > flag > allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Record the match only (shown by `--explain`); changes nothing.
    Allow,
    Deny,
    /// Replace each offending character with the mask character.
    Mask,
    /// Replace each offending span with `replacement`.
    Replace,
    /// Keep the message as it is and name the rule in the flag attribute.
    Flag,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Deny => "deny",
            Action::Mask => "mask",
            Action::Replace => "replace",
            Action::Flag => "flag",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Mild,
    Moderate,
    Strong,
    Severe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Profanity,
    Sexual,
    Insult,
    Slur,
    Harassment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PiiType {
    Email,
    Phone,
    Card,
}

/// The policy compiled into the binary, used when nothing else is configured.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../policies/default.toml");

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
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Io {
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

    #[test]
    fn embedded_default_parses() {
        let p = Policy::embedded_default();
        assert!(!p.defaults.rules.is_empty());
    }

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
