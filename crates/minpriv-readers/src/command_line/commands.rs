//! Finding `docker|podman|nerdctl run|create` commands in shell text.
//!
//! The text is split into simple commands; prefixes that run the rest of the line as a command
//! (`sudo`, `env`, `exec`, assignments, `timeout`, ...) are stepped over; commands that carry
//! shell text in a word (`sh -c '...'`, `ssh host '...'`, `eval`, command substitutions,
//! here-documents fed to a shell, Jenkins `sh '...'` steps, Makefile variable definitions) are
//! read again, with offsets mapped back to the file.

use crate::shell::{SourceMap, Word, simple_commands, tokenize};
use minpriv_model::Runtime;
use std::ops::Range;

/// How often shell text may be read again inside shell text (`sh -c "sh -c '...'"`,
/// substitutions in substitutions) before the reader stops looking deeper.
const MAX_DEPTH: usize = 8;

/// A word of a command, in the coordinates of the file.
#[derive(Clone, Debug)]
pub(crate) struct FileWord {
    /// The word after quote removal.
    pub value: String,
    /// Where the whole word is in the file, quotes included.
    pub span: Range<usize>,
    /// Maps offsets of `value` to offsets of the file.
    map: SourceMap,
}

impl FileWord {
    /// A word whose value `map` maps to the file, written at `span`.
    pub(crate) fn new(value: String, span: Range<usize>, map: SourceMap) -> FileWord {
        FileWord { value, span, map }
    }

    /// Where the part `part` of the value is in the file.
    pub fn range(&self, part: Range<usize>) -> Range<usize> {
        self.map.range(part)
    }

    /// Where the whole value is in the file, quotes left out.
    pub fn value_range(&self) -> Range<usize> {
        self.map.range(0..self.value.len())
    }
}

/// One `docker run` (or `create`, or podman's, or nerdctl's).
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    /// Whose defaults apply.
    pub runtime: Runtime,
    /// The `docker` word.
    pub program: Range<usize>,
    /// The `run` or `create` word: the command's anchor.
    pub run_word: Range<usize>,
    /// The words after `run`: flags, the image, the container's command.
    pub args: Vec<FileWord>,
}

impl Invocation {
    /// The whole command in the file, from the program word to its last word.
    pub fn span(&self) -> Range<usize> {
        let end = self.args.last().map_or(self.run_word.end, |w| w.span.end);
        self.program.start..end.max(self.program.start)
    }
}

/// Finds every invocation in `text`, whose offsets `map` maps to the file, in file order.
pub(crate) fn find_invocations(text: &str, map: &SourceMap) -> Vec<Invocation> {
    let mut found = Vec::new();
    scan(text, map, 0, &mut found);
    found.sort_by_key(|inv| (inv.run_word.start, inv.run_word.end));
    found.dedup_by_key(|inv| inv.run_word.clone());
    found
}

/// Where a text being scanned comes from.
struct Context<'t> {
    text: &'t str,
    map: &'t SourceMap,
    depth: usize,
}

fn scan(text: &str, map: &SourceMap, depth: usize, out: &mut Vec<Invocation>) {
    if depth > MAX_DEPTH {
        return;
    }
    let cx = Context { text, map, depth };
    let tokens = tokenize(text);
    for simple in simple_commands(&tokens) {
        // Redirection targets and here-document delimiters are no arguments, but their
        // command substitutions run.
        for target in &simple.redirect_targets {
            visit_substitutions(&cx, target, out);
        }
        let heredocs: Vec<Range<usize>> = simple
            .here_docs
            .iter()
            .filter_map(|h| h.body.clone())
            .collect();
        command(&cx, &simple.words, &heredocs, out);
    }
}

/// Scans the command substitutions of `word`.
fn visit_substitutions(cx: &Context<'_>, word: &Word, out: &mut Vec<Invocation>) {
    for body in &word.substitutions {
        if let Some(inner) = cx.text.get(body.clone()) {
            scan(inner, &cx.map.slice(body.clone()), cx.depth + 1, out);
        }
    }
}

/// Scans the value of `word` as shell text (an `sh -c` argument, a Jenkins `sh` string).
fn scan_word_as_text(cx: &Context<'_>, word: &Word, out: &mut Vec<Invocation>) {
    let mut inner: &str = &word.value;
    // Groovy: `sh(script: 'docker run x', returnStdout: true)` leaves the comma after the
    // closing quote glued to the string.
    let bytes = cx.text.as_bytes();
    let ends_with_glued_comma = word.span.end >= 2
        && bytes.get(word.span.end - 1) == Some(&b',')
        && matches!(bytes.get(word.span.end - 2), Some(b'\'' | b'"'));
    if ends_with_glued_comma {
        inner = inner.strip_suffix(',').unwrap_or(inner);
    }
    scan(inner, &cx.map.compose(&word.map), cx.depth + 1, out);
}

/// Scans the bodies of here-documents fed to a command that runs them (`bash <<EOF`).
fn scan_heredocs(cx: &Context<'_>, heredocs: &[Range<usize>], out: &mut Vec<Invocation>) {
    for body in heredocs {
        if let Some(inner) = cx.text.get(body.clone()) {
            scan(inner, &cx.map.slice(body.clone()), cx.depth + 1, out);
        }
    }
}

/// Words that may start a command and are followed by the real command.
#[rustfmt::skip]
const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "export", "override",
    "readonly", "local", "declare", "command", "builtin", "nohup",
];

const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox"];

/// Makefile variable definitions: `DOCKER_RUN := docker run ...`.
const MAKE_ASSIGNMENTS: &[&str] = &["=", ":=", "::=", ":::=", "?=", "+=", "!="];

/// One simple command (its words, redirection targets removed).
fn command(
    cx: &Context<'_>,
    words: &[&Word],
    heredocs: &[Range<usize>],
    out: &mut Vec<Invocation>,
) {
    for w in words {
        visit_substitutions(cx, w, out);
    }
    // Jenkins: `sh script: '...'`, and `sh(label: 'x', script: '...')` whose `(` ended the
    // command, leaving Groovy named arguments.
    let groovy_step = words
        .first()
        .is_some_and(|w| w.value == "sh" || (!w.quoted && w.value.ends_with(':')));
    if groovy_step
        && let Some(i) = words.iter().position(|w| w.value == "script:" && !w.quoted)
        && let Some(script) = words.get(i + 1).filter(|w| w.starts_quoted)
    {
        scan_word_as_text(cx, script, out);
    }
    command_words(cx, words, heredocs, out);
}

/// The part of [`command`] that may be applied again to a tail of the words (after `ssh host`,
/// `eval`, a Makefile assignment).
fn command_words(
    cx: &Context<'_>,
    words: &[&Word],
    heredocs: &[Range<usize>],
    out: &mut Vec<Invocation>,
) {
    let Some(k) = skip_prefixes(words) else {
        return;
    };
    let Some(cmd) = words.get(k) else {
        return;
    };
    let name = command_name(&cmd.value, k == 0);
    let base = name.rsplit('/').next().unwrap_or(name);
    let rest = words.get(k + 1..).unwrap_or(&[]);
    let deeper = Context {
        depth: cx.depth + 1,
        ..*cx
    };

    if SHELLS.contains(&base) {
        shell_command(cx, rest, heredocs, out);
    } else if base == "ssh" {
        scan_heredocs(cx, heredocs, out);
        let host = skip_options(rest, 0, SSH_VALUE_OPTIONS);
        remote_command(cx, &deeper, rest.get(host + 1..).unwrap_or(&[]), out);
    } else if base == "su" || base == "runuser" {
        // `su deploy -c 'docker run ...'`
        let flag = rest
            .iter()
            .position(|w| w.value == "-c" || w.value == "--command");
        if let Some(script) = flag.and_then(|i| rest.get(i + 1)) {
            scan_word_as_text(cx, script, out);
        }
    } else if base == "eval" {
        remote_command(cx, &deeper, rest, out);
    } else if cmd.starts_quoted && cmd.value.contains(char::is_whitespace) && rest.is_empty() {
        // Jenkins `sh('docker run ...')`: the string is all that is left after `(`.
        scan_word_as_text(cx, cmd, out);
    } else if rest
        .first()
        .is_some_and(|w| !w.quoted && MAKE_ASSIGNMENTS.contains(&w.value.as_str()))
    {
        if deeper.depth <= MAX_DEPTH {
            command_words(&deeper, rest.get(1..).unwrap_or(&[]), &[], out);
        }
    } else if let Some(runtime) = container_cli(name) {
        if let Some(inv) = invocation(cx, runtime, cmd, rest) {
            out.push(inv);
        }
    } else if let Some(assignment) = k.checked_sub(1).and_then(|i| words.get(i)) {
        // Makefile `DOCKER_RUN=docker run ...` (no spaces) reads as an assignment, then `run`.
        let assigned = assignment.value.split_once('=').map_or("", |(_, v)| v);
        if let Some(runtime) = container_cli(assigned) {
            let program_and_rest = &words[k - 1..];
            if let Some((program, tail)) = program_and_rest.split_first()
                && let Some(inv) = invocation(cx, runtime, program, tail)
            {
                out.push(inv);
            }
        }
    }
}

/// `sh -c '...'`, `bash -ec "..."`, `bash <<EOF`, Jenkins `sh '...'`.
fn shell_command(
    cx: &Context<'_>,
    args: &[&Word],
    heredocs: &[Range<usize>],
    out: &mut Vec<Invocation>,
) {
    scan_heredocs(cx, heredocs, out);
    let mut i = 0;
    let mut reads_string = false;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if v == "--" {
            i += 1;
            break;
        }
        if v.starts_with("--") {
            i += 1;
        } else if (v.starts_with('-') || v.starts_with('+')) && v.len() > 1 {
            reads_string |= v[1..].contains('c');
            // `-o pipefail` takes the next word.
            i += if v[1..].ends_with('o') { 2 } else { 1 };
        } else {
            break;
        }
    }
    if reads_string {
        if let Some(script) = args.get(i) {
            scan_word_as_text(cx, script, out);
        }
    } else if let Some(script) = args.first().filter(|w| w.starts_quoted) {
        // Jenkins `sh 'docker run ...'` / `sh """..."""`: the Groovy string is the script.
        scan_word_as_text(cx, script, out);
    }
}

/// The command `ssh host` or `eval` runs: one string to read as shell text, or words.
fn remote_command(
    cx: &Context<'_>,
    deeper: &Context<'_>,
    words: &[&Word],
    out: &mut Vec<Invocation>,
) {
    match words {
        [] => {}
        [single] if single.quoted => scan_word_as_text(cx, single, out),
        _ if deeper.depth <= MAX_DEPTH => command_words(deeper, words, &[], out),
        _ => {}
    }
}

#[rustfmt::skip]
const SUDO_VALUE_OPTIONS: &[&str] = &[
    "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group",
    "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--close-from",
    "--command-timeout", "--chroot",
];
const ENV_VALUE_OPTIONS: &[&str] = &["-u", "-C", "-S", "--unset", "--chdir", "--split-string"];
const TIMEOUT_VALUE_OPTIONS: &[&str] = &["-s", "-k", "--signal", "--kill-after"];
#[rustfmt::skip]
const XARGS_VALUE_OPTIONS: &[&str] = &[
    "-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a", "--max-args", "--max-procs", "--max-lines",
    "--delimiter", "--arg-file",
];
#[rustfmt::skip]
const SSH_VALUE_OPTIONS: &[&str] = &[
    "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q",
    "-R", "-S", "-W", "-w", "-B",
];

/// Past the options starting at `from`: `value_options` take the next word.
fn skip_options(words: &[&Word], from: usize, value_options: &[&str]) -> usize {
    let mut i = from;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if v == "--" {
            return i + 1;
        }
        if !v.starts_with('-') || v == "-" {
            break;
        }
        i += if value_options.contains(&v) { 2 } else { 1 };
    }
    i
}

/// The index of the word that names the command, past assignments and wrappers.
fn skip_prefixes(words: &[&Word]) -> Option<usize> {
    let mut k = 0;
    while let Some(w) = words.get(k) {
        let v = command_name(&w.value, k == 0);
        if SHELL_KEYWORDS.contains(&v) || (is_assignment(&w.value) && !w.starts_quoted) {
            k += 1;
            continue;
        }
        k = match v {
            "sudo" | "doas" => skip_options(words, k + 1, SUDO_VALUE_OPTIONS),
            "exec" => skip_options(words, k + 1, &["-a"]),
            "env" => skip_options(words, k + 1, ENV_VALUE_OPTIONS),
            "nice" => skip_options(words, k + 1, &["-n", "--adjustment"]),
            "timeout" => skip_options(words, k + 1, TIMEOUT_VALUE_OPTIONS) + 1,
            "xargs" => skip_options(words, k + 1, XARGS_VALUE_OPTIONS),
            "watch" => skip_options(words, k + 1, &["-n", "--interval"]),
            _ => return Some(k),
        };
    }
    (k < words.len()).then_some(k)
}

/// The command word with a Makefile recipe's `@`, `-` and `+` prefixes removed.
fn command_name(value: &str, first_word: bool) -> &str {
    if first_word {
        let stripped = value.trim_start_matches(['@', '-', '+']);
        if !stripped.is_empty() {
            return stripped;
        }
    }
    value
}

/// `NAME=value` (also `NAME+=value`).
fn is_assignment(value: &str) -> bool {
    let Some(eq) = value.find('=') else {
        return false;
    };
    let name = value[..eq].strip_suffix('+').unwrap_or(&value[..eq]);
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Variables that commonly hold the container CLI (`$(CONTAINER_TOOL) run` in Makefiles made
/// by kubebuilder, `${CONTAINER_ENGINE}` in scripts that support both docker and podman).
#[rustfmt::skip]
const ENGINE_VARIABLES: &[&str] = &[
    "container_engine", "container_runtime", "container_tool", "container_cli", "container_cmd",
    "container_bin", "oci_engine",
];

/// The runtime of a container CLI named `name`: `docker`, `/usr/bin/podman`, `nerdctl`, or a
/// variable that holds one (`$DOCKER`, `$(DOCKER)`, `$${PODMAN}`, `{{ docker }}`).
fn container_cli(name: &str) -> Option<Runtime> {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base {
        "docker" | "docker.exe" => return Some(Runtime::Docker),
        "podman" | "podman-remote" | "podman.exe" => return Some(Runtime::Podman),
        // nerdctl applies Docker's defaults (and the default seccomp profile), not the
        // Kubernetes ones containerd has under a kubelet.
        "nerdctl" => return Some(Runtime::Docker),
        _ => {}
    }
    let variable = variable_name(name)?.to_ascii_lowercase();
    if variable.contains("compose") {
        // `$DOCKER_COMPOSE run service` runs a Compose service, not an image.
        return None;
    }
    if variable.contains("podman") {
        Some(Runtime::Podman)
    } else if variable.contains("docker")
        || variable.contains("nerdctl")
        || ENGINE_VARIABLES.iter().any(|e| variable.contains(e))
    {
        Some(Runtime::Docker)
    } else {
        None
    }
}

/// The name inside a word that is nothing but one variable reference.
fn variable_name(word: &str) -> Option<&str> {
    let w = word.strip_prefix('$').unwrap_or(word);
    let w = w.strip_prefix('$').unwrap_or(w);
    let inner = if let Some(rest) = w.strip_prefix("{{") {
        rest.strip_suffix("}}")?
    } else if let Some(rest) = w.strip_prefix('{') {
        rest.strip_suffix('}')?
    } else if let Some(rest) = w.strip_prefix('(') {
        rest.strip_suffix(')')?
    } else if word.starts_with('$') {
        w
    } else {
        return None;
    };
    let inner = inner.trim();
    (!inner.is_empty() && !inner.contains(char::is_whitespace)).then_some(inner)
}

/// Global options of docker, podman and nerdctl that take a value, before the subcommand.
#[rustfmt::skip]
const GLOBAL_VALUE_OPTIONS: &[&str] = &[
    "-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert",
    "--tlskey", "--cgroup-manager", "--conmon", "--connection", "--events-backend", "--hooks-dir",
    "--identity", "--imagestore", "--module", "--network-cmd-path", "--network-config-dir", "--out",
    "--root", "--runroot", "--runtime", "--runtime-flag", "--ssh", "--storage-driver",
    "--storage-opt", "--tmpdir", "--url", "--volumepath", "--cni-config-dir", "--db-backend", "-n",
    "--namespace", "-a", "--address", "--snapshotter", "--cni-path", "--cni-netconfpath",
    "--data-root", "--hosts-dir", "--host-gateway-ip", "--bridge-ip",
];

/// `docker [global options] [container] run|create ARGS`, given the words after `docker`.
fn invocation(
    cx: &Context<'_>,
    runtime: Runtime,
    program: &Word,
    words: &[&Word],
) -> Option<Invocation> {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if !v.starts_with('-') || v.len() < 2 {
            break;
        }
        if matches!(v, "--help" | "-h" | "--version" | "-v") {
            return None;
        }
        let takes_value = !v.contains('=') && GLOBAL_VALUE_OPTIONS.contains(&v);
        i += if takes_value { 2 } else { 1 };
    }
    let mut sub = words.get(i)?;
    if sub.value == "container" {
        i += 1;
        sub = words.get(i)?;
    }
    if sub.value != "run" && sub.value != "create" {
        return None;
    }
    let args = words
        .get(i + 1..)
        .unwrap_or(&[])
        .iter()
        .map(|w| to_file_word(cx, w))
        .collect();
    Some(Invocation {
        runtime,
        program: cx.map.range(program.span.clone()),
        run_word: cx.map.range(sub.span.clone()),
        args,
    })
}

fn to_file_word(cx: &Context<'_>, word: &Word) -> FileWord {
    FileWord {
        value: word.value.clone(),
        span: cx.map.range(word.span.clone()),
        map: cx.map.compose(&word.map),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<(Runtime, String, Vec<String>)> {
        find_invocations(text, &SourceMap::identity(0, text.len()))
            .into_iter()
            .map(|inv| {
                (
                    inv.runtime,
                    text[inv.run_word.clone()].to_string(),
                    inv.args.iter().map(|w| w.value.clone()).collect(),
                )
            })
            .collect()
    }

    fn args_of(text: &str) -> Vec<Vec<String>> {
        find(text).into_iter().map(|(_, _, a)| a).collect()
    }

    #[test]
    fn prefixes_are_stepped_over() {
        for text in [
            "docker run x",
            "sudo docker run x",
            "sudo -u root -E docker run x",
            "FOO=1 BAR=2 docker run x",
            "exec docker run x",
            "env -u X A=b docker run x",
            "time nohup docker run x",
            "timeout -s KILL 30 docker run x",
            "if docker run x; then :; fi",
            "\t@docker run x",
            "-docker run x",
            "/usr/bin/docker run x",
            "docker -H tcp://h:2376 --context c --tls run x",
            "docker container run x",
            "docker --log-level=debug container create x",
            "$(DOCKER) run x",
            "$$DOCKER run x",
            "${DOCKER:-docker} run x",
            "{{ docker }} run x",
            "$(CONTAINER_TOOL) run x",
            "CID=$(docker run x)",
            "echo `docker run x`",
            "sh -c 'docker run x'",
            "bash -euo pipefail -c \"docker run x\"",
            "ssh -i key host 'docker run x'",
            "ssh host docker run x",
            "eval \"docker run x\"",
            "su deploy -c 'docker run x'",
            "sh(label: 'run', script: \"docker run x\")",
            "bash <<EOF\ndocker run x\nEOF",
            "DOCKER_RUN := docker run x",
            "DOCKER_RUN=docker run x",
            "sh 'docker run x'",
            "sh(script: 'docker run x', returnStdout: true)",
            "sh \"\"\"\n  docker run x\n\"\"\"",
        ] {
            assert_eq!(args_of(text), [["x"]], "{text:?}");
        }
    }

    #[test]
    fn other_commands_are_not_runs() {
        for text in [
            "docker ps",
            "docker --help run x",
            "docker compose run web",
            "$DOCKER_COMPOSE run web",
            "docker exec c docker run x",
            "echo docker run x",
            "echo script: 'docker run x'",
            "# docker run x",
            "cat <<EOF\ndocker run x\nEOF",
            "docker-compose run x",
            "podman pod create x",
            "run x",
        ] {
            assert!(find(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn runtime_follows_the_cli() {
        let rt = |t: &str| find(t).first().map(|f| f.0);
        assert_eq!(rt("podman run x"), Some(Runtime::Podman));
        assert_eq!(rt("podman container create x"), Some(Runtime::Podman));
        assert_eq!(rt("${PODMAN} run x"), Some(Runtime::Podman));
        assert_eq!(rt("nerdctl run x"), Some(Runtime::Docker));
        assert_eq!(rt("docker create x"), Some(Runtime::Docker));
    }

    #[test]
    fn redirections_are_not_arguments() {
        assert_eq!(
            args_of("docker run x 2>&1 > /dev/null"),
            [["x".to_string()]]
        );
        assert_eq!(args_of("docker run -d x | tee log"), [["-d", "x"]]);
    }

    #[test]
    fn spans_map_to_the_file_through_sh_c() {
        let text = "bash -c \"docker run --name 'a b' img\"";
        let found = find_invocations(text, &SourceMap::identity(0, text.len()));
        let inv = &found[0];
        assert_eq!(&text[inv.run_word.clone()], "run");
        assert_eq!(inv.args[1].value, "a b");
        assert_eq!(&text[inv.args[1].value_range()], "a b");
        assert_eq!(&text[inv.args[1].span.clone()], "'a b'");
        assert_eq!(&text[inv.span()], "docker run --name 'a b' img");
    }

    #[test]
    fn nesting_is_followed_to_a_fixed_depth() {
        let wrapped = |levels: usize| {
            let mut text = String::from("docker run x");
            for _ in 0..levels {
                text = format!("sh -c {}", shell_quote(&text));
            }
            text
        };
        assert_eq!(args_of(&wrapped(5)), [["x"]]);
        assert!(find(&wrapped(MAX_DEPTH + 2)).is_empty());
    }

    fn shell_quote(s: &str) -> String {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
