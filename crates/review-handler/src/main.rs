//! `review-handler`: the Lambda function inside AWS Lambda, the `check` CLI elsewhere.

use std::process::ExitCode;

use review_handler::{cli, lambda};

fn main() -> ExitCode {
    if lambda_setup::launch::in_lambda() {
        lambda::main()
    } else {
        cli::main()
    }
}
