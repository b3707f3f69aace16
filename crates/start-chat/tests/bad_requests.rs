//! Bad requests: each is answered with a 4xx JSON error that names the field and the
//! rule, and Connect is never called.

mod support;

use serde_json::json;
use support::*;

/// (body, status, text the error message must contain)
fn cases() -> Vec<(String, u16, &'static str)> {
    let name = |extra: serde_json::Value| {
        let mut body = json!({"ParticipantDetails": {"DisplayName": "Ana"}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body.to_string()
    };
    let long = |n: usize| "x".repeat(n);
    vec![
        // Not JSON, or not an object.
        (String::new(), 400, "body: must be a JSON object"),
        ("{".into(), 400, "body: must be a JSON object"),
        ("not json".into(), 400, "body: must be a JSON object"),
        (
            "[]".into(),
            400,
            "body: must be a JSON object, got an array",
        ),
        (
            "\"text\"".into(),
            400,
            "body: must be a JSON object, got a string",
        ),
        (
            "42".into(),
            400,
            "body: must be a JSON object, got a number",
        ),
        ("null".into(), 400, "body: must be a JSON object, got null"),
        ("{\"a\":1}{".into(), 400, "body: must be a JSON object"),
        // DisplayName.
        ("{}".into(), 400, "ParticipantDetails.DisplayName: required"),
        (
            json!({"ParticipantDetails": {}}).to_string(),
            400,
            "ParticipantDetails.DisplayName: required",
        ),
        (
            json!({"ParticipantDetails": {"DisplayName": ""}}).to_string(),
            400,
            "ParticipantDetails.DisplayName: required",
        ),
        (
            json!({"ParticipantDetails": {"DisplayName": "   "}}).to_string(),
            400,
            "ParticipantDetails.DisplayName: required, and not blank",
        ),
        (
            json!({"ParticipantDetails": {"DisplayName": 7}}).to_string(),
            400,
            "ParticipantDetails.DisplayName: expected a string, got a number",
        ),
        (
            json!({"ParticipantDetails": {"DisplayName": long(257)}}).to_string(),
            400,
            "ParticipantDetails.DisplayName: must be 1 to 256 characters, got 257",
        ),
        (
            json!({"ParticipantDetails": "Ana"}).to_string(),
            400,
            "ParticipantDetails: expected an object, got a string",
        ),
        // Instance and flow allowlists.
        (
            name(json!({"InstanceId": "99999999-2222-3333-4444-555555555555"})),
            400,
            "InstanceId: is not the instance this API serves",
        ),
        (
            name(json!({"ConnectInstanceId": "other"})),
            400,
            "ConnectInstanceId: is not the instance this API serves",
        ),
        (
            name(json!({"InstanceId": 5})),
            400,
            "InstanceId: expected a string, got a number",
        ),
        (
            name(json!({"ContactFlowId": "cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee"})),
            400,
            "ContactFlowId: is not one of the flows this API allows",
        ),
        (
            name(json!({"ContactFlowId": ["x"]})),
            400,
            "ContactFlowId: expected a string, got an array",
        ),
        // Attributes.
        (
            name(json!({"Attributes": 5})),
            400,
            "Attributes: expected an object or a JSON string holding one, got a number",
        ),
        (
            name(json!({"Attributes": "[1]"})),
            400,
            "Attributes: a string must hold a JSON object",
        ),
        (
            name(json!({"Attributes": "{bad"})),
            400,
            "Attributes: a string must hold a JSON object",
        ),
        (
            name(json!({"Attributes": {"orderId": {"nested": 1}}})),
            400,
            "Attributes.orderId: expected a string, got an object",
        ),
        (
            name(json!({"Attributes": {"orderId": long(33_000)}})),
            400,
            "Attributes: must be at most 32768 bytes in all",
        ),
        // Content types.
        (
            name(json!({"SupportedMessagingContentTypes": "text/plain"})),
            400,
            "SupportedMessagingContentTypes: expected an array, got a string",
        ),
        (
            name(json!({"SupportedMessagingContentTypes": ["text/markdown"]})),
            400,
            "SupportedMessagingContentTypes: must include text/plain",
        ),
        (
            name(json!({"SupportedMessagingContentTypes": []})),
            400,
            "SupportedMessagingContentTypes: must include text/plain",
        ),
        (
            name(json!({"SupportedMessagingContentTypes": ["text/plain", "text/html"]})),
            400,
            "SupportedMessagingContentTypes[1]: must be one of",
        ),
        (
            name(json!({"SupportedMessagingContentTypes": ["text/plain", 3]})),
            400,
            "SupportedMessagingContentTypes[1]: must be one of",
        ),
        // Duration.
        (
            name(json!({"ChatDurationInMinutes": 59})),
            400,
            "ChatDurationInMinutes: must be a whole number of minutes from 60 to 10080",
        ),
        (
            name(json!({"ChatDurationInMinutes": 10081})),
            400,
            "ChatDurationInMinutes: must be a whole number",
        ),
        (
            name(json!({"ChatDurationInMinutes": 90.5})),
            400,
            "ChatDurationInMinutes: must be a whole number",
        ),
        (
            name(json!({"ChatDurationInMinutes": "90"})),
            400,
            "ChatDurationInMinutes: expected a number, got a string",
        ),
        // Initial message.
        (
            name(json!({"InitialMessage": "hi"})),
            400,
            "InitialMessage: expected an object, got a string",
        ),
        (
            name(json!({"InitialMessage": {"Content": "hi"}})),
            400,
            "InitialMessage.ContentType: required",
        ),
        (
            name(json!({"InitialMessage": {"ContentType": "text/html", "Content": "hi"}})),
            400,
            "InitialMessage.ContentType: must be one of text/plain, text/markdown",
        ),
        (
            name(json!({"InitialMessage": {"ContentType": "text/plain"}})),
            400,
            "InitialMessage.Content: required",
        ),
        // Idempotency, persistence, related contacts.
        (
            name(json!({"ClientToken": long(501)})),
            400,
            "ClientToken: must be 1 to 500 characters, got 501",
        ),
        (
            name(json!({"ClientToken": true})),
            400,
            "ClientToken: expected a string, got a boolean",
        ),
        (
            name(json!({"PersistentChat": {"RehydrationType": "ALL"}})),
            400,
            "PersistentChat.RehydrationType: must be one of ENTIRE_PAST_SESSION, FROM_SEGMENT",
        ),
        (
            name(json!({"PersistentChat": {"SourceContactId": long(257)}})),
            400,
            "PersistentChat.SourceContactId: must be 1 to 256 characters",
        ),
        (
            name(json!({"PersistentChat": []})),
            400,
            "PersistentChat: expected an object, got an array",
        ),
        (
            name(json!({"RelatedContactId": long(300)})),
            400,
            "RelatedContactId: must be 1 to 256 characters",
        ),
        (
            name(
                json!({"RelatedContactId": "c1", "PersistentChat": {"RehydrationType": "FROM_SEGMENT", "SourceContactId": "c0"}}),
            ),
            400,
            "RelatedContactId: cannot be combined with PersistentChat",
        ),
        // Size.
        (
            name(json!({"Padding": long(70_000)})),
            400,
            "body: must be at most 64 KB",
        ),
    ]
}

#[tokio::test]
async fn every_bad_request_is_a_4xx_json_error_without_a_connect_call() {
    let connect = FakeConnect::start(|_| started());
    let app = app(&connect.url, config(&[])).await;
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for (body, want_status, want_message) in &cases {
        let (status, headers, answer) = parts(app.handle(&post(body), "t").await);
        let error = &answer["data"]["Error"];
        let shown: String = body.chars().take(80).collect();
        assert_eq!(status, *want_status, "{shown}: {answer}");
        assert_eq!(error["statusCode"], *want_status, "{shown}");
        assert_eq!(error["code"], "InvalidRequest", "{shown}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with(want_message),
            "{shown}\n got: {message}\nwant: {want_message}"
        );
        assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    }
    assert!(
        connect.requests().is_empty(),
        "Connect was called for a bad request"
    );
}

#[tokio::test]
async fn invalid_utf8_and_base64_bodies() {
    let connect = FakeConnect::start(|_| started());
    let app = app(&connect.url, config(&[])).await;
    let mut req = post("");
    *req.body_mut() = lambda_http::Body::Binary(vec![0xff, 0xfe, b'{']);
    let (status, _, answer) = parts(app.handle(&req, "t").await);
    assert_eq!(status, 400);
    assert_eq!(
        answer["data"]["Error"]["message"],
        "body: must be UTF-8 JSON text"
    );
    assert!(connect.requests().is_empty());
}
