//! Compiling one rule: the fields that apply to its kind, and its detector.

use std::path::Path;
use std::sync::Arc;

use regex::RegexBuilder;

use lexicon::{EntrySpec, LexiconBuilder};

use crate::detect::{Detector, Dictionary, PiiType, Severity, SpamLimits, TermList};

use super::compile::{Compiler, Rule};
use super::{Action, PolicyError, RuleKind, RuleSpec};

impl Compiler {
    pub(super) fn rule(&self, spec: &RuleSpec, field: &str) -> Result<Rule, PolicyError> {
        let err =
            |name: &str, message: String| PolicyError::invalid(format!("{field}.{name}"), message);
        if spec.id.trim().is_empty() {
            return Err(err("id", "must not be empty".to_owned()));
        }
        check_fields(spec, field)?;
        match (spec.action, &spec.replacement) {
            (Action::Replace, None) => {
                return Err(err(
                    "replacement",
                    "action \"replace\" needs a replacement text".to_owned(),
                ))
            }
            (Action::Replace, Some(r)) if r.is_empty() => {
                return Err(err(
                    "replacement",
                    "must not be empty; use action \"deny\" to drop messages".to_owned(),
                ))
            }
            (Action::Replace, Some(_)) | (_, None) => {}
            (other, Some(_)) => {
                return Err(err(
                    "replacement",
                    format!(
                        "only applies to action \"replace\", not \"{}\"",
                        other.name()
                    ),
                ))
            }
        }
        if matches!(spec.kind, RuleKind::Profanity | RuleKind::Terms) {
            // Both read the built-in lexicon's vocabulary: load it with the policy (a
            // Lambda's init), not on the first message.
            Dictionary::built_in();
        }
        let detector = match spec.kind {
            RuleKind::Profanity => Detector::Dictionary {
                languages: languages(spec.languages.as_deref(), field)?,
                min: spec.severity.unwrap_or(Severity::Mild),
                categories: non_empty(&spec.categories, "categories", field)?.unwrap_or_default(),
            },
            RuleKind::Terms => Detector::Terms(Box::new(self.terms(spec, field)?)),
            RuleKind::Regex => {
                let pattern = spec.pattern.as_deref().unwrap_or_default();
                if pattern.is_empty() {
                    return Err(err(
                        "pattern",
                        "a regex rule needs a non-empty pattern".to_owned(),
                    ));
                }
                let regex = RegexBuilder::new(pattern)
                    .case_insensitive(!spec.case_sensitive.unwrap_or(false))
                    .build()
                    .map_err(|e| err("pattern", one_line(&e.to_string())))?;
                Detector::Regex(regex)
            }
            RuleKind::Links => Detector::Links {
                finder: self.links.get_or_init(Default::default).clone(),
                allow: domains(spec.allow_domains.as_deref().unwrap_or_default(), field)?,
            },
            RuleKind::Pii => Detector::Pii(
                non_empty(&spec.types, "types", field)?
                    .unwrap_or_else(|| vec![PiiType::Email, PiiType::Phone, PiiType::Card]),
            ),
            RuleKind::Spam => {
                if spec.action == Action::Mask {
                    return Err(err("action", "spam rules judge the whole message and cannot mask; use deny, replace or flag".to_owned()));
                }
                Detector::Spam(spam_limits(spec, field)?)
            }
        };
        Ok(Rule {
            id: Arc::from(spec.id.as_str()),
            kind: spec.kind,
            action: spec.action,
            reason: spec
                .reason
                .clone()
                .unwrap_or_else(|| default_reason(spec.kind).to_owned()),
            replacement: spec.replacement.clone().unwrap_or_default(),
            detector,
        })
    }

    fn terms(&self, spec: &RuleSpec, field: &str) -> Result<TermList, PolicyError> {
        let mut builder = LexiconBuilder::new();
        let mut terms = Vec::new();
        let mut add = |term: &str| {
            terms.push(term.to_owned());
            builder.entry(&EntrySpec {
                term,
                ..EntrySpec::default()
            })
        };
        for (i, term) in spec.terms.iter().flatten().enumerate() {
            add(term)
                .map_err(|e| PolicyError::invalid(format!("{field}.terms[{i}]"), e.to_string()))?;
        }
        if let Some(file) = &spec.file {
            let path = match &self.base_dir {
                Some(dir) => dir.join(file),
                None => Path::new(file).to_path_buf(),
            };
            let text = super::files::read_text(&path).map_err(|e| {
                PolicyError::invalid(
                    format!("{field}.file"),
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            for (line_no, term) in lexicon::term::lines(&text) {
                add(term).map_err(|e| {
                    PolicyError::invalid(
                        format!("{field}.file"),
                        format!("{} line {line_no}: {e}", path.display()),
                    )
                })?;
            }
        }
        let lexicon = builder.build(None);
        if lexicon.is_empty() {
            return Err(PolicyError::invalid(
                field,
                "a terms rule needs `terms` or a `file` with at least one term",
            ));
        }
        Ok(TermList { lexicon, terms })
    }
}

/// Rejects fields that do not belong to the rule's kind, so that a misplaced
/// setting never silently does nothing.
fn check_fields(spec: &RuleSpec, field: &str) -> Result<(), PolicyError> {
    use RuleKind::*;
    let given: [(&str, bool, &[RuleKind]); 13] = [
        ("severity", spec.severity.is_some(), &[Profanity]),
        ("categories", spec.categories.is_some(), &[Profanity]),
        ("languages", spec.languages.is_some(), &[Profanity]),
        ("terms", spec.terms.is_some(), &[Terms]),
        ("file", spec.file.is_some(), &[Terms]),
        ("pattern", spec.pattern.is_some(), &[Regex]),
        ("case_sensitive", spec.case_sensitive.is_some(), &[Regex]),
        ("allow_domains", spec.allow_domains.is_some(), &[Links]),
        ("types", spec.types.is_some(), &[Pii]),
        ("max_length", spec.max_length.is_some(), &[Spam]),
        ("max_caps_ratio", spec.max_caps_ratio.is_some(), &[Spam]),
        ("min_letters", spec.min_letters.is_some(), &[Spam]),
        ("max_repeat", spec.max_repeat.is_some(), &[Spam]),
    ];
    for (name, present, kinds) in given {
        if present && !kinds.contains(&spec.kind) {
            return Err(PolicyError::invalid(
                format!("{field}.{name}"),
                format!("does not apply to kind \"{}\"", spec.kind.name()),
            ));
        }
    }
    Ok(())
}

fn non_empty<T: Clone>(
    list: &Option<Vec<T>>,
    name: &str,
    field: &str,
) -> Result<Option<Vec<T>>, PolicyError> {
    match list {
        Some(l) if l.is_empty() => Err(PolicyError::invalid(
            format!("{field}.{name}"),
            "must not be empty; leave it out to mean all",
        )),
        other => Ok(other.clone()),
    }
}

/// Allowed link domains, lowercased, without a leading `*.` or `.`.
fn domains(list: &[String], field: &str) -> Result<Vec<String>, PolicyError> {
    list.iter()
        .enumerate()
        .map(|(i, d)| {
            let d = d
                .trim()
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .to_ascii_lowercase();
            let valid = !d.is_empty()
                && d.contains('.')
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if valid {
                Ok(d)
            } else {
                Err(PolicyError::invalid(
                    format!("{field}.allow_domains[{i}]"),
                    "expected a domain name such as \"example.com\" (no scheme, path or port)",
                ))
            }
        })
        .collect()
}

fn spam_limits(spec: &RuleSpec, field: &str) -> Result<SpamLimits, PolicyError> {
    let err = |name: &str, message: &str| PolicyError::invalid(format!("{field}.{name}"), message);
    if spec.max_length.is_none() && spec.max_caps_ratio.is_none() && spec.max_repeat.is_none() {
        return Err(PolicyError::invalid(
            field,
            "a spam rule needs at least one of max_length, max_caps_ratio, max_repeat",
        ));
    }
    if spec.max_length == Some(0) {
        return Err(err("max_length", "must be at least 1"));
    }
    if spec.max_caps_ratio.is_some_and(|r| !(r > 0.0 && r <= 1.0)) {
        return Err(err(
            "max_caps_ratio",
            "must be a share above 0 and at most 1, such as 0.7",
        ));
    }
    if spec.max_repeat.is_some_and(|r| r < 2) {
        return Err(err("max_repeat", "must be at least 2"));
    }
    Ok(SpamLimits {
        max_length: spec.max_length,
        max_caps_ratio: spec.max_caps_ratio,
        min_letters: spec.min_letters.unwrap_or(10),
        max_repeat: spec.max_repeat,
    })
}

fn default_reason(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Profanity => "Message contains language that is not allowed here.",
        RuleKind::Terms => "Message contains a blocked term.",
        RuleKind::Regex => "Message matches a blocked pattern.",
        RuleKind::Links => "Links are not allowed here.",
        RuleKind::Pii => "Message contains personal information.",
        RuleKind::Spam => "Message looks like spam.",
    }
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The languages a dictionary rule covers: codes of the built-in lexicon, all when
/// absent.
fn languages(list: Option<&[String]>, field: &str) -> Result<Vec<String>, PolicyError> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    if list.is_empty() {
        return Err(PolicyError::invalid(
            format!("{field}.languages"),
            "must not be empty; leave it out to mean all",
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, code)| {
            let code = code.trim().to_ascii_lowercase();
            if Dictionary::has_language(&code) {
                Ok(code)
            } else {
                Err(PolicyError::invalid(
                    format!("{field}.languages[{i}]"),
                    format!("{code:?} is not a language of the built-in lexicon (ISO 639-1 codes such as \"en\", \"es\")"),
                ))
            }
        })
        .collect()
}
