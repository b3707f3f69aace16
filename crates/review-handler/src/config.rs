//! Configuration from the environment, read once at start-up.

use std::path::PathBuf;

use lambda_setup::config::{ConfigError, Env};
use moderation::{Engine, Policy, PolicyError};

/// Where the policy came from, for the start-up log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    File(PathBuf),
    Inline,
    Embedded,
}

impl std::fmt::Display for PolicySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicySource::File(p) => write!(f, "file {}", p.display()),
            PolicySource::Inline => f.write_str("POLICY"),
            PolicySource::Embedded => f.write_str("embedded default"),
        }
    }
}

/// Everything the handler needs, ready to serve.
#[derive(Debug)]
pub struct Config {
    pub engine: Engine,
    pub source: PolicySource,
    /// Whether logs may carry message text (`LOG_CONTENT=true`).
    pub log_content: bool,
}

impl Config {
    /// Reads `POLICY_FILE`, `POLICY` and `LOG_CONTENT`.
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let file = env.get("POLICY_FILE");
        let inline = env.get("POLICY");
        let (policy, source) = match (file, inline) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "POLICY",
                    "set either POLICY_FILE or POLICY, not both",
                ))
            }
            (Some(path), None) => {
                let path = PathBuf::from(path);
                let policy =
                    Policy::from_path(&path).map_err(|e| policy_error("POLICY_FILE", e))?;
                (policy, PolicySource::File(path))
            }
            (None, Some(text)) => (
                Policy::from_inline(&text).map_err(|e| policy_error("POLICY", e))?,
                PolicySource::Inline,
            ),
            (None, None) => (Policy::embedded_default(), PolicySource::Embedded),
        };
        let variable = match source {
            PolicySource::File(_) => "POLICY_FILE",
            PolicySource::Inline => "POLICY",
            PolicySource::Embedded => "(embedded policy)",
        };
        let engine = Engine::compile(&policy).map_err(|e| policy_error(variable, e))?;
        Ok(Config {
            engine,
            source,
            log_content: env.flag("LOG_CONTENT")?,
        })
    }
}

fn policy_error(variable: &'static str, e: PolicyError) -> ConfigError {
    ConfigError::new(variable, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_env(&Env::from_pairs(vars))
    }

    #[test]
    fn defaults_to_the_embedded_policy() {
        let c = from(&[]).unwrap();
        assert_eq!(c.source, PolicySource::Embedded);
        assert!(!c.log_content);
    }

    #[test]
    fn inline_policy_in_toml_or_json() {
        assert_eq!(
            from(&[("POLICY", "on_error = \"allow\"")]).unwrap().source,
            PolicySource::Inline
        );
        assert_eq!(
            from(&[("POLICY", "{}")]).unwrap().source,
            PolicySource::Inline
        );
    }

    #[test]
    fn errors_name_the_variable() {
        let e = from(&[("POLICY", "[[defaults.rules]]\nid = 1")]).unwrap_err();
        assert_eq!(e.variable, "POLICY");
        assert!(
            e.to_string()
                .starts_with("POLICY: invalid policy: defaults.rules[0].id"),
            "{e}"
        );
        let e = from(&[("POLICY_FILE", "/nonexistent.toml")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("POLICY_FILE: cannot read policy file /nonexistent.toml"),
            "{e}"
        );
        let e = from(&[("POLICY_FILE", "a"), ("POLICY", "b")]).unwrap_err();
        assert_eq!(e.variable, "POLICY");
        let e = from(&[("LOG_CONTENT", "yes")]).unwrap_err();
        assert_eq!(e.to_string(), "LOG_CONTENT: expected true or false");
    }
}
