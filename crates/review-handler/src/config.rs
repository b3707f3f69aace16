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
    /// Where live policy versions come from (AWS AppConfig), when configured.
    pub live: Option<LiveSettings>,
}

/// The AppConfig configuration the live policy is read from, through the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSettings {
    /// `/applications/A/environments/E/configurations/P` on the extension.
    pub path: String,
    /// The extension's port (`AWS_APPCONFIG_EXTENSION_HTTP_PORT`, default 2772).
    pub port: u16,
    /// How often an invocation asks the extension for a new version.
    pub refresh: Duration,
    /// How long a review waits for a due check before it goes on with the current
    /// policy.
    pub wait: Duration,
}

impl LiveSettings {
    /// Reads `APPCONFIG_APPLICATION`, `APPCONFIG_ENVIRONMENT` and `APPCONFIG_PROFILE`
    /// (all three, or none: `None`), `POLICY_REFRESH_SECONDS` (default 15),
    /// `POLICY_WAIT_MS` (default 20) and `AWS_APPCONFIG_EXTENSION_HTTP_PORT`.
    fn from_env(env: &Env) -> Result<Option<LiveSettings>, ConfigError> {
        const NAMES: [&str; 3] = [
            "APPCONFIG_APPLICATION",
            "APPCONFIG_ENVIRONMENT",
            "APPCONFIG_PROFILE",
        ];
        let parts: Vec<Option<String>> = NAMES.iter().map(|n| env.get(n)).collect();
        let [Some(application), Some(environment), Some(profile)] = &parts[..] else {
            return match NAMES.iter().zip(&parts).find(|(_, v)| v.is_none()) {
                Some((missing, _)) if parts.iter().any(Option::is_some) => Err(ConfigError::new(
                    missing,
                    "needed with the other APPCONFIG_ variables (application, environment and profile)",
                )),
                _ => Ok(None),
            };
        };
        for (name, part) in NAMES.iter().zip([application, environment, profile]) {
            if !part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(ConfigError::new(
                    name,
                    "expected an AppConfig ID or name (letters, digits, - _ .)",
                ));
            }
        }
        Ok(Some(LiveSettings {
            path: format!(
                "/applications/{application}/environments/{environment}/configurations/{profile}"
            ),
            port: number(env, "AWS_APPCONFIG_EXTENSION_HTTP_PORT", 2772, 1..=65535)? as u16,
            refresh: Duration::from_secs(number(env, "POLICY_REFRESH_SECONDS", 15, 1..=300)?),
            wait: Duration::from_millis(number(env, "POLICY_WAIT_MS", 20, 0..=150)?),
        }))
    }
}

/// A whole number from `range`, or `default` when the variable is unset.
fn number(
    env: &Env,
    variable: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    match env.get(variable) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::new(
                variable,
                format!(
                    "expected a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )),
        },
    }
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
        Ok(Some(StateSettings {
            table,
            deadline: Duration::from_millis(number(env, "STATE_DEADLINE_MS", 50, 1..=150)?),
            cache_for: Duration::from_millis(number(env, "STATE_CACHE_MS", 500, 0..=60_000)?),
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
            live: LiveSettings::from_env(env)?,
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
            "STATE_DEADLINE_MS: expected a whole number from 1 to 150"
        );
        let e = from(&[("LOG_CONTENT", "yes")]).unwrap_err();
        assert_eq!(e.to_string(), "LOG_CONTENT: expected true or false");
    }

    #[test]
    fn live_policy_needs_all_three_appconfig_names() {
        assert_eq!(from(&[]).unwrap().live, None);
        let all = [
            ("APPCONFIG_APPLICATION", "app1"),
            ("APPCONFIG_ENVIRONMENT", "env2"),
            ("APPCONFIG_PROFILE", "prof3"),
        ];
        let live = from(&all).unwrap().live.unwrap();
        assert_eq!(
            live.path,
            "/applications/app1/environments/env2/configurations/prof3"
        );
        assert_eq!(
            (live.port, live.refresh, live.wait),
            (2772, Duration::from_secs(15), Duration::from_millis(20))
        );
        let e = from(&all[..2]).unwrap_err();
        assert_eq!(e.variable, "APPCONFIG_PROFILE");
        let e = from(&[("APPCONFIG_PROFILE", "p")]).unwrap_err();
        assert_eq!(e.variable, "APPCONFIG_APPLICATION");
        let mut bad = all.to_vec();
        bad.push(("APPCONFIG_ENVIRONMENT", "../../x"));
        assert_eq!(from(&bad).unwrap_err().variable, "APPCONFIG_ENVIRONMENT");
        bad.pop();
        bad.push(("POLICY_REFRESH_SECONDS", "0"));
        assert_eq!(
            from(&bad).unwrap_err().to_string(),
            "POLICY_REFRESH_SECONDS: expected a whole number from 1 to 300"
        );
    }
}
