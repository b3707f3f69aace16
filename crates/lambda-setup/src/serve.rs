//! How the HTTP functions run: one [`Handler`], called by the Lambda runtime inside
//! Lambda ([`lambda`]) and by a local HTTP server elsewhere ([`local`]).

use std::convert::Infallible;
use std::future::Future;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use lambda_http::http::uri::PathAndQuery;
use lambda_http::http::{header, HeaderValue, StatusCode, Uri};
use lambda_http::{service_fn as lambda_service, Body, Request, RequestExt, Response};
use tokio::net::TcpListener;

/// The stage clients name in their URL (`/Prod/`), as the template deploys it.
pub const STAGE: &str = "Prod";
/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may stay open at all, idle or half-sent: long enough for a
/// request that waits on AWS (12 s at most).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The CORS headers of an HTTP function's answers.
#[derive(Debug, Clone, Copy)]
pub struct Cors {
    pub allow_headers: &'static str,
    pub allow_methods: &'static str,
    /// Response headers scripts may read cross-origin.
    pub expose_headers: &'static str,
}

/// A JSON response (no body when `body` is `None`) with the CORS headers, and
/// `Access-Control-Allow-Origin` when the request's origin is allowed.
pub fn json_response(
    status: StatusCode,
    body: Option<String>,
    cors: &Cors,
    allow_origin: Option<&str>,
) -> Response<Body> {
    let mut response = Response::new(body.map_or(Body::Empty, Body::Text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_TYPE.as_str(), "application/json"),
        ("access-control-allow-headers", cors.allow_headers),
        ("access-control-allow-methods", cors.allow_methods),
        ("access-control-expose-headers", cors.expose_headers),
        ("access-control-max-age", "600"),
        (header::VARY.as_str(), "Origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if let Some(value) = allow_origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert("access-control-allow-origin", value);
    }
    response
}

/// An HTTP function: answers every request, never fails.
pub trait Handler: Send + Sync + 'static {
    fn handle(
        &self,
        req: &Request,
        request_id: &str,
    ) -> impl Future<Output = Response<Body>> + Send;
}

/// Serves Lambda invocations until the runtime stops.
pub async fn lambda<H: Handler>(handler: &'static H) -> ExitCode {
    let service = lambda_service(move |req: Request| async move {
        let request_id = req
            .lambda_context_ref()
            .map(|c| c.request_id.clone())
            .unwrap_or_default();
        Ok::<_, lambda_http::Error>(handler.handle(&req, &request_id).await)
    });
    match lambda_http::run(service).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}

/// Serves `handler` on http://127.0.0.1:PORT/ until the process stops; a port that
/// cannot be bound prints one line and fails.
pub async fn local<H: Handler>(program: &str, port: u16, max_body: usize, handler: H) -> ExitCode {
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            return crate::launch::fail(program, format!("cannot listen on 127.0.0.1:{port}: {e}"))
        }
    };
    tracing::info!(url = %format!("http://127.0.0.1:{port}/"), "serving");
    serve(listener, max_body, Arc::new(handler)).await;
    ExitCode::SUCCESS
}

/// Serves `handler` on an already bound listener until the process stops. Bodies are
/// read up to one byte past `max_body` (enough for the handler to refuse an oversized
/// one). Connections that stall are closed, and a failed accept (too many open files)
/// is waited out: neither stops the server.
pub async fn serve<H: Handler>(listener: TcpListener, max_body: usize, handle: Arc<H>) {
    let counter = Arc::new(AtomicU64::new(0));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a connection; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let handle = handle.clone();
        let counter = counter.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<Incoming>| {
                let handle = handle.clone();
                let id = format!("local-{}", counter.fetch_add(1, Ordering::Relaxed) + 1);
                async move {
                    let (mut parts, body) = req.into_parts();
                    let body = read_capped(body, max_body).await;
                    parts.uri = without_stage(&parts.uri);
                    let req = Request::from_parts(parts, Body::Binary(body));
                    Ok::<_, Infallible>(to_hyper(handle.handle(&req, &id).await))
                }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            match tokio::time::timeout(CONNECTION_TIMEOUT, connection).await {
                Ok(Err(e)) => tracing::debug!(error = %e, "connection closed"),
                Err(_) => tracing::debug!("connection timed out"),
                Ok(Ok(())) => {}
            }
        });
    }
}

fn to_hyper(response: Response<Body>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

/// The body, read up to one byte past the limit.
async fn read_capped(mut body: Incoming, max_body: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        if let Ok(data) = frame.into_data() {
            bytes.extend_from_slice(&data);
            if bytes.len() > max_body {
                bytes.truncate(max_body + 1);
                break;
            }
        }
    }
    bytes
}

/// Drops a leading `/Prod` segment, so that the URLs clients use against API Gateway
/// (`/Prod/`, `/Prod/auth`) work locally too. Other paths stay as they are.
fn without_stage(uri: &Uri) -> Uri {
    let path = uri.path();
    let rest = match path.strip_prefix('/').and_then(|p| p.strip_prefix(STAGE)) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => return uri.clone(),
    };
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let path = if rest.is_empty() { "/" } else { rest };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = PathAndQuery::try_from(format!("{path}{query}")).ok();
    Uri::from_parts(parts).unwrap_or_else(|_| uri.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_segment_is_dropped() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(without_stage(&uri("/Prod/")).path(), "/");
        assert_eq!(without_stage(&uri("/Prod")).path(), "/");
        assert_eq!(without_stage(&uri("/Prod/auth")).path(), "/auth");
        assert_eq!(
            without_stage(&uri("/Prod/moderation/bans?room=r")).to_string(),
            "/moderation/bans?room=r"
        );
        assert_eq!(without_stage(&uri("/")).path(), "/");
        assert_eq!(without_stage(&uri("/a/b")).path(), "/a/b");
        assert_eq!(without_stage(&uri("/Product")).path(), "/Product");
        assert_eq!(without_stage(&uri("/favicon.ico")).path(), "/favicon.ico");
    }
}
