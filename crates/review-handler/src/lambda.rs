//! The Lambda runtime loop.

use std::process::ExitCode;

use lambda_runtime::{service_fn, LambdaEvent};
use lambda_setup::config::Env;
use lambda_setup::launch;
use serde_json::value::RawValue;

use crate::config::Config;
use crate::handler::{review_raw, unavailable};

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
            tracing::error!(error = %e, "the policy cannot be loaded: every message is denied until it is fixed");
            None
        }
    };
    let runtime = match launch::runtime("review-handler") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    // The payload stays raw text: the runtime's own parsing would fail on JSON nested
    // too deeply, and a failure must still be answered with the policy's verdict.
    let handler = service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
        let response = match config {
            Some(config) => {
                let outcome = review_raw(&config.engine, event.payload.get());
                crate::logging::review(&outcome, config.log_content);
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
