//! The engine: a compiled policy that reviews messages. Every automaton, regex and
//! list is built once, by `policy::compile`; reviewing only scans.

mod review;
mod verdict;

use std::sync::OnceLock;

use crate::policy::{CompiledPolicy, Escalation, OnError, Policy, PolicyError, RoomPolicy};

pub use verdict::{Attributes, Basis, Decision, Message, RuleMatch, Verdict};

/// A compiled policy.
#[derive(Debug)]
pub struct Engine {
    policy: CompiledPolicy,
}

impl Engine {
    /// The embedded default policy, compiled once per process.
    pub fn embedded_default() -> &'static Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        ENGINE.get_or_init(|| {
            Engine::compile(&Policy::embedded_default()).expect("the embedded policy compiles")
        })
    }

    /// Checks and compiles a policy (see `policy::compile`).
    pub fn compile(policy: &Policy) -> Result<Engine, PolicyError> {
        Ok(Engine {
            policy: crate::policy::compile(policy)?,
        })
    }

    /// Verdict for events that cannot be reviewed.
    pub fn on_error(&self) -> OnError {
        self.policy.on_error
    }

    /// Reason sent with `on_error = "deny"`.
    pub fn error_reason(&self) -> &str {
        &self.policy.error_reason
    }

    /// The room's automatic timeouts after repeated denials, if any.
    pub fn escalation(&self, room_arn: &str) -> Option<Escalation> {
        self.room(room_arn).escalation
    }

    /// The room's policy, by ARN or by the room id at its end, else the defaults.
    fn room(&self, room_arn: &str) -> &RoomPolicy {
        let rooms = &self.policy.rooms;
        rooms
            .get(room_arn)
            .or_else(|| {
                let (_, id) = room_arn.rsplit_once('/')?;
                rooms.get(id)
            })
            .unwrap_or(&self.policy.defaults)
    }
}

impl RoomPolicy {
    /// Whether the sender's role attribute (a comma list) names an exempt role.
    fn is_exempt(&self, sender: &Attributes) -> bool {
        if self.exempt_roles.is_empty() {
            return false;
        }
        sender.get(&self.role_attribute).is_some_and(|roles| {
            roles.split(',').any(|role| {
                self.exempt_roles
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(role.trim()))
            })
        })
    }
}
