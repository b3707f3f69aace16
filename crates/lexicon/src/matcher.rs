//! Finding a lexicon's entries in a skeleton.
//!
//! The automaton proposes every place a pattern's letters occur; each proposal is then
//! held to the rest of the pattern: repeat counts (at least as written), the digits and accents the term requires, word boundaries (with word
//! forms, compounds and words split by spaces), and ordinary words: a match that is not
//! a whole word by itself is dropped when the word it sits in is an ordinary word.
//! Entries that are ordinary words in other languages match only where the message
//! does not read as those languages.

use std::ops::Range;

use crate::lexicon::{bits, entry_flags, EntryId, Lexicon, Pattern, ALLOW, NONE, OPERATOR};
use crate::term::Anchor;
use crate::text::script_of;
use crate::text::{flags, Gap, Skeleton, MASK};
use crate::vocabulary::{Vocabulary, VOCABULARY};

/// One accepted match: the entry and the skeleton runs it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub entry: EntryId,
    pub runs: Range<usize>,
}

/// Most words a split match may span (`f uc k`).
const MAX_SPLIT_PIECES: usize = 3;

/// A proposal that passed its own checks; compounds still need their parts checked.
struct Candidate {
    entry: u32,
    runs: Range<usize>,
    /// For a match inside a longer word: the rest of the word before and after it,
    /// which must be ordinary words or other entries.
    compound: Option<(Range<usize>, Range<usize>)>,
}

impl Lexicon {
    /// Every entry in `sk`, in order of position. `vocabulary` knows ordinary words and
    /// their languages; without it, nothing is checked against ordinary words.
    pub fn find(&self, sk: &Skeleton, vocabulary: Option<&Vocabulary>) -> Vec<Hit> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut candidates = Vec::new();
        let mut allowed: Vec<Range<usize>> = Vec::new();
        automaton.for_each_match(sk.text.as_bytes(), |start, end, text| {
            let runs = sk.runs_of(start..end);
            let t = text as usize;
            let (first, last) = (self.text_starts[t].get(), self.text_starts[t + 1].get());
            for p in &self.text_patterns[first as usize..last as usize] {
                let pattern = &self.patterns[p.get() as usize];
                let Some(candidate) = self.check(pattern, runs.clone(), sk, vocabulary) else {
                    continue;
                };
                if pattern.entry() == ALLOW {
                    allowed.push(candidate.runs);
                } else {
                    candidates.push(candidate);
                }
            }
        });
        if candidates.is_empty() {
            return Vec::new();
        }
        let mut evidence = None;
        let mut hits: Vec<Hit> = Vec::new();
        for c in &candidates {
            if let Some((before, after)) = &c.compound {
                // The other part is an entry, or a word of the entry's language: the
                // compounds of a three-letter entry need a part of four letters or
                // more (`cumdumpster`, but not the Norwegian `kysten`).
                let entry_letters = c.runs.len();
                let words = 1u64 << self.entries[c.entry as usize].language | VOCABULARY;
                let part_ok = |part: &Range<usize>| {
                    part.is_empty()
                        || candidates
                            .iter()
                            .any(|o| o.runs == *part && o.compound.is_none())
                        || vocabulary.is_some_and(|v| {
                            let spelling = sk.spelling(part.clone());
                            let letters = spelling.chars().count();
                            letters >= 3
                                && (entry_letters >= 4 || letters >= 4)
                                && v.contains_form(&spelling, self.suffixes_of(c.entry), words)
                        })
                };
                // A word that is an entry of its own is read as that entry, not as a
                // compound of another (`bastard` is not `bas` + `tard`).
                let word = before.start..after.end;
                let own_entry = candidates.iter().any(|o| {
                    o.compound.is_none() && o.runs.start <= word.start && word.end <= o.runs.end
                });
                if own_entry || !part_ok(before) || !part_ok(after) {
                    continue;
                }
            }
            let rules = &self.entries[c.entry as usize];
            if rules.flags & entry_flags::NEEDS_CONTEXT != 0 || rules.ordinary_in.get() != 0 {
                let words = evidence.get_or_insert_with(|| self.evidence(sk, vocabulary));
                if !self.reads_as_own_language(c.entry, &c.runs, words) {
                    continue;
                }
            }
            if allowed
                .iter()
                .any(|a| a.start <= c.runs.start && c.runs.end <= a.end)
            {
                continue;
            }
            // Another reading of the same characters (`@` as a, o, u) finds it again.
            let units = sk.unit_spans(c.runs.clone());
            let same = |h: &Hit| h.entry == c.entry && sk.unit_spans(h.runs.clone()) == units;
            if !hits.iter().any(same) {
                hits.push(Hit {
                    entry: c.entry,
                    runs: c.runs.clone(),
                });
            }
        }
        hits.sort_by_key(|h| (h.runs.start, h.runs.end));
        hits
    }

    /// The endings a compound part of this entry's language may carry.
    fn suffixes_of(&self, entry: u32) -> &[String] {
        let language = &self.languages[usize::from(self.entries[entry as usize].language)];
        match language.suffixes {
            NONE => &[],
            set => &self.suffix_sets[usize::from(set)],
        }
    }

    /// Holds a proposal at `runs` to pattern `p`.
    fn check(
        &self,
        p: &Pattern,
        runs: Range<usize>,
        sk: &Skeleton,
        vocabulary: Option<&Vocabulary>,
    ) -> Option<Candidate> {
        let wanted = self.runs_of(p);
        let found = &sk.runs[runs.clone()];
        let mut split = false;
        let mut substituted = false;
        let mut inflated = false;
        for (i, (w, f)) in wanted.iter().zip(found).enumerate() {
            if i > 0 {
                match f.gap {
                    Gap::Apart => return None,
                    Gap::Hard if w.bits & bits::SPACE_BEFORE == 0 => split = true,
                    _ => {}
                }
            }
            let (want, got) = (u16::from(w.count), f.count);
            if got < want {
                return None;
            }
            if w.bits & bits::EXACT_COUNT != 0 {
                // An allowed word is that word, or it drawn out (`shiiiitake`).
                if got != want && got < 3 {
                    return None;
                }
            } else if got > want {
                // More repeats than the term writes: an exaggeration (`fuuuck`) or
                // another word (`fann`, `kuusi`): the vocabulary decides below. A
                // stem's last letter stays as written (`rape`, not `rapping`).
                if p.stem_endings() != NONE && i + 1 == wanted.len() {
                    return None;
                }
                inflated = true;
            }
            if w.origin != 0 && f.origin != w.origin {
                return None;
            }
            if w.bits & bits::CHECK_MARK != 0
                && (w.bits & bits::MARKED != 0) != (f.flags & flags::MARKED != 0)
            {
                return None;
            }
            substituted |= f.flags & flags::SUBSTITUTED != 0;
        }
        if p.entry() != ALLOW {
            let rules = &self.entries[p.entry() as usize];
            if rules.flags & entry_flags::LEET_ONLY != 0 && !substituted {
                return None;
            }
        }

        let starts_word = sk.boundary_before(runs.start);
        let ends_word = sk.boundary_before(runs.end);
        let joined = joined_around(sk, runs.clone());
        let after = runs.end..joined.end;
        let before = joined.start..runs.start;
        let mut compound = None;
        let mut whole = starts_word && ends_word;
        // Whether the rest of the written word after the match is an ending.
        let ended;
        if p.stem_endings() != NONE {
            // A stem needs one of its endings, and the letter before it as written.
            let endings = &self.suffix_sets[usize::from(p.stem_endings())];
            if after.is_empty() || !endings.iter().any(|e| letters_are(sk, &after, e)) {
                return None;
            }
            if !starts_word && p.anchor() == Anchor::Word {
                return None;
            }
            whole = false;
            ended = true;
        } else {
            // An ending of the language after the match makes a word form (`fucking`);
            // one that begins with the match's last letter shares its run (`göt` +
            // `ten` is written `götten`).
            let with_ending = !ends_word
                && p.entry() != ALLOW
                && self.entries[p.entry() as usize].flags & entry_flags::NO_FORMS == 0
                && {
                    let endings = self.suffixes_of(p.entry());
                    let last = &sk.runs[runs.end - 1];
                    let shares_last = last.count > u16::from(wanted[wanted.len() - 1].count);
                    endings.iter().any(|e| {
                        letters_are(sk, &after, e)
                            || (shares_last
                                && e.strip_prefix(last.ch)
                                    .is_some_and(|rest| letters_are(sk, &after, rest)))
                    })
                };
            ended = with_ending;
            let after = if with_ending {
                runs.end..runs.end
            } else {
                after
            };
            match p.anchor() {
                Anchor::Anywhere => {}
                Anchor::Prefix if !starts_word => return None,
                Anchor::Prefix => {}
                Anchor::Suffix if !ends_word && !with_ending => return None,
                Anchor::Suffix => whole &= !with_ending,
                Anchor::Word if starts_word && (ends_word || with_ending) => whole &= !with_ending,
                Anchor::Word => compound = Some((before.clone(), after.clone())),
            }
        }
        if compound.is_some() {
            // Only an entry as written forms compounds: a derived spelling (`fak`,
            // `skt`) inside a longer word is too likely a word of another language.
            if p.entry() == ALLOW || p.runs() < 3 || p.derived() {
                return None;
            }
            let language = self.entries[p.entry() as usize].language;
            if !self.languages[usize::from(language)].compounds {
                return None;
            }
            whole = false;
        }
        if split {
            let end = if ended { joined.end } else { runs.end };
            if !self.split_is_one_word(p, sk, runs.clone(), end, vocabulary) {
                return None;
            }
            whole = false;
        }
        if p.entry() != ALLOW {
            let word = sk.word_around(runs.clone());
            let masked = sk.runs[word.clone()].iter().any(|r| r.origin == MASK);
            // In another reading of a word (`рік` read as Latin `pik`), the word as
            // usually read must not be an ordinary word. A masked word's usual reading
            // (`c*nt` as `cnt`) is no word as meant.
            if let (Some(v), false) = (vocabulary, masked) {
                if let Some(usual) = sk.usual_reading(runs.clone()) {
                    if sk.with_spelling(sk.word_around(usual), |s| v.contains(s)) {
                        return None;
                    }
                }
            }
            // Inside an ordinary word (`cockpit`, `A-mong`, `shiitake`) it is no match,
            // unless an operator's own term asks for it (`*apple*` in `pineapples`); nor
            // inside a word that a masked vowel makes ordinary (`c*ckpit`).
            let exact = whole && word == runs;
            let operators = self.entries[p.entry() as usize].language == OPERATOR;
            let as_asked = exact || (operators && p.anchor() != Anchor::Word);
            if (!as_asked || p.derived() || inflated)
                && vocabulary.is_some_and(|v| {
                    sk.with_spelling(word.clone(), |s| v.contains(s))
                        || (masked && masks_an_ordinary_word(sk, word, v))
                })
            {
                return None;
            }
        }
        Some(Candidate {
            entry: p.entry(),
            runs,
            compound,
        })
    }

    /// Whether a match across hard gaps, from `runs.start` to `end` (past the ending,
    /// if any), is one word split by spaces rather than words typed apart. It runs from
    /// the start of one word to the end of another, or to an ending (`bit ches`); a term
    /// that matches anywhere may also start or end inside a written word (`assf ucker`).
    fn split_is_one_word(
        &self,
        p: &Pattern,
        sk: &Skeleton,
        runs: Range<usize>,
        end: usize,
        vocabulary: Option<&Vocabulary>,
    ) -> bool {
        // An ending after a split is written as the language writes it (`bit ches`,
        // but not `bone. Redd` as `boner` + `ed`).
        if end > runs.end {
            let endings = match p.stem_endings() {
                NONE => self.suffixes_of(p.entry()),
                set => &self.suffix_sets[usize::from(set)],
            };
            if !endings.contains(&sk.spelling(runs.end..end)) {
                return false;
            }
        }
        let inside_first = sk.gap_before(runs.start) < Gap::Hard;
        let inside_last = sk.gap_before(end) < Gap::Hard;
        if (inside_first || inside_last) && p.anchor() != Anchor::Anywhere {
            return false;
        }
        let pieces = pieces(sk, sk.word_around(runs));
        if pieces.len() > MAX_SPLIT_PIECES {
            return false;
        }
        // A split leaves a fragment that is no word of the entry's language (`fu ck`,
        // `wh ore`; but `pen is`, `go ok`), and only fragments when the match starts or
        // ends inside a written word (`assf ucker`; but `Chris hit`).
        let Some(v) = vocabulary else {
            return true;
        };
        let words = match self.entries.get(p.entry() as usize) {
            Some(e) => 1u64 << e.language | VOCABULARY,
            None => u64::MAX,
        };
        let is_word =
            |piece: &Range<usize>| sk.with_spelling(piece.clone(), |s| v.languages(s)) & words != 0;
        if inside_first || inside_last {
            !pieces.iter().any(is_word)
        } else {
            !pieces.iter().all(is_word)
        }
    }

    /// For each word of the message (runs between hard boundaries), the languages
    /// whose ordinary words or script it belongs to.
    fn evidence(&self, sk: &Skeleton, vocabulary: Option<&Vocabulary>) -> Vec<(Range<usize>, u64)> {
        let mut words = Vec::new();
        let mut start = 0;
        for i in 1..=sk.runs.len() {
            if i == sk.runs.len() || sk.runs[i].gap >= Gap::Hard {
                let range = start..i;
                let mut languages = vocabulary
                    .map_or(0, |v| sk.with_spelling(range.clone(), |s| v.languages(s)))
                    & !VOCABULARY;
                for (bit, language) in self.languages.iter().enumerate() {
                    if let Some(script) = language.script {
                        if sk.runs[range.clone()]
                            .iter()
                            .any(|r| script_of(r.ch) == Some(script))
                        {
                            languages |= 1 << bit;
                        }
                    }
                }
                if sk.runs.get(i).is_some_and(|r| r.gap == Gap::Apart) {
                    words.push((range, languages));
                    break;
                }
                words.push((range, languages));
                start = i;
            }
        }
        words
    }

    /// Whether the message reads as the entry's own language at least as much as as any
    /// language the entry is an ordinary word in, leaving out the word it is in.
    fn reads_as_own_language(
        &self,
        entry: u32,
        runs: &Range<usize>,
        words: &[(Range<usize>, u64)],
    ) -> bool {
        let rules = &self.entries[entry as usize];
        let count = |bit: u8| {
            words
                .iter()
                .filter(|(w, languages)| {
                    (w.end <= runs.start || w.start >= runs.end) && languages & (1 << bit) != 0
                })
                .count()
        };
        let own = count(rules.language);
        let other = (0..64u8)
            .filter(|b| rules.ordinary_in.get() & (1 << b) != 0)
            .map(count)
            .max()
            .unwrap_or(0);
        if rules.flags & entry_flags::NEEDS_CONTEXT != 0 {
            own > 0 && own >= other
        } else {
            own >= other
        }
    }
}

/// Most masks in one word whose vowels are tried against the vocabulary.
const MAX_MASKS: usize = 3;

/// Whether some vowel in place of each mask in `word` spells an ordinary word.
fn masks_an_ordinary_word(sk: &Skeleton, word: Range<usize>, v: &Vocabulary) -> bool {
    const VOWELS: [char; 5] = ['a', 'e', 'i', 'o', 'u'];
    let runs = &sk.runs[word];
    let masks: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].origin == MASK)
        .take(MAX_MASKS)
        .collect();
    let combinations = VOWELS.len().pow(masks.len() as u32);
    let mut spelling = String::new();
    (0..combinations).any(|n| {
        spelling.clear();
        for (i, run) in runs.iter().enumerate() {
            let ch = match masks.iter().position(|&m| m == i) {
                Some(k) => VOWELS[n / VOWELS.len().pow(k as u32) % VOWELS.len()],
                None => run.ch,
            };
            for _ in 0..run.count.min(2) {
                spelling.push(ch);
            }
        }
        v.contains(&spelling)
    })
}

/// The runs joined to `runs` without any gap: the written word a compound sits in.
fn joined_around(sk: &Skeleton, runs: Range<usize>) -> Range<usize> {
    let mut start = runs.start;
    while start > 0 && sk.gap_before(start) == Gap::Joined {
        start -= 1;
    }
    let mut end = runs.end;
    while end < sk.runs.len() && sk.gap_before(end) == Gap::Joined {
        end += 1;
    }
    start..end
}

/// Whether the letters of runs, once each, are `text`: how endings are written in a
/// lexicon.
fn letters_are(sk: &Skeleton, runs: &Range<usize>, text: &str) -> bool {
    sk.runs[runs.clone()].iter().map(|r| r.ch).eq(text.chars())
}

/// The pieces of a match split by hard gaps.
fn pieces(sk: &Skeleton, runs: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = runs.start;
    for i in runs.start + 1..runs.end {
        if sk.runs[i].gap >= Gap::Hard {
            out.push(start..i);
            start = i;
        }
    }
    out.push(start..runs.end);
    out
}
