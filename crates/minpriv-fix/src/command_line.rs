//! Fixes of `docker|podman|nerdctl run` command lines in scripts and CI files.
//!
//! New flags go right after the `run` (or `create`) word, on its line, so continuations,
//! quoting and the rest of the command stay as they are; in a command written one flag per
//! line (`docker run \` then indented flags, each line ending in `\`), each new flag gets a
//! line of its own in that style. `--privileged` goes away (its line with it when it stands
//! alone on one). The flags are written with `=` and
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

/// Whether this renderer writes `step` for a container with `posture`: flags are added (and
/// `--privileged` removed), so a step that needs another flag removed is left to people.
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
            Step::DropPrivileged => edits.push(remove_flag(text, posture.privileged.span)?),
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
        edits.push(match flag_per_line(text, anchor.end) {
            Some((at, indent)) => TextEdit::insert(
                at,
                flags
                    .iter()
                    .map(|f| format!("{indent}{f} \\\n"))
                    .collect::<String>(),
                0,
            ),
            None => TextEdit::insert(anchor.end, format!(" {}", flags.join(" ")), 0),
        });
    }
    Ok(edits)
}

/// In a command written one flag per line: where the line after the `run` word's starts, and
/// the indentation of that line (which holds a flag and ends in `\`).
fn flag_per_line(text: &str, run_end: usize) -> Option<(usize, &str)> {
    let rest = text.get(run_end..)?;
    let line_end = rest.find('\n')?;
    if !rest[..line_end]
        .trim_end_matches('\r')
        .trim_end()
        .ends_with('\\')
    {
        return None;
    }
    let next_start = run_end + line_end + 1;
    let next = text[next_start..].lines().next()?;
    let indent_len = next.len() - next.trim_start_matches([' ', '\t']).len();
    let body = next[indent_len..].trim_end_matches('\r').trim_end();
    (indent_len > 0 && body.starts_with('-') && body.ends_with('\\'))
        .then(|| (next_start, &next[..indent_len]))
}

/// Removes the `--privileged` flag at `span`: its whole line when it stands alone on a
/// continued line, else the word and the blank after it.
fn remove_flag(text: &str, span: Option<Span>) -> Result<TextEdit, String> {
    let span = span.ok_or("a written flag without its place in the file")?;
    let written = text.get(span.start..span.end).unwrap_or("");
    if !written.starts_with("--privileged") || written.contains(char::is_whitespace) {
        return Err(format!("`{written}` is not a --privileged flag"));
    }
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    let before = &text[line_start..span.start];
    let after = text[span.end..line_end].trim_end_matches('\r');
    if before.trim().is_empty() && after.trim() == "\\" && line_end < text.len() {
        return Ok(TextEdit::replace(line_start, line_end + 1, String::new()));
    }
    let blanks = after.len() - after.trim_start_matches([' ', '\t']).len();
    if blanks > 0 {
        Ok(TextEdit::replace(
            span.start,
            span.end + blanks,
            String::new(),
        ))
    } else {
        // The last word: take the blank before it.
        let start = text[..span.start].trim_end_matches([' ', '\t']).len();
        Ok(TextEdit::replace(start, span.end, String::new()))
    }
}
