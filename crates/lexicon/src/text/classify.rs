//! What each character is to the tokenizer: a letter (of which script, folded how), a
//! digit, a leetspeak symbol, punctuation inside a word, or a break between words.

use icu_properties::props::DefaultIgnorableCodePoint;
use icu_properties::CodePointSetData;

use super::script::Script;

/// Bits of `Letter::flags` and `Run::flags`.
pub mod flags {
    /// Written with a diacritic that normalising removed (`ü` read as `u`).
    pub const MARKED: u8 = 1;
    /// Written as something else that stands for it: a leetspeak digit or symbol, a
    /// multi-character glyph, or a look-alike letter of another script.
    pub const SUBSTITUTED: u8 = 2;
}

/// A letter after normalising.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Letter {
    pub ch: char,
    pub script: Script,
    pub flags: u8,
    /// For a Cyrillic letter, the Latin letter it looks like (`с` → `c`); 0 when none.
    pub latin: u8,
}

impl Letter {
    pub fn latin(b: u8, flags: u8) -> Self {
        Letter {
            ch: char::from(b),
            script: Script::Latin,
            flags,
            latin: 0,
        }
    }
}

/// Class of one mapped character while tokenising.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Letter(Letter),
    Digit(u8),
    /// A symbol that stands for a letter in leetspeak (`@`, `$`, `!`, ...).
    Leet {
        symbol: u8,
        interior_only: bool,
    },
    /// Punctuation and symbols: soft inside a token.
    Punct,
    /// Ends the token: white space and emoji.
    Break,
}

/// One mapped character of the current token: its class and the original bytes it
/// came from (several for a multi-character glyph such as `|_|`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Piece {
    pub class: Class,
    pub start: u32,
    pub len: u8,
}

pub(super) fn ascii_class(b: u8) -> Class {
    match b {
        b'a'..=b'z' => Class::Letter(Letter::latin(b, 0)),
        b'A'..=b'Z' => Class::Letter(Letter::latin(b.to_ascii_lowercase(), 0)),
        b'0'..=b'9' => Class::Digit(b),
        b'@' | b'$' | b'|' => Class::Leet {
            symbol: b,
            interior_only: false,
        },
        b'!' | b'+' | b'(' | MASK => Class::Leet {
            symbol: b,
            interior_only: true,
        },
        b if b.is_ascii_whitespace() || b.is_ascii_control() => Class::Break,
        _ => Class::Punct,
    }
}

/// The symbol that masks a letter (`c*nt`): its readings are the vowels it may hide.
pub const MASK: u8 = b'*';

/// What a mask stands for in the usual reading: nothing, punctuation inside the word
/// (`f*ck` reads `fck`). Its other readings are the vowels.
pub(super) const SILENT: u8 = 0;

/// The letters a leetspeak digit or symbol stands for, the usual reading first.
pub(super) fn leet_letters(b: u8) -> &'static [u8] {
    match b {
        b'0' => b"o",
        b'1' => b"il",
        b'3' => b"e",
        b'4' => b"a",
        b'5' => b"s",
        b'7' => b"t",
        b'8' => b"b",
        b'9' => b"g",
        b'@' => b"aou",
        b'$' => b"s",
        b'|' => b"il",
        b'!' => b"i",
        b'+' => b"t",
        b'(' => b"c",
        MASK => b"\0uioae",
        _ => b"",
    }
}

/// Class of a character decancer produced from a non-ASCII one.
pub(super) fn cured_class(cured: char, flags: u8) -> Class {
    if cured.is_ascii() {
        match ascii_class(cured as u8) {
            Class::Letter(l) => Class::Letter(Letter::latin(l.ch as u8, flags)),
            // A cured white space stays white space; cured punctuation too.
            class @ (Class::Digit(_) | Class::Break | Class::Punct) => class,
            Class::Leet { .. } => Class::Punct,
        }
    } else {
        // Emoji, symbols and scripts decancer does not read as Latin separate words.
        Class::Break
    }
}

/// Characters that render as nothing (zero-width spaces and joiners, soft hyphen,
/// bidi controls, variation selectors, tags, BOM, Hangul fillers): Unicode's
/// Default_Ignorable_Code_Point property.
pub(super) fn is_invisible(ch: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(ch)
}
