//! A drop-in, hardened replacement for the `startChatContactAPI` sample: the HTTP
//! contract ChatJS widgets call, server-side allowlists and validation, the Connect
//! call behind a `ChatStarter` seam, and a local server mode.

pub mod cli;
pub mod config;
pub mod connect;
pub mod handler;
pub mod lambda;
pub mod request;
pub mod resume;
