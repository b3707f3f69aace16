//! Non-ASCII characters through decancer: look-alikes and styled letters to Latin,
//! accents and marks removed, with a per-thread cache.

use std::cell::RefCell;

use super::cache::CharCache;
use super::classify::{cured_class, is_invisible, Class};

/// Cure Latin look-alikes (Cyrillic, Greek, Armenian, fullwidth, mathematical,
/// enclosed, accented letters) but leave scripts with no Latin look-alikes alone, so
/// that ordinary chat in those scripts never turns into Latin letters.
fn options() -> decancer::Options {
    decancer::Options::default()
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

thread_local! {
    static CURED: RefCell<CharCache<Option<Cured>, 1024>> =
        const { RefCell::new(CharCache::new(None)) };
}

/// Passes the classes of what non-ASCII `ch` stands for to `push`.
pub(super) fn cure(ch: char, mut push: impl FnMut(Class)) {
    let cached = CURED.with_borrow_mut(|cache| {
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
    match decancer::cure_char(ch, options()) {
        decancer::Translation::None => Vec::new(),
        decancer::Translation::Character(c) => vec![cured_class(c)],
        decancer::Translation::String(s) => s.chars().map(cured_class).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_cures_equal_uncached_ones() {
        // More characters than cache slots, twice over: hits, misses and collisions.
        let chars: Vec<char> = (0xA0..0x2400).filter_map(char::from_u32).collect();
        for _ in 0..2 {
            for &ch in &chars {
                let mut cached = Vec::new();
                cure(ch, |c| cached.push(c));
                assert_eq!(cached, cure_uncached(ch), "{ch:?}");
            }
        }
    }
}
