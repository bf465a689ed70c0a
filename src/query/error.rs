//! Errors of the query engine, each with Graph's status, code and message.

/// A query Graph would refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub status: u16,
    pub code: &'static str,
    /// Graph's own message, kept verbatim.
    pub message: String,
    /// Our explanation, sent in `error.details` (Graph's envelope allows it).
    pub detail: Option<String>,
}

impl QueryError {
    /// 400 BadRequest with Graph's message and our explanation.
    pub fn bad_request(
        message: impl Into<String>,
        detail: impl Into<Option<String>>,
    ) -> QueryError {
        QueryError {
            status: 400,
            code: "BadRequest",
            message: message.into(),
            detail: detail.into(),
        }
    }

    /// 400 "Invalid filter clause" with an explanation.
    pub fn filter(detail: impl std::fmt::Display) -> QueryError {
        QueryError::bad_request("Invalid filter clause", Some(detail.to_string()))
    }

    /// The ASP.NET OData message for a query option the service does not allow.
    pub fn not_allowed(option: &str) -> QueryError {
        QueryError::bad_request(
            format!(
                "Query option '{option}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings."
            ),
            None,
        )
    }

    /// A malformed, tampered or foreign skip token.
    pub fn skip_token(detail: impl Into<String>) -> QueryError {
        QueryError::bad_request("Invalid skip token.", Some(detail.into()))
    }
}
