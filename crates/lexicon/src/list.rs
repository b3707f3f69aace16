//! Word lists compiled into one Aho-Corasick automaton over skeleton bytes.
//!
//! A term is written as plain text with optional `*` at either end:
//! `word` matches a whole word, `word*` a word that starts with it, `*word` one that
//! ends with it and `*word*` anywhere inside a word. Terms go through the same
//! normaliser as messages, so `sh1t` in a list is the same as `shit`. Spaces inside a
//! term (`kill yourself`) match any boundary in the message, or none.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Lists up to this size get a full DFA.
const DFA_MAX_PATTERNS: usize = 2_000;

use crate::term::{parse_anchor, Anchor, EmptyTerm};
use crate::text::{Gap, Normalizer, Skeleton};

#[derive(Debug)]
struct Pattern {
    counts: Vec<u16>,
    /// `spaces[i]`: a hard boundary may stand before run `i` of the match.
    spaces: Vec<bool>,
    anchor: Anchor,
    /// Index into the payloads, or `None` for an allowlist entry.
    payload: Option<usize>,
}

/// A compiled list of terms, each carrying a `T`, plus allowlisted words whose
/// matches hide the terms they contain (`scunthorpe` hides `cunt`).
#[derive(Debug)]
pub struct Lexicon<T> {
    automaton: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    payloads: Vec<T>,
    has_allowlist: bool,
}

/// One accepted match: the payload and the skeleton runs it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<'a, T> {
    pub payload: &'a T,
    pub runs: Range<usize>,
}

/// Collects terms before compiling them.
#[derive(Debug)]
pub struct LexiconBuilder<T> {
    bytes: Vec<Vec<u8>>,
    patterns: Vec<Pattern>,
    payloads: Vec<T>,
}

impl<T> Default for LexiconBuilder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> LexiconBuilder<T> {
    pub fn new() -> Self {
        Self {
            bytes: Vec::new(),
            patterns: Vec::new(),
            payloads: Vec::new(),
        }
    }

    /// Adds a term in `*` syntax.
    pub fn term(&mut self, term: &str, payload: T) -> Result<(), EmptyTerm> {
        let index = self.payloads.len();
        self.push(term, Some(index))?;
        self.payloads.push(payload);
        Ok(())
    }

    /// Adds a clean word in `*` syntax whose matches hide any term inside them.
    pub fn allow(&mut self, term: &str) -> Result<(), EmptyTerm> {
        self.push(term, None)
    }

    fn push(&mut self, term: &str, payload: Option<usize>) -> Result<(), EmptyTerm> {
        let trimmed = term.trim();
        let (body, anchor) = parse_anchor(trimmed);
        let sk = Normalizer.skeleton(body);
        if sk.runs.is_empty() {
            return Err(EmptyTerm {
                term: term.to_owned(),
            });
        }
        let allowlist = payload.is_none();
        self.patterns.push(Pattern {
            // An allowlisted word covers its spellings with fewer repeats too
            // (`shitake` as well as `shiitake`).
            counts: sk
                .runs
                .iter()
                .map(|r| if allowlist { 1 } else { r.count })
                .collect(),
            spaces: sk.runs.iter().map(|r| r.gap != Gap::Joined).collect(),
            anchor,
            payload,
        });
        self.bytes.push(sk.bytes);
        Ok(())
    }

    pub fn build(self) -> Lexicon<T> {
        let has_allowlist = self.patterns.iter().any(|p| p.payload.is_none());
        // A full DFA scans fastest; for big lists its build time and memory grow too
        // much, and the contiguous NFA is nearly as fast.
        let kind = if self.bytes.len() <= DFA_MAX_PATTERNS {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let automaton = (!self.bytes.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(kind))
                .build(&self.bytes)
                .expect("skeleton patterns are short byte strings")
        });
        Lexicon {
            automaton,
            patterns: self.patterns,
            payloads: self.payloads,
            has_allowlist,
        }
    }
}

impl<T> Lexicon<T> {
    /// Whether the list has no terms (allowlist entries aside).
    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }

    /// All term matches in `sk` that respect word boundaries and repeat counts and
    /// are not inside an allowlisted word, in order of position.
    pub fn find<'a>(&'a self, sk: &Skeleton) -> Vec<Hit<'a, T>> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        let mut allowed: Vec<Range<usize>> = Vec::new();
        for m in automaton.find_overlapping_iter(&sk.bytes) {
            let pattern = &self.patterns[m.pattern().as_usize()];
            let runs = m.start()..m.end();
            if !pattern.accepts(sk, &runs) {
                continue;
            }
            match pattern.payload {
                Some(i) => hits.push(Hit {
                    payload: &self.payloads[i],
                    runs,
                }),
                None => allowed.push(runs),
            }
        }
        if self.has_allowlist && !allowed.is_empty() {
            hits.retain(|h| {
                !allowed
                    .iter()
                    .any(|a| a.start <= h.runs.start && h.runs.end <= a.end)
            });
        }
        hits.sort_by_key(|h| (h.runs.start, h.runs.end));
        hits
    }
}

impl Pattern {
    fn accepts(&self, sk: &Skeleton, runs: &Range<usize>) -> bool {
        let matched = &sk.runs[runs.clone()];
        let counts_ok = matched.iter().zip(&self.counts).all(|(r, &c)| r.count >= c);
        let gaps_ok = matched
            .iter()
            .zip(&self.spaces)
            .skip(1)
            .all(|(r, &space)| space || r.gap != Gap::Hard);
        let start = sk.boundary_before(runs.start);
        let end = sk.boundary_before(runs.end);
        let anchored = match self.anchor {
            Anchor::Word => start && end,
            Anchor::Prefix => start,
            Anchor::Suffix => end,
            Anchor::Anywhere => true,
        };
        counts_ok && gaps_ok && anchored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(terms: &[&str], allow: &[&str]) -> Lexicon<String> {
        let mut b = LexiconBuilder::new();
        for t in terms {
            b.term(t, t.to_string()).unwrap();
        }
        for a in allow {
            b.allow(a).unwrap();
        }
        b.build()
    }

    fn found(lex: &Lexicon<String>, text: &str) -> Vec<String> {
        let sk = Normalizer.skeleton(text);
        lex.find(&sk)
            .into_iter()
            .map(|h| h.payload.clone())
            .collect()
    }

    #[test]
    fn anchors() {
        let lex = lexicon(&["ass", "cunt*", "*hole", "*fuck*"], &[]);
        assert_eq!(found(&lex, "you ass"), ["ass"]);
        assert!(found(&lex, "assassin class bass").is_empty());
        assert_eq!(found(&lex, "cunts"), ["cunt*"]);
        assert!(found(&lex, "scunt").is_empty());
        assert_eq!(found(&lex, "a pothole"), ["*hole"]);
        assert!(found(&lex, "holes").is_empty());
        assert_eq!(found(&lex, "motherfucker"), ["*fuck*"]);
    }

    #[test]
    fn repeat_counts_must_be_met() {
        let lex = lexicon(&["ass", "boob"], &[]);
        assert!(found(&lex, "as bob").is_empty());
        assert_eq!(found(&lex, "asssss boooob"), ["ass", "boob"]);
    }

    #[test]
    fn allowlist_hides_contained_terms() {
        let lex = lexicon(&["*shit*", "*cunt*"], &["shiitake*", "scunthorpe"]);
        assert!(found(&lex, "shiitake shitake shiitakes Scunthorpe").is_empty());
        assert_eq!(found(&lex, "bullshit"), ["*shit*"]);
    }

    #[test]
    fn phrases_match_across_boundaries_only_where_spaced() {
        let lex = lexicon(&["kill yourself", "*shit*"], &[]);
        assert_eq!(found(&lex, "go kill   yourself"), ["kill yourself"]);
        assert_eq!(found(&lex, "killyourself"), ["kill yourself"]);
        assert!(found(&lex, "this hit").is_empty());
    }

    #[test]
    fn terms_are_normalised_like_messages() {
        let lex = lexicon(&["sh1t"], &[]);
        assert_eq!(found(&lex, "SHIT"), ["sh1t"]);
        assert!(matches!(
            LexiconBuilder::<()>::new().term("*!!*", ()),
            Err(EmptyTerm { .. })
        ));
    }
}
