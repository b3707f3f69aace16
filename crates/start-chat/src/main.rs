//! `start-chat`: the Lambda function inside AWS Lambda, `start-chat serve` elsewhere.

use std::process::ExitCode;

use start_chat::{cli, lambda};

fn main() -> ExitCode {
    if lambda_setup::launch::in_lambda() {
        lambda::main()
    } else {
        cli::main()
    }
}
