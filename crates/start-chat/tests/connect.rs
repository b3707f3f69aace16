//! The handler with the real `aws-sdk-connect` client against a local server playing
//! Connect: the exact request Connect receives, and every way Connect can answer.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;

const MINIMAL: &str = r#"{"ParticipantDetails":{"DisplayName":"Ana"}}"#;

#[tokio::test]
async fn success_sends_the_exact_request_and_answers_like_the_sample() {
    let connect = FakeConnect::start(|_| started());
    let app = app(&connect.url, config(&[])).await;
    let body = json!({
        "InstanceId": INSTANCE,
        // In another letter case: Connect gets the flow as configured.
        "ContactFlowId": OTHER_FLOW.to_uppercase(),
        "ParticipantDetails": {"DisplayName": "Ana"},
        "Attributes": {"orderId": "A-17", "locale": "pt-BR", "notAllowed": "dropped"},
        "SupportedMessagingContentTypes": ["text/plain", "text/markdown"],
        "ChatDurationInMinutes": 90,
        "InitialMessage": {"ContentType": "text/plain", "Content": "Where is my order?"},
        "ClientToken": "token-123",
        "PersistentChat": {"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": "prev-contact"},
    });
    let (status, headers, answer) = parts(app.handle(&post(&body.to_string()), "t1").await);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"data": {
            "startChatResult": {"ContactId": "contact-1", "ParticipantId": "participant-1", "ParticipantToken": "token-secret-1"},
            "featurePermissions": {"MESSAGING_MARKDOWN": true, "ATTACHMENTS": false},
        }})
    );
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(headers["content-type"], "application/json");

    let requests = connect.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/contact/chat")
    );
    let auth = r.header("authorization").expect("SigV4 signed");
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/connect/aws4_request"), "{auth}");
    assert_eq!(
        r.body,
        json!({
            "InstanceId": INSTANCE,
            "ContactFlowId": OTHER_FLOW,
            "ParticipantDetails": {"DisplayName": "Ana"},
            "Attributes": {"customerName": "Ana", "orderId": "A-17", "locale": "pt-BR"},
            "SupportedMessagingContentTypes": ["text/plain", "text/markdown"],
            "ChatDurationInMinutes": 90,
            "InitialMessage": {"ContentType": "text/plain", "Content": "Where is my order?"},
            "ClientToken": "token-123",
        }),
        "persistent chat is off by default: the earlier contact is never forwarded"
    );
}

#[tokio::test]
async fn an_initial_message_too_long_for_connect_is_cut_not_refused() {
    let connect = FakeConnect::start(|_| started());
    let app = app(&connect.url, config(&[])).await;
    // 1,030 characters, the last of them two bytes each.
    let text = format!("{}{}", "a".repeat(1020), "é".repeat(10));
    let body = json!({"ParticipantDetails": {"DisplayName": "Ana"},
                      "InitialMessage": {"ContentType": "text/plain", "Content": text}});
    let (status, _, _) = parts(app.handle(&post(&body.to_string()), "t").await);
    assert_eq!(status, 200);
    let sent = connect.requests()[0].body["InitialMessage"]["Content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sent, format!("{}{}", "a".repeat(1020), "é".repeat(4)));
}

#[tokio::test]
async fn continuing_a_chat_takes_the_ticket_of_that_chat() {
    let connect = FakeConnect::start(|_| started());
    let secret = "0123456789abcdef0123456789abcdef";
    let app = app(
        &connect.url,
        config(&[
            ("PERSISTENT_CHAT", "true"),
            ("RESUME_TICKET_SECRET", secret),
        ]),
    )
    .await;
    let (status, _, first) = parts(app.handle(&post(MINIMAL), "t1").await);
    assert_eq!(status, 200);
    let ticket = first["data"]["resumeTicket"]
        .as_str()
        .expect("a ticket")
        .to_owned();

    let resume = |contact: &str, ticket: Option<&str>| {
        let mut body = json!({"ParticipantDetails": {"DisplayName": "Ana"},
            "PersistentChat": {"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": contact}});
        if let Some(t) = ticket {
            body["ResumeTicket"] = json!(t);
        }
        post(&body.to_string())
    };
    for (contact, ticket, why) in [
        ("contact-1", None, "no ticket"),
        ("someone-else", Some(ticket.as_str()), "another contact's"),
        ("contact-1", Some("v1.99999999999.AAAA"), "forged"),
    ] {
        let (status, _, body) = parts(app.handle(&resume(contact, ticket), "t").await);
        assert_eq!(status, 403, "{why}: {body}");
        assert_eq!(body["data"]["Error"]["code"], "ResumeNotAllowed", "{why}");
    }
    assert_eq!(
        connect.requests().len(),
        1,
        "refused continuations never reach Connect"
    );

    let (status, _, _) = parts(app.handle(&resume("contact-1", Some(&ticket)), "t2").await);
    assert_eq!(status, 200);
    let sent = &connect.requests()[1].body;
    assert_eq!(
        sent["PersistentChat"],
        json!({"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": "contact-1"})
    );
    assert!(sent.get("ResumeTicket").is_none());
}

#[tokio::test]
async fn minimal_request_uses_server_defaults_like_the_sample() {
    let connect = FakeConnect::start(|_| started());
    let app = app(
        &connect.url,
        config(&[
            ("DEFAULT_CHAT_DURATION_MINUTES", "120"),
            ("ATTACHMENTS_ENABLED", "true"),
        ]),
    )
    .await;
    let (status, _, answer) = parts(app.handle(&post(MINIMAL), "t").await);
    assert_eq!(status, 200);
    assert_eq!(
        answer["data"]["featurePermissions"],
        json!({"MESSAGING_MARKDOWN": false, "ATTACHMENTS": true})
    );
    assert!(answer["data"]["startChatResult"]
        .get("ContinuedFromContactId")
        .is_none());
    let sent = &connect.requests()[0].body;
    assert_eq!(sent["InstanceId"], INSTANCE);
    assert_eq!(sent["ContactFlowId"], FLOW);
    assert_eq!(sent["Attributes"], json!({"customerName": "Ana"}));
    assert_eq!(sent["ChatDurationInMinutes"], 120);
    // The SDK fills in an idempotency token when the client sends none.
    assert!(sent["ClientToken"].as_str().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn attributes_as_a_json_string_and_the_idempotency_header() {
    let connect = FakeConnect::start(|_| started());
    let app = app(&connect.url, config(&[])).await;
    let body = json!({
        "ConnectInstanceId": INSTANCE,
        "ParticipantDetails": {"DisplayName": "Ana"},
        "Attributes": "{\"orderId\": 42, \"customerName\": \"spoofed\"}",
    });
    let mut req = post(&body.to_string());
    req.headers_mut()
        .insert("idempotency-key", "retry-7".parse().unwrap());
    let (status, _, _) = parts(app.handle(&req, "t").await);
    assert_eq!(status, 200);
    let sent = &connect.requests()[0].body;
    assert_eq!(
        sent["Attributes"],
        json!({"customerName": "Ana", "orderId": "42"})
    );
    assert_eq!(sent["ClientToken"], "retry-7");
}

#[tokio::test]
async fn continued_from_contact_id_appears_when_connect_returns_it() {
    let connect = FakeConnect::start(|_| {
        Reply::Json(
            200,
            json!({"ContactId": "c2", "ParticipantId": "p2", "ParticipantToken": "t2", "ContinuedFromContactId": "c1"}),
        )
    });
    let app = app(&connect.url, config(&[])).await;
    let (_, _, answer) = parts(app.handle(&post(MINIMAL), "t").await);
    assert_eq!(
        answer["data"]["startChatResult"]["ContinuedFromContactId"],
        "c1"
    );
}

async fn error_case(
    status: u16,
    error_type: &str,
) -> (u16, lambda_http::http::HeaderMap, Value, usize) {
    let error_type = error_type.to_owned();
    let connect = FakeConnect::start(move |_| Reply::Error {
        status,
        error_type: error_type.clone(),
        message: "details from Connect",
    });
    let app = app(&connect.url, config(&[])).await;
    let (s, h, b) = parts(app.handle(&post(MINIMAL), "t").await);
    (s, h, b, connect.requests().len())
}

#[tokio::test]
async fn modelled_errors_map_to_statuses() {
    // How each Connect error reaches the client: one table, shared with the
    // end-to-end tests.
    let table: Vec<Value> = serde_json::from_str(include_str!("connect-errors.json")).unwrap();
    for case in &table {
        let upstream = case["connect_status"].as_u64().unwrap() as u16;
        let error_type = case["error_type"].as_str().unwrap();
        let want_status = case["status"].as_u64().unwrap() as u16;
        let want_code = case["code"].as_str().unwrap();
        let retry_after = case["retry_after"].as_bool().unwrap();
        let (status, headers, body, _) = error_case(upstream, error_type).await;
        assert_eq!(status, want_status, "{error_type}: {body}");
        let error = &body["data"]["Error"];
        assert_eq!(error["code"], want_code, "{error_type}");
        assert_eq!(error["statusCode"], want_status);
        assert!(error["message"].is_string());
        assert_eq!(
            headers.contains_key("retry-after"),
            retry_after,
            "{error_type}"
        );
        assert_eq!(
            headers["access-control-allow-origin"], ORIGIN,
            "CORS on errors too"
        );
        if error_type == "AccessDeniedException" {
            assert!(
                !error["message"].as_str().unwrap().contains("details"),
                "no details leak"
            );
        }
    }
}

#[tokio::test]
async fn throttling_is_retried_then_reported_as_429() {
    let (status, headers, body, attempts) = error_case(429, "ThrottlingException").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["data"]["Error"]["code"], "ThrottlingException");
    assert!(headers.contains_key("retry-after"));
    assert_eq!(attempts, 3, "the SDK retried twice");
    let (status, _, _, attempts) = error_case(429, "TooManyRequestsException").await;
    assert_eq!((status, attempts), (429, 3));
}

#[tokio::test]
async fn throttling_then_success_succeeds() {
    let connect = FakeConnect::start(|n| {
        if n < 2 {
            Reply::Error {
                status: 429,
                error_type: "ThrottlingException".to_owned(),
                message: "slow down",
            }
        } else {
            started()
        }
    });
    let app = app(&connect.url, config(&[])).await;
    let (status, _, _) = parts(app.handle(&post(MINIMAL), "t").await);
    assert_eq!(status, 200);
    let requests = connect.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].body, requests[2].body,
        "retries resend the same request"
    );
}

#[tokio::test]
async fn a_hanging_connect_times_out_as_503() {
    let connect = FakeConnect::start(|_| Reply::Hang);
    let app = app(&connect.url, config(&[])).await;
    let began = Instant::now();
    let (status, headers, body) = parts(app.handle(&post(MINIMAL), "t").await);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["data"]["Error"]["code"], "UpstreamTimeout");
    assert!(headers.contains_key("retry-after"));
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "bounded by the operation timeout"
    );
}

#[tokio::test]
async fn an_unreachable_connect_is_503() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = app(&url, config(&[])).await;
    let (status, _, body) = parts(app.handle(&post(MINIMAL), "t").await);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["data"]["Error"]["code"], "UpstreamUnavailable");
}

#[tokio::test]
async fn cors_preflight_and_origins() {
    let connect = FakeConnect::start(|_| started());
    let app = app(&connect.url, config(&[])).await;
    let request = |method: &str, origin: Option<&str>| {
        let mut b = lambda_http::http::Request::builder()
            .method(method)
            .uri("/");
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        b.body(lambda_http::Body::Text(MINIMAL.to_owned())).unwrap()
    };
    let (status, headers, body) = parts(app.handle(&request("OPTIONS", Some(ORIGIN)), "t").await);
    assert_eq!((status, body), (200, json!({})));
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(headers["access-control-allow-methods"], "POST,OPTIONS");
    assert!(headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .starts_with("Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"));
    assert_eq!(headers["vary"], "Origin");

    for method in ["OPTIONS", "POST"] {
        let (status, headers, body) = parts(
            app.handle(&request(method, Some("https://evil.example")), "t")
                .await,
        );
        assert_eq!(status, 403);
        assert_eq!(body["data"]["Error"]["code"], "OriginNotAllowed");
        assert!(!headers.contains_key("access-control-allow-origin"));
    }
    // A look-alike host with a Cyrillic letter: not visible ASCII, so not allowed
    // (it used to be read as no Origin at all, and served).
    let mut lookalike = request("POST", None);
    lookalike.headers_mut().insert(
        "origin",
        lambda_http::http::HeaderValue::from_bytes("https://shop.exаmple.com".as_bytes()).unwrap(),
    );
    let (status, headers, body) = parts(app.handle(&lookalike, "t").await);
    assert_eq!(
        (status, &body["data"]["Error"]["code"]),
        (403, &json!("OriginNotAllowed"))
    );
    assert!(!headers.contains_key("access-control-allow-origin"));

    let (status, _, body) = parts(app.handle(&request("GET", Some(ORIGIN)), "t").await);
    assert_eq!(
        (status, &body["data"]["Error"]["code"]),
        (405, &json!("MethodNotAllowed"))
    );
    assert!(
        connect.requests().is_empty(),
        "no Connect call for any of these"
    );

    // Without an Origin header (server-side callers) the request goes through.
    let (status, headers, _) = parts(app.handle(&request("POST", None), "t").await);
    assert_eq!(status, 200);
    assert!(!headers.contains_key("access-control-allow-origin"));

    let any = app_with_any_origin(&connect.url).await;
    let (_, headers, _) = parts(
        any.handle(&request("POST", Some("https://x.example")), "t")
            .await,
    );
    assert_eq!(headers["access-control-allow-origin"], "*");
}

async fn app_with_any_origin(
    url: &str,
) -> start_chat::handler::App<start_chat::connect::ConnectStarter> {
    app(url, config(&[("ALLOWED_ORIGINS", "*")])).await
}
