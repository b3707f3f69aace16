//! One binary, two ways to run: the Lambda runtime loop inside Lambda, a command line
//! elsewhere.

use std::fmt::Display;
use std::process::ExitCode;

/// Whether this process runs inside Lambda (the runtime API is set).
pub fn in_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// A single-threaded async runtime: a Lambda instance handles one invocation at a
/// time, and the local modes need no more.
pub fn runtime(program: &str) -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(program, format!("cannot start the async runtime: {e}")))
}

/// Prints `program: message` on stderr, the one line a failed start-up leaves.
pub fn fail(program: &str, message: impl Display) -> ExitCode {
    eprintln!("{program}: {message}");
    ExitCode::FAILURE
}

/// State that lives as long as the process, as Lambda handlers need it.
pub fn forever<T>(state: T) -> &'static T {
    Box::leak(Box::new(state))
}
