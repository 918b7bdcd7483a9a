//! The domain error: what went wrong, split into the caller's mistakes and our own failures.
//! HTTP status codes live in `api`; here an error only knows its kind and a stable code.

/// Result with the domain [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the engine can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is wrong; the message says how to fix it.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// A catalog, task, product or key that does not exist.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// Too much work queued for the whole node; try again after the given number of seconds.
    #[error("{message}")]
    Overloaded {
        message: String,
        retry_after_secs: u64,
    },
    /// One caller (a catalog) has too much work queued; it should slow down.
    #[error("{message}")]
    TooManyRequests {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// Something the request needs cannot serve now (shutting down, a catalog whose files
    /// cannot be read, a full disk); `code` says which.
    #[error("{message}")]
    Unavailable {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// A failure of ours (disk, index); details are logged, never shown to a client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A 400-class error with a stable snake_case `code`.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            code,
            message: message.into(),
        }
    }

    /// A not-found error with a stable snake_case `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Error::NotFound {
            code,
            message: message.into(),
        }
    }

    /// An internal error, carrying the detail for the log.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Error::Internal(detail.to_string())
    }

    /// A 503 with a stable code, to retry after `retry_after_secs`.
    pub fn unavailable(
        code: &'static str,
        message: impl Into<String>,
        retry_after_secs: u64,
    ) -> Self {
        Error::Unavailable {
            code,
            message: message.into(),
            retry_after_secs,
        }
    }

    /// Whether the caller caused it (as opposed to us).
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::Invalid { .. } | Error::NotFound { .. })
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Internal(format!("io: {err}"))
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Self {
        Error::Internal(format!("index: {err}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::Internal(format!("json: {err}"))
    }
}
