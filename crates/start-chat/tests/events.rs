//! The API Gateway REST (v1), HTTP API (v2) and function-URL fixtures under
//! `events/start-chat/`, parsed by `lambda_http` as the Lambda runtime would, answered
//! by the handler with the real SDK against the fake Connect.

mod support;

use std::path::Path;

use serde_json::json;
use support::*;

#[tokio::test]
async fn every_fixture_is_answered_as_expected() {
    // (fixture, status, whether Connect is called)
    let expected = [
        ("apigw-rest-v1.json", 200, true),
        ("apigw-rest-v1-base64-form.json", 200, true),
        ("apigw-rest-v1-preflight.json", 200, false),
        ("apigw-rest-v1-bad-request.json", 400, false),
        ("apigw-http-v2.json", 200, true),
        ("function-url.json", 200, true),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/start-chat");
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(on_disk, expected.len(), "every fixture has an expectation");
    for (file, status, calls_connect) in expected {
        let connect = FakeConnect::start(|_| started());
        let app = app(&connect.url, config(&[])).await;
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let req = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let (got, headers, body) = parts(app.handle(&req, "t").await);
        assert_eq!(got, status, "{file}: {body}");
        assert_eq!(headers["access-control-allow-origin"], ORIGIN, "{file}");
        assert_eq!(
            connect.requests().len(),
            usize::from(calls_connect),
            "{file}"
        );
        if status == 200 && calls_connect {
            assert_eq!(
                body["data"]["startChatResult"]["ContactId"], "contact-1",
                "{file}"
            );
            assert_eq!(
                body["data"]["featurePermissions"]["MESSAGING_MARKDOWN"],
                json!(true),
                "{file}"
            );
            assert_eq!(
                connect.requests()[0].body["ParticipantDetails"]["DisplayName"],
                "Ana"
            );
        }
    }
}

#[tokio::test]
async fn other_paths_are_404_json() {
    let connect = FakeConnect::start(|_| started());
    let app = app(&connect.url, config(&[])).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/start-chat");
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("apigw-rest-v1.json")).unwrap())
            .unwrap();
    event["path"] = json!("/admin");
    let req = lambda_http::request::from_str(&event.to_string()).unwrap();
    let (status, _, body) = parts(app.handle(&req, "t").await);
    assert_eq!(
        (status, &body["data"]["Error"]["code"]),
        (404, &json!("NotFound"))
    );
    assert!(connect.requests().is_empty());
}
