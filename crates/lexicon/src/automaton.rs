//! The Aho-Corasick automaton that finds a lexicon's pattern texts in a skeleton. A
//! lexicon compiled at run time holds daachorse's automaton; the built-in lexicon reads
//! the bytes daachorse serialised it to where they lie, because copying a megabyte of
//! states out of the binary was half of a cold start's page faults.

use daachorse::DoubleArrayAhoCorasick;
use zerocopy::little_endian::U32;
use zerocopy::{FromBytes, Immutable, KnownLayout, Unaligned};

pub(crate) enum Automaton {
    Built(DoubleArrayAhoCorasick<u32>),
    InPlace(InPlace),
}

impl Automaton {
    /// Calls `found(start, end, value)` for every occurrence of every pattern text,
    /// overlapping ones included, in daachorse's order (by end, longest first).
    pub fn for_each_match(&self, haystack: &[u8], mut found: impl FnMut(usize, usize, u32)) {
        match self {
            Automaton::Built(a) => a
                .find_overlapping_iter(haystack)
                .for_each(|m| found(m.start(), m.end(), m.value())),
            Automaton::InPlace(a) => a.for_each_match(haystack, found),
        }
    }

    /// daachorse's serialisation, which `InPlace::read` reads.
    pub fn serialize(&self) -> Vec<u8> {
        match self {
            Automaton::Built(a) => a.serialize(),
            Automaton::InPlace(a) => a.bytes.to_vec(),
        }
    }
}

/// A standard-match automaton of daachorse 5 (`bytewise`), read in its serialised form:
/// a double array whose child of state `s` by byte `c` is `s.base ^ c` when that state's
/// check byte is `c`, failure links, and output chains.
pub(crate) struct InPlace {
    states: &'static [State],
    outputs: &'static [Output],
    bytes: &'static [u8],
}

#[derive(FromBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct State {
    /// The base of its children's indexes; 0 when it has none.
    base: U32,
    fail: U32,
    /// The position of its first output, plus one (0: none), above its check byte.
    output_check: U32,
}

#[derive(FromBytes, Immutable, KnownLayout, Unaligned)]
#[repr(C)]
struct Output {
    value: U32,
    length: U32,
    /// The next output of the same state, plus one (0: none).
    parent: U32,
}

const ROOT: u32 = 0;
/// `daachorse::MatchKind::Standard` as serialised.
const STANDARD: u8 = 0;

impl InPlace {
    /// The automaton in `bytes` (daachorse's `serialize`), or None when they are not a
    /// standard-match automaton in the layout this reads.
    pub fn read(bytes: &'static [u8]) -> Option<InPlace> {
        let (states, rest) = table::<State>(bytes)?;
        let (leftmost_states, rest) = rest.split_first_chunk::<4>()?;
        if u32::from_le_bytes(*leftmost_states) != 0 {
            return None;
        }
        let (fails, rest) = rest.split_first_chunk::<4>()?;
        let rest = rest.get(u32::from_le_bytes(*fails) as usize * 4..)?;
        let (outputs, rest) = table::<Output>(rest)?;
        (rest.first() == Some(&STANDARD)).then_some(InPlace {
            states,
            outputs,
            bytes,
        })
    }

    fn for_each_match(&self, haystack: &[u8], mut found: impl FnMut(usize, usize, u32)) {
        let mut state = ROOT;
        for (i, &c) in haystack.iter().enumerate() {
            state = self.next(state, c);
            let mut output = self
                .states
                .get(state as usize)
                .map_or(0, |s| s.output_check.get() >> 8);
            while let Some(out) = output
                .checked_sub(1)
                .and_then(|at| self.outputs.get(at as usize))
            {
                let end = i + 1;
                found(
                    end.saturating_sub(out.length.get() as usize),
                    end,
                    out.value.get(),
                );
                output = out.parent.get();
            }
        }
    }

    /// The state after `state` reads `c`, through failure links when it has no such child.
    fn next(&self, mut state: u32, c: u8) -> u32 {
        loop {
            let Some(s) = self.states.get(state as usize) else {
                return ROOT;
            };
            let base = s.base.get();
            if base != 0 {
                let child = base ^ u32::from(c);
                if self
                    .states
                    .get(child as usize)
                    .is_some_and(|t| t.output_check.get() as u8 == c)
                {
                    return child;
                }
            }
            if state == ROOT {
                return ROOT;
            }
            state = s.fail.get();
        }
    }
}

/// A count and that many `T`, and the bytes after them.
fn table<T: FromBytes + Immutable + KnownLayout + Unaligned>(
    bytes: &'static [u8],
) -> Option<(&'static [T], &'static [u8])> {
    let (n, rest) = bytes.split_first_chunk::<4>()?;
    <[T]>::ref_from_prefix_with_elems(rest, u32::from_le_bytes(*n) as usize).ok()
}

#[cfg(test)]
mod tests {
    use daachorse::{DoubleArrayAhoCorasickBuilder, MatchKind};

    use super::*;

    fn leaked(bytes: Vec<u8>) -> &'static [u8] {
        Box::leak(bytes.into_boxed_slice())
    }

    #[test]
    fn in_place_finds_what_daachorse_finds() {
        let patterns = [
            "he", "she", "his", "hers", "a", "aa", "aaa", "рік", "рі", "ばか", "か", "fuck", "uck",
            "ck",
        ];
        let built = DoubleArrayAhoCorasickBuilder::new()
            .build_with_values(patterns.iter().zip(0u32..))
            .unwrap();
        let in_place = InPlace::read(leaked(built.serialize())).expect("daachorse's layout");
        for text in [
            "ushers",
            "aaaa she his",
            "цей рік, ばかばか",
            "fuuuck fuck uck",
            "",
            "zzz",
        ] {
            let expected: Vec<(usize, usize, u32)> = built
                .find_overlapping_iter(text)
                .map(|m| (m.start(), m.end(), m.value()))
                .collect();
            let mut got = Vec::new();
            in_place.for_each_match(text.as_bytes(), |s, e, v| got.push((s, e, v)));
            assert_eq!(got, expected, "{text:?}");
        }
        let mut found = 0;
        in_place.for_each_match(b"ushers", |_, _, _| found += 1);
        assert_eq!(found, 3, "she, he, hers");
    }

    #[test]
    fn other_bytes_are_refused() {
        let built: DoubleArrayAhoCorasick<u32> = DoubleArrayAhoCorasickBuilder::new()
            .build(["abc", "bcd"])
            .unwrap();
        let bytes = built.serialize();
        assert!(
            InPlace::read(leaked(bytes[..20].to_vec())).is_none(),
            "states cut short"
        );
        assert!(InPlace::read(leaked(Vec::new())).is_none());
        let leftmost: DoubleArrayAhoCorasick<u32> = DoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(["abc", "bcd"])
            .unwrap();
        assert!(InPlace::read(leaked(leftmost.serialize())).is_none());
    }
}
