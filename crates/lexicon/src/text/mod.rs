//! Normalisation of chat text into a compact "skeleton" that sees through evasions,
//! with a map from every skeleton position back to the original bytes.
//!
//! The skeleton is a sequence of *runs*: one letter (lowercase, folded) or digit per
//! run, with how many times it repeated (so `fuuuck` and `fuck` share the skeleton
//! `fuck`), the strength of the word boundary before it, and how it was written. The
//! run letters form a UTF-8 text that the automata scan; boundaries, counts and flags
//! are checked afterwards (see `crate::matcher`).
//!
//! What it sees through:
//! - case, accents and combining marks, look-alike letters from other scripts,
//!   fullwidth and mathematical forms (decancer, in `cure`); Cyrillic words that mix
//!   in Latin look-alikes (`xуй`), and Latin words written in Cyrillic ones (`ѕһіт`);
//! - the spellings of one word in Arabic, Japanese kana and Devanagari (`script`);
//! - invisible characters (Unicode's default-ignorable code points);
//! - leetspeak digits and symbols inside Latin words, ambiguous ones in every reading
//!   (`@` as a, o and u), and multi-character glyphs (`|_|`) (`tokenize`);
//! - punctuation inside a word (`f.u.c.k`, `sh-it`) and single letters spaced out
//!   (`f u c k`), which become *soft* boundaries that a match may cross;
//! - repeated letters.

mod cache;
mod classify;
mod cure;
mod script;
mod tokenize;

use std::ops::Range;

pub use cache::CharCache;
pub use classify::{flags, MASK};
pub use script::{script_of, Script};

use classify::ascii_class;
use tokenize::{plain_word, Tokenizer};

/// Strength of the gap between two skeleton runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// Adjacent in the original text (at most invisible characters between).
    Joined,
    /// Punctuation inside a word, or the spaces between spaced-out single letters.
    Soft,
    /// A real word boundary: white space, emoji, a change of writing system.
    Hard,
    /// The start of another reading of a word: no match crosses it.
    Apart,
}

/// One repeated letter or digit of the skeleton.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub ch: char,
    pub count: u16,
    /// Boundary before this run.
    pub gap: Gap,
    /// How the letters were written (`flags::MARKED`, `flags::SUBSTITUTED`).
    pub flags: u8,
    /// The ASCII digit or symbol the letter was written as, or 0.
    pub origin: u8,
    /// The original characters that produced this run, as indices into
    /// `Skeleton::units`.
    pub units: Range<u32>,
}

/// Normalised view of one message.
#[derive(Debug, Default)]
pub struct Skeleton {
    /// The run letters, one character per run: what the automata scan.
    pub text: String,
    pub runs: Vec<Run>,
    /// Byte ranges in the original text of the characters behind the runs (letters,
    /// digits and leet symbols; never separators or invisible characters).
    pub units: Vec<Range<u32>>,
    /// For each byte of `text`, the run it belongs to.
    run_at: Vec<u32>,
    /// The first run of the other readings (after the first `Gap::Apart`), if any.
    first_apart: Option<usize>,
}

impl Skeleton {
    fn clear(&mut self, capacity: usize) {
        self.text.clear();
        self.runs.clear();
        self.units.clear();
        self.run_at.clear();
        self.first_apart = None;
        self.text.reserve(capacity);
        self.runs.reserve(capacity);
        self.units.reserve(capacity);
        self.run_at.reserve(capacity);
    }

    /// The runs behind a byte range of `text` (as an automaton reports matches).
    pub fn runs_of(&self, bytes: Range<usize>) -> Range<usize> {
        let start = self.run_at[bytes.start] as usize;
        let end = self.run_at[bytes.end - 1] as usize + 1;
        start..end
    }

    /// Byte ranges of the original characters behind runs `runs`.
    pub fn unit_spans(&self, runs: Range<usize>) -> &[Range<u32>] {
        let first = self.runs[runs.start].units.start as usize;
        let last = self.runs[runs.end - 1].units.end as usize;
        &self.units[first..last]
    }

    /// The gap before run `i`; the text's ends are hard.
    pub fn gap_before(&self, i: usize) -> Gap {
        match self.runs.get(i) {
            Some(run) if i > 0 => run.gap,
            Some(_) => Gap::Hard,
            None => Gap::Hard,
        }
    }

    /// Whether a word boundary (soft or harder) stands before run `i`.
    pub fn boundary_before(&self, i: usize) -> bool {
        self.gap_before(i) != Gap::Joined
    }

    /// The word around runs `runs`: extended over joined and soft gaps (`dick-head`
    /// and `f.u.c.k` are one word each) up to hard ones.
    pub fn word_around(&self, runs: Range<usize>) -> Range<usize> {
        let mut start = runs.start;
        while start > 0 && self.gap_before(start) <= Gap::Soft {
            start -= 1;
        }
        let mut end = runs.end;
        while end < self.runs.len() && self.gap_before(end) <= Gap::Soft {
            end += 1;
        }
        start..end
    }

    /// For runs in another reading of a word (after a `Gap::Apart`), the runs of its
    /// usual reading: those behind the same characters. `None` for the usual reading.
    pub fn usual_reading(&self, runs: Range<usize>) -> Option<Range<usize>> {
        let first_apart = self.first_apart?;
        if runs.start < first_apart {
            return None;
        }
        let units = self.unit_spans(runs);
        let (start, end) = (units.first()?.start, units.last()?.end);
        let overlapping: Vec<usize> = (0..first_apart)
            .filter(|&i| {
                self.unit_spans(i..i + 1)
                    .iter()
                    .any(|u| u.start < end && start < u.end)
            })
            .collect();
        Some(*overlapping.first()?..*overlapping.last()? + 1)
    }

    /// The letters of runs `runs` as a word is spelled: each run repeated as often as
    /// it was typed, but at most twice (`shiiiitake` spells `shiitake`).
    pub fn spelling(&self, runs: Range<usize>) -> String {
        let mut out = String::new();
        for run in &self.runs[runs] {
            for _ in 0..run.count.min(2) {
                out.push(run.ch);
            }
        }
        out
    }

    /// Calls `f` with the spelling of runs `runs`, written on the stack when it fits:
    /// the matcher looks up several spellings for most candidates.
    pub fn with_spelling<R>(&self, runs: Range<usize>, f: impl FnOnce(&str) -> R) -> R {
        let mut buffer = [0u8; 128];
        let mut len = 0;
        for run in &self.runs[runs.clone()] {
            let mut utf8 = [0u8; 4];
            let ch = run.ch.encode_utf8(&mut utf8).as_bytes();
            for _ in 0..run.count.min(2) {
                let Some(slot) = buffer.get_mut(len..len + ch.len()) else {
                    return f(&self.spelling(runs));
                };
                slot.copy_from_slice(ch);
                len += ch.len();
            }
        }
        f(std::str::from_utf8(&buffer[..len]).expect("whole characters were written"))
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
        let mut tokens = Tokenizer::new(spare, text);
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

    /// The skeleton written out: `.` for a soft gap, space for a hard one, `|` before
    /// another reading; repeats as typed.
    fn skel(text: &str) -> String {
        let sk = Normalizer.skeleton(text);
        let mut out = String::new();
        for r in &sk.runs {
            match r.gap {
                Gap::Apart => out.push_str(" | "),
                Gap::Hard if !out.is_empty() => out.push(' '),
                Gap::Soft => out.push('.'),
                _ => {}
            }
            for _ in 0..r.count {
                out.push(r.ch);
            }
        }
        out
    }

    #[test]
    fn case_and_repeats() {
        assert_eq!(skel("FuUuCK you"), "fuuuck you");
        let sk = Normalizer.skeleton("fuuuck");
        assert_eq!(sk.text, "fuck");
        assert_eq!(sk.runs[1].count, 3);
    }

    #[test]
    fn leetspeak_only_in_words_with_letters() {
        assert_eq!(skel("sh3t a55 $hit"), "shet ass shit");
        assert_eq!(skel("I have 455 points"), "i have 455 points");
        assert_eq!(skel("hi! wow!!"), "hi wow");
        assert_eq!(skel("sh!t"), "shit");
    }

    #[test]
    fn ambiguous_glyphs_are_read_every_way() {
        assert_eq!(skel("f@ck"), "fack | fock | fuck");
        assert_eq!(skel("sh1t"), "shit | shlt");
        assert_eq!(skel("k|ll"), "kill | klll");
    }

    #[test]
    fn a_masking_star_is_punctuation_or_any_vowel() {
        assert_eq!(skel("c*nt"), "c.nt | cunt | cint | cont | cant | cent");
        assert_eq!(skel("f**k"), "f.k", "two stars hide more than a vowel");
        assert_eq!(
            skel("*so* good 2*3"),
            "so good 2.3",
            "emphasis and arithmetic"
        );
    }

    #[test]
    fn spaced_out_digits_and_symbols_after_a_letter_are_letters() {
        assert_eq!(skel("n 1 g g @"), "n.i.gg.a | l | o | u");
        assert_eq!(skel("p u $ $ y"), "p.u.ss.y");
        assert_eq!(
            skel("room 5 h i t"),
            "room 5.h.i.t",
            "after a word, a digit stays a digit"
        );
        assert_eq!(skel("3 4 5 5"), "3.4.55", "after a digit, too");
    }

    #[test]
    fn multi_character_glyphs() {
        assert_eq!(skel("c|_|nt"), "cunt");
        assert_eq!(skel("/\\ss"), "ass");
        assert_eq!(skel("co()l but not ()"), "cool but not");
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
    fn look_alikes_accents_and_styles() {
        assert_eq!(skel("ｆｕｃｋ"), "fuck");
        assert_eq!(skel("𝐟𝐮𝐜𝐤"), "fuck");
        assert_eq!(skel("fück"), "fuck");
        assert_eq!(skel("fυck"), "fuck", "Greek upsilon");
        let sk = Normalizer.skeleton("fück");
        assert_eq!(sk.runs[1].flags & flags::MARKED, flags::MARKED);
    }

    #[test]
    fn cyrillic_reads_natively_and_latin_look_alikes_both_ways() {
        assert_eq!(skel("Привет всем"), "привет всем");
        assert_eq!(skel("xуй"), "хуй", "a Latin x inside a Cyrillic word");
        assert_eq!(
            skel("ѕһіт"),
            "ѕһіт | shit",
            "a Latin word in Cyrillic look-alikes"
        );
        assert_eq!(skel("пи3да"), "пизда");
        assert_eq!(
            skel("blоw jоb"),
            "blow job",
            "Latin words with Cyrillic look-alikes in them read as Latin"
        );
        assert_eq!(
            skel("cука"),
            "сука | cyka",
            "all look-alikes: Cyrillic first"
        );
    }

    #[test]
    fn other_scripts_keep_their_letters() {
        assert_eq!(skel("日本語abc"), "日本語 abc");
        assert_eq!(skel("バカ"), "ばか", "katakana reads as hiragana");
        assert_eq!(skel("أحمق"), "احمق", "alef forms fold");
        assert_eq!(skel("ड़"), "ड", "nukta");
        assert_eq!(skel("안녕 하세요"), "안녕 하세요");
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
        let sk = Normalizer.skeleton("a日本");
        assert_eq!(sk.runs_of(1..4), 1..2, "a multi-byte run");
    }

    #[test]
    fn other_readings_lead_back_to_the_usual_one() {
        let sk = Normalizer.skeleton("цей рік");
        let apart = sk.runs.iter().position(|r| r.gap == Gap::Apart).unwrap();
        assert_eq!(sk.spelling(apart..sk.runs.len()), "pik");
        assert_eq!(sk.usual_reading(apart..sk.runs.len()), Some(3..6));
        assert_eq!(sk.usual_reading(0..3), None);
    }

    #[test]
    fn words_and_spellings() {
        let sk = Normalizer.skeleton("A-mong shiiiitake");
        assert_eq!(sk.word_around(1..2), 0..5);
        assert_eq!(sk.spelling(sk.word_around(1..2)), "among");
        assert_eq!(sk.spelling(5..sk.runs.len()), "shiitake");
        // On the stack or, past its buffer, on the heap: the same spelling.
        let long = "abcdefghij".repeat(15);
        let sk = Normalizer.skeleton(&format!("shiiiitake {long}"));
        let all = 0..sk.runs.len();
        assert_eq!(sk.with_spelling(0..7, str::to_owned), "shiitake");
        assert_eq!(
            sk.with_spelling(all.clone(), str::to_owned),
            sk.spelling(all)
        );
    }
}
