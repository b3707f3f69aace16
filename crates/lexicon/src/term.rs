//! The term syntax of word lists: `word`, `word*`, `*word`, `*word*` and phrases.

/// Where a term may sit relative to word boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Word,
    Prefix,
    Suffix,
    Anywhere,
}

/// A term that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("term {term:?} has no letters or digits to match")]
pub struct EmptyTerm {
    pub term: String,
}

/// The term without its `*` marks, and where it may sit.
pub fn parse_anchor(term: &str) -> (&str, Anchor) {
    let (body, starts_open) = term.strip_prefix('*').map_or((term, false), |b| (b, true));
    let (body, ends_open) = body.strip_suffix('*').map_or((body, false), |b| (b, true));
    let anchor = match (starts_open, ends_open) {
        (false, false) => Anchor::Word,
        (false, true) => Anchor::Prefix,
        (true, false) => Anchor::Suffix,
        (true, true) => Anchor::Anywhere,
    };
    (body, anchor)
}

/// The terms of a word list's text, with their line numbers from 1: trimmed, without
/// blank lines and `#` comment lines.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}
