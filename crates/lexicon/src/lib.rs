//! Word lists that see through the ways chat disguises words.
//!
//! [`Normalizer`] turns text into a [`Skeleton`] (letters folded, repeats counted,
//! look-alikes, leetspeak and separators seen through, in every script, every position
//! mapped back to the original bytes). A [`LexiconBuilder`] compiles terms in the
//! `word`/`word*`/`*word`/`*word*` syntax, with a language's word forms and spelling
//! variants, into a [`Lexicon`] that finds them in skeletons. A [`Vocabulary`] of
//! ordinary words keeps matches out of clean words and tells a message's language.

mod automaton;
mod builder;
pub mod data;
mod lexicon;
mod matcher;
mod store;
pub mod term;
pub mod text;
mod vocabulary;

pub use builder::{EntrySpec, FormRule, LanguageSpec, LexiconBuilder};
pub use lexicon::{EntryId, LanguageId, Lexicon};
pub use matcher::Hit;
pub use store::StoreError;
pub use term::{Anchor, EmptyTerm};
pub use text::{Gap, Normalizer, Run, Script, Skeleton};
pub use vocabulary::{spelling_of, Vocabulary, VocabularyBuilder, VOCABULARY};
