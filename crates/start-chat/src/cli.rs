//! The command line outside Lambda: `start-chat serve`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::lambda::with_app;
use crate::request::MAX_BODY_BYTES;

#[derive(Debug, Parser)]
#[command(
    name = "start-chat",
    about = "Hardened drop-in StartChatContact proxy for ChatJS widgets: inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves the Lambda runtime; elsewhere it serves the same handler locally.",
    after_help = "Configuration comes from the environment: INSTANCE_ID, CONTACT_FLOW_ID, ALLOWED_CONTACT_FLOW_IDS, ALLOWED_ORIGINS, ALLOWED_ATTRIBUTE_KEYS, ATTACHMENTS_ENABLED, DEFAULT_CHAT_DURATION_MINUTES, PERSISTENT_CHAT, RESUME_TICKET_SECRET, RESUME_TICKET_TTL_HOURS, METRICS_NAMESPACE."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Serves the proxy on http://127.0.0.1:PORT/ with the caller's AWS credentials and
    /// region, for local front-end development: POST / or /Prod/ as a ChatJS client
    /// would.
    Serve {
        #[arg(long, default_value_t = 8787)]
        port: u16,
    },
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let Command::Serve { port } = Cli::parse().command;
    with_app(|app| lambda_setup::serve::local("start-chat", port, MAX_BODY_BYTES, app))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("start-chat").chain(list.iter().copied()))
            .map(|c| c.command)
    }

    #[test]
    fn parses_serve_and_port() {
        assert_eq!(args(&["serve"]).unwrap(), Command::Serve { port: 8787 });
        assert_eq!(
            args(&["serve", "--port", "9000"]).unwrap(),
            Command::Serve { port: 9000 }
        );
        let kind = |list: &[&str]| args(list).unwrap_err().kind();
        assert_eq!(
            kind(&["serve", "--port", "x"]),
            clap::error::ErrorKind::ValueValidation
        );
        assert_eq!(
            kind(&["serve", "--bogus"]),
            clap::error::ErrorKind::UnknownArgument
        );
        assert_eq!(kind(&["--help"]), clap::error::ErrorKind::DisplayHelp);
    }
}
