//! Readers: one module per input format. Text in, [`Workload`]s with [`Posture`]s and exact
//! source spans out. Readers never touch the file system themselves; whatever they need beside
//! the file (a Compose `.env`, a Dockerfile named by `build:`) they ask the [`Resolver`] for.
//!
//! [`Posture`]: minpriv_model::Posture

#![deny(missing_docs)]

pub mod command_line;
pub mod compose;
pub mod detect;
pub mod docker_inspect;
pub mod dockerfile;
pub mod kubernetes;
pub mod quadlet;
mod shell;
pub mod vulns;
pub mod yaml;

pub use detect::{Format, detect_format};

use minpriv_model::{Span, Workload};

/// An input that could not be read, with where the reader gave up.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// What is wrong, for people ("expected ':' after a mapping key").
    pub message: String,
    /// Where, when known.
    pub span: Option<Span>,
}

/// What a reader found in one file.
#[derive(Clone, Debug, Default)]
pub struct ReadOutput {
    /// The workloads, in source order.
    pub workloads: Vec<Workload>,
    /// Parts that could not be read; the rest of the file is still in `workloads`.
    pub errors: Vec<InputError>,
    /// Remarks for the user that are not findings ("Helm template skipped: ...").
    pub notes: Vec<String>,
}

/// What a reader may ask about the world around the file it reads.
pub trait Resolver: Sync {
    /// The text of a file named relative to the folder of the file being read, if it exists and
    /// is readable.
    fn read_relative(&self, relative: &str) -> Option<String>;
    /// Why `relative` was not read although it exists (outside what may be read, not a regular
    /// file), completing "'{relative}' …"; `None` when it does not exist or was read.
    fn refused(&self, _relative: &str) -> Option<String> {
        None
    }
    /// An environment variable, for Compose interpolation.
    fn env(&self, name: &str) -> Option<String>;
    /// The name of the file being read (`web.container`), when known: a Quadlet unit finds
    /// its drop-in folder (`web.container.d/`) by it.
    fn own_name(&self) -> Option<String> {
        None
    }
    /// The names of the regular files in the folder `relative` (to the folder of the file
    /// being read), sorted; empty when it does not exist or may not be read.
    fn list_relative(&self, _relative: &str) -> Vec<String> {
        Vec::new()
    }
}

/// A [`Resolver`] that knows no files and no environment (for tests and standard input).
pub struct NoResolver;

impl Resolver for NoResolver {
    fn read_relative(&self, _relative: &str) -> Option<String> {
        None
    }
    fn env(&self, _name: &str) -> Option<String> {
        None
    }
}

/// Reads `text` as `format`.
pub fn read(format: Format, text: &str, resolver: &dyn Resolver) -> ReadOutput {
    match format {
        Format::Kubernetes => kubernetes::read(text),
        Format::Compose => compose::read(text, resolver),
        Format::Dockerfile => dockerfile::read(text),
        Format::Shell => command_line::read_shell(text),
        Format::GithubActions => command_line::read_github_actions(text),
        Format::GitlabCi => command_line::read_gitlab_ci(text),
        Format::DockerInspect => docker_inspect::read(text),
        Format::Quadlet => quadlet::read(text, resolver),
        Format::Yaml => read_yaml_sniffed(text, resolver),
    }
}

/// A YAML (or JSON) file whose kind is decided by its content: Compose when the top level has a
/// `services` mapping, Kubernetes when documents have `apiVersion` and `kind`.
fn read_yaml_sniffed(text: &str, resolver: &dyn Resolver) -> ReadOutput {
    if compose::looks_like_compose(text) {
        compose::read(text, resolver)
    } else {
        kubernetes::read(text)
    }
}
