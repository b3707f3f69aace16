//! Compiles the built-in lexicon (`data/lexicon/*.txt`, `data/vocabulary/*.txt`) at
//! build time, so that a cold start loads it instead of compiling it. A mistake in a
//! data file fails the build with the file, the line and the problem.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lexicon::data::{parse_language_file, LanguageFile};
use lexicon::{EntrySpec, LexiconBuilder, Normalizer, Script, VocabularyBuilder, VOCABULARY};

const SEVERITIES: [&str; 4] = ["mild", "moderate", "strong", "severe"];
const CATEGORIES: [&str; 5] = ["profanity", "sexual", "insult", "slur", "harassment"];
/// The languages the lexicon is made for (ISO 639-1).
/// An entry for `entries.rs`: severity and category indexes, language, term.
type Generated = (usize, usize, String, String);

const LANGUAGES: [&str; 28] = [
    "en", "es", "pt", "fr", "de", "it", "nl", "sv", "da", "no", "fi", "pl", "cs", "hu", "ru", "uk",
    "tr", "ar", "fa", "hi", "id", "tl", "vi", "th", "ja", "ko", "zh", "ro",
];

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    println!("cargo:rerun-if-changed={}", data.display());
    if let Err(e) = run(
        &data,
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")),
    ) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    Ok(files)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The script whose letters alone show a message is in this language.
fn script_of(code: &str) -> Option<Script> {
    match code {
        "ja" | "zh" => Some(Script::Cjk),
        "ko" => Some(Script::Hangul),
        "th" => Some(Script::Thai),
        _ => None,
    }
}

fn run(data: &Path, out: &Path) -> Result<(), String> {
    let mut languages: Vec<(String, LanguageFile)> = Vec::new();
    for path in files(&data.join("lexicon"))? {
        let name = format!(
            "lexicon/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let file = parse_language_file(&name, &read(&path)?).map_err(|e| e.to_string())?;
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !LANGUAGES.contains(&file.spec.code.as_str()) {
            return Err(format!("{name}: unknown language {:?}", file.spec.code));
        }
        if file.spec.code != stem {
            return Err(format!(
                "{name}: @language {} does not match the file name",
                file.spec.code
            ));
        }
        languages.push((name, file));
    }
    // Language ids start at 1: the builder's language 0 is the operator's term lists.
    let ids: BTreeMap<String, u8> = languages
        .iter()
        .enumerate()
        .map(|(i, (_, f))| (f.spec.code.clone(), i as u8 + 1))
        .collect();
    let english = ids.get("en").copied();

    let mut vocabulary = VocabularyBuilder::default();
    for path in files(&data.join("vocabulary"))? {
        for (_, word) in lexicon::term::lines(&read(&path)?) {
            vocabulary.add(word, VOCABULARY);
        }
    }
    for (_, file) in &languages {
        for word in &file.ordinary {
            vocabulary.add(word, 1 << ids[&file.spec.code]);
        }
    }
    let vocabulary = vocabulary.build();

    let compile =
        |extra_allow: &[(u8, String)]| -> Result<(lexicon::Lexicon, Vec<Generated>), String> {
            let mut builder = LexiconBuilder::new();
            let mut entries_rs = Vec::new();
            for (name, file) in &languages {
                let mut spec = file.spec.clone();
                spec.compounds = spec.code == "en";
                spec.script = script_of(&spec.code);
                let id = builder.language(spec);
                for e in &file.entries {
                    let at = |message: String| format!("{name}:{}: {message}", e.line);
                    let severity = SEVERITIES
                        .iter()
                        .position(|s| *s == e.severity)
                        .ok_or_else(|| at(format!("unknown severity {:?}", e.severity)))?;
                    let category = CATEGORIES
                        .iter()
                        .position(|c| *c == e.category)
                        .ok_or_else(|| at(format!("unknown category {:?}", e.category)))?;
                    if severity == 3 && category < 3 {
                        return Err(at("severe is only for slur and harassment".to_owned()));
                    }
                    let mut ordinary_in = 0u64;
                    for code in &e.ordinary_in {
                        if !LANGUAGES.contains(&code.as_str()) {
                            return Err(at(format!("ordinary-in: unknown language {code:?}")));
                        }
                        if let Some(other) = ids.get(code) {
                            ordinary_in |= 1 << other;
                        }
                    }
                    builder
                        .entry(&EntrySpec {
                            term: &e.term,
                            language: id,
                            no_forms: e.no_forms,
                            leet_only: e.leet_only,
                            needs_context: e.needs_context,
                            ordinary_in,
                            drop_vowels: severity >= 1,
                        })
                        .map_err(|err| at(err.to_string()))?;
                    entries_rs.push((severity, category, file.spec.code.clone(), e.term.clone()));
                }
                for (line, term) in &file.allow {
                    builder
                        .allow(id, term)
                        .map_err(|err| format!("{name}:{line}: {err}"))?;
                }
                for (language, word) in extra_allow.iter().filter(|(l, _)| *l == id) {
                    let _ = (language, builder.allow(id, word));
                }
            }
            Ok((
                builder.build(english.map(|en| (&vocabulary, en))),
                entries_rs,
            ))
        };

    let (first, _) = compile(&[])?;
    let terms: Vec<String> = languages
        .iter()
        .flat_map(|(_, f)| f.entries.iter().map(|e| e.term.clone()))
        .collect();
    // A language written without spaces matches anywhere, so each of its ordinary
    // words that contains an entry is a clean word to allow.
    let mut extra_allow = Vec::new();
    let mut problems = Vec::new();
    for (name, file) in &languages {
        let id = ids[&file.spec.code];
        for word in &file.ordinary {
            let hits = first.find(&Normalizer.skeleton(word), Some(&vocabulary));
            if hits.is_empty() {
                continue;
            }
            if file.spec.no_spaces {
                extra_allow.push((id, word.clone()));
            } else {
                let own: Vec<&str> = hits
                    .iter()
                    .filter(|h| first.language_of(h.entry) == file.spec.code)
                    .map(|h| terms[h.entry as usize].as_str())
                    .collect();
                if !own.is_empty() {
                    problems.push(format!(
                        "{name}: the ordinary word {word:?} matches its own entries {own:?}"
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let (lexicon, entries_rs) = compile(&extra_allow)?;

    std::fs::write(out.join("lexicon.bin"), lexicon.to_bytes()).map_err(|e| e.to_string())?;
    std::fs::write(out.join("vocabulary.fst"), vocabulary.as_bytes()).map_err(|e| e.to_string())?;
    // Terms as spans of one string and languages as indexes: a static of 10,000
    // `&str`s would cost the loader a relocation for each at every process start.
    let mut text = String::new();
    let mut rs = String::from("/// Every entry of the built-in lexicon, by entry id.\npub static ENTRIES: &[Entry] = &[\n");
    for (severity, category, code, term) in entries_rs {
        let language = LANGUAGES
            .iter()
            .position(|l| *l == code)
            .expect("checked above");
        let _ = writeln!(
            rs,
            "    Entry {{ severity: Severity::{}, category: Category::{}, language: {language}, term: ({}, {}) }},",
            capitalised(SEVERITIES[severity]),
            capitalised(CATEGORIES[category]),
            text.len(),
            term.len()
        );
        text.push_str(&term);
    }
    rs.push_str("];\n");
    let _ = writeln!(
        rs,
        "/// The terms of `ENTRIES`, one after another.\nstatic TERMS: &str = {text:?};"
    );
    let _ = writeln!(
        rs,
        "/// The languages of `ENTRIES`.\nstatic LANGUAGES: [&str; {}] = {LANGUAGES:?};",
        LANGUAGES.len()
    );
    std::fs::write(out.join("entries.rs"), rs).map_err(|e| e.to_string())?;
    Ok(())
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}
