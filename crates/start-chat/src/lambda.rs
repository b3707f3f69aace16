//! The Lambda runtime loop, and loading what both ways of running need.

use std::process::ExitCode;

use lambda_setup::config::Env;
use lambda_setup::launch;

use crate::config::Config;
use crate::connect::{ConnectStarter, Limits};
use crate::handler::App;

/// Reads the configuration and builds the app with the AWS SDK's usual credential and
/// region chain; prints one line and fails on a bad configuration.
async fn load_app() -> Result<App<ConnectStarter>, ExitCode> {
    let config = Config::from_env(&Env::process()).map_err(|e| launch::fail("start-chat", e))?;
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let sdk = Limits::default().apply(loader).load().await;
    Ok(App {
        config,
        starter: ConnectStarter::new(&sdk),
    })
}

/// Starts logging and the async runtime, loads the app, and hands it to `serve`:
/// what both ways of running do first.
pub fn with_app<F, Fut>(serve: F) -> ExitCode
where
    F: FnOnce(App<ConnectStarter>) -> Fut,
    Fut: std::future::Future<Output = ExitCode>,
{
    lambda_setup::logging::init("info");
    let runtime = match launch::runtime("start-chat") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    runtime.block_on(async {
        match load_app().await {
            Ok(app) => serve(app).await,
            Err(code) => code,
        }
    })
}

/// Serves Lambda invocations.
pub fn main() -> ExitCode {
    with_app(|app| lambda_setup::serve::lambda(launch::forever(app)))
}
