//! Review latency at 20, 150 and 500 characters with the default policy and with a
//! 10,000-term list, and engine build time. Run with `cargo bench -p moderation`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use moderation::{Attributes, Engine, Message, Policy};

/// Ordinary live-stream chat with one word to mask and one evasion, cut to `chars`.
fn message(chars: usize) -> String {
    const CHAT: &str = "gg that play was insane, who else is watching from Berlin? \
        the boss fight is so hard lol, f.u.c.k this lag honestly but the stream looks great \
        today, thanks for the tips everyone! ";
    CHAT.chars().cycle().take(chars).collect()
}

/// 10,000 distinct made-up words of 5 to 10 letters, from a fixed seed.
fn ten_thousand_terms() -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(0x9E37_79B9_7F4A_7C15);
    let mut terms = std::collections::BTreeSet::new();
    while terms.len() < 10_000 {
        let len = rng.usize(5..=10);
        let word: String = (0..len).map(|_| rng.lowercase()).collect();
        terms.insert(word);
    }
    terms.into_iter().collect()
}

fn big_policy() -> Policy {
    let terms: Vec<String> = ten_thousand_terms()
        .iter()
        .map(|t| format!("{t:?}"))
        .collect();
    let toml = format!(
        "{}\n[[defaults.rules]]\nid = \"big-list\"\nkind = \"terms\"\naction = \"mask\"\nterms = [{}]\n",
        moderation::DEFAULT_POLICY_TOML,
        terms.join(",")
    );
    Policy::from_toml(&toml).expect("benchmark policy parses")
}

fn reviews(c: &mut Criterion) {
    let attrs = Attributes::new();
    let default = Engine::compile(&Policy::embedded_default()).unwrap();
    let big = Engine::compile(&big_policy()).unwrap();
    let mut group = c.benchmark_group("review");
    for chars in [20, 150, 500] {
        let text = message(chars);
        for (name, engine) in [("default", &default), ("10k-terms", &big)] {
            group.bench_with_input(BenchmarkId::new(name, chars), &text, |b, text| {
                b.iter(|| {
                    engine.review(black_box(&Message {
                        content: text,
                        room_arn: "arn:aws:ivschat:us-west-2:123456789012:room/bench",
                        user_id: "viewer",
                        sender_attributes: &attrs,
                    }))
                })
            });
        }
    }
    group.finish();
}

fn builds(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine-build");
    let default = Policy::embedded_default();
    group.bench_function("default", |b| {
        b.iter(|| Engine::compile(black_box(&default)).unwrap())
    });
    let big = big_policy();
    group.sample_size(20);
    group.bench_function("10k-terms", |b| {
        b.iter(|| Engine::compile(black_box(&big)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, reviews, builds);
criterion_main!(benches);
