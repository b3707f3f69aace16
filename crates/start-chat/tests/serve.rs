//! `start-chat serve` as a process: configured through the environment, with the SDK
//! finding the fake Connect through `AWS_ENDPOINT_URL_CONNECT`, fed real and hostile
//! HTTP over TCP.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;

/// The server process, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server with extra environment variables, and at most `max_files` open file
/// descriptors when given.
fn start_with(connect_url: &str, env: &[(&str, &str)], max_files: Option<u32>) -> Server {
    let port = free_port();
    let mut command = match max_files {
        None => Command::new(env!("CARGO_BIN_EXE_start-chat")),
        Some(n) => {
            let mut c = Command::new("prlimit");
            c.arg(format!("--nofile={n}"))
                .arg(env!("CARGO_BIN_EXE_start-chat"));
            c
        }
    };
    let child = command
        .args(["serve", "--port", &port.to_string()])
        .env_clear()
        .envs(env.iter().copied())
        .env("INSTANCE_ID", INSTANCE)
        .env("CONTACT_FLOW_ID", FLOW)
        .env("ALLOWED_ORIGINS", ORIGIN)
        .env("AWS_ENDPOINT_URL_CONNECT", connect_url)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "start-chat serve did not start listening"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

/// Sends raw bytes; returns the status and the JSON body of the answer.
fn send(port: u16, raw: &[u8]) -> (u16, String, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let _ = stream.write_all(raw);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, head.to_ascii_lowercase(), json)
}

fn request(method: &str, path: &str, origin: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nOrigin: {origin}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

const VALID: &str = r#"{"ParticipantDetails":{"DisplayName":"Ana Secretname"},"Attributes":"{}"}"#;

#[test]
fn serves_the_sample_contract_and_survives_hostile_input() {
    let connect = FakeConnect::start(|_| started());
    // At the most verbose level, the SDK's own traces included the participant token.
    let mut server = start_with(&connect.url, &[("AWS_LAMBDA_LOG_LEVEL", "trace")], None);
    let port = server.port;

    for path in ["/", "/Prod/", "/Prod"] {
        let (status, head, body) = send(port, &request("POST", path, ORIGIN, VALID));
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(
            body["data"]["startChatResult"]["ParticipantToken"],
            "token-secret-1"
        );
        assert!(
            head.contains("access-control-allow-origin: https://shop.example.com"),
            "{head}"
        );
    }
    let sent = &connect.requests()[0];
    assert_eq!(
        sent.path, "/contact/chat",
        "AWS_ENDPOINT_URL_CONNECT is honoured"
    );
    assert!(sent
        .header("authorization")
        .unwrap()
        .contains("/eu-central-1/connect/aws4_request"));

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let huge = format!("{{\"x\":\"{}\"}}", "a".repeat(2_000_000));
    let hostile: Vec<(Vec<u8>, u16)> = vec![
        (request("POST", "/", ORIGIN, "{"), 400),
        (request("POST", "/", ORIGIN, &deep), 400),
        (request("POST", "/", ORIGIN, &huge), 400),
        (request("POST", "/", ORIGIN, "\u{0}\u{1}garbage"), 400),
        (request("POST", "/", "https://evil.example", VALID), 403),
        (request("DELETE", "/", ORIGIN, ""), 405),
        (request("POST", "/a/b/c", ORIGIN, VALID), 404),
        (request("POST", "/favicon.ico", ORIGIN, VALID), 404),
        (request("POST", "/startChatContact", ORIGIN, VALID), 404),
        (request("OPTIONS", "/Prod/", ORIGIN, ""), 200),
    ];
    for (raw, want) in &hostile {
        let (status, _, body) = send(port, raw);
        assert_eq!(status, *want, "{body}");
        assert!(body.is_object(), "JSON answer for status {status}");
    }
    // Not HTTP at all, then a half-sent request: the server shrugs and carries on.
    let _ = send(port, b"\x16\x03\x01 not http\r\n\r\n");
    {
        let mut half = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let _ = half.write_all(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"Part");
    }
    let (status, _, _) = send(port, &request("POST", "/", ORIGIN, VALID));
    assert_eq!(status, 200, "still serving");
    assert_eq!(
        connect.requests().len(),
        4,
        "only the valid requests reached Connect"
    );

    let _ = server.child.kill();
    let mut logs = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let lines: Vec<Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(lines.len() >= 12, "one JSON log line per request:\n{logs}");
    assert!(lines
        .iter()
        .any(|l| l["fields"]["contact_id"] == json!("contact-1")));
    assert!(lines
        .iter()
        .any(|l| l["fields"]["request_id"] == json!("local-1")));
    for secret in ["token-secret-1", "Secretname"] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
}

#[test]
fn idle_connections_past_the_descriptor_limit_do_not_stop_the_server() {
    let connect = FakeConnect::start(|_| started());
    let server = start_with(&connect.url, &[], Some(64));
    // More idle connections than the process may hold files: accepting fails until the
    // server closes the idle ones (their headers never come).
    let idle: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    assert!(
        idle.len() > 64,
        "the kernel queues what the server cannot accept yet"
    );
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (status, _, _) = send(server.port, &request("POST", "/", ORIGIN, VALID));
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the server never served again");
        std::thread::sleep(Duration::from_millis(500));
    }
    drop(idle);
}

#[test]
fn bad_configuration_stops_with_one_line_naming_the_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_start-chat"))
        .args(["serve", "--port", &free_port().to_string()])
        .env_clear()
        .env("INSTANCE_ID", "not-a-uuid")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("start-chat: INSTANCE_ID: \"not-a-uuid\" is not an ID"),
        "{err}"
    );
}
