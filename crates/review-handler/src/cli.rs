//! `review-handler check`: runs a policy over JSON Lines of events, locally, so that
//! operators can try a policy before deploying it.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use lambda_setup::config::Env;
use lambda_setup::json::FieldError;
use moderation::{Engine, Policy};
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::handler::{review_value, unreadable, Outcome, Review};

/// The command line outside Lambda.
#[derive(Debug, Parser)]
#[command(
    name = "review-handler",
    about = "Amazon IVS Chat message review handler: inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves the Lambda runtime; elsewhere it checks a moderation policy locally."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reviews IVS Chat message review events with a moderation policy, one JSON
    /// object per line, from the FILEs or standard input, and prints one IVS response
    /// per line. A line that is not a JSON object is message text (a JSON string is
    /// decoded first). Blank lines are skipped.
    Check(CheckArgs),
}

#[derive(Debug, Default, PartialEq, Eq, Args)]
pub struct CheckArgs {
    /// Policy file (.toml or .json); default: POLICY_FILE or POLICY from the
    /// environment, else the embedded default policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Add the matched rules and spans to each response, under "Explain".
    #[arg(long)]
    pub explain: bool,
    /// Event files (JSON Lines); standard input when none.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Runs the command line; exit code 2 for usage, policy and input errors.
pub fn main() -> ExitCode {
    let Command::Check(args) = Cli::parse().command;
    lambda_setup::logging::init("warn");
    let result = load_engine(&args)
        .and_then(|engine| review_lines(&engine, &args, &mut std::io::stdout().lock()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("review-handler: {e}");
            ExitCode::from(2)
        }
    }
}

/// Loads the engine the command asks for.
pub fn load_engine(args: &CheckArgs) -> Result<Engine, String> {
    match &args.policy {
        Some(path) => Policy::from_path(path)
            .and_then(|p| Engine::compile(&p))
            .map_err(|e| e.to_string()),
        None => Config::from_env(&Env::process())
            .map(|c| c.engine)
            .map_err(|e| e.to_string()),
    }
}

/// Runs `check` over the files (or stdin when there are none), writing to `out`.
pub fn review_lines(engine: &Engine, args: &CheckArgs, out: &mut impl Write) -> Result<(), String> {
    let mut line_no = 0usize;
    let mut run = |reader: &mut dyn BufRead, name: &str| -> Result<(), String> {
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader
                .read_until(b'\n', &mut line)
                .map_err(|e| format!("{name}: {e}"))?
                == 0
            {
                break;
            }
            line_no += 1;
            if line.trim_ascii().is_empty() {
                continue;
            }
            // A line that is not UTF-8 is an event that cannot be read, like any other.
            let (outcome, event) = match std::str::from_utf8(&line) {
                Ok(text) => {
                    let event = event_from_line(text.trim_end_matches(['\n', '\r']), line_no);
                    (review_value(engine, &event), event)
                }
                Err(_) => {
                    let error = FieldError::new(format!("line {line_no}"), "not UTF-8 text");
                    (unreadable(engine, error), Value::Null)
                }
            };
            crate::logging::review(&outcome, None, false);
            let mut value = serde_json::to_value(&outcome.response).map_err(|e| e.to_string())?;
            if args.explain {
                value["Explain"] = explain(&outcome, &event);
            }
            writeln!(out, "{value}").map_err(|e| format!("stdout: {e}"))?;
        }
        Ok(())
    };
    if args.files.is_empty() {
        run(&mut std::io::stdin().lock(), "stdin")?;
    } else {
        for path in &args.files {
            let file = std::fs::File::open(path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            run(
                &mut std::io::BufReader::new(file),
                &path.display().to_string(),
            )?;
        }
    }
    out.flush().map_err(|e| format!("stdout: {e}"))
}

/// An event object as it is, or message text wrapped in a default event.
fn event_from_line(line: &str, line_no: usize) -> Value {
    let text = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(map)) => return Value::Object(map),
        Ok(Value::String(s)) => s,
        _ => line.to_owned(),
    };
    json!({
        "Content": text,
        "MessageId": format!("line-{line_no}"),
        "RoomArn": "arn:aws:ivschat:us-east-1:000000000000:room/local",
        "Attributes": {},
        "Sender": {"UserId": "local-user", "Attributes": {}},
    })
}

/// Matched rules with spans in code points of the event's content.
fn explain(outcome: &Outcome, event: &Value) -> Value {
    let mut explain = Map::new();
    explain.insert("basis".into(), outcome.basis().into());
    if let Review::Malformed(error) = &outcome.review {
        explain.insert("error".into(), error.to_string().into());
    }
    let content = event.get("Content").and_then(Value::as_str).unwrap_or("");
    let chars = |byte: usize| content[..byte].chars().count();
    let matches: Vec<Value> = outcome
        .matches()
        .iter()
        .map(|m| {
            json!({
                "rule": &*m.rule,
                "kind": m.kind.name(),
                "action": m.action.name(),
                "start": chars(m.span.start),
                "end": chars(m.span.end),
                "text": &content[m.span.clone()],
                "detail": m.detail,
                "language": m.language,
            })
        })
        .collect();
    explain.insert("matches".into(), matches.into());
    Value::Object(explain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<CheckArgs, clap::Error> {
        let cli =
            Cli::try_parse_from(std::iter::once("review-handler").chain(list.iter().copied()))?;
        let Command::Check(args) = cli.command;
        Ok(args)
    }

    #[test]
    fn parses_options_and_files() {
        assert_eq!(
            args(&[
                "check",
                "--explain",
                "--policy",
                "p.toml",
                "a.jsonl",
                "b.jsonl"
            ])
            .unwrap(),
            CheckArgs {
                policy: Some("p.toml".into()),
                explain: true,
                files: vec!["a.jsonl".into(), "b.jsonl".into()],
            }
        );
        let kind = |list: &[&str]| args(list).unwrap_err().kind();
        assert_eq!(kind(&["--help"]), clap::error::ErrorKind::DisplayHelp);
        assert_eq!(
            kind(&["check", "--policy"]),
            clap::error::ErrorKind::InvalidValue
        );
        assert_eq!(
            kind(&["check", "--bogus"]),
            clap::error::ErrorKind::UnknownArgument
        );
        assert_eq!(
            kind(&[]),
            clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
    }

    #[test]
    fn non_object_lines_are_message_text() {
        assert_eq!(event_from_line("hello world", 3)["Content"], "hello world");
        assert_eq!(event_from_line("\"a\\u200bb\"", 1)["Content"], "a\u{200b}b");
        assert_eq!(event_from_line("[1,2]", 1)["Content"], "[1,2]");
        assert_eq!(event_from_line("{\"Content\":1}", 1)["Content"], 1);
    }
}
