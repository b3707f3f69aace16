//! Who may not chat right now: bans and timeouts per room, and the strikes that time a
//! sender out automatically. `chat-auth` writes them and refuses tokens; the review
//! handler denies what a sanctioned user still sends. Both reach the state through the
//! [`SanctionStore`] trait (the network boundary): [`DynamoStore`] in AWS,
//! [`MemoryStore`] in tests and local runs.

mod dynamo;
mod memory;
mod sanction;
mod store;

pub use dynamo::DynamoStore;
pub use memory::MemoryStore;
pub use sanction::{room_id, Sanction, SanctionStore, StateError};
pub use store::Store;
