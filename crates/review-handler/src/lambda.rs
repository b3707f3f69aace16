//! The Lambda runtime loop.

use std::process::ExitCode;

use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::value::RawValue;

use crate::config::Config;
use crate::handler::review_raw;

/// Loads the configuration and serves invocations until the runtime stops. A bad
/// configuration stops init with one line naming the variable.
pub fn main() -> ExitCode {
    crate::logging::init("info");
    let config = match Config::from_env(|k| std::env::var(k).ok()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("review-handler: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(policy = %config.source, "policy loaded");
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("review-handler: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config: &'static Config = Box::leak(Box::new(config));
    // The payload stays raw text: the runtime's own parsing would fail on JSON nested
    // too deeply, and a failure must still be answered with the policy's verdict.
    let handler = service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
        let outcome = review_raw(&config.engine, event.payload.get());
        crate::logging::review(&outcome, config.log_content);
        Ok::<_, lambda_runtime::Error>(outcome.response)
    });
    match runtime.block_on(lambda_runtime::run(handler)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    /// The runtime deserialises payloads through serde_path_to_error over
    /// serde_json; a raw payload must survive that for any JSON, however deep.
    #[test]
    fn raw_payload_survives_the_runtime_deserializer() {
        for body in [
            format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)),
            r#"{"Content": "\ud800 lone surrogate"}"#.to_owned(),
            "42".to_owned(),
        ] {
            let mut de = serde_json::Deserializer::from_slice(body.as_bytes());
            let raw: Box<RawValue> = serde_path_to_error::deserialize(&mut de).unwrap();
            assert_eq!(raw.get(), body);
        }
    }
}
