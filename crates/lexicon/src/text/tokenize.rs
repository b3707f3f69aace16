//! Splitting normalised characters into tokens (runs of characters between white
//! space) and tokens into skeleton runs.

use super::classify::{ascii_class, resolve_leet, Class, Piece};
use super::{Gap, Run, Skeleton};

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
pub(super) struct Tokenizer {
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
    pub(super) fn new(mut skeleton: Skeleton, n: usize) -> Self {
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

    pub(super) fn push(&mut self, class: Class, start: u32, len: u8) {
        match class {
            Class::Break => return self.finish_token(),
            Class::Letter(_) => self.has_letter = true,
            Class::Digit(_) | Class::Leet { .. } => self.has_leet = true,
            Class::Punct => {}
        }
        self.token.push(Piece { class, start, len });
    }

    /// Whether no token is open: the next character starts one.
    pub(super) fn is_between_tokens(&self) -> bool {
        self.token.is_empty()
    }

    /// Closes the last token and hands over the skeleton.
    pub(super) fn finish(mut self) -> Skeleton {
        self.finish_token();
        self.skeleton
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
                        gap = Gap::Joined;
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
    pub(super) fn push_plain_word(&mut self, word: &[u8], start: u32) {
        let mut gap = self.token_gap(word.len() == 1);
        for (offset, b) in (start..).zip(word) {
            self.emit(b.to_ascii_lowercase(), gap, offset, 1);
            gap = Gap::Joined;
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

#[cfg(test)]
mod tests {
    use super::*;
    use itertools::Itertools;

    #[test]
    fn plain_word_path_equals_the_token_path() {
        // Every ASCII string of up to 5 of these characters, normalised as usual and
        // then one character at a time through the token buffer.
        let alphabet = [b'a', b'B', b'1', b' ', b'!', b',', b'$', b'+', b'.'];
        for len in 1..=5 {
            for text in std::iter::repeat_n(alphabet, len).multi_cartesian_product() {
                let fast = super::super::Normalizer.skeleton(std::str::from_utf8(&text).unwrap());
                let mut tokens = Tokenizer::new(Skeleton::default(), text.len());
                for (at, &b) in (0..).zip(&text) {
                    tokens.push(ascii_class(b), at, 1);
                }
                let slow = tokens.finish();
                let shown = String::from_utf8_lossy(&text);
                assert_eq!(fast.bytes, slow.bytes, "{shown:?}");
                assert_eq!(fast.runs, slow.runs, "{shown:?}");
                assert_eq!(fast.units, slow.units, "{shown:?}");
            }
        }
    }
}
