//! A drop-in, hardened replacement for the `startChatContactAPI` sample: the HTTP
//! contract ChatJS widgets call, server-side allowlists and validation, the Connect
//! call behind a `ChatStarter` seam, and a local server mode.

pub mod api;
pub mod config;
pub mod connect;
pub mod request;
pub mod resume;
pub mod run;
pub mod server;
