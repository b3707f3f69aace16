//! The detectors a rule can run: the built-in dictionary, the operator's own terms,
//! a regex, links, personal data and spam. Each takes its own parameters and the
//! message's shared scan, and returns what it found.

mod dictionary;
mod links;
mod pii;
mod scan;
mod spam;

use std::ops::Range;
use std::sync::Arc;

use regex::Regex;

pub use dictionary::{Category, Dictionary, Severity};
pub(crate) use links::LinkFinder;
pub use pii::PiiType;
pub(crate) use scan::MessageScan;
pub(crate) use spam::SpamLimits;

/// The operator's own word list, and each entry's term as written.
#[derive(Debug)]
pub(crate) struct TermList {
    pub lexicon: lexicon::Lexicon,
    pub terms: Vec<String>,
}

/// A rule's detector, with its parameters.
#[derive(Debug)]
pub(crate) enum Detector {
    Dictionary {
        min: Severity,
        categories: Vec<Category>,
        /// Language codes; empty for all.
        languages: Vec<String>,
    },
    Terms(Box<TermList>),
    Regex(Regex),
    Links {
        finder: Arc<LinkFinder>,
        /// Hosts allowed, with their subdomains.
        allow: Vec<String>,
    },
    Pii(Vec<PiiType>),
    Spam(SpamLimits),
}

/// What a detector found.
pub(crate) struct Finding {
    /// Byte range in the message.
    pub span: Range<usize>,
    /// Skeleton runs behind a word-list match, whose characters a mask covers.
    pub runs: Option<Range<usize>>,
    /// What matched: the dictionary entry, the term, the host, the PII type, the limit.
    pub detail: String,
    /// The language of a dictionary entry.
    pub language: Option<&'static str>,
}

impl Finding {
    /// A finding outside the word lists: masks cover its letters and digits.
    pub fn span(span: Range<usize>, detail: String) -> Self {
        Finding {
            span,
            runs: None,
            detail,
            language: None,
        }
    }
}

impl Detector {
    /// Everything this detector finds in the message.
    pub fn find(&self, scan: &MessageScan<'_>) -> Vec<Finding> {
        let text = scan.text;
        match self {
            Detector::Dictionary {
                min,
                categories,
                languages,
            } => scan
                .dictionary_hits()
                .iter()
                .filter(|(e, _)| {
                    e.severity >= *min
                        && (categories.is_empty() || categories.contains(&e.category))
                        && (languages.is_empty() || languages.iter().any(|l| l == e.language()))
                })
                .map(|(e, runs)| {
                    let mut finding = scan.lexical(runs, e.term().to_owned());
                    finding.language = Some(e.language());
                    finding
                })
                .collect(),
            Detector::Terms(list) => list
                .lexicon
                .find(scan.skeleton(), Some(Dictionary::built_in().vocabulary()))
                .iter()
                .map(|h| scan.lexical(&h.runs, list.terms[h.entry as usize].clone()))
                .collect(),
            Detector::Regex(regex) => regex
                .find_iter(text)
                .filter(|m| !m.is_empty())
                .map(|m| Finding::span(m.range(), String::new()))
                .collect(),
            Detector::Links { finder, allow } => finder.find(text, allow),
            Detector::Pii(types) => pii::find(text, types),
            Detector::Spam(limits) => limits
                .first_exceeded(scan.stats())
                .map(|detail| Finding::span(0..text.len(), detail))
                .into_iter()
                .collect(),
        }
    }
}
