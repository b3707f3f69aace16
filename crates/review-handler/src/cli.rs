//! `review-handler check`: runs a policy over JSON Lines of events, locally, so that
//! operators can try a policy before deploying it.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use moderation::{Engine, Policy};
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::handler::{review_value, Outcome};

pub const USAGE: &str = "\
Usage: review-handler check [--policy FILE] [--explain] [FILE...]

Reviews IVS Chat message review events with a moderation policy, one JSON object per
line, from the FILEs or standard input, and prints one IVS response per line.
A line that is not a JSON object is message text (a JSON string is decoded first).
Blank lines are skipped.

Options:
  --policy FILE   policy file (.toml or .json); default: POLICY_FILE or POLICY from
                  the environment, else the embedded default policy
  --explain       add the matched rules and spans to each response, under \"Explain\"
  -h, --help      this help

Inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) the binary serves the Lambda runtime.";

/// Runs the command line; exit code 2 for usage, policy and input errors.
pub fn main(args: &[String]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Check(args)) => args,
        Err(e) => {
            eprintln!("review-handler: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    crate::logging::init("warn");
    let result =
        load_engine(&args).and_then(|engine| check(&engine, &args, &mut std::io::stdout().lock()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("review-handler: {e}");
            ExitCode::from(2)
        }
    }
}

/// Parsed `check` arguments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CheckArgs {
    pub policy: Option<PathBuf>,
    pub explain: bool,
    pub files: Vec<PathBuf>,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Check(CheckArgs),
    Help,
}

pub fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut rest = args.iter();
    match rest.next().map(String::as_str) {
        Some("check") => {}
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some(other) => return Err(format!("unknown command {other:?}; expected `check`")),
        None => return Err("missing command; expected `check`".to_owned()),
    }
    let mut check = CheckArgs::default();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--explain" => check.explain = true,
            "--policy" => {
                let file = rest.next().ok_or("--policy needs a file")?;
                check.policy = Some(PathBuf::from(file));
            }
            "-h" | "--help" => return Ok(Command::Help),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag:?}")),
            file => check.files.push(PathBuf::from(file)),
        }
    }
    Ok(Command::Check(check))
}

/// Loads the engine the command asks for.
pub fn load_engine(args: &CheckArgs) -> Result<Engine, String> {
    match &args.policy {
        Some(path) => Policy::from_path(path)
            .and_then(|p| Engine::compile(&p))
            .map_err(|e| e.to_string()),
        None => Config::from_env(|k| std::env::var(k).ok())
            .map(|c| c.engine)
            .map_err(|e| e.to_string()),
    }
}

/// Runs `check` over the files (or stdin when there are none), writing to `out`.
pub fn check(engine: &Engine, args: &CheckArgs, out: &mut impl Write) -> Result<(), String> {
    let mut line_no = 0usize;
    let mut run = |reader: &mut dyn BufRead, name: &str| -> Result<(), String> {
        for line in reader.lines() {
            let line = line.map_err(|e| format!("{name}: {e}"))?;
            line_no += 1;
            if line.trim().is_empty() {
                continue;
            }
            let event = event_from_line(&line, line_no);
            let outcome = review_value(engine, &event);
            crate::logging::review(&outcome, false);
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
    if let Some(error) = &outcome.error {
        explain.insert("error".into(), error.0.clone().into());
    }
    let content = event.get("Content").and_then(Value::as_str).unwrap_or("");
    let chars = |byte: usize| content[..byte].chars().count();
    let matches: Vec<Value> = outcome
        .verdict
        .iter()
        .flat_map(|v| &v.matches)
        .map(|m| {
            json!({
                "rule": &*m.rule,
                "kind": m.kind.name(),
                "action": m.action.name(),
                "start": chars(m.span.start),
                "end": chars(m.span.end),
                "text": &content[m.span.clone()],
                "detail": m.detail,
            })
        })
        .collect();
    explain.insert("matches".into(), matches.into());
    Value::Object(explain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Command, String> {
        parse_args(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
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
            Command::Check(CheckArgs {
                policy: Some("p.toml".into()),
                explain: true,
                files: vec!["a.jsonl".into(), "b.jsonl".into()],
            })
        );
        assert_eq!(args(&["--help"]).unwrap(), Command::Help);
        assert!(args(&["check", "--policy"])
            .unwrap_err()
            .contains("needs a file"));
        assert!(args(&["check", "--bogus"]).unwrap_err().contains("--bogus"));
        assert!(args(&[]).is_err());
    }

    #[test]
    fn non_object_lines_are_message_text() {
        assert_eq!(event_from_line("hello world", 3)["Content"], "hello world");
        assert_eq!(event_from_line("\"a\\u200bb\"", 1)["Content"], "a\u{200b}b");
        assert_eq!(event_from_line("[1,2]", 1)["Content"], "[1,2]");
        assert_eq!(event_from_line("{\"Content\":1}", 1)["Content"], 1);
    }
}
