//! Normalisation of chat text into a compact "skeleton" that sees through evasions,
//! with a map from every skeleton position back to the original bytes.
//!
//! The skeleton is a sequence of *runs*: one lowercase ASCII letter or digit per run,
//! with how many times it repeated (so `fuuuck` and `fuck` share the skeleton `fuck`),
//! and the strength of the word boundary before it. Matching happens on the run bytes;
//! boundaries and counts are checked afterwards (see `lexicon`).
//!
//! What it sees through:
//! - case, accents and combining marks, look-alike letters from other scripts,
//!   fullwidth and mathematical forms (via the `decancer` crate);
//! - invisible characters (zero-width, soft hyphen, joiners, BOM, variation selectors);
//! - leetspeak digits and symbols, inside words that contain letters;
//! - punctuation inside a word (`f.u.c.k`, `sh-it`) and single letters spaced out
//!   (`f u c k`), which become *soft* boundaries that a match may cross;
//! - repeated letters.

use std::ops::Range;

/// Strength of the gap between two skeleton runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// Adjacent in the original text (at most invisible characters between).
    None,
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
        i == 0 || i >= self.runs.len() || self.runs[i].gap != Gap::None
    }
}

/// Class of one mapped character while tokenising.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Letter(u8),
    Digit(u8),
    /// A symbol that stands for a letter in leetspeak (`@`, `$`, `!`, ...).
    Leet {
        letter: u8,
        interior_only: bool,
    },
    /// Punctuation and symbols: soft inside a token.
    Punct,
    /// White space, emoji, foreign letters: ends the token.
    Space,
}

/// One mapped character of the current token: its class and the original character
/// it came from.
#[derive(Clone, Copy, Debug)]
struct Piece {
    class: Class,
    start: u32,
    len: u8,
}

/// Builds skeletons with the confusables options below.
#[derive(Clone, Copy)]
pub struct Normalizer {
    options: decancer::Options,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Normalizer")
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        // Cure Latin look-alikes (Cyrillic, Greek, Armenian, fullwidth, mathematical,
        // enclosed, accented letters) but leave scripts with no Latin look-alikes alone,
        // so that ordinary chat in those scripts never turns into Latin letters.
        let options = decancer::Options::default()
            .retain_chinese()
            .retain_japanese()
            .retain_korean()
            .retain_arabic()
            .retain_hebrew()
            .retain_devanagari()
            .retain_bengali()
            .retain_gujarati()
            .retain_tamil()
            .retain_thai()
            .retain_lao()
            .retain_burmese()
            .retain_khmer()
            .retain_mongolian()
            .retain_braille()
            .disable_bidi();
        Self { options }
    }
}

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
                let plain = if tokens.token.is_empty() {
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
            self.cure(ch, |class| tokens.push(class, start, len));
        }
        tokens.finish_token();
        tokens.skeleton
    }

    /// Passes the classes of what non-ASCII `ch` stands for to `push`, through a small
    /// per-thread cache: decancer takes hundreds of instructions per character, and
    /// chat repeats the same few hundred characters. Every normaliser has the same
    /// options, so a character's answer never changes.
    fn cure(&self, ch: char, push: impl FnMut(Class)) {
        CURED.with(|cache| {
            let mut cache = cache.borrow_mut();
            let slot = &mut cache[(u32::from(ch).wrapping_mul(0x9E37_79B9) >> 22) as usize];
            if slot.ch != ch {
                let mut cured = Cured {
                    ch,
                    len: 0,
                    classes: [Class::Space; CURED_MAX],
                };
                let mut all = Vec::new();
                if !is_invisible(ch) {
                    match decancer::cure_char(ch, self.options) {
                        decancer::Translation::None => {}
                        decancer::Translation::Character(c) => all.push(cured_class(c)),
                        decancer::Translation::String(s) => all.extend(s.chars().map(cured_class)),
                    }
                }
                if all.len() > CURED_MAX {
                    return all.into_iter().for_each(push);
                }
                cured.len = all.len() as u8;
                cured.classes[..all.len()].copy_from_slice(&all);
                *slot = cured;
            }
            slot.classes[..usize::from(slot.len)]
                .iter()
                .copied()
                .for_each(push);
        });
    }
}

/// Longest cure the cache holds; longer ones (rare ligatures and symbols) are not cached.
const CURED_MAX: usize = 4;

/// One cached answer: the classes non-ASCII `ch` stands for (none when invisible).
#[derive(Clone, Copy)]
struct Cured {
    ch: char,
    len: u8,
    classes: [Class; CURED_MAX],
}

thread_local! {
    /// 1,024 slots indexed by a hash of the character; a collision replaces the slot.
    /// Empty slots hold NUL, which is ASCII and never looked up.
    static CURED: std::cell::RefCell<[Cured; 1024]> = const {
        std::cell::RefCell::new(
            [Cured { ch: '\0', len: 0, classes: [Class::Space; CURED_MAX] }; 1024],
        )
    };
}

/// The whole token at the start of `bytes` when it is a plain word: ASCII letters,
/// then perhaps punctuation that cannot stand for a letter there (`chat,` `wow!!`),
/// up to ASCII white space or the text's end. Returns the length of its letters and
/// of the whole token.
fn plain_word(bytes: &[u8]) -> Option<(usize, usize)> {
    let letters = bytes
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(bytes.len());
    if letters == 0 {
        return None;
    }
    for (len, &b) in (letters..).zip(&bytes[letters..]) {
        match ascii_class(b) {
            _ if !b.is_ascii() => return None,
            Class::Space => return Some((letters, len)),
            // What `resolve_leet` makes of symbols with no word character after them.
            Class::Punct
            | Class::Leet {
                interior_only: true,
                ..
            } => {}
            _ => return None,
        }
    }
    Some((letters, bytes.len()))
}

/// Builds the skeleton one token (a run of characters between white space) at a
/// time: a token's leetspeak and its boundary with the previous token depend on the
/// whole token, so its characters wait in `token` until white space closes it.
struct Tokenizer {
    skeleton: Skeleton,
    token: Vec<Piece>,
    has_letter: bool,
    has_leet: bool,
    /// Whether the previous token with word characters had exactly one.
    previous_single: Option<bool>,
}

impl Tokenizer {
    /// A tokenizer that writes into `skeleton`'s buffers, cleared, with room for `n`
    /// runs and units.
    fn new(mut skeleton: Skeleton, n: usize) -> Self {
        skeleton.bytes.clear();
        skeleton.runs.clear();
        skeleton.units.clear();
        skeleton.bytes.reserve(n);
        skeleton.runs.reserve(n);
        skeleton.units.reserve(n);
        Tokenizer {
            skeleton,
            token: Vec::with_capacity(32),
            has_letter: false,
            has_leet: false,
            previous_single: None,
        }
    }

    fn push(&mut self, class: Class, start: u32, len: u8) {
        match class {
            Class::Space => return self.finish_token(),
            Class::Letter(_) => self.has_letter = true,
            Class::Digit(_) | Class::Leet { .. } => self.has_leet = true,
            Class::Punct => {}
        }
        self.token.push(Piece { class, start, len });
    }

    /// Resolves the current token and appends its runs.
    fn finish_token(&mut self) {
        if self.token.is_empty() {
            return;
        }
        if self.has_leet {
            resolve_leet(&mut self.token, self.has_letter);
        }
        let words = self
            .token
            .iter()
            .filter(|p| matches!(p.class, Class::Letter(_) | Class::Digit(_)))
            .count();
        if words > 0 {
            let mut gap = self.token_gap(words == 1);
            for i in 0..self.token.len() {
                let p = self.token[i];
                match p.class {
                    Class::Letter(b) | Class::Digit(b) => {
                        self.emit(b, gap, p.start, p.len);
                        gap = Gap::None;
                    }
                    _ => gap = gap.max(Gap::Soft),
                }
            }
        }
        self.token.clear();
        self.has_letter = false;
        self.has_leet = false;
    }

    /// What pushing each character of a plain word (see `plain_word`) and then
    /// `finish_token` would do, without the token buffer: its punctuation stands last,
    /// where it changes nothing.
    fn push_plain_word(&mut self, word: &[u8], start: u32) {
        let mut gap = self.token_gap(word.len() == 1);
        for (offset, b) in (start..).zip(word) {
            self.emit(b.to_ascii_lowercase(), gap, offset, 1);
            gap = Gap::None;
        }
    }

    /// The boundary before a token with word characters: white space between tokens
    /// is soft only between spaced-out single letters.
    fn token_gap(&mut self, single: bool) -> Gap {
        let gap = match self.previous_single {
            Some(true) if single => Gap::Soft,
            _ => Gap::Hard,
        };
        self.previous_single = Some(single);
        gap
    }

    /// Appends one word character, extending the last run when it repeats.
    #[inline]
    fn emit(&mut self, byte: u8, gap: Gap, start: u32, len: u8) {
        let sk = &mut self.skeleton;
        // One unit per original character, even when it expands to two letters (`ﬀ`).
        if sk.units.last().is_none_or(|u| u.start != start) {
            sk.units.push(start..start + u32::from(len));
        }
        let unit = sk.units.len() as u32 - 1;
        match sk.runs.last_mut() {
            Some(run) if run.byte == byte && gap != Gap::Hard => {
                run.count = run.count.saturating_add(1);
                run.units.end = unit + 1;
            }
            _ => {
                sk.bytes.push(byte);
                sk.runs.push(Run {
                    byte,
                    count: 1,
                    gap: if sk.runs.is_empty() { Gap::Hard } else { gap },
                    units: unit..unit + 1,
                });
            }
        }
    }
}

/// Class of a character decancer produced from non-ASCII `original`.
fn cured_class(cured: char) -> Class {
    if cured.is_ascii() {
        match ascii_class(cured as u8) {
            // A cured white space stays white space; cured punctuation too.
            class @ (Class::Letter(_) | Class::Digit(_) | Class::Space | Class::Punct) => class,
            Class::Leet { .. } => Class::Punct,
        }
    } else {
        // Letters of a script with no Latin look-alike, emoji and other symbols
        // separate words.
        Class::Space
    }
}

fn ascii_class(b: u8) -> Class {
    match b {
        b'a'..=b'z' => Class::Letter(b),
        b'A'..=b'Z' => Class::Letter(b.to_ascii_lowercase()),
        b'0'..=b'9' => Class::Digit(b),
        b'@' => Class::Leet {
            letter: b'a',
            interior_only: false,
        },
        b'$' => Class::Leet {
            letter: b's',
            interior_only: false,
        },
        b'|' => Class::Leet {
            letter: b'i',
            interior_only: false,
        },
        b'!' => Class::Leet {
            letter: b'i',
            interior_only: true,
        },
        b'+' => Class::Leet {
            letter: b't',
            interior_only: true,
        },
        b'(' => Class::Leet {
            letter: b'c',
            interior_only: true,
        },
        b if b.is_ascii_whitespace() || b.is_ascii_control() => Class::Space,
        _ => Class::Punct,
    }
}

/// Leetspeak value of a digit inside a word with letters.
fn leet_digit(d: u8) -> Option<u8> {
    Some(match d {
        b'0' => b'o',
        b'1' => b'i',
        b'3' => b'e',
        b'4' => b'a',
        b'5' => b's',
        b'7' => b't',
        b'8' => b'b',
        b'9' => b'g',
        _ => return None,
    })
}

/// Characters that render as nothing: Unicode's Default_Ignorable_Code_Point set
/// (zero-width spaces and joiners, soft hyphen, bidi controls, variation selectors,
/// tags, BOM, Hangul fillers).
fn is_invisible(ch: char) -> bool {
    matches!(ch as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Decides whether the digits and leet symbols of one token stand for letters.
///
/// A token (between white space) that contains a letter reads its digits as leetspeak
/// (`sh1t`); one without letters keeps them as digits (`455` is a number, not `ass`).
/// Symbols that also end sentences (`!`, `+`, `(`) count only between two word characters.
fn resolve_leet(token: &mut [Piece], has_letter: bool) {
    // A neighbour counts as part of the word unless it is itself a symbol that needs
    // two word neighbours (`wow!!` is not `wowii`).
    let word = |p: Option<&Piece>| {
        p.is_some_and(|p| {
            matches!(
                p.class,
                Class::Letter(_)
                    | Class::Digit(_)
                    | Class::Leet {
                        interior_only: false,
                        ..
                    }
            )
        })
    };
    for i in 0..token.len() {
        token[i].class = match token[i].class {
            Class::Digit(d) if has_letter => leet_digit(d).map_or(Class::Digit(d), Class::Letter),
            Class::Leet {
                letter,
                interior_only,
            } if has_letter => {
                let prev = word(i.checked_sub(1).and_then(|j| token.get(j)));
                let next = word(token.get(i + 1));
                let leet = if interior_only {
                    prev && next
                } else {
                    prev || next
                };
                if leet {
                    Class::Letter(letter)
                } else {
                    Class::Punct
                }
            }
            Class::Leet { .. } => Class::Punct,
            other => other,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skel(text: &str) -> String {
        let sk = Normalizer::default().skeleton(text);
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
        let sk = Normalizer::default().skeleton("fuuuck");
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
        let sk = Normalizer::default().skeleton(text);
        let last = &sk.units[sk.units.len() - 1];
        assert_eq!(&text[last.start as usize..last.end as usize], "k");
    }

    #[test]
    fn plain_word_path_equals_the_token_path() {
        // Every ASCII string of up to 5 of these characters, normalised as usual and
        // then one character at a time through the token buffer.
        let alphabet = [b'a', b'B', b'1', b' ', b'!', b',', b'$', b'+', b'.'];
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut longest = vec![Vec::new()];
        for _ in 0..5 {
            longest = longest
                .iter()
                .flat_map(|t| alphabet.iter().map(move |&c| [t.as_slice(), &[c]].concat()))
                .collect();
            texts.extend(longest.iter().cloned());
        }
        for text in &texts {
            let fast = Normalizer::default().skeleton(std::str::from_utf8(text).unwrap());
            let mut tokens = Tokenizer::new(Skeleton::default(), text.len());
            for (at, &b) in (0..).zip(text) {
                tokens.push(ascii_class(b), at, 1);
            }
            tokens.finish_token();
            let slow = tokens.skeleton;
            let shown = String::from_utf8_lossy(text);
            assert_eq!(fast.bytes, slow.bytes, "{shown:?}");
            assert_eq!(fast.runs, slow.runs, "{shown:?}");
            assert_eq!(fast.units, slow.units, "{shown:?}");
        }
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
    fn cached_cures_equal_fresh_ones() {
        let normalizer = Normalizer::default();
        let fresh = |ch: char| -> Vec<Class> {
            if is_invisible(ch) {
                return Vec::new();
            }
            match decancer::cure_char(ch, normalizer.options) {
                decancer::Translation::None => Vec::new(),
                decancer::Translation::Character(c) => vec![cured_class(c)],
                decancer::Translation::String(s) => s.chars().map(cured_class).collect(),
            }
        };
        // More characters than cache slots, twice over: hits, misses and collisions.
        let chars: Vec<char> = (0xA0..0x2400).filter_map(char::from_u32).collect();
        for _ in 0..2 {
            for &ch in &chars {
                let mut cached = Vec::new();
                normalizer.cure(ch, |c| cached.push(c));
                assert_eq!(cached, fresh(ch), "{ch:?}");
            }
        }
    }

    #[test]
    fn units_map_back_to_original_bytes() {
        let text = "é f\u{200B}u";
        let sk = Normalizer::default().skeleton(text);
        let spans: Vec<&str> = sk
            .unit_spans(0..sk.runs.len())
            .iter()
            .map(|r| &text[r.start as usize..r.end as usize])
            .collect();
        assert_eq!(spans, ["é", "f", "u"]);
    }
}
