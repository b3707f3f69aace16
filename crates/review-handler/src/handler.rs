//! The review handler as a total function: any event JSON in, a valid IVS response
//! out. It never panics and never returns an error, because IVS turns a function error
//! into the room's fallback verdict, which the operator did not choose here.

use std::time::Instant;

use moderation::{Attributes, Basis, Decision, Engine, Message, OnError, Verdict};
use serde_json::Value;

use crate::ivs::{salvage_attributes, Malformed, ReviewRequest, ReviewResponse, ReviewResult};

/// The reason attribute IVS shows to the sender of a denied message.
pub const REASON_ATTRIBUTE: &str = "Reason";

/// A response with what the logs and `--explain` need to know about it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub response: ReviewResponse,
    /// Set when the event was reviewed by the policy.
    pub verdict: Option<Verdict>,
    /// Set when the event could not be reviewed.
    pub error: Option<Malformed>,
    pub room_arn: Option<String>,
    pub message_id: Option<String>,
    pub elapsed_us: u64,
}

/// Reviews raw event text. Text that is not JSON, or nested deeper than the JSON
/// parser allows, is a malformed event like any other.
pub fn review_raw(engine: &Engine, raw: &str) -> Outcome {
    let started = Instant::now();
    match serde_json::from_str::<Value>(raw) {
        Ok(value) => review_value(engine, &value),
        Err(e) => {
            // Parsing into a `Value` fails only on syntax, whose messages give a
            // position and never the input.
            let error = Malformed(format!("event: cannot be read as JSON: {e}"));
            failure(engine, &Value::Null, error, started)
        }
    }
}

/// Reviews an event already parsed as JSON.
pub fn review_value(engine: &Engine, event: &Value) -> Outcome {
    let started = Instant::now();
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
    let response = match verdict.decision {
        Decision::Deny => {
            attributes.insert(
                REASON_ATTRIBUTE.to_owned(),
                verdict.reason.clone().unwrap_or_default(),
            );
            ReviewResponse {
                review_result: ReviewResult::Deny,
                content: request.content.clone(),
                attributes,
            }
        }
        Decision::Allow => {
            attributes.extend(verdict.added_attributes.iter().cloned());
            ReviewResponse {
                review_result: ReviewResult::Allow,
                content: verdict
                    .content
                    .clone()
                    .unwrap_or_else(|| request.content.clone()),
                attributes,
            }
        }
    };
    Outcome {
        response,
        verdict: Some(verdict),
        error: None,
        room_arn: Some(request.room_arn.clone()),
        message_id: Some(request.message_id.clone()),
        elapsed_us: elapsed_us(started),
    }
}

/// The policy's failure verdict, echoing whatever content and attributes are usable.
fn failure(engine: &Engine, event: &Value, error: Malformed, started: Instant) -> Outcome {
    let content = event
        .get("Content")
        .and_then(Value::as_str)
        .map(|c| moderation::rewrite::truncate_chars(c).to_owned())
        .unwrap_or_default();
    let mut attributes: Attributes = salvage_attributes(event.get("Attributes"));
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
        verdict: None,
        error: Some(error),
        room_arn: text_field("RoomArn"),
        message_id: text_field("MessageId"),
        elapsed_us: elapsed_us(started),
    }
}

fn elapsed_us(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)
}

impl Outcome {
    /// `exempt`, `blocked`, `rules` or `error`, for logs.
    pub fn basis(&self) -> &'static str {
        match self.verdict.as_ref().map(|v| v.basis) {
            Some(Basis::Rules) => "rules",
            Some(Basis::Exempt) => "exempt",
            Some(Basis::Blocked) => "blocked",
            None => "error",
        }
    }

    /// Ids of the rules that matched, comma-separated, without repeats.
    pub fn rule_ids(&self) -> String {
        let mut ids: Vec<&str> = Vec::new();
        for m in self.verdict.iter().flat_map(|v| &v.matches) {
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
        assert_eq!(
            out.error.unwrap().0,
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
    fn oversized_content_is_truncated_in_the_failure_response() {
        let out = review_value(&engine("allow"), &event(&"x".repeat(1_000_000)));
        assert!(out.error.is_some());
        assert_eq!(out.response.content.chars().count(), 500);
    }
}
