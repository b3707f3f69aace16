//! Personal data: e-mail addresses, phone numbers, and payment card numbers that pass
//! the Luhn check.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::policy::PiiType;

/// E-mail addresses. Built on first use, like `DIGITS`: most messages have no `@` and
/// few digits, and a cold start should not pay for patterns it may never run.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i-u)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}\b",
    )
    .expect("the e-mail pattern is valid")
});

/// Digit groups with the separators people type in numbers; how many digits make a
/// phone or card number is decided in `classify_number`. ASCII digits and no counted
/// repetition keep this cheap to compile.
static DIGITS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[+(]?[0-9](?:[ .()\-]{0,2}[0-9])+\)?").expect("the digits pattern is valid")
});

/// Personal data of the wanted types, in order of position.
pub fn find(text: &str, types: &[PiiType]) -> Vec<(Range<usize>, PiiType)> {
    let mut found = Vec::new();
    if types.contains(&PiiType::Email) && text.contains('@') {
        found.extend(EMAIL.find_iter(text).map(|m| (m.range(), PiiType::Email)));
    }
    let wants_numbers = types.contains(&PiiType::Phone) || types.contains(&PiiType::Card);
    // Phone numbers have at least 9 digits, cards 13: most messages have fewer.
    if wants_numbers && text.bytes().filter(u8::is_ascii_digit).count() >= 9 {
        for m in DIGITS.find_iter(text) {
            if !stands_alone(text, m.range()) {
                continue;
            }
            if let Some(kind) = classify_number(m.as_str()).filter(|k| types.contains(k)) {
                found.push((m.range(), kind));
            }
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    found
}

/// A number glued to letters or other digits (`abc123456789`) is an identifier.
fn stands_alone(text: &str, span: Range<usize>) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

fn classify_number(number: &str) -> Option<PiiType> {
    let digits: Vec<u8> = number
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    let card_separators = number
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-');
    if (13..=19).contains(&digits.len()) && card_separators && luhn(&digits) {
        Some(PiiType::Card)
    } else if (9..=15).contains(&digits.len()) {
        Some(PiiType::Phone)
    } else {
        None
    }
}

/// The Luhn checksum of payment card numbers.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [PiiType; 3] = [PiiType::Email, PiiType::Phone, PiiType::Card];

    fn kinds(text: &str) -> Vec<(&str, PiiType)> {
        find(text, &ALL)
            .into_iter()
            .map(|(r, k)| (&text[r], k))
            .collect()
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn(&[4, 5, 3, 9, 1, 4, 8, 8, 0, 3, 4, 3, 6, 4, 6, 7]));
        assert!(!luhn(&[4, 5, 3, 9, 1, 4, 8, 8, 0, 3, 4, 3, 6, 4, 6, 8]));
    }

    #[test]
    fn finds_each_type() {
        assert_eq!(
            kinds("mail me: Bob.Smith+x@mail.example.org"),
            [("Bob.Smith+x@mail.example.org", PiiType::Email)]
        );
        assert_eq!(
            kinds("call +1 (555) 123-4567 now"),
            [("+1 (555) 123-4567", PiiType::Phone)]
        );
        assert_eq!(
            kinds("card 4539 1488 0343 6467"),
            [("4539 1488 0343 6467", PiiType::Card)]
        );
    }

    #[test]
    fn ignores_short_numbers_ids_and_failed_luhn_cards() {
        assert!(kinds("scored 1500 points in 2024, room 12-34").is_empty());
        assert!(kinds("order abc1234567890").is_empty());
        // 16 digits failing Luhn: neither a card nor a phone number.
        assert!(kinds("4539 1488 0343 6468").is_empty());
    }

    #[test]
    fn types_filter() {
        let found = find("a@b.co 4539148803436467", &[PiiType::Card]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, PiiType::Card);
    }
}
