//! Compiling terms into a lexicon: each entry's spellings (its variants and vowel-less
//! form), the stems its word forms grow from, and the automaton that finds them all.

use std::collections::{HashMap, HashSet};

use daachorse::DoubleArrayAhoCorasickBuilder;
use zerocopy::little_endian::{U32, U64};

use crate::automaton::Automaton;
use crate::lexicon::{
    bits, entry_flags, EntryId, EntryRules, LanguageId, LanguageRules, Lexicon, Pattern,
    PatternRun, ALLOW, NONE,
};
use crate::term::{parse_anchor, Anchor, EmptyTerm};
use crate::text::{flags, script_of, Gap, Normalizer, Run, Script};
use crate::vocabulary::{Vocabulary, VOCABULARY};

/// Most spelling variants derived from one entry.
const MAX_VARIANTS: usize = 6;
/// Fewest letters of a variant derived from an entry that matches inside words.
const MIN_INSIDE_VARIANT: usize = 5;

/// How a language's words inflect and are spelled; see the data README.
#[derive(Clone, Debug, Default)]
pub struct LanguageSpec {
    pub code: String,
    pub forms: Vec<FormRule>,
    /// `A=B`: an entry containing `A` also matches with `B` in its place.
    pub variants: Vec<(String, String)>,
    pub drop_vowels: bool,
    pub exact_diacritics: bool,
    pub literal_digits: bool,
    /// The script writes no spaces: every entry matches anywhere.
    pub no_spaces: bool,
    /// Whole-word entries match inside compounds (needs a vocabulary).
    pub compounds: bool,
    /// The script whose letters show a message is in this language.
    pub script: Option<Script>,
}

/// One word-form rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormRule {
    /// `+suffix`.
    Append(String),
    /// `end>replacement`.
    Replace { end: String, with: String },
}

/// One entry to compile.
#[derive(Clone, Debug, Default)]
pub struct EntrySpec<'a> {
    pub term: &'a str,
    pub language: LanguageId,
    pub no_forms: bool,
    pub leet_only: bool,
    pub needs_context: bool,
    /// Languages (bits) in which the entry is also an ordinary word.
    pub ordinary_in: u64,
    /// Derive a vowel-less spelling when the language does.
    pub drop_vowels: bool,
}

/// Collects languages, entries and allowlisted words, then compiles them.
pub struct LexiconBuilder {
    languages: Vec<LanguageSpec>,
    entries: Vec<EntryRules>,
    /// Pattern text (the run letters) and the pattern.
    patterns: Vec<(String, Pattern)>,
    pattern_runs: Vec<PatternRun>,
    suffix_sets: Vec<Vec<String>>,
    seen: HashSet<(String, u32, u8, u16)>,
}

impl Default for LexiconBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl LexiconBuilder {
    /// A builder with one language, 0, without word forms or spelling rules: what an
    /// operator's own term list uses.
    pub fn new() -> Self {
        LexiconBuilder {
            // Language `OPERATOR`.
            languages: vec![LanguageSpec::default()],
            entries: Vec::new(),
            patterns: Vec::new(),
            pattern_runs: Vec::new(),
            suffix_sets: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Adds a language and returns its id.
    pub fn language(&mut self, spec: LanguageSpec) -> LanguageId {
        self.languages.push(spec);
        LanguageId::try_from(self.languages.len() - 1).expect("at most 255 languages")
    }

    /// Adds an entry in `word`/`word*`/`*word`/`*word*` syntax and returns its id.
    pub fn entry(&mut self, spec: &EntrySpec<'_>) -> Result<EntryId, EmptyTerm> {
        let id = self.entries.len() as EntryId;
        let language = &self.languages[usize::from(spec.language)];
        let (body, anchor) = parse_anchor(spec.term.trim());
        let anchor = if language.no_spaces {
            Anchor::Anywhere
        } else {
            anchor
        };
        let (exact, literal) = (language.exact_diacritics, language.literal_digits);
        let base = term_runs(body, exact, literal).ok_or_else(|| EmptyTerm {
            term: spec.term.to_owned(),
        })?;
        // A term in a script written without spaces matches anywhere, whatever list
        // it is in (an operator's `ไอ้สัส`).
        let anchor = if base
            .iter()
            .all(|r| script_of(r.ch).is_some_and(Script::without_spaces))
        {
            Anchor::Anywhere
        } else {
            anchor
        };
        let one_word = base.iter().skip(1).all(|r| r.gap == Gap::Joined);
        let mut flags = 0;
        if spec.leet_only {
            flags |= entry_flags::LEET_ONLY;
        }
        if spec.needs_context {
            flags |= entry_flags::NEEDS_CONTEXT;
        }
        if spec.no_forms {
            flags |= entry_flags::NO_FORMS;
        }
        self.entries.push(EntryRules {
            language: spec.language,
            flags,
            ordinary_in: spec.ordinary_in.into(),
        });
        self.push(&base, id, anchor, NONE, false, exact, literal);

        let language = self.languages[usize::from(spec.language)].clone();
        if !spec.no_forms {
            // Short spellings derived from a substring entry would match inside too
            // many words (`*fuck*` gives `*phuck*`, not `*fuk*`).
            for variant in variants(&body.to_lowercase(), &language.variants) {
                if let Some(runs) = term_runs(&variant, exact, literal)
                    .filter(|r| anchor != Anchor::Anywhere || r.len() >= MIN_INSIDE_VARIANT)
                {
                    self.push(&runs, id, anchor, NONE, true, exact, literal);
                }
            }
        }
        if !spec.no_forms && anchor != Anchor::Anywhere {
            if spec.drop_vowels && language.drop_vowels && one_word && anchor == Anchor::Word {
                let consonants: String = body
                    .chars()
                    .filter(|c| !matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u'))
                    .collect();
                if let Some(runs) = term_runs(&consonants, exact, literal)
                    .filter(|r| r.len() >= 3 && r.len() < base.len())
                {
                    self.push(&runs, id, anchor, NONE, true, exact, literal);
                }
            }
            if one_word && matches!(anchor, Anchor::Word | Anchor::Suffix) {
                self.push_stems(&base, body, id, anchor, &language);
            }
        }
        Ok(id)
    }

    /// Adds a clean word or phrase whose matches hide entries inside them.
    pub fn allow(&mut self, language: LanguageId, term: &str) -> Result<(), EmptyTerm> {
        let spec = &self.languages[usize::from(language)];
        let (body, anchor) = parse_anchor(term.trim());
        let anchor = if spec.no_spaces {
            Anchor::Anywhere
        } else {
            anchor
        };
        let runs = term_runs(body, false, false).ok_or_else(|| EmptyTerm {
            term: term.to_owned(),
        })?;
        self.push(&runs, ALLOW, anchor, NONE, false, false, false);
        Ok(())
    }

    /// Stems for the `end>replacement` rules whose end the term has: `rape` with
    /// `e>ing` also matches `rap` + `ing`, where the `p` may not double.
    fn push_stems(
        &mut self,
        base: &[Run],
        body: &str,
        id: EntryId,
        anchor: Anchor,
        language: &LanguageSpec,
    ) {
        let spelling: String = base.iter().map(|r| r.ch).collect();
        let mut endings: HashMap<String, Vec<String>> = HashMap::new();
        for rule in &language.forms {
            if let FormRule::Replace { end, with } = rule {
                let end = spelled(end);
                if !end.is_empty() && spelling.ends_with(&end) && spelling.len() > end.len() {
                    endings.entry(end).or_default().push(spelled(with));
                }
            }
        }
        let mut ends: Vec<_> = endings.into_iter().collect();
        ends.sort();
        for (end, mut withs) in ends {
            withs.sort();
            withs.dedup();
            let stem_letters = spelling.chars().count() - end.chars().count();
            // The stem's runs: the term's first runs, cut where the ending starts.
            let runs: Vec<_> = base.iter().take(stem_letters).cloned().collect();
            if runs.len() < 2 {
                continue;
            }
            let set = self.suffix_set(withs);
            let exact = language.exact_diacritics;
            self.push(
                &runs,
                id,
                anchor,
                set,
                false,
                exact,
                language.literal_digits,
            );
        }
        let _ = body;
    }

    fn suffix_set(&mut self, endings: Vec<String>) -> u16 {
        if let Some(i) = self.suffix_sets.iter().position(|s| *s == endings) {
            return i as u16;
        }
        self.suffix_sets.push(endings);
        u16::try_from(self.suffix_sets.len() - 1).expect("fewer than 65,535 suffix sets")
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        runs: &[Run],
        entry: u32,
        anchor: Anchor,
        stem_endings: u16,
        derived: bool,
        exact: bool,
        literal: bool,
    ) {
        let text: String = runs.iter().map(|r| r.ch).collect();
        let key = (text.clone(), entry, anchor as u8, stem_endings);
        if !self.seen.insert(key) {
            return;
        }
        let first_run = self.pattern_runs.len() as u32;
        for (i, run) in runs.iter().enumerate() {
            let mut b = 0;
            if i > 0 && run.gap != Gap::Joined {
                b |= bits::SPACE_BEFORE;
            }
            if exact {
                b |= bits::CHECK_MARK;
                if run.flags & flags::MARKED != 0 {
                    b |= bits::MARKED;
                }
            }
            if entry == ALLOW {
                b |= bits::EXACT_COUNT;
            }
            self.pattern_runs.push(PatternRun {
                count: u8::try_from(run.count).unwrap_or(u8::MAX),
                origin: if literal && run.origin.is_ascii_digit() {
                    run.origin
                } else {
                    0
                },
                bits: b,
            });
        }
        let runs = u16::try_from(runs.len()).unwrap_or(u16::MAX);
        let pattern = Pattern::new(entry, first_run, runs, anchor, stem_endings, derived);
        self.patterns.push((text, pattern));
    }

    /// Compiles the lexicon. With a vocabulary (and the language its large word list
    /// belongs to), derived spellings that are ordinary words are dropped, and entries
    /// that are ordinary words of other languages are marked so.
    pub fn build(mut self, vocabulary: Option<(&Vocabulary, LanguageId)>) -> Lexicon {
        if let Some((vocabulary, vocabulary_language)) = vocabulary {
            let pattern_runs = &self.pattern_runs;
            let spelling = |text: &str, p: &Pattern| -> String {
                text.chars()
                    .zip(&pattern_runs[p.first_run() as usize..])
                    .flat_map(|(c, r)| std::iter::repeat_n(c, usize::from(r.count.min(2))))
                    .collect()
            };
            self.patterns
                .retain(|(text, p)| !(p.derived() && vocabulary.contains(&spelling(text, p))));
            for (text, p) in &self.patterns {
                if p.entry() == ALLOW || p.derived() || p.stem_endings() != NONE {
                    continue;
                }
                let entry = &mut self.entries[p.entry() as usize];
                let word = spelling(text, p);
                let mut languages = vocabulary.languages(&word);
                if languages & VOCABULARY != 0 {
                    languages |= 1 << vocabulary_language;
                }
                let elsewhere = languages & !VOCABULARY & !(1 << entry.language);
                entry.ordinary_in |= U64::new(elsewhere);
                // A short word that is ordinary elsewhere (`del`, `cu`) is profane only
                // where the message reads as this language (the vocabulary's own
                // language keeps its short words: `cum` alone is English).
                // Accents that must match as written tell the words apart (`göt`, `got`).
                let marked = pattern_runs[p.first_run() as usize..][..usize::from(p.runs())]
                    .iter()
                    .any(|r| r.bits & bits::MARKED != 0);
                if elsewhere != 0
                    && !marked
                    && word.chars().count() <= 3
                    && entry.language != vocabulary_language
                {
                    entry.flags |= entry_flags::NEEDS_CONTEXT;
                }
            }
        }
        let mut texts: Vec<String> = Vec::new();
        let mut text_index: HashMap<String, usize> = HashMap::new();
        let mut by_text: Vec<Vec<u32>> = Vec::new();
        let mut patterns = Vec::with_capacity(self.patterns.len());
        for (i, (text, p)) in self.patterns.into_iter().enumerate() {
            let t = *text_index.entry(text.clone()).or_insert_with(|| {
                texts.push(text);
                by_text.push(Vec::new());
                texts.len() - 1
            });
            by_text[t].push(i as u32);
            patterns.push(p);
        }
        let automaton = (!texts.is_empty()).then(|| {
            Automaton::Built(
                DoubleArrayAhoCorasickBuilder::new()
                    .build_with_values(texts.iter().zip(0u32..))
                    .expect("pattern texts are unique and short"),
            )
        });
        let mut text_patterns: Vec<U32> = Vec::new();
        let mut text_starts: Vec<U32> = Vec::with_capacity(by_text.len() + 1);
        for list in by_text {
            text_starts.push((text_patterns.len() as u32).into());
            text_patterns.extend(list.into_iter().map(U32::from));
        }
        text_starts.push((text_patterns.len() as u32).into());
        let mut suffix_sets = self.suffix_sets;
        let languages = self
            .languages
            .iter()
            .map(|spec| {
                let appended: Vec<String> = spec
                    .forms
                    .iter()
                    .filter_map(|r| match r {
                        FormRule::Append(s) => Some(spelled(s)),
                        FormRule::Replace { .. } => None,
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                let suffixes = if appended.is_empty() {
                    NONE
                } else {
                    suffix_sets.push(appended);
                    (suffix_sets.len() - 1) as u16
                };
                LanguageRules {
                    code: spec.code.clone(),
                    suffixes,
                    compounds: spec.compounds,
                    script: spec.script,
                }
            })
            .collect();
        Lexicon {
            automaton,
            patterns: patterns.into(),
            pattern_runs: self.pattern_runs.into(),
            text_patterns: text_patterns.into(),
            text_starts: text_starts.into(),
            entries: self.entries.into(),
            languages,
            suffix_sets,
        }
    }
}

/// The runs of a term's usual reading, or `None` when it has no letters.
fn term_runs(body: &str, _exact: bool, _literal: bool) -> Option<Vec<Run>> {
    let sk = Normalizer.skeleton(body);
    let main = sk
        .runs
        .iter()
        .position(|r| r.gap == Gap::Apart)
        .unwrap_or(sk.runs.len());
    let runs = sk.runs[..main].to_vec();
    (!runs.is_empty()).then_some(runs)
}

/// A word ending as skeleton letters (its usual reading: a Cyrillic ending stays
/// Cyrillic).
fn spelled(text: &str) -> String {
    term_runs(text, false, false)
        .map(|runs| runs.iter().map(|r| r.ch).collect())
        .unwrap_or_default()
}

/// The spelling variants of a lowercase term: every rule alone, and every two rules
/// together, each replacing all its occurrences.
fn variants(term: &str, rules: &[(String, String)]) -> Vec<String> {
    let applicable: Vec<&(String, String)> = rules
        .iter()
        .filter(|(a, _)| term.contains(a.as_str()))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: String| {
        if v != term && !out.contains(&v) && out.len() < MAX_VARIANTS {
            out.push(v);
        }
    };
    for (a, b) in &applicable {
        add(term.replace(a.as_str(), b));
    }
    for (i, (a, b)) in applicable.iter().enumerate() {
        let once = term.replace(a.as_str(), b);
        for (c, d) in &applicable[i + 1..] {
            if once.contains(c.as_str()) {
                add(once.replace(c.as_str(), d));
            }
        }
    }
    out
}
