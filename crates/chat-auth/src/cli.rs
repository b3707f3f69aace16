//! The command line outside Lambda: `chat-auth serve`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::lambda::with_app;
use crate::request::MAX_BODY_BYTES;

#[derive(Debug, Parser)]
#[command(
    name = "chat-auth",
    about = "IVS chat tokens for verified identities, moderator actions, bans and timeouts: inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves the Lambda runtime; elsewhere it serves the same handler locally.",
    after_help = "Configuration comes from the environment: ALLOWED_ROOMS, ALLOWED_ORIGINS, TABLE_NAME, JWT_ISSUER, JWT_AUDIENCE, JWKS_FILE, JWKS_URL, ROLES_CLAIM, NAME_CLAIM, MODERATOR_GROUPS, BROADCASTER_GROUPS, VIEWER_CAPABILITIES, MODERATOR_CAPABILITIES, BROADCASTER_CAPABILITIES, CLIENT_ATTRIBUTE_KEYS, ANONYMOUS_VIEWERS, SESSION_MINUTES, ALLOWED_EVENTS, AWS_TIMEOUT_MS."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serves the API on http://127.0.0.1:PORT/ with the caller's AWS credentials and
    /// region, verifying bearer tokens against JWKS_FILE or JWKS_URL: POST /auth (or
    /// /Prod/auth) as the IVS chat web demo does.
    Serve {
        #[arg(long, default_value_t = 8788)]
        port: u16,
    },
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let Command::Serve { port } = Cli::parse().command;
    with_app(false, |app| {
        lambda_setup::serve::local("chat-auth", port, MAX_BODY_BYTES, app)
    })
}
