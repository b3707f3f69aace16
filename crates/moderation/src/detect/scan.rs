//! The state one message shares between detectors, each part computed at most once
//! and only when a detector needs it.

use std::cell::{Cell, OnceCell};
use std::ops::Range;

use lexicon::{Normalizer, Skeleton};

use super::dictionary::{Dictionary, Entry};
use super::spam::TextStats;
use super::Finding;
use crate::rewrite::Edit;

/// Per-message state shared by the detectors: the skeleton, the dictionary's hits and
/// the spam counts.
pub(crate) struct MessageScan<'t> {
    pub text: &'t str,
    skeleton: OnceCell<Skeleton>,
    dictionary_hits: OnceCell<Vec<(&'static Entry, Range<usize>)>>,
    stats: OnceCell<TextStats>,
}

impl<'t> MessageScan<'t> {
    pub fn new(text: &'t str) -> Self {
        MessageScan {
            text,
            skeleton: OnceCell::new(),
            dictionary_hits: OnceCell::new(),
            stats: OnceCell::new(),
        }
    }

    pub fn skeleton(&self) -> &Skeleton {
        self.skeleton.get_or_init(|| {
            let spare = SPARE_SKELETON.take();
            Normalizer.skeleton_in(self.text, spare)
        })
    }

    /// The built-in dictionary's entries in the message, with their skeleton runs.
    /// Every dictionary rule of a room filters the same hits.
    pub fn dictionary_hits(&self) -> &[(&'static Entry, Range<usize>)] {
        self.dictionary_hits
            .get_or_init(|| Dictionary::built_in().find(self.skeleton()))
    }

    pub fn stats(&self) -> &TextStats {
        self.stats.get_or_init(|| TextStats::of(self.text))
    }

    /// A finding of a word list at skeleton runs `runs`.
    pub fn lexical(&self, runs: &Range<usize>, detail: String) -> Finding {
        let units = self.skeleton().unit_spans(runs.clone());
        let start = units.first().map_or(0, |u| u.start as usize);
        let end = units.last().map_or(0, |u| u.end as usize);
        Finding {
            span: start..end,
            runs: Some(runs.clone()),
            detail,
            language: None,
        }
    }

    /// Adds a mask for each character a mask replaces: the letters behind a word-list
    /// match, or the letters and digits of any other match (`***-***-****`,
    /// `**@*******.***`).
    pub fn push_masks(&self, found: &Finding, edits: &mut Vec<Edit<'_>>) {
        match &found.runs {
            Some(runs) => edits.extend(
                self.skeleton()
                    .unit_spans(runs.clone())
                    .iter()
                    .map(|u| Edit::Mask(u.start as usize..u.end as usize)),
            ),
            None => edits.extend(
                self.text[found.span.clone()]
                    .char_indices()
                    .filter(|(_, c)| c.is_alphanumeric())
                    .map(|(i, c)| {
                        let start = found.span.start + i;
                        Edit::Mask(start..start + c.len_utf8())
                    }),
            ),
        }
    }
}

impl Drop for MessageScan<'_> {
    fn drop(&mut self) {
        if let Some(skeleton) = self.skeleton.take() {
            SPARE_SKELETON.set(skeleton);
        }
    }
}

thread_local! {
    /// The last message's skeleton, whose buffers the next message on this thread
    /// reuses instead of allocating and freeing three vectors per message.
    static SPARE_SKELETON: Cell<Skeleton> = Cell::new(Skeleton::default());
}
