//! A lexicon as bytes and back: the built-in lexicon is compiled when the crate is
//! built, and at start it is read where it lies in the binary, not compiled or copied.

use std::borrow::Cow;

use daachorse::DoubleArrayAhoCorasick;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::automaton::{Automaton, InPlace};
use crate::lexicon::{LanguageRules, Lexicon};
use crate::text::Script;

const MAGIC: &[u8; 4] = b"LEX1";

/// Bytes that are not a stored lexicon of this version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a stored lexicon: {0}")]
pub struct StoreError(&'static str);

const SCRIPTS: [Script; 8] = [
    Script::Latin,
    Script::Cyrillic,
    Script::Arabic,
    Script::Hebrew,
    Script::Devanagari,
    Script::Thai,
    Script::Hangul,
    Script::Cjk,
];

impl Lexicon {
    /// The lexicon as bytes, for `from_bytes`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        let mut put = Writer(&mut out);
        put.table(&self.patterns);
        put.table(&self.pattern_runs);
        put.table(&self.text_patterns);
        put.table(&self.text_starts);
        put.table(&self.entries);
        put.u32(self.languages.len() as u32);
        for l in &self.languages {
            put.str(&l.code);
            put.u16(l.suffixes);
            put.u8(u8::from(l.compounds));
            put.u8(l
                .script
                .and_then(|s| SCRIPTS.iter().position(|x| *x == s))
                .map_or(0, |i| i as u8 + 1));
        }
        put.u32(self.suffix_sets.len() as u32);
        for set in &self.suffix_sets {
            put.u32(set.len() as u32);
            for s in set {
                put.str(s);
            }
        }
        let automaton = self
            .automaton
            .as_ref()
            .map(Automaton::serialize)
            .unwrap_or_default();
        put.u32(automaton.len() as u32);
        out.extend_from_slice(&automaton);
        out
    }

    /// A lexicon stored by `to_bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Lexicon, StoreError> {
        let lexicon = Self::read(
            bytes,
            |_| None,
            |bytes| {
                DoubleArrayAhoCorasick::deserialize(bytes)
                    .map(|(automaton, _)| Automaton::Built(automaton))
                    .map_err(|_| StoreError("automaton"))
            },
        )?;
        lexicon.validate()?;
        Ok(lexicon)
    }

    /// The lexicon that a build script stored with `to_bytes` and the binary embeds,
    /// read where it lies: nothing is copied but the per-language tables, and nothing
    /// is checked but the layout, which keeps a cold start short. Other bytes may make
    /// matching miss, panic on an index out of range, or not end: read those with
    /// `from_bytes`, and check embedded bytes with it in a test.
    pub fn from_static_bytes(bytes: &'static [u8]) -> Result<Lexicon, StoreError> {
        Self::read(bytes, Some, |bytes| {
            InPlace::read(bytes)
                .map(Automaton::InPlace)
                .ok_or(StoreError("automaton"))
        })
    }

    /// Reads the stored parts; `in_place` gives the bytes of a table back as static
    /// bytes when they may be borrowed rather than copied, and `automaton` loads the
    /// automaton.
    fn read<'a>(
        bytes: &'a [u8],
        in_place: impl Fn(&'a [u8]) -> Option<&'static [u8]>,
        automaton: impl FnOnce(&'a [u8]) -> Result<Automaton, StoreError>,
    ) -> Result<Lexicon, StoreError> {
        let mut r = Reader(bytes.strip_prefix(MAGIC).ok_or(StoreError("wrong magic"))?);
        let patterns = r.table(&in_place)?;
        let pattern_runs = r.table(&in_place)?;
        let text_patterns = r.table(&in_place)?;
        let text_starts = r.table(&in_place)?;
        let entries = r.table(&in_place)?;
        let n = r.len(5)?;
        let mut languages = Vec::with_capacity(n);
        for _ in 0..n {
            languages.push(LanguageRules {
                code: r.str()?,
                suffixes: r.u16()?,
                compounds: r.u8()? != 0,
                script: match r.u8()? {
                    0 => None,
                    i => Some(
                        *SCRIPTS
                            .get(usize::from(i - 1))
                            .ok_or(StoreError("script"))?,
                    ),
                },
            });
        }
        let n = r.len(4)?;
        let mut suffix_sets = Vec::with_capacity(n);
        for _ in 0..n {
            let m = r.len(1)?;
            suffix_sets.push((0..m).map(|_| r.str()).collect::<Result<_, _>>()?);
        }
        let len = r.u32()? as usize;
        let automaton = match len {
            0 => None,
            _ => Some(automaton(r.take(len)?)?),
        };
        let lexicon = Lexicon {
            automaton,
            patterns,
            pattern_runs,
            text_patterns,
            text_starts,
            entries,
            languages,
            suffix_sets,
        };
        Ok(lexicon)
    }

    /// Every index in range, so that lookups never panic on stored data.
    fn validate(&self) -> Result<(), StoreError> {
        let runs_ok = self.patterns.iter().all(|p| {
            (p.first_run() as usize + usize::from(p.runs())) <= self.pattern_runs.len()
                && (p.entry() == crate::lexicon::ALLOW || (p.entry() as usize) < self.entries.len())
                && (p.stem_endings() == crate::lexicon::NONE
                    || usize::from(p.stem_endings()) < self.suffix_sets.len())
                && p.anchor_is_known()
        });
        let texts_ok = self
            .text_starts
            .windows(2)
            .all(|w| w[0].get() <= w[1].get())
            && self
                .text_starts
                .last()
                .is_none_or(|l| l.get() as usize == self.text_patterns.len())
            && self
                .text_patterns
                .iter()
                .all(|p| (p.get() as usize) < self.patterns.len());
        let entries_ok = self
            .entries
            .iter()
            .all(|e| usize::from(e.language) < self.languages.len());
        let languages_ok = self.languages.iter().all(|l| {
            l.suffixes == crate::lexicon::NONE || usize::from(l.suffixes) < self.suffix_sets.len()
        });
        if runs_ok && texts_ok && entries_ok && languages_ok {
            Ok(())
        } else {
            Err(StoreError("an index out of range"))
        }
    }
}

struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A count and the items as they lie in memory.
    fn table<T: IntoBytes + Immutable>(&mut self, items: &[T]) {
        self.u32(items.len() as u32);
        self.0.extend_from_slice(items.as_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
}

fn le_u16(b: &[u8]) -> u16 {
    u16::from_le_bytes(b.try_into().expect("two bytes"))
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes(b.try_into().expect("four bytes"))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.0.len() < n {
            return Err(StoreError("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, StoreError> {
        self.take(2).map(le_u16)
    }
    fn u32(&mut self) -> Result<u32, StoreError> {
        self.take(4).map(le_u32)
    }
    /// A count of items of at least `min_size` bytes each, checked against what is left.
    fn len(&mut self, min_size: usize) -> Result<usize, StoreError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.0.len() {
            return Err(StoreError("a count larger than the data"));
        }
        Ok(n)
    }
    /// A table written by `Writer::table`: borrowed when `in_place` allows, else copied.
    fn table<T>(
        &mut self,
        in_place: impl Fn(&'a [u8]) -> Option<&'static [u8]>,
    ) -> Result<Cow<'static, [T]>, StoreError>
    where
        T: FromBytes + KnownLayout + Immutable + Unaligned + Clone,
    {
        let n = self.len(size_of::<T>())?;
        let bytes = self.take(n * size_of::<T>())?;
        let bad = |_| StoreError("a table");
        Ok(match in_place(bytes) {
            Some(bytes) => Cow::Borrowed(<[T]>::ref_from_bytes(bytes).map_err(bad)?),
            None => Cow::Owned(<[T]>::ref_from_bytes(bytes).map_err(bad)?.to_vec()),
        })
    }
    fn str(&mut self) -> Result<String, StoreError> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| StoreError("text"))
    }
}
