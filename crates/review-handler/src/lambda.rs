//! The Lambda runtime loop.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use chat_state::DynamoStore;

use lambda_runtime::{service_fn, LambdaEvent};
use lambda_setup::config::Env;
use lambda_setup::launch;
use serde_json::value::RawValue;

use crate::config::{Config, StateSettings};
use crate::handler::{review_raw, unavailable};
use crate::sanctions::Enforcer;

/// The lookups of chat-auth's bans and timeouts, with the SDK's usual credential and
/// region chain. The SDK's own timeouts sit above the deadline, which is what bounds
/// each lookup.
async fn enforcer(state: &StateSettings) -> Enforcer<DynamoStore> {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_timeout(Duration::from_secs(1))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .load()
        .await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &state.table);
    tracing::info!(table = %state.table, deadline_ms = state.deadline.as_millis() as u64, "bans and timeouts enforced");
    Enforcer::new(store, state.deadline, state.cache_for)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Loads the configuration and serves invocations until the runtime stops. A policy
/// that cannot be loaded does not stop the function: it is logged once, and every
/// event is denied with a reason until the policy is fixed.
pub fn main() -> ExitCode {
    lambda_setup::logging::init("info");
    let config = match Config::from_env(&Env::process()) {
        Ok(config) => {
            tracing::info!(policy = %config.source, "policy loaded");
            Some(launch::forever(config))
        }
        Err(e) => {
            tracing::error!(error = %e, "the configuration cannot be loaded: every message is denied until it is fixed");
            None
        }
    };
    let runtime = match launch::runtime("review-handler") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let enforcer = config
        .and_then(|c| c.state.as_ref())
        .map(|state| launch::forever(runtime.block_on(enforcer(state))));
    if let Some(enforcer) = enforcer {
        // Opens the connection to the table while the runtime waits for the first
        // event, so that the first lookup is not spent on it.
        runtime.spawn(enforcer.warm_up());
    }
    // The payload stays raw text: the runtime's own parsing would fail on JSON nested
    // too deeply, and a failure must still be answered with the policy's verdict.
    let handler = service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
        let response = match config {
            Some(config) => {
                let mut outcome = review_raw(&config.engine, event.payload.get());
                let enforcement =
                    match (enforcer, outcome.room_arn.clone(), outcome.user_id.clone()) {
                        (Some(enforcer), Some(room), Some(user)) => Some(
                            enforcer
                                .enforce(&config.engine, &mut outcome, &room, &user, unix_now())
                                .await,
                        ),
                        _ => None,
                    };
                crate::logging::review(&outcome, enforcement.as_ref(), config.log_content);
                outcome.response
            }
            None => {
                tracing::warn!(verdict = "DENY", basis = "unavailable", "no policy: denied");
                unavailable(event.payload.get())
            }
        };
        Ok::<_, lambda_runtime::Error>(response)
    });
    match runtime.block_on(lambda_runtime::run(handler)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}
