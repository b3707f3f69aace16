//! Errors of policy loading and compiling: one line that names the field.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy file {path}: {message}")]
    Io { path: String, message: String },
    #[error("invalid policy{}: {field}: {message}", in_file(file))]
    Invalid {
        file: Option<String>,
        field: String,
        message: String,
    },
}

fn in_file(file: &Option<String>) -> String {
    file.as_deref().map(|f| format!(" {f}")).unwrap_or_default()
}

impl PolicyError {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError::Invalid {
            file: None,
            field: field.into(),
            message: message.into(),
        }
    }

    /// Names the file the policy came from.
    pub(crate) fn in_file(self, path: &Path) -> Self {
        match self {
            PolicyError::Invalid { field, message, .. } => PolicyError::Invalid {
                file: Some(path.display().to_string()),
                field,
                message,
            },
            io => io,
        }
    }
}
