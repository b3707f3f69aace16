//! The Lambda runtime loop, and loading what both ways of running need.

use std::process::ExitCode;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use chat_state::{DynamoStore, MemoryStore, Store};
use lambda_setup::config::Env;
use lambda_setup::launch;

use crate::config::Config;
use crate::handler::{system_clock, App};
use crate::jwt::Verifier;
use crate::rooms::IvsRooms;

pub type LiveApp = App<IvsRooms, Store>;

/// Reads the configuration, loads the issuer's keys when this process verifies tokens
/// itself, and builds the clients with the AWS SDK's usual credential and region chain.
/// A bad configuration prints one line and fails. Without `TABLE_NAME` (local runs;
/// the template always sets it) bans live in this process only.
async fn load_app(in_lambda: bool) -> Result<LiveApp, ExitCode> {
    let fail = |e: String| launch::fail("chat-auth", e);
    let config = Config::from_env(&Env::process()).map_err(|e| fail(e.to_string()))?;
    let verifier = match &config.jwt {
        Some(settings) => Some(Verifier::load(settings).await.map_err(fail)?),
        None if in_lambda => None,
        None => return Err(fail(
            "serve verifies callers itself: set JWT_ISSUER, JWT_AUDIENCE and JWKS_FILE or JWKS_URL"
                .into(),
        )),
    };
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(config.aws_timeout.min(std::time::Duration::from_secs(3)))
                .operation_timeout(config.aws_timeout)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .load()
        .await;
    let store = match &config.table {
        Some(table) => Store::Dynamo(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table)),
        None => {
            tracing::warn!("no TABLE_NAME: bans and timeouts live in this process's memory only");
            Store::Memory(MemoryStore::new())
        }
    };
    Ok(App {
        config,
        rooms: IvsRooms::new(&sdk),
        store,
        verifier,
        clock: system_clock,
    })
}

/// Starts logging and the async runtime, loads the app, and hands it to `serve`.
pub fn with_app<F, Fut>(in_lambda: bool, serve: F) -> ExitCode
where
    F: FnOnce(LiveApp) -> Fut,
    Fut: std::future::Future<Output = ExitCode>,
{
    lambda_setup::logging::init("info");
    let runtime = match launch::runtime("chat-auth") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    runtime.block_on(async {
        match load_app(in_lambda).await {
            Ok(app) => serve(app).await,
            Err(code) => code,
        }
    })
}

/// Serves Lambda invocations.
pub fn main() -> ExitCode {
    with_app(true, |app| {
        lambda_setup::serve::lambda(launch::forever(app))
    })
}
