//! `start-chat`: the Lambda function inside AWS Lambda, `start-chat serve` elsewhere.

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return start_chat::run::lambda();
    }
    start_chat::run::cli(&std::env::args().skip(1).collect::<Vec<_>>())
}
