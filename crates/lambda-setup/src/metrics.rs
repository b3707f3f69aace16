//! CloudWatch metrics as log lines in the Embedded Metric Format: CloudWatch Logs turns
//! each line into metric data, so a request never waits on, or fails with, a metrics
//! API call. Written to stdout, one JSON object per line (Lambda passes JSON lines
//! through as they are); the log lines proper go to stderr. Off unless
//! `METRICS_NAMESPACE` is set, so that local runs print none.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::config::Env;

/// CloudWatch units of the metrics written here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// One metric document: dimension values, the sets of dimension names CloudWatch
/// aggregates the values over (`&[]` for the whole namespace), and the values.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub dimensions: &'a [(&'static str, &'a str)],
    pub sets: &'static [&'static [&'static str]],
    pub values: &'a [(&'static str, f64, Unit)],
}

/// Where metric documents go, if anywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metrics {
    namespace: Option<String>,
}

impl Metrics {
    /// Metrics under `METRICS_NAMESPACE`; none when it is unset or empty.
    pub fn from_env(env: &Env) -> Metrics {
        Metrics {
            namespace: env.get("METRICS_NAMESPACE"),
        }
    }

    /// Writes one document to stdout (nothing when metrics are off). A failed write is
    /// dropped: metrics never fail a request.
    pub fn emit(&self, record: &Record<'_>) {
        if let Some(line) = self.line(record, unix_millis()) {
            let _ = std::io::stdout().lock().write_all(line.as_bytes());
        }
    }

    /// The document as one line, newline included.
    fn line(&self, record: &Record<'_>, timestamp_ms: u64) -> Option<String> {
        let namespace = self.namespace.as_deref()?;
        let definitions: Vec<Value> = record
            .values
            .iter()
            .map(|(name, _, unit)| serde_json::json!({"Name": name, "Unit": unit.name()}))
            .collect();
        let mut document = Map::new();
        document.insert(
            "_aws".into(),
            serde_json::json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": record.sets,
                    "Metrics": definitions,
                }],
            }),
        );
        for (name, value) in record.dimensions {
            document.insert((*name).into(), Value::from(*value));
        }
        for (name, value, _) in record.values {
            document.insert((*name).into(), Value::from(*value));
        }
        let mut line = Value::Object(document).to_string();
        line.push('\n');
        Some(line)
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: Record<'static> = Record {
        dimensions: &[("Room", "abc123"), ("Rule", "slurs")],
        sets: &[&["Rule"], &["Room", "Rule"], &[]],
        values: &[
            ("Matches", 1.0, Unit::Count),
            ("Latency", 0.25, Unit::Milliseconds),
        ],
    };

    #[test]
    fn off_without_a_namespace() {
        let env = Env::from_pairs(&[("METRICS_NAMESPACE", "")]);
        assert_eq!(Metrics::from_env(&env).line(&RECORD, 1), None);
        assert_eq!(Metrics::default().line(&RECORD, 1), None);
    }

    #[test]
    fn one_line_in_the_embedded_metric_format() {
        let env = Env::from_pairs(&[("METRICS_NAMESPACE", "ChatBackends/prod")]);
        let line = Metrics::from_env(&env)
            .line(&RECORD, 1_700_000_000_123)
            .unwrap();
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        let doc: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            doc["_aws"],
            serde_json::json!({
                "Timestamp": 1_700_000_000_123u64,
                "CloudWatchMetrics": [{
                    "Namespace": "ChatBackends/prod",
                    "Dimensions": [["Rule"], ["Room", "Rule"], []],
                    "Metrics": [
                        {"Name": "Matches", "Unit": "Count"},
                        {"Name": "Latency", "Unit": "Milliseconds"},
                    ],
                }],
            })
        );
        // Every dimension and metric named above is a member of the document itself.
        assert_eq!(doc["Room"], "abc123");
        assert_eq!(doc["Rule"], "slurs");
        assert_eq!(doc["Matches"], 1.0);
        assert_eq!(doc["Latency"], 0.25);
    }
}
