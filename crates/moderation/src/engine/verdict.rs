//! What a review takes and what it gives back.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::policy::{Action, RuleKind};

/// Message and sender attributes, as IVS sends them.
pub type Attributes = BTreeMap<String, String>;

/// What a review needs to know about one message.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub content: &'a str,
    pub room_arn: &'a str,
    pub user_id: &'a str,
    pub sender_attributes: &'a Attributes,
}

/// What happens to the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Deliver it unchanged.
    Allow,
    /// Deliver this text in its place.
    Rewrite(String),
    /// Deliver nothing; the reason goes to the sender.
    Deny(String),
}

/// Why the verdict is what it is, beyond the rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Rules,
    /// The sender has an exempt role: no rule ran.
    Exempt,
    /// The sender is on the blocked list.
    Blocked,
}

impl Basis {
    pub fn name(self) -> &'static str {
        match self {
            Basis::Rules => "rules",
            Basis::Exempt => "exempt",
            Basis::Blocked => "blocked",
        }
    }
}

/// The outcome of one review.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub decision: Decision,
    pub basis: Basis,
    /// Attributes to add to a delivered message (which rules flagged or rewrote it);
    /// a denied message gets none.
    pub added_attributes: Vec<(String, String)>,
    pub matches: Vec<RuleMatch>,
}

/// One rule that matched, for logs and `--explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMatch {
    pub rule: Arc<str>,
    pub kind: RuleKind,
    pub action: Action,
    /// Byte range in the content.
    pub span: Range<usize>,
    /// What matched: the dictionary entry, the term, the host, the PII type, the limit.
    pub detail: String,
    /// The language of a built-in dictionary entry.
    pub language: Option<&'static str>,
}

impl Verdict {
    pub(crate) fn plain(decision: Decision, basis: Basis) -> Self {
        Verdict {
            decision,
            basis,
            added_attributes: Vec::new(),
            matches: Vec::new(),
        }
    }

    pub fn is_denied(&self) -> bool {
        matches!(self.decision, Decision::Deny(_))
    }

    /// The text delivered in place of the message, when a rule rewrote it.
    pub fn rewritten(&self) -> Option<&str> {
        match &self.decision {
            Decision::Rewrite(text) => Some(text),
            _ => None,
        }
    }

    /// The reason sent to the sender of a denied message.
    pub fn reason(&self) -> Option<&str> {
        match &self.decision {
            Decision::Deny(reason) => Some(reason),
            _ => None,
        }
    }
}
