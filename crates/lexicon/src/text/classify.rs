//! What each character is to the tokenizer: a letter, a digit, a leetspeak symbol,
//! punctuation inside a word, or a break between words.

use icu_properties::props::DefaultIgnorableCodePoint;
use icu_properties::CodePointSetData;

/// Class of one mapped character while tokenising.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Letter(u8),
    Digit(u8),
    /// A symbol that stands for a letter in leetspeak (`@`, `$`, `!`, ...).
    Leet {
        letter: u8,
        interior_only: bool,
    },
    /// Punctuation and symbols: soft inside a token.
    Punct,
    /// Ends the token: white space, emoji, and letters of scripts without Latin
    /// look-alikes.
    Break,
}

/// One mapped character of the current token: its class and the original character
/// it came from.
#[derive(Clone, Copy, Debug)]
pub(super) struct Piece {
    pub class: Class,
    pub start: u32,
    pub len: u8,
}

pub(super) fn ascii_class(b: u8) -> Class {
    let leet = |letter, interior_only| Class::Leet {
        letter,
        interior_only,
    };
    match b {
        b'a'..=b'z' => Class::Letter(b),
        b'A'..=b'Z' => Class::Letter(b.to_ascii_lowercase()),
        b'0'..=b'9' => Class::Digit(b),
        b'@' => leet(b'a', false),
        b'$' => leet(b's', false),
        b'|' => leet(b'i', false),
        b'!' => leet(b'i', true),
        b'+' => leet(b't', true),
        b'(' => leet(b'c', true),
        b if b.is_ascii_whitespace() || b.is_ascii_control() => Class::Break,
        _ => Class::Punct,
    }
}

/// Class of a character decancer produced from a non-ASCII one.
pub(super) fn cured_class(cured: char) -> Class {
    if cured.is_ascii() {
        match ascii_class(cured as u8) {
            // A cured white space stays white space; cured punctuation too.
            class @ (Class::Letter(_) | Class::Digit(_) | Class::Break | Class::Punct) => class,
            Class::Leet { .. } => Class::Punct,
        }
    } else {
        // Letters of a script with no Latin look-alike, emoji and other symbols
        // separate words.
        Class::Break
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

/// Characters that render as nothing (zero-width spaces and joiners, soft hyphen,
/// bidi controls, variation selectors, tags, BOM, Hangul fillers): Unicode's
/// Default_Ignorable_Code_Point property.
pub(super) fn is_invisible(ch: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(ch)
}

/// Decides whether the digits and leet symbols of one token stand for letters.
///
/// A token (between white space) that contains a letter reads its digits as leetspeak
/// (`sh1t`); one without letters keeps them as digits (`455` is a number, not `ass`).
/// Symbols that also end sentences (`!`, `+`, `(`) count only between two word characters.
pub(super) fn resolve_leet(token: &mut [Piece], has_letter: bool) {
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
