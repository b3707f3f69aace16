//! The model: a sanction of one user in one room, and the store that keeps them.

use std::future::Future;

/// A ban (no end) or a timeout (with one) of one user in one room. Times are Unix
/// seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanction {
    /// The room's ID (the last part of its ARN).
    pub room: String,
    pub user_id: String,
    pub reason: String,
    /// Who imposed it: a moderator's user ID, or `escalation` for automatic timeouts.
    pub by: String,
    pub created_at: u64,
    /// When a timeout ends; `None` for a ban.
    pub until: Option<u64>,
}

impl Sanction {
    /// Whether it still applies at `now`.
    pub fn is_active(&self, now: u64) -> bool {
        self.until.is_none_or(|until| until > now)
    }

    /// `ban` or `timeout`.
    pub fn kind(&self) -> &'static str {
        if self.until.is_some() {
            "timeout"
        } else {
            "ban"
        }
    }
}

/// The store could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the state store failed: {0}")]
    Unavailable(String),
    #[error("the state store holds an unreadable item: {0}")]
    Corrupt(String),
}

/// The room ID of a room ARN (`arn:aws:ivschat:REGION:ACCOUNT:room/ID`) or of an ID:
/// state is keyed by it, so both spellings reach the same sanctions.
pub fn room_id(room: &str) -> &str {
    room.rsplit_once("room/").map_or(room, |(_, id)| id)
}

/// Where sanctions and strikes live. Every instance of every function sees the same
/// state; the review handler bounds each call with its own deadline.
pub trait SanctionStore: Send + Sync {
    /// The sanction of `user_id` in `room` that is active at `now`, if any.
    fn active(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<Sanction>, StateError>> + Send;

    /// Stores a sanction, replacing the user's earlier one in that room.
    fn impose(&self, sanction: &Sanction) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Stores a timeout unless the user's sanction in that room is a ban or ends later;
    /// whether it was stored. Automatic timeouts never shorten a moderator's ban.
    fn impose_unless_longer(
        &self,
        sanction: &Sanction,
    ) -> impl Future<Output = Result<bool, StateError>> + Send;

    /// Lifts the user's sanction in `room`; whether one was active at `now`.
    fn lift(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, StateError>> + Send;

    /// The sanctions of `room` active at `now`, by user ID.
    fn list(
        &self,
        room: &str,
        now: u64,
    ) -> impl Future<Output = Result<Vec<Sanction>, StateError>> + Send;

    /// Counts one strike against `user_id` in `room` and answers how many fall in the
    /// current window: the window opens with the first strike and lasts
    /// `window_seconds`; a strike after it opens a new one.
    fn strike(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
        window_seconds: u64,
    ) -> impl Future<Output = Result<u32, StateError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_from_arns_and_ids() {
        assert_eq!(
            room_id("arn:aws:ivschat:us-east-1:123456789012:room/AbCdEf12"),
            "AbCdEf12"
        );
        assert_eq!(room_id("AbCdEf12"), "AbCdEf12");
    }

    #[test]
    fn timeouts_end_and_bans_do_not() {
        let mut s = Sanction {
            room: "r".into(),
            user_id: "u".into(),
            reason: "spam".into(),
            by: "m".into(),
            created_at: 100,
            until: None,
        };
        assert!(s.is_active(u64::MAX));
        assert_eq!(s.kind(), "ban");
        s.until = Some(200);
        assert_eq!(s.kind(), "timeout");
        assert!(s.is_active(199));
        assert!(!s.is_active(200));
    }
}
