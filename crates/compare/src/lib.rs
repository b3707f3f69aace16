//! The message corpus and the filters `compare` puts side by side.

use moderation::{Attributes, Engine, Message};
use rustrict::{Censor, CensorStr, Type};

/// Messages in the corpus, and the length of each in characters.
pub const MESSAGES: usize = 200;
pub const CHARS: usize = 150;

/// Live-stream chat: clean lines, profanity plain and disguised, links, personal data
/// and other scripts, in the proportions of a lively room.
const FRAGMENTS: &[&str] = &[
    "gg that play was insane",
    "who else is watching from Berlin?",
    "the boss fight is so hard lol",
    "thanks for the tips everyone!",
    "what a clutch, no way",
    "can you try the next level on hard mode",
    "hello chat, first time here",
    "that assassin build is broken",
    "the scunthorpe team won again",
    "PogChamp PogChamp PogChamp",
    "brb getting snacks",
    "is this the director's cut?",
    "f.u.c.k this lag",
    "this is bullshit",
    "sh1t happens",
    "fuuuuuck yes",
    "you absolute dumbass",
    "ｆｕｃｋ that",
    "visit cheap-skins.gg now",
    "mail me at bob@example.com",
    "call me 555 123 4567",
    "¿dónde está el baño?",
    "日本から見ています",
    "привет всем из Москвы",
    "mais c'est incroyable",
];

/// `MESSAGES` messages of exactly `CHARS` characters, from a fixed seed.
pub fn corpus() -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(0x2545_F491_4F6C_DD1D);
    (0..MESSAGES)
        .map(|_| {
            let mut text = String::new();
            while text.chars().count() < CHARS {
                text.push_str(FRAGMENTS[rng.usize(..FRAGMENTS.len())]);
                text.push(' ');
            }
            text.chars().take(CHARS).collect()
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
pub enum Filter {
    /// This workspace's engine with the default policy: a full review.
    Moderation,
    /// `rustrict`: the censored text.
    RustrictCensor,
    /// `rustrict`: the analysis (type flags) only.
    RustrictAnalyse,
}

pub const FILTERS: &[Filter] = &[
    Filter::Moderation,
    Filter::RustrictCensor,
    Filter::RustrictAnalyse,
];

/// Decides one message; the number it returns depends on the decision, so the work
/// cannot be optimised away.
pub type Decide = Box<dyn Fn(&str) -> usize>;

impl Filter {
    pub fn name(self) -> &'static str {
        match self {
            Filter::Moderation => "moderation",
            Filter::RustrictCensor => "rustrict-censor",
            Filter::RustrictAnalyse => "rustrict-analyse",
        }
    }

    /// Builds what the filter needs up front and returns its per-message call.
    pub fn prepare(self) -> Decide {
        match self {
            Filter::Moderation => {
                let engine = Engine::embedded_default();
                let attributes = Attributes::new();
                Box::new(move |text| {
                    let verdict = engine.review(&message(text, &attributes));
                    usize::from(verdict.is_denied()) + verdict.rewritten().map_or(0, str::len)
                })
            }
            Filter::RustrictCensor => Box::new(|text| text.censor().len()),
            Filter::RustrictAnalyse => Box::new(|text| {
                usize::from(Censor::from_str(text).analyze().is(Type::INAPPROPRIATE))
            }),
        }
    }

    /// Whether the filter stops the message or changes it: for this engine, a deny or
    /// a rewrite by the default policy; for rustrict, an inappropriate analysis
    /// (`analyse`) or a changed text (`censor`).
    pub fn blocks(self, text: &str) -> bool {
        match self {
            Filter::Moderation => {
                let attributes = Attributes::new();
                let verdict = Engine::embedded_default().review(&message(text, &attributes));
                verdict.is_denied() || verdict.rewritten().is_some()
            }
            Filter::RustrictCensor => text.censor() != text,
            Filter::RustrictAnalyse => Censor::from_str(text).analyze().is(Type::INAPPROPRIATE),
        }
    }

    /// The decision on one message, in words: what `compare first` prints.
    pub fn decide(self, text: &str) -> String {
        match self {
            Filter::Moderation => {
                let attributes = Attributes::new();
                let verdict = Engine::embedded_default().review(&message(text, &attributes));
                format!("{:?}", verdict.decision)
            }
            Filter::RustrictCensor => text.censor(),
            Filter::RustrictAnalyse => format!("{:?}", Censor::from_str(text).analyze()),
        }
    }
}

fn message<'a>(text: &'a str, attributes: &'a Attributes) -> Message<'a> {
    Message {
        content: text,
        room_arn: "arn:aws:ivschat:us-west-2:123456789012:room/bench",
        user_id: "viewer",
        sender_attributes: attributes,
    }
}

/// One JSON line: median, 99th percentile and mean of per-call nanoseconds.
pub fn summary(engine: &str, times: &mut [u64], messages: usize) -> String {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let mean = times.iter().sum::<u64>() / times.len() as u64;
    format!(
        "{{\"engine\":\"{engine}\",\"messages\":{messages},\"calls\":{},\"median_ns\":{},\"p99_ns\":{},\"mean_ns\":{mean}}}",
        times.len(),
        at(0.5),
        at(0.99)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_fixed_size_and_mixed() {
        let messages = corpus();
        assert_eq!(messages.len(), MESSAGES);
        assert!(messages.iter().all(|m| m.chars().count() == CHARS));
        assert!(messages.iter().all(|m| !m.contains('\n')));
        assert_eq!(messages, corpus(), "same seed, same messages");
        let flagged = messages
            .iter()
            .filter(|m| Filter::Moderation.prepare()(m) > 0)
            .count();
        assert!(flagged > 0 && flagged < MESSAGES, "{flagged}");
    }

    #[test]
    fn summary_takes_median_and_p99() {
        let mut times: Vec<u64> = (1..=100).rev().collect();
        let line = summary("x", &mut times, 1);
        assert!(line.contains("\"median_ns\":51"), "{line}");
        assert!(line.contains("\"p99_ns\":99"), "{line}");
        assert!(line.contains("\"mean_ns\":50"), "{line}");
    }
}
