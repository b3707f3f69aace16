//! Configuration from environment variables.

use std::collections::HashMap;

/// A bad configuration value: shown as one line, `VARIABLE: what it expects`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(variable: &'static str, message: impl Into<String>) -> Self {
        ConfigError {
            variable,
            message: message.into(),
        }
    }
}

/// Where configuration variables come from: the process environment, or a fixed list
/// (tests, and tools that pass variables along).
pub struct Env {
    vars: Option<HashMap<String, String>>,
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env { vars: None }
    }

    /// Exactly these variables; a name given twice takes its last value.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Env {
            vars: Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
        }
    }

    /// The variable's value, trimmed; unset and blank are the same.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            None => std::env::var(name).ok(),
            Some(vars) => vars.get(name).cloned(),
        };
        value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// A `true`/`false` (or `1`/`0`) switch, `false` when unset.
    pub fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.get(name).as_deref() {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
            Some(_) => Err(ConfigError::new(name, "expected true or false")),
        }
    }

    /// A comma list, items trimmed, empty items dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_and_blank_is_unset() {
        let env = Env::from_pairs(&[("A", "  x "), ("B", "   "), ("A2", "1"), ("A2", "2")]);
        assert_eq!(env.get("A").as_deref(), Some("x"));
        assert_eq!(env.get("B"), None);
        assert_eq!(env.get("C"), None);
        assert_eq!(env.get("A2").as_deref(), Some("2"), "the last value wins");
    }

    #[test]
    fn flags_and_lists() {
        let env = Env::from_pairs(&[("T", "TRUE"), ("Z", "0"), ("BAD", "yes"), ("L", " a, ,b ,")]);
        assert_eq!(env.flag("T"), Ok(true));
        assert_eq!(env.flag("Z"), Ok(false));
        assert_eq!(env.flag("UNSET"), Ok(false));
        assert_eq!(
            env.flag("BAD").unwrap_err().to_string(),
            "BAD: expected true or false"
        );
        assert_eq!(env.list("L"), ["a", "b"]);
        assert!(env.list("UNSET").is_empty());
    }
}
