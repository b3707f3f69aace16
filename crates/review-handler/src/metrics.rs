//! What each review adds to CloudWatch (Embedded Metric Format, see
//! `lambda_setup::metrics`): reviews, verdicts, errors and latency per room and in all;
//! and, per rule that matched, its action per rule and per room.

use lambda_setup::metrics::{Metrics, Record, Unit};

use crate::handler::{Outcome, Review};
use crate::ivs::ReviewResult;
use crate::sanctions::{Enforcement, Standing};

const PER_ROOM: &[&[&str]] = &[&["Room"], &[]];
const PER_RULE: &[&[&str]] = &[&["Rule", "Action"], &["Room", "Rule", "Action"]];

/// The room's ID as a dimension: the end of its ARN, `unknown` without one, never
/// longer than an IVS room ID can be (the event is the caller's input).
fn room(outcome: &Outcome) -> &str {
    let id = outcome.room_arn.as_deref().map_or("", chat_state::room_id);
    match id.char_indices().nth(64) {
        _ if id.is_empty() => "unknown",
        Some((end, _)) => &id[..end],
        None => id,
    }
}

fn count(yes: bool) -> f64 {
    f64::from(u8::from(yes))
}

/// The metrics of one reviewed (or unreadable) event.
pub fn review(metrics: &Metrics, outcome: &Outcome, enforcement: Option<&Enforcement>) {
    let room = room(outcome);
    let denied = outcome.response.review_result == ReviewResult::Deny;
    let rewritten = matches!(&outcome.review, Review::Reviewed(v) if v.rewritten().is_some());
    let malformed = matches!(outcome.review, Review::Malformed(_));
    let standing = enforcement.map(|e| &e.standing);
    metrics.emit(&Record {
        dimensions: &[("Room", room)],
        sets: PER_ROOM,
        values: &[
            ("Reviews", 1.0, Unit::Count),
            ("Denied", count(denied), Unit::Count),
            ("Rewritten", count(rewritten), Unit::Count),
            ("Errors", count(malformed), Unit::Count),
            (
                "SanctionDenied",
                count(matches!(standing, Some(Standing::Sanctioned(_)))),
                Unit::Count,
            ),
            (
                "SanctionLookupFailed",
                count(matches!(standing, Some(Standing::Unknown(_)))),
                Unit::Count,
            ),
            (
                "ReviewLatency",
                outcome.elapsed_us as f64 / 1000.0,
                Unit::Milliseconds,
            ),
        ],
    });
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for m in outcome.matches() {
        let key = (&*m.rule, m.action.name());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        metrics.emit(&Record {
            dimensions: &[("Room", room), ("Rule", key.0), ("Action", key.1)],
            sets: PER_RULE,
            values: &[("Matches", 1.0, Unit::Count)],
        });
    }
}

/// The metrics of an event denied because no policy could be loaded: what the
/// `PolicyUnavailable` alarm watches.
pub fn unavailable(metrics: &Metrics) {
    metrics.emit(&Record {
        dimensions: &[],
        sets: &[&[]],
        values: &[
            ("Reviews", 1.0, Unit::Count),
            ("Denied", 1.0, Unit::Count),
            ("PolicyUnavailable", 1.0, Unit::Count),
        ],
    });
}

/// A policy version that arrived live and was refused (the last good one stays).
pub fn policy_rejected(metrics: &Metrics) {
    metrics.emit(&Record {
        dimensions: &[],
        sets: &[&[]],
        values: &[("PolicyRejected", 1.0, Unit::Count)],
    });
}
