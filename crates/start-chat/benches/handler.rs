//! Per-request overhead of the handler, Connect excluded: parsing, validation, CORS,
//! the response and the log line, with a starter that answers at once.
//! Run with `cargo bench -p start-chat`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use lambda_http::{Body, Request};
use start_chat::config::Config;
use start_chat::connect::{ChatStarted, ChatStarter, StartError};
use start_chat::handler::App;
use start_chat::request::StartChat;

/// Answers at once, so that only the handler's own work is measured.
struct Immediate;

impl ChatStarter for Immediate {
    async fn start(&self, _instance: &str, _chat: &StartChat) -> Result<ChatStarted, StartError> {
        Ok(ChatStarted {
            contact_id: "c".into(),
            participant_id: "p".into(),
            participant_token: "t".into(),
            continued_from_contact_id: None,
        })
    }
}

fn request(body: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri("/")
        .header("origin", "https://shop.example.com")
        .body(Body::Text(body.to_owned()))
        .unwrap()
}

fn handler(c: &mut Criterion) {
    // The production log line costs what it costs: format it, into a sink.
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::sink)
        .init();
    let vars = [
        ("INSTANCE_ID", "11111111-2222-3333-4444-555555555555"),
        ("CONTACT_FLOW_ID", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
        ("ALLOWED_ORIGINS", "https://shop.example.com"),
        ("ALLOWED_ATTRIBUTE_KEYS", "orderId,locale"),
    ];
    let config = Config::from_env(&lambda_setup::config::Env::from_pairs(&vars)).unwrap();
    let app = App {
        config,
        starter: Immediate,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let typical = request(
        r#"{"InstanceId":"11111111-2222-3333-4444-555555555555","ContactFlowId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","ParticipantDetails":{"DisplayName":"Ana"},"Attributes":{"orderId":"A-17","locale":"en-GB"},"SupportedMessagingContentTypes":["text/plain","text/markdown"]}"#,
    );
    let invalid = request(r#"{"ParticipantDetails":{}}"#);
    c.bench_function("start-chat/success", |b| {
        b.iter(|| rt.block_on(app.handle(black_box(&typical), "bench")))
    });
    c.bench_function("start-chat/rejected", |b| {
        b.iter(|| rt.block_on(app.handle(black_box(&invalid), "bench")))
    });
}

criterion_group!(benches, handler);
criterion_main!(benches);
