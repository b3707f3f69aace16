//! `chat-auth`: the Lambda function inside AWS Lambda, `chat-auth serve` elsewhere.

use std::process::ExitCode;

use chat_auth::{cli, lambda};

fn main() -> ExitCode {
    if lambda_setup::launch::in_lambda() {
        lambda::main()
    } else {
        cli::main()
    }
}
