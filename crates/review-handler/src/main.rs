//! `review-handler`: the Lambda function inside AWS Lambda, the `check` CLI elsewhere.

use std::process::ExitCode;

use review_handler::{cli, lambda};

fn main() -> ExitCode {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return lambda::main();
    }
    cli::main(&std::env::args().skip(1).collect::<Vec<_>>())
}
