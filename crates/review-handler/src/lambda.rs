//! The Lambda runtime loop.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use chat_state::DynamoStore;

use lambda_runtime::{service_fn, LambdaEvent};
use lambda_setup::config::Env;
use lambda_setup::launch;
use lambda_setup::metrics::Metrics;
use serde_json::value::RawValue;

use crate::config::{Config, StateSettings};
use crate::handler::{review_raw, unavailable};
use crate::ivs::ReviewResponse;
use crate::live::LivePolicy;
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

/// What serves reviews once the configuration has loaded.
struct Serving {
    policy: LivePolicy,
    log_content: bool,
    enforcer: Option<Enforcer<DynamoStore>>,
}

impl Serving {
    async fn start(config: Config, metrics: &Metrics) -> Serving {
        tracing::info!(policy = %config.source, "policy loaded");
        let policy = match config.live {
            Some(live) => {
                tracing::info!(path = %live.path, "live policy versions from AppConfig");
                LivePolicy::start(config.engine, live, metrics.clone()).await
            }
            None => LivePolicy::fixed(config.engine),
        };
        let enforcer = match &config.state {
            Some(state) => Some(enforcer(state).await),
            None => None,
        };
        Serving {
            policy,
            log_content: config.log_content,
            enforcer,
        }
    }

    async fn review(&'static self, raw: &str, metrics: &Metrics) -> ReviewResponse {
        let engine = self.policy.engine().await;
        let mut outcome = review_raw(&engine, raw);
        let enforcement = match (
            &self.enforcer,
            outcome.room_arn.clone(),
            outcome.user_id.clone(),
        ) {
            (Some(enforcer), Some(room), Some(user)) => Some(
                enforcer
                    .enforce(&engine, &mut outcome, &room, &user, unix_now())
                    .await,
            ),
            _ => None,
        };
        crate::logging::review(&outcome, enforcement.as_ref(), self.log_content);
        crate::metrics::review(metrics, &outcome, enforcement.as_ref());
        outcome.response
    }
}

/// Loads the configuration and serves invocations until the runtime stops. A policy
/// that cannot be loaded does not stop the function: it is logged once, and every
/// event is denied with a reason until the policy is fixed.
pub fn main() -> ExitCode {
    lambda_setup::logging::init("info");
    let env = Env::process();
    let metrics = launch::forever(Metrics::from_env(&env));
    let config = Config::from_env(&env)
        .map_err(|e| tracing::error!(error = %e, "the configuration cannot be loaded: every message is denied until it is fixed"))
        .ok();
    let runtime = match launch::runtime("review-handler") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let serving: Option<&'static Serving> =
        config.map(|config| launch::forever(runtime.block_on(Serving::start(config, metrics))));
    if let Some(enforcer) = serving.and_then(|s| s.enforcer.as_ref()) {
        // Opens the connection to the table while the runtime waits for the first
        // event, so that the first lookup is not spent on it.
        runtime.spawn(enforcer.warm_up());
    }
    // The payload stays raw text: the runtime's own parsing would fail on JSON nested
    // too deeply, and a failure must still be answered with the policy's verdict.
    let handler = service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
        let response = match serving {
            Some(serving) => serving.review(event.payload.get(), metrics).await,
            None => {
                tracing::warn!(verdict = "DENY", basis = "unavailable", "no policy: denied");
                crate::metrics::unavailable(metrics);
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
