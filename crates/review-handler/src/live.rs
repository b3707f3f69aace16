//! A policy that changes without a redeploy: AWS AppConfig's hosted configuration, read
//! through the AppConfig Lambda extension's local HTTP API
//! (`GET http://localhost:PORT/applications/A/environments/E/configurations/P`).
//!
//! - At start-up the deployed version is read once (the extension prefetches it during
//!   its own start). Without one (nothing deployed yet, no extension) the packaged
//!   policy serves: `POLICY_FILE`, `POLICY` or the embedded default.
//! - Then an invocation asks the extension again at most every `POLICY_REFRESH_SECONDS`.
//!   It waits for the answer and the new engine only up to `POLICY_WAIT_MS`; past that
//!   the message is reviewed with the current policy and the new one takes over when
//!   it is ready. A slow or failing extension never delays a review by more.
//! - A version that does not compile is refused: the last good policy stays, and the
//!   refusal is logged and counted (`PolicyRejected`) once per version.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use lambda_setup::metrics::Metrics;
use moderation::{Engine, Policy};

use crate::config::LiveSettings;

/// The largest policy read from the extension (AppConfig's hosted limit is 2 MB).
const MAX_POLICY_BYTES: usize = 16 * 1024 * 1024;
/// How long one request to the extension may take, in the background.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The engine reviews use now, and where the next one comes from.
pub struct LivePolicy {
    current: RwLock<Arc<Engine>>,
    live: Option<Live>,
}

struct Live {
    settings: LiveSettings,
    metrics: Metrics,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    checked: Option<Instant>,
    /// A hash of the last version read, good or bad: an unchanged answer is not
    /// compiled again, and a bad version is logged once.
    seen: Option<u64>,
    refreshing: bool,
    /// The last failure logged: the same failure is logged once, not every check.
    failure: Option<FetchError>,
}

/// Why the extension gave no policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("AppConfig extension: {0}")]
pub struct FetchError(String);

impl LivePolicy {
    /// A policy that never changes (no AppConfig configured).
    pub fn fixed(engine: Engine) -> Self {
        LivePolicy {
            current: RwLock::new(Arc::new(engine)),
            live: None,
        }
    }

    /// Starts from the deployed AppConfig version when the extension has one, else
    /// from `packaged`.
    pub async fn start(packaged: Engine, settings: LiveSettings, metrics: Metrics) -> Self {
        let policy = LivePolicy {
            current: RwLock::new(Arc::new(packaged)),
            live: Some(Live {
                settings,
                metrics,
                state: Mutex::new(State::default()),
            }),
        };
        if let Some(live) = &policy.live {
            live.state().checked = Some(Instant::now());
            match fetch(&live.settings, FETCH_TIMEOUT).await {
                Ok(text) => policy.adopt(live, &text, compile(&text)),
                Err(e) => {
                    tracing::warn!(error = %e, "no live policy yet: the packaged policy serves");
                    live.state().failure = Some(e);
                }
            }
        }
        policy
    }

    /// The engine for the next review. When a check is due it starts one, and waits
    /// for it up to `POLICY_WAIT_MS`.
    pub async fn engine(&'static self) -> Arc<Engine> {
        if let Some(live) = &self.live {
            if live.begin_check() {
                let check = tokio::spawn(self.check(live));
                // On time out the check goes on in the background.
                let _ = tokio::time::timeout(live.settings.wait, check).await;
            }
        }
        self.current()
    }

    fn current(&self) -> Arc<Engine> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    async fn check(&'static self, live: &'static Live) {
        let fetched = fetch(&live.settings, FETCH_TIMEOUT).await;
        live.note(fetched.as_ref().err());
        match fetched {
            Ok(text) if !live.is_new(&text) => {}
            Ok(text) => {
                // Compiling a large policy is CPU work: off the runtime's thread.
                let compiled = tokio::task::spawn_blocking({
                    let text = text.clone();
                    move || compile(&text)
                })
                .await
                .unwrap_or_else(|e| Err(format!("the policy compiler failed: {e}")));
                self.adopt(live, &text, compiled);
            }
            Err(_) => {}
        }
        live.state().refreshing = false;
    }

    /// Serves `compiled` from now on, or keeps the current policy and says why not.
    fn adopt(&self, live: &Live, text: &str, compiled: Result<Engine, String>) {
        live.state().seen = Some(digest(text));
        match compiled {
            Ok(engine) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(engine);
                tracing::info!(bytes = text.len(), "live policy version in force");
            }
            Err(e) => {
                tracing::error!(error = %e, "live policy version refused; the last good policy stays");
                crate::metrics::policy_rejected(&live.metrics);
            }
        }
    }
}

impl Live {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a check is due (and none is running); if so, it counts as started.
    fn begin_check(&self) -> bool {
        let mut state = self.state();
        let due = state
            .checked
            .is_none_or(|at| at.elapsed() >= self.settings.refresh);
        if !due || state.refreshing {
            return false;
        }
        state.checked = Some(Instant::now());
        state.refreshing = true;
        true
    }

    /// Logs a failed check once, and when the extension answers again.
    fn note(&self, failure: Option<&FetchError>) {
        let mut state = self.state();
        if state.failure.as_ref() == failure {
            return;
        }
        match failure {
            Some(e) => {
                tracing::warn!(error = %e, "live policy check failed; the current policy stays")
            }
            None => tracing::info!("the AppConfig extension answers again"),
        }
        state.failure = failure.cloned();
    }

    fn is_new(&self, text: &str) -> bool {
        self.state().seen != Some(digest(text))
    }
}

fn digest(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The same parser and compiler as every other policy source (and AppConfig's
/// validator).
pub fn compile(text: &str) -> Result<Engine, String> {
    let policy = Policy::from_inline(text).map_err(|e| e.to_string())?;
    Engine::compile(&policy).map_err(|e| e.to_string())
}

/// The deployed version's text, from the extension.
pub async fn fetch(settings: &LiveSettings, timeout: Duration) -> Result<String, FetchError> {
    tokio::time::timeout(timeout, get(settings))
        .await
        .unwrap_or_else(|_| Err(FetchError(format!("no answer within {timeout:?}"))))
}

async fn get(settings: &LiveSettings) -> Result<String, FetchError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| FetchError(format!("{what}: {e}"));
    let stream = tokio::net::TcpStream::connect(("localhost", settings.port))
        .await
        .map_err(|e| {
            failed(
                &format!("cannot connect to localhost:{}", settings.port),
                &e,
            )
        })?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| failed("handshake", &e))?;
    // The connection runs beside the request, and ends with it or with the timeout.
    tokio::spawn(tokio::time::timeout(FETCH_TIMEOUT, connection));
    let request = hyper::Request::get(&settings.path)
        .header(hyper::header::HOST, format!("localhost:{}", settings.port))
        .body(Empty::<Bytes>::new())
        .map_err(|e| failed("request", &e))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| failed("request", &e))?;
    let status = response.status();
    let body = Limited::new(response.into_body(), MAX_POLICY_BYTES)
        .collect()
        .await
        .map_err(|e| failed("body", &e))?
        .to_bytes();
    let text =
        String::from_utf8(body.to_vec()).map_err(|_| FetchError("the body is not UTF-8".into()))?;
    if !status.is_success() {
        // The extension's errors name the missing resource, never configuration data.
        let detail: String = text.chars().take(200).collect();
        return Err(FetchError(format!(
            "HTTP {}: {}",
            status.as_u16(),
            detail.trim()
        )));
    }
    Ok(text)
}
