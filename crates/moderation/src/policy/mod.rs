//! The policy an operator writes: its model as plain serde types (this file), reading
//! it from text (`parse`), and checking and compiling it into rules (`compile`,
//! `rules`). What each field means is documented here, where it is declared.

mod compile;
mod error;
mod files;
mod parse;
mod rules;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

pub use crate::detect::{Category, PiiType, Severity};
pub use compile::Escalation;
pub(crate) use compile::{compile, CompiledPolicy, RoomPolicy, Rule};
pub use error::PolicyError;
pub use parse::DEFAULT_POLICY_TOML;

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
    /// Automatic timeouts after repeated denials (enforced by the review handler with
    /// chat-auth's table). `strikes = 0` in a room switches inherited escalation off.
    pub escalation: Option<EscalationSpec>,
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

/// `[defaults.escalation]`: that many denied messages from one sender within the window
/// time the sender out.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSpec {
    /// Denied messages that trigger a timeout (1 to 100; 0 switches escalation off).
    pub strikes: u32,
    /// The window they are counted in, from the first (1 to 1440 minutes).
    pub window_minutes: u32,
    /// How long the timeout lasts (1 to 43200 minutes).
    pub timeout_minutes: u32,
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
    /// Languages of the built-in lexicon the rule covers (ISO 639-1 codes; all when
    /// absent).
    pub languages: Option<Vec<String>>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum RuleKind {
    Profanity,
    Terms,
    Regex,
    Links,
    Pii,
    Spam,
}

impl RuleKind {
    /// The kind as a policy writes it.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// What a matching rule does. Precedence: deny > mask/replace > flag > allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
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
    /// The action as a policy writes it.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_a_policy_writes() {
        let kind: RuleKind = serde_json::from_str("\"profanity\"").unwrap();
        assert_eq!(kind.name(), "profanity");
        let action: Action = serde_json::from_str("\"replace\"").unwrap();
        assert_eq!(action.name(), "replace");
    }
}
