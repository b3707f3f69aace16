//! AWS AppConfig's validator for live policy versions: AppConfig invokes it with each
//! new version before the version can be deployed, and refuses the version when it
//! fails. It runs the same parser and compiler as the review handler, so a version
//! it accepts is one the handler can serve.

use std::process::ExitCode;

use base64::Engine as _;
use lambda_runtime::{service_fn, LambdaEvent};
use lambda_setup::launch;
use serde::Deserialize;

/// What AppConfig sends: the version's content, base64-encoded, and names for logs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationEvent {
    pub content: String,
    #[serde(default)]
    pub configuration_version: Option<String>,
}

/// Why a version cannot be deployed, or `Ok` when the handler can serve it.
pub fn validate(event: &ValidationEvent) -> Result<(), String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(event.content.trim())
        .map_err(|e| format!("the content is not base64: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "the policy is not UTF-8 text".to_owned())?;
    crate::live::compile(&text).map(|_| ())
}

/// The Lambda loop of the `policy-validator` binary.
pub fn main() -> ExitCode {
    lambda_setup::logging::init("info");
    let runtime = match launch::runtime("policy-validator") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let handler = service_fn(|event: LambdaEvent<ValidationEvent>| async move {
        let version = event.payload.configuration_version.as_deref().unwrap_or("");
        match validate(&event.payload) {
            Ok(()) => {
                tracing::info!(version, "policy version accepted");
                Ok(())
            }
            Err(why) => {
                tracing::warn!(version, error = %why, "policy version refused");
                Err(lambda_runtime::Error::from(why))
            }
        }
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
    use super::*;

    fn event(content: &str) -> ValidationEvent {
        ValidationEvent {
            content: content.to_owned(),
            configuration_version: Some("3".into()),
        }
    }

    fn encoded(policy: &str) -> ValidationEvent {
        event(&base64::engine::general_purpose::STANDARD.encode(policy))
    }

    #[test]
    fn accepts_what_the_handler_serves() {
        let toml = "[[defaults.rules]]\nid = \"no-spoilers\"\nkind = \"terms\"\nterms = [\"ending\"]\naction = \"deny\"\n";
        assert_eq!(validate(&encoded(toml)), Ok(()));
        assert_eq!(validate(&encoded("{}")), Ok(()), "JSON too");
    }

    #[test]
    fn refuses_with_the_parser_s_reason() {
        let why = validate(&encoded("[[defaults.rules]]\nid = 1\n")).unwrap_err();
        assert!(
            why.starts_with("invalid policy: defaults.rules[0].id"),
            "{why}"
        );
        let why = validate(&encoded("[[defaults.rules]]\nid = \"r\"\nkind = \"regex\"\npattern = \"(\"\naction = \"deny\"\n")).unwrap_err();
        assert!(why.contains("regex"), "{why}");
        assert!(validate(&event("%%%"))
            .unwrap_err()
            .starts_with("the content is not base64"));
        let latin1 = base64::engine::general_purpose::STANDARD.encode([0xe9u8, b'a']);
        assert_eq!(
            validate(&event(&latin1)).unwrap_err(),
            "the policy is not UTF-8 text"
        );
    }
}
