//! One review: every rule of the sender's room over the message, then the actions'
//! precedence: deny > rewrite (mask, replace) > flag > allow.

use crate::detect::MessageScan;
use crate::policy::{Action, Rule};
use crate::rewrite::{self, Edit};

use super::{Basis, Decision, Engine, Message, RuleMatch, Verdict};

impl Engine {
    /// Reviews one message.
    pub fn review(&self, msg: &Message<'_>) -> Verdict {
        let room = self.room(msg.room_arn);
        if room.blocked_users.contains(msg.user_id) {
            return Verdict::plain(Decision::Deny(room.blocked_reason.clone()), Basis::Blocked);
        }
        if room.is_exempt(msg.sender_attributes) {
            return Verdict::plain(Decision::Allow, Basis::Exempt);
        }

        let scan = MessageScan::new(msg.content);
        let mut matches = Vec::new();
        let mut edits = Vec::new();
        let mut deny: Option<&Rule> = None;
        let mut flagged: Vec<&str> = Vec::new();
        let mut rewritten: Vec<&str> = Vec::new();
        for rule in &room.rules {
            let findings = rule.detector.find(&scan);
            if findings.is_empty() {
                continue;
            }
            match rule.action {
                Action::Allow => {}
                Action::Deny => deny = deny.or(Some(rule)),
                Action::Flag => flagged.push(&rule.id),
                Action::Mask => {
                    rewritten.push(&rule.id);
                    for finding in &findings {
                        scan.push_masks(finding, &mut edits);
                    }
                }
                Action::Replace => {
                    rewritten.push(&rule.id);
                    edits.extend(
                        findings
                            .iter()
                            .map(|f| Edit::Replace(f.span.clone(), rule.replacement.as_str())),
                    );
                }
            }
            matches.extend(findings.into_iter().map(|f| RuleMatch {
                rule: rule.id.clone(),
                kind: rule.kind,
                action: rule.action,
                span: f.span,
                detail: f.detail,
                language: f.language,
            }));
        }

        if let Some(rule) = deny {
            let mut verdict = Verdict::plain(Decision::Deny(rule.reason.clone()), Basis::Rules);
            verdict.matches = matches;
            return verdict;
        }
        let mut added = Vec::new();
        let mut decision = Decision::Allow;
        if !edits.is_empty() {
            decision = Decision::Rewrite(rewrite::apply(msg.content, &edits, room.mask_char));
            if let Some(name) = &room.rewrite_attribute {
                added.push((name.clone(), rewritten.join(",")));
            }
        }
        if let (Some(name), false) = (&room.flag_attribute, flagged.is_empty()) {
            added.push((name.clone(), flagged.join(",")));
        }
        Verdict {
            decision,
            basis: Basis::Rules,
            added_attributes: added,
            matches,
        }
    }
}
