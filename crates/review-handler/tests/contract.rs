//! Contract tests: the real `review-handler check` binary over every event file under
//! `events/review/`, compared line by line with the hand-written expectations under
//! `events/review/expected/`. `events/review/default.jsonl` runs with the embedded
//! default policy, any other `NAME.jsonl` with `policies/NAME.toml`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(args: &[&str], stdin: Option<&str>) -> Output {
    check_bytes(args, stdin.map(str::as_bytes))
}

fn check_bytes(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_review-handler"));
    cmd.arg("check")
        .args(args)
        .env_remove("POLICY")
        .env_remove("POLICY_FILE")
        .current_dir(repo());
    match stdin {
        None => cmd.output().unwrap(),
        Some(input) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let written = child.stdin.take().unwrap().write_all(input);
            // A process that stops at start-up (a bad policy) may close stdin first.
            if let Err(e) = written {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
            }
            child.wait_with_output().unwrap()
        }
    }
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn every_event_file_gives_the_expected_responses() {
    let dir = repo().join("events/review");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "event files under {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_stem().unwrap().to_str().unwrap();
        let policy = repo().join(format!("policies/{name}.toml"));
        let file_arg = file.to_str().unwrap();
        let policy_arg = policy.to_str().unwrap();
        let args = if name == "default" {
            vec![file_arg]
        } else {
            vec!["--policy", policy_arg, file_arg]
        };
        let out = check(&args, None);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = json_lines(&String::from_utf8(out.stdout).unwrap());
        let want_text =
            std::fs::read_to_string(dir.join("expected").join(format!("{name}.jsonl"))).unwrap();
        let want = json_lines(&want_text);
        let input_text = std::fs::read_to_string(file).unwrap();
        let inputs: Vec<&str> = input_text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(got.len(), want.len(), "{name}: one response per event");
        for ((g, w), input) in got.iter().zip(&want).zip(&inputs) {
            if g != w {
                failures.push(format!("{name}: {input}\n   got: {g}\n  want: {w}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn lines_that_are_not_objects_are_message_text() {
    let out = check(
        &[],
        Some("plain text, no fucking JSON\n\"zero\\u200bwidth f\\u200buck\"\n"),
    );
    assert!(out.status.success());
    let got = json_lines(&String::from_utf8(out.stdout).unwrap());
    let contents: Vec<&str> = got.iter().map(|v| v["Content"].as_str().unwrap()).collect();
    assert_eq!(
        contents,
        [
            "plain text, no ******* JSON",
            "zero\u{200b}width *\u{200b}***"
        ]
    );
    assert!(got.iter().all(|v| v["ReviewResult"] == "ALLOW"));
}

#[test]
fn a_line_that_is_not_utf8_gets_the_error_verdict_and_the_run_goes_on() {
    let out = check_bytes(
        &["--explain"],
        Some(b"hello\n\xff\xfe broken\nwhat the fuck\n"),
    );
    assert!(out.status.success());
    let got = json_lines(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["ReviewResult"], "ALLOW");
    assert_eq!(
        got[1]["ReviewResult"], "DENY",
        "the default policy's on_error"
    );
    assert_eq!(got[1]["Explain"]["error"], "line 2: not UTF-8 text");
    assert_eq!(got[2]["Content"], "what the ****");
}

#[test]
fn explain_reports_rules_and_code_point_spans() {
    let out = check(&["--explain"], Some("日本 fuck\n"));
    let v = &json_lines(&String::from_utf8(out.stdout).unwrap())[0];
    let m = &v["Explain"]["matches"][0];
    assert_eq!(m["rule"], "profanity");
    assert_eq!(m["action"], "mask");
    assert_eq!((m["start"].as_u64(), m["end"].as_u64()), (Some(3), Some(7)));
    assert_eq!(m["text"], "fuck");
    assert_eq!(v["Explain"]["basis"], "rules");
}

#[test]
fn bad_policy_stops_with_one_line_naming_the_field() {
    let dir = std::env::temp_dir().join(format!("rh-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("bad.toml");
    std::fs::write(
        &policy,
        "[[defaults.rules]]\nid = \"x\"\nkind = \"links\"\naction = \"censor\"\n",
    )
    .unwrap();
    let out = check(&["--policy", policy.to_str().unwrap()], Some("hi\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("defaults.rules[0].action") && err.contains("censor"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn logs_are_json_lines_without_message_text() {
    let out = check(
        &[],
        Some("{\"Content\": 1}\n{\"Content\": \"secret words\"}\n"),
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    let logs = json_lines(&stderr);
    assert_eq!(logs.len(), 2, "{stderr}");
    assert!(logs.iter().all(|l| l["level"] == "WARN"));
    assert!(!stderr.contains("secret"), "{stderr}");
}
