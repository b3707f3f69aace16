//! Configuration from the environment, read once at start-up.

use std::path::PathBuf;
use std::time::Duration;

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
    /// chat-auth's table of bans and timeouts, when enforced here.
    pub state: Option<StateSettings>,
}

/// Where bans and timeouts are looked up, and how long a lookup may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSettings {
    pub table: String,
    /// How long a lookup may take before the content verdict alone stands.
    pub deadline: Duration,
    /// How long an answer is reused for the same sender.
    pub cache_for: Duration,
}

impl StateSettings {
    /// Reads `TABLE_NAME`, `STATE_DEADLINE_MS` (default 50) and `STATE_CACHE_MS`
    /// (default 500); `None` without a table.
    fn from_env(env: &Env) -> Result<Option<StateSettings>, ConfigError> {
        let Some(table) = env.get("TABLE_NAME") else {
            return Ok(None);
        };
        let millis =
            |variable: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| match env
                .get(variable)
            {
                None => Ok(Duration::from_millis(default)),
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if range.contains(&n) => Ok(Duration::from_millis(n)),
                    _ => Err(ConfigError::new(
                        variable,
                        format!(
                            "expected milliseconds from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    )),
                },
            };
        Ok(Some(StateSettings {
            table,
            deadline: millis("STATE_DEADLINE_MS", 50, 1..=150)?,
            cache_for: millis("STATE_CACHE_MS", 500, 0..=60_000)?,
        }))
    }
}

impl Config {
    /// Reads `POLICY_FILE`, `POLICY`, `LOG_CONTENT` and the state settings.
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
            state: StateSettings::from_env(env)?,
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
        assert_eq!(c.state, None, "no table: no lookups");
        let state = from(&[("TABLE_NAME", "chat-state")])
            .unwrap()
            .state
            .unwrap();
        assert_eq!(state.deadline, Duration::from_millis(50));
        assert_eq!(state.cache_for, Duration::from_millis(500));
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
        let e = from(&[("TABLE_NAME", "t"), ("STATE_DEADLINE_MS", "500")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "STATE_DEADLINE_MS: expected milliseconds from 1 to 150"
        );
        let e = from(&[("LOG_CONTENT", "yes")]).unwrap_err();
        assert_eq!(e.to_string(), "LOG_CONTENT: expected true or false");
    }
}
