//! `start-chat serve`: the same handler over plain HTTP on 127.0.0.1, for front-end
//! developers (the sample's local Express proxy, in the same binary).

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use lambda_http::http::uri::PathAndQuery;
use lambda_http::http::Uri;
use lambda_http::Body;
use tokio::net::TcpListener;

use crate::connect::ChatStarter;
use crate::handler::App;
use crate::request::MAX_BODY_BYTES;

/// The stage clients name in their URL (`/Prod/`), as the template deploys it.
pub const STAGE: &str = "Prod";
/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may stay open at all, idle or half-sent: long enough for a
/// request that waits on Connect (12 s at most).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` on an already bound listener until the process stops. Connections
/// that stall are closed, and a failed accept (too many open files) is waited out:
/// neither stops the server.
pub async fn serve<S: ChatStarter + 'static>(app: Arc<App<S>>, listener: TcpListener) {
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
        let app = app.clone();
        let counter = counter.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<Incoming>| {
                let app = app.clone();
                let id = format!("local-{}", counter.fetch_add(1, Ordering::Relaxed) + 1);
                async move { Ok::<_, Infallible>(answer(&app, req, &id).await) }
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

async fn answer<S: ChatStarter>(
    app: &App<S>,
    req: hyper::Request<Incoming>,
    id: &str,
) -> hyper::Response<Full<Bytes>> {
    let (mut parts, body) = req.into_parts();
    let body = read_capped(body).await;
    parts.uri = without_stage(&parts.uri);
    let req = lambda_http::Request::from_parts(parts, Body::Binary(body));
    let response = app.handle(&req, id).await;
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

/// The body, read up to one byte past the limit: enough for the handler to reject an
/// oversized body without holding all of it.
async fn read_capped(mut body: Incoming) -> Vec<u8> {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        if let Ok(data) = frame.into_data() {
            bytes.extend_from_slice(&data);
            if bytes.len() > MAX_BODY_BYTES {
                bytes.truncate(MAX_BODY_BYTES + 1);
                break;
            }
        }
    }
    bytes
}

/// Drops a leading `/Prod` segment, so that the URLs clients use against API Gateway
/// (`/Prod/`) work locally too. Other paths stay as they are (and get a 404).
fn without_stage(uri: &Uri) -> Uri {
    let path = uri.path();
    if path.trim_matches('/') != STAGE || !path.starts_with('/') {
        return uri.clone();
    }
    let mut parts = uri.clone().into_parts();
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    parts.path_and_query = PathAndQuery::try_from(format!("/{query}")).ok();
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
        assert_eq!(without_stage(&uri("/")).path(), "/");
        assert_eq!(without_stage(&uri("/a/b")).path(), "/a/b");
        assert_eq!(without_stage(&uri("/favicon.ico")).path(), "/favicon.ico");
        assert_eq!(
            without_stage(&uri("/startChatContact")).path(),
            "/startChatContact"
        );
    }
}
