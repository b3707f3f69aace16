//! Non-ASCII characters into classes: natively matched scripts folded (`script`),
//! everything else through decancer (look-alikes and styled letters to Latin, accents
//! and marks removed), with a per-thread cache.

use std::cell::RefCell;

use unicode_normalization::UnicodeNormalization;

use super::cache::CharCache;
use super::classify::{cured_class, flags, is_invisible, Class, Letter};
use super::script::{latin_look_alike, native, Native, Script};

/// Leave scripts with no Latin look-alikes alone, so that ordinary chat in them never
/// turns into Latin letters; the scripts matched natively never reach decancer.
fn options() -> decancer::Options {
    decancer::Options::default()
        .retain_bengali()
        .retain_gujarati()
        .retain_tamil()
        .retain_lao()
        .retain_burmese()
        .retain_khmer()
        .retain_mongolian()
        .retain_braille()
        .disable_bidi()
}

/// Longest cure the cache holds; longer ones (rare ligatures and symbols) are not cached.
const CURED_MAX: usize = 4;

/// The classes a non-ASCII character stands for (none when invisible), when there are
/// at most `CURED_MAX`.
#[derive(Clone, Copy)]
struct Cured {
    len: u8,
    classes: [Class; CURED_MAX],
}

type CuredCache = CharCache<Option<Cured>, 1024>;

thread_local! {
    /// Allocated at a thread's first non-ASCII character. Held in the thread-local
    /// block itself, its 40 KB would be copied at every thread's start, the process's
    /// included.
    static CURED: RefCell<Option<Box<CuredCache>>> = const { RefCell::new(None) };
}

/// Passes the classes of what non-ASCII `ch` stands for to `push`.
pub(super) fn cure(ch: char, mut push: impl FnMut(Class)) {
    let cached = CURED.with_borrow_mut(|cache| {
        let cache = cache.get_or_insert_with(|| Box::new(CharCache::new(None)));
        cache.get(ch, |ch| {
            let classes = cure_uncached(ch);
            let mut cured = Cured {
                len: u8::try_from(classes.len()).ok()?,
                classes: [Class::Break; CURED_MAX],
            };
            cured
                .classes
                .get_mut(..classes.len())?
                .copy_from_slice(&classes);
            Some(cured)
        })
    });
    match cached {
        Some(cured) => cured.classes[..usize::from(cured.len)]
            .iter()
            .for_each(|&c| push(c)),
        None => cure_uncached(ch).into_iter().for_each(push),
    }
}

/// What `cure` answers, without the cache.
fn cure_uncached(ch: char) -> Vec<Class> {
    if is_invisible(ch) {
        return Vec::new();
    }
    // Compatibility forms of natively matched scripts (Arabic presentation forms,
    // halfwidth katakana) are read as the letters they draw.
    if matches!(u32::from(ch), 0xFB50..=0xFDFF | 0xFE70..=0xFEFF | 0xFF66..=0xFF9F) {
        return std::iter::once(ch)
            .nfkc()
            .flat_map(|c| match native(c) {
                Native::Letter(script, f) => vec![letter(script, f, c)],
                Native::Nothing => Vec::new(),
                Native::Other => vec![Class::Punct],
            })
            .collect();
    }
    match native(ch) {
        Native::Letter(script, folded) => vec![letter(script, folded, ch)],
        Native::Nothing => Vec::new(),
        Native::Other => {
            let flags = substitution_flags(ch);
            match decancer::cure_char(ch, options()) {
                decancer::Translation::None => Vec::new(),
                decancer::Translation::Character(c) => vec![cured_class(c, flags)],
                decancer::Translation::String(s) => {
                    s.chars().map(|c| cured_class(c, flags)).collect()
                }
            }
        }
    }
}

fn letter(script: Script, ch: char, original: char) -> Class {
    let latin = match script {
        Script::Cyrillic => latin_look_alike(original),
        _ => 0,
    };
    Class::Letter(Letter {
        ch,
        script,
        flags: 0,
        latin,
    })
}

/// How a character decancer reads as Latin was written: a Latin letter with a
/// diacritic, or a letter of another alphabet standing in for a Latin one. Styled
/// forms (fullwidth, mathematical, enclosed) are neither.
fn substitution_flags(ch: char) -> u8 {
    match u32::from(ch) {
        0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => flags::MARKED,
        0x0370..=0x03FF | 0x1F00..=0x1FFF | 0x0530..=0x058F | 0x13A0..=0x13FF => flags::SUBSTITUTED,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_cures_equal_uncached_ones() {
        // More characters than cache slots, twice over: hits, misses and collisions.
        let chars: Vec<char> = (0xA0..0x3100).filter_map(char::from_u32).collect();
        for _ in 0..2 {
            for &ch in &chars {
                let mut cached = Vec::new();
                cure(ch, |c| cached.push(c));
                assert_eq!(cached, cure_uncached(ch), "{ch:?}");
            }
        }
    }
}
