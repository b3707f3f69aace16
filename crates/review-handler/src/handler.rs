//! The review handler as a total function: any event JSON in, a valid IVS response
//! out. It never panics and never returns an error, because IVS turns a function error
//! into the room's fallback verdict, which the operator did not choose here.

use std::time::Instant;

use moderation::{Attributes, Decision, Engine, Message, OnError, Verdict};
use serde_json::Value;

use crate::ivs::{
    salvage_attributes, truncate, Malformed, ReviewRequest, ReviewResponse, ReviewResult,
};

/// The reason attribute IVS shows to the sender of a denied message.
pub const REASON_ATTRIBUTE: &str = "Reason";

/// The reason every message is denied with while the policy cannot be loaded.
pub const UNAVAILABLE_REASON: &str =
    "Chat moderation is unavailable: the room's policy could not be loaded.";

/// A response with what the logs and `--explain` need to know about it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub response: ReviewResponse,
    pub review: Review,
    pub room_arn: Option<String>,
    pub message_id: Option<String>,
    /// The sender's user ID, when the event could be read.
    pub user_id: Option<String>,
    /// From the start of handling (JSON parsing included) to the response.
    pub elapsed_us: u64,
}

/// Whether the event was reviewed, or could not be.
#[derive(Debug, Clone)]
pub enum Review {
    /// The policy judged it.
    Reviewed(Verdict),
    /// It could not be read; the policy's `on_error` verdict applied.
    Malformed(Malformed),
}

/// Reviews raw event text. Text that is not JSON, or nested deeper than the JSON
/// parser allows, is a malformed event like any other.
pub fn review_raw(engine: &Engine, raw: &str) -> Outcome {
    let started = Instant::now();
    match serde_json::from_str::<Value>(raw) {
        Ok(value) => review_since(engine, &value, started),
        Err(e) => {
            // Parsing into a `Value` fails only on syntax, whose messages give a
            // position and never the input.
            let error = Malformed::new("event", format!("cannot be read as JSON: {e}"));
            failure(engine, &Value::Null, error, started)
        }
    }
}

/// The policy's `on_error` verdict for input that is not an event at all (a line of
/// the local `check` command that is not UTF-8).
pub fn unreadable(engine: &Engine, error: Malformed) -> Outcome {
    failure(engine, &Value::Null, error, Instant::now())
}

/// The answer to any event while the configured policy cannot be loaded: a DENY with
/// `UNAVAILABLE_REASON`, so that nothing reaches the room unmoderated (a function that
/// failed to start would leave every message to the room's fallback, ALLOW by default).
pub fn unavailable(raw: &str) -> ReviewResponse {
    let event: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
    let (content, mut attributes) = salvage(&event);
    attributes.insert(REASON_ATTRIBUTE.to_owned(), UNAVAILABLE_REASON.to_owned());
    ReviewResponse {
        review_result: ReviewResult::Deny,
        content,
        attributes,
    }
}

/// Reviews an event already parsed as JSON.
pub fn review_value(engine: &Engine, event: &Value) -> Outcome {
    review_since(engine, event, Instant::now())
}

fn review_since(engine: &Engine, event: &Value, started: Instant) -> Outcome {
    match ReviewRequest::from_value(event) {
        Ok(request) => review_request(engine, &request, started),
        Err(error) => failure(engine, event, error, started),
    }
}

fn review_request(engine: &Engine, request: &ReviewRequest, started: Instant) -> Outcome {
    let verdict = engine.review(&Message {
        content: &request.content,
        room_arn: &request.room_arn,
        user_id: &request.sender.user_id,
        sender_attributes: &request.sender.attributes,
    });
    let mut attributes = request.attributes.clone();
    let (review_result, content) = match &verdict.decision {
        Decision::Deny(reason) => {
            attributes.insert(REASON_ATTRIBUTE.to_owned(), reason.clone());
            (ReviewResult::Deny, request.content.clone())
        }
        Decision::Allow => (ReviewResult::Allow, request.content.clone()),
        // A replacement may make the text longer than a room accepts.
        Decision::Rewrite(text) => (ReviewResult::Allow, truncate(text).to_owned()),
    };
    if review_result == ReviewResult::Allow {
        attributes.extend(verdict.added_attributes.iter().cloned());
    }
    Outcome {
        response: ReviewResponse {
            review_result,
            content,
            attributes,
        },
        review: Review::Reviewed(verdict),
        room_arn: Some(request.room_arn.clone()),
        message_id: Some(request.message_id.clone()),
        user_id: Some(request.sender.user_id.clone()),
        elapsed_us: elapsed_us(started),
    }
}

/// Whatever content (cut to IVS's limit) and attributes of a bad event are usable.
fn salvage(event: &Value) -> (String, Attributes) {
    let content = event
        .get("Content")
        .and_then(Value::as_str)
        .map(|c| truncate(c).to_owned())
        .unwrap_or_default();
    (content, salvage_attributes(event.get("Attributes")))
}

/// The policy's failure verdict, echoing whatever content and attributes are usable.
fn failure(engine: &Engine, event: &Value, error: Malformed, started: Instant) -> Outcome {
    let (content, mut attributes) = salvage(event);
    let review_result = match engine.on_error() {
        OnError::Allow => ReviewResult::Allow,
        OnError::Deny => {
            attributes.insert(
                REASON_ATTRIBUTE.to_owned(),
                engine.error_reason().to_owned(),
            );
            ReviewResult::Deny
        }
    };
    let text_field = |name: &str| event.get(name).and_then(Value::as_str).map(str::to_owned);
    Outcome {
        response: ReviewResponse {
            review_result,
            content,
            attributes,
        },
        review: Review::Malformed(error),
        room_arn: text_field("RoomArn"),
        message_id: text_field("MessageId"),
        user_id: None,
        elapsed_us: elapsed_us(started),
    }
}

fn elapsed_us(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)
}

impl Outcome {
    /// `exempt`, `blocked`, `rules` or `error`, for logs.
    pub fn basis(&self) -> &'static str {
        match &self.review {
            Review::Reviewed(v) => v.basis.name(),
            Review::Malformed(_) => "error",
        }
    }

    /// The rules that matched, when the event was reviewed.
    pub fn matches(&self) -> &[moderation::RuleMatch] {
        match &self.review {
            Review::Reviewed(v) => &v.matches,
            Review::Malformed(_) => &[],
        }
    }

    /// Ids of the rules that matched, comma-separated, without repeats.
    pub fn rule_ids(&self) -> String {
        let mut ids: Vec<&str> = Vec::new();
        for m in self.matches() {
            if !ids.contains(&&*m.rule) {
                ids.push(&m.rule);
            }
        }
        ids.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use moderation::Policy;
    use serde_json::json;

    fn engine(on_error: &str) -> Engine {
        let policy = Policy::from_toml(&format!(
            "on_error = \"{on_error}\"\nerror_reason = \"broken\"\n[[defaults.rules]]\nid = \"t\"\nkind = \"terms\"\nterms = [\"bad\"]\naction = \"mask\"\n[[defaults.rules]]\nid = \"d\"\nkind = \"terms\"\nterms = [\"worse\"]\naction = \"deny\"\nreason = \"too bad\"\n"
        ))
        .unwrap();
        Engine::compile(&policy).unwrap()
    }

    fn event(content: &str) -> Value {
        json!({"Content": content, "MessageId": "m1", "RoomArn": "arn:aws:ivschat:us-east-1:1:room/r",
               "Attributes": {"color": "red"}, "Sender": {"UserId": "u1", "Attributes": {}}})
    }

    #[test]
    fn allow_echoes_content_and_attributes() {
        let out = review_value(&engine("deny"), &event("hello"));
        assert_eq!(out.response.review_result, ReviewResult::Allow);
        assert_eq!(out.response.content, "hello");
        assert_eq!(
            out.response.attributes,
            [("color".to_owned(), "red".to_owned())].into()
        );
    }

    #[test]
    fn rewrite_keeps_attributes_and_adds_the_marker() {
        let out = review_value(&engine("deny"), &event("a bad day"));
        assert_eq!(out.response.content, "a *** day");
        assert_eq!(out.response.attributes["color"], "red");
        assert_eq!(out.response.attributes["moderated"], "t");
    }

    #[test]
    fn deny_sets_the_reason() {
        let out = review_value(&engine("allow"), &event("worse"));
        assert_eq!(out.response.review_result, ReviewResult::Deny);
        assert_eq!(out.response.attributes["Reason"], "too bad");
    }

    #[test]
    fn malformed_events_follow_on_error() {
        let mut e = event("bad");
        e["Sender"] = json!("nobody");
        let out = review_value(&engine("deny"), &e);
        assert_eq!(out.response.review_result, ReviewResult::Deny);
        assert_eq!(out.response.attributes["Reason"], "broken");
        let Review::Malformed(error) = out.review else {
            panic!("reviewed a malformed event");
        };
        assert_eq!(
            error.to_string(),
            "Sender: expected an object, got a string"
        );

        let out = review_value(&engine("allow"), &e);
        assert_eq!(out.response.review_result, ReviewResult::Allow);
        assert_eq!(
            out.response.content, "bad",
            "content is echoed, not reviewed"
        );
        assert_eq!(
            out.response.attributes,
            [("color".to_owned(), "red".to_owned())].into()
        );
    }

    #[test]
    fn not_json_and_deep_nesting_are_malformed_not_fatal() {
        let out = review_raw(&engine("deny"), "{not json");
        assert_eq!(out.response.review_result, ReviewResult::Deny);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let out = review_raw(&engine("allow"), &deep);
        assert_eq!(out.response.review_result, ReviewResult::Allow);
        assert_eq!(out.response.content, "");
    }

    #[test]
    fn a_rewrite_never_exceeds_what_a_room_accepts() {
        let policy = Policy::from_toml(
            "[[defaults.rules]]\nid = \"grow\"\nkind = \"regex\"\npattern = \"a\"\naction = \"replace\"\nreplacement = \"éééééééééé\"\n",
        )
        .unwrap();
        let out = review_value(&Engine::compile(&policy).unwrap(), &event(&"a".repeat(100)));
        assert_eq!(out.response.review_result, ReviewResult::Allow);
        assert_eq!(out.response.content, "é".repeat(500));
    }

    #[test]
    fn without_a_policy_every_event_is_denied_with_the_reason() {
        for raw in [
            r#"{"Content": "hello", "Attributes": {"a": "b"}}"#,
            "not json",
            "[]",
        ] {
            let r = unavailable(raw);
            assert_eq!(r.review_result, ReviewResult::Deny, "{raw}");
            assert_eq!(r.attributes[REASON_ATTRIBUTE], UNAVAILABLE_REASON);
        }
        assert_eq!(
            unavailable(r#"{"Content": "hello", "Attributes": {"a": "b"}}"#).attributes["a"],
            "b"
        );
    }

    #[test]
    fn oversized_content_is_truncated_in_the_failure_response() {
        let out = review_value(&engine("allow"), &event(&"x".repeat(1_000_000)));
        assert!(matches!(out.review, Review::Malformed(_)));
        assert_eq!(out.response.content.chars().count(), 500);
    }
}
