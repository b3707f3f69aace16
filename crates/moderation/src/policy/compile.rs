//! Checking a policy and compiling it into rules, room by room. Every check names
//! the field it is about.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::detect::{Detector, LinkFinder};

use super::{Action, EscalationSpec, OnError, Policy, PolicyError, RuleKind, Settings};

/// A policy ready to review with: the defaults and each room, inheritance resolved.
#[derive(Debug)]
pub(crate) struct CompiledPolicy {
    pub on_error: OnError,
    pub error_reason: String,
    pub defaults: Arc<RoomPolicy>,
    pub rooms: HashMap<String, Arc<RoomPolicy>>,
}

/// The settings and rules of one room (or of the defaults).
#[derive(Debug)]
pub(crate) struct RoomPolicy {
    pub exempt_roles: Vec<String>,
    pub role_attribute: String,
    pub blocked_users: HashSet<String>,
    pub blocked_reason: String,
    pub mask_char: char,
    pub flag_attribute: Option<String>,
    pub rewrite_attribute: Option<String>,
    pub escalation: Option<Escalation>,
    pub rules: Vec<Arc<Rule>>,
}

/// Automatic timeouts after repeated denials, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    pub strikes: u32,
    pub window_seconds: u64,
    pub timeout_seconds: u64,
}

/// One compiled rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: Arc<str>,
    pub kind: RuleKind,
    pub action: Action,
    pub reason: String,
    pub replacement: String,
    pub detector: Detector,
}

/// Resources shared by all rules of a policy, built on first use.
#[derive(Default)]
pub(super) struct Compiler {
    pub links: OnceCell<Arc<LinkFinder>>,
    /// Folder that relative term `file`s resolve against.
    pub base_dir: Option<PathBuf>,
}

/// Checks and compiles a policy.
pub(crate) fn compile(policy: &Policy) -> Result<CompiledPolicy, PolicyError> {
    if let Some(v) = policy.version.filter(|&v| v != 1) {
        return Err(PolicyError::invalid(
            "version",
            format!("version {v} is not supported; the only version is 1"),
        ));
    }
    if let Some(first) = policy.defaults.disable.first() {
        return Err(PolicyError::invalid(
            "defaults.disable",
            format!("only rooms can disable rules (found {first:?})"),
        ));
    }
    let compiler = Compiler {
        base_dir: policy.base_dir.clone(),
        ..Compiler::default()
    };
    let base = RoomPolicy::base();
    let defaults = Arc::new(compiler.room(&base, &policy.defaults, "defaults")?);
    let mut rooms = HashMap::new();
    for (key, settings) in &policy.rooms {
        let field = format!("rooms.{key:?}");
        check_room_key(key, &field)?;
        rooms.insert(
            key.clone(),
            Arc::new(compiler.room(&defaults, settings, &field)?),
        );
    }
    Ok(CompiledPolicy {
        on_error: policy.on_error,
        error_reason: policy
            .error_reason
            .clone()
            .unwrap_or_else(|| "Message could not be reviewed.".to_owned()),
        defaults,
        rooms,
    })
}

fn check_room_key(key: &str, field: &str) -> Result<(), PolicyError> {
    let arn_like = key.starts_with("arn:") && key.contains(":room/");
    let id_like = !key.is_empty() && !key.contains([':', '/']);
    if arn_like || id_like {
        Ok(())
    } else {
        Err(PolicyError::invalid(
            field,
            "expected a room ARN (arn:aws:ivschat:REGION:ACCOUNT:room/ID) or a room ID",
        ))
    }
}

impl RoomPolicy {
    /// Settings before the policy's `defaults` apply.
    fn base() -> Self {
        RoomPolicy {
            exempt_roles: Vec::new(),
            role_attribute: "role".to_owned(),
            blocked_users: HashSet::new(),
            blocked_reason: "You are not allowed to send messages in this room.".to_owned(),
            mask_char: '*',
            flag_attribute: Some("flagged".to_owned()),
            rewrite_attribute: Some("moderated".to_owned()),
            escalation: None,
            rules: Vec::new(),
        }
    }
}

/// An empty attribute name switches that attribute off.
fn attribute_name(name: &Option<String>, inherited: &Option<String>) -> Option<String> {
    match name {
        Some(n) if n.is_empty() => None,
        Some(n) => Some(n.clone()),
        None => inherited.clone(),
    }
}

/// A checked escalation; `None` for `strikes = 0`.
fn escalation(spec: &EscalationSpec, field: &str) -> Result<Option<Escalation>, PolicyError> {
    let within = |name: &str, value: u32, max: u32| {
        if (1..=max).contains(&value) {
            Ok(u64::from(value) * 60)
        } else {
            Err(PolicyError::invalid(
                format!("{field}.{name}"),
                format!("must be from 1 to {max}"),
            ))
        }
    };
    if spec.strikes == 0 {
        return Ok(None);
    }
    if spec.strikes > 100 {
        return Err(PolicyError::invalid(
            format!("{field}.strikes"),
            "must be from 1 to 100 (0 switches escalation off)",
        ));
    }
    Ok(Some(Escalation {
        strikes: spec.strikes,
        window_seconds: within("window_minutes", spec.window_minutes, 1_440)?,
        timeout_seconds: within("timeout_minutes", spec.timeout_minutes, 43_200)?,
    }))
}

impl Compiler {
    /// `settings` applied on top of `parent`.
    fn room(
        &self,
        parent: &RoomPolicy,
        settings: &Settings,
        field: &str,
    ) -> Result<RoomPolicy, PolicyError> {
        let mut rules = parent.rules.clone();
        for (i, id) in settings.disable.iter().enumerate() {
            let before = rules.len();
            rules.retain(|r| &*r.id != id);
            if rules.len() == before {
                return Err(PolicyError::invalid(
                    format!("{field}.disable[{i}]"),
                    format!("no inherited rule has id {id:?}"),
                ));
            }
        }
        let mut seen = HashSet::new();
        for (i, spec) in settings.rules.iter().enumerate() {
            let rule_field = format!("{field}.rules[{i}]");
            if !seen.insert(spec.id.as_str()) {
                return Err(PolicyError::invalid(
                    format!("{rule_field}.id"),
                    format!("rule id {:?} appears twice", spec.id),
                ));
            }
            let rule = Arc::new(self.rule(spec, &rule_field)?);
            match rules.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule,
                None => rules.push(rule),
            }
        }
        if let Some(c) = settings
            .mask_char
            .filter(|c| c.is_control() || c.is_whitespace())
        {
            return Err(PolicyError::invalid(
                format!("{field}.mask_char"),
                format!("{c:?} is not a visible character"),
            ));
        }
        let or = |value: &Option<String>, inherited: &String| {
            value.clone().unwrap_or_else(|| inherited.clone())
        };
        Ok(RoomPolicy {
            exempt_roles: settings
                .exempt_roles
                .clone()
                .unwrap_or_else(|| parent.exempt_roles.clone()),
            role_attribute: or(&settings.role_attribute, &parent.role_attribute),
            blocked_users: settings.blocked_users.as_ref().map_or_else(
                || parent.blocked_users.clone(),
                |u| u.iter().cloned().collect(),
            ),
            blocked_reason: or(&settings.blocked_reason, &parent.blocked_reason),
            mask_char: settings.mask_char.unwrap_or(parent.mask_char),
            flag_attribute: attribute_name(&settings.flag_attribute, &parent.flag_attribute),
            rewrite_attribute: attribute_name(
                &settings.rewrite_attribute,
                &parent.rewrite_attribute,
            ),
            escalation: match &settings.escalation {
                None => parent.escalation,
                Some(spec) => escalation(spec, &format!("{field}.escalation"))?,
            },
            rules,
        })
    }
}
