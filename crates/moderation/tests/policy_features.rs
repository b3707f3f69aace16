//! Policy features: rooms, exemptions, blocked users, actions and their precedence,
//! every rule kind, and the errors an operator sees.

use moderation::{Action, Attributes, Basis, Decision, Engine, Message, Policy, Verdict};

const ROOM_A: &str = "arn:aws:ivschat:eu-west-1:111122223333:room/RoomA";
const ROOM_B: &str = "arn:aws:ivschat:eu-west-1:111122223333:room/RoomB";

fn engine(toml: &str) -> Engine {
    Engine::compile(&Policy::from_toml(toml).unwrap()).unwrap()
}

fn compile_error(toml: &str) -> String {
    let policy = match Policy::from_toml(toml) {
        Ok(p) => p,
        Err(e) => return e.to_string(),
    };
    Engine::compile(&policy).unwrap_err().to_string()
}

fn review_in(engine: &Engine, room: &str, user: &str, role: Option<&str>, text: &str) -> Verdict {
    let mut attrs = Attributes::new();
    if let Some(role) = role {
        attrs.insert("role".into(), role.into());
    }
    engine.review(&Message {
        content: text,
        room_arn: room,
        user_id: user,
        sender_attributes: &attrs,
    })
}

fn review(engine: &Engine, text: &str) -> Verdict {
    review_in(engine, ROOM_A, "u1", None, text)
}

const ROOMS: &str = r##"
[defaults]
exempt_roles = ["moderator"]
blocked_users = ["troll"]
[[defaults.rules]]
id = "words"
kind = "terms"
terms = ["banana"]
action = "mask"
[[defaults.rules]]
id = "links"
kind = "links"
action = "deny"

[rooms."arn:aws:ivschat:eu-west-1:111122223333:room/RoomB"]
disable = ["links"]
mask_char = "#"
[[rooms."arn:aws:ivschat:eu-west-1:111122223333:room/RoomB".rules]]
id = "words"
kind = "terms"
terms = ["cherry"]
action = "deny"
reason = "no cherries"

[rooms.RoomC]
blocked_users = []
"##;

#[test]
fn rooms_inherit_replace_and_disable_rules() {
    let e = engine(ROOMS);
    // Room A: defaults.
    assert_eq!(review(&e, "a banana").rewritten(), Some("a ******"));
    assert!(review(&e, "see x.com").is_denied());
    // Room B: `words` replaced, `links` disabled.
    let v = review_in(&e, ROOM_B, "u1", None, "a banana from x.com");
    assert!(!v.is_denied());
    let v = review_in(&e, ROOM_B, "u1", None, "a cherry");
    assert_eq!(v.reason(), Some("no cherries"));
}

#[test]
fn rooms_can_be_keyed_by_room_id() {
    let e = engine(ROOMS);
    let room_c = "arn:aws:ivschat:eu-west-1:111122223333:room/RoomC";
    assert!(!review_in(&e, room_c, "troll", None, "hi").is_denied());
    assert_eq!(
        review_in(&e, ROOM_A, "troll", None, "hi").basis,
        Basis::Blocked
    );
}

#[test]
fn blocked_users_are_denied_even_when_exempt() {
    let e = engine(ROOMS);
    let v = review_in(&e, ROOM_A, "troll", Some("moderator"), "hello");
    assert!(v.is_denied());
    assert_eq!(v.basis, Basis::Blocked);
}

#[test]
fn exempt_roles_skip_rules() {
    let e = engine(ROOMS);
    let v = review_in(&e, ROOM_A, "m", Some("moderator"), "banana at x.com");
    assert_eq!((v.decision, v.basis), (Decision::Allow, Basis::Exempt));
    let v = review_in(&e, ROOM_A, "m", Some("moderators"), "banana");
    assert_eq!(v.basis, Basis::Rules, "roles compare whole");
}

const ACTIONS: &str = r#"
[defaults]
flag_attribute = "Review"
rewrite_attribute = "Edited"
[[defaults.rules]]
id = "flagger"
kind = "terms"
terms = ["maybe"]
action = "flag"
[[defaults.rules]]
id = "masker"
kind = "terms"
terms = ["*apple*"]
action = "mask"
[[defaults.rules]]
id = "replacer"
kind = "regex"
pattern = "secret-\\d+"
action = "replace"
replacement = "[redacted]"
[[defaults.rules]]
id = "denier"
kind = "terms"
terms = ["forbidden"]
action = "deny"
reason = "nope"
[[defaults.rules]]
id = "watcher"
kind = "terms"
terms = ["hello"]
action = "allow"
"#;

#[test]
fn flag_keeps_content_and_adds_the_named_attribute() {
    let v = review(&engine(ACTIONS), "maybe later");
    assert_eq!(v.decision, Decision::Allow);
    assert_eq!(
        v.added_attributes,
        [("Review".to_owned(), "flagger".to_owned())]
    );
}

#[test]
fn rewrites_apply_together_and_outrank_flags() {
    let v = review(&engine(ACTIONS), "maybe pineapples, code SECRET-42 ok");
    assert_eq!(v.rewritten(), Some("maybe pine*****s, code [redacted] ok"));
    assert_eq!(
        v.added_attributes,
        [
            ("Edited".to_owned(), "masker,replacer".to_owned()),
            ("Review".to_owned(), "flagger".to_owned())
        ]
    );
}

#[test]
fn deny_outranks_everything() {
    let v = review(&engine(ACTIONS), "maybe apple forbidden secret-1");
    assert!(v.is_denied());
    assert_eq!(v.reason(), Some("nope"));
    assert_eq!(v.rewritten(), None);
    assert_eq!(
        v.matches.len(),
        4,
        "every match is reported: {:?}",
        v.matches
    );
}

#[test]
fn allow_records_without_changing_anything() {
    let v = review(&engine(ACTIONS), "hello");
    assert_eq!(v.decision, Decision::Allow);
    assert!(v.added_attributes.is_empty());
    assert_eq!(v.matches[0].action, Action::Allow);
}

#[test]
fn empty_attribute_names_switch_attributes_off() {
    let e = engine(
        r#"[defaults]
flag_attribute = ""
[[defaults.rules]]
id = "f"
kind = "terms"
terms = ["x1"]
action = "flag""#,
    );
    assert!(review(&e, "x1").added_attributes.is_empty());
}

#[test]
fn overlapping_rewrites_merge() {
    let e = engine(
        r#"[[defaults.rules]]
id = "r"
kind = "regex"
pattern = "abc"
action = "replace"
replacement = "X"
[[defaults.rules]]
id = "m"
kind = "terms"
terms = ["*bcd*"]
action = "mask""#,
    );
    assert_eq!(review(&e, "abcde").rewritten(), Some("X*e"));
}

#[test]
fn terms_from_a_file_relative_to_the_policy() {
    let dir = std::env::temp_dir().join(format!("moderation-terms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("words.txt"),
        "# comment\n\nspoiler*\n*zzz*\nthe end\n",
    )
    .unwrap();
    let policy_path = dir.join("policy.toml");
    std::fs::write(
        &policy_path,
        "[[defaults.rules]]\nid = \"t\"\nkind = \"terms\"\nfile = \"words.txt\"\naction = \"mask\"\n",
    )
    .unwrap();
    let e = Engine::compile(&Policy::from_path(&policy_path).unwrap()).unwrap();
    assert_eq!(
        review(&e, "SPOILERS: abzzzcd, The  End").rewritten(),
        Some("*******S: ab***cd, ***  ***")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn terms_in_every_script() {
    let e = engine(
        r#"[[defaults.rules]]
id = "t"
kind = "terms"
terms = ["傻逼", "ばか", "씨발", "كلب", "चूतिया", "שרמוטה", "ไอ้สัส"]
action = "mask"
"#,
    );
    for (text, masked) in [
        ("你是傻逼", "你是**"),
        ("この バカ", "この **"),
        ("아 씨발", "아 **"),
        ("يا كلب", "يا ***"),
        ("तू चूतिया है", "तू ****** है"),
        ("את שרמוטה", "את ******"),
        ("ไอ้สัส", "******"),
    ] {
        assert_eq!(review(&e, text).rewritten(), Some(masked), "{text}");
    }
}

#[test]
fn term_files_must_be_regular_files() {
    let toml = "[[defaults.rules]]\nid = \"t\"\nkind = \"terms\"\nfile = \"/dev/zero\"\naction = \"mask\"\n";
    assert!(
        compile_error(toml).contains("not a regular file"),
        "{}",
        compile_error(toml)
    );
}

#[test]
fn regex_is_case_insensitive_unless_asked() {
    let base = "[[defaults.rules]]\nid = \"r\"\nkind = \"regex\"\npattern = \"buy now\"\naction = \"deny\"\n";
    assert!(review(&engine(base), "BUY NOW").is_denied());
    let strict = format!("{base}case_sensitive = true\n");
    assert!(!review(&engine(&strict), "BUY NOW").is_denied());
}

#[test]
fn link_allowlist() {
    let e = engine(
        "[[defaults.rules]]\nid = \"l\"\nkind = \"links\"\nallow_domains = [\"*.Twitch.tv\"]\naction = \"deny\"\n",
    );
    assert!(!review(&e, "https://www.twitch.tv/x").is_denied());
    assert!(review(&e, "https://twitch.tv.evil.com/x").is_denied());
}

#[test]
fn profanity_severity_and_categories_select_entries() {
    let strict =
        engine("[[defaults.rules]]\nid = \"p\"\nkind = \"profanity\"\naction = \"mask\"\n");
    assert_eq!(review(&strict, "damn").rewritten(), Some("****"));
    let lenient = engine(
        "[[defaults.rules]]\nid = \"p\"\nkind = \"profanity\"\nseverity = \"severe\"\naction = \"mask\"\n",
    );
    assert_eq!(review(&lenient, "damn shit").rewritten(), None);
    let sexual = engine(
        "[[defaults.rules]]\nid = \"p\"\nkind = \"profanity\"\ncategories = [\"sexual\"]\naction = \"mask\"\n",
    );
    assert_eq!(
        review(&sexual, "fuck boobs").rewritten(),
        Some("fuck *****")
    );
}

#[test]
fn json_policies_work_too() {
    let policy = Policy::from_json(
        r#"{"defaults":{"rules":[{"id":"t","kind":"terms","terms":["kiwi"],"action":"deny"}]}}"#,
    )
    .unwrap();
    let e = Engine::compile(&policy).unwrap();
    assert!(review(&e, "kiwi").is_denied());
}

#[test]
fn errors_name_the_field_and_the_problem() {
    let cases: &[(&str, &str)] = &[
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"terms\"\naction = \"replace\"\nterms = [\"a\"]",
            "defaults.rules[0].replacement: action \"replace\" needs a replacement text",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"terms\"\naction = \"deny\"\npattern = \"a\"\nterms = [\"a\"]",
            "defaults.rules[0].pattern: does not apply to kind \"terms\"",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"regex\"\naction = \"deny\"\npattern = \"(\"",
            "defaults.rules[0].pattern: regex parse error",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"terms\"\naction = \"deny\"\nterms = [\"!!\"]",
            "defaults.rules[0].terms[0]: term \"!!\" has no letters or digits",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"terms\"\naction = \"deny\"",
            "defaults.rules[0]: a terms rule needs",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"terms\"\naction = \"deny\"\nfile = \"/nonexistent/words.txt\"",
            "defaults.rules[0].file: cannot read /nonexistent/words.txt",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"spam\"\naction = \"mask\"\nmax_repeat = 5",
            "defaults.rules[0].action: spam rules judge the whole message and cannot mask",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"spam\"\naction = \"deny\"\nmax_caps_ratio = 1.5",
            "defaults.rules[0].max_caps_ratio: must be a share above 0",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"links\"\naction = \"deny\"\nallow_domains = [\"https://a.com/\"]",
            "defaults.rules[0].allow_domains[0]: expected a domain name",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"pii\"\naction = \"mask\"\n[[defaults.rules]]\nid = \"x\"\nkind = \"pii\"\naction = \"mask\"",
            "defaults.rules[1].id: rule id \"x\" appears twice",
        ),
        (
            "[rooms.\"arn:aws:ivschat:eu-west-1:1:room/r\"]\ndisable = [\"lnks\"]",
            "rooms.\"arn:aws:ivschat:eu-west-1:1:room/r\".disable[0]: no inherited rule has id \"lnks\"",
        ),
        (
            "[rooms.\"bad/key\"]\n",
            "rooms.\"bad/key\": expected a room ARN",
        ),
        ("[defaults]\nmask_char = \" \"", "defaults.mask_char: ' ' is not a visible character"),
        ("version = 2", "version: version 2 is not supported"),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"spam\"\naction = \"replace\"\nreplacement = \"\"\nmax_repeat = 5",
            "defaults.rules[0].replacement: must not be empty",
        ),
        (
            "[[defaults.rules]]\nid = \"x\"\nkind = \"profanity\"\naction = \"deny\"\nseverity = \"extreme\"",
            "defaults.rules[0].severity: unknown variant `extreme`",
        ),
    ];
    for (toml, expected) in cases {
        let err = compile_error(toml);
        assert!(
            err.contains(expected),
            "for {toml:?}\n got: {err}\nwant: {expected}"
        );
        assert!(!err.contains('\n'), "one line: {err}");
    }
}

#[test]
fn escalation_is_inherited_replaced_or_switched_off_per_room() {
    let e = engine(
        r#"
[defaults.escalation]
strikes = 3
window_minutes = 10
timeout_minutes = 15
[rooms.RoomB.escalation]
strikes = 0
window_minutes = 1
timeout_minutes = 1
[rooms.RoomC.escalation]
strikes = 2
window_minutes = 1
timeout_minutes = 60
"#,
    );
    let defaults = e.escalation(ROOM_A).unwrap();
    assert_eq!(
        (
            defaults.strikes,
            defaults.window_seconds,
            defaults.timeout_seconds
        ),
        (3, 600, 900)
    );
    assert_eq!(e.escalation(ROOM_B), None, "strikes = 0 switches it off");
    let c = e
        .escalation("arn:aws:ivschat:eu-west-1:111122223333:room/RoomC")
        .unwrap();
    assert_eq!((c.strikes, c.timeout_seconds), (2, 3600));
    assert_eq!(engine("").escalation(ROOM_A), None, "off by default");
}

#[test]
fn escalation_limits_name_the_field() {
    let error = |body: &str| compile_error(&format!("[defaults.escalation]\n{body}"));
    assert!(
        error("strikes = 101\nwindow_minutes = 1\ntimeout_minutes = 1")
            .contains("defaults.escalation.strikes")
    );
    assert!(
        error("strikes = 3\nwindow_minutes = 0\ntimeout_minutes = 1")
            .contains("defaults.escalation.window_minutes")
    );
    assert!(
        error("strikes = 3\nwindow_minutes = 1\ntimeout_minutes = 50000")
            .contains("defaults.escalation.timeout_minutes")
    );
    assert!(error("strikes = 3\nwindow_minutes = 1").contains("timeout_minutes"));
}
