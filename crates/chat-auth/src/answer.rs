//! What each route answers: a status and a JSON body, or an error in API Gateway's own
//! shape (`{"message", "code"}`), with what the audit log line needs.

use lambda_http::http::StatusCode;
use serde_json::{json, Value};

use crate::rooms::IvsError;

/// One route's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    /// The error code, for the log.
    pub code: Option<String>,
    /// Whether the client should retry after a moment (`Retry-After`).
    pub retry: bool,
    /// Details for the log only (upstream failures).
    pub detail: Option<String>,
}

impl Answer {
    pub fn ok(status: StatusCode, body: Value) -> Answer {
        Answer {
            status,
            body,
            code: None,
            retry: false,
            detail: None,
        }
    }

    pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Answer {
        let message = message.into();
        Answer {
            status,
            body: json!({"message": message, "code": code}),
            code: Some(code.to_owned()),
            retry: false,
            detail: None,
        }
    }

    /// 400 naming the field that is wrong.
    pub fn invalid(message: impl std::fmt::Display) -> Answer {
        Answer::error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            message.to_string(),
        )
    }

    /// 503: the state store failed; nothing was done.
    pub fn state_unavailable(detail: impl std::fmt::Display) -> Answer {
        Answer {
            retry: true,
            detail: Some(detail.to_string()),
            ..Answer::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "StateUnavailable",
                "Bans and timeouts cannot be checked right now; try again shortly.",
            )
        }
    }

    /// Maps an IVS failure to what the client sees; details only go to the log.
    pub fn ivs(e: IvsError) -> Answer {
        use StatusCode as S;
        let answer = match &e {
            IvsError::Rejected {
                status,
                code,
                message,
            } => Answer::error(
                S::from_u16(*status).unwrap_or(S::BAD_REQUEST),
                code,
                message.as_str(),
            ),
            IvsError::Throttled { code, .. } => Answer {
                retry: true,
                ..Answer::error(
                    S::TOO_MANY_REQUESTS,
                    code,
                    "Amazon IVS is busy; try again shortly.",
                )
            },
            IvsError::Misconfigured { .. } => Answer::error(
                S::INTERNAL_SERVER_ERROR,
                "InternalError",
                "The chat service is not set up correctly.",
            ),
            IvsError::Unavailable(_) => Answer {
                retry: true,
                ..Answer::error(
                    S::SERVICE_UNAVAILABLE,
                    "UpstreamUnavailable",
                    "Amazon IVS could not be reached; try again.",
                )
            },
        };
        Answer {
            detail: Some(e.to_string()),
            ..answer
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ivs_failures_map_to_statuses_without_details() {
        let rejected = Answer::ivs(IvsError::Rejected {
            status: 404,
            code: "ResourceNotFoundException".into(),
            message: "no such room".into(),
        });
        assert_eq!(rejected.status, StatusCode::NOT_FOUND);
        let throttled = Answer::ivs(IvsError::Throttled {
            code: "ThrottlingException".into(),
            message: "slow down".into(),
        });
        assert_eq!((throttled.status.as_u16(), throttled.retry), (429, true));
        let denied = Answer::ivs(IvsError::Misconfigured {
            code: "AccessDeniedException".into(),
            message: "role arn:aws:iam::1:role/x may not".into(),
        });
        assert_eq!(denied.status.as_u16(), 500);
        assert!(
            !denied.body.to_string().contains("arn:aws"),
            "details stay in the log"
        );
        assert!(denied.detail.unwrap().contains("arn:aws"));
        assert_eq!(
            Answer::ivs(IvsError::Unavailable("x".into()))
                .status
                .as_u16(),
            503
        );
    }
}
