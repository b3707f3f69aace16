//! What both Lambda binaries share: JSON-line logs, and naming a JSON value's type in
//! error messages without quoting the value (which may be user data).

use serde_json::Value;
use tracing_subscriber::EnvFilter;

/// Installs JSON-line logging on stderr. `LOG_LEVEL` (`error`..`trace`, or a tracing
/// filter) overrides `default`.
pub fn init_json_logs(default: &str) {
    let filter = std::env::var("LOG_LEVEL")
        .ok()
        .and_then(|l| EnvFilter::try_new(l).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(true)
        .with_span_list(false)
        .init();
}

/// "a string", "an object", ...: the type of `v`, for messages like
/// `Content: expected a string, got a number`.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_every_type() {
        let names: Vec<&str> = [
            json!(null),
            json!(true),
            json!(1),
            json!("x"),
            json!([]),
            json!({}),
        ]
        .iter()
        .map(json_type)
        .collect();
        assert_eq!(
            names,
            [
                "null",
                "a boolean",
                "a number",
                "a string",
                "an array",
                "an object"
            ]
        );
    }
}
