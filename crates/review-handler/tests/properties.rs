//! Property tests: no event, however malformed, makes the handler panic or answer
//! with anything but a valid IVS response.

use moderation::{Engine, Policy};
use proptest::prelude::*;
use review_handler::handler::{review_raw, review_value};
use review_handler::ivs::ReviewResult;
use serde_json::{json, Value};

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("Content".to_owned()),
                    Just("Attributes".to_owned()),
                    Just("Sender".to_owned()),
                    Just("UserId".to_owned()),
                    any::<String>()
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Text that exercises the normaliser: evasions, scripts, emoji, invisible characters.
fn chat_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("fuck".to_owned()),
        Just("f.u.c.k".to_owned()),
        Just("ѕһіт".to_owned()),
        Just("n1gger".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("\u{0336}".to_owned()),
        Just("👋🏽".to_owned()),
        Just("日本".to_owned()),
        Just("a@b.co".to_owned()),
        Just("4539 1488 0343 6467".to_owned()),
        Just("x.com".to_owned()),
        Just(" ".to_owned()),
        "[a-zA-Z0-9 .!@$|_-]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn base_event(content: &str) -> Value {
    json!({"Content": content, "MessageId": "m", "RoomArn": "arn:aws:ivschat:us-east-1:1:room/r",
           "Attributes": {"k": "v"}, "Sender": {"UserId": "u", "Attributes": {}}})
}

fn assert_valid(engine: &Engine, event_desc: &str, out: &review_handler::handler::Outcome) {
    let r = &out.response;
    assert!(
        r.content.chars().count() <= 500,
        "content over 500 code points for {event_desc}"
    );
    if r.review_result == ReviewResult::Deny {
        assert!(
            r.attributes.contains_key("Reason"),
            "DENY without Reason for {event_desc}"
        );
    }
    if matches!(out.review, review_handler::handler::Review::Malformed(_)) {
        let expected = match engine.on_error() {
            moderation::OnError::Allow => ReviewResult::Allow,
            moderation::OnError::Deny => ReviewResult::Deny,
        };
        assert_eq!(r.review_result, expected);
    }
    // The response serialises to the exact IVS shape.
    let v = serde_json::to_value(r).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 3);
}

fn engines() -> [Engine; 2] {
    let allow = Policy::from_toml("on_error = \"allow\"").unwrap();
    [
        Engine::compile(&Policy::embedded_default()).unwrap(),
        Engine::compile(&allow).unwrap(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_json_never_panics(event in any_json()) {
        for engine in &engines() {
            let out = review_value(engine, &event);
            assert_valid(engine, &event.to_string(), &out);
        }
    }

    #[test]
    fn random_bytes_never_panic(raw in any::<String>()) {
        for engine in &engines() {
            assert_valid(engine, &raw, &review_raw(engine, &raw));
        }
    }

    #[test]
    fn mutated_events_never_panic(
        content in chat_text(),
        field in prop::sample::select(vec!["Content", "MessageId", "RoomArn", "Attributes", "Sender"]),
        replacement in any_json(),
        drop in any::<bool>(),
    ) {
        let mut event = base_event(&content);
        if drop {
            event.as_object_mut().unwrap().remove(field);
        } else {
            event[field] = replacement;
        }
        for engine in &engines() {
            assert_valid(engine, &event.to_string(), &review_value(engine, &event));
        }
    }

    /// With the default policy (masks only), a rewrite changes characters into `*`
    /// one for one and keeps every other character in place.
    #[test]
    fn masking_only_replaces_characters_with_the_mask(content in chat_text()) {
        let engine = Engine::embedded_default();
        let content: String = content.chars().take(500).collect();
        let out = review_value(engine, &base_event(&content));
        assert_valid(engine, &content, &out);
        if out.response.review_result == ReviewResult::Allow {
            let before: Vec<char> = content.chars().collect();
            let after: Vec<char> = out.response.content.chars().collect();
            prop_assert_eq!(before.len(), after.len());
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a == b || *a == '*', "{:?} became {:?}", b, a);
            }
            prop_assert_eq!(&out.response.attributes["k"], "v");
        }
    }
}
