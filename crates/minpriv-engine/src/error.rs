//! Errors, each displayed on one line.

use std::error::Error as StdError;
use std::fmt;

/// One endpoint tried while connecting, and why it did not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// What was tried: `unix:///var/run/docker.sock`, `DOCKER_HOST=tcp://...`, or a remark such
    /// as `DOCKER_HOST unset`.
    pub endpoint: String,
    /// Why it failed (`None` for a remark).
    pub problem: Option<String>,
}

/// No engine answered. Displays as one line naming everything tried, e.g. `no Docker engine
/// answered (tried DOCKER_HOST unset, unix:///var/run/docker.sock: connection refused, ...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectError {
    /// Every endpoint tried, in order.
    pub attempts: Vec<Attempt>,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no Docker engine answered (tried ")?;
        for (i, a) in self.attempts.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(&a.endpoint)?;
            if let Some(p) = &a.problem {
                write!(f, ": {p}")?;
            }
        }
        f.write_str(")")
    }
}

impl StdError for ConnectError {}

/// A request to the engine failed, or an image archive could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    message: String,
}

impl EngineError {
    /// An error with a one-line message (line breaks are replaced by spaces).
    pub fn new(message: impl Into<String>) -> EngineError {
        EngineError {
            message: one_line(&message.into()),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for EngineError {}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A short, one-line description of a client error: the engine's own message for an API error,
/// the innermost cause (`connection refused`) for a transport error.
pub(crate) fn describe_api_error(error: &bollard::errors::Error) -> String {
    use bollard::errors::Error as E;
    match error {
        E::DockerResponseServerError {
            status_code,
            message,
        } => one_line(&format!("{message} (HTTP {status_code})")),
        E::SocketNotFoundError(_) => "no such socket".into(),
        E::RequestTimeoutError => "timed out".into(),
        other => innermost(other),
    }
}

/// The innermost cause of an error chain, with `(os error N)` dropped and a lower-case start.
pub(crate) fn innermost(error: &dyn StdError) -> String {
    let mut current: &dyn StdError = error;
    while let Some(next) = current.source() {
        current = next;
    }
    let text = current.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    let text = match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    one_line(&text)
}
