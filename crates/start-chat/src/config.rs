//! Server-side configuration from the environment, read once at start-up. A bad value
//! stops init with one line that names the variable and what it expects.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use lambda_setup::config::{ConfigError, Env};
use lambda_setup::cors::Origins;

use lambda_setup::metrics::Metrics;

use crate::resume::{TicketKey, MIN_SECRET_BYTES};

fn error(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(variable, message)
}

/// Everything the handler needs to know about the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The Connect instance every chat starts in.
    pub instance_id: String,
    /// The flow used when the client names none.
    pub default_flow: Option<String>,
    /// Flows a client may choose (the default flow included), by their lowercase
    /// spelling, each to the spelling configured (which is what Connect is sent).
    pub allowed_flows: BTreeMap<String, String>,
    pub origins: Origins,
    /// Client attribute keys forwarded to Connect (besides `customerName`).
    pub attribute_keys: BTreeSet<String>,
    pub attachments_enabled: bool,
    pub default_duration: Option<i32>,
    /// Resume tickets, when persistent chat is on (`PERSISTENT_CHAT=true`); without
    /// them, `PersistentChat` and `RelatedContactId` are never forwarded.
    pub resume: Option<TicketKey>,
    /// Requests by status and Connect's latency (`METRICS_NAMESPACE`).
    pub metrics: Metrics,
}

/// Chat duration limits of Connect, in minutes.
pub const DURATION_RANGE: std::ops::RangeInclusive<i64> = 60..=10080;

impl Config {
    /// Reads the variables.
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let get = |name: &str| env.get(name);

        let instance_id = get("INSTANCE_ID").ok_or_else(|| {
            error(
                "INSTANCE_ID",
                "required: the Amazon Connect instance ID (a UUID)",
            )
        })?;
        check_uuid("INSTANCE_ID", &instance_id)?;

        let default_flow = get("CONTACT_FLOW_ID");
        if let Some(flow) = &default_flow {
            check_uuid("CONTACT_FLOW_ID", flow)?;
        }
        let mut allowed_flows = BTreeMap::new();
        for flow in env.list("ALLOWED_CONTACT_FLOW_IDS") {
            check_uuid("ALLOWED_CONTACT_FLOW_IDS", &flow)?;
            allowed_flows.insert(flow.to_ascii_lowercase(), flow);
        }
        match &default_flow {
            Some(flow) => {
                allowed_flows.insert(flow.to_ascii_lowercase(), flow.clone());
            }
            None if allowed_flows.is_empty() => {
                return Err(error(
                    "CONTACT_FLOW_ID",
                    "required unless ALLOWED_CONTACT_FLOW_IDS lists the flows clients may choose",
                ))
            }
            None => {}
        }

        let origins = Origins::from_env(env, "ALLOWED_ORIGINS")?;

        let mut attribute_keys = BTreeSet::new();
        for key in env.list("ALLOWED_ATTRIBUTE_KEYS") {
            if !valid_attribute_key(&key) {
                return Err(error(
                    "ALLOWED_ATTRIBUTE_KEYS",
                    format!(
                        "{key:?} is not a valid key: use letters, digits, '-' and '_' (1 to 127)"
                    ),
                ));
            }
            attribute_keys.insert(key);
        }

        let attachments_enabled = env.flag("ATTACHMENTS_ENABLED")?;

        let default_duration = match get("DEFAULT_CHAT_DURATION_MINUTES") {
            None => None,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if DURATION_RANGE.contains(&n) => Some(n as i32),
                _ => {
                    return Err(error(
                        "DEFAULT_CHAT_DURATION_MINUTES",
                        "expected a whole number of minutes from 60 to 10080",
                    ))
                }
            },
        };

        let resume = if env.flag("PERSISTENT_CHAT")? {
            Some(resume_key(
                get("RESUME_TICKET_SECRET"),
                get("RESUME_TICKET_TTL_HOURS"),
            )?)
        } else {
            None
        };

        Ok(Config {
            instance_id,
            default_flow,
            allowed_flows,
            origins,
            attribute_keys,
            attachments_enabled,
            default_duration,
            resume,
            metrics: Metrics::from_env(env),
        })
    }
}

/// Hours a resume ticket stays valid, by default and at most.
const TICKET_HOURS: (u64, std::ops::RangeInclusive<u64>) = (168, 1..=720);

fn resume_key(secret: Option<String>, hours: Option<String>) -> Result<TicketKey, ConfigError> {
    let secret = secret.filter(|s| s.len() >= MIN_SECRET_BYTES).ok_or_else(|| {
        error(
            "RESUME_TICKET_SECRET",
            format!("required with PERSISTENT_CHAT=true: a random secret of at least {MIN_SECRET_BYTES} characters"),
        )
    })?;
    let hours = match hours {
        None => TICKET_HOURS.0,
        Some(v) => v
            .parse()
            .ok()
            .filter(|h| TICKET_HOURS.1.contains(h))
            .ok_or_else(|| {
                error(
                    "RESUME_TICKET_TTL_HOURS",
                    "expected a whole number of hours from 1 to 720",
                )
            })?,
    };
    Ok(TicketKey::new(
        secret.as_bytes(),
        Duration::from_secs(hours * 3600),
    ))
}

/// Connect instance and flow ids are UUIDs, written with hyphens.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

fn check_uuid(variable: &'static str, value: &str) -> Result<(), ConfigError> {
    if is_uuid(value) {
        Ok(())
    } else {
        Err(error(
            variable,
            format!("{value:?} is not an ID like 12345678-90ab-cdef-1234-567890abcdef"),
        ))
    }
}

/// `scheme://host[:port]`, lowercased, without a trailing slash.
/// `null` is what browsers send from pages opened as files (`file://`) and from
/// sandboxed frames; it is allowed only when listed by name.
/// Connect attribute keys: letters, digits, `-` and `_`.
pub fn valid_attribute_key(key: &str) -> bool {
    (1..=127).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
    const FLOW: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("INSTANCE_ID", INSTANCE),
            ("CONTACT_FLOW_ID", FLOW),
            ("ALLOWED_ORIGINS", "https://shop.example.com"),
        ];
        all.extend_from_slice(vars);
        Config::from_env(&Env::from_pairs(&all))
    }

    #[test]
    fn minimal_configuration() {
        let c = from(&[]).unwrap();
        assert_eq!(c.instance_id, INSTANCE);
        assert_eq!(c.allowed_flows.len(), 1);
        assert!(!c.attachments_enabled);
        assert_eq!(c.default_duration, None);
        assert_eq!(
            c.origins.allow("https://SHOP.example.com/"),
            Some("https://SHOP.example.com/".into())
        );
        assert_eq!(c.origins.allow("https://evil.example.com"), None);
    }

    #[test]
    fn full_configuration() {
        let c = from(&[
            (
                "ALLOWED_CONTACT_FLOW_IDS",
                "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee, cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee",
            ),
            ("ALLOWED_ORIGINS", "*"),
            ("ALLOWED_ATTRIBUTE_KEYS", "orderId,locale"),
            ("ATTACHMENTS_ENABLED", "true"),
            ("DEFAULT_CHAT_DURATION_MINUTES", "120"),
        ])
        .unwrap();
        assert_eq!(c.allowed_flows.len(), 3);
        assert_eq!(c.origins, Origins::Any);
        assert_eq!(c.origins.allow("https://any.where"), Some("*".into()));
        assert!(c.attribute_keys.contains("orderId"));
        assert!(c.attachments_enabled);
        assert_eq!(c.default_duration, Some(120));
        assert_eq!(c.resume, None, "persistent chat is off by default");
    }

    #[test]
    fn null_origins_only_by_name() {
        let listed = from(&[("ALLOWED_ORIGINS", "https://shop.example.com,null")]).unwrap();
        assert_eq!(listed.origins.allow("null").as_deref(), Some("null"));
        let plain = from(&[]).unwrap();
        assert_eq!(plain.origins.allow("null"), None);
    }

    #[test]
    fn flows_keep_their_configured_spelling() {
        let c = from(&[(
            "ALLOWED_CONTACT_FLOW_IDS",
            "BBBBBBBB-bbbb-cccc-dddd-eeeeeeeeeeee",
        )])
        .unwrap();
        assert_eq!(
            c.allowed_flows["bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee"],
            "BBBBBBBB-bbbb-cccc-dddd-eeeeeeeeeeee"
        );
    }

    #[test]
    fn persistent_chat_needs_a_secret() {
        let secret = "s".repeat(32);
        let c = from(&[
            ("PERSISTENT_CHAT", "true"),
            ("RESUME_TICKET_SECRET", &secret),
        ])
        .unwrap();
        assert!(c.resume.is_some());
        assert!(
            from(&[("PERSISTENT_CHAT", "false"), ("RESUME_TICKET_SECRET", "x")])
                .unwrap()
                .resume
                .is_none()
        );
    }

    #[test]
    fn errors_name_the_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("INSTANCE_ID", "")], "INSTANCE_ID: required"),
            (
                &[("INSTANCE_ID", "my-instance")],
                "INSTANCE_ID: \"my-instance\" is not an ID",
            ),
            (
                &[("CONTACT_FLOW_ID", "")],
                "CONTACT_FLOW_ID: required unless ALLOWED_CONTACT_FLOW_IDS",
            ),
            (
                &[("ALLOWED_CONTACT_FLOW_IDS", "x")],
                "ALLOWED_CONTACT_FLOW_IDS: \"x\" is not an ID",
            ),
            (&[("ALLOWED_ORIGINS", "")], "ALLOWED_ORIGINS: required"),
            (
                &[("ALLOWED_ORIGINS", "shop.example.com")],
                "ALLOWED_ORIGINS: \"shop.example.com\" is not an origin",
            ),
            (
                &[("ALLOWED_ORIGINS", "https://a.com/path")],
                "ALLOWED_ORIGINS: \"https://a.com/path\" is not an origin",
            ),
            (
                &[("ALLOWED_ATTRIBUTE_KEYS", "ok,bad key")],
                "ALLOWED_ATTRIBUTE_KEYS: \"bad key\" is not a valid key",
            ),
            (
                &[("ATTACHMENTS_ENABLED", "yes")],
                "ATTACHMENTS_ENABLED: expected true or false",
            ),
            (
                &[("DEFAULT_CHAT_DURATION_MINUTES", "30")],
                "DEFAULT_CHAT_DURATION_MINUTES: expected a whole number",
            ),
            (
                &[("PERSISTENT_CHAT", "true")],
                "RESUME_TICKET_SECRET: required with PERSISTENT_CHAT=true",
            ),
            (
                &[
                    ("PERSISTENT_CHAT", "true"),
                    ("RESUME_TICKET_SECRET", "short"),
                ],
                "RESUME_TICKET_SECRET: required with PERSISTENT_CHAT=true",
            ),
            (
                &[
                    ("PERSISTENT_CHAT", "true"),
                    ("RESUME_TICKET_SECRET", "0123456789abcdef0123456789abcdef"),
                    ("RESUME_TICKET_TTL_HOURS", "0"),
                ],
                "RESUME_TICKET_TTL_HOURS: expected a whole number",
            ),
            (
                &[("PERSISTENT_CHAT", "on")],
                "PERSISTENT_CHAT: expected true or false",
            ),
        ];
        for (vars, want) in cases {
            let got = from(vars).unwrap_err().to_string();
            assert!(got.starts_with(want), "{vars:?}: {got}");
        }
    }
}
