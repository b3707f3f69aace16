//! Bans and timeouts from chat-auth's table, enforced on every message: a sanctioned
//! sender's messages are denied with the sanction's reason (and end, for a timeout).
//! With the policy's `escalation`, messages the rules deny count as strikes, and enough
//! of them time the sender out. Each lookup or write has a deadline, so a slow or
//! failed table never makes IVS wait past its 200 ms: the content verdict then stands,
//! and the failure is logged. Answers are cached briefly per sender, which bounds how
//! long a new ban takes to reach a warm instance (the cache time plus one read).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chat_state::{room_id, Sanction, SanctionStore, StateError};
use moderation::{Basis, Decision, Engine, Escalation};

use crate::handler::{Outcome, Review, REASON_ATTRIBUTE};
use crate::ivs::ReviewResult;

/// Senders remembered at most; the cache starts over past it.
const MAX_CACHED: usize = 10_000;

/// Where a sender stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Clear,
    Sanctioned(Sanction),
    /// The store did not answer in time or failed: the content verdict stands.
    Unknown(String),
}

type Key = (String, String);

/// What enforcement did to one message, for its log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enforcement {
    pub standing: Standing,
    /// With escalation on and the message denied by the rules: the timeout it led to
    /// (`Ok(None)`: a strike, no timeout yet), or why the strike could not be counted.
    pub escalation: Option<Result<Option<Sanction>, String>>,
}

/// Looks sanctions up with a deadline and a short cache.
pub struct Enforcer<S> {
    store: S,
    deadline: Duration,
    cache_for: Duration,
    cache: Mutex<HashMap<Key, (Instant, Option<Sanction>)>>,
}

impl<S: SanctionStore> Enforcer<S> {
    pub fn new(store: S, deadline: Duration, cache_for: Duration) -> Self {
        Enforcer {
            store,
            deadline,
            cache_for,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Enforces the sender's standing on a reviewed message: a sanction denies it; a
    /// message the rules deny is a strike when the room escalates.
    pub async fn enforce(
        &self,
        engine: &Engine,
        outcome: &mut Outcome,
        room: &str,
        user_id: &str,
        now: u64,
    ) -> Enforcement {
        // One deadline for the lookup and the strike together.
        let until = tokio::time::Instant::now() + self.deadline;
        let standing = self.lookup(room, user_id, now, until).await;
        if let Standing::Sanctioned(sanction) = &standing {
            deny(outcome, sanction);
        }
        let denied_by_rules = matches!(&outcome.review, Review::Reviewed(v)
            if v.basis == Basis::Rules && matches!(v.decision, Decision::Deny(_)));
        // Strikes only for senders known to be in good standing: when the lookup failed,
        // the table is slow or down and the deadline is spent.
        let escalation = match (&standing, engine.escalation(room)) {
            (Standing::Clear, Some(rules)) if denied_by_rules => {
                Some(self.escalate(room, user_id, now, rules, until).await)
            }
            _ => None,
        };
        Enforcement {
            standing,
            escalation,
        }
    }

    /// Counts one strike and, at the threshold, times the sender out (and remembers it,
    /// so the sender's next message here is denied without a read).
    async fn escalate(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
        rules: Escalation,
        until: tokio::time::Instant,
    ) -> Result<Option<Sanction>, String> {
        let work = async {
            let count = self
                .store
                .strike(room, user_id, now, rules.window_seconds)
                .await?;
            if count < rules.strikes {
                return Ok::<_, StateError>(None);
            }
            let sanction = Sanction {
                room: room_id(room).to_owned(),
                user_id: user_id.to_owned(),
                reason: format!(
                    "{count} messages denied within {} minutes",
                    rules.window_seconds / 60
                ),
                by: "escalation".to_owned(),
                created_at: now,
                until: Some(now.saturating_add(rules.timeout_seconds)),
            };
            // A ban or a longer timeout already there stays.
            if !self.store.impose_unless_longer(&sanction).await? {
                return Ok(None);
            }
            self.remember(
                (room_id(room).to_owned(), user_id.to_owned()),
                Some(sanction.clone()),
            );
            Ok(Some(sanction))
        };
        match tokio::time::timeout_at(until, work).await {
            Ok(done) => done.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {} ms", self.deadline.as_millis())),
        }
    }

    /// One read of an item that does not exist, to open the connection early; its
    /// answer does not matter.
    pub async fn warm_up(&self) {
        let read = self.store.active("warm-up", "warm-up", 0);
        let _ = tokio::time::timeout(Duration::from_secs(1), read).await;
    }

    /// Where `user_id` stands in `room` at `now` (Unix seconds).
    pub async fn standing(&self, room: &str, user_id: &str, now: u64) -> Standing {
        self.lookup(
            room,
            user_id,
            now,
            tokio::time::Instant::now() + self.deadline,
        )
        .await
    }

    /// The standing, from the cache or a read that must end by `until`.
    async fn lookup(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
        until: tokio::time::Instant,
    ) -> Standing {
        let key = (room_id(room).to_owned(), user_id.to_owned());
        if let Some(known) = self.cached(&key) {
            return standing(known.filter(|s| s.is_active(now)));
        }
        match tokio::time::timeout_at(until, self.store.active(room, user_id, now)).await {
            Ok(Ok(found)) => {
                self.remember(key, found.clone());
                standing(found)
            }
            Ok(Err(e)) => Standing::Unknown(e.to_string()),
            Err(_) => {
                Standing::Unknown(format!("no answer within {} ms", self.deadline.as_millis()))
            }
        }
    }

    fn remember(&self, key: Key, found: Option<Sanction>) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(key, (Instant::now(), found));
        }
    }

    fn cached(&self, key: &Key) -> Option<Option<Sanction>> {
        let cache = self.cache.lock().ok()?;
        let (at, found) = cache.get(key)?;
        (at.elapsed() < self.cache_for).then(|| found.clone())
    }
}

fn standing(found: Option<Sanction>) -> Standing {
    found.map_or(Standing::Clear, Standing::Sanctioned)
}

/// What the sender reads when a sanction denies the message.
pub fn reason(s: &Sanction) -> String {
    match s.until {
        None => format!("You are banned from this room: {}", s.reason),
        Some(until) => format!("You are timed out until {} UTC: {}", utc(until), s.reason),
    }
}

/// `YYYY-MM-DD HH:MM:SS` for Unix seconds (civil-from-days, proleptic Gregorian).
fn utc(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// Turns the outcome into a DENY with the sanction's reason.
fn deny(outcome: &mut Outcome, sanction: &Sanction) {
    outcome.response.review_result = ReviewResult::Deny;
    outcome
        .response
        .attributes
        .insert(REASON_ATTRIBUTE.to_owned(), reason(sanction));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_state::{MemoryStore, StateError};

    const ARN: &str = "arn:aws:ivschat:us-east-1:123456789012:room/R1";

    fn timeout(until: Option<u64>) -> Sanction {
        Sanction {
            room: "R1".into(),
            user_id: "troll".into(),
            reason: "spam".into(),
            by: "mod".into(),
            created_at: 1_000,
            until,
        }
    }

    /// A store that answers after `delay`, or fails.
    struct Slow(Duration, Option<Sanction>);

    impl SanctionStore for Slow {
        async fn active(&self, _: &str, _: &str, _: u64) -> Result<Option<Sanction>, StateError> {
            tokio::time::sleep(self.0).await;
            Ok(self.1.clone())
        }
        async fn impose(&self, _: &Sanction) -> Result<(), StateError> {
            Ok(())
        }
        async fn impose_unless_longer(&self, _: &Sanction) -> Result<bool, StateError> {
            Ok(false)
        }
        async fn lift(&self, _: &str, _: &str, _: u64) -> Result<bool, StateError> {
            Ok(false)
        }
        async fn list(&self, _: &str, _: u64) -> Result<Vec<Sanction>, StateError> {
            Ok(Vec::new())
        }
        async fn strike(&self, _: &str, _: &str, _: u64, _: u64) -> Result<u32, StateError> {
            tokio::time::sleep(self.0).await;
            Ok(1)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_store_is_given_up_at_the_deadline() {
        let enforcer = Enforcer::new(
            Slow(Duration::from_secs(5), Some(timeout(None))),
            Duration::from_millis(50),
            Duration::ZERO,
        );
        let started = tokio::time::Instant::now();
        let standing = enforcer.standing(ARN, "troll", 2_000).await;
        assert_eq!(standing, Standing::Unknown("no answer within 50 ms".into()));
        assert_eq!(started.elapsed(), Duration::from_millis(50));
    }

    #[tokio::test(start_paused = true)]
    async fn the_lookup_and_the_strike_share_one_deadline() {
        let policy = "[defaults.escalation]\nstrikes = 1\nwindow_minutes = 1\ntimeout_minutes = 1\n\
            [[defaults.rules]]\nid = \"t\"\nkind = \"terms\"\nterms = [\"spamword\"]\naction = \"deny\"\n";
        let engine = Engine::compile(&moderation::Policy::from_toml(policy).unwrap()).unwrap();
        let enforcer = Enforcer::new(
            Slow(Duration::from_millis(40), None),
            Duration::from_millis(50),
            Duration::ZERO,
        );
        let mut outcome = crate::handler::review_raw(&engine, &event("troll", "spamword"));
        let started = tokio::time::Instant::now();
        let done = enforcer
            .enforce(&engine, &mut outcome, ARN, "troll", 1_000)
            .await;
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(50),
            "40 + 40 ms cut at 50"
        );
        assert_eq!(done.standing, Standing::Clear);
        assert_eq!(done.escalation, Some(Err("no answer within 50 ms".into())));
    }

    #[tokio::test]
    async fn sanctions_are_found_cached_and_expire() {
        let store = MemoryStore::new();
        store.impose(&timeout(Some(1_600))).await.unwrap();
        let enforcer = Enforcer::new(store, Duration::from_millis(50), Duration::from_secs(60));
        let Standing::Sanctioned(found) = enforcer.standing(ARN, "troll", 1_500).await else {
            panic!("not found");
        };
        assert_eq!(
            reason(&found),
            "You are timed out until 1970-01-01 00:26:40 UTC: spam"
        );
        assert_eq!(
            enforcer.standing("R1", "troll", 1_599).await,
            Standing::Sanctioned(found)
        );
        assert_eq!(
            enforcer.standing(ARN, "troll", 1_600).await,
            Standing::Clear,
            "over, even when cached"
        );
        assert_eq!(
            enforcer.standing(ARN, "someone", 1_500).await,
            Standing::Clear
        );
    }

    #[tokio::test]
    async fn the_cache_lasts_only_its_time() {
        let enforcer = Enforcer::new(
            MemoryStore::new(),
            Duration::from_millis(50),
            Duration::ZERO,
        );
        assert_eq!(
            enforcer.standing(ARN, "troll", 1_500).await,
            Standing::Clear
        );
        enforcer.store.impose(&timeout(None)).await.unwrap();
        assert!(matches!(
            enforcer.standing(ARN, "troll", 1_500).await,
            Standing::Sanctioned(_)
        ));
    }

    fn event(user: &str, text: &str) -> String {
        serde_json::json!({"Content": text, "MessageId": "m", "RoomArn": ARN, "Attributes": {},
            "Sender": {"UserId": user, "Attributes": {}}})
        .to_string()
    }

    #[tokio::test]
    async fn repeated_denials_time_the_sender_out() {
        let policy = "[defaults.escalation]\nstrikes = 2\nwindow_minutes = 10\ntimeout_minutes = 5\n\
            [[defaults.rules]]\nid = \"t\"\nkind = \"terms\"\nterms = [\"spamword\"]\naction = \"deny\"\n";
        let engine = Engine::compile(&moderation::Policy::from_toml(policy).unwrap()).unwrap();
        let enforcer = Enforcer::new(
            MemoryStore::new(),
            Duration::from_millis(50),
            Duration::from_secs(60),
        );
        let run = |text: &'static str, now: u64| {
            let engine = &engine;
            let enforcer = &enforcer;
            async move {
                let mut outcome = crate::handler::review_raw(engine, &event("troll", text));
                let done = enforcer
                    .enforce(engine, &mut outcome, ARN, "troll", now)
                    .await;
                (outcome.response, done)
            }
        };
        let (response, done) = run("hello", 1_000).await;
        assert_eq!(
            (response.review_result, done.escalation),
            (ReviewResult::Allow, None)
        );
        let (_, done) = run("spamword", 1_001).await;
        assert_eq!(done.escalation, Some(Ok(None)), "one strike");
        let (response, done) = run("spamword again", 1_002).await;
        assert_eq!(response.review_result, ReviewResult::Deny);
        let Some(Ok(Some(timeout))) = done.escalation else {
            panic!("no timeout: {done:?}");
        };
        assert_eq!(
            (timeout.until, timeout.by.as_str()),
            (Some(1_302), "escalation")
        );
        let (response, done) = run("hello", 1_003).await;
        assert_eq!(response.review_result, ReviewResult::Deny, "timed out");
        assert_eq!(
            response.attributes[REASON_ATTRIBUTE],
            "You are timed out until 1970-01-01 00:21:42 UTC: 2 messages denied within 10 minutes"
        );
        assert_eq!(
            done.escalation, None,
            "a sanctioned message is no new strike"
        );
        let (response, _) = run("hello", 1_302).await;
        assert_eq!(
            response.review_result,
            ReviewResult::Allow,
            "the timeout is over"
        );
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_800_000_000), "2027-01-15 08:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(
            reason(&timeout(None)),
            "You are banned from this room: spam"
        );
    }
}
