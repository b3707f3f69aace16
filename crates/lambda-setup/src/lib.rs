//! What every Lambda binary of the workspace does the same way:
//! - [`config`]: configuration from environment variables, read once at start-up, with
//!   one error line naming the variable;
//! - [`cors`]: the allowlist of browser origins behind `Access-Control-Allow-Origin`;
//! - [`json`]: reading fields of untrusted JSON, with errors that name the field and the
//!   JSON type but never quote the value (which may be user data);
//! - [`logging`]: JSON log lines, configured the way Lambda's logging controls say;
//! - [`launch`]: the Lambda runtime inside Lambda, the command line elsewhere;
//! - [`metrics`]: CloudWatch metrics as Embedded Metric Format log lines;
//! - [`serve`] (feature `serve`): the local HTTP server of the HTTP functions.

pub mod config;
pub mod cors;
pub mod json;
pub mod launch;
pub mod logging;
pub mod metrics;
#[cfg(feature = "serve")]
pub mod serve;
