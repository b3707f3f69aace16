//! A compiled word list: entries (terms with their language and how they may match),
//! the patterns an automaton finds in skeletons, and clean words that hide matches.

use std::borrow::Cow;

use zerocopy::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::automaton::Automaton;
use crate::term::Anchor;
use crate::text::Script;

/// Index of an entry in its lexicon, in the order the builder was given them.
pub type EntryId = u32;

/// Index of a language in its lexicon.
pub type LanguageId = u8;

/// The language of a builder's own terms (an operator's list): matched as written.
pub const OPERATOR: LanguageId = 0;

/// A compiled word list. Built by `LexiconBuilder`; stored and loaded by `store`.
pub struct Lexicon {
    pub(crate) automaton: Option<Automaton>,
    /// These tables are borrowed from the stored bytes of a built-in lexicon.
    pub(crate) patterns: Cow<'static, [Pattern]>,
    pub(crate) pattern_runs: Cow<'static, [PatternRun]>,
    /// The patterns of each automaton text: `text_patterns[text_starts[t]..text_starts[t + 1]]`.
    pub(crate) text_patterns: Cow<'static, [U32]>,
    pub(crate) text_starts: Cow<'static, [U32]>,
    pub(crate) entries: Cow<'static, [EntryRules]>,
    pub(crate) languages: Vec<LanguageRules>,
    /// Word endings, as skeleton text: each language's inflections, and the endings
    /// that replace a stem's last letters.
    pub(crate) suffix_sets: Vec<Vec<String>>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("entries", &self.entries.len())
            .field("patterns", &self.patterns.len())
            .finish_non_exhaustive()
    }
}

/// No suffix set.
pub(crate) const NONE: u16 = u16::MAX;
/// The entry of an allowlist pattern.
pub(crate) const ALLOW: u32 = u32::MAX;

/// One spelling an automaton looks for. Stored as it lies in memory, so that the
/// built-in lexicon's patterns are read in place rather than decoded at start.
#[derive(Clone, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub(crate) struct Pattern {
    /// The entry it stands for, or `ALLOW`.
    entry: U32,
    first_run: U32,
    runs: U16,
    /// `ANCHORS` index.
    anchor: u8,
    /// A derived spelling (variant, vowel-less): an ordinary word typed that way is
    /// not a match.
    derived: u8,
    /// For a stem (`rap` of `rape`), the endings that must follow it (`ing`, `ed`),
    /// else `NONE`.
    stem_endings: U16,
}

/// The anchors in the order `Pattern::anchor` numbers them.
const ANCHORS: [Anchor; 4] = [
    Anchor::Word,
    Anchor::Prefix,
    Anchor::Suffix,
    Anchor::Anywhere,
];

impl Pattern {
    pub fn new(
        entry: u32,
        first_run: u32,
        runs: u16,
        anchor: Anchor,
        stem_endings: u16,
        derived: bool,
    ) -> Pattern {
        Pattern {
            entry: entry.into(),
            first_run: first_run.into(),
            runs: runs.into(),
            anchor: ANCHORS.iter().position(|a| *a == anchor).unwrap_or(0) as u8,
            derived: u8::from(derived),
            stem_endings: stem_endings.into(),
        }
    }
    pub fn entry(&self) -> u32 {
        self.entry.get()
    }
    pub fn first_run(&self) -> u32 {
        self.first_run.get()
    }
    /// How many runs (letters) it has.
    pub fn runs(&self) -> u16 {
        self.runs.get()
    }
    pub fn anchor(&self) -> Anchor {
        ANCHORS
            .get(usize::from(self.anchor))
            .copied()
            .unwrap_or(Anchor::Word)
    }
    /// Whether its stored anchor is one of `ANCHORS` (checked on loading other bytes).
    pub fn anchor_is_known(&self) -> bool {
        usize::from(self.anchor) < ANCHORS.len()
    }
    pub fn derived(&self) -> bool {
        self.derived != 0
    }
    pub fn stem_endings(&self) -> u16 {
        self.stem_endings.get()
    }
}

/// What one run of a pattern requires of the message's run.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
pub(crate) struct PatternRun {
    /// How often the letter is written in the term.
    pub count: u8,
    /// The digit it must have been written as (`@digits literal`), or 0.
    pub origin: u8,
    pub bits: u8,
}

/// `PatternRun::bits`.
pub(crate) mod bits {
    /// A word boundary may stand before this run (the term has a space there).
    pub const SPACE_BEFORE: u8 = 1;
    /// The letter must carry a diacritic (`@diacritics exact`).
    pub const MARKED: u8 = 2;
    /// Whether the letter carries a diacritic must be as in the term.
    pub const CHECK_MARK: u8 = 4;
    /// The letter repeats as written, or three times or more (clean words of the
    /// allowlist: `cazo` does not hide `cazzo`).
    pub const EXACT_COUNT: u8 = 8;
}

/// How an entry may match, beyond its patterns. Stored as it lies in memory.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
pub(crate) struct EntryRules {
    pub language: LanguageId,
    pub flags: u8,
    /// Languages in which the entry is an ordinary word (bit per language).
    pub ordinary_in: U64,
}

/// `EntryRules::flags`.
pub(crate) mod entry_flags {
    pub const LEET_ONLY: u8 = 1;
    pub const NEEDS_CONTEXT: u8 = 2;
    /// The entry takes no endings of its language.
    pub const NO_FORMS: u8 = 4;
}

/// What a language's entries share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LanguageRules {
    pub code: String,
    /// The endings its words take (`s`, `ed`, `ing`), or `NONE`.
    pub suffixes: u16,
    /// Whether a whole-word entry also matches inside a compound whose other part is
    /// an ordinary word (languages with a vocabulary).
    pub compounds: bool,
    /// The script whose letters alone show a message is in this language (Thai,
    /// Korean, Japanese, Chinese), if any.
    pub script: Option<Script>,
}

impl Lexicon {
    /// Whether the list has no entries (allowlist aside).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The code of an entry's language.
    pub fn language_of(&self, entry: EntryId) -> &str {
        &self.languages[usize::from(self.entries[entry as usize].language)].code
    }

    pub(crate) fn runs_of(&self, p: &Pattern) -> &[PatternRun] {
        let start = p.first_run() as usize;
        &self.pattern_runs[start..start + usize::from(p.runs())]
    }
}
