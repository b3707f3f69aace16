//! A local HTTP server playing Amazon Connect, and helpers to call the handler with
//! the real `aws-sdk-connect` client pointed at it.

#![allow(dead_code)] // each test file uses part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_connect::config::{Credentials, Region};
use lambda_http::{Body, Request};
use serde_json::Value;
use start_chat::config::Config;
use start_chat::connect::{ConnectStarter, Limits};
use start_chat::handler::App;

pub const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
pub const FLOW: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
pub const OTHER_FLOW: &str = "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee";
pub const ORIGIN: &str = "https://shop.example.com";

/// A request Connect received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the fake Connect answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    Json(u16, Value),
    Error {
        status: u16,
        error_type: String,
        message: &'static str,
    },
    /// Never answer.
    Hang,
}

pub fn started() -> Reply {
    Reply::Json(
        200,
        serde_json::json!({"ContactId": "contact-1", "ParticipantId": "participant-1", "ParticipantToken": "token-secret-1"}),
    )
}

/// The fake Connect endpoint. Answers request n (from 0) with `replies(n)`.
pub struct FakeConnect {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl FakeConnect {
    pub fn start(replies: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let replies = Arc::new(replies);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let recorded = recorded.clone();
                let replies = replies.clone();
                std::thread::spawn(move || serve_connection(stream, &recorded, &*replies));
            }
        });
        FakeConnect { url, requests }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve_connection(
    stream: TcpStream,
    recorded: &Mutex<Vec<Recorded>>,
    replies: &dyn Fn(usize) -> Reply,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let index = {
            let mut list = recorded.lock().unwrap();
            list.push(Recorded {
                method,
                path,
                headers,
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            });
            list.len() - 1
        };
        let (status, extra, body) = match replies(index) {
            Reply::Json(status, value) => (status, String::new(), value.to_string()),
            Reply::Error {
                status,
                error_type,
                message,
            } => (
                status,
                format!("x-amzn-ErrorType: {error_type}\r\n"),
                serde_json::json!({"message": message}).to_string(),
            ),
            Reply::Hang => {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// Short limits so that retry and timeout tests finish quickly.
pub fn test_limits() -> Limits {
    Limits {
        connect_timeout: Duration::from_millis(500),
        attempt_timeout: Duration::from_millis(400),
        operation_timeout: Duration::from_millis(1500),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
    }
}

pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(&str, &str)> = vec![
        ("INSTANCE_ID", INSTANCE),
        ("CONTACT_FLOW_ID", FLOW),
        ("ALLOWED_CONTACT_FLOW_IDS", OTHER_FLOW),
        ("ALLOWED_ORIGINS", ORIGIN),
        ("ALLOWED_ATTRIBUTE_KEYS", "orderId,locale"),
    ];
    vars.extend_from_slice(extra);
    Config::from_env(&lambda_setup::config::Env::from_pairs(&vars)).unwrap()
}

/// The handler with the real SDK client pointed at `endpoint`.
pub async fn app(endpoint: &str, config: Config) -> App<ConnectStarter> {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint);
    let sdk = test_limits().apply(loader).load().await;
    App {
        config,
        starter: ConnectStarter::new(&sdk),
    }
}

pub fn post(body: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri("/")
        .header("origin", ORIGIN)
        .header("content-type", "application/json")
        .body(Body::Text(body.to_owned()))
        .unwrap()
}

/// Status, headers and JSON body of a response.
pub fn parts(response: lambda_http::Response<Body>) -> (u16, lambda_http::http::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.into_body() {
        Body::Text(t) => serde_json::from_str(&t).expect("JSON body"),
        Body::Binary(b) => serde_json::from_slice(&b).expect("JSON body"),
        _ => panic!("empty body"),
    };
    (status, headers, body)
}
