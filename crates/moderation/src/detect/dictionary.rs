//! The built-in lexicon: every language's entries (`data/lexicon/`), each with a
//! severity, a category and a language, compiled into the binary by `build.rs` and
//! loaded once per process; and the vocabulary of ordinary words that keeps matches
//! out of clean words.

use std::ops::Range;
use std::sync::OnceLock;

use lexicon::{Lexicon, Skeleton, Vocabulary};
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

/// One entry of the built-in lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub severity: Severity,
    pub category: Category,
    language: u8,
    /// Start and length in `TERMS`.
    term: (u32, u16),
}

impl Entry {
    /// ISO 639-1 code of the entry's language.
    pub fn language(&self) -> &'static str {
        LANGUAGES[usize::from(self.language)]
    }

    /// The term as its data file writes it.
    pub fn term(&self) -> &'static str {
        let start = self.term.0 as usize;
        &TERMS[start..start + usize::from(self.term.1)]
    }
}

include!(concat!(env!("OUT_DIR"), "/entries.rs"));

static LEXICON: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lexicon.bin"));
static VOCABULARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/vocabulary.fst"));

/// The compiled lexicon and its vocabulary.
#[derive(Debug)]
pub struct Dictionary {
    lexicon: Lexicon,
    vocabulary: Vocabulary,
}

impl Dictionary {
    /// The built-in lexicon, loaded on first use.
    pub fn built_in() -> &'static Dictionary {
        static DICTIONARY: OnceLock<Dictionary> = OnceLock::new();
        DICTIONARY.get_or_init(|| Dictionary {
            lexicon: Lexicon::from_static_bytes(LEXICON).expect("build.rs stores a valid lexicon"),
            vocabulary: Vocabulary::from_bytes(VOCABULARY)
                .expect("build.rs stores a valid vocabulary"),
        })
    }

    /// The ordinary words of every language.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Whether the lexicon has entries in this language.
    pub fn has_language(code: &str) -> bool {
        ENTRIES.iter().any(|e| e.language() == code)
    }

    /// The entries in `skeleton`, with the runs each covers.
    pub fn find(&self, skeleton: &Skeleton) -> Vec<(&'static Entry, Range<usize>)> {
        self.lexicon
            .find(skeleton, Some(&self.vocabulary))
            .into_iter()
            .map(|h| (&ENTRIES[h.entry as usize], h.runs))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lexicon_passes_every_check() {
        // `built_in` reads it in place without checking its indexes; this reads it with
        // every check, and compares what both find.
        let checked = Lexicon::from_bytes(LEXICON).expect("a valid lexicon");
        let dictionary = Dictionary::built_in();
        let sk = lexicon::Normalizer.skeleton("what the fuck, you n1gger, c*nt, kurwa");
        let found = dictionary.lexicon.find(&sk, Some(&dictionary.vocabulary));
        assert!(found.len() >= 4, "{found:?}");
        assert_eq!(checked.find(&sk, Some(&dictionary.vocabulary)), found);
    }
}
