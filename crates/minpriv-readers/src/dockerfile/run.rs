//! What the commands of a `RUN` instruction do to file modes: `chmod` and `install` with a
//! setuid or setgid mode, also behind `sudo`/`env`/`busybox`, inside `sh -c '...'`, and in
//! here-document scripts.

use super::setuid::{
    CommandWord, SetuidTarget, chmod_targets, install_directories, install_targets,
    mkdir_directories,
};
use super::shell::{HereDoc, ShellWord, read_script};
use super::substitution::{Budget, Vars, expand_or_keep};
use std::collections::HashSet;
use std::ops::Range;

/// How many scripts inside scripts (`sh -c "bash -c '...'"`) are followed.
const MAX_NESTED_SCRIPTS: usize = 4;

/// Shells whose script is read from `-c`, a here-document, or standard input.
const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"];

/// What a `RUN` instruction is read against.
pub(crate) struct RunContext<'a> {
    /// The Dockerfile text (without a byte-order mark); every span points into it.
    pub text: &'a str,
    /// The here-documents found by the prescan.
    pub here_docs: &'a [HereDoc],
    /// The variables in scope (the shell sees `ARG` and `ENV` values in its environment).
    pub vars: &'a dyn Vars,
    /// The expansion budget of the whole read.
    pub budget: &'a mut Budget,
    /// Directories made earlier in this `RUN` (`mkdir`, `install -d`), normalised: a mode
    /// change on one of them gives nobody a program to run.
    directories: HashSet<String>,
}

/// Where the words of a script are written.
#[derive(Clone)]
enum Placement {
    /// In the Dockerfile at their own offsets.
    Direct,
    /// Inside a string that is not written verbatim (an escaped `sh -c` argument): every word
    /// points at that string.
    Within(Range<usize>),
}

/// The script being read: its text, where its words are written, and its own here-documents.
struct Script<'s> {
    source: &'s str,
    placement: &'s Placement,
    here_docs: &'s [HereDoc],
}

/// A command word, and the range of the Dockerfile that holds exactly its value (so a script in
/// it can be read with precise spans).
struct Word {
    word: CommandWord,
    verbatim: Option<Range<usize>>,
}

impl<'a> RunContext<'a> {
    /// The context of one `RUN` instruction.
    pub(crate) fn new(
        text: &'a str,
        here_docs: &'a [HereDoc],
        vars: &'a dyn Vars,
        budget: &'a mut Budget,
    ) -> Self {
        RunContext {
            text,
            here_docs,
            vars,
            budget,
            directories: HashSet::new(),
        }
    }

    /// The setuid/setgid targets of a shell-form `RUN` whose shell text is `range`.
    pub(crate) fn shell_form(&mut self, range: Range<usize>, escape: char) -> Vec<SetuidTarget> {
        let mut out = Vec::new();
        let text = self.text;
        self.script(text, range, Some(escape), &Placement::Direct, 0, &mut out);
        out
    }

    /// The setuid/setgid targets of an exec-form `RUN` (no shell: words are taken as written).
    pub(crate) fn exec_form(&mut self, argv: &[CommandWord]) -> Vec<SetuidTarget> {
        let words: Vec<Word> = argv
            .iter()
            .map(|w| Word {
                verbatim: (self.text.get(w.span.clone()) == Some(w.value.as_str()))
                    .then(|| w.span.clone()),
                word: w.clone(),
            })
            .collect();
        let mut out = Vec::new();
        let text = self.text;
        let no_here_docs = Script {
            source: text,
            placement: &Placement::Direct,
            here_docs: &[],
        };
        self.command(&words, &[], &no_here_docs, 0, &mut out);
        out
    }

    /// The setuid/setgid targets of a here-document that `RUN` runs as its script.
    pub(crate) fn here_doc_script(&mut self, body: Range<usize>) -> Vec<SetuidTarget> {
        let mut out = Vec::new();
        let text = self.text;
        let script = Script {
            source: text,
            placement: &Placement::Direct,
            here_docs: &[],
        };
        self.script_file(&script, body, 0, &mut out);
        out
    }

    /// Reads `range` of `source` as a shell script.
    fn script(
        &mut self,
        source: &str,
        range: Range<usize>,
        continuation: Option<char>,
        placement: &Placement,
        depth: usize,
        out: &mut Vec<SetuidTarget>,
    ) {
        let read = read_script(source, range, continuation);
        let script = Script {
            source,
            placement,
            here_docs: &read.here_docs,
        };
        let lone_here_doc = match read.commands.as_slice() {
            [only] if only.words.is_empty() && only.here_docs.len() == 1 => only.here_docs.first(),
            _ => None,
        };
        for command in &read.commands {
            let words: Vec<Word> = command
                .words
                .iter()
                .map(|w| self.word(w, placement))
                .collect();
            self.command(&words, &command.here_docs, &script, depth, out);
        }
        // `RUN <<EOF` runs the body itself as the script.
        if let Some(&marker) = lone_here_doc
            && let Some(body) = self.here_doc_body(marker, &script)
        {
            self.script_file(&script, body, depth, out);
        }
    }

    /// A here-document run as a script file: BuildKit executes it with its shebang line, so a
    /// body for another interpreter (`#!/usr/bin/env python3`) is not shell.
    fn script_file(
        &mut self,
        script: &Script<'_>,
        body: Range<usize>,
        depth: usize,
        out: &mut Vec<SetuidTarget>,
    ) {
        let first_line = script
            .source
            .get(body.clone())
            .and_then(|b| b.lines().next());
        if first_line.is_none_or(shebang_is_shell) {
            self.nested_script(script, body, depth, out);
        }
    }

    /// A shell word's value (quotes removed, variables substituted) and where it is written.
    fn word(&mut self, shell_word: &ShellWord, placement: &Placement) -> Word {
        let value = expand_or_keep(&shell_word.raw, '\\', self.vars, self.budget);
        let span = match placement {
            Placement::Direct => shell_word.span.clone(),
            Placement::Within(outer) => outer.clone(),
        };
        let verbatim = match placement {
            Placement::Within(_) => None,
            // Only when no continuation was skipped inside the word (its raw text is as long as
            // its span) does an offset in the value match an offset in the Dockerfile.
            Placement::Direct if shell_word.raw.len() == span.len() => {
                verbatim_range(&shell_word.raw, &value, &span)
            }
            Placement::Direct => None,
        };
        Word {
            word: CommandWord { value, span },
            verbatim,
        }
    }

    /// The body of the here-document opened at `marker`: one the script itself holds, or, for
    /// the Dockerfile's own text, one the prescan found.
    fn here_doc_body(&self, marker: usize, script: &Script<'_>) -> Option<Range<usize>> {
        let find = |here_docs: &[HereDoc]| {
            here_docs
                .binary_search_by_key(&marker, |h| h.marker)
                .ok()
                .and_then(|i| here_docs.get(i))
                .map(|h| h.body.clone())
        };
        find(script.here_docs).or_else(|| match script.placement {
            Placement::Direct => find(self.here_docs),
            // Offsets in a derived string do not point at the Dockerfile's here-documents.
            Placement::Within(_) => None,
        })
    }

    /// Reads a here-document body as raw shell (no Dockerfile continuations apply in it).
    fn nested_script(
        &mut self,
        script: &Script<'_>,
        body: Range<usize>,
        depth: usize,
        out: &mut Vec<SetuidTarget>,
    ) {
        if depth < MAX_NESTED_SCRIPTS {
            self.script(script.source, body, None, script.placement, depth + 1, out);
        }
    }

    /// One simple command: its name after assignments and wrappers decides.
    fn command(
        &mut self,
        words: &[Word],
        here_doc_markers: &[usize],
        script: &Script<'_>,
        depth: usize,
        out: &mut Vec<SetuidTarget>,
    ) {
        let Some(start) = command_start(words) else {
            return;
        };
        let (Some(name), Some(args)) = (words.get(start), words.get(start + 1..)) else {
            return;
        };
        let name = basename(&name.word.value);
        let arg_words: Vec<CommandWord> = args.iter().map(|w| w.word.clone()).collect();
        match name {
            "chmod" => {
                let directories = &self.directories;
                out.extend(chmod_targets(&arg_words, &|path| {
                    directories.contains(path)
                }));
            }
            "install" => {
                out.extend(install_targets(&arg_words));
                self.directories.extend(install_directories(&arg_words));
            }
            "mkdir" => self.directories.extend(mkdir_directories(&arg_words)),
            _ if SHELLS.contains(&name) => match shell_input(&arg_words) {
                ShellInput::Argument(i) => {
                    let Some(script) = args.get(i) else { return };
                    if depth >= MAX_NESTED_SCRIPTS {
                        return;
                    }
                    match &script.verbatim {
                        Some(range) => {
                            let text = self.text;
                            self.script(
                                text,
                                range.clone(),
                                None,
                                &Placement::Direct,
                                depth + 1,
                                out,
                            );
                        }
                        None => {
                            let value = script.word.value.clone();
                            let placement = Placement::Within(script.word.span.clone());
                            self.script(&value, 0..value.len(), None, &placement, depth + 1, out);
                        }
                    }
                }
                ShellInput::StandardInput => {
                    for &marker in here_doc_markers {
                        if let Some(body) = self.here_doc_body(marker, script) {
                            self.nested_script(script, body, depth, out);
                        }
                    }
                }
                ShellInput::File => {}
            },
            _ => {}
        }
    }
}

/// The range of the Dockerfile whose text equals `value`: the word itself, or the inside of
/// its quotes, when nothing was escaped or substituted.
fn verbatim_range(raw: &str, value: &str, span: &Range<usize>) -> Option<Range<usize>> {
    if raw == value {
        return Some(span.clone());
    }
    for quote in ['\'', '"'] {
        let inner = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote));
        if inner == Some(value) && span.len() >= 2 {
            return Some(span.start + 1..span.end - 1);
        }
    }
    None
}

/// True for a shebang line that names a shell, and for a first line that is no shebang.
fn shebang_is_shell(first_line: &str) -> bool {
    let Some(interpreter) = first_line.strip_prefix("#!") else {
        return true;
    };
    let mut words = interpreter.split_whitespace();
    let Some(program) = words.next() else {
        return true;
    };
    let program = match basename(program) {
        "env" => words.find(|w| !w.starts_with('-')).map_or("", basename),
        other => other,
    };
    SHELLS.contains(&program)
}

/// True when `program` (the first word of a `SHELL` instruction) reads POSIX shell, so that the
/// shell form of `RUN` can be read as such (`cmd` and `powershell` cannot).
pub(crate) fn is_posix_shell(program: &str) -> bool {
    let name = basename(program);
    name == "busybox" || SHELLS.contains(&name)
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// True for `NAME=value` (an assignment before the command name).
fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The index of the word that names the program: past assignments, reserved words (`then`,
/// `do`, `{`, `!`) and wrappers (`sudo`, `env`, `exec`, `nice`, `busybox`, ...) and their options.
fn command_start(words: &[Word]) -> Option<usize> {
    let mut i = 0;
    loop {
        let value = words.get(i)?.word.value.as_str();
        if is_assignment(value) {
            i += 1;
            continue;
        }
        let (takes_argument, skip_dash_options): (&[&str], bool) = match basename(value) {
            "{" | "}" | "!" | "if" | "then" | "else" | "elif" | "do" | "while" | "until" => {
                i += 1;
                continue;
            }
            "sudo" | "doas" => (
                &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"],
                true,
            ),
            "env" => (&["-u", "-C", "-S"], true),
            "nice" => (&["-n"], true),
            "exec" | "command" | "builtin" | "nohup" | "time" => (&[], true),
            "busybox" => (&[], false),
            _ => return Some(i),
        };
        i += 1;
        if !skip_dash_options {
            continue;
        }
        while let Some(option) = words.get(i).map(|w| w.word.value.as_str()) {
            if option == "--" {
                i += 1;
                break;
            }
            if option.starts_with('-') {
                i += if takes_argument.contains(&option) {
                    2
                } else {
                    1
                };
            } else if is_assignment(option) {
                i += 1;
            } else {
                break;
            }
        }
    }
}

/// Where a shell reads its script from.
enum ShellInput {
    /// `-c`: from the operand at this index.
    Argument(usize),
    /// No operand: from standard input (a here-document).
    StandardInput,
    /// From a script file.
    File,
}

fn shell_input(args: &[CommandWord]) -> ShellInput {
    let mut from_argument = false;
    let mut skip_next = false;
    for (i, arg) in args.iter().enumerate() {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        let value = arg.value.as_str();
        if value.starts_with("--") {
            continue;
        }
        if value.len() > 1 && (value.starts_with('-') || value.starts_with('+')) {
            let flags = value.get(1..).unwrap_or("");
            from_argument |= flags.contains('c');
            // `-o NAME` (also at the end of a cluster, `-euxo pipefail`) takes the next word.
            skip_next = flags.ends_with('o');
            continue;
        }
        return if from_argument {
            ShellInput::Argument(i)
        } else {
            ShellInput::File
        };
    }
    if from_argument {
        ShellInput::File
    } else {
        ShellInput::StandardInput
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn targets(script: &str) -> Vec<(String, String)> {
        let vars: HashMap<String, String> = [("BIN".to_owned(), "/usr/bin/ping".to_owned())].into();
        let mut budget = Budget::for_text(script);
        let mut ctx = RunContext::new(script, &[], &vars, &mut budget);
        ctx.shell_form(0..script.len(), '\\')
            .into_iter()
            .map(|t| (t.path, script[t.span].to_owned()))
            .collect()
    }

    fn pair(path: &str, written: &str) -> (String, String) {
        (path.to_owned(), written.to_owned())
    }

    #[test]
    fn commands_that_set_setuid() {
        assert_eq!(targets("chmod u+s /a"), [pair("/a", "/a")]);
        assert_eq!(
            targets("apt-get install -y x && chmod 4755 /a '/b c'; echo ok"),
            [pair("/a", "/a"), pair("/b c", "'/b c'")]
        );
        assert_eq!(
            targets("sudo -u root chmod g+s /srv"),
            [pair("/srv", "/srv")]
        );
        assert_eq!(targets("env A=1 /bin/chmod +s /x"), [pair("/x", "/x")]);
        assert_eq!(targets("busybox chmod 6755 /x"), [pair("/x", "/x")]);
        assert_eq!(
            targets("if true; then chmod u+s /x; fi"),
            [pair("/x", "/x")]
        );
        assert_eq!(targets("chmod u+s $BIN"), [pair("/usr/bin/ping", "$BIN")]);
        assert_eq!(
            targets("install -m 4755 a /usr/bin/a"),
            [pair("/usr/bin/a", "/usr/bin/a")]
        );
    }

    #[test]
    fn nested_shells() {
        assert_eq!(targets("sh -c 'chmod u+s /x'"), [pair("/x", "/x")]);
        assert_eq!(
            targets("bash -euxo pipefail -c \"chmod u+s /x\""),
            [pair("/x", "/x")]
        );
        // An escape inside the string: the path points at the whole string.
        assert_eq!(
            targets("sh -c \"chmod u+s /x\\$\""),
            [pair("/x$", "\"chmod u+s /x\\$\"")]
        );
    }

    #[test]
    fn directories_made_in_the_same_run_are_no_programs() {
        assert!(targets("mkdir -p /var/run/pg && chmod 2777 /var/run/pg").is_empty());
        assert!(targets("mkdir -m 2775 /srv/x; chown a /srv/x; chmod g+s /srv/x/").is_empty());
        assert!(targets("mkdir -p /a/b/c && chmod g+s /a/b").is_empty());
        assert!(targets("install -d /d && sh -c 'chmod g+s /d'").is_empty());
        assert!(targets("install --mode 3777 --directory /var/run/postgresql").is_empty());
        assert!(targets("chmod 1777 /tmp").is_empty());
        // Not a directory made here, a recursive change, or a directory made only later.
        assert_eq!(targets("mkdir /d && chmod -R g+s /d"), [pair("/d", "/d")]);
        assert_eq!(
            targets("mkdir /d && chmod g+s /d/tool"),
            [pair("/d/tool", "/d/tool")]
        );
        assert_eq!(
            targets("chmod g+s /late && mkdir /late"),
            [pair("/late", "/late")]
        );
    }

    #[test]
    fn commands_that_do_not() {
        assert!(targets("chmod 755 /a && chmod u-s /b").is_empty());
        assert!(targets("echo chmod u+s /a").is_empty());
        assert!(targets("find / -perm /6000 -exec chmod a-s {} +").is_empty());
        assert!(targets("sh script.sh chmod u+s /a").is_empty());
    }

    #[test]
    fn here_documents_inside_scripts() {
        // A script (a `RUN <<EOF` body) that writes a file with its own here-document, then feeds
        // one to bash: the file's text is data, bash's is a script.
        let script = "cat <<X > /etc/motd\nchmod u+s /no\nX\nbash <<'Y'\nchmod u+s /yes\nY\n";
        let vars: HashMap<String, String> = HashMap::new();
        let mut budget = Budget::for_text(script);
        let mut ctx = RunContext::new(script, &[], &vars, &mut budget);
        let found: Vec<(String, &str)> = ctx
            .here_doc_script(0..script.len())
            .into_iter()
            .map(|t| (t.path, &script[t.span]))
            .collect();
        assert_eq!(found, [("/yes".to_owned(), "/yes")]);
    }

    #[test]
    fn shebangs() {
        assert!(shebang_is_shell("#!/bin/sh"));
        assert!(shebang_is_shell("#!/usr/bin/env bash"));
        assert!(shebang_is_shell("chmod u+s /x"));
        assert!(!shebang_is_shell("#!/usr/bin/env python3"));
        assert!(!shebang_is_shell("#!/usr/bin/perl -w"));
    }

    #[test]
    fn posix_shells() {
        assert!(is_posix_shell("/bin/bash"));
        assert!(is_posix_shell("/bin/busybox"));
        assert!(!is_posix_shell("powershell"));
        assert!(!is_posix_shell("cmd"));
    }
}
