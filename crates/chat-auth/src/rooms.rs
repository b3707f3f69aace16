//! The IVS Chat control plane: the `ChatRooms` seam the handler calls, and its
//! implementation with the AWS SDK.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ivschat::types::ChatTokenCapability;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;

use crate::identity::Capability;

/// A chat token as IVS returns it; the token is a bearer secret, never logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatToken {
    pub token: String,
    /// RFC 3339 times, as the IVS Chat Messaging SDK's token provider reads them.
    pub session_expiration_time: String,
    pub token_expiration_time: String,
}

/// Why IVS did not do it, grouped by what the caller should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IvsError {
    /// IVS refused the request (400) or did not find the room (404).
    #[error("{code}: {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    #[error("{code}: {message}")]
    Throttled { code: String, message: String },
    /// The function's role may not do it: a deployment error.
    #[error("{code}: {message}")]
    Misconfigured { code: String, message: String },
    /// IVS failed, did not answer in time, or could not be reached.
    #[error("{0}")]
    Unavailable(String),
}

/// What chat-auth asks of IVS Chat. The handler depends on this seam, not on the SDK.
pub trait ChatRooms: Send + Sync {
    fn create_token(
        &self,
        room_arn: &str,
        user_id: &str,
        capabilities: &[Capability],
        attributes: &BTreeMap<String, String>,
        session_minutes: i32,
    ) -> impl Future<Output = Result<ChatToken, IvsError>> + Send;

    /// Closes every connection of the user in the room.
    fn disconnect(
        &self,
        room_arn: &str,
        user_id: &str,
        reason: &str,
    ) -> impl Future<Output = Result<(), IvsError>> + Send;

    /// Tells clients to unrender a message; answers the ID of the delete event.
    fn delete_message(
        &self,
        room_arn: &str,
        message_id: &str,
        reason: &str,
    ) -> impl Future<Output = Result<String, IvsError>> + Send;

    /// Sends an event to everyone in the room; answers its ID.
    fn send_event(
        &self,
        room_arn: &str,
        name: &str,
        attributes: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<String, IvsError>> + Send;
}

/// IVS Chat through the AWS SDK.
#[derive(Debug, Clone)]
pub struct IvsRooms {
    client: aws_sdk_ivschat::Client,
}

impl IvsRooms {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        IvsRooms {
            client: aws_sdk_ivschat::Client::new(sdk),
        }
    }
}

fn map(attributes: &BTreeMap<String, String>) -> Option<HashMap<String, String>> {
    Some(attributes.clone().into_iter().collect())
}

fn time(t: Option<&DateTime>) -> String {
    t.and_then(|t| t.fmt(Format::DateTime).ok())
        .unwrap_or_default()
}

impl ChatRooms for IvsRooms {
    async fn create_token(
        &self,
        room_arn: &str,
        user_id: &str,
        capabilities: &[Capability],
        attributes: &BTreeMap<String, String>,
        session_minutes: i32,
    ) -> Result<ChatToken, IvsError> {
        let out = self
            .client
            .create_chat_token()
            .room_identifier(room_arn)
            .user_id(user_id)
            .set_capabilities(Some(
                capabilities
                    .iter()
                    .map(|c| ChatTokenCapability::from(c.name()))
                    .collect(),
            ))
            .set_attributes(map(attributes))
            .session_duration_in_minutes(session_minutes)
            .send()
            .await
            .map_err(classify)?;
        match out.token {
            Some(token) => Ok(ChatToken {
                token,
                session_expiration_time: time(out.session_expiration_time.as_ref()),
                token_expiration_time: time(out.token_expiration_time.as_ref()),
            }),
            None => Err(IvsError::Unavailable(
                "IVS answered CreateChatToken without a token".into(),
            )),
        }
    }

    async fn disconnect(
        &self,
        room_arn: &str,
        user_id: &str,
        reason: &str,
    ) -> Result<(), IvsError> {
        self.client
            .disconnect_user()
            .room_identifier(room_arn)
            .user_id(user_id)
            .reason(reason)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_message(
        &self,
        room_arn: &str,
        message_id: &str,
        reason: &str,
    ) -> Result<String, IvsError> {
        let out = self
            .client
            .delete_message()
            .room_identifier(room_arn)
            .id(message_id)
            .reason(reason)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.id.unwrap_or_default())
    }

    async fn send_event(
        &self,
        room_arn: &str,
        name: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<String, IvsError> {
        let out = self
            .client
            .send_event()
            .room_identifier(room_arn)
            .event_name(name)
            .set_attributes(map(attributes))
            .send()
            .await
            .map_err(classify)?;
        Ok(out.id.unwrap_or_default())
    }
}

/// Sorts an SDK failure into what the caller should do about it.
fn classify<E, R>(err: SdkError<E, R>) -> IvsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.code() {
        Some(code) => {
            let code = code.to_owned();
            let message = err.message().unwrap_or("no message").to_owned();
            match code.as_str() {
                "ValidationException" => IvsError::Rejected {
                    status: 400,
                    code,
                    message,
                },
                "ResourceNotFoundException" => IvsError::Rejected {
                    status: 404,
                    code,
                    message,
                },
                "ThrottlingException" | "ServiceQuotaExceededException" => {
                    IvsError::Throttled { code, message }
                }
                "AccessDeniedException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException" => IvsError::Misconfigured { code, message },
                _ => IvsError::Unavailable(format!("{code}: {message}")),
            }
        }
        None => IvsError::Unavailable(
            aws_smithy_types::error::display::DisplayErrorContext(&err).to_string(),
        ),
    }
}
