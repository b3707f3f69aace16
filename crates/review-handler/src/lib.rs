//! Amazon IVS Chat message review handler: the IVS contract, a total review function
//! over the `moderation` engine, configuration, logging, the Lambda loop and the
//! local `check` command.

pub mod cli;
pub mod config;
pub mod handler;
pub mod ivs;
pub mod lambda;
pub mod logging;
pub mod sanctions;
