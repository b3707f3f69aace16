//! What each route does, once the caller is known: tokens, bans and timeouts, message
//! deletion and events. Every check comes before any call to IVS or write to the table.

use std::collections::BTreeMap;

use chat_state::{room_id, Sanction, SanctionStore};
use lambda_http::http::StatusCode;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::handler::{App, Audit, Caller, Outcome};
use crate::identity::{Capability, Identity};
use crate::request;
use crate::rooms::ChatRooms;

/// IVS's limit on a token's or an event's attributes, keys and values together.
pub const MAX_ATTRIBUTE_BYTES: usize = 1024;

fn audit(action: &'static str, role: &'static str, room: &str, target: &str) -> Option<Audit> {
    Some(Audit {
        action,
        role,
        room: room_id(room).to_owned(),
        target: target.to_owned(),
    })
}

/// An RFC 3339 time for Unix seconds.
fn rfc3339(seconds: u64) -> String {
    let t = aws_smithy_types::DateTime::from_secs(i64::try_from(seconds).unwrap_or(i64::MAX));
    t.fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

fn sanction_json(s: &Sanction) -> Value {
    json!({
        "room": s.room,
        "userId": s.user_id,
        "kind": s.kind(),
        "reason": s.reason,
        "by": s.by,
        "createdAt": rfc3339(s.created_at),
        "until": s.until.map(rfc3339),
    })
}

/// 403 for a sanctioned user: what it is, why, and until when.
fn refused(s: &Sanction) -> Answer {
    let (code, message) = match s.until {
        None => ("Banned", "You are banned from this room.".to_owned()),
        Some(until) => (
            "TimedOut",
            format!("You are timed out in this room until {}.", rfc3339(until)),
        ),
    };
    let mut answer = Answer::error(StatusCode::FORBIDDEN, code, message);
    answer.body["reason"] = json!(s.reason);
    answer.body["until"] = json!(s.until.map(rfc3339));
    answer
}

fn size(attributes: &BTreeMap<String, String>) -> usize {
    attributes.iter().map(|(k, v)| k.len() + v.len()).sum()
}

impl<R: ChatRooms, S: SanctionStore> App<R, S> {
    /// The verified caller when it moderates some room, or the answer refusing it; each
    /// route then checks the room it names (`in_room`).
    fn moderator<'c>(&self, caller: &'c Caller) -> Result<&'c Identity, Answer> {
        match caller {
            Caller::Verified(id) if id.moderates_somewhere(&self.config) => Ok(id),
            Caller::Verified(_) => Err(Answer::error(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "Only moderators and broadcasters may do this.",
            )),
            Caller::Anonymous => Err(Answer::error(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Sign in: send a bearer token in Authorization.",
            )),
        }
    }

    /// The moderator's role in `room`, or 403 when it does not moderate there.
    fn in_room(&self, moderator: &Identity, room: &str) -> Result<&'static str, Answer> {
        let role = moderator.role(&self.config, room);
        if role.moderates() {
            Ok(role.name())
        } else {
            Err(Answer::error(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "You do not moderate this room.",
            ))
        }
    }

    /// The ARN to call IVS with, or a 400 naming the field.
    fn room_arn(&self, field: &str, room: &str) -> Result<String, Answer> {
        self.config.rooms.resolve(room).ok_or_else(|| {
            Answer::invalid(format!(
                "{field}: not a room this API serves (name it by its ARN)"
            ))
        })
    }

    /// `POST /auth`: a chat token for the caller, in the room asked for, with what the
    /// caller's role allows of what it asks for.
    pub async fn token(&self, caller: &Caller, body: &[u8], now: u64) -> Outcome {
        let result = async {
            let identity = match caller {
                Caller::Verified(id) => Some(id),
                Caller::Anonymous if self.config.anonymous_viewers => None,
                Caller::Anonymous => {
                    return Err(Answer::error(
                        StatusCode::UNAUTHORIZED,
                        "Unauthorized",
                        "Sign in: send a bearer token in Authorization.",
                    ))
                }
            };
            let req = request::token(body).map_err(Answer::invalid)?;
            let arn = self.room_arn("arn", &req.room)?;
            let user_id = match identity {
                Some(id) => {
                    if req.user_id.as_ref().is_some_and(|u| *u != id.user_id) {
                        return Err(Answer::invalid(
                            "userId: must be the signed-in user's ID (the token's sub), or left out",
                        ));
                    }
                    if let Some(s) = self
                        .store
                        .active(&arn, &id.user_id, now)
                        .await
                        .map_err(Answer::state_unavailable)?
                    {
                        return Err(refused(&s));
                    }
                    id.user_id.clone()
                }
                None => format!("anonymous-{}", uuid::Uuid::new_v4()),
            };
            let capabilities: Vec<Capability> = match identity {
                None => Vec::new(),
                Some(id) => {
                    let allowed = Identity::allowed(&self.config, id.role(&self.config, &arn));
                    match &req.capabilities {
                        None => allowed.iter().copied().collect(),
                        Some(asked) => allowed
                            .iter()
                            .copied()
                            .filter(|c| asked.contains(c))
                            .collect(),
                    }
                }
            };
            let role = identity.map_or("anonymous", |id| id.role(&self.config, &arn).name());
            let attributes = self.attributes(identity, role, req.attributes)?;
            let minutes = req
                .duration_minutes
                .map_or(self.config.session_minutes, |m| m as i32);
            let token = self
                .rooms
                .create_token(&arn, &user_id, &capabilities, &attributes, minutes)
                .await
                .map_err(Answer::ivs)?;
            let body = json!({
                "token": token.token,
                "sessionExpirationTime": token.session_expiration_time,
                "tokenExpirationTime": token.token_expiration_time,
                "userId": user_id,
                "capabilities": capabilities.iter().map(|c| c.name()).collect::<Vec<_>>(),
            });
            Ok((
                Answer::ok(StatusCode::OK, body),
                audit("token", role, &arn, &user_id),
            ))
        };
        result.await.unwrap_or_else(|answer| (answer, None))
    }

    /// The token's attributes: the client's only under allowed keys; `role` (the
    /// caller's in the room) and the display name (`username`, when the token has a name
    /// claim) from the identity.
    fn attributes(
        &self,
        identity: Option<&Identity>,
        role: &str,
        asked: BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, Answer> {
        let mut attributes: BTreeMap<String, String> = asked
            .into_iter()
            .filter(|(k, _)| self.config.attribute_keys.contains(k))
            .collect();
        attributes.insert("role".to_owned(), role.to_owned());
        if let Some(name) = identity.and_then(|id| id.name.clone()) {
            attributes.insert("username".to_owned(), name);
        }
        if size(&attributes) > MAX_ATTRIBUTE_BYTES {
            return Err(Answer::invalid(format!(
                "attributes: keys and values must total at most {MAX_ATTRIBUTE_BYTES} bytes"
            )));
        }
        Ok(attributes)
    }

    /// `POST /moderation/bans`: store the ban or timeout, then disconnect the user.
    pub async fn ban(&self, caller: &Caller, body: &[u8], now: u64) -> Outcome {
        let result = async {
            let moderator = self.moderator(caller)?;
            let req = request::ban(body).map_err(Answer::invalid)?;
            let arn = self.room_arn("room", &req.room)?;
            let role = self.in_room(moderator, &arn)?;
            if req.user_id == moderator.user_id {
                return Err(Answer::invalid("userId: moderators cannot ban themselves"));
            }
            let sanction = Sanction {
                room: room_id(&arn).to_owned(),
                user_id: req.user_id,
                reason: req.reason,
                by: moderator.user_id.clone(),
                created_at: now,
                until: req
                    .duration_minutes
                    .map(|m| now.saturating_add(m.unsigned_abs() * 60)),
            };
            self.store
                .impose(&sanction)
                .await
                .map_err(Answer::state_unavailable)?;
            // The ban holds even when IVS cannot disconnect now: new tokens are refused
            // and the review handler denies what the user sends.
            let disconnected = self
                .rooms
                .disconnect(&arn, &sanction.user_id, &sanction.reason)
                .await;
            let mut answer = Answer::ok(
                StatusCode::CREATED,
                json!({"ban": sanction_json(&sanction), "disconnected": disconnected.is_ok()}),
            );
            if let Err(e) = disconnected {
                answer.detail = Some(format!("DisconnectUser failed: {e}"));
            }
            Ok((
                answer,
                audit(sanction.kind(), role, &arn, &sanction.user_id),
            ))
        };
        result.await.unwrap_or_else(|answer| (answer, None))
    }

    /// `DELETE /moderation/bans/{room}/{userId}`.
    pub async fn lift(&self, caller: &Caller, room: &str, user_id: &str, now: u64) -> Outcome {
        let result = async {
            let moderator = self.moderator(caller)?;
            if !self.config.rooms.allows(room) {
                return Err(Answer::invalid("room: not a room this API serves"));
            }
            let role = self.in_room(moderator, room)?;
            let lifted = self
                .store
                .lift(room, user_id, now)
                .await
                .map_err(Answer::state_unavailable)?;
            if !lifted {
                return Err(Answer::error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    "This user has no active ban or timeout in this room.",
                ));
            }
            Ok((
                Answer::ok(StatusCode::OK, json!({"lifted": true})),
                audit("lift", role, room, user_id),
            ))
        };
        result.await.unwrap_or_else(|answer| (answer, None))
    }

    /// `GET /moderation/bans?room=`.
    pub async fn list(&self, caller: &Caller, room: Option<&str>, now: u64) -> Outcome {
        let result = async {
            let moderator = self.moderator(caller)?;
            let room = room
                .filter(|r| !r.is_empty())
                .ok_or_else(|| Answer::invalid("room: missing (?room=ARN or ID)"))?;
            if !self.config.rooms.allows(room) {
                return Err(Answer::invalid("room: not a room this API serves"));
            }
            self.in_room(moderator, room)?;
            let bans = self
                .store
                .list(room, now)
                .await
                .map_err(Answer::state_unavailable)?;
            let bans: Vec<Value> = bans.iter().map(sanction_json).collect();
            Ok((Answer::ok(StatusCode::OK, json!({"bans": bans})), None))
        };
        result.await.unwrap_or_else(|answer| (answer, None))
    }

    /// `POST /moderation/messages/delete`.
    pub async fn delete(&self, caller: &Caller, body: &[u8]) -> Outcome {
        let result = async {
            let moderator = self.moderator(caller)?;
            let req = request::delete(body).map_err(Answer::invalid)?;
            let arn = self.room_arn("room", &req.room)?;
            let role = self.in_room(moderator, &arn)?;
            let id = self
                .rooms
                .delete_message(&arn, &req.message_id, &req.reason)
                .await
                .map_err(Answer::ivs)?;
            Ok((
                Answer::ok(StatusCode::OK, json!({"id": id})),
                audit("delete-message", role, &arn, &req.message_id),
            ))
        };
        result.await.unwrap_or_else(|answer| (answer, None))
    }

    /// `POST /event`: the demo's SendEvent endpoint, for moderators and allowed names.
    pub async fn event(&self, caller: &Caller, body: &[u8]) -> Outcome {
        let result = async {
            let moderator = self.moderator(caller)?;
            let req = request::event(body).map_err(Answer::invalid)?;
            let arn = self.room_arn("arn", &req.room)?;
            let role = self.in_room(moderator, &arn)?;
            if !self.config.events.contains(&req.event_name) {
                return Err(Answer::invalid("eventName: not an event this API sends"));
            }
            if size(&req.attributes) > MAX_ATTRIBUTE_BYTES {
                return Err(Answer::invalid(format!(
                    "eventAttributes: keys and values must total at most {MAX_ATTRIBUTE_BYTES} bytes"
                )));
            }
            let id = self
                .rooms
                .send_event(&arn, &req.event_name, &req.attributes)
                .await
                .map_err(Answer::ivs)?;
            Ok((
                Answer::ok(
                    StatusCode::OK,
                    json!({"arn": arn, "status": "success", "id": id}),
                ),
                audit("event", role, &arn, &req.event_name),
            ))
        };
        result.await.unwrap_or_else(|answer| (answer, None))
    }
}
