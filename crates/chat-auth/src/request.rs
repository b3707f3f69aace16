//! The request bodies of each route, read into typed requests. Errors name the field
//! and never quote its value. Whether the caller may do it is the handler's business.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use lambda_setup::json::{json_type, FieldError, Fields};
use serde_json::{Map, Value};

use crate::identity::Capability;

/// Bodies larger than this are refused unread.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// IVS's limit on user IDs.
const USER_ID_CHARS: RangeInclusive<usize> = 1..=128;
/// IVS's limit on `reason` in DisconnectUser and DeleteMessage.
const REASON_CHARS: RangeInclusive<usize> = 1..=256;
/// A ban with a duration is a timeout of at most 30 days.
pub const TIMEOUT_MINUTES: RangeInclusive<i64> = 1..=43_200;

/// `POST /auth`, the IVS chat web demo's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The room as the client named it (`arn`).
    pub room: String,
    /// The `userId` the client sent, which must be the verified one.
    pub user_id: Option<String>,
    pub attributes: BTreeMap<String, String>,
    /// What the client asks for; `None` asks for all its role allows.
    pub capabilities: Option<Vec<Capability>>,
    pub duration_minutes: Option<i64>,
}

/// `POST /moderation/bans`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanRequest {
    pub room: String,
    pub user_id: String,
    /// A timeout's length; `None` bans until lifted.
    pub duration_minutes: Option<i64>,
    pub reason: String,
}

/// `POST /moderation/messages/delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteRequest {
    pub room: String,
    pub message_id: String,
    pub reason: String,
}

/// `POST /event`, the demo's `SendEvent` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRequest {
    pub room: String,
    pub event_name: String,
    pub attributes: BTreeMap<String, String>,
}

/// The body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, FieldError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(FieldError::new(
            "body",
            format!("must be at most {} KB", MAX_BODY_BYTES / 1024),
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(FieldError::new(
            "body",
            format!("expected a JSON object, got {}", json_type(&other)),
        )),
        Err(_) => Err(FieldError::new("body", "expected a JSON object")),
    }
}

fn required(f: &Fields, key: &str, range: RangeInclusive<usize>) -> Result<String, FieldError> {
    f.bounded(key, range)?
        .map(str::to_owned)
        .ok_or_else(|| f.error(key, "missing"))
}

/// A whole number of minutes in `range`; missing and null are `None`.
fn minutes(f: &Fields, key: &str, range: RangeInclusive<i64>) -> Result<Option<i64>, FieldError> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(m) if range.contains(&m) => Ok(Some(m)),
            _ => Err(f.error(
                key,
                format!(
                    "must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )),
        },
        Some(other) => Err(f.error(key, format!("expected a number, got {}", json_type(other)))),
    }
}

fn capabilities(f: &Fields) -> Result<Option<Vec<Capability>>, FieldError> {
    match f.get("capabilities") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().and_then(Capability::parse).ok_or_else(|| {
                    f.error(
                        "capabilities",
                        "items must be SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(f.error(
            "capabilities",
            format!("expected an array, got {}", json_type(other)),
        )),
    }
}

pub fn token(body: &[u8]) -> Result<TokenRequest, FieldError> {
    let map = object(body)?;
    let f = Fields::new(&map, "");
    Ok(TokenRequest {
        room: required(&f, "arn", 1..=256)?,
        user_id: f.bounded("userId", USER_ID_CHARS)?.map(str::to_owned),
        attributes: f.string_map("attributes")?,
        capabilities: capabilities(&f)?,
        duration_minutes: minutes(&f, "durationInMinutes", crate::config::SESSION_RANGE)?,
    })
}

pub fn ban(body: &[u8]) -> Result<BanRequest, FieldError> {
    let map = object(body)?;
    let f = Fields::new(&map, "");
    Ok(BanRequest {
        room: required(&f, "room", 1..=256)?,
        user_id: required(&f, "userId", USER_ID_CHARS)?,
        duration_minutes: minutes(&f, "durationMinutes", TIMEOUT_MINUTES)?,
        reason: required(&f, "reason", REASON_CHARS)?,
    })
}

pub fn delete(body: &[u8]) -> Result<DeleteRequest, FieldError> {
    let map = object(body)?;
    let f = Fields::new(&map, "");
    Ok(DeleteRequest {
        room: required(&f, "room", 1..=256)?,
        message_id: required(&f, "messageId", 1..=128)?,
        reason: required(&f, "reason", REASON_CHARS)?,
    })
}

pub fn event(body: &[u8]) -> Result<EventRequest, FieldError> {
    let map = object(body)?;
    let f = Fields::new(&map, "");
    Ok(EventRequest {
        room: required(&f, "arn", 1..=256)?,
        event_name: required(&f, "eventName", 1..=100)?,
        attributes: f.string_map("eventAttributes")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(result: Result<impl std::fmt::Debug, FieldError>) -> String {
        result.unwrap_err().field
    }

    #[test]
    fn the_demos_token_body() {
        let body = json!({
            "arn": "arn:aws:ivschat:us-east-1:123456789012:room/R1",
            "userId": "ana",
            "attributes": {"username": "Ana", "avatar": "/a.png"},
            "capabilities": ["SEND_MESSAGE", "DELETE_MESSAGE"],
            "durationInMinutes": 55
        });
        let t = token(body.to_string().as_bytes()).unwrap();
        assert_eq!(t.user_id.as_deref(), Some("ana"));
        assert_eq!(t.attributes.len(), 2);
        assert_eq!(
            t.capabilities,
            Some(vec![Capability::SendMessage, Capability::DeleteMessage])
        );
        assert_eq!(t.duration_minutes, Some(55));
        let minimal = token(br#"{"arn":"R1"}"#).unwrap();
        assert_eq!(
            (minimal.capabilities, minimal.duration_minutes),
            (None, None)
        );
    }

    #[test]
    fn bad_bodies_name_the_field() {
        assert_eq!(field(token(b"not json")), "body");
        assert_eq!(field(token(b"[1]")), "body");
        assert_eq!(field(token(&vec![b' '; MAX_BODY_BYTES + 1])), "body");
        assert_eq!(field(token(br#"{}"#)), "arn");
        assert_eq!(
            field(token(br#"{"arn":"R","capabilities":["ADMIN"]}"#)),
            "capabilities"
        );
        assert_eq!(
            field(token(br#"{"arn":"R","capabilities":"SEND_MESSAGE"}"#)),
            "capabilities"
        );
        assert_eq!(
            field(token(br#"{"arn":"R","durationInMinutes":181}"#)),
            "durationInMinutes"
        );
        assert_eq!(
            field(token(br#"{"arn":"R","durationInMinutes":1.5}"#)),
            "durationInMinutes"
        );
        assert_eq!(
            field(token(br#"{"arn":"R","attributes":{"a":1}}"#)),
            "attributes"
        );
        let long_user = json!({"arn": "R", "userId": "u".repeat(129)}).to_string();
        assert_eq!(field(token(long_user.as_bytes())), "userId");

        assert_eq!(field(ban(br#"{"room":"R","userId":"u"}"#)), "reason");
        assert_eq!(field(ban(br#"{"room":"R","reason":"x"}"#)), "userId");
        assert_eq!(
            field(ban(
                br#"{"room":"R","userId":"u","reason":"x","durationMinutes":0}"#
            )),
            "durationMinutes"
        );
        assert_eq!(field(delete(br#"{"room":"R","reason":"x"}"#)), "messageId");
        assert_eq!(field(event(br#"{"arn":"R"}"#)), "eventName");
    }

    #[test]
    fn moderation_bodies() {
        let b =
            ban(br#"{"room":"R1","userId":"troll","durationMinutes":10,"reason":"spam"}"#).unwrap();
        assert_eq!((b.duration_minutes, b.reason.as_str()), (Some(10), "spam"));
        let d = delete(br#"{"room":"R1","messageId":"m1","reason":"off topic"}"#).unwrap();
        assert_eq!(d.message_id, "m1");
        let e = event(
            br#"{"arn":"R1","eventName":"app:DELETE_BY_USER","eventAttributes":{"userId":"u"}}"#,
        )
        .unwrap();
        assert_eq!(e.attributes["userId"], "u");
    }
}
