//! Normalisation of chat text into a compact "skeleton" that sees through evasions,
//! with a map from every skeleton position back to the original bytes.
//!
//! The skeleton is a sequence of *runs*: one lowercase ASCII letter or digit per run,
//! with how many times it repeated (so `fuuuck` and `fuck` share the skeleton `fuck`),
//! and the strength of the word boundary before it. Matching happens on the run bytes;
//! boundaries and counts are checked afterwards (see `crate::lexicon`).
//!
//! What it sees through:
//! - case, accents and combining marks, look-alike letters from other scripts,
//!   fullwidth and mathematical forms (via the `decancer` crate, in `cure`);
//! - invisible characters (Unicode's default-ignorable code points);
//! - leetspeak digits and symbols, inside words that contain letters (`classify`);
//! - punctuation inside a word (`f.u.c.k`, `sh-it`) and single letters spaced out
//!   (`f u c k`), which become *soft* boundaries that a match may cross (`tokenize`);
//! - repeated letters.

mod cache;
mod classify;
mod cure;
mod tokenize;

use std::ops::Range;

pub use cache::CharCache;

use classify::ascii_class;
use tokenize::{plain_word, Tokenizer};

/// Strength of the gap between two skeleton runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// Adjacent in the original text (at most invisible characters between).
    Joined,
    /// Punctuation inside a word, or the spaces between spaced-out single letters.
    Soft,
    /// A real word boundary: white space, emoji, letters of an unrelated script.
    Hard,
}

/// One repeated letter or digit of the skeleton.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub byte: u8,
    pub count: u16,
    /// Boundary before this run.
    pub gap: Gap,
    /// The original characters that produced this run, as indices into
    /// `Skeleton::units`.
    pub units: Range<u32>,
}

/// Normalised view of one message.
#[derive(Debug, Default)]
pub struct Skeleton {
    /// One byte per run, what the automata scan.
    pub bytes: Vec<u8>,
    pub runs: Vec<Run>,
    /// Byte ranges in the original text of the characters behind the runs (letters,
    /// digits and leet symbols; never separators or invisible characters).
    pub units: Vec<Range<u32>>,
}

impl Skeleton {
    /// Byte ranges of the original characters behind runs `runs`.
    pub fn unit_spans(&self, runs: Range<usize>) -> &[Range<u32>] {
        let first = self.runs[runs.start].units.start as usize;
        let last = self.runs[runs.end - 1].units.end as usize;
        &self.units[first..last]
    }

    /// Whether a word boundary (soft or hard) stands before run `i`; the text's ends count.
    pub fn boundary_before(&self, i: usize) -> bool {
        i == 0 || i >= self.runs.len() || self.runs[i].gap != Gap::Joined
    }
}

/// Builds skeletons. Every normaliser reads text the same way; the type marks where
/// normalising happens.
#[derive(Clone, Copy, Debug, Default)]
pub struct Normalizer;

impl Normalizer {
    /// Normalises `text` into a skeleton.
    pub fn skeleton(&self, text: &str) -> Skeleton {
        self.skeleton_in(text, Skeleton::default())
    }

    /// Normalises `text` into the memory of `spare`, an earlier skeleton: reviews reuse
    /// one skeleton's buffers message after message instead of allocating and freeing
    /// them each time.
    pub fn skeleton_in(&self, text: &str, spare: Skeleton) -> Skeleton {
        let mut tokens = Tokenizer::new(spare, text.len());
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let start = at as u32;
            if bytes[at].is_ascii() {
                // Most chat is plain words: those skip the token buffer.
                let plain = if tokens.is_between_tokens() {
                    plain_word(&bytes[at..])
                } else {
                    None
                };
                if let Some((letters, len)) = plain {
                    tokens.push_plain_word(&bytes[at..at + letters], start);
                    at += len;
                } else {
                    tokens.push(ascii_class(bytes[at]), start, 1);
                    at += 1;
                }
                continue;
            }
            let ch = text[at..].chars().next().expect("`at` is a char boundary");
            let len = ch.len_utf8() as u8;
            at += usize::from(len);
            cure::cure(ch, |class| tokens.push(class, start, len));
        }
        tokens.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skel(text: &str) -> String {
        let sk = Normalizer.skeleton(text);
        let mut out = String::new();
        for r in &sk.runs {
            match r.gap {
                Gap::Hard if !out.is_empty() => out.push(' '),
                Gap::Soft => out.push('.'),
                _ => {}
            }
            for _ in 0..r.count {
                out.push(r.byte as char);
            }
        }
        out
    }

    #[test]
    fn case_and_repeats() {
        assert_eq!(skel("FuUuCK you"), "fuuuck you");
        let sk = Normalizer.skeleton("fuuuck");
        assert_eq!(sk.bytes, b"fuck");
        assert_eq!(sk.runs[1].count, 3);
    }

    #[test]
    fn leetspeak_only_in_words_with_letters() {
        assert_eq!(skel("sh1t a55 @ss $hit"), "shit ass ass shit");
        assert_eq!(skel("I have 455 points"), "i have 455 points");
        assert_eq!(skel("hi! wow!!"), "hi wow");
        assert_eq!(skel("sh!t"), "shit");
    }

    #[test]
    fn punctuation_after_a_word_changes_nothing() {
        assert_eq!(
            skel("everyone! chat, really?! ok:) done..."),
            "everyone chat really ok done"
        );
        assert_eq!(skel("hi$ there"), "his there", "`$` after letters is an s");
        let text = "wow, fuck!";
        let sk = Normalizer.skeleton(text);
        let last = &sk.units[sk.units.len() - 1];
        assert_eq!(&text[last.start as usize..last.end as usize], "k");
    }

    #[test]
    fn separators_inside_words_are_soft() {
        assert_eq!(skel("f.u.c.k"), "f.u.c.k");
        assert_eq!(skel("f u c k off"), "f.u.c.k off");
        assert_eq!(skel("f - u - c - k"), "f.u.c.k");
        assert_eq!(skel("is hit"), "is hit");
    }

    #[test]
    fn invisible_characters_vanish() {
        assert_eq!(skel("f\u{200B}u\u{00AD}c\u{200D}k\u{FEFF}"), "fuck");
        assert_eq!(skel("fu\u{0336}c\u{0332}k"), "fuck");
    }

    #[test]
    fn look_alikes_and_accents() {
        assert_eq!(skel("ѕһіт"), "shit");
        assert_eq!(skel("ｆｕｃｋ"), "fuck");
        assert_eq!(skel("𝐟𝐮𝐜𝐤"), "fuck");
        assert_eq!(skel("fück"), "fuck");
    }

    #[test]
    fn other_scripts_are_words_of_their_own() {
        assert_eq!(skel("日本語abc"), "abc");
        assert_eq!(skel("ab日cd"), "ab cd");
    }

    #[test]
    fn units_map_back_to_original_bytes() {
        let text = "é f\u{200B}u";
        let sk = Normalizer.skeleton(text);
        let spans: Vec<&str> = sk
            .unit_spans(0..sk.runs.len())
            .iter()
            .map(|r| &text[r.start as usize..r.end as usize])
            .collect();
        assert_eq!(spans, ["é", "f", "u"]);
    }
}
