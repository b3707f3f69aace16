//! The HTTP routes: who calls (verified claims only), routing, CORS, and one log line
//! per request. What each route does is in `actions`.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use chat_state::SanctionStore;
use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use lambda_setup::serve::{json_response, Cors};
use serde_json::{Map, Value};

use crate::answer::Answer;
use crate::config::Config;
use crate::identity::Identity;
use crate::jwt::Verifier;
use crate::rooms::ChatRooms;

pub const ALLOW_HEADERS: &str = "Content-Type,Authorization";
pub const ALLOW_METHODS: &str = "GET,POST,DELETE,OPTIONS";
/// Seconds a client should wait after a 429 or 503.
const RETRY_AFTER_SECONDS: &str = "2";

/// The handler's state: configuration, IVS, the sanction store, and the verifier for
/// callers API Gateway has not verified.
pub struct App<R, S> {
    pub config: Config,
    pub rooms: R,
    pub store: S,
    pub verifier: Option<Verifier>,
    /// Unix seconds now; tests set their own clock.
    pub clock: fn() -> u64,
}

/// Unix seconds by the system clock.
pub fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Verified(Identity),
    /// No token at all.
    Anonymous,
}

/// The audit line's fields: who did what to whom, where.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Audit {
    pub action: &'static str,
    /// The caller's role in the room.
    pub role: &'static str,
    pub room: String,
    pub target: String,
}

/// A route's answer and what its log line needs.
pub type Outcome = (Answer, Option<Audit>);

impl<R: ChatRooms, S: SanctionStore> App<R, S> {
    /// Answers one request and logs it. Never fails: every path ends in a response.
    pub async fn handle(&self, req: &Request, request_id: &str) -> Response<Body> {
        let started = Instant::now();
        let origin = req.headers().get(header::ORIGIN).map(HeaderValue::as_bytes);
        let Ok(cors) = self.config.origins.answer(origin) else {
            let answer = Answer::error(
                StatusCode::FORBIDDEN,
                "OriginNotAllowed",
                "This origin may not call the chat API.",
            );
            log(request_id, "", None, &answer, None, started);
            return respond(None, answer);
        };
        let caller = self.caller(req).await;
        let (answer, audit) = match &caller {
            Ok(caller) => self.route(req, caller).await,
            Err(refused) => (refused.clone(), None),
        };
        let who = match &caller {
            Ok(Caller::Verified(id)) => Some(id),
            _ => None,
        };
        log(
            request_id,
            req.method().as_str(),
            who,
            &answer,
            audit.as_ref(),
            started,
        );
        respond(cors.as_deref(), answer)
    }

    /// The caller's identity: claims API Gateway's JWT authorizer verified, or a bearer
    /// token verified here. Never the request body.
    async fn caller(&self, req: &Request) -> Result<Caller, Answer> {
        let unauthorized =
            |message: String| Answer::error(StatusCode::UNAUTHORIZED, "Unauthorized", message);
        let claims: Option<Map<String, Value>> = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                .authorizer
                .as_ref()
                .and_then(|a| a.jwt.as_ref())
                .filter(|jwt| !jwt.claims.is_empty())
                .map(|jwt| {
                    jwt.claims
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect()
                }),
            _ => None,
        };
        let claims = match (claims, bearer(req), &self.verifier) {
            (Some(claims), _, _) => claims,
            (None, Some(token), Some(verifier)) => verifier
                .verify(token)
                .await
                .map_err(|e| unauthorized(e.to_string()))?,
            (None, Some(_), None) => {
                return Err(unauthorized(
                    "This API does not verify tokens itself; call it through its API Gateway."
                        .into(),
                ))
            }
            (None, None, _) => return Ok(Caller::Anonymous),
        };
        Identity::from_claims(&claims, &self.config)
            .map(Caller::Verified)
            .map_err(|e| unauthorized(e.to_string()))
    }

    async fn route(&self, req: &Request, caller: &Caller) -> Outcome {
        let path = route_path(req);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let method = req.method();
        if method == Method::OPTIONS && known(&segments) {
            return (Answer::ok(StatusCode::NO_CONTENT, Value::Null), None);
        }
        let body = body(req);
        let now = (self.clock)();
        match (method, segments.as_slice()) {
            (&Method::POST, ["auth"]) => self.token(caller, body, now).await,
            (&Method::POST, ["event"]) => self.event(caller, body).await,
            (&Method::POST, ["moderation", "bans"]) => self.ban(caller, body, now).await,
            (&Method::GET, ["moderation", "bans"]) => {
                self.list(caller, query_param(req, "room").as_deref(), now)
                    .await
            }
            (&Method::DELETE, ["moderation", "bans", room, user]) => {
                match lift_target(req, room, user) {
                    (Some(room), Some(user)) => self.lift(caller, &room, &user, now).await,
                    _ => (
                        Answer::invalid("path: not valid percent-encoded UTF-8"),
                        None,
                    ),
                }
            }
            (&Method::POST, ["moderation", "messages", "delete"]) => {
                self.delete(caller, body).await
            }
            (_, s) if known(s) => (
                Answer::error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    "This method is not allowed here.",
                ),
                None,
            ),
            _ => (
                Answer::error(StatusCode::NOT_FOUND, "NotFound", "No such route."),
                None,
            ),
        }
    }
}

impl<R: ChatRooms + 'static, S: SanctionStore + 'static> lambda_setup::serve::Handler
    for App<R, S>
{
    async fn handle(&self, req: &Request, request_id: &str) -> Response<Body> {
        App::handle(self, req, request_id).await
    }
}

/// The room and user of `DELETE /moderation/bans/{room}/{userId}`: API Gateway's
/// decoded path parameters, or (local server) the percent-decoded path segments.
fn lift_target(req: &Request, room: &str, user: &str) -> (Option<String>, Option<String>) {
    let params = req.path_parameters_ref();
    match (
        params.and_then(|p| p.first("room")),
        params.and_then(|p| p.first("userId")),
    ) {
        (Some(room), Some(user)) => (Some(room.to_owned()), Some(user.to_owned())),
        _ => (percent_decode(room), percent_decode(user)),
    }
}

/// Whether a path is one of the routes.
fn known(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["auth"]
            | ["event"]
            | ["moderation", "bans"]
            | ["moderation", "bans", _, _]
            | ["moderation", "messages", "delete"]
    )
}

/// The request path without the stage API Gateway puts in front of it.
fn route_path(req: &Request) -> String {
    let path = req.uri().path();
    let stage = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.stage.as_deref(),
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.stage.as_deref(),
        _ => None,
    };
    match stage {
        Some(stage) if stage != "$default" => path
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(stage))
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(path)
            .to_owned(),
        _ => path.to_owned(),
    }
}

/// The token in `Authorization`: `Bearer TOKEN`, or the bare token as API Gateway's
/// authorizer also accepts it. Any header at all is a claim to be someone: it is
/// verified or refused, never read as anonymous.
fn bearer(req: &Request) -> Option<&str> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .unwrap_or("")
        .trim();
    Some(match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    })
}

fn body(req: &Request) -> &[u8] {
    match req.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => b"",
    }
}

/// A query parameter, percent-decoded (`+` is a space).
fn query_param(req: &Request, name: &str) -> Option<String> {
    req.uri().query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name)
            .then(|| percent_decode(&value.replace('+', " ")))
            .flatten()
    })
}

/// `%XX` escapes decoded; `None` when they are malformed or not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

const CORS: Cors = Cors {
    allow_headers: ALLOW_HEADERS,
    allow_methods: ALLOW_METHODS,
    expose_headers: "Retry-After",
};

/// The answer as a JSON response with the CORS headers.
fn respond(cors: Option<&str>, answer: Answer) -> Response<Body> {
    let body = (!answer.body.is_null()).then(|| answer.body.to_string());
    let mut response = json_response(answer.status, body, &CORS, cors);
    let headers = response.headers_mut();
    if answer.retry {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    if answer.status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(header::ALLOW, HeaderValue::from_static(ALLOW_METHODS));
    }
    response
}

/// One JSON line per request: who did what to whom, where, and how it ended. Never a
/// token, display name, attribute value or reason text.
fn log(
    request_id: &str,
    method: &str,
    who: Option<&Identity>,
    answer: &Answer,
    audit: Option<&Audit>,
    started: Instant,
) {
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let audit = audit.cloned().unwrap_or_default();
    let status = answer.status.as_u16();
    let who = who.map_or("", |i| i.user_id.as_str());
    let code = answer.code.as_deref().unwrap_or("");
    let detail = answer.detail.as_deref().unwrap_or("");
    if status >= 500 {
        tracing::error!(
            request_id,
            method,
            status,
            code,
            detail,
            who,
            action = audit.action,
            room = audit.room,
            target = audit.target,
            latency_ms,
            "chat-auth failed"
        );
    } else {
        tracing::info!(
            request_id,
            method,
            status,
            code,
            who,
            role = audit.role,
            action = audit.action,
            room = audit.room,
            target = audit.target,
            latency_ms,
            "chat-auth"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Aroom%2FR1").as_deref(),
            Some("arn:aws:ivschat:us-east-1:123456789012:room/R1")
        );
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ff"), None, "not UTF-8");
    }

    #[test]
    fn routes_are_known_by_shape() {
        assert!(known(&["auth"]));
        assert!(known(&["moderation", "bans", "R1", "u"]));
        assert!(!known(&["moderation", "bans", "R1"]));
        assert!(!known(&["favicon.ico"]));
    }
}
