//! The lexicon's data files (`crates/moderation/data/lexicon/<code>.txt`): one
//! language's settings, entries, allowlisted words and ordinary words. The format is
//! described in `crates/moderation/data/README.md`.

use crate::builder::{FormRule, LanguageSpec};

/// A mistake in a data file: `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DataError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// One parsed language file.
#[derive(Debug, Clone, Default)]
pub struct LanguageFile {
    pub name: String,
    pub spec: LanguageSpec,
    pub entries: Vec<DataEntry>,
    /// Clean words and phrases, with their line numbers.
    pub allow: Vec<(usize, String)>,
    pub ordinary: Vec<String>,
}

/// One `[entries]` line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataEntry {
    pub line: usize,
    pub severity: String,
    pub category: String,
    pub term: String,
    pub no_forms: bool,
    pub leet_only: bool,
    pub needs_context: bool,
    pub ordinary_in: Vec<String>,
}

#[derive(PartialEq, Eq)]
enum Section {
    Entries,
    Allow,
    Ordinary,
}

/// Parses the file `file` (its name, for errors) whose text is `text`.
pub fn parse_language_file(file: &str, text: &str) -> Result<LanguageFile, DataError> {
    let mut out = LanguageFile::default();
    let mut section = Section::Entries;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let error = |message: String| DataError {
            file: file.to_owned(),
            line: line_no,
            message,
        };
        let line = match raw.trim_start() {
            l if l.starts_with('#') => "",
            l => l.find(" #").map_or(l, |i| &l[..i]).trim_end(),
        };
        if line.is_empty() {
            continue;
        }
        if let Some(directive) = line.strip_prefix('@') {
            let mut words = directive.split_whitespace();
            let key = words.next().unwrap_or_default();
            let values: Vec<&str> = words.collect();
            directive_into(&mut out, key, &values).map_err(error)?;
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = match name {
                "entries" => Section::Entries,
                "allow" => Section::Allow,
                "ordinary" => Section::Ordinary,
                other => return Err(error(format!("unknown section [{other}]"))),
            };
            continue;
        }
        match section {
            Section::Entries => out.entries.push(entry(line, line_no).map_err(error)?),
            Section::Allow => out.allow.push((line_no, line.to_owned())),
            Section::Ordinary => out.ordinary.push(line.to_owned()),
        }
    }
    if out.spec.code.is_empty() {
        return Err(DataError {
            file: file.to_owned(),
            line: 1,
            message: "missing @language".to_owned(),
        });
    }
    Ok(out)
}

fn directive_into(out: &mut LanguageFile, key: &str, values: &[&str]) -> Result<(), String> {
    let one = |allowed: &[&str]| -> Result<String, String> {
        match values {
            [v] if allowed.is_empty() || allowed.contains(v) => Ok((*v).to_owned()),
            _ if allowed.is_empty() => Err(format!("@{key} takes one value")),
            _ => Err(format!("@{key} takes one of {}", allowed.join(", "))),
        }
    };
    let spec = &mut out.spec;
    match key {
        "language" => spec.code = one(&[])?,
        "name" => out.name = values.join(" "),
        "forms" => {
            for rule in values {
                spec.forms.push(match rule.split_once('>') {
                    Some((end, with)) if !end.is_empty() => FormRule::Replace {
                        end: end.to_owned(),
                        with: with.to_owned(),
                    },
                    _ => match rule.strip_prefix('+') {
                        Some(s) if !s.is_empty() => FormRule::Append(s.to_owned()),
                        _ => {
                            return Err(format!(
                                "form rule {rule:?}: use +suffix or end>replacement"
                            ))
                        }
                    },
                });
            }
        }
        "variants" => {
            for rule in values {
                match rule.split_once('=') {
                    Some((a, b)) if !a.is_empty() && !b.is_empty() => {
                        spec.variants.push((a.to_lowercase(), b.to_lowercase()))
                    }
                    _ => return Err(format!("variant {rule:?}: use A=B")),
                }
            }
        }
        "dropvowels" if values.is_empty() => spec.drop_vowels = true,
        "diacritics" => spec.exact_diacritics = one(&["fold", "exact"])? == "exact",
        "digits" => spec.literal_digits = one(&["leet", "literal"])? == "literal",
        "boundaries" => spec.no_spaces = one(&["words", "none"])? == "none",
        other => return Err(format!("unknown directive @{other}")),
    }
    Ok(())
}

/// `SEVERITY CATEGORY TERM [| flag, flag, ...]`.
fn entry(line: &str, line_no: usize) -> Result<DataEntry, String> {
    let (body, flags) = line.split_once(" | ").unwrap_or((line, ""));
    let mut parts = body.splitn(3, char::is_whitespace);
    let (Some(severity), Some(category), Some(term)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("expected SEVERITY CATEGORY TERM".to_owned());
    };
    let term = term.trim();
    if term.is_empty() {
        return Err("expected SEVERITY CATEGORY TERM".to_owned());
    }
    let mut out = DataEntry {
        line: line_no,
        severity: severity.to_owned(),
        category: category.to_owned(),
        term: term.to_owned(),
        ..DataEntry::default()
    };
    // `ordinary-in=xx,yy`: the codes after the first are items of the flag list too.
    let mut in_languages = false;
    for flag in flags.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        match flag {
            "no-forms" => out.no_forms = true,
            "leet-only" => out.leet_only = true,
            "needs-context" => out.needs_context = true,
            f if f.starts_with("ordinary-in=") => {
                out.ordinary_in.push(f["ordinary-in=".len()..].to_owned());
                in_languages = true;
                continue;
            }
            code if in_languages && is_code(code) => {
                out.ordinary_in.push(code.to_owned());
                continue;
            }
            other => return Err(format!("unknown flag {other:?}")),
        }
        in_languages = false;
    }
    Ok(out)
}

fn is_code(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# A comment\n@language es\n@name Spanish\n@forms +s o>a\n@variants c=k\n@diacritics exact\n\n[entries]\nstrong profanity puta  # trailing comment\nmoderate insult con | needs-context, ordinary-in=pt,it, no-forms\nsevere slur negro | ordinary-in=pt, ordinary-in=it\n[allow]\ncomputadora*\n[ordinary]\nde\n";

    #[test]
    fn reads_every_part() {
        let f = parse_language_file("es.txt", FILE).unwrap();
        assert_eq!((f.spec.code.as_str(), f.name.as_str()), ("es", "Spanish"));
        assert_eq!(
            f.spec.forms,
            [
                FormRule::Append("s".into()),
                FormRule::Replace {
                    end: "o".into(),
                    with: "a".into()
                }
            ]
        );
        assert_eq!(f.spec.variants, [("c".to_owned(), "k".to_owned())]);
        assert!(f.spec.exact_diacritics);
        assert_eq!(f.entries.len(), 3);
        assert_eq!(f.entries[0].term, "puta");
        let con = &f.entries[1];
        assert!(con.needs_context && con.no_forms);
        assert_eq!(con.ordinary_in, ["pt", "it"]);
        assert_eq!(
            f.entries[2].ordinary_in,
            ["pt", "it"],
            "repeated flags add up"
        );
        assert_eq!(f.allow, [(13, "computadora*".to_owned())]);
        assert_eq!(f.ordinary, ["de"]);
    }

    #[test]
    fn mistakes_name_the_file_and_line() {
        let bad = |text: &str| parse_language_file("x.txt", text).unwrap_err().to_string();
        assert_eq!(
            bad("@language xx\n[entries]\nstrong\n"),
            "x.txt:3: expected SEVERITY CATEGORY TERM"
        );
        assert_eq!(
            bad("@language xx\nstrong profanity x | loud\n"),
            "x.txt:2: unknown flag \"loud\""
        );
        assert_eq!(
            bad("@language xx\n@forms ing\n"),
            "x.txt:2: form rule \"ing\": use +suffix or end>replacement"
        );
        assert_eq!(
            bad("@language xx\n[stuff]\n"),
            "x.txt:2: unknown section [stuff]"
        );
        assert_eq!(
            bad("@diacritics maybe\n"),
            "x.txt:1: @diacritics takes one of fold, exact"
        );
        assert_eq!(bad("[entries]\n"), "x.txt:1: missing @language");
    }
}
