//! The store a process picked at start-up: DynamoDB when a table is configured, memory
//! otherwise (local runs).

use crate::sanction::{Sanction, SanctionStore, StateError};
use crate::{DynamoStore, MemoryStore};

#[derive(Debug)]
pub enum Store {
    Dynamo(DynamoStore),
    Memory(MemoryStore),
}

impl SanctionStore for Store {
    async fn active(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
    ) -> Result<Option<Sanction>, StateError> {
        match self {
            Store::Dynamo(s) => s.active(room, user_id, now).await,
            Store::Memory(s) => s.active(room, user_id, now).await,
        }
    }

    async fn impose(&self, sanction: &Sanction) -> Result<(), StateError> {
        match self {
            Store::Dynamo(s) => s.impose(sanction).await,
            Store::Memory(s) => s.impose(sanction).await,
        }
    }

    async fn impose_unless_longer(&self, sanction: &Sanction) -> Result<bool, StateError> {
        match self {
            Store::Dynamo(s) => s.impose_unless_longer(sanction).await,
            Store::Memory(s) => s.impose_unless_longer(sanction).await,
        }
    }

    async fn lift(&self, room: &str, user_id: &str, now: u64) -> Result<bool, StateError> {
        match self {
            Store::Dynamo(s) => s.lift(room, user_id, now).await,
            Store::Memory(s) => s.lift(room, user_id, now).await,
        }
    }

    async fn list(&self, room: &str, now: u64) -> Result<Vec<Sanction>, StateError> {
        match self {
            Store::Dynamo(s) => s.list(room, now).await,
            Store::Memory(s) => s.list(room, now).await,
        }
    }

    async fn strike(
        &self,
        room: &str,
        user_id: &str,
        now: u64,
        window_seconds: u64,
    ) -> Result<u32, StateError> {
        match self {
            Store::Dynamo(s) => s.strike(room, user_id, now, window_seconds).await,
            Store::Memory(s) => s.strike(room, user_id, now, window_seconds).await,
        }
    }
}
