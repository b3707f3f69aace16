//! Starting the chat: the `ChatStarter` seam, its Amazon Connect implementation, and
//! what each Connect failure means for the caller.

use std::future::Future;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_connect::operation::start_chat_contact::StartChatContactError;
use aws_sdk_connect::types::{ChatMessage, ParticipantDetails, PersistentChat, RehydrationType};

use crate::request::StartChat;

/// What Connect returns for a started chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatStarted {
    pub contact_id: String,
    pub participant_id: String,
    /// A bearer secret: never logged.
    pub participant_token: String,
    pub continued_from_contact_id: Option<String>,
}

/// Why a chat could not be started, grouped by what the caller should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    /// Connect refused the request (400) or did not find the flow or contact (404).
    #[error("{code}: {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// Too many chats or calls; try again later.
    #[error("{code}: {message}")]
    Throttled { code: String, message: String },
    /// The function's role may not start chats: a deployment error.
    #[error("{code}: {message}")]
    Misconfigured { code: String, message: String },
    /// Connect failed or answered something unreadable.
    #[error("{code}: {message}")]
    Upstream { code: String, message: String },
    /// No answer in time.
    #[error("Connect did not answer in time")]
    Timeout,
    /// Connect could not be reached.
    #[error("Connect could not be reached: {0}")]
    Unreachable(String),
}

/// Starts chats. The handler depends on this seam, not on the SDK.
pub trait ChatStarter: Send + Sync {
    fn start(
        &self,
        instance_id: &str,
        chat: &StartChat,
    ) -> impl Future<Output = Result<ChatStarted, StartError>> + Send;
}

/// Time limits for Connect calls, chosen so every answer comes well inside API
/// Gateway's 29-second integration timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    pub operation_timeout: Duration,
    pub max_attempts: u32,
    /// First retry delay; later ones grow exponentially, with jitter.
    pub initial_backoff: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: Duration::from_secs(3),
            attempt_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(12),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
        }
    }
}

impl Limits {
    /// Applies the limits, and standard retries with backoff, to an SDK config loader.
    pub fn apply(&self, loader: aws_config::ConfigLoader) -> aws_config::ConfigLoader {
        loader
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout)
                    .operation_attempt_timeout(self.attempt_timeout)
                    .operation_timeout(self.operation_timeout)
                    .build(),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(self.max_attempts)
                    .with_initial_backoff(self.initial_backoff),
            )
    }
}

/// `StartChatContact` through the AWS SDK.
#[derive(Debug, Clone)]
pub struct ConnectStarter {
    client: aws_sdk_connect::Client,
}

impl ConnectStarter {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        ConnectStarter {
            client: aws_sdk_connect::Client::new(sdk),
        }
    }
}

impl ChatStarter for ConnectStarter {
    async fn start(&self, instance_id: &str, chat: &StartChat) -> Result<ChatStarted, StartError> {
        let participant = ParticipantDetails::builder()
            .display_name(&chat.display_name)
            .build()
            .map_err(|e| upstream("InvalidInput", e.to_string()))?;
        let mut call = self
            .client
            .start_chat_contact()
            .instance_id(instance_id)
            .contact_flow_id(&chat.contact_flow_id)
            .participant_details(participant)
            .set_attributes(Some(chat.attributes.clone().into_iter().collect()))
            .set_client_token(chat.client_token.clone())
            .set_chat_duration_in_minutes(chat.chat_duration_minutes)
            .set_supported_messaging_content_types(chat.content_types.clone())
            .set_related_contact_id(chat.related_contact_id.clone());
        if let Some(message) = &chat.initial_message {
            let message = ChatMessage::builder()
                .content_type(&message.content_type)
                .content(&message.content)
                .build()
                .map_err(|e| upstream("InvalidInput", e.to_string()))?;
            call = call.initial_message(message);
        }
        if let Some(p) = &chat.persistent_chat {
            call = call.persistent_chat(
                PersistentChat::builder()
                    .set_rehydration_type(p.rehydration_type.as_deref().map(RehydrationType::from))
                    .set_source_contact_id(p.source_contact_id.clone())
                    .build(),
            );
        }
        let out = call.send().await.map_err(classify)?;
        match (out.contact_id, out.participant_id, out.participant_token) {
            (Some(contact_id), Some(participant_id), Some(participant_token)) => Ok(ChatStarted {
                contact_id,
                participant_id,
                participant_token,
                continued_from_contact_id: out.continued_from_contact_id,
            }),
            _ => Err(upstream(
                "IncompleteResponse",
                "Connect answered without a contact, participant or token".to_owned(),
            )),
        }
    }
}

fn upstream(code: &str, message: String) -> StartError {
    StartError::Upstream {
        code: code.to_owned(),
        message,
    }
}

/// Sorts an SDK failure into what the caller should do about it.
pub fn classify(err: SdkError<StartChatContactError>) -> StartError {
    match err {
        SdkError::ServiceError(service) => {
            let e = service.into_err();
            let code = e.code().unwrap_or("Unknown").to_owned();
            let message = e.message().unwrap_or("no message").to_owned();
            match &e {
                StartChatContactError::InvalidRequestException(_)
                | StartChatContactError::InvalidParameterException(_) => StartError::Rejected {
                    status: 400,
                    code,
                    message,
                },
                StartChatContactError::ResourceNotFoundException(_) => StartError::Rejected {
                    status: 404,
                    code,
                    message,
                },
                StartChatContactError::LimitExceededException(_) => {
                    StartError::Throttled { code, message }
                }
                _ => match code.as_str() {
                    "ThrottlingException" | "TooManyRequestsException" => {
                        StartError::Throttled { code, message }
                    }
                    "AccessDeniedException"
                    | "UnrecognizedClientException"
                    | "InvalidSignatureException"
                    | "ExpiredTokenException" => StartError::Misconfigured { code, message },
                    _ => StartError::Upstream { code, message },
                },
            }
        }
        SdkError::TimeoutError(_) => StartError::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => StartError::Timeout,
        SdkError::DispatchFailure(failure) => StartError::Unreachable(
            failure
                .as_connector_error()
                .map_or_else(|| "dispatch failure".to_owned(), |c| c.to_string()),
        ),
        SdkError::ConstructionFailure(_) => StartError::Misconfigured {
            code: "ConstructionFailure".to_owned(),
            message: "the request could not be built (credentials or region missing?)".to_owned(),
        },
        other => upstream("InvalidResponse", other.to_string()),
    }
}
