//! Word lists that see through the ways chat disguises words.
//!
//! [`Normalizer`] turns text into a [`Skeleton`] (lowercase letters, repeats counted,
//! look-alikes, leetspeak and separators seen through, every position mapped back to
//! the original bytes); a [`Lexicon`] built from terms in the `word`/`word*`/`*word`/
//! `*word*` syntax finds them in skeletons, respecting word boundaries.

mod list;
pub mod term;
pub mod text;

pub use list::{Hit, Lexicon, LexiconBuilder};
pub use term::{Anchor, EmptyTerm};
pub use text::{Gap, Normalizer, Run, Skeleton};
