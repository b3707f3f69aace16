//! A policy compiled for fast reviews: every automaton, regex and list is built here,
//! once; `Engine::review` only scans.

use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};

use crate::error::PolicyError;
use crate::lexicon::{Lexicon, LexiconBuilder};
use crate::links::{host_allowed, LinkFinder};
use crate::pii;
use crate::policy::{
    Action, Category, OnError, PiiType, Policy, RuleKind, RuleSpec, Settings, Severity,
};
use crate::rewrite::{self, Edit};
use crate::spam::{SpamLimits, TextStats};
use crate::text::{Normalizer, Skeleton};

/// Message and sender attributes, as IVS sends them.
pub type Attributes = BTreeMap<String, String>;

/// What a review needs to know about one message.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub content: &'a str,
    pub room_arn: &'a str,
    pub user_id: &'a str,
    pub sender_attributes: &'a Attributes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

/// Why the verdict is what it is, beyond the rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Rules,
    /// The sender has an exempt role: no rule ran.
    Exempt,
    /// The sender is on the blocked list.
    Blocked,
}

/// The outcome of one review.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub decision: Decision,
    pub basis: Basis,
    /// The rewritten content, when a rule masked or replaced something.
    pub content: Option<String>,
    /// The reason sent to the sender on DENY.
    pub reason: Option<String>,
    /// Attributes to add to the message's own.
    pub added_attributes: Vec<(String, String)>,
    pub matches: Vec<RuleMatch>,
}

/// One rule that matched, for logs and `--explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMatch {
    pub rule: Arc<str>,
    pub kind: RuleKind,
    pub action: Action,
    /// Byte range in the content.
    pub span: Range<usize>,
    /// What matched: the dictionary entry, the term, the host, the PII type, the limit.
    pub detail: String,
}

/// A compiled policy.
#[derive(Debug)]
pub struct Engine {
    normalizer: Normalizer,
    on_error: OnError,
    error_reason: String,
    defaults: Arc<RoomPolicy>,
    rooms: HashMap<String, Arc<RoomPolicy>>,
}

#[derive(Debug)]
struct RoomPolicy {
    exempt_roles: Vec<String>,
    role_attribute: String,
    blocked_users: HashSet<String>,
    blocked_reason: String,
    mask_char: char,
    flag_attribute: Option<String>,
    rewrite_attribute: Option<String>,
    rules: Vec<Arc<Rule>>,
}

#[derive(Debug)]
struct Rule {
    id: Arc<str>,
    kind: RuleKind,
    action: Action,
    reason: String,
    replacement: String,
    matcher: Matcher,
}

#[derive(Debug)]
enum Matcher {
    Profanity {
        dictionary: Arc<Lexicon<Entry>>,
        min: Severity,
        categories: Vec<Category>,
    },
    Terms(Lexicon<String>),
    Regex(Regex),
    Links {
        finder: Arc<LinkFinder>,
        allow: Vec<String>,
    },
    Pii(Vec<PiiType>),
    Spam(SpamLimits),
}

/// One entry of the built-in dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub severity: Severity,
    pub category: Category,
    pub term: &'static str,
}

const DICTIONARY: &str = include_str!("../data/profanity.txt");
const ALLOWLIST: &str = include_str!("../data/allowlist.txt");

/// Lines of a word list: trimmed, without blank lines and `#` comments.
fn list_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Builds the built-in dictionary with its allowlist.
fn build_dictionary(normalizer: Normalizer) -> Lexicon<Entry> {
    let mut builder = LexiconBuilder::new(normalizer);
    for line in list_lines(DICTIONARY) {
        let mut parts = line.splitn(3, ' ');
        let (Some(severity), Some(category), Some(term)) =
            (parts.next(), parts.next(), parts.next())
        else {
            panic!("bad dictionary line {line:?}");
        };
        let entry = Entry {
            severity: parse_word(severity),
            category: parse_word(category),
            term,
        };
        builder
            .term(term, entry)
            .expect("dictionary terms have letters");
    }
    for line in list_lines(ALLOWLIST) {
        builder.allow(line).expect("allowlist terms have letters");
    }
    builder.build()
}

fn parse_word<T: serde::de::DeserializeOwned>(word: &str) -> T {
    serde_json::from_value(serde_json::Value::String(word.to_owned()))
        .unwrap_or_else(|_| panic!("unknown dictionary word {word:?}"))
}

/// Resources shared by all rules of an engine, built on first use.
#[derive(Default)]
struct Compiler {
    normalizer: Normalizer,
    dictionary: OnceCell<Arc<Lexicon<Entry>>>,
    links: OnceCell<Arc<LinkFinder>>,
    base_dir: Option<std::path::PathBuf>,
}

impl Engine {
    /// The embedded default policy, compiled once per process.
    pub fn embedded_default() -> &'static Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        ENGINE.get_or_init(|| {
            Engine::compile(&Policy::embedded_default()).expect("the embedded policy compiles")
        })
    }

    /// Checks and compiles a policy.
    pub fn compile(policy: &Policy) -> Result<Engine, PolicyError> {
        if let Some(v) = policy.version.filter(|&v| v != 1) {
            return Err(PolicyError::invalid(
                "version",
                format!("version {v} is not supported; the only version is 1"),
            ));
        }
        if let Some(first) = policy.defaults.disable.first() {
            return Err(PolicyError::invalid(
                "defaults.disable",
                format!("only rooms can disable rules (found {first:?})"),
            ));
        }
        let compiler = Compiler {
            base_dir: policy.base_dir.clone(),
            ..Compiler::default()
        };
        let base = RoomPolicy::base();
        let defaults = Arc::new(compiler.room(&base, &policy.defaults, "defaults")?);
        let mut rooms = HashMap::new();
        for (key, settings) in &policy.rooms {
            let field = format!("rooms.{key:?}");
            check_room_key(key, &field)?;
            rooms.insert(
                key.clone(),
                Arc::new(compiler.room(&defaults, settings, &field)?),
            );
        }
        Ok(Engine {
            normalizer: compiler.normalizer,
            on_error: policy.on_error,
            error_reason: policy
                .error_reason
                .clone()
                .unwrap_or_else(|| "Message could not be reviewed.".to_owned()),
            defaults,
            rooms,
        })
    }

    /// Verdict for events that cannot be reviewed.
    pub fn on_error(&self) -> OnError {
        self.on_error
    }

    /// Reason sent with `on_error = "deny"`.
    pub fn error_reason(&self) -> &str {
        &self.error_reason
    }

    fn room(&self, room_arn: &str) -> &RoomPolicy {
        self.rooms
            .get(room_arn)
            .or_else(|| {
                let (_, id) = room_arn.rsplit_once('/')?;
                self.rooms.get(id)
            })
            .unwrap_or(&self.defaults)
    }

    /// Reviews one message.
    pub fn review(&self, msg: &Message<'_>) -> Verdict {
        let room = self.room(msg.room_arn);
        if room.blocked_users.contains(msg.user_id) {
            return Verdict::plain(
                Decision::Deny,
                Basis::Blocked,
                Some(room.blocked_reason.clone()),
            );
        }
        if room.is_exempt(msg.sender_attributes) {
            return Verdict::plain(Decision::Allow, Basis::Exempt, None);
        }

        let scan = Scan::new(msg.content, self.normalizer);
        let mut matches = Vec::new();
        let mut edits = Vec::new();
        let mut deny: Option<&Rule> = None;
        let mut flagged: Vec<&str> = Vec::new();
        let mut rewritten: Vec<&str> = Vec::new();
        for rule in &room.rules {
            let found = rule.find(&scan);
            if found.is_empty() {
                continue;
            }
            match rule.action {
                Action::Allow => {}
                Action::Deny => deny = deny.or(Some(rule)),
                Action::Flag => flagged.push(&rule.id),
                Action::Mask => {
                    rewritten.push(&rule.id);
                    for f in &found {
                        scan.push_masks(f, &mut edits);
                    }
                }
                Action::Replace => {
                    rewritten.push(&rule.id);
                    edits.extend(
                        found
                            .iter()
                            .map(|f| Edit::Replace(f.span.clone(), rule.replacement.as_str())),
                    );
                }
            }
            matches.extend(found.into_iter().map(|f| RuleMatch {
                rule: rule.id.clone(),
                kind: rule.kind,
                action: rule.action,
                span: f.span,
                detail: f.detail,
            }));
        }

        if let Some(rule) = deny {
            let mut verdict =
                Verdict::plain(Decision::Deny, Basis::Rules, Some(rule.reason.clone()));
            verdict.matches = matches;
            return verdict;
        }
        let mut added = Vec::new();
        let mut content = None;
        if !edits.is_empty() {
            let mut text = rewrite::apply(msg.content, &edits, room.mask_char);
            text.truncate(rewrite::truncate_chars(&text).len());
            content = Some(text);
            if let Some(name) = &room.rewrite_attribute {
                added.push((name.clone(), rewritten.join(",")));
            }
        }
        if let (Some(name), false) = (&room.flag_attribute, flagged.is_empty()) {
            added.push((name.clone(), flagged.join(",")));
        }
        Verdict {
            decision: Decision::Allow,
            basis: Basis::Rules,
            content,
            reason: None,
            added_attributes: added,
            matches,
        }
    }
}

impl Verdict {
    fn plain(decision: Decision, basis: Basis, reason: Option<String>) -> Self {
        Verdict {
            decision,
            basis,
            content: None,
            reason,
            added_attributes: Vec::new(),
            matches: Vec::new(),
        }
    }
}

fn check_room_key(key: &str, field: &str) -> Result<(), PolicyError> {
    let arn_like = key.starts_with("arn:") && key.contains(":room/");
    let id_like = !key.is_empty() && !key.contains([':', '/']);
    if arn_like || id_like {
        Ok(())
    } else {
        Err(PolicyError::invalid(
            field,
            "expected a room ARN (arn:aws:ivschat:REGION:ACCOUNT:room/ID) or a room ID",
        ))
    }
}

impl RoomPolicy {
    /// Settings before the policy's `defaults` apply.
    fn base() -> Self {
        RoomPolicy {
            exempt_roles: Vec::new(),
            role_attribute: "role".to_owned(),
            blocked_users: HashSet::new(),
            blocked_reason: "You are not allowed to send messages in this room.".to_owned(),
            mask_char: '*',
            flag_attribute: Some("flagged".to_owned()),
            rewrite_attribute: Some("moderated".to_owned()),
            rules: Vec::new(),
        }
    }

    /// Whether the sender's role attribute (a comma list) names an exempt role.
    fn is_exempt(&self, sender: &Attributes) -> bool {
        if self.exempt_roles.is_empty() {
            return false;
        }
        sender.get(&self.role_attribute).is_some_and(|roles| {
            roles.split(',').any(|role| {
                self.exempt_roles
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(role.trim()))
            })
        })
    }
}

/// An empty attribute name switches that attribute off.
fn attribute_name(name: &Option<String>, inherited: &Option<String>) -> Option<String> {
    match name {
        Some(n) if n.is_empty() => None,
        Some(n) => Some(n.clone()),
        None => inherited.clone(),
    }
}

impl Compiler {
    /// `settings` applied on top of `parent`.
    fn room(
        &self,
        parent: &RoomPolicy,
        settings: &Settings,
        field: &str,
    ) -> Result<RoomPolicy, PolicyError> {
        let mut rules = parent.rules.clone();
        for (i, id) in settings.disable.iter().enumerate() {
            let before = rules.len();
            rules.retain(|r| &*r.id != id);
            if rules.len() == before {
                return Err(PolicyError::invalid(
                    format!("{field}.disable[{i}]"),
                    format!("no inherited rule has id {id:?}"),
                ));
            }
        }
        let mut seen = HashSet::new();
        for (i, spec) in settings.rules.iter().enumerate() {
            let rule_field = format!("{field}.rules[{i}]");
            if !seen.insert(spec.id.as_str()) {
                return Err(PolicyError::invalid(
                    format!("{rule_field}.id"),
                    format!("rule id {:?} appears twice", spec.id),
                ));
            }
            let rule = Arc::new(self.rule(spec, &rule_field)?);
            match rules.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule,
                None => rules.push(rule),
            }
        }
        if let Some(c) = settings
            .mask_char
            .filter(|c| c.is_control() || c.is_whitespace())
        {
            return Err(PolicyError::invalid(
                format!("{field}.mask_char"),
                format!("{c:?} is not a visible character"),
            ));
        }
        let or = |value: &Option<String>, inherited: &String| {
            value.clone().unwrap_or_else(|| inherited.clone())
        };
        Ok(RoomPolicy {
            exempt_roles: settings
                .exempt_roles
                .clone()
                .unwrap_or_else(|| parent.exempt_roles.clone()),
            role_attribute: or(&settings.role_attribute, &parent.role_attribute),
            blocked_users: settings.blocked_users.as_ref().map_or_else(
                || parent.blocked_users.clone(),
                |u| u.iter().cloned().collect(),
            ),
            blocked_reason: or(&settings.blocked_reason, &parent.blocked_reason),
            mask_char: settings.mask_char.unwrap_or(parent.mask_char),
            flag_attribute: attribute_name(&settings.flag_attribute, &parent.flag_attribute),
            rewrite_attribute: attribute_name(
                &settings.rewrite_attribute,
                &parent.rewrite_attribute,
            ),
            rules,
        })
    }

    fn rule(&self, spec: &RuleSpec, field: &str) -> Result<Rule, PolicyError> {
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
        let matcher = match spec.kind {
            RuleKind::Profanity => Matcher::Profanity {
                dictionary: self
                    .dictionary
                    .get_or_init(|| Arc::new(build_dictionary(self.normalizer)))
                    .clone(),
                min: spec.severity.unwrap_or(Severity::Mild),
                categories: non_empty(&spec.categories, "categories", field)?.unwrap_or_default(),
            },
            RuleKind::Terms => Matcher::Terms(self.terms(spec, field)?),
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
                Matcher::Regex(regex)
            }
            RuleKind::Links => Matcher::Links {
                finder: self.links.get_or_init(Default::default).clone(),
                allow: domains(spec.allow_domains.as_deref().unwrap_or_default(), field)?,
            },
            RuleKind::Pii => Matcher::Pii(
                non_empty(&spec.types, "types", field)?
                    .unwrap_or_else(|| vec![PiiType::Email, PiiType::Phone, PiiType::Card]),
            ),
            RuleKind::Spam => {
                if spec.action == Action::Mask {
                    return Err(err("action", "spam rules judge the whole message and cannot mask; use deny, replace or flag".to_owned()));
                }
                Matcher::Spam(spam_limits(spec, field)?)
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
            matcher,
        })
    }

    fn terms(&self, spec: &RuleSpec, field: &str) -> Result<Lexicon<String>, PolicyError> {
        let mut builder = LexiconBuilder::new(self.normalizer);
        for (i, term) in spec.terms.iter().flatten().enumerate() {
            builder
                .term(term, term.clone())
                .map_err(|e| PolicyError::invalid(format!("{field}.terms[{i}]"), e.to_string()))?;
        }
        if let Some(file) = &spec.file {
            let path = match &self.base_dir {
                Some(dir) => dir.join(file),
                None => Path::new(file).to_path_buf(),
            };
            let text = std::fs::read_to_string(&path).map_err(|e| {
                PolicyError::invalid(
                    format!("{field}.file"),
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            for (line_no, line) in text.lines().enumerate() {
                let term = line.trim();
                if term.is_empty() || term.starts_with('#') {
                    continue;
                }
                builder.term(term, term.to_owned()).map_err(|e| {
                    PolicyError::invalid(
                        format!("{field}.file"),
                        format!("{} line {}: {e}", path.display(), line_no + 1),
                    )
                })?;
            }
        }
        let lexicon = builder.build();
        if lexicon.is_empty() {
            return Err(PolicyError::invalid(
                field,
                "a terms rule needs `terms` or a `file` with at least one term",
            ));
        }
        Ok(lexicon)
    }
}

/// Rejects fields that do not belong to the rule's kind, so that a misplaced
/// setting never silently does nothing.
fn check_fields(spec: &RuleSpec, field: &str) -> Result<(), PolicyError> {
    use RuleKind::*;
    let given: [(&str, bool, &[RuleKind]); 12] = [
        ("severity", spec.severity.is_some(), &[Profanity]),
        ("categories", spec.categories.is_some(), &[Profanity]),
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

/// What one rule found.
struct Found {
    span: Range<usize>,
    /// Skeleton runs behind a word-list match, whose characters a mask covers.
    runs: Option<Range<usize>>,
    detail: String,
}

/// Per-message state shared by the rules: the skeleton and dictionary hits, computed
/// at most once and only when a rule needs them.
struct Scan<'t> {
    text: &'t str,
    normalizer: Normalizer,
    skeleton: OnceCell<Skeleton>,
    dictionary_hits: OnceCell<Vec<(Entry, Range<usize>)>>,
    stats: OnceCell<TextStats>,
}

impl<'t> Scan<'t> {
    fn new(text: &'t str, normalizer: Normalizer) -> Self {
        Scan {
            text,
            normalizer,
            skeleton: OnceCell::new(),
            dictionary_hits: OnceCell::new(),
            stats: OnceCell::new(),
        }
    }

    fn skeleton(&self) -> &Skeleton {
        self.skeleton.get_or_init(|| {
            let spare = SPARE_SKELETON.take();
            self.normalizer.skeleton_in(self.text, spare)
        })
    }

    fn lexical(&self, runs: &Range<usize>, detail: String) -> Found {
        let units = self.skeleton().unit_spans(runs.clone());
        let start = units.first().map_or(0, |u| u.start as usize);
        let end = units.last().map_or(0, |u| u.end as usize);
        Found {
            span: start..end,
            runs: Some(runs.clone()),
            detail,
        }
    }

    /// Adds a mask for each character a mask replaces: the letters behind a word-list
    /// match, or the letters and digits of any other match (`***-***-****`,
    /// `**@*******.***`).
    fn push_masks(&self, found: &Found, edits: &mut Vec<Edit<'_>>) {
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

impl Drop for Scan<'_> {
    fn drop(&mut self) {
        if let Some(skeleton) = self.skeleton.take() {
            SPARE_SKELETON.set(skeleton);
        }
    }
}

thread_local! {
    /// The last message's skeleton, whose buffers the next message on this thread
    /// reuses instead of allocating and freeing three vectors per message.
    static SPARE_SKELETON: Cell<Skeleton> = const {
        Cell::new(Skeleton { bytes: Vec::new(), runs: Vec::new(), units: Vec::new() })
    };
}

impl Rule {
    fn find(&self, scan: &Scan<'_>) -> Vec<Found> {
        let text = scan.text;
        let span_only = |span: Range<usize>, detail: String| Found {
            span,
            runs: None,
            detail,
        };
        match &self.matcher {
            Matcher::Profanity {
                dictionary,
                min,
                categories,
            } => {
                let hits = scan.dictionary_hits.get_or_init(|| {
                    dictionary
                        .find(scan.skeleton())
                        .into_iter()
                        .map(|h| (*h.payload, h.runs))
                        .collect()
                });
                hits.iter()
                    .filter(|(e, _)| {
                        e.severity >= *min
                            && (categories.is_empty() || categories.contains(&e.category))
                    })
                    .map(|(e, runs)| scan.lexical(runs, e.term.to_owned()))
                    .collect()
            }
            Matcher::Terms(lexicon) => lexicon
                .find(scan.skeleton())
                .iter()
                .map(|h| scan.lexical(&h.runs, h.payload.clone()))
                .collect(),
            Matcher::Regex(regex) => regex
                .find_iter(text)
                .filter(|m| !m.is_empty())
                .map(|m| span_only(m.range(), String::new()))
                .collect(),
            Matcher::Links { finder, allow } => finder
                .find(text)
                .into_iter()
                .filter(|l| !host_allowed(&l.host, allow))
                .map(|l| span_only(l.span, l.host))
                .collect(),
            Matcher::Pii(types) => pii::find(text, types)
                .into_iter()
                .map(|(span, kind)| span_only(span, format!("{kind:?}").to_ascii_lowercase()))
                .collect(),
            Matcher::Spam(limits) => limits
                .check(scan.stats.get_or_init(|| TextStats::of(text)))
                .map(|detail| span_only(0..text.len(), detail))
                .into_iter()
                .collect(),
        }
    }
}
