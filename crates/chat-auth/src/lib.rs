//! IVS chat tokens for verified identities, and the moderator actions that go with
//! them: a hardened drop-in for the IVS chat web demo's back-end (`POST /auth`,
//! `POST /event`), plus bans, timeouts and message deletion. Identity comes only from
//! verified JWT claims; IVS sits behind the `ChatRooms` seam and bans in a
//! `chat_state` store.

pub mod actions;
pub mod answer;
pub mod cli;
pub mod config;
pub mod handler;
pub mod identity;
pub mod jwt;
pub mod lambda;
pub mod request;
pub mod rooms;
