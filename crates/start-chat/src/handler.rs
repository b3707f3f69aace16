//! The HTTP contract of the `startChatContactAPI` sample, hardened: every answer is
//! JSON with CORS headers, validation comes before any Connect call, and Connect's
//! failures map to statuses a client can act on.

use std::time::{Instant, SystemTime};

use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use lambda_setup::metrics::{Record, Unit};
use lambda_setup::serve::{json_response, Cors};
use serde_json::{json, Value};

use crate::config::Config;
use crate::connect::{ChatStarted, ChatStarter, StartError};
use crate::request::{self, StartChat};
use crate::resume::TicketError;

/// Headers a browser may send cross-origin: the sample's, plus `Idempotency-Key`.
pub const ALLOW_HEADERS: &str =
    "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,Idempotency-Key";
pub const ALLOW_METHODS: &str = "POST,OPTIONS";
/// Response headers scripts may read cross-origin: when to retry after a 429 or 503.
pub const EXPOSE_HEADERS: &str = "Retry-After";
/// Seconds a client should wait after a 429 or 503.
const RETRY_AFTER_SECONDS: &str = "2";

/// The handler's state: configuration and the way to start chats.
#[derive(Debug)]
pub struct App<S> {
    pub config: Config,
    pub starter: S,
}

/// What one request came to, for the log line.
#[derive(Debug, Default)]
struct Outcome {
    status: u16,
    code: Option<String>,
    contact_id: Option<String>,
    upstream_ms: Option<u64>,
    /// Details for the log only (misconfiguration, upstream failures).
    detail: Option<String>,
    /// What became of a request to continue an earlier contact.
    continuation: Continuation,
    /// Whether the initial message was cut to Connect's limit.
    initial_message_cut: bool,
}

/// What became of a request to continue an earlier contact (`PersistentChat` or
/// `RelatedContactId`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Continuation {
    #[default]
    None,
    /// Persistent chat is off: the chat starts without the earlier one.
    Dropped,
    /// The resume ticket proved the caller owns the earlier contact.
    Verified,
}

impl Continuation {
    fn name(self) -> &'static str {
        match self {
            Continuation::None => "none",
            Continuation::Dropped => "dropped",
            Continuation::Verified => "verified",
        }
    }
}

impl<S: ChatStarter> App<S> {
    /// Answers one request and logs it. Never fails: every path ends in a response.
    pub async fn handle(&self, req: &Request, request_id: &str) -> Response<Body> {
        let started = Instant::now();
        // An origin that is not visible ASCII is none this API lists: refused, not
        // served as if it were absent.
        let origin = req.headers().get(header::ORIGIN).map(|v| v.as_bytes());
        let allow_origin = self.config.origins.answer(origin).ok();
        let Some(allow_origin) = allow_origin else {
            let (response, outcome) = error(
                None,
                StatusCode::FORBIDDEN,
                "OriginNotAllowed",
                "This origin may not call the chat API.",
            );
            self.record(request_id, &outcome, started);
            return response;
        };
        let cors = allow_origin.as_deref();
        let (response, outcome) = self.route(req, cors).await;
        self.record(request_id, &outcome, started);
        response
    }

    async fn route(&self, req: &Request, cors: Option<&str>) -> (Response<Body>, Outcome) {
        if !is_root(req) {
            return error(
                cors,
                StatusCode::NOT_FOUND,
                "NotFound",
                "POST to the API root to start a chat.",
            );
        }
        match *req.method() {
            Method::OPTIONS => {
                return (
                    respond(cors, StatusCode::OK, &json!({})),
                    Outcome {
                        status: 200,
                        ..Outcome::default()
                    },
                );
            }
            Method::POST => {}
            _ => {
                let (mut response, outcome) = error(
                    cors,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    "Only POST starts a chat.",
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(ALLOW_METHODS));
                return (response, outcome);
            }
        }
        let body: &[u8] = match req.body() {
            Body::Empty => b"",
            Body::Text(text) => text.as_bytes(),
            Body::Binary(bytes) => bytes,
            _ => b"",
        };
        let idempotency_key = req
            .headers()
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok());
        let chat = match request::parse(body, idempotency_key, &self.config) {
            Ok(chat) => chat,
            Err(invalid) => {
                return error(
                    cors,
                    StatusCode::BAD_REQUEST,
                    "InvalidRequest",
                    &invalid.to_string(),
                )
            }
        };
        let (chat, continuation) = match self.continuation(chat) {
            Ok(checked) => checked,
            Err(refused) => {
                return error(
                    cors,
                    StatusCode::FORBIDDEN,
                    "ResumeNotAllowed",
                    &refused.to_string(),
                )
            }
        };
        let upstream_started = Instant::now();
        let result = self.starter.start(&self.config.instance_id, &chat).await;
        let upstream_ms = Some(millis(upstream_started));
        let (response, mut outcome) = match result {
            Ok(started) => self.success(cors, &chat, started),
            Err(e) => failure(cors, e),
        };
        outcome.upstream_ms = upstream_ms;
        outcome.continuation = continuation;
        outcome.initial_message_cut = chat.initial_message.as_ref().is_some_and(|m| m.cut);
        (response, outcome)
    }

    /// One log line and one metric document per request: requests by status, and
    /// when Connect was called, its latency and whether it failed (5xx).
    fn record(&self, request_id: &str, outcome: &Outcome, started: Instant) {
        log(request_id, outcome, started);
        let status = outcome.status.to_string();
        let mut values = vec![("Requests", 1.0, Unit::Count)];
        if let Some(ms) = outcome.upstream_ms {
            values.push(("ConnectLatency", ms as f64, Unit::Milliseconds));
            let failed = outcome.status >= 500;
            values.push(("ConnectErrors", f64::from(u8::from(failed)), Unit::Count));
        }
        self.config.metrics.emit(&Record {
            dimensions: &[("Status", &status)],
            sets: &[&["Status"], &[]],
            values: &values,
        });
    }

    /// A request to continue an earlier contact reaches Connect only with that
    /// contact's resume ticket. With persistent chat off it is dropped, and the chat
    /// starts without the earlier one, as a client of the sample still expects a chat.
    fn continuation(&self, chat: StartChat) -> Result<(StartChat, Continuation), TicketError> {
        let Some(contact) = chat.continues() else {
            return Ok((chat, Continuation::None));
        };
        match &self.config.resume {
            None => Ok((chat.without_continuation(), Continuation::Dropped)),
            Some(key) => {
                key.verify(chat.resume_ticket.as_deref(), contact, SystemTime::now())?;
                Ok((chat, Continuation::Verified))
            }
        }
    }

    fn success(
        &self,
        cors: Option<&str>,
        chat: &StartChat,
        started: ChatStarted,
    ) -> (Response<Body>, Outcome) {
        let mut result = json!({
            "ContactId": started.contact_id,
            "ParticipantId": started.participant_id,
            "ParticipantToken": started.participant_token,
        });
        if let Some(previous) = &started.continued_from_contact_id {
            result["ContinuedFromContactId"] = json!(previous);
        }
        let mut body = json!({"data": {
            "startChatResult": result,
            "featurePermissions": {
                "MESSAGING_MARKDOWN": chat.markdown(),
                "ATTACHMENTS": self.config.attachments_enabled,
            },
        }});
        if let Some(key) = &self.config.resume {
            body["data"]["resumeTicket"] = json!(key.issue(&started.contact_id, SystemTime::now()));
        }
        let outcome = Outcome {
            status: 200,
            contact_id: Some(started.contact_id),
            ..Outcome::default()
        };
        (respond(cors, StatusCode::OK, &body), outcome)
    }
}

impl<S: ChatStarter + 'static> lambda_setup::serve::Handler for App<S> {
    async fn handle(&self, req: &Request, request_id: &str) -> Response<Body> {
        App::handle(self, req, request_id).await
    }
}

/// Whether the request is for the API root: `/`, or `/{stage}` and `/{stage}/` behind
/// API Gateway, where the path carries the stage.
fn is_root(req: &Request) -> bool {
    let path = req.uri().path();
    let stage = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.stage.as_deref(),
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.stage.as_deref(),
        _ => None,
    };
    let rest = match stage {
        Some(stage) if stage != "$default" => path
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(stage))
            .unwrap_or(path),
        _ => path,
    };
    rest.trim_matches('/').is_empty()
}

/// The CORS headers of every answer.
const CORS: Cors = Cors {
    allow_headers: ALLOW_HEADERS,
    allow_methods: ALLOW_METHODS,
    expose_headers: EXPOSE_HEADERS,
};

/// A JSON response with the CORS headers.
fn respond(cors: Option<&str>, status: StatusCode, body: &Value) -> Response<Body> {
    json_response(status, Some(body.to_string()), &CORS, cors)
}

/// An error response in the sample's shape: `{"data":{"Error":{message,code,statusCode}}}`.
fn error(
    cors: Option<&str>,
    status: StatusCode,
    code: &str,
    message: &str,
) -> (Response<Body>, Outcome) {
    let body = json!({"data": {"Error": {
        "message": message,
        "code": code,
        "statusCode": status.as_u16(),
    }}});
    let outcome = Outcome {
        status: status.as_u16(),
        code: Some(code.to_owned()),
        ..Outcome::default()
    };
    (respond(cors, status, &body), outcome)
}

/// Maps a Connect failure to what the client sees; details only go to the log.
fn failure(cors: Option<&str>, e: StartError) -> (Response<Body>, Outcome) {
    use StatusCode as S;
    let (status, code, message, retry) = match &e {
        StartError::Rejected {
            status,
            code,
            message,
        } => (
            S::from_u16(*status).unwrap_or(S::BAD_REQUEST),
            code.as_str(),
            message.as_str(),
            false,
        ),
        StartError::Throttled { code, .. } => (
            S::TOO_MANY_REQUESTS,
            code.as_str(),
            "Too many chats are starting right now; try again shortly.",
            true,
        ),
        StartError::Misconfigured { .. } => (
            S::INTERNAL_SERVER_ERROR,
            "InternalError",
            "The chat service is not set up correctly.",
            false,
        ),
        StartError::Upstream { .. } => (
            S::BAD_GATEWAY,
            "UpstreamError",
            "Amazon Connect could not start the chat; try again.",
            false,
        ),
        StartError::Timeout => (
            S::SERVICE_UNAVAILABLE,
            "UpstreamTimeout",
            "Amazon Connect did not answer in time; try again.",
            true,
        ),
        StartError::Unreachable(_) => (
            S::SERVICE_UNAVAILABLE,
            "UpstreamUnavailable",
            "Amazon Connect could not be reached; try again.",
            true,
        ),
    };
    let (mut response, mut outcome) = error(cors, status, code, message);
    if retry {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    // Connect's messages for rejected requests may quote the client's input.
    if !matches!(e, StartError::Rejected { .. }) {
        outcome.detail = Some(e.to_string());
    }
    (response, outcome)
}

/// Milliseconds since `start`, as a number the JSON logs keep numeric.
fn millis(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// One log line per request: ids, outcome and latency; never the participant token,
/// display name, attribute values or message text.
fn log(request_id: &str, outcome: &Outcome, started: Instant) {
    let latency_ms = millis(started);
    let code = outcome.code.as_deref().unwrap_or("");
    let contact_id = outcome.contact_id.as_deref().unwrap_or("");
    let detail = outcome.detail.as_deref().unwrap_or("");
    if outcome.status >= 500 {
        tracing::error!(
            request_id,
            status = outcome.status,
            code,
            detail,
            latency_ms,
            upstream_ms = outcome.upstream_ms,
            "start-chat failed"
        );
    } else {
        tracing::info!(
            request_id,
            status = outcome.status,
            code,
            contact_id,
            latency_ms,
            upstream_ms = outcome.upstream_ms,
            continuation = outcome.continuation.name(),
            initial_message_cut = outcome.initial_message_cut,
            "start-chat"
        );
    }
}
