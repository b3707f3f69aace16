//! Spam heuristics on the whole message: length, shouting, character floods.

use std::cell::RefCell;

use lexicon::text::CharCache;

/// The checks of one spam rule; `None` switches a check off.
#[derive(Debug, Clone, PartialEq)]
pub struct SpamLimits {
    pub max_length: Option<usize>,
    pub max_caps_ratio: Option<f64>,
    /// Shouting is judged only on messages with at least this many letters.
    pub min_letters: usize,
    pub max_repeat: Option<usize>,
}

/// Counts the spam checks need, computed once per message for all spam rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStats {
    pub chars: usize,
    pub letters: usize,
    pub upper: usize,
    /// Longest run of one repeated character other than white space.
    pub longest_repeat: usize,
}

impl TextStats {
    pub fn of(text: &str) -> Self {
        if text.is_ascii() {
            return Self::of_ascii(text.as_bytes());
        }
        let mut stats = TextStats::default();
        let mut current = 0usize;
        let mut previous = None;
        for c in text.chars() {
            stats.chars += 1;
            let (letter, upper) = if c.is_ascii() {
                (c.is_ascii_alphabetic(), c.is_ascii_uppercase())
            } else {
                letter_case(c)
            };
            stats.letters += usize::from(letter);
            stats.upper += usize::from(upper);
            if Some(c) == previous && !c.is_whitespace() {
                current += 1;
            } else {
                current = 1;
            }
            stats.longest_repeat = stats.longest_repeat.max(current);
            previous = Some(c);
        }
        stats
    }

    /// The same counts, byte by byte, for the common all-ASCII message.
    fn of_ascii(text: &[u8]) -> Self {
        let mut stats = TextStats {
            chars: text.len(),
            ..TextStats::default()
        };
        let mut current = 0usize;
        let mut previous = 0u8;
        for &b in text {
            stats.letters += usize::from(b.is_ascii_alphabetic());
            stats.upper += usize::from(b.is_ascii_uppercase());
            current = if b == previous && !b.is_ascii_whitespace() {
                current + 1
            } else {
                1
            };
            stats.longest_repeat = stats.longest_repeat.max(current);
            previous = b;
        }
        stats
    }
}

/// Whether non-ASCII `c` is a letter, and whether an uppercase one. Unicode's letter
/// table is a search per lookup (the profile showed it costing more than the rest of
/// the counts), and a message in another script
/// repeats a few dozen letters, so the answers are cached per thread in 256 slots.
fn letter_case(c: char) -> (bool, bool) {
    thread_local! {
        static CACHE: RefCell<CharCache<(bool, bool), 256>> =
            const { RefCell::new(CharCache::new((false, false))) };
    }
    CACHE.with_borrow_mut(|cache| {
        cache.get(c, |c| {
            let letter = c.is_alphabetic();
            (letter, letter && c.is_uppercase())
        })
    })
}

impl SpamLimits {
    /// The first limit the message breaks, described for `--explain` and logs.
    pub fn first_exceeded(&self, stats: &TextStats) -> Option<String> {
        let TextStats {
            chars,
            letters,
            upper,
            longest_repeat,
        } = *stats;
        if let Some(max) = self.max_length.filter(|&m| chars > m) {
            return Some(format!("length {chars} > {max}"));
        }
        if let Some(max) = self.max_repeat.filter(|&m| longest_repeat > m) {
            return Some(format!("repeat {longest_repeat} > {max}"));
        }
        if let Some(max) = self.max_caps_ratio {
            let ratio = upper as f64 / letters.max(1) as f64;
            if letters >= self.min_letters && ratio > max {
                return Some(format!("caps {:.0}% > {:.0}%", ratio * 100.0, max * 100.0));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SpamLimits {
        SpamLimits {
            max_length: Some(20),
            max_caps_ratio: Some(0.7),
            min_letters: 8,
            max_repeat: Some(5),
        }
    }

    fn exceeded(text: &str) -> Option<String> {
        limits().first_exceeded(&TextStats::of(text))
    }

    #[test]
    fn each_check_triggers() {
        assert_eq!(
            exceeded("aaaa bbbb cccc dddd eeee").unwrap(),
            "length 24 > 20"
        );
        assert_eq!(exceeded("nooooooo").unwrap(), "repeat 7 > 5");
        assert_eq!(exceeded("WHY IS THIS SO").unwrap(), "caps 100% > 70%");
    }

    #[test]
    fn ordinary_messages_pass() {
        assert_eq!(exceeded("Hello there"), None);
        assert_eq!(
            exceeded("OK LOL"),
            None,
            "too few letters to judge shouting"
        );
        assert_eq!(exceeded("ünïcödé 你好"), None);
        assert_eq!(exceeded("a      b"), None, "spaces are not a flood");
    }

    #[test]
    fn cached_letter_cases_equal_fresh_ones() {
        // More characters than slots, twice over: hits, misses and collisions.
        for _ in 0..2 {
            for c in '\u{80}'..'\u{3000}' {
                let fresh = (c.is_alphabetic(), c.is_uppercase());
                assert_eq!(letter_case(c), fresh, "{c:?}");
            }
        }
    }

    #[test]
    fn ascii_and_unicode_counts_agree() {
        let text = "Hello WORLD!!! aaa  zz";
        let mut padded = text.to_owned();
        padded.push('é');
        let (ascii, unicode) = (TextStats::of(text), TextStats::of(&padded));
        assert_eq!(
            (ascii.letters + 1, ascii.upper, ascii.chars + 1),
            (unicode.letters, unicode.upper, unicode.chars)
        );
        assert_eq!(ascii.longest_repeat, 3);
    }
}
