//! Ordinary words: which words a filter must leave alone, and which language a message
//! is in.
//!
//! One map from a word's spelling (as `Skeleton::spelling` writes it) to a bit per
//! language whose frequent ordinary words include it, plus `VOCABULARY` for words of a
//! large vocabulary that are ordinary but too rare to tell the language.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::text::Normalizer;

/// The bit of words from a large vocabulary rather than a frequent-word list.
pub const VOCABULARY: u64 = 1 << 63;

/// Ordinary words and the languages they belong to.
pub struct Vocabulary {
    words: fst::Map<Cow<'static, [u8]>>,
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vocabulary({} words)", self.words.len())
    }
}

/// Collects words before building the map.
#[derive(Default)]
pub struct VocabularyBuilder {
    words: BTreeMap<String, u64>,
}

impl VocabularyBuilder {
    /// Adds `word` with the bits `languages`; a word given twice keeps every bit.
    pub fn add(&mut self, word: &str, languages: u64) {
        let spelling = spelling_of(word);
        if !spelling.is_empty() {
            *self.words.entry(spelling).or_default() |= languages;
        }
    }

    pub fn build(self) -> Vocabulary {
        let words = fst::Map::from_iter(self.words).expect("keys are sorted and unique");
        Vocabulary {
            words: words.map_data(Cow::Owned).expect("the map was just built"),
        }
    }
}

/// A word's spelling as the skeleton of a message spells it.
pub fn spelling_of(word: &str) -> String {
    let sk = Normalizer.skeleton(word.trim());
    let main = sk
        .runs
        .iter()
        .position(|r| r.gap == crate::text::Gap::Apart)
        .unwrap_or(sk.runs.len());
    sk.spelling(0..main)
}

impl Vocabulary {
    /// The map's bytes, to store the vocabulary.
    pub fn as_bytes(&self) -> &[u8] {
        self.words.as_fst().as_bytes()
    }

    /// A vocabulary stored by `as_bytes`; borrowed bytes are read in place.
    pub fn from_bytes(bytes: impl Into<Cow<'static, [u8]>>) -> Result<Self, fst::Error> {
        Ok(Vocabulary {
            words: fst::Map::new(bytes.into())?,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The bits of a spelling (0 when it is no ordinary word).
    pub fn languages(&self, spelling: &str) -> u64 {
        self.words.get(spelling).unwrap_or(0)
    }

    /// Whether a spelling is an ordinary word in any language.
    pub fn contains(&self, spelling: &str) -> bool {
        self.words.contains_key(spelling)
    }

    /// Whether a spelling is an ordinary word of the languages `bits`, or one with one
    /// of `endings` (`lickers` is `lick` + `ers`; `sitting` is `sit` + `ing`).
    pub fn contains_form(&self, spelling: &str, endings: &[String], bits: u64) -> bool {
        let known = |s: &str| self.languages(s) & bits != 0;
        if known(spelling) {
            return true;
        }
        endings.iter().any(|ending| {
            let Some(stem) = spelling.strip_suffix(ending.as_str()) else {
                return false;
            };
            let mut last = stem.chars().rev();
            let (Some(a), Some(b)) = (last.next(), last.next()) else {
                return false;
            };
            let undoubled = (a == b).then(|| &stem[..stem.len() - a.len_utf8()]);
            known(stem) || known(&format!("{stem}e")) || undoubled.is_some_and(known)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut b = VocabularyBuilder::default();
        b.add("Lick", VOCABULARY);
        b.add("cocktail", VOCABULARY);
        b.add("shiitake", VOCABULARY);
        b.add("con", 1 << 2);
        b.add("CON", 1 << 5);
        b.add("sit", VOCABULARY);
        b.build()
    }

    #[test]
    fn words_are_spelled_as_messages_spell_them() {
        let v = vocabulary();
        assert!(v.contains("cocktail"));
        assert!(v.contains(&spelling_of("SHIIIITAKE")));
        assert!(!v.contains("cock"));
        assert_eq!(v.languages("con"), (1 << 2) | (1 << 5));
    }

    #[test]
    fn forms_with_endings() {
        let v = vocabulary();
        let endings = ["s", "ers", "ing", "ed"].map(String::from);
        assert!(v.contains_form("lickers", &endings, VOCABULARY));
        assert!(
            v.contains_form("sitting", &endings, VOCABULARY),
            "doubled consonant"
        );
        assert!(!v.contains_form("sucking", &endings, VOCABULARY));
        assert!(
            !v.contains_form("con", &endings, VOCABULARY),
            "a word of other languages"
        );
        assert!(v.contains_form("con", &endings, 1 << 2));
    }

    #[test]
    fn stores_and_loads() {
        let v = vocabulary();
        let again = Vocabulary::from_bytes(v.as_bytes().to_vec()).unwrap();
        assert_eq!(again.len(), v.len());
        assert!(again.contains("lick"));
    }
}
