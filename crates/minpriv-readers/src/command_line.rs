//! The command-line reader: `docker|podman|nerdctl run|create` lines in shell scripts,
//! Makefiles, Justfiles, Jenkinsfiles, and the `run`/`script` steps of CI files.
//!
//! Each command becomes one [`Workload`] (`resource: "command"`) holding one container whose
//! [`Posture`] starts at the runtime's defaults, anchored at the `run`/`create` word, and takes
//! every flag with the span of its value in the file.
//!
//! - the readers' shell lexer ([`crate::shell`]) splits shell text into words that keep their
//!   byte spans;
//! - `commands` finds the container commands, also inside `sh -c '...'`, `$(...)`, `ssh`,
//!   `eval`, here-documents fed to a shell, Jenkins `sh` steps and Makefile variables;
//! - `docker_flags` turns a command's flags into a posture;
//! - `ci` finds the shell text of GitHub Actions and GitLab CI files.
//!
//! [`Posture`]: minpriv_model::Posture

mod ci;
mod commands;
mod docker_flags;
mod file_spans;
mod groovy;

pub use ci::LocalInclude;

// The Quadlet reader writes a unit's keys as the `podman run` flags Quadlet generates and reads
// them with the same flag parser.
pub(crate) use commands::{FileWord, Invocation};
pub(crate) use docker_flags::parse_run;
pub(crate) use file_spans::FileSpans;

use crate::ReadOutput;
use crate::shell::SourceMap;
use minpriv_model::{Container, ContainerRole, Source, Workload};
use std::borrow::Cow;

/// Reads `docker run` lines in a shell script, Makefile, Justfile or Jenkinsfile.
///
/// A Jenkinsfile (recognised by its `pipeline {`, `node {` or `stage(` blocks) has its Groovy
/// comments blanked out first, so that an apostrophe in a comment cannot open a shell quote;
/// then the whole file is read as shell text, which finds the strings of `sh '...'`,
/// `sh "..."`, `sh """..."""` and `sh(script: '...')` steps.
pub fn read_shell(text: &str) -> ReadOutput {
    let scanned: Cow<'_, str> = if groovy::looks_like_groovy(text) {
        Cow::Owned(groovy::blank_comments(text))
    } else {
        Cow::Borrowed(text)
    };
    let found = commands::find_invocations(&scanned, &SourceMap::identity(0, scanned.len()));
    let mut output = ReadOutput::default();
    push_workloads(text, found, &mut output);
    output
}

/// Reads `docker run` lines in the `run` steps of a GitHub Actions workflow.
pub fn read_github_actions(text: &str) -> ReadOutput {
    let mut output = ReadOutput::default();
    let (found, errors) = ci::github_actions(text);
    output.errors = errors;
    push_workloads(text, found, &mut output);
    output
}

/// Reads `docker run` lines in the `script`, `before_script` and `after_script` sections of a
/// GitLab CI file.
pub fn read_gitlab_ci(text: &str) -> ReadOutput {
    let mut output = ReadOutput::default();
    let (found, errors) = ci::gitlab_ci(text);
    output.errors = errors;
    push_workloads(text, found, &mut output);
    output
}

/// The files a GitLab CI file includes from its own repository, in file order: each path or
/// wildcard pattern as written (relative to the repository's root) and its line. The caller
/// finds and reads them: readers do not touch the file system.
pub fn gitlab_local_includes(text: &str) -> Vec<LocalInclude> {
    ci::gitlab_local_includes(text)
}

/// One workload per invocation that runs a container, in file order.
fn push_workloads(text: &str, mut found: Vec<Invocation>, output: &mut ReadOutput) {
    found.sort_by_key(|inv| (inv.run_word.start, inv.run_word.end));
    found.dedup_by_key(|inv| inv.run_word.clone());
    let spans = FileSpans::new(text);
    for invocation in &found {
        let Some(run) = docker_flags::parse_run(invocation, &spans) else {
            continue;
        };
        output.notes.extend(run.notes);
        output.workloads.push(Workload {
            source: Source::DockerRun,
            resource: "command".to_string(),
            span: Some(spans.span(invocation.span())),
            containers: vec![Container {
                name: run.name,
                role: ContainerRole::Regular,
                posture: run.posture,
            }],
            pod: None,
        });
    }
}
