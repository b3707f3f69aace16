//! Chat moderation policy engine.
//!
//! A [`Policy`] (TOML or JSON, written by an operator) compiles into an [`Engine`]
//! once; [`Engine::review`] then judges one [`Message`] at a time into a [`Verdict`]:
//! allow, deny with a reason, or allow a rewritten text. Pure and synchronous: no AWS
//! or Lambda types, no I/O after compiling.

mod detect;
mod engine;
mod policy;
mod rewrite;

pub use engine::{Attributes, Basis, Decision, Engine, Message, RuleMatch, Verdict};
pub use policy::{
    Action, Category, Escalation, EscalationSpec, OnError, PiiType, Policy, PolicyError, RuleKind,
    RuleSpec, Settings, Severity, DEFAULT_POLICY_TOML,
};
