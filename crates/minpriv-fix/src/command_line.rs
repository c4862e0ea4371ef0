//! Fixes of `docker|podman|nerdctl run` command lines in scripts and CI files.
//!
//! New flags go right after the `run` (or `create`) word, on its line, so continuations,
//! quoting and the rest of the command stay as they are; the flags are written with `=` and
//! only from characters no shell (nor YAML, Groovy or make) quoting treats specially, so they
//! mean the same inside `sh -c '...'`, a `run: |` block or a Jenkins `sh "..."` string. A flag
//! already written with a weaker value (`--user root`, `--read-only=false`) has its value
//! replaced where it stands instead: a later flag overrides an earlier one, so an inserted
//! flag would lose to it.

use crate::edit::TextEdit;
use crate::plan::Renders;
use minpriv_model::Step;
use minpriv_model::{CapSpec, Posture, Seccomp, Span};

/// True when `word` needs no quoting anywhere a command line can stand.
fn is_bare(word: &str) -> bool {
    !word.is_empty()
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'-')
        })
}

fn replace(text: &str, span: Option<Span>, expect: &str, with: &str) -> Result<TextEdit, String> {
    let span = span.ok_or("a written flag without its place in the file")?;
    let written = text.get(span.start..span.end).unwrap_or("");
    if !written.contains(expect) {
        return Err(format!("`{written}` is not where `{expect}` was expected"));
    }
    Ok(TextEdit::replace(span.start, span.end, with.to_string()))
}

/// Whether this renderer writes `step` for a container with `posture`: flags are only added,
/// never removed, so a step that needs a flag removed is left to people.
pub(crate) fn renders(step: &Step, posture: &Posture) -> Renders {
    match step {
        Step::Capabilities {
            drop_all: false,
            add: Some(_),
        } => Renders::ByHand(
            "remove the --cap-add flags minimize did not prove by hand: flags are only added, \
             never removed",
        ),
        Step::SeccompDefault if posture.seccomp.value == Seccomp::Unconfined => Renders::ByHand(
            "remove `--security-opt seccomp=unconfined` by hand: flags are only added, never \
             removed",
        ),
        _ => crate::plan::renders_runtime_step(step),
    }
}

/// What `step` does, in `docker run` words (which Compose shares: see `compose::summary`).
pub(crate) fn summary(step: &Step) -> String {
    match step {
        Step::NoNewPrivileges => "turn no-new-privileges on".into(),
        Step::SeccompDefault => "remove seccomp:unconfined".into(),
        other => crate::plan::summary(other),
    }
}

/// The edits that apply `changes` to the command whose container has `posture`.
pub fn render_command(
    text: &str,
    posture: &Posture,
    changes: &[Step],
) -> Result<Vec<TextEdit>, String> {
    let anchor = posture.anchor.ok_or("a command without its `run` word")?;
    let mut flags: Vec<String> = Vec::new();
    let mut edits = Vec::new();
    for change in changes {
        match change {
            Step::DropPrivileged => {
                edits.push(replace(
                    text,
                    posture.privileged.span,
                    "privileged",
                    "--privileged=false",
                )?);
            }
            Step::Capabilities { drop_all, add } => {
                if *drop_all {
                    flags.push("--cap-drop=ALL".into());
                }
                if let Some(set) = add {
                    for cap in set.iter() {
                        if !posture.cap_add.iter().any(|a| a.value == CapSpec::Cap(cap)) {
                            flags.push(format!("--cap-add={}", cap.name()));
                        }
                    }
                }
            }
            Step::NoNewPrivileges => {
                if posture.no_new_privileges.is_written() {
                    edits.push(replace(
                        text,
                        posture.no_new_privileges.span,
                        "no-new-privileges",
                        "no-new-privileges",
                    )?);
                } else {
                    flags.push("--security-opt=no-new-privileges".into());
                }
            }
            Step::ReadOnlyRootfs { tmpfs } => {
                if posture.read_only_rootfs.is_written() {
                    edits.push(replace(
                        text,
                        posture.read_only_rootfs.span,
                        "read-only",
                        "--read-only",
                    )?);
                } else {
                    flags.push("--read-only".into());
                }
                for path in tmpfs {
                    flags.push(format!("--tmpfs={path}"));
                }
            }
            Step::RunAsNonRoot { user: spec, .. } => {
                if posture.user.is_written() {
                    let span = posture
                        .user
                        .span
                        .ok_or("a written user without its place")?;
                    if !is_bare(spec) {
                        return Err(format!("the user `{spec}` would need quoting"));
                    }
                    edits.push(TextEdit::replace(span.start, span.end, spec.clone()));
                } else {
                    flags.push(format!("--user={spec}"));
                }
            }
            Step::SeccompDefault => {
                return Err("a seccomp option is only ever removed by hand".into());
            }
            other => return Err(format!("{} is not written on a command line", other.name())),
        }
    }
    // One order whatever order planning found the fixes in: capabilities, options, the root
    // filesystem, the user.
    let rank = |f: &String| {
        [
            "--cap-drop",
            "--cap-add",
            "--security-opt",
            "--read-only",
            "--tmpfs",
            "--user",
        ]
        .iter()
        .position(|p| f.starts_with(p))
        .unwrap_or(usize::MAX)
    };
    flags.sort_by_key(rank);
    if let Some(bad) = flags.iter().find(|f| !is_bare(f)) {
        return Err(format!("`{bad}` would need quoting"));
    }
    if !flags.is_empty() {
        edits.push(TextEdit::insert(
            anchor.end,
            format!(" {}", flags.join(" ")),
            0,
        ));
    }
    Ok(edits)
}
