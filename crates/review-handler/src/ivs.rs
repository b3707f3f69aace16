//! The IVS Chat message review contract. `aws_lambda_events` has no type for it.
//!
//! Requests are read field by field from JSON so that a malformed event is described
//! by field and type only: serde's own messages quote the offending value, which may
//! be message text and must not reach the logs.

use lambda_setup::json::{json_type, FieldError, Fields};
use moderation::Attributes;
use serde::Serialize;
use serde_json::Value;

/// Most code points a room accepts in a message (`MaximumMessageLength` ≤ 500): no
/// response may carry more.
pub const MAX_CONTENT_CHARS: usize = 500;

/// A review request as IVS sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub content: String,
    pub message_id: String,
    pub room_arn: String,
    pub attributes: Attributes,
    pub sender: Sender,
}

/// The sender, as far as reviews use it (IVS also sends `Ip`, which is not read, so
/// that whatever it holds never stops a review).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub user_id: String,
    pub attributes: Attributes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReviewResult {
    Allow,
    Deny,
}

/// The handler's answer to IVS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewResponse {
    #[serde(rename = "ReviewResult")]
    pub review_result: ReviewResult,
    #[serde(rename = "Content")]
    pub content: String,
    #[serde(rename = "Attributes")]
    pub attributes: Attributes,
}

/// Why an event could not be read, naming the field and never its value.
pub type Malformed = FieldError;

/// `text` cut to at most `MAX_CONTENT_CHARS` code points.
pub fn truncate(text: &str) -> &str {
    if text.len() <= MAX_CONTENT_CHARS {
        // Never more code points than bytes.
        return text;
    }
    match text.char_indices().nth(MAX_CONTENT_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// The string attributes of `value`, dropping anything else: what can still be echoed
/// when the event as a whole is malformed.
pub fn salvage_attributes(value: Option<&Value>) -> Attributes {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
            .collect(),
        _ => Attributes::new(),
    }
}

impl ReviewRequest {
    /// Reads and checks a request. Unknown fields are ignored, as IVS may add some.
    pub fn from_value(value: &Value) -> Result<Self, Malformed> {
        let Value::Object(obj) = value else {
            return Err(FieldError::new(
                "event",
                format!("expected an object, got {}", json_type(value)),
            ));
        };
        let top = Fields::new(obj, "");
        let content = top.required_str("Content")?;
        if content.chars().count() > MAX_CONTENT_CHARS {
            return Err(top.error(
                "Content",
                format!("longer than {MAX_CONTENT_CHARS} code points"),
            ));
        }
        let sender = top
            .object("Sender")?
            .ok_or_else(|| top.error("Sender", "missing"))?;
        let sender = Fields::new(sender, "Sender.");
        Ok(ReviewRequest {
            content: content.to_owned(),
            message_id: top.required_str("MessageId")?.to_owned(),
            room_arn: top.required_str("RoomArn")?.to_owned(),
            attributes: top.string_map("Attributes")?,
            sender: Sender {
                user_id: sender.required_str("UserId")?.to_owned(),
                attributes: sender.string_map("Attributes")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Value {
        json!({"Content": "hi", "MessageId": "m1", "RoomArn": "arn:aws:ivschat:us-east-1:1:room/r",
               "Attributes": {"a": "b"},
               "Sender": {"UserId": "u1", "Ip": "1.2.3.4", "Attributes": {"role": "mod"}}})
    }

    #[test]
    fn reads_a_full_request() {
        let r = ReviewRequest::from_value(&event()).unwrap();
        assert_eq!(r.content, "hi");
        assert_eq!(r.attributes["a"], "b");
        assert_eq!(r.sender.attributes["role"], "mod");
    }

    #[test]
    fn optional_fields_may_be_missing_or_null() {
        let mut e = event();
        e["Attributes"] = Value::Null;
        e["Sender"].as_object_mut().unwrap().remove("Attributes");
        e["Sender"].as_object_mut().unwrap().remove("Ip");
        let r = ReviewRequest::from_value(&e).unwrap();
        assert!(r.attributes.is_empty() && r.sender.attributes.is_empty());
    }

    #[test]
    fn an_unread_ip_of_any_type_does_not_stop_a_review() {
        let mut e = event();
        e["Sender"]["Ip"] = json!({"v4": [1, 2, 3, 4]});
        assert_eq!(ReviewRequest::from_value(&e).unwrap().content, "hi");
    }

    #[test]
    fn truncates_by_code_points() {
        let long = "é".repeat(600);
        assert_eq!(truncate(&long).chars().count(), MAX_CONTENT_CHARS);
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        let mut e = event();
        e["Content"] = json!(12345);
        assert_eq!(
            ReviewRequest::from_value(&e).unwrap_err().to_string(),
            "Content: expected a string, got a number"
        );
        let mut e = event();
        e["Attributes"] = json!({"k": {"secret": "text"}});
        let err = ReviewRequest::from_value(&e).unwrap_err().to_string();
        assert_eq!(err, "Attributes: values must be strings, got an object");
        let mut e = event();
        e["Sender"].as_object_mut().unwrap().remove("UserId");
        assert_eq!(
            ReviewRequest::from_value(&e).unwrap_err().to_string(),
            "Sender.UserId: missing"
        );
        assert_eq!(
            ReviewRequest::from_value(&json!([1]))
                .unwrap_err()
                .to_string(),
            "event: expected an object, got an array"
        );
    }

    #[test]
    fn response_serialises_with_ivs_names() {
        let r = ReviewResponse {
            review_result: ReviewResult::Deny,
            content: "x".into(),
            attributes: [("Reason".to_owned(), "no".to_owned())].into(),
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"ReviewResult": "DENY", "Content": "x", "Attributes": {"Reason": "no"}})
        );
    }
}
