//! JSON log lines on stderr, configured the way Lambda's advanced logging controls say
//! (the template's `LoggingConfig` sets them), as `lambda_runtime`'s own setup reads
//! them: the level from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG` (directives allowed);
//! the format from `AWS_LAMBDA_LOG_FORMAT` (`Text` for plain lines, JSON otherwise).
//!
//! The runtime's setup cannot do one thing needed here: at `TRACE` the AWS SDK logs
//! whole HTTP responses, bearer tokens included (Connect's participant token, IVS
//! chat tokens). Those crates are held at `DEBUG`, whatever the level.

use lambda_runtime::tracing::subscriber::filter::{Directive, EnvFilter, LevelFilter};
use lambda_runtime::tracing::Level;

/// Crates that log request and response bodies at `TRACE`.
const WIRE_CRATES: [&str; 4] = [
    "aws_smithy_runtime",
    "aws_smithy_http_client",
    "hyper",
    "hyper_util",
];

/// Installs the subscriber; `default` is the level when no variable sets one.
pub fn init(default: &str) {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let text = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("text"));
    let logs = lambda_runtime::tracing::subscriber::fmt()
        .with_env_filter(filter(level.as_deref(), default))
        .with_writer(std::io::stderr);
    if text {
        logs.init();
    } else {
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    }
}

/// The filter for a level setting (a level name or tracing directives).
fn filter(level: Option<&str>, default: &str) -> EnvFilter {
    let mut filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .parse_lossy(level.unwrap_or(default).to_ascii_lowercase());
    if filter
        .max_level_hint()
        .is_none_or(|max| max >= Level::TRACE)
    {
        for krate in WIRE_CRATES {
            let cap: Directive = format!("{krate}=debug").parse().expect("a valid directive");
            filter = filter.add_directive(cap);
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_runtime::tracing::dispatcher::{self, Dispatch};
    use lambda_runtime::tracing::subscriber::layer::SubscriberExt;
    use lambda_runtime::tracing::subscriber::Registry;
    use lambda_runtime::tracing::{enabled, Level};

    /// Which of (SDK trace, SDK debug, own trace, own debug, own info) `level` lets through.
    fn enabled_under(level: &str) -> [bool; 5] {
        let dispatch = Dispatch::new(Registry::default().with(filter(Some(level), "info")));
        dispatcher::with_default(&dispatch, || {
            [
                enabled!(target: "aws_smithy_runtime::client::orchestrator", Level::TRACE),
                enabled!(target: "aws_smithy_runtime::client::orchestrator", Level::DEBUG),
                enabled!(target: "start_chat::handler", Level::TRACE),
                enabled!(target: "start_chat::handler", Level::DEBUG),
                enabled!(target: "start_chat::handler", Level::INFO),
            ]
        })
    }

    #[test]
    fn no_level_lets_the_sdk_trace_wire_contents() {
        for level in ["TRACE", "trace", "trace,aws_smithy_runtime=trace"] {
            assert_eq!(
                enabled_under(level),
                [false, true, true, true, true],
                "{level}"
            );
        }
        // Directives for one crate only, as RUST_LOG reads them: the rest stays off.
        assert_eq!(
            enabled_under("aws_smithy_runtime=trace"),
            [false, true, false, false, false]
        );
    }

    #[test]
    fn levels_apply_as_lambda_sets_them() {
        assert_eq!(enabled_under("INFO"), [false, false, false, false, true]);
        assert_eq!(enabled_under("DEBUG"), [false, true, false, true, true]);
        assert_eq!(enabled_under("WARN"), [false, false, false, false, false]);
    }
}
