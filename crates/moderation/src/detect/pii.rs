//! Personal data: e-mail addresses, phone numbers, and payment card numbers that pass
//! the Luhn check.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use serde::Deserialize;

use super::Finding;

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum PiiType {
    Email,
    Phone,
    Card,
}

/// E-mail addresses. Built on first use: most messages have no `@`, and a cold start
/// should not pay for a pattern it may never run.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i-u)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}\b",
    )
    .expect("the e-mail pattern is valid")
});

/// Digit groups with the separators people type in numbers (`+1 (555) 123-4567`):
/// an optional `+` or `(`, at least two digits joined by at most two of ` .()-` each,
/// and an optional closing `)`. How many digits make a phone or card number is
/// decided in `classify_number`. Scanned by hand: as a regex, it cost 2% of a review.
fn number_spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let is_separator = |b: &u8| matches!(b, b' ' | b'.' | b'(' | b')' | b'-');
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at;
            at += 1;
            let first = if matches!(bytes[start], b'+' | b'(') {
                start + 1
            } else {
                start
            };
            if !digit_at(first) {
                continue;
            }
            let mut end = first + 1;
            loop {
                let separators = bytes[end..]
                    .iter()
                    .take(3)
                    .take_while(|b| is_separator(b))
                    .count();
                if separators > 2 || !digit_at(end + separators) {
                    break;
                }
                end += separators + 1;
            }
            if end > first + 1 {
                if bytes.get(end) == Some(&b')') {
                    end += 1;
                }
                at = end;
                return Some(start..end);
            }
        }
        None
    })
}

/// Personal data of the wanted types, in order of position; the detail names the type.
pub(crate) fn find(text: &str, types: &[PiiType]) -> Vec<Finding> {
    locate(text, types)
        .into_iter()
        .map(|(span, kind)| Finding::span(span, <&str>::from(kind).to_owned()))
        .collect()
}

/// Where personal data of the wanted types is, and of which type.
fn locate(text: &str, types: &[PiiType]) -> Vec<(Range<usize>, PiiType)> {
    let mut found = Vec::new();
    if types.contains(&PiiType::Email) && text.contains('@') {
        found.extend(EMAIL.find_iter(text).map(|m| (m.range(), PiiType::Email)));
    }
    let wants_numbers = types.contains(&PiiType::Phone) || types.contains(&PiiType::Card);
    // Phone numbers have at least 9 digits, cards 13: most messages have fewer.
    if wants_numbers && text.bytes().filter(u8::is_ascii_digit).count() >= 9 {
        for span in number_spans(text) {
            if !stands_alone(text, span.clone()) {
                continue;
            }
            match classify_number(&text[span.clone()]) {
                Some(kind) if types.contains(&kind) => found.push((span, kind)),
                Some(_) => {}
                // Too many digits for one number: card numbers written one after the
                // other (`4539 1488 0343 6467 4111 1111 1111 1111`).
                None if types.contains(&PiiType::Card) => {
                    found.extend(cards_within(text, span).map(|card| (card, PiiType::Card)))
                }
                None => {}
            }
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    found
}

/// Card numbers inside a run of digit groups: from each group, the shortest run of
/// whole groups that makes a card number.
fn cards_within(text: &str, span: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let groups: Vec<Range<usize>> = {
        let mut groups = Vec::new();
        let mut start = None;
        for (i, b) in text[span.clone()].bytes().enumerate() {
            let at = span.start + i;
            match (b.is_ascii_digit(), start) {
                (true, None) => start = Some(at),
                (false, Some(s)) => {
                    groups.push(s..at);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            groups.push(s..span.end);
        }
        groups
    };
    let mut first = 0;
    std::iter::from_fn(move || {
        while first < groups.len() {
            let start = first;
            first += 1;
            for last in start..groups.len() {
                let card = groups[start].start..groups[last].end;
                if classify_number(&text[card.clone()]) == Some(PiiType::Card) {
                    first = last + 1;
                    return Some(card);
                }
            }
        }
        None
    })
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
fn luhn(digits: &[u8]) -> bool {
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
    use itertools::Itertools;

    const ALL: [PiiType; 3] = [PiiType::Email, PiiType::Phone, PiiType::Card];

    fn kinds(text: &str) -> Vec<(&str, PiiType)> {
        locate(text, &ALL)
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
    fn number_scan_agrees_with_its_regex() {
        let regex = Regex::new(r"[+(]?[0-9](?:[ .()\-]{0,2}[0-9])+\)?").unwrap();
        // Every string of up to 6 of these characters: separators, runs of them,
        // brackets and signs around digits, and a letter.
        let alphabet = ['1', '2', ' ', '.', '(', ')', '-', '+', 'x', 'é'];
        let texts = (1..=6).flat_map(|len| {
            std::iter::repeat_n(alphabet, len)
                .multi_cartesian_product()
                .map(String::from_iter)
        });
        for text in texts {
            let text = text.as_str();
            let expected: Vec<_> = regex.find_iter(text).map(|m| m.range()).collect();
            assert_eq!(number_spans(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    #[test]
    fn card_numbers_one_after_the_other() {
        assert_eq!(
            kinds("4539 1488 0343 6467 4111 1111 1111 1111"),
            [
                ("4539 1488 0343 6467", PiiType::Card),
                ("4111 1111 1111 1111", PiiType::Card)
            ]
        );
    }

    #[test]
    fn types_filter() {
        let found = find("a@b.co 4539148803436467", &[PiiType::Card]);
        let found: Vec<(Range<usize>, &str)> = found
            .iter()
            .map(|f| (f.span.clone(), f.detail.as_str()))
            .collect();
        assert_eq!(found, [(7..23, "card")]);
    }
}
