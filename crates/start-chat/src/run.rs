//! The two ways the binary runs: the Lambda runtime, or `start-chat serve`.

use std::process::ExitCode;
use std::sync::Arc;

use lambda_http::{service_fn, Request, RequestExt};

use crate::api::App;
use crate::config::Config;
use crate::connect::{ConnectStarter, Limits};

pub const USAGE: &str = "\
Usage: start-chat serve [--port PORT]

Serves the StartChatContact proxy on http://127.0.0.1:PORT/ (default 8787), with the
caller's AWS credentials and region, for local front-end development. POST / or
/Prod/ as a ChatJS client would.

Configuration comes from the environment: INSTANCE_ID, CONTACT_FLOW_ID,
ALLOWED_CONTACT_FLOW_IDS, ALLOWED_ORIGINS, ALLOWED_ATTRIBUTE_KEYS,
ATTACHMENTS_ENABLED, DEFAULT_CHAT_DURATION_MINUTES, LOG_LEVEL.

Inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves the Lambda runtime.";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve { port: u16 },
    Help,
}

pub fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut rest = args.iter();
    match rest.next().map(String::as_str) {
        Some("serve") => {}
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some(other) => return Err(format!("unknown command {other:?}; expected `serve`")),
        None => return Err("missing command; expected `serve`".to_owned()),
    }
    let mut port = 8787;
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--port" => {
                let value = rest.next().ok_or("--port needs a number")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port: {value:?} is not a port number"))?;
            }
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(Command::Serve { port })
}

/// Reads the configuration and builds the app; prints one line and fails on error.
async fn app() -> Result<App<ConnectStarter>, ExitCode> {
    let config = Config::from_env(|k| std::env::var(k).ok()).map_err(|e| {
        eprintln!("start-chat: {e}");
        ExitCode::FAILURE
    })?;
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let sdk = Limits::default().apply(loader).load().await;
    Ok(App {
        config,
        starter: ConnectStarter::new(&sdk),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("start-chat: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        })
}

/// Serves Lambda invocations.
pub fn lambda() -> ExitCode {
    lambda_support::init_json_logs("info");
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async {
        let app: &'static App<ConnectStarter> = match app().await {
            Ok(app) => Box::leak(Box::new(app)),
            Err(code) => return code,
        };
        let handler = service_fn(move |req: Request| async move {
            let request_id = req
                .lambda_context_ref()
                .map(|c| c.request_id.clone())
                .unwrap_or_default();
            Ok::<_, lambda_http::Error>(app.handle(&req, &request_id).await)
        });
        match lambda_http::run(handler).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "the Lambda runtime stopped");
                ExitCode::FAILURE
            }
        }
    })
}

/// Runs the command line.
pub fn cli(args: &[String]) -> ExitCode {
    let port = match parse_args(args) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve { port }) => port,
        Err(e) => {
            eprintln!("start-chat: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    lambda_support::init_json_logs("info");
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async {
        let app = match app().await {
            Ok(app) => Arc::new(app),
            Err(code) => return code,
        };
        let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("start-chat: cannot listen on 127.0.0.1:{port}: {e}");
                return ExitCode::FAILURE;
            }
        };
        tracing::info!(url = %format!("http://127.0.0.1:{port}/"), "serving");
        match crate::server::serve(app, listener).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("start-chat: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Command, String> {
        parse_args(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_serve_and_port() {
        assert_eq!(args(&["serve"]).unwrap(), Command::Serve { port: 8787 });
        assert_eq!(
            args(&["serve", "--port", "9000"]).unwrap(),
            Command::Serve { port: 9000 }
        );
        assert!(args(&["serve", "--port", "x"])
            .unwrap_err()
            .contains("not a port"));
        assert!(args(&["serve", "--bogus"]).is_err());
        assert_eq!(args(&["--help"]).unwrap(), Command::Help);
    }
}
