//! JSON-line logs on stderr.

use tracing_subscriber::EnvFilter;

/// Installs the JSON subscriber; `LOG_LEVEL` overrides `info`.
pub fn init() {
    let filter = std::env::var("LOG_LEVEL")
        .ok()
        .and_then(|l| EnvFilter::try_new(l).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(true)
        .with_span_list(false)
        .init();
}
