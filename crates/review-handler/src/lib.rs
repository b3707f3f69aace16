//! Amazon IVS Chat message review handler: the IVS contract, a total review function
//! over the `moderation` engine, configuration, logging and metrics, the Lambda loop,
//! live policy versions from AppConfig (and AppConfig's validator for them), and the
//! local `check` command.

pub mod cli;
pub mod config;
pub mod handler;
pub mod ivs;
pub mod lambda;
pub mod live;
pub mod logging;
pub mod metrics;
pub mod sanctions;
pub mod validator;
