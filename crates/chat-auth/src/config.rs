//! Server-side configuration from the environment, read once at start-up. A bad value
//! stops init with one line that names the variable and what it expects.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::time::Duration;

use chat_state::room_id;
use lambda_setup::config::{ConfigError, Env};
use lambda_setup::cors::Origins;

use crate::identity::{Capability, Role};

fn error(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(variable, message)
}

/// IVS's range for a chat session, in minutes.
pub const SESSION_RANGE: RangeInclusive<i64> = 1..=180;

/// The rooms tokens and actions may name, as configured: ARNs, or bare room IDs that
/// admit any ARN ending in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rooms {
    arns: BTreeSet<String>,
    ids: BTreeSet<String>,
}

impl Rooms {
    /// The ARN to call IVS with for a room a client names by ARN or ID; `None` when
    /// the room is not allowed, or named by an ID no configured ARN ends in (IVS takes
    /// ARNs only).
    pub fn resolve(&self, requested: &str) -> Option<String> {
        if is_room_arn(requested) {
            let allowed = self.arns.contains(requested) || self.ids.contains(room_id(requested));
            return allowed.then(|| requested.to_owned());
        }
        self.arns
            .iter()
            .find(|arn| room_id(arn) == requested)
            .cloned()
    }

    /// Whether a room named by ARN or ID is one of these (state lookups need no ARN).
    pub fn allows(&self, requested: &str) -> bool {
        self.resolve(requested).is_some() || self.ids.contains(requested)
    }
}

/// `arn:PARTITION:ivschat:REGION:ACCOUNT:room/ID`.
pub fn is_room_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "ivschat"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("room/").is_some_and(is_room_id)
}

fn is_room_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// How callers prove who they are outside API Gateway's JWT authorizer: tokens
/// verified here against the issuer's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtSettings {
    pub issuer: String,
    pub audiences: Vec<String>,
    pub jwks: JwksSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    File(String),
    Url(String),
}

/// Everything the handler needs to know about the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub rooms: Rooms,
    /// The claim holding the caller's groups or roles.
    pub roles_claim: String,
    /// The claim holding the caller's display name, sent as the `username` attribute.
    pub name_claim: String,
    pub moderator_groups: BTreeSet<String>,
    pub broadcaster_groups: BTreeSet<String>,
    pub viewer_capabilities: BTreeSet<Capability>,
    pub moderator_capabilities: BTreeSet<Capability>,
    pub broadcaster_capabilities: BTreeSet<Capability>,
    /// Attribute keys a client may set on its own token.
    pub attribute_keys: BTreeSet<String>,
    /// Read-only tokens for callers without a JWT.
    pub anonymous_viewers: bool,
    pub session_minutes: i32,
    /// Event names moderators may send with `POST /event`.
    pub events: BTreeSet<String>,
    pub origins: Origins,
    /// The DynamoDB table of bans and timeouts; `None` keeps them in memory (local
    /// runs only).
    pub table: Option<String>,
    pub jwt: Option<JwtSettings>,
    /// How long a call to IVS or DynamoDB may take in all.
    pub aws_timeout: Duration,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let mut rooms = Rooms {
            arns: BTreeSet::new(),
            ids: BTreeSet::new(),
        };
        for room in env.list("ALLOWED_ROOMS") {
            if is_room_arn(&room) {
                rooms.arns.insert(room);
            } else if is_room_id(&room) {
                rooms.ids.insert(room);
            } else {
                return Err(error(
                    "ALLOWED_ROOMS",
                    format!("{room:?} is neither a room ARN (arn:aws:ivschat:REGION:ACCOUNT:room/ID) nor a room ID"),
                ));
            }
        }
        if rooms.arns.is_empty() && rooms.ids.is_empty() {
            return Err(error(
                "ALLOWED_ROOMS",
                "required: a comma list of the IVS chat room ARNs (or IDs) tokens may be issued for",
            ));
        }

        let attribute_keys: BTreeSet<String> =
            env.list("CLIENT_ATTRIBUTE_KEYS").into_iter().collect();
        for key in &attribute_keys {
            if key == "role" || key == "username" {
                return Err(error(
                    "CLIENT_ATTRIBUTE_KEYS",
                    format!("{key:?} comes from the verified identity, never from the client"),
                ));
            }
            if key.is_empty() || key.len() > 128 || key.chars().any(char::is_control) {
                return Err(error(
                    "CLIENT_ATTRIBUTE_KEYS",
                    format!("{key:?} is not a valid attribute key"),
                ));
            }
        }

        let session_minutes = match env.get("SESSION_MINUTES") {
            None => 60,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if SESSION_RANGE.contains(&n) => n as i32,
                _ => {
                    return Err(error(
                        "SESSION_MINUTES",
                        "expected a whole number of minutes from 1 to 180",
                    ))
                }
            },
        };

        let aws_timeout = match env.get("AWS_TIMEOUT_MS") {
            None => Duration::from_secs(5),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (100..=25_000).contains(&n) => Duration::from_millis(n),
                _ => {
                    return Err(error(
                        "AWS_TIMEOUT_MS",
                        "expected milliseconds from 100 to 25000",
                    ))
                }
            },
        };

        let moderator_capabilities = capabilities(
            env,
            "MODERATOR_CAPABILITIES",
            &[
                Capability::SendMessage,
                Capability::DeleteMessage,
                Capability::DisconnectUser,
            ],
        )?;
        Ok(Config {
            rooms,
            roles_claim: env
                .get("ROLES_CLAIM")
                .unwrap_or_else(|| "cognito:groups".into()),
            name_claim: env
                .get("NAME_CLAIM")
                .unwrap_or_else(|| "cognito:username".into()),
            moderator_groups: groups(env, "MODERATOR_GROUPS", Role::Moderator),
            broadcaster_groups: groups(env, "BROADCASTER_GROUPS", Role::Broadcaster),
            viewer_capabilities: capabilities(
                env,
                "VIEWER_CAPABILITIES",
                &[Capability::SendMessage],
            )?,
            broadcaster_capabilities: capabilities(
                env,
                "BROADCASTER_CAPABILITIES",
                &moderator_capabilities.iter().copied().collect::<Vec<_>>(),
            )?,
            moderator_capabilities,
            attribute_keys,
            anonymous_viewers: env.flag("ANONYMOUS_VIEWERS")?,
            session_minutes,
            events: match env.get("ALLOWED_EVENTS") {
                None => BTreeSet::from(["app:DELETE_BY_USER".to_owned()]),
                Some(v) if v == "none" => BTreeSet::new(),
                Some(_) => env.list("ALLOWED_EVENTS").into_iter().collect(),
            },
            origins: Origins::from_env(env, "ALLOWED_ORIGINS")?,
            table: env.get("TABLE_NAME"),
            jwt: jwt_settings(env)?,
            aws_timeout,
        })
    }
}

/// A group list, or the role's own name when unset.
fn groups(env: &Env, variable: &str, role: Role) -> BTreeSet<String> {
    let list = env.list(variable);
    if list.is_empty() {
        BTreeSet::from([role.name().to_owned()])
    } else {
        list.into_iter().collect()
    }
}

/// A capability list (`none` for none), or `default` when unset.
fn capabilities(
    env: &Env,
    variable: &'static str,
    default: &[Capability],
) -> Result<BTreeSet<Capability>, ConfigError> {
    match env.get(variable).as_deref() {
        None => Ok(default.iter().copied().collect()),
        Some("none") => Ok(BTreeSet::new()),
        Some(_) => env
            .list(variable)
            .iter()
            .map(|c| {
                Capability::parse(c).ok_or_else(|| {
                    error(
                        variable,
                        format!("{c:?} is not SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER (or none)"),
                    )
                })
            })
            .collect(),
    }
}

fn jwt_settings(env: &Env) -> Result<Option<JwtSettings>, ConfigError> {
    let Some(issuer) = env.get("JWT_ISSUER") else {
        for variable in ["JWT_AUDIENCE", "JWKS_FILE", "JWKS_URL"] {
            if env.get(variable).is_some() {
                return Err(error(variable, "is set but JWT_ISSUER is not"));
            }
        }
        return Ok(None);
    };
    let audiences = env.list("JWT_AUDIENCE");
    if audiences.is_empty() {
        return Err(error(
            "JWT_AUDIENCE",
            "required with JWT_ISSUER: the app client ID(s) or API audience tokens are issued for",
        ));
    }
    let jwks = match (env.get("JWKS_FILE"), env.get("JWKS_URL")) {
        (Some(file), None) => JwksSource::File(file),
        (None, Some(url)) if url.starts_with("https://") || is_loopback_http(&url) => {
            JwksSource::Url(url)
        }
        (None, Some(_)) => return Err(error("JWKS_URL", "expected an https:// URL")),
        (None, None) => JwksSource::Url(format!(
            "{}/.well-known/jwks.json",
            issuer.trim_end_matches('/')
        )),
        (Some(_), Some(_)) => {
            return Err(error("JWKS_FILE", "set JWKS_FILE or JWKS_URL, not both"))
        }
    };
    Ok(Some(JwtSettings {
        issuer,
        audiences,
        jwks,
    }))
}

/// `http://127.0.0.1` with nothing but a port or a path after it: a local issuer.
fn is_loopback_http(url: &str) -> bool {
    url.strip_prefix("http://127.0.0.1")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:ivschat:us-east-1:123456789012:room/AbCd1234";

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("ALLOWED_ROOMS", ARN),
            ("ALLOWED_ORIGINS", "https://app.example"),
        ];
        all.extend_from_slice(vars);
        Config::from_env(&Env::from_pairs(&all))
    }

    #[test]
    fn defaults() {
        let c = from(&[]).unwrap();
        assert_eq!(c.roles_claim, "cognito:groups");
        assert_eq!(c.session_minutes, 60);
        assert_eq!(
            c.viewer_capabilities,
            BTreeSet::from([Capability::SendMessage])
        );
        assert_eq!(c.moderator_capabilities.len(), 3);
        assert_eq!(c.broadcaster_capabilities, c.moderator_capabilities);
        assert!(c.moderator_groups.contains("moderator"));
        assert!(!c.anonymous_viewers);
        assert!(c.events.contains("app:DELETE_BY_USER"));
        assert_eq!((c.table, c.jwt), (None, None));
    }

    #[test]
    fn rooms_resolve_to_arns_only_when_allowed() {
        let c = from(&[("ALLOWED_ROOMS", &format!("{ARN}, Other999"))]).unwrap();
        assert_eq!(c.rooms.resolve(ARN).as_deref(), Some(ARN));
        assert_eq!(c.rooms.resolve("AbCd1234").as_deref(), Some(ARN));
        let other = "arn:aws:ivschat:eu-west-1:123456789012:room/Other999";
        assert_eq!(c.rooms.resolve(other).as_deref(), Some(other));
        assert_eq!(c.rooms.resolve("Other999"), None, "IVS needs the ARN");
        assert_eq!(
            c.rooms
                .resolve("arn:aws:ivschat:us-east-1:123456789012:room/Nope"),
            None
        );
        assert_eq!(c.rooms.resolve("arn:aws:ivschat:x:1:room/AbCd1234"), None);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let variable = |vars: &[(&str, &str)]| from(vars).unwrap_err().variable;
        assert_eq!(variable(&[("ALLOWED_ROOMS", "")]), "ALLOWED_ROOMS");
        assert_eq!(variable(&[("ALLOWED_ROOMS", "room/x y")]), "ALLOWED_ROOMS");
        assert_eq!(variable(&[("SESSION_MINUTES", "181")]), "SESSION_MINUTES");
        let issuer = [("JWT_ISSUER", "https://i.example"), ("JWT_AUDIENCE", "a")];
        let url = |u: &'static str| [issuer[0], issuer[1], ("JWKS_URL", u)];
        assert_eq!(
            variable(&url("http://127.0.0.1.evil.example/k")),
            "JWKS_URL"
        );
        assert!(from(&url("http://127.0.0.1:8080/jwks.json")).is_ok());
        assert_eq!(
            variable(&[("CLIENT_ATTRIBUTE_KEYS", "avatar,username")]),
            "CLIENT_ATTRIBUTE_KEYS"
        );
        assert_eq!(
            variable(&[("CLIENT_ATTRIBUTE_KEYS", "avatar,role")]),
            "CLIENT_ATTRIBUTE_KEYS"
        );
        assert_eq!(
            variable(&[("VIEWER_CAPABILITIES", "SEND")]),
            "VIEWER_CAPABILITIES"
        );
        assert_eq!(variable(&[("JWT_AUDIENCE", "x")]), "JWT_AUDIENCE");
        assert_eq!(
            variable(&[("JWT_ISSUER", "https://issuer.example")]),
            "JWT_AUDIENCE"
        );
        assert_eq!(
            variable(&[("ANONYMOUS_VIEWERS", "maybe")]),
            "ANONYMOUS_VIEWERS"
        );
    }

    #[test]
    fn capabilities_and_jwt_settings() {
        let c = from(&[
            ("VIEWER_CAPABILITIES", "none"),
            ("JWT_ISSUER", "https://issuer.example/pool/"),
            ("JWT_AUDIENCE", "client-a, client-b"),
        ])
        .unwrap();
        assert!(c.viewer_capabilities.is_empty());
        let jwt = c.jwt.unwrap();
        assert_eq!(jwt.audiences, ["client-a", "client-b"]);
        assert_eq!(
            jwt.jwks,
            JwksSource::Url("https://issuer.example/pool/.well-known/jwks.json".into())
        );
    }
}
