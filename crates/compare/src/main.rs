//! Benchmark only: the moderation engine side by side with the `rustrict` crate, on the
//! same generated chat messages. `make bench` drives it (see scripts/bench-report.py):
//!
//! - `compare messages` prints the message corpus, one per line, for other filters
//!   (the `obscenity` npm package) to read;
//! - `compare run [ENGINE...]` times every message through each engine (or the named
//!   ones) and prints one JSON line per engine;
//! - `compare first ENGINE MESSAGE` builds one engine and prints its decision on one
//!   message, for timing process start to first decision;
//! - `compare classify ENGINE...` reads one JSON string a line and prints, for each,
//!   one `0` or `1` per engine (whether it blocks the message), for `make quality`.

use std::process::ExitCode;
use std::time::Instant;

use compare::{corpus, Filter, FILTERS};

const ROUNDS: usize = 50;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["messages"] => {
            for m in corpus() {
                println!("{m}");
            }
        }
        ["run", ref only @ ..] => {
            let chosen: Vec<Filter> = FILTERS
                .iter()
                .copied()
                .filter(|f| only.is_empty() || only.contains(&f.name()))
                .collect();
            let messages = corpus();
            for (filter, mut times) in chosen.iter().zip(time_each(&chosen, &messages)) {
                println!(
                    "{}",
                    compare::summary(filter.name(), &mut times, messages.len())
                );
            }
        }
        ["first", name, message] => {
            let Some(filter) = FILTERS.iter().find(|f| f.name() == name) else {
                eprintln!("unknown engine {name:?}");
                return ExitCode::from(2);
            };
            println!("{}", filter.decide(message));
        }
        ["classify", ref names @ ..] => {
            let mut chosen = Vec::new();
            for name in names {
                match FILTERS.iter().find(|f| f.name() == *name) {
                    Some(f) => chosen.push(*f),
                    None => {
                        eprintln!("unknown engine {name:?}");
                        return ExitCode::from(2);
                    }
                }
            }
            for line in std::io::stdin().lines().map_while(Result::ok) {
                let Ok(text) = serde_json::from_str::<String>(&line) else {
                    eprintln!("not a JSON string: {line}");
                    return ExitCode::from(2);
                };
                let row: Vec<&str> = chosen
                    .iter()
                    .map(|f| if f.blocks(&text) { "1" } else { "0" })
                    .collect();
                println!("{}", row.join(" "));
            }
        }
        _ => {
            eprintln!(
                "usage: compare messages | compare run [ENGINE...] | compare first ENGINE MESSAGE | compare classify ENGINE..."
            );
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

/// Nanoseconds per call for each filter: every message `ROUNDS` times after one
/// warm-up pass. The filters take turns round by round, so that a noisy machine slows
/// them alike and their ratio holds.
fn time_each(filters: &[Filter], messages: &[String]) -> Vec<Vec<u64>> {
    let decides: Vec<_> = filters.iter().map(|f| f.prepare()).collect();
    for decide in &decides {
        for m in messages {
            std::hint::black_box(decide(m));
        }
    }
    let mut times = vec![Vec::with_capacity(messages.len() * ROUNDS); filters.len()];
    for _ in 0..ROUNDS {
        for (decide, times) in decides.iter().zip(&mut times) {
            for m in messages {
                let start = Instant::now();
                std::hint::black_box(decide(std::hint::black_box(m)));
                times.push(start.elapsed().as_nanos() as u64);
            }
        }
    }
    times
}
