//! `policy-validator`: AWS AppConfig's validator for the review handler's live policy.

fn main() -> std::process::ExitCode {
    review_handler::validator::main()
}
