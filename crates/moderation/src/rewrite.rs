//! Applies every rewrite of a message in one pass over non-overlapping spans.

use std::ops::Range;

/// One change to the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Edit<'a> {
    /// Replace the one character at this byte range with the mask character.
    Mask(Range<usize>),
    /// Replace this byte range with a text.
    Replace(Range<usize>, &'a str),
}

/// Applies `edits` to `text`. Where a replacement overlaps another, their union is
/// replaced by the first one's text; a masked character inside a replaced span goes
/// with it. Everything outside the edits is copied byte for byte.
pub(crate) fn apply(text: &str, edits: &[Edit<'_>], mask: char) -> String {
    let mut replaces: Vec<(Range<usize>, &str)> = edits
        .iter()
        .filter_map(|e| match e {
            Edit::Replace(r, with) => Some((r.clone(), *with)),
            Edit::Mask(_) => None,
        })
        .collect();
    replaces.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<(Range<usize>, &str)> = Vec::with_capacity(replaces.len());
    for (r, with) in replaces {
        match merged.last_mut() {
            Some((last, _)) if r.start < last.end => last.end = last.end.max(r.end),
            _ => merged.push((r, with)),
        }
    }

    // Sized up front: masks come one per character, and growing the vector step by
    // step reallocated it several times per message.
    let mut masks: Vec<Range<usize>> = Vec::with_capacity(edits.len());
    masks.extend(
        edits
            .iter()
            .filter_map(|e| match e {
                Edit::Mask(r) => Some(r.clone()),
                Edit::Replace(..) => None,
            })
            .filter(|m| {
                !merged
                    .iter()
                    .any(|(r, _)| m.start < r.end && r.start < m.end)
            }),
    );
    masks.sort_by_key(|r| r.start);
    masks.dedup();

    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut replaces = merged.into_iter().peekable();
    let mut masks = masks.into_iter().peekable();
    loop {
        let next_replace = replaces.peek().map(|(r, _)| r.start);
        let next_mask = masks.peek().map(|r| r.start);
        let take_replace = match (next_replace, next_mask) {
            (None, None) => break,
            (Some(r), Some(m)) => r <= m,
            (Some(_), None) => true,
            (None, Some(_)) => false,
        };
        if take_replace {
            let (range, with) = replaces.next().expect("peeked");
            out.push_str(&text[pos..range.start]);
            out.push_str(with);
            pos = range.end;
        } else {
            let range = masks.next().expect("peeked");
            if range.start >= pos {
                out.push_str(&text[pos..range.start]);
                out.push(mask);
                pos = range.end;
            }
        }
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_exactly_the_given_characters() {
        let text = "日本 f.u.c.k 🙂";
        let edits: Vec<Edit> = ["f", "u", "c", "k"]
            .iter()
            .map(|c| {
                let i = text.find(c).unwrap();
                Edit::Mask(i..i + 1)
            })
            .collect();
        assert_eq!(apply(text, &edits, '*'), "日本 *.*.*.* 🙂");
    }

    #[test]
    fn overlapping_replacements_merge_and_swallow_masks() {
        let text = "0123456789";
        let edits = [
            Edit::Replace(2..5, "[a]"),
            Edit::Replace(4..7, "[b]"),
            Edit::Mask(5..6),
            Edit::Mask(8..9),
            Edit::Mask(8..9),
        ];
        assert_eq!(apply(text, &edits, '#'), "01[a]7#9");
    }
}
