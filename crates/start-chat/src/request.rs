//! The client's request body, parsed and checked into what Connect will be sent.
//!
//! Clients in the wild send the body as JSON text whatever their `Content-Type` says.
//! Every check names the field and the rule, and nothing unchecked reaches Connect:
//! the instance comes from the server, the flow from the server's allowlist, and only
//! allowlisted attributes are forwarded.

use std::collections::BTreeMap;

use lambda_setup::json::{json_type, FieldError, Fields};
use serde_json::Value;

use crate::config::{Config, DURATION_RANGE};

/// Largest body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Connect's limit on all attribute keys and values together, in UTF-8 bytes.
pub const MAX_ATTRIBUTE_BYTES: usize = 32 * 1024;

/// Content types Connect chat supports.
pub const CONTENT_TYPES: [&str; 5] = [
    "text/plain",
    "text/markdown",
    "application/json",
    "application/vnd.amazonaws.connect.message.interactive",
    "application/vnd.amazonaws.connect.message.interactive.response",
];

/// A request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartChat {
    pub contact_flow_id: String,
    pub display_name: String,
    /// `customerName` (= display name) plus the allowlisted client attributes.
    pub attributes: BTreeMap<String, String>,
    pub initial_message: Option<InitialMessage>,
    pub client_token: Option<String>,
    pub chat_duration_minutes: Option<i32>,
    pub content_types: Option<Vec<String>>,
    pub persistent_chat: Option<PersistentChat>,
    pub related_contact_id: Option<String>,
    /// The resume ticket of the contact that `persistent_chat` or `related_contact_id`
    /// continues (see `resume`).
    pub resume_ticket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialMessage {
    pub content_type: String,
    pub content: String,
    /// Whether the client's text was longer than Connect takes, and cut.
    pub cut: bool,
}

/// Connect's limit on an initial message, in characters.
pub const INITIAL_MESSAGE_CHARS: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistentChat {
    pub rehydration_type: Option<String>,
    pub source_contact_id: Option<String>,
}

impl StartChat {
    /// The earlier contact this chat asks to continue or relate to, if any.
    pub fn continues(&self) -> Option<&str> {
        self.persistent_chat
            .as_ref()
            .and_then(|p| p.source_contact_id.as_deref())
            .or(self.related_contact_id.as_deref())
    }

    /// Drops the request to continue an earlier contact.
    pub fn without_continuation(mut self) -> Self {
        self.persistent_chat = None;
        self.related_contact_id = None;
        self.resume_ticket = None;
        self
    }

    /// Whether the client asked for markdown messages.
    pub fn markdown(&self) -> bool {
        self.content_types
            .as_ref()
            .is_some_and(|t| t.iter().any(|t| t == "text/markdown"))
    }
}

/// A rejected request: the field and the rule it broke.
pub type Invalid = FieldError;

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Invalid {
    FieldError::new(field, message)
}

/// A string field where empty means absent, as clients send empty strings for
/// fields they do not use.
fn text<'a>(fields: &Fields<'a>, key: &str) -> Result<Option<&'a str>, Invalid> {
    Ok(fields.str(key)?.filter(|s| !s.is_empty()))
}

/// Parses and checks a body. `idempotency_key` is the `Idempotency-Key` header, used
/// when the body has no `ClientToken`.
pub fn parse(
    body: &[u8],
    idempotency_key: Option<&str>,
    config: &Config,
) -> Result<StartChat, Invalid> {
    if body.len() > MAX_BODY_BYTES {
        return Err(invalid(
            "body",
            format!("must be at most {} KB", MAX_BODY_BYTES / 1024),
        ));
    }
    let text = std::str::from_utf8(body).map_err(|_| invalid("body", "must be UTF-8 JSON text"))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| invalid("body", format!("must be a JSON object: {e}")))?;
    let Value::Object(map) = &value else {
        return Err(invalid(
            "body",
            format!("must be a JSON object, got {}", json_type(&value)),
        ));
    };
    let top = Fields::new(map, "");

    check_instance(&top, config)?;
    let contact_flow_id = choose_flow(&top, config)?;

    let participant = top
        .object("ParticipantDetails")?
        .ok_or_else(|| invalid("ParticipantDetails.DisplayName", "required"))?;
    let participant = Fields::new(participant, "ParticipantDetails.");
    let display_name = participant
        .bounded("DisplayName", 1..=256)?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid("ParticipantDetails.DisplayName", "required, and not blank"))?
        .to_owned();

    let attributes = attributes(map.get("Attributes"), &display_name, config)?;
    let content_types = content_types(map.get("SupportedMessagingContentTypes"))?;
    let chat_duration_minutes =
        duration(map.get("ChatDurationInMinutes"))?.or(config.default_duration);
    let initial_message = initial_message(&top)?;

    let client_token = match top.bounded("ClientToken", 1..=500)? {
        Some(t) => Some(t.to_owned()),
        None => idempotency_key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                if k.chars().count() > 500 {
                    Err(invalid("Idempotency-Key", "must be 1 to 500 characters"))
                } else {
                    Ok(k.to_owned())
                }
            })
            .transpose()?,
    };

    let persistent_chat = match top.object("PersistentChat")? {
        None => None,
        Some(p) => {
            let p = Fields::new(p, "PersistentChat.");
            Some(PersistentChat {
                rehydration_type: p
                    .one_of("RehydrationType", &["ENTIRE_PAST_SESSION", "FROM_SEGMENT"])?
                    .map(str::to_owned),
                source_contact_id: p.bounded("SourceContactId", 1..=256)?.map(str::to_owned),
            })
        }
    };
    let related_contact_id = top.bounded("RelatedContactId", 1..=256)?.map(str::to_owned);
    if persistent_chat.is_some() && related_contact_id.is_some() {
        return Err(invalid(
            "RelatedContactId",
            "cannot be combined with PersistentChat",
        ));
    }

    let resume_ticket = top.bounded("ResumeTicket", 1..=512)?.map(str::to_owned);

    Ok(StartChat {
        contact_flow_id,
        display_name,
        attributes,
        initial_message,
        client_token,
        chat_duration_minutes,
        content_types,
        persistent_chat,
        related_contact_id,
        resume_ticket,
    })
}

/// The instance is the server's; a client may only name that same one.
fn check_instance(top: &Fields<'_>, config: &Config) -> Result<(), Invalid> {
    for key in ["InstanceId", "ConnectInstanceId"] {
        if let Some(id) = text(top, key)? {
            if !id.eq_ignore_ascii_case(&config.instance_id) {
                return Err(invalid(key, "is not the instance this API serves"));
            }
        }
    }
    Ok(())
}

/// The client's flow when allowlisted, else the default flow.
fn choose_flow(top: &Fields<'_>, config: &Config) -> Result<String, Invalid> {
    match text(top, "ContactFlowId")? {
        Some(flow) => config
            .allowed_flows
            .get(&flow.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| invalid("ContactFlowId", "is not one of the flows this API allows")),
        None => config
            .default_flow
            .clone()
            .ok_or_else(|| invalid("ContactFlowId", "required: this API has no default flow")),
    }
}

/// `customerName` plus the allowlisted client attributes. `Attributes` may be an
/// object or a JSON string holding one (as the ChatJS README sends it); keys outside
/// the allowlist are dropped, as the official sample drops them all.
fn attributes(
    value: Option<&Value>,
    display_name: &str,
    config: &Config,
) -> Result<BTreeMap<String, String>, Invalid> {
    let parsed;
    let map = match value {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => {
                parsed = m;
                Some(&parsed)
            }
            _ => return Err(invalid("Attributes", "a string must hold a JSON object")),
        },
        Some(other) => {
            return Err(invalid(
                "Attributes",
                format!(
                    "expected an object or a JSON string holding one, got {}",
                    json_type(other)
                ),
            ))
        }
    };
    let mut out = BTreeMap::new();
    for (key, value) in map.into_iter().flatten() {
        if !config.attribute_keys.contains(key) {
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            other => {
                return Err(invalid(
                    format!("Attributes.{key}"),
                    format!("expected a string, got {}", json_type(other)),
                ))
            }
        };
        out.insert(key.clone(), text);
    }
    out.insert("customerName".to_owned(), display_name.to_owned());
    let size: usize = out.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_ATTRIBUTE_BYTES {
        return Err(invalid(
            "Attributes",
            format!("must be at most {MAX_ATTRIBUTE_BYTES} bytes in all, got {size}"),
        ));
    }
    Ok(out)
}

fn content_types(value: Option<&Value>) -> Result<Option<Vec<String>>, Invalid> {
    const FIELD: &str = "SupportedMessagingContentTypes";
    let items = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(invalid(
                FIELD,
                format!("expected an array, got {}", json_type(other)),
            ))
        }
    };
    let mut types = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if CONTENT_TYPES.contains(&s.as_str()) => types.push(s.clone()),
            _ => {
                return Err(invalid(
                    format!("{FIELD}[{i}]"),
                    format!("must be one of {}", CONTENT_TYPES.join(", ")),
                ))
            }
        }
    }
    if !types.iter().any(|t| t == "text/plain") {
        return Err(invalid(FIELD, "must include text/plain"));
    }
    Ok(Some(types))
}

fn duration(value: Option<&Value>) -> Result<Option<i32>, Invalid> {
    const FIELD: &str = "ChatDurationInMinutes";
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(m) if DURATION_RANGE.contains(&m) => Ok(Some(m as i32)),
            _ => Err(invalid(
                FIELD,
                "must be a whole number of minutes from 60 to 10080",
            )),
        },
        Some(other) => Err(invalid(
            FIELD,
            format!("expected a number, got {}", json_type(other)),
        )),
    }
}

fn initial_message(top: &Fields<'_>) -> Result<Option<InitialMessage>, Invalid> {
    let Some(message) = top.object("InitialMessage")? else {
        return Ok(None);
    };
    let message = Fields::new(message, "InitialMessage.");
    let content_type = message
        .one_of("ContentType", &["text/plain", "text/markdown"])?
        .ok_or_else(|| invalid("InitialMessage.ContentType", "required"))?;
    let content =
        text(&message, "Content")?.ok_or_else(|| invalid("InitialMessage.Content", "required"))?;
    // The sample dropped the initial message, so one too long for Connect must not
    // fail the chat: it is cut on a character boundary instead.
    let (content, cut) = match content.char_indices().nth(INITIAL_MESSAGE_CHARS) {
        Some((end, _)) => (&content[..end], true),
        None => (content, false),
    };
    Ok(Some(InitialMessage {
        content_type: content_type.to_owned(),
        content: content.to_owned(),
        cut,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
    const FLOW: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    fn config() -> Config {
        let vars = [
            ("INSTANCE_ID", INSTANCE),
            ("CONTACT_FLOW_ID", FLOW),
            ("ALLOWED_ORIGINS", "*"),
            ("ALLOWED_ATTRIBUTE_KEYS", "orderId"),
            ("DEFAULT_CHAT_DURATION_MINUTES", "90"),
        ];
        Config::from_env(&lambda_setup::config::Env::from_pairs(&vars)).unwrap()
    }

    fn parse_json(body: serde_json::Value, key: Option<&str>) -> Result<StartChat, Invalid> {
        parse(body.to_string().as_bytes(), key, &config())
    }

    #[test]
    fn minimal_body_gets_server_defaults() {
        let chat = parse_json(json!({"ParticipantDetails": {"DisplayName": "Ana"}}), None).unwrap();
        assert_eq!(chat.contact_flow_id, FLOW);
        assert_eq!(chat.display_name, "Ana");
        assert_eq!(
            chat.attributes,
            BTreeMap::from([("customerName".into(), "Ana".into())])
        );
        assert_eq!(chat.chat_duration_minutes, Some(90));
        assert!(!chat.markdown());
        assert_eq!(
            (chat.client_token, chat.initial_message, chat.content_types),
            (None, None, None)
        );
    }

    #[test]
    fn client_values_override_defaults() {
        let chat = parse_json(
            json!({"ParticipantDetails": {"DisplayName": "Ana"}, "ChatDurationInMinutes": 600,
                   "SupportedMessagingContentTypes": ["text/plain", "text/markdown"],
                   "ClientToken": "body-token", "Attributes": "{\"orderId\": \"A1\", \"x\": \"y\"}"}),
            Some("header-token"),
        )
        .unwrap();
        assert_eq!(chat.chat_duration_minutes, Some(600));
        assert!(chat.markdown());
        assert_eq!(
            chat.client_token.as_deref(),
            Some("body-token"),
            "the body wins over the header"
        );
        assert_eq!(
            chat.attributes.get("orderId").map(String::as_str),
            Some("A1")
        );
        assert!(!chat.attributes.contains_key("x"));
    }

    #[test]
    fn idempotency_header_fills_a_missing_token() {
        let chat = parse_json(
            json!({"ParticipantDetails": {"DisplayName": "Ana"}}),
            Some(" k1 "),
        )
        .unwrap();
        assert_eq!(chat.client_token.as_deref(), Some("k1"));
        let long = "k".repeat(501);
        let err = parse_json(
            json!({"ParticipantDetails": {"DisplayName": "Ana"}}),
            Some(&long),
        )
        .unwrap_err();
        assert_eq!(err.field, "Idempotency-Key");
    }

    #[test]
    fn instance_ids_compare_without_case_and_empty_means_absent() {
        let upper = INSTANCE.to_uppercase();
        assert!(parse_json(
            json!({"ParticipantDetails": {"DisplayName": "A"}, "InstanceId": upper}),
            None
        )
        .is_ok());
        assert!(parse_json(
            json!({"ParticipantDetails": {"DisplayName": "A"}, "InstanceId": ""}),
            None
        )
        .is_ok());
        let err = parse_json(
            json!({"ParticipantDetails": {"DisplayName": "A"}, "ConnectInstanceId": "x"}),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ConnectInstanceId: is not the instance this API serves"
        );
    }

    #[test]
    fn flows_are_sent_as_configured_whatever_the_client_spelling() {
        let chat = parse_json(
            json!({"ParticipantDetails": {"DisplayName": "A"}, "ContactFlowId": FLOW.to_uppercase()}),
            None,
        )
        .unwrap();
        assert_eq!(chat.contact_flow_id, FLOW);
    }

    #[test]
    fn continuations_name_their_contact() {
        let chat = parse_json(
            json!({"ParticipantDetails": {"DisplayName": "A"}, "ResumeTicket": "t",
                   "PersistentChat": {"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": "c1"}}),
            None,
        )
        .unwrap();
        assert_eq!(chat.continues(), Some("c1"));
        assert_eq!(chat.resume_ticket.as_deref(), Some("t"));
        let plain = chat.without_continuation();
        assert_eq!(plain.continues(), None);
        assert_eq!(plain.persistent_chat, None);
        let related = parse_json(
            json!({"ParticipantDetails": {"DisplayName": "A"}, "RelatedContactId": "c2"}),
            None,
        )
        .unwrap();
        assert_eq!(related.continues(), Some("c2"));
    }

    #[test]
    fn display_name_length_counts_characters_not_bytes() {
        let name = "é".repeat(256);
        assert!(parse_json(json!({"ParticipantDetails": {"DisplayName": name}}), None).is_ok());
    }
}
