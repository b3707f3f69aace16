//! The one log line per review.

use crate::handler::{Outcome, Review};
use crate::sanctions::{Enforcement, Standing};

/// Logs one review: ids, verdict, rules, latency. The text (as returned to IVS) only
/// with `LOG_CONTENT=true`.
pub fn review(outcome: &Outcome, enforcement: Option<&Enforcement>, log_content: bool) {
    let room = outcome.room_arn.as_deref().unwrap_or("");
    let message_id = outcome.message_id.as_deref().unwrap_or("");
    let verdict = match outcome.response.review_result {
        crate::ivs::ReviewResult::Allow => "ALLOW",
        crate::ivs::ReviewResult::Deny => "DENY",
    };
    let rewritten = matches!(&outcome.review, Review::Reviewed(v) if v.rewritten().is_some());
    let content = log_content.then_some(outcome.response.content.as_str());
    // Where the sender stood: clear, ban, timeout, or unknown (the store failed).
    let sanction = match enforcement.map(|e| &e.standing) {
        None => "",
        Some(Standing::Clear) => "clear",
        Some(Standing::Sanctioned(s)) => s.kind(),
        Some(Standing::Unknown(why)) => {
            tracing::warn!(room, error = %why, "sanction lookup failed; the content verdict stands");
            "unknown"
        }
    };
    // Escalation: a strike counted (`strike`), a timeout imposed (`timeout`), or a
    // strike that could not be counted (`failed`, with a warning).
    let escalation = match enforcement.and_then(|e| e.escalation.as_ref()) {
        None => "",
        Some(Ok(None)) => "strike",
        Some(Ok(Some(timeout))) => {
            tracing::info!(room, user_id = %timeout.user_id, until = timeout.until, "sender timed out after repeated denials");
            "timeout"
        }
        Some(Err(why)) => {
            tracing::warn!(room, error = %why, "strike could not be counted");
            "failed"
        }
    };
    match &outcome.review {
        Review::Malformed(error) => tracing::warn!(
            room,
            message_id,
            verdict,
            basis = "error",
            error = %error,
            content,
            latency_us = outcome.elapsed_us,
            "event could not be reviewed; on_error verdict applied"
        ),
        Review::Reviewed(_) => tracing::info!(
            room,
            message_id,
            verdict,
            rewritten,
            basis = outcome.basis(),
            rules = %outcome.rule_ids(),
            sanction,
            escalation,
            content,
            latency_us = outcome.elapsed_us,
            "reviewed"
        ),
    }
}
