//! Splitting normalised characters into tokens (runs of characters between white
//! space), deciding how each token reads, and writing its readings into the skeleton.
//!
//! A token's reading depends on the whole token: whether its digits and symbols are
//! leetspeak (only among Latin letters: `455` stays a number), which script a word
//! mixing Latin and Cyrillic look-alikes is in, and which letter an ambiguous glyph
//! stands for (`@` for a, o or u). The usual reading goes into the skeleton in place;
//! the others are appended after the text, each apart from everything else, so that a
//! match in them still maps back to the same characters.

use super::classify::{ascii_class, flags, leet_letters, Class, Letter, Piece, SILENT};
use super::script::{cyrillic_look_alike, Script};
use super::{Gap, Run, Skeleton};

/// Most other readings kept for one token.
const MAX_ALTERNATES: usize = 8;

/// Multi-character glyphs and the letter each draws, longest first.
const GLYPHS: &[(&[u8], u8)] = &[
    (b"|\\/|", b'm'),
    (b"/\\/\\", b'm'),
    (b"\\/\\/", b'w'),
    (b"|\\|", b'n'),
    (b"|_|", b'u'),
    (b"(_)", b'u'),
    (b"|-|", b'h'),
    (b"/\\", b'a'),
    (b"\\/", b'v'),
    (b"|<", b'k'),
    (b"|)", b'd'),
    (b"()", b'o'),
    (b"[]", b'o'),
];

/// One letter of a token's reading.
#[derive(Clone, Copy, Debug)]
struct Out {
    ch: char,
    script: Script,
    flags: u8,
    /// The ASCII digit or symbol it was written as, or 0.
    origin: u8,
    start: u32,
    len: u8,
    /// Punctuation stood between this letter and the previous one.
    soft_before: bool,
}

/// A letter of the token before its reading is chosen: the letter it usually stands
/// for, and the others it may.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    usual: char,
    others: &'static [u8],
    script: Script,
    flags: u8,
    origin: u8,
    /// For Cyrillic letters, the Latin look-alike (0 when none).
    latin: u8,
    start: u32,
    len: u8,
    soft_before: bool,
}

/// Builds the skeleton one token at a time.
pub(super) struct Tokenizer<'t> {
    text: &'t [u8],
    skeleton: Skeleton,
    token: Vec<Piece>,
    has_latin: bool,
    has_cyrillic: bool,
    has_symbol: bool,
    /// Whether the previous token with word characters had exactly one.
    previous_single: Option<bool>,
    /// Whether that one was a Latin letter (as written or read from leetspeak): a lone
    /// digit or symbol after it is a spaced-out letter too (`n 1 g g a`), but not
    /// after a digit (`3 4 5 5`).
    after_single_letter: bool,
    alternates: Vec<Vec<Out>>,
}

impl<'t> Tokenizer<'t> {
    /// A tokenizer for `text` that writes into `skeleton`'s buffers, cleared.
    pub(super) fn new(mut skeleton: Skeleton, text: &'t str) -> Self {
        skeleton.clear(text.len());
        Tokenizer {
            text: text.as_bytes(),
            skeleton,
            token: Vec::with_capacity(32),
            has_latin: false,
            has_cyrillic: false,
            has_symbol: false,
            previous_single: None,
            after_single_letter: false,
            alternates: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, class: Class, start: u32, len: u8) {
        match class {
            Class::Break => return self.finish_token(),
            Class::Letter(l) => match l.script {
                Script::Latin => self.has_latin = true,
                Script::Cyrillic => self.has_cyrillic = true,
                _ => {}
            },
            Class::Leet { .. } | Class::Punct => self.has_symbol = true,
            Class::Digit(_) => {}
        }
        self.token.push(Piece { class, start, len });
    }

    /// Whether no token is open: the next character starts one.
    pub(super) fn is_between_tokens(&self) -> bool {
        self.token.is_empty()
    }

    /// What pushing each letter of a plain word (ASCII letters, then perhaps
    /// punctuation that stands for nothing there, see `plain_word`) and then closing
    /// the token would do, without the token buffer.
    pub(super) fn push_plain_word(&mut self, word: &[u8], start: u32) {
        let mut gap = self.token_gap(word.len() == 1, true);
        for (offset, b) in (start..).zip(word) {
            let out = Out {
                ch: char::from(b.to_ascii_lowercase()),
                script: Script::Latin,
                flags: 0,
                origin: 0,
                start: offset,
                len: 1,
                soft_before: false,
            };
            self.emit(&out, gap);
            gap = Gap::Joined;
        }
    }

    /// Closes the last token, appends the other readings, and hands over the skeleton.
    pub(super) fn finish(mut self) -> Skeleton {
        self.finish_token();
        if !self.alternates.is_empty() {
            self.skeleton.first_apart = Some(self.skeleton.runs.len());
        }
        for reading in std::mem::take(&mut self.alternates) {
            let mut gap = Gap::Apart;
            for out in &reading {
                self.emit(
                    out,
                    if out.soft_before {
                        gap.max(Gap::Soft)
                    } else {
                        gap
                    },
                );
                gap = Gap::Joined;
            }
        }
        self.skeleton
    }

    /// Resolves the current token and appends its usual reading.
    fn finish_token(&mut self) {
        if self.token.is_empty() {
            return;
        }
        if self.has_symbol && self.has_latin {
            merge_glyphs(&mut self.token, self.text);
        }
        let candidates = self.candidates();
        let (primary, others) = readings(&candidates);
        if !primary.is_empty() {
            let mut gap = self.token_gap(primary.len() == 1, primary[0].ch.is_ascii_lowercase());
            let mut previous: Option<Script> = None;
            for out in &primary {
                let mut g = if out.soft_before {
                    gap.max(Gap::Soft)
                } else {
                    gap
                };
                // A change of writing system inside a token is a word boundary.
                if previous.is_some_and(|p| !p.mixes_with(out.script)) {
                    g = Gap::Hard;
                }
                self.emit(out, g);
                gap = Gap::Joined;
                previous = Some(out.script);
            }
        }
        let room = (MAX_ALTERNATES * 4).saturating_sub(self.alternates.len());
        self.alternates.extend(others.into_iter().take(room));
        self.token.clear();
        self.has_latin = false;
        self.has_cyrillic = false;
        self.has_symbol = false;
    }

    /// The token's letters with what each may stand for. Digits and symbols read as
    /// leetspeak only in a token with Latin letters (or, for digits, Cyrillic ones), or
    /// alone after a single Latin letter (`c 0 c k`); symbols that also end sentences
    /// or mask (`!`, `+`, `(`, `*`) only between two word characters.
    fn candidates(&self) -> Vec<Candidate> {
        let token = &self.token;
        let spaced_out = token.len() == 1 && self.after_single_letter;
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
        let mut out = Vec::with_capacity(token.len());
        let mut soft = false;
        for (i, p) in token.iter().enumerate() {
            let one = |usual: char, script: Script, flags: u8, origin: u8| Candidate {
                usual,
                others: &[],
                script,
                flags,
                origin,
                latin: 0,
                start: p.start,
                len: p.len,
                soft_before: false,
            };
            // A leetspeak digit or symbol: its letters, the usual one first.
            let leet = |letters: &'static [u8], origin: u8| Candidate {
                others: &letters[1..],
                ..one(
                    char::from(letters[0]),
                    Script::Latin,
                    flags::SUBSTITUTED,
                    origin,
                )
            };
            let candidate = match p.class {
                Class::Letter(l) => Some(Candidate {
                    latin: l.latin,
                    ..one(l.ch, l.script, l.flags, 0)
                }),
                Class::Digit(d)
                    if (self.has_latin || spaced_out) && !leet_letters(d).is_empty() =>
                {
                    Some(leet(leet_letters(d), d))
                }
                Class::Digit(d) => {
                    Some(match cyrillic_look_alike(d).filter(|_| self.has_cyrillic) {
                        Some(c) => one(c, Script::Cyrillic, flags::SUBSTITUTED, d),
                        None => one(char::from(d), Script::Latin, 0, 0),
                    })
                }
                Class::Leet {
                    symbol,
                    interior_only,
                } if self.has_latin || self.has_cyrillic || spaced_out => {
                    let prev = word(i.checked_sub(1).and_then(|j| token.get(j)));
                    let next = word(token.get(i + 1));
                    let is_leet = if interior_only {
                        prev && next
                    } else {
                        prev || next || spaced_out
                    };
                    is_leet.then(|| leet(leet_letters(symbol), symbol))
                }
                Class::Leet { .. } | Class::Punct | Class::Break => None,
            };
            match candidate {
                Some(mut c) => {
                    c.soft_before = soft && !out.is_empty();
                    soft = false;
                    out.push(c);
                }
                None => soft = true,
            }
        }
        out
    }

    /// The boundary before a token with word characters: white space between tokens
    /// is soft only between spaced-out single letters.
    fn token_gap(&mut self, single: bool, letter: bool) -> Gap {
        let gap = match self.previous_single {
            Some(true) if single => Gap::Soft,
            _ => Gap::Hard,
        };
        self.previous_single = Some(single);
        self.after_single_letter = single && letter;
        gap
    }

    /// Appends one letter, extending the last run when it repeats.
    #[inline]
    fn emit(&mut self, out: &Out, gap: Gap) {
        let sk = &mut self.skeleton;
        // One unit per original character, even when it expands to two letters (`ﬀ`).
        if sk.units.last().is_none_or(|u| u.start != out.start) {
            sk.units.push(out.start..out.start + u32::from(out.len));
        }
        let unit = sk.units.len() as u32 - 1;
        match sk.runs.last_mut() {
            Some(run) if run.ch == out.ch && gap <= Gap::Soft => {
                run.count = run.count.saturating_add(1);
                run.units.end = unit + 1;
                run.flags |= out.flags;
                if run.origin == 0 {
                    run.origin = out.origin;
                }
            }
            _ => {
                let index = sk.runs.len() as u32;
                sk.runs.push(Run {
                    ch: out.ch,
                    count: 1,
                    gap: if sk.runs.is_empty() { Gap::Hard } else { gap },
                    flags: out.flags,
                    origin: out.origin,
                    units: unit..unit + 1,
                });
                sk.text.push(out.ch);
                sk.run_at
                    .extend(std::iter::repeat_n(index, out.ch.len_utf8()));
            }
        }
    }
}

/// The usual reading of a token, and its others: the other script's reading of a word
/// that mixes Latin and Cyrillic (or is all look-alikes), and the other letters of
/// ambiguous glyphs. A silent mask (`*`) leaves a soft gap where it stood.
fn readings(candidates: &[Candidate]) -> (Vec<Out>, Vec<Vec<Out>>) {
    let (mut primary, mut others) = readings_with_silent(candidates);
    without_silent(&mut primary);
    others.iter_mut().for_each(without_silent);
    (primary, others)
}

/// Drops the letters that stand for nothing, marking a soft gap after each.
fn without_silent(reading: &mut Vec<Out>) {
    let mut soft = false;
    reading.retain_mut(|out| {
        if out.ch == char::from(SILENT) {
            soft = true;
            return false;
        }
        out.soft_before |= std::mem::take(&mut soft);
        true
    });
}

fn readings_with_silent(candidates: &[Candidate]) -> (Vec<Out>, Vec<Vec<Out>>) {
    let out = |c: &Candidate, ch: char, script: Script, extra: u8| Out {
        ch,
        script,
        flags: c.flags | extra,
        origin: c.origin,
        start: c.start,
        len: c.len,
        soft_before: c.soft_before,
    };
    let cyrillic = candidates
        .iter()
        .filter(|c| c.script == Script::Cyrillic)
        .count();
    if cyrillic > 0 {
        let all_look_alike = candidates
            .iter()
            .all(|c| c.script != Script::Cyrillic || c.latin != 0);
        // A Latin letter that no Cyrillic one looks like (`blоw`, `jоb`) makes it a
        // Latin word with look-alikes in it: read as Latin first, so that phrases
        // across it still match.
        let latin_only_letter = candidates.iter().any(|c| {
            c.script == Script::Latin
                && c.origin == 0
                && u8::try_from(c.usual).is_ok_and(|b| cyrillic_look_alike(b).is_none())
        });
        // Read as Cyrillic: Latin look-alikes and digits become Cyrillic letters.
        let native = || -> Vec<Out> {
            candidates
                .iter()
                .map(|c| match c.script {
                    Script::Latin => {
                        let source = if c.origin.is_ascii_digit() {
                            c.origin
                        } else {
                            c.usual as u8
                        };
                        match cyrillic_look_alike(source) {
                            Some(cy) => out(c, cy, Script::Cyrillic, flags::SUBSTITUTED),
                            None => out(c, c.usual, c.script, 0),
                        }
                    }
                    _ => out(c, c.usual, c.script, 0),
                })
                .collect()
        };
        let latin = || -> Vec<Out> {
            candidates
                .iter()
                .map(|c| match (c.script, c.latin) {
                    (Script::Cyrillic, l) if l != 0 => {
                        out(c, char::from(l), Script::Latin, flags::SUBSTITUTED)
                    }
                    _ => out(c, c.usual, c.script, 0),
                })
                .collect()
        };
        return match (all_look_alike, latin_only_letter) {
            (false, _) => (native(), Vec::new()),
            (true, true) => (latin(), Vec::new()),
            (true, false) => (native(), vec![latin()]),
        };
    }
    let primary: Vec<Out> = candidates
        .iter()
        .map(|c| out(c, c.usual, c.script, 0))
        .collect();
    let ambiguous: Vec<usize> = (0..candidates.len())
        .filter(|&i| !candidates[i].others.is_empty())
        .collect();
    let mut others = Vec::new();
    if !ambiguous.is_empty() {
        // Every combination of choices but the usual one, in order, up to the limit.
        let mut choice = vec![0usize; ambiguous.len()];
        'combinations: loop {
            let mut k = 0;
            loop {
                let n = candidates[ambiguous[k]].others.len() + 1;
                choice[k] += 1;
                if choice[k] < n {
                    break;
                }
                choice[k] = 0;
                k += 1;
                if k == ambiguous.len() {
                    break 'combinations;
                }
            }
            let mut reading = primary.clone();
            for (&i, &c) in ambiguous.iter().zip(&choice) {
                reading[i].ch = match c {
                    0 => candidates[i].usual,
                    c => char::from(candidates[i].others[c - 1]),
                };
            }
            others.push(reading);
            if others.len() == MAX_ALTERNATES {
                break;
            }
        }
    }
    (primary, others)
}

/// Replaces the pieces of multi-character glyphs (`|_|`, `/\`) by the letter each draws,
/// where a letter stands beside the glyph (`()` and `[]`: on both sides).
fn merge_glyphs(token: &mut Vec<Piece>, text: &[u8]) {
    let is_letter = |p: Option<&Piece>| p.is_some_and(|p| matches!(p.class, Class::Letter(_)));
    let mut i = 0;
    while i < token.len() {
        let found = GLYPHS.iter().find(|(glyph, _)| {
            let pieces = token.get(i..i + glyph.len());
            pieces.is_some_and(|pieces| {
                pieces
                    .iter()
                    .zip(glyph.iter())
                    .all(|(p, &g)| p.len == 1 && text.get(p.start as usize) == Some(&g))
                    && pieces.windows(2).all(|w| w[1].start == w[0].start + 1)
            })
        });
        if let Some(&(glyph, letter)) = found {
            let before = is_letter(i.checked_sub(1).and_then(|j| token.get(j)));
            let after = is_letter(token.get(i + glyph.len()));
            let bracket = glyph[0] == b'(' && glyph.len() == 2 || glyph[0] == b'[';
            if (bracket && before && after) || (!bracket && (before || after)) {
                let start = token[i].start;
                token.splice(
                    i..i + glyph.len(),
                    [Piece {
                        class: Class::Letter(Letter::latin(letter, flags::SUBSTITUTED)),
                        start,
                        len: glyph.len() as u8,
                    }],
                );
            }
        }
        i += 1;
    }
}

/// The whole token at the start of `bytes` when it is a plain word: ASCII letters,
/// then perhaps punctuation that cannot stand for a letter there (`chat,` `wow!!`),
/// up to ASCII white space or the text's end. Returns the length of its letters and
/// of the whole token.
pub(super) fn plain_word(bytes: &[u8]) -> Option<(usize, usize)> {
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
            Class::Break => return Some((letters, len)),
            // What `candidates` makes of symbols with no word character after them.
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

#[cfg(test)]
mod tests {
    use super::super::Normalizer;
    use super::*;
    use itertools::Itertools;

    #[test]
    fn plain_word_path_equals_the_token_path() {
        // Every ASCII string of up to 5 of these characters, normalised as usual and
        // then one character at a time through the token buffer.
        let alphabet = [b'a', b'B', b'1', b' ', b'!', b',', b'$', b'+', b'.', b'*'];
        for len in 1..=5 {
            for text in std::iter::repeat_n(alphabet, len).multi_cartesian_product() {
                let text = std::str::from_utf8(&text).unwrap();
                let fast = Normalizer.skeleton(text);
                let mut tokens = Tokenizer::new(Skeleton::default(), text);
                for (at, &b) in (0..).zip(text.as_bytes()) {
                    tokens.push(ascii_class(b), at, 1);
                }
                let slow = tokens.finish();
                assert_eq!(fast.text, slow.text, "{text:?}");
                assert_eq!(fast.runs, slow.runs, "{text:?}");
                assert_eq!(fast.units, slow.units, "{text:?}");
            }
        }
    }
}
