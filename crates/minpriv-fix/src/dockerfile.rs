//! Dockerfile fixes: a numeric `USER` in the final stage, right before the command it runs.
//!
//! The line goes after the stage's last `RUN` and last `USER`, so that build steps keep
//! running as they did and no later `USER` overrides it, and before the first `CMD` or
//! `ENTRYPOINT` after them (and before the comment lines directly above that), which is where
//! people expect to read who the command runs as. With no such instruction it ends the file.

use crate::edit::{TextEdit, line_start, newline_of};
use crate::plan::Renders;
use minpriv_model::Step;
use parse_dockerfile::Instruction;

/// Whether this renderer writes `step`: a Dockerfile sets no runtime options, only the user.
pub(crate) fn renders(step: &Step) -> Renders {
    match step {
        Step::RunAsNonRoot { .. } => Renders::Yes,
        _ => Renders::No,
    }
}

/// What `step` does, in Dockerfile words.
pub(crate) fn summary(step: &Step) -> String {
    match step {
        Step::RunAsNonRoot { user, .. } => format!("add USER {user} before the command"),
        other => crate::plan::summary(other),
    }
}

/// The instruction keyword of `instruction` and where it starts.
fn keyword(instruction: &Instruction<'_>) -> (&'static str, usize) {
    match instruction {
        Instruction::Add(i) => ("ADD", i.add.span.start),
        Instruction::Arg(i) => ("ARG", i.arg.span.start),
        Instruction::Cmd(i) => ("CMD", i.cmd.span.start),
        Instruction::Copy(i) => ("COPY", i.copy.span.start),
        Instruction::Entrypoint(i) => ("ENTRYPOINT", i.entrypoint.span.start),
        Instruction::Env(i) => ("ENV", i.env.span.start),
        Instruction::Expose(i) => ("EXPOSE", i.expose.span.start),
        Instruction::From(i) => ("FROM", i.from.span.start),
        Instruction::Healthcheck(i) => ("HEALTHCHECK", i.healthcheck.span.start),
        Instruction::Label(i) => ("LABEL", i.label.span.start),
        Instruction::Maintainer(i) => ("MAINTAINER", i.maintainer.span.start),
        Instruction::Onbuild(i) => ("ONBUILD", i.onbuild.span.start),
        Instruction::Run(i) => ("RUN", i.run.span.start),
        Instruction::Shell(i) => ("SHELL", i.shell.span.start),
        Instruction::Stopsignal(i) => ("STOPSIGNAL", i.stopsignal.span.start),
        Instruction::User(i) => ("USER", i.user.span.start),
        Instruction::Volume(i) => ("VOLUME", i.volume.span.start),
        Instruction::Workdir(i) => ("WORKDIR", i.workdir.span.start),
        _ => ("?", usize::MAX),
    }
}

/// The instruction keywords of `text` in order, with where they start; `None` when
/// parse-dockerfile cannot read it.
pub fn instructions(text: &str) -> Option<Vec<(&'static str, usize)>> {
    let parsed = parse_dockerfile::parse(text).ok()?;
    Some(parsed.instructions.iter().map(keyword).collect())
}

/// The escape character of the file's `# escape=` directive.
fn escape_of(text: &str) -> char {
    parse_dockerfile::parse(text)
        .ok()
        .and_then(|d| d.parser_directives.escape.as_ref().map(|e| e.value.value))
        .unwrap_or('\\')
}

/// The edit that adds `USER spec` to the final stage, and the index the new instruction has
/// among all instructions.
pub fn add_user(text: &str, spec: &str) -> Result<(TextEdit, usize), String> {
    add_before_command(text, &format!("USER {spec}"))
}

/// The label Podman reads a container's default capabilities from.
pub const CAPABILITY_LABEL: &str = "io.containers.capabilities";

/// The edit that adds `LABEL io.containers.capabilities="<caps>"` to the final stage (where a
/// `USER` would go), or `None` when the final stage already has that label with this value.
/// A different value is left alone (an `Err` that says so): the user wrote it.
pub fn add_capability_label(text: &str, caps: &[&str]) -> Result<Option<TextEdit>, String> {
    let value = caps.join(",");
    let parsed = parse_dockerfile::parse(text).map_err(|_| {
        "the Dockerfile uses syntax the fixer cannot place a line in (parse-dockerfile rejects it)"
            .to_string()
    })?;
    let stage_start = parsed
        .instructions
        .iter()
        .rposition(|i| matches!(i, Instruction::From(_)))
        .ok_or("the Dockerfile has no FROM")?;
    for instruction in &parsed.instructions[stage_start..] {
        let Instruction::Label(label) = instruction else {
            continue;
        };
        let args: &str = &label.arguments.value;
        let key = format!("{CAPABILITY_LABEL}=");
        if let Some(at) = args.find(&key) {
            let rest = &args[at + key.len()..];
            let written = match rest.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or_default(),
                None => rest.split_whitespace().next().unwrap_or_default(),
            };
            {
                return if written == value {
                    Ok(None)
                } else {
                    Err(format!(
                        "the final stage already sets {CAPABILITY_LABEL}=\"{written}\"; left as \
                         it is (minimize proved {value})"
                    ))
                };
            }
        }
    }
    add_before_command(text, &format!("LABEL {CAPABILITY_LABEL}=\"{value}\""))
        .map(|(edit, _)| Some(edit))
}

/// The edit that adds `instruction` to the final stage after its last `RUN` and
/// `USER`, before the command (see the module's documentation).
fn add_before_command(text: &str, instruction: &str) -> Result<(TextEdit, usize), String> {
    let all = instructions(text).ok_or(
        "the Dockerfile uses syntax the fixer cannot place a line in (parse-dockerfile rejects it)",
    )?;
    let stage_start = all
        .iter()
        .rposition(|(k, _)| *k == "FROM")
        .ok_or("the Dockerfile has no FROM")?;
    let stage = &all[stage_start..];
    let after = stage
        .iter()
        .rposition(|(k, _)| matches!(*k, "RUN" | "USER" | "FROM"))
        .unwrap_or(0);
    let nl = newline_of(text);
    let command = stage
        .iter()
        .enumerate()
        .skip(after + 1)
        .find(|(_, (k, _))| matches!(*k, "CMD" | "ENTRYPOINT"));
    match command {
        Some((index, (_, start))) => {
            let line = line_start(text, *start);
            let indent: String = text[line..*start]
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            let at = above_comments(text, line, escape_of(text));
            Ok((
                TextEdit::insert(at, format!("{indent}{instruction}{nl}"), 0),
                stage_start + index,
            ))
        }
        None => {
            let escape = escape_of(text);
            if text
                .trim_end_matches(['\n', '\r', ' ', '\t'])
                .ends_with(escape)
            {
                return Err("the last instruction continues past the end of the file".into());
            }
            let insertion = if text.is_empty() || text.ends_with('\n') {
                format!("{instruction}{nl}")
            } else {
                format!("{nl}{instruction}")
            };
            Ok((TextEdit::insert(text.len(), insertion, 0), all.len()))
        }
    }
}

/// The start of the run of comment lines directly above the line starting at `line`, unless
/// the line before them continues an instruction (then the comments belong to it).
fn above_comments(text: &str, line: usize, escape: char) -> usize {
    let mut at = line;
    while at > 0 {
        let prev = line_start(text, at - 1);
        if text[prev..at].trim_start().starts_with('#') {
            at = prev;
        } else {
            break;
        }
    }
    if at == line || at == 0 {
        return at;
    }
    let prev = line_start(text, at - 1);
    if text[prev..at].trim_end().ends_with(escape) {
        line
    } else {
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    fn fixed(text: &str) -> String {
        let (edit, _) = add_user(text, "10001:10001").unwrap();
        apply(text, &[edit]).unwrap()
    }

    #[test]
    fn user_goes_before_the_final_command_of_the_last_stage() {
        let text = "FROM golang AS build\nRUN make\nCMD [\"x\"]\n\nFROM alpine\nRUN apk add curl\nCOPY --from=build /x /x\n# the server\nCMD [\"/x\"]\n";
        assert_eq!(
            fixed(text),
            "FROM golang AS build\nRUN make\nCMD [\"x\"]\n\nFROM alpine\nRUN apk add curl\nCOPY --from=build /x /x\nUSER 10001:10001\n# the server\nCMD [\"/x\"]\n"
        );
    }

    #[test]
    fn user_follows_the_last_user_and_ends_a_file_without_command() {
        assert_eq!(
            fixed("FROM a\nCMD x\nUSER root"),
            "FROM a\nCMD x\nUSER root\nUSER 10001:10001"
        );
        assert_eq!(
            fixed("FROM a\r\nRUN b\r\n"),
            "FROM a\r\nRUN b\r\nUSER 10001:10001\r\n"
        );
        // A USER after a continued line would become part of that instruction.
        assert!(add_user("FROM a\nRUN b \\\n", "1").is_err());
    }
}
