//! The IVS Chat message review contract. `aws_lambda_events` has no type for it.
//!
//! Requests are read field by field from JSON so that a malformed event is described
//! by field and type only: serde's own messages quote the offending value, which may
//! be message text and must not reach the logs.

use lambda_support::json_type;
use moderation::Attributes;
use serde::Serialize;
use serde_json::{Map, Value};

/// Most code points a room accepts in a message (`MaximumMessageLength` ≤ 500).
pub const MAX_CONTENT_CHARS: usize = moderation::rewrite::MAX_CONTENT_CHARS;

/// A review request as IVS sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub content: String,
    pub message_id: String,
    pub room_arn: String,
    pub attributes: Attributes,
    pub sender: Sender,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub user_id: String,
    pub attributes: Attributes,
    pub ip: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

fn string(obj: &Map<String, Value>, field: &str, path: &str) -> Result<String, Malformed> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(Malformed(format!(
            "{path}{field}: expected a string, got {}",
            json_type(other)
        ))),
        None => Err(Malformed(format!("{path}{field}: missing"))),
    }
}

/// A string map; absent or null means empty.
fn attributes(obj: &Map<String, Value>, field: &str, path: &str) -> Result<Attributes, Malformed> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(Attributes::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(Malformed(format!(
                    "{path}{field}: values must be strings, got {}",
                    json_type(other)
                ))),
            })
            .collect(),
        Some(other) => Err(Malformed(format!(
            "{path}{field}: expected an object of strings, got {}",
            json_type(other)
        ))),
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
            return Err(Malformed(format!(
                "event: expected an object, got {}",
                json_type(value)
            )));
        };
        let content = string(obj, "Content", "")?;
        if content.chars().count() > MAX_CONTENT_CHARS {
            return Err(Malformed(format!(
                "Content: longer than {MAX_CONTENT_CHARS} code points"
            )));
        }
        let sender = match obj.get("Sender") {
            Some(Value::Object(s)) => Sender {
                user_id: string(s, "UserId", "Sender.")?,
                attributes: attributes(s, "Attributes", "Sender.")?,
                ip: match s.get("Ip") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(string(s, "Ip", "Sender.")?),
                },
            },
            Some(other) => {
                return Err(Malformed(format!(
                    "Sender: expected an object, got {}",
                    json_type(other)
                )))
            }
            None => return Err(Malformed("Sender: missing".to_owned())),
        };
        Ok(ReviewRequest {
            content,
            message_id: string(obj, "MessageId", "")?,
            room_arn: string(obj, "RoomArn", "")?,
            attributes: attributes(obj, "Attributes", "")?,
            sender,
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
        assert_eq!(r.sender.ip.as_deref(), Some("1.2.3.4"));
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
    fn errors_name_the_field_not_the_value() {
        let mut e = event();
        e["Content"] = json!(12345);
        assert_eq!(
            ReviewRequest::from_value(&e).unwrap_err().0,
            "Content: expected a string, got a number"
        );
        let mut e = event();
        e["Attributes"] = json!({"k": {"secret": "text"}});
        let err = ReviewRequest::from_value(&e).unwrap_err().0;
        assert_eq!(err, "Attributes: values must be strings, got an object");
        let mut e = event();
        e["Sender"].as_object_mut().unwrap().remove("UserId");
        assert_eq!(
            ReviewRequest::from_value(&e).unwrap_err().0,
            "Sender.UserId: missing"
        );
        assert_eq!(
            ReviewRequest::from_value(&json!([1])).unwrap_err().0,
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
