//! Who the caller is, from verified claims only: `sub` is the IVS user ID, a claim
//! names the groups that make a moderator or broadcaster (in every room, or with a
//! `:ROOM_ID` suffix in one room), another the display name. Nothing here reads the
//! request body.

use std::collections::BTreeSet;

use chat_state::room_id;
use serde_json::{Map, Value};

use crate::config::Config;

/// What a caller may do in a room, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Moderator,
    Broadcaster,
}

impl Role {
    /// The value of the `role` attribute the review handler reads.
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Moderator => "moderator",
            Role::Broadcaster => "broadcaster",
        }
    }

    /// Whether the role may ban, delete messages and send events.
    pub fn moderates(self) -> bool {
        self >= Role::Moderator
    }
}

/// An IVS chat token capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Capability {
    SendMessage,
    DeleteMessage,
    DisconnectUser,
}

impl Capability {
    pub fn parse(s: &str) -> Option<Capability> {
        match s {
            "SEND_MESSAGE" => Some(Capability::SendMessage),
            "DELETE_MESSAGE" => Some(Capability::DeleteMessage),
            "DISCONNECT_USER" => Some(Capability::DisconnectUser),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Capability::SendMessage => "SEND_MESSAGE",
            Capability::DeleteMessage => "DELETE_MESSAGE",
            Capability::DisconnectUser => "DISCONNECT_USER",
        }
    }
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The token's `sub`: the IVS user ID.
    pub user_id: String,
    /// The display name claim, when the token has one.
    pub name: Option<String>,
    /// The groups in the roles claim.
    pub groups: Vec<String>,
}

/// Why verified claims do not make an identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the token has no sub claim")]
    NoSubject,
    #[error("the token's sub claim is longer than IVS's 128 characters")]
    SubjectTooLong,
}

impl Identity {
    /// The identity in verified claims: from API Gateway's JWT authorizer (values are
    /// strings there, arrays flattened to `[a b]`) or from a token verified here.
    pub fn from_claims(
        claims: &Map<String, Value>,
        config: &Config,
    ) -> Result<Identity, IdentityError> {
        let user_id = match claims.get("sub") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(IdentityError::NoSubject),
        };
        if user_id.chars().count() > 128 {
            return Err(IdentityError::SubjectTooLong);
        }
        let groups = claims
            .get(&config.roles_claim)
            .map(groups)
            .unwrap_or_default();
        let name = match claims.get(&config.name_claim) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        Ok(Identity {
            user_id,
            name,
            groups,
        })
    }

    /// The caller's role in `room` (an ARN or ID): a group named in
    /// `BROADCASTER_GROUPS` or `MODERATOR_GROUPS` counts in every room; the same name
    /// with `:ROOM_ID` after it, in that room only.
    pub fn role(&self, config: &Config, room: &str) -> Role {
        let room = room_id(room);
        let holds = |names: &BTreeSet<String>| {
            self.groups.iter().any(|g| {
                names.contains(g)
                    || g.rsplit_once(':')
                        .is_some_and(|(name, id)| id == room && names.contains(name))
            })
        };
        if holds(&config.broadcaster_groups) {
            Role::Broadcaster
        } else if holds(&config.moderator_groups) {
            Role::Moderator
        } else {
            Role::Viewer
        }
    }

    /// Whether the caller moderates in at least one room.
    pub fn moderates_somewhere(&self, config: &Config) -> bool {
        let named =
            |g: &str| config.moderator_groups.contains(g) || config.broadcaster_groups.contains(g);
        self.groups
            .iter()
            .any(|g| named(g) || g.rsplit_once(':').is_some_and(|(name, _)| named(name)))
    }

    /// The capabilities a role allows.
    pub fn allowed(config: &Config, role: Role) -> &BTreeSet<Capability> {
        match role {
            Role::Viewer => &config.viewer_capabilities,
            Role::Moderator => &config.moderator_capabilities,
            Role::Broadcaster => &config.broadcaster_capabilities,
        }
    }
}

/// The groups in a roles claim: a JSON array, API Gateway's flattened `[a b c]`, or a
/// string of names separated by spaces or commas.
fn groups(claim: &Value) -> Vec<String> {
    match claim {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Value::String(s) => s
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split([' ', ','])
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_setup::config::Env;
    use serde_json::json;

    fn config(extra: &[(&str, &str)]) -> Config {
        let mut vars = vec![
            (
                "ALLOWED_ROOMS",
                "arn:aws:ivschat:us-east-1:123456789012:room/R1",
            ),
            ("ALLOWED_ORIGINS", "*"),
        ];
        vars.extend_from_slice(extra);
        Config::from_env(&Env::from_pairs(&vars)).unwrap()
    }

    fn identity(claims: Value, config: &Config) -> Result<Identity, IdentityError> {
        Identity::from_claims(claims.as_object().unwrap(), config)
    }

    #[test]
    fn roles_from_every_shape_of_groups_claim() {
        let c = config(&[]);
        let role = |groups: Value| {
            identity(json!({"sub": "u1", "cognito:groups": groups}), &c)
                .unwrap()
                .role(&c, "R1")
        };
        assert_eq!(role(json!(["fans", "moderator"])), Role::Moderator);
        assert_eq!(
            role(json!("[fans moderator]")),
            Role::Moderator,
            "API Gateway's flattening"
        );
        assert_eq!(role(json!("broadcaster")), Role::Broadcaster);
        assert_eq!(role(json!("fans,moderator")), Role::Moderator);
        assert_eq!(
            role(json!(["moderators"])),
            Role::Viewer,
            "exact names only"
        );
        assert_eq!(role(json!(42)), Role::Viewer);
        let none = identity(json!({"sub": "u1"}), &c).unwrap();
        assert_eq!((none.role(&c, "R1"), none.name), (Role::Viewer, None));
    }

    #[test]
    fn configured_claims_and_groups() {
        let c = config(&[
            ("ROLES_CLAIM", "roles"),
            ("NAME_CLAIM", "name"),
            ("MODERATOR_GROUPS", "mods,staff"),
        ]);
        let id = identity(
            json!({"sub": "u1", "roles": ["staff"], "name": "Ana", "cognito:groups": ["broadcaster"]}),
            &c,
        )
        .unwrap();
        assert_eq!(id.role(&c, "R1"), Role::Moderator);
        assert_eq!(id.name.as_deref(), Some("Ana"));
        assert_eq!(Identity::allowed(&c, Role::Moderator).len(), 3);
    }

    #[test]
    fn a_room_suffix_limits_the_role_to_that_room() {
        let c = config(&[]);
        let arn = "arn:aws:ivschat:us-east-1:123456789012:room/R1";
        let id = identity(
            json!({"sub": "u1", "cognito:groups": ["moderator:R1", "broadcaster:R9", "fans:R2"]}),
            &c,
        )
        .unwrap();
        assert_eq!(id.role(&c, arn), Role::Moderator);
        assert_eq!(id.role(&c, "R1"), Role::Moderator);
        assert_eq!(id.role(&c, "R9"), Role::Broadcaster);
        assert_eq!(id.role(&c, "R2"), Role::Viewer);
        assert!(id.moderates_somewhere(&c));
        let fan = identity(json!({"sub": "u2", "cognito:groups": ["fans:R1"]}), &c).unwrap();
        assert!(!fan.moderates_somewhere(&c));
        let nested = identity(
            json!({"sub": "u3", "cognito:groups": ["moderator:R1:x"]}),
            &c,
        )
        .unwrap();
        assert_eq!(
            nested.role(&c, "R1"),
            Role::Viewer,
            "the suffix is the whole room ID"
        );
    }

    #[test]
    fn a_subject_is_required_and_bounded() {
        let c = config(&[]);
        assert_eq!(
            identity(json!({"name": "x"}), &c),
            Err(IdentityError::NoSubject)
        );
        assert_eq!(
            identity(json!({"sub": ""}), &c),
            Err(IdentityError::NoSubject)
        );
        assert_eq!(
            identity(json!({"sub": 7}), &c),
            Err(IdentityError::NoSubject)
        );
        let long = "x".repeat(129);
        assert_eq!(
            identity(json!({"sub": long}), &c),
            Err(IdentityError::SubjectTooLong)
        );
    }
}
