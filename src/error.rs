//! One error type for the whole hub, and its mapping to a GraphQL error with a
//! stable `extensions.code`.
//!
//! Messages are written for the person reading them: what was wrong and what
//! to do. Internal failures (database, I/O) are logged with the request id and
//! reach the client only as `INTERNAL` with that id: never SQL, paths or panics.

use async_graphql::ErrorExtensions;

/// Result with the hub's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a request can fail, each with one wire code.
///
/// It deliberately does not implement `Display`: async-graphql converts any
/// `Display` type into an error *without* extensions, and this type must only
/// reach the wire through [`From<Error> for async_graphql::Error`], which sets
/// the code.
#[derive(Debug)]
pub enum Error {
    /// The token is missing where one is needed, or fails a check.
    Unauthenticated(String),
    /// The caller lacks a scope, or does not own what it tries to change.
    Forbidden(String),
    /// The input is malformed or breaks a rule of the domain.
    BadInput {
        /// The input field at fault, where one is.
        field: Option<String>,
        /// What is wrong and what to do.
        message: String,
    },
    /// The thing asked for does not exist.
    NotFound(String),
    /// The request collides with the current state (a duplicate, a race).
    Conflict(String),
    /// The applicant may not use the commitment route; every reason is listed.
    Ineligible {
        /// Each reason, as a sentence.
        reasons: Vec<String>,
    },
    /// A state machine refused the move.
    InvalidTransition {
        /// What kind of record (e.g. "commitment").
        entity: &'static str,
        /// The action attempted.
        action: String,
        /// The record's current state.
        current: String,
        /// The actions allowed from the current state.
        allowed: Vec<String>,
    },
    /// Anything the client cannot fix: logged, sent only as a request id.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// The stable code sent in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated(_) => "UNAUTHENTICATED",
            Error::Forbidden(_) => "FORBIDDEN",
            Error::BadInput { .. } => "BAD_USER_INPUT",
            Error::NotFound(_) => "NOT_FOUND",
            Error::Conflict(_) => "CONFLICT",
            Error::Ineligible { .. } => "INELIGIBLE",
            Error::InvalidTransition { .. } => "INVALID_TRANSITION",
            Error::Internal(_) => "INTERNAL",
        }
    }

    /// Bad input not tied to one field.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error::BadInput {
            field: None,
            message: message.into(),
        }
    }

    /// Bad input in the named field.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::BadInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// An internal failure described by a message (e.g. a stored value that no
    /// longer parses).
    pub fn internal_msg(e: impl std::fmt::Display) -> Self {
        Error::Internal(e.to_string().into())
    }

    /// Wraps any internal failure.
    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(e.into())
    }
}

/// A text the client must give: trimmed, or BAD_USER_INPUT naming `field`.
pub fn required<'a>(field: &str, value: &'a str) -> Result<&'a str> {
    let t = value.trim();
    if t.is_empty() {
        Err(Error::bad_field(
            field,
            format!("{field} must not be empty"),
        ))
    } else {
        Ok(t)
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        Error::Internal(Box::new(e))
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(e: sea_orm::TransactionError<Error>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// Turns a database error into a client error when it is a constraint the
/// client can break (the `on_constraint` idea of realworld-axum-sqlx).
pub trait ResultExt<T> {
    /// If the error names `constraint`, map it with `f`; otherwise keep it.
    fn on_constraint(self, constraint: &str, f: impl FnOnce() -> Error) -> Result<T>;
}

impl<T> ResultExt<T> for std::result::Result<T, sea_orm::DbErr> {
    fn on_constraint(self, constraint: &str, f: impl FnOnce() -> Error) -> Result<T> {
        self.map_err(|e| {
            let text = e.to_string();
            let unique = matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    | Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))
            );
            if unique && text.contains(constraint) {
                f()
            } else {
                Error::from(e)
            }
        })
    }
}

impl Error {
    /// The message a person reads.
    pub fn message(&self) -> String {
        match self {
            Error::Unauthenticated(m)
            | Error::Forbidden(m)
            | Error::NotFound(m)
            | Error::Conflict(m)
            | Error::BadInput { message: m, .. } => m.clone(),
            Error::Ineligible { reasons } => {
                format!(
                    "the commitment route is closed to this applicant: {}",
                    reasons.join("; ")
                )
            }
            Error::InvalidTransition {
                entity,
                action,
                current,
                allowed,
            } => {
                let allowed = if allowed.is_empty() {
                    "nothing (it is final)".to_owned()
                } else {
                    allowed.join(", ")
                };
                format!(
                    "cannot {action} a {entity} in state {current}; allowed from {current}: {allowed}"
                )
            }
            Error::Internal(_) => "internal error: the hub could not complete this request; \
                quote the request id to its operators"
                .to_owned(),
        }
    }
}

impl ErrorExtensions for Error {
    fn extend(&self) -> async_graphql::Error {
        if let Error::Internal(source) = self {
            // The request id is on the span the HTTP layer opened.
            tracing::error!(error = %source, detail = ?source, "internal error");
        }
        let message = self.message();
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Error::BadInput {
                    field: Some(field), ..
                } => ext.set("field", field.as_str()),
                Error::Ineligible { reasons } => ext.set("reasons", reasons.clone()),
                Error::InvalidTransition {
                    current, allowed, ..
                } => {
                    ext.set("currentState", current.as_str());
                    ext.set("allowed", allowed.clone());
                }
                _ => {}
            }
        })
    }
}

impl From<Error> for async_graphql::Error {
    fn from(e: Error) -> Self {
        e.extend()
    }
}
