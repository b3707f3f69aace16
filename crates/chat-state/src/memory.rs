//! The store in one process's memory: for unit tests, and for `chat-auth serve`
//! without a table (state then ends with the process).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::sanction::{room_id, Sanction, SanctionStore, StateError};

type Key = (String, String);

/// Sanctions and strike windows behind one lock.
#[derive(Debug, Default)]
pub struct MemoryStore {
    sanctions: Mutex<HashMap<Key, Sanction>>,
    /// (count, window end) per room and user.
    strikes: Mutex<HashMap<Key, (u32, u64)>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

fn key(room: &str, user_id: &str) -> Key {
    (room_id(room).to_owned(), user_id.to_owned())
}

fn poisoned<T>(_: T) -> StateError {
    StateError::Unavailable("a writer panicked while holding the lock".into())
}

impl SanctionStore for MemoryStore {
    async fn active(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
    ) -> Result<Option<Sanction>, StateError> {
        let sanctions = self.sanctions.lock().map_err(poisoned)?;
        Ok(sanctions
            .get(&key(room, user_id))
            .filter(|s| s.is_active(now))
            .cloned())
    }

    async fn impose(&self, sanction: &Sanction) -> Result<(), StateError> {
        let mut stored = sanction.clone();
        stored.room = room_id(&sanction.room).to_owned();
        self.sanctions
            .lock()
            .map_err(poisoned)?
            .insert(key(&stored.room, &stored.user_id), stored);
        Ok(())
    }

    async fn impose_unless_longer(&self, sanction: &Sanction) -> Result<bool, StateError> {
        let mut sanctions = self.sanctions.lock().map_err(poisoned)?;
        let key = key(&sanction.room, &sanction.user_id);
        let longer = sanctions
            .get(&key)
            .is_some_and(|held| match (held.until, sanction.until) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(held), Some(new)) => held >= new,
            });
        if longer {
            return Ok(false);
        }
        let mut stored = sanction.clone();
        stored.room = key.0.clone();
        sanctions.insert(key, stored);
        Ok(true)
    }

    async fn lift(&self, room: &str, user_id: &str, now: u64) -> Result<bool, StateError> {
        let removed = self
            .sanctions
            .lock()
            .map_err(poisoned)?
            .remove(&key(room, user_id));
        Ok(removed.is_some_and(|s| s.is_active(now)))
    }

    async fn list(&self, room: &str, now: u64) -> Result<Vec<Sanction>, StateError> {
        let room = room_id(room);
        let sanctions = self.sanctions.lock().map_err(poisoned)?;
        let mut active: Vec<Sanction> = sanctions
            .values()
            .filter(|s| s.room == room && s.is_active(now))
            .cloned()
            .collect();
        active.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        Ok(active)
    }

    async fn strike(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
        window_seconds: u64,
    ) -> Result<u32, StateError> {
        let mut strikes = self.strikes.lock().map_err(poisoned)?;
        let entry = strikes.entry(key(room, user_id)).or_insert((0, 0));
        if entry.1 > now {
            entry.0 = entry.0.saturating_add(1);
        } else {
            *entry = (1, now.saturating_add(window_seconds));
        }
        Ok(entry.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:ivschat:us-east-1:123456789012:room/Room1";

    fn sanction(user: &str, until: Option<u64>) -> Sanction {
        Sanction {
            room: ARN.into(),
            user_id: user.into(),
            reason: "spam".into(),
            by: "mod-1".into(),
            created_at: 1_000,
            until,
        }
    }

    #[tokio::test]
    async fn a_timeout_lasts_until_its_end_and_a_ban_until_lifted() {
        let store = MemoryStore::new();
        store.impose(&sanction("troll", Some(1_600))).await.unwrap();
        store.impose(&sanction("spammer", None)).await.unwrap();
        let found = store
            .active("Room1", "troll", 1_599)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.room, "Room1", "kept by room ID, found by ID or ARN");
        assert_eq!(store.active(ARN, "troll", 1_600).await.unwrap(), None);
        assert!(store
            .active(ARN, "spammer", u64::MAX)
            .await
            .unwrap()
            .is_some());
        assert_eq!(store.active("Room2", "spammer", 1_000).await.unwrap(), None);

        let listed = store.list(ARN, 1_500).await.unwrap();
        let users: Vec<_> = listed.iter().map(|s| s.user_id.as_str()).collect();
        assert_eq!(users, ["spammer", "troll"]);
        assert_eq!(store.list(ARN, 1_700).await.unwrap().len(), 1);

        let shorter = sanction("spammer", Some(9_999));
        assert!(
            !store.impose_unless_longer(&shorter).await.unwrap(),
            "a ban stays"
        );
        assert!(!store
            .impose_unless_longer(&sanction("troll", Some(1_500)))
            .await
            .unwrap());
        assert!(store
            .impose_unless_longer(&sanction("troll", Some(1_700)))
            .await
            .unwrap());
        assert!(store
            .impose_unless_longer(&sanction("new", Some(1_700)))
            .await
            .unwrap());
        assert!(store.lift(ARN, "spammer", 1_700).await.unwrap());
        assert!(!store.lift(ARN, "spammer", 1_700).await.unwrap());
        assert!(
            !store.lift(ARN, "troll", 1_700).await.unwrap(),
            "already over"
        );
        assert_eq!(store.active(ARN, "spammer", 1_700).await.unwrap(), None);
    }

    #[tokio::test]
    async fn strikes_count_within_a_window_then_start_over() {
        let store = MemoryStore::new();
        assert_eq!(store.strike(ARN, "u", 100, 600).await.unwrap(), 1);
        assert_eq!(store.strike(ARN, "u", 200, 600).await.unwrap(), 2);
        assert_eq!(store.strike("Room1", "u", 699, 600).await.unwrap(), 3);
        assert_eq!(store.strike(ARN, "other", 699, 600).await.unwrap(), 1);
        assert_eq!(
            store.strike(ARN, "u", 700, 600).await.unwrap(),
            1,
            "window over"
        );
    }
}
