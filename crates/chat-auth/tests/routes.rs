//! The routes through the handler, as API Gateway's HTTP API delivers them (payload
//! 2.0, claims from its JWT authorizer), with IVS faked at the `ChatRooms` seam and
//! bans in the in-memory store.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chat_auth::config::Config;
use chat_auth::handler::App;
use chat_auth::identity::Capability;
use chat_auth::rooms::{ChatRooms, ChatToken, IvsError};
use chat_state::{MemoryStore, Sanction, SanctionStore, StateError};
use lambda_http::{Body, Response};
use lambda_setup::config::Env;
use serde_json::{json, Value};

const ARN: &str = "arn:aws:ivschat:us-east-1:123456789012:room/Room1";
const ORIGIN: &str = "https://app.example";

/// Records every IVS call; fails them when told to.
#[derive(Default)]
struct FakeIvs {
    calls: Mutex<Vec<Value>>,
    fail: Mutex<Option<IvsError>>,
}

impl FakeIvs {
    fn record(&self, call: Value) -> Result<(), IvsError> {
        self.calls.lock().unwrap().push(call);
        match self.fail.lock().unwrap().clone() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl ChatRooms for FakeIvs {
    async fn create_token(
        &self,
        room_arn: &str,
        user_id: &str,
        capabilities: &[Capability],
        attributes: &BTreeMap<String, String>,
        session_minutes: i32,
    ) -> Result<ChatToken, IvsError> {
        let caps: Vec<&str> = capabilities.iter().map(|c| c.name()).collect();
        self.record(
            json!({"op": "CreateChatToken", "room": room_arn, "userId": user_id,
            "capabilities": caps, "attributes": attributes, "minutes": session_minutes}),
        )?;
        Ok(ChatToken {
            token: "secret-token".into(),
            session_expiration_time: "2026-11-23T13:00:00Z".into(),
            token_expiration_time: "2026-11-23T12:01:00Z".into(),
        })
    }

    async fn disconnect(
        &self,
        room_arn: &str,
        user_id: &str,
        reason: &str,
    ) -> Result<(), IvsError> {
        self.record(
            json!({"op": "DisconnectUser", "room": room_arn, "userId": user_id, "reason": reason}),
        )
    }

    async fn delete_message(
        &self,
        room_arn: &str,
        id: &str,
        reason: &str,
    ) -> Result<String, IvsError> {
        self.record(json!({"op": "DeleteMessage", "room": room_arn, "id": id, "reason": reason}))?;
        Ok("delete-event-1".into())
    }

    async fn send_event(
        &self,
        room_arn: &str,
        name: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<String, IvsError> {
        self.record(
            json!({"op": "SendEvent", "room": room_arn, "name": name, "attributes": attributes}),
        )?;
        Ok("event-1".into())
    }
}

/// A store whose every call fails, as DynamoDB down.
struct DownStore;

impl SanctionStore for DownStore {
    async fn active(&self, _: &str, _: &str, _: u64) -> Result<Option<Sanction>, StateError> {
        Err(StateError::Unavailable("down".into()))
    }
    async fn impose(&self, _: &Sanction) -> Result<(), StateError> {
        Err(StateError::Unavailable("down".into()))
    }
    async fn impose_unless_longer(&self, _: &Sanction) -> Result<bool, StateError> {
        Err(StateError::Unavailable("down".into()))
    }
    async fn lift(&self, _: &str, _: &str, _: u64) -> Result<bool, StateError> {
        Err(StateError::Unavailable("down".into()))
    }
    async fn list(&self, _: &str, _: u64) -> Result<Vec<Sanction>, StateError> {
        Err(StateError::Unavailable("down".into()))
    }
    async fn strike(&self, _: &str, _: &str, _: u64, _: u64) -> Result<u32, StateError> {
        Err(StateError::Unavailable("down".into()))
    }
}

static NOW: AtomicU64 = AtomicU64::new(1_800_000_000);

fn now() -> u64 {
    NOW.load(Ordering::SeqCst)
}

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("ALLOWED_ROOMS", ARN),
        ("ALLOWED_ORIGINS", ORIGIN),
        ("CLIENT_ATTRIBUTE_KEYS", "avatar"),
    ];
    vars.extend_from_slice(extra);
    Config::from_env(&Env::from_pairs(&vars)).unwrap()
}

fn app_with<S: SanctionStore>(extra: &[(&str, &str)], store: S) -> App<FakeIvs, S> {
    App {
        config: config(extra),
        rooms: FakeIvs::default(),
        store,
        verifier: None,
        clock: now,
    }
}

fn app(extra: &[(&str, &str)]) -> App<FakeIvs, MemoryStore> {
    app_with(extra, MemoryStore::new())
}

fn viewer() -> Value {
    json!({"sub": "viewer-1", "cognito:username": "Vee"})
}

fn moderator() -> Value {
    json!({"sub": "mod-1", "cognito:groups": "[fans moderator]"})
}

/// An HTTP API (payload 2.0) event, with the JWT authorizer's claims when given.
fn event(method: &str, path: &str, claims: Option<Value>, body: Value) -> lambda_http::Request {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut context = json!({
        "accountId": "123456789012", "apiId": "api1", "domainName": "api1.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "api1", "requestId": "req-1", "routeKey": "$default", "stage": "$default",
        "time": "23/Nov/2026:12:00:00 +0000", "timeEpoch": 1_800_000_000_000u64,
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"}
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let payload = json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {"content-type": "application/json", "origin": ORIGIN},
        "requestContext": context,
        "body": if body.is_null() { Value::Null } else { json!(body.to_string()) },
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&payload.to_string()).unwrap()
}

async fn call<S: SanctionStore>(
    app: &App<FakeIvs, S>,
    method: &str,
    path: &str,
    claims: Option<Value>,
    body: Value,
) -> (u16, Value) {
    let response: Response<Body> = app
        .handle(&event(method, path, claims, body), "req-1")
        .await;
    let status = response.status().as_u16();
    let body = match response.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        Body::Empty => Value::Null,
        other => panic!("unexpected body {other:?}"),
    };
    (status, body)
}

fn calls<S>(app: &App<FakeIvs, S>) -> Vec<Value> {
    app.rooms.calls.lock().unwrap().clone()
}

#[tokio::test]
async fn a_viewer_gets_a_token_with_what_the_role_allows_and_nothing_the_body_claims() {
    let app = app(&[]);
    let body = json!({
        "arn": ARN, "userId": "viewer-1",
        "attributes": {"role": "moderator", "avatar": "/a.png", "username": "Admin", "badge": "staff"},
        "capabilities": ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"],
        "durationInMinutes": 30
    });
    let (status, answer) = call(&app, "POST", "/auth", Some(viewer()), body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["token"], "secret-token");
    assert_eq!(answer["sessionExpirationTime"], "2026-11-23T13:00:00Z");
    assert_eq!(answer["tokenExpirationTime"], "2026-11-23T12:01:00Z");
    assert_eq!(answer["capabilities"], json!(["SEND_MESSAGE"]));
    let sent = &calls(&app)[0];
    assert_eq!(sent["userId"], "viewer-1");
    assert_eq!(sent["capabilities"], json!(["SEND_MESSAGE"]));
    assert_eq!(
        sent["attributes"],
        json!({"role": "viewer", "avatar": "/a.png", "username": "Vee"}),
        "role and username from the identity, unlisted keys dropped"
    );
    assert_eq!(sent["minutes"], 30);
}

#[tokio::test]
async fn a_moderator_gets_moderator_capabilities_and_the_session_default() {
    let app = app(&[]);
    let (status, answer) = call(
        &app,
        "POST",
        "/auth",
        Some(moderator()),
        json!({"arn": "Room1"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["capabilities"],
        json!(["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"])
    );
    let sent = &calls(&app)[0];
    assert_eq!(
        sent["room"], ARN,
        "a room ID resolves to the configured ARN"
    );
    assert_eq!(sent["attributes"]["role"], "moderator");
    assert_eq!(sent["minutes"], 60);
    let (_, asked) = call(
        &app,
        "POST",
        "/auth",
        Some(moderator()),
        json!({"arn": ARN, "capabilities": ["SEND_MESSAGE"]}),
    )
    .await;
    assert_eq!(
        asked["capabilities"],
        json!(["SEND_MESSAGE"]),
        "only what was asked"
    );
}

#[tokio::test]
async fn identity_is_never_taken_from_the_body() {
    let app = app(&[]);
    let (status, answer) = call(
        &app,
        "POST",
        "/auth",
        Some(viewer()),
        json!({"arn": ARN, "userId": "someone-else"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        answer["message"].as_str().unwrap().starts_with("userId:"),
        "{answer}"
    );
    let (status, _) = call(
        &app,
        "POST",
        "/auth",
        None,
        json!({"arn": ARN, "userId": "mod-1"}),
    )
    .await;
    assert_eq!(status, 401, "no token, no anonymous viewers");
    assert!(calls(&app).is_empty());
}

#[tokio::test]
async fn anonymous_viewers_get_read_only_tokens_with_generated_ids() {
    let app = app(&[("ANONYMOUS_VIEWERS", "true")]);
    let body = json!({"arn": ARN, "userId": "mod-1", "capabilities": ["SEND_MESSAGE"], "attributes": {"role": "moderator"}});
    let (status, answer) = call(&app, "POST", "/auth", None, body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["capabilities"], json!([]));
    let user = answer["userId"].as_str().unwrap();
    assert!(user.starts_with("anonymous-") && user != "mod-1");
    assert_eq!(calls(&app)[0]["attributes"], json!({"role": "anonymous"}));
}

#[tokio::test]
async fn a_ban_refuses_tokens_disconnects_and_is_listed_until_lifted() {
    let app = app(&[]);
    let ban = json!({"room": ARN, "userId": "viewer-1", "reason": "spam"});
    let (status, answer) = call(&app, "POST", "/moderation/bans", Some(moderator()), ban).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["ban"]["kind"], "ban");
    assert_eq!(answer["ban"]["by"], "mod-1");
    assert_eq!(answer["disconnected"], true);
    assert_eq!(
        calls(&app)[0],
        json!({"op": "DisconnectUser", "room": ARN, "userId": "viewer-1", "reason": "spam"})
    );

    let (status, answer) = call(&app, "POST", "/auth", Some(viewer()), json!({"arn": ARN})).await;
    assert_eq!((status, answer["code"].as_str()), (403, Some("Banned")));
    assert_eq!(answer["reason"], "spam");
    assert_eq!(calls(&app).len(), 1, "no token asked of IVS");

    let (status, answer) = call(
        &app,
        "GET",
        "/moderation/bans?room=Room1",
        Some(moderator()),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["bans"][0]["userId"], "viewer-1");

    let path =
        "/moderation/bans/arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Aroom%2FRoom1/viewer-1";
    let (status, answer) = call(&app, "DELETE", path, Some(moderator()), Value::Null).await;
    assert_eq!((status, answer["lifted"].as_bool()), (200, Some(true)));
    let (status, _) = call(&app, "DELETE", path, Some(moderator()), Value::Null).await;
    assert_eq!(status, 404, "nothing left to lift");
    let (status, _) = call(&app, "POST", "/auth", Some(viewer()), json!({"arn": ARN})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_timeout_ends_by_itself() {
    let app = app(&[]);
    let start = now();
    let timeout = json!({"room": "Room1", "userId": "viewer-1", "reason": "calm down", "durationMinutes": 10});
    let (status, answer) = call(&app, "POST", "/moderation/bans", Some(moderator()), timeout).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["ban"]["kind"], "timeout");
    assert_eq!(answer["ban"]["until"], "2027-01-15T08:10:00Z");
    let (status, answer) = call(&app, "POST", "/auth", Some(viewer()), json!({"arn": ARN})).await;
    assert_eq!((status, answer["code"].as_str()), (403, Some("TimedOut")));
    assert_eq!(answer["until"], "2027-01-15T08:10:00Z");
    assert!(app
        .store
        .active(ARN, "viewer-1", start + 599)
        .await
        .unwrap()
        .is_some());
    assert!(app
        .store
        .active(ARN, "viewer-1", start + 600)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn only_moderators_act_and_refusals_touch_nothing() {
    let app = app(&[]);
    let ban = json!({"room": ARN, "userId": "someone", "reason": "x"});
    let (status, _) = call(
        &app,
        "POST",
        "/moderation/bans",
        Some(viewer()),
        ban.clone(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, "POST", "/moderation/bans", None, ban).await;
    assert_eq!(status, 401);
    let delete = json!({"room": ARN, "messageId": "m1", "reason": "x"});
    let (status, _) = call(
        &app,
        "POST",
        "/moderation/messages/delete",
        Some(viewer()),
        delete,
    )
    .await;
    assert_eq!(status, 403);
    let event =
        json!({"arn": ARN, "eventName": "app:DELETE_BY_USER", "eventAttributes": {"userId": "u"}});
    let (status, _) = call(&app, "POST", "/event", Some(viewer()), event).await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        "GET",
        "/moderation/bans?room=Room1",
        Some(viewer()),
        Value::Null,
    )
    .await;
    assert_eq!(status, 403);
    assert!(calls(&app).is_empty());
    assert!(app.store.list(ARN, now()).await.unwrap().is_empty());
}

#[tokio::test]
async fn moderators_delete_messages_and_send_allowed_events() {
    let app = app(&[]);
    let delete = json!({"room": ARN, "messageId": "m1", "reason": "off topic"});
    let (status, answer) = call(
        &app,
        "POST",
        "/moderation/messages/delete",
        Some(moderator()),
        delete,
    )
    .await;
    assert_eq!(
        (status, answer["id"].as_str()),
        (200, Some("delete-event-1"))
    );
    let event =
        json!({"arn": ARN, "eventName": "app:DELETE_BY_USER", "eventAttributes": {"userId": "u"}});
    let (status, answer) = call(&app, "POST", "/event", Some(moderator()), event).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "success");
    let other = json!({"arn": ARN, "eventName": "app:ADMIN", "eventAttributes": {}});
    let (status, answer) = call(&app, "POST", "/event", Some(moderator()), other).await;
    assert_eq!(status, 400);
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .starts_with("eventName:"));
    let ops: Vec<_> = calls(&app).iter().map(|c| c["op"].clone()).collect();
    assert_eq!(ops, [json!("DeleteMessage"), json!("SendEvent")]);
}

#[tokio::test]
async fn bad_input_on_every_route_is_a_400_naming_the_field_with_nothing_done() {
    let app = app(&[]);
    let cases = [
        (
            "POST",
            "/auth",
            json!({"arn": "arn:aws:ivschat:us-east-1:123456789012:room/Other"}),
            "arn:",
        ),
        (
            "POST",
            "/auth",
            json!({"arn": ARN, "capabilities": ["ROOT"]}),
            "capabilities:",
        ),
        (
            "POST",
            "/auth",
            json!({"arn": ARN, "durationInMinutes": 0}),
            "durationInMinutes:",
        ),
        (
            "POST",
            "/auth",
            json!({"arn": ARN, "attributes": {"avatar": "x".repeat(1100)}}),
            "attributes:",
        ),
        ("POST", "/auth", json!("text"), "body:"),
        (
            "POST",
            "/moderation/bans",
            json!({"room": ARN, "userId": "u"}),
            "reason:",
        ),
        (
            "POST",
            "/moderation/bans",
            json!({"room": "Nope", "userId": "u", "reason": "r"}),
            "room:",
        ),
        (
            "POST",
            "/moderation/bans",
            json!({"room": ARN, "userId": "mod-1", "reason": "r"}),
            "userId:",
        ),
        (
            "POST",
            "/moderation/bans",
            json!({"room": ARN, "userId": "u", "reason": "r", "durationMinutes": "5"}),
            "durationMinutes:",
        ),
        ("GET", "/moderation/bans", Value::Null, "room:"),
        (
            "POST",
            "/moderation/messages/delete",
            json!({"room": ARN, "reason": "r"}),
            "messageId:",
        ),
        (
            "POST",
            "/event",
            json!({"arn": ARN, "eventName": "app:DELETE_BY_USER", "eventAttributes": {"k": "v".repeat(1100)}}),
            "eventAttributes:",
        ),
    ];
    for (method, path, body, field) in cases {
        let (status, answer) = call(&app, method, path, Some(moderator()), body).await;
        assert_eq!(status, 400, "{method} {path}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{method} {path}: {message}");
    }
    assert!(calls(&app).is_empty());
    assert!(app.store.list(ARN, now()).await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_routes_methods_and_origins() {
    let app = app(&[]);
    assert_eq!(
        call(&app, "GET", "/favicon.ico", None, Value::Null).await.0,
        404
    );
    assert_eq!(
        call(&app, "GET", "/auth", Some(viewer()), Value::Null)
            .await
            .0,
        405
    );
    assert_eq!(
        call(&app, "OPTIONS", "/auth", None, Value::Null).await.0,
        204
    );
    let mut req = event("POST", "/auth", Some(viewer()), json!({"arn": ARN}));
    req.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let response = app.handle(&req, "r").await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(calls(&app).is_empty());
}

#[tokio::test]
async fn a_failed_disconnect_keeps_the_ban_and_says_so() {
    let app = app(&[]);
    *app.rooms.fail.lock().unwrap() = Some(IvsError::Unavailable("timeout".into()));
    let ban = json!({"room": ARN, "userId": "viewer-1", "reason": "spam"});
    let (status, answer) = call(&app, "POST", "/moderation/bans", Some(moderator()), ban).await;
    assert_eq!(
        (status, answer["disconnected"].as_bool()),
        (201, Some(false))
    );
    assert!(app
        .store
        .active(ARN, "viewer-1", now())
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn with_the_store_down_no_token_is_issued_and_no_ban_half_made() {
    let app = app_with(&[], DownStore);
    let (status, answer) = call(&app, "POST", "/auth", Some(viewer()), json!({"arn": ARN})).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (503, Some("StateUnavailable"))
    );
    let ban = json!({"room": ARN, "userId": "viewer-1", "reason": "spam"});
    let (status, _) = call(&app, "POST", "/moderation/bans", Some(moderator()), ban).await;
    assert_eq!(status, 503);
    assert!(calls(&app).is_empty(), "no token, no disconnect");
}

#[tokio::test]
async fn a_room_moderator_moderates_that_room_only() {
    let other = "arn:aws:ivschat:us-east-1:123456789012:room/Room2";
    let rooms = format!("{ARN},{other}");
    let app = app(&[("ALLOWED_ROOMS", &rooms)]);
    let room_mod = || Some(json!({"sub": "mod-2", "cognito:groups": "[moderator:Room1]"}));
    let (_, here) = call(&app, "POST", "/auth", room_mod(), json!({"arn": ARN})).await;
    assert_eq!(here["capabilities"].as_array().unwrap().len(), 3);
    let (_, there) = call(&app, "POST", "/auth", room_mod(), json!({"arn": other})).await;
    assert_eq!(there["capabilities"], json!(["SEND_MESSAGE"]));
    assert_eq!(calls(&app)[1]["attributes"]["role"], "viewer");

    let ban = |room: &str| json!({"room": room, "userId": "viewer-1", "reason": "spam"});
    let (status, answer) = call(&app, "POST", "/moderation/bans", room_mod(), ban(other)).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (403, Some("You do not moderate this room."))
    );
    let (status, _) = call(
        &app,
        "GET",
        "/moderation/bans?room=Room2",
        room_mod(),
        Value::Null,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, "POST", "/moderation/bans", room_mod(), ban(ARN)).await;
    assert_eq!(status, 201);
    assert!(app
        .store
        .active(other, "viewer-1", now())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_lift_names_the_user_by_api_gateways_decoded_path_parameter() {
    use lambda_http::RequestExt;
    let app = app(&[]);
    let sanction = Sanction {
        room: "Room1".into(),
        user_id: "a%41".into(),
        reason: "spam".into(),
        by: "mod-1".into(),
        created_at: now(),
        until: None,
    };
    app.store.impose(&sanction).await.unwrap();
    let params: std::collections::HashMap<String, String> = [("room", "Room1"), ("userId", "a%41")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let req = event(
        "DELETE",
        "/moderation/bans/Room1/a%41",
        Some(moderator()),
        Value::Null,
    )
    .with_path_parameters(params);
    let response = app.handle(&req, "r").await;
    assert_eq!(response.status().as_u16(), 200, "not decoded a second time");
    assert!(app
        .store
        .active(ARN, "a%41", now())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_authorization_header_is_verified_or_refused_never_anonymous() {
    let app = app(&[("ANONYMOUS_VIEWERS", "true")]);
    for value in ["Bearer not-a-jwt", "not-a-jwt", "Basic dXNlcjpwYXNz"] {
        let mut req = event("POST", "/auth", None, json!({"arn": ARN}));
        req.headers_mut()
            .insert("authorization", value.parse().unwrap());
        let response = app.handle(&req, "r").await;
        assert_eq!(response.status().as_u16(), 401, "{value}");
    }
    assert!(calls(&app).is_empty());
}
