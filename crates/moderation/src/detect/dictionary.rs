//! The built-in dictionary: `data/profanity.txt`, each entry with a severity and a
//! category, and the clean words of `data/allowlist.txt` that hide entries inside them.

use std::ops::Range;

use lexicon::{Lexicon, LexiconBuilder, Skeleton};
use serde::Deserialize;

/// How strong an entry is; a rule's `severity` is the least it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Mild,
    Moderate,
    Strong,
    Severe,
}

/// What kind of language an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Profanity,
    Sexual,
    Insult,
    Slur,
    Harassment,
}

/// One entry of the built-in dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub severity: Severity,
    pub category: Category,
    pub term: &'static str,
}

/// The compiled dictionary.
#[derive(Debug)]
pub struct Dictionary {
    lexicon: Lexicon<Entry>,
}

const DICTIONARY: &str = include_str!("../../data/profanity.txt");
const ALLOWLIST: &str = include_str!("../../data/allowlist.txt");

impl Dictionary {
    /// Compiles the dictionary and its allowlist, both embedded in the binary.
    pub fn built_in() -> Self {
        let mut builder = LexiconBuilder::new();
        for (line_no, line) in lexicon::term::lines(DICTIONARY) {
            let mut parts = line.splitn(3, ' ');
            let (Some(severity), Some(category), Some(term)) =
                (parts.next(), parts.next(), parts.next())
            else {
                panic!("profanity.txt line {line_no}: expected SEVERITY CATEGORY TERM");
            };
            let entry = Entry {
                severity: word(severity, line_no),
                category: word(category, line_no),
                term,
            };
            builder
                .term(term, entry)
                .expect("dictionary terms have letters");
        }
        for (_, line) in lexicon::term::lines(ALLOWLIST) {
            builder.allow(line).expect("allowlist terms have letters");
        }
        Dictionary {
            lexicon: builder.build(),
        }
    }

    /// The entries in `skeleton`, with the runs each covers.
    pub fn find(&self, skeleton: &Skeleton) -> Vec<(Entry, Range<usize>)> {
        self.lexicon
            .find(skeleton)
            .into_iter()
            .map(|h| (*h.payload, h.runs))
            .collect()
    }
}

fn word<T: serde::de::DeserializeOwned>(word: &str, line_no: usize) -> T {
    serde_json::from_value(serde_json::Value::String(word.to_owned()))
        .unwrap_or_else(|_| panic!("profanity.txt line {line_no}: unknown word {word:?}"))
}
