//! Which modes and which commands give files a setuid or setgid bit.

use std::ops::Range;

/// True when `mode`, as `chmod`, `install -m` and `COPY --chmod` take it, sets the setuid or
/// the setgid bit: a numeric mode whose special digit has 4 or 2 (`4755`, `2755`, `6755`,
/// `04755`), or a symbolic mode whose clauses end with `s` set for the user or the group
/// (`u+s`, `g+s`, `+s`, `ug+s`, `a+rwxs`, `u=rwxs`, but not `o+s`, `u+s,u-s` or `+t`).
pub(crate) fn mode_sets_setuid_or_setgid(mode: &str) -> bool {
    let mode = mode.trim();
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let significant = mode.trim_start_matches('0');
        if significant.len() > 4 {
            return false;
        }
        return u32::from_str_radix(significant, 8).is_ok_and(|bits| bits & 0o6000 != 0);
    }
    let mut special = SpecialBits::default();
    for clause in mode.split(',') {
        if !special.apply_clause(clause) {
            return false;
        }
    }
    special.setuid || special.setgid
}

/// The setuid and setgid bits while a symbolic mode is applied clause by clause.
#[derive(Default)]
struct SpecialBits {
    setuid: bool,
    setgid: bool,
}

impl SpecialBits {
    /// Applies one `[ugoa]*([-+=]([rwxXst]*|[ugo]))+` clause; false when it is not one.
    fn apply_clause(&mut self, clause: &str) -> bool {
        let who_len = clause.bytes().take_while(|b| b"ugoa".contains(b)).count();
        let (who, mut actions) = clause.split_at(who_len);
        // With no `who`, `s` applies to both the user and the group.
        let user = who.is_empty() || who.contains(['u', 'a']);
        let group = who.is_empty() || who.contains(['g', 'a']);
        if actions.is_empty() {
            return false;
        }
        while let Some(op) = actions.chars().next() {
            if !matches!(op, '+' | '-' | '=') {
                return false;
            }
            actions = &actions[1..];
            let perm_len = actions
                .bytes()
                .take_while(|b| b"rwxXst".contains(b))
                .count();
            let (perms, rest) = actions.split_at(perm_len);
            actions = rest;
            if perm_len == 0 {
                // `g=u` copies another class's bits; the special bits are not copied.
                let copy_len = actions.bytes().take_while(|b| b"ugo".contains(b)).count();
                actions = &actions[copy_len.min(1)..];
            }
            let has_s = perms.contains('s');
            match op {
                '+' if has_s => self.set(user, group, true),
                '-' if has_s => self.set(user, group, false),
                '=' => self.set(user, group, has_s),
                _ => {}
            }
        }
        true
    }

    /// Sets or clears the bits of the classes a clause names.
    fn set(&mut self, user: bool, group: bool, value: bool) {
        if user {
            self.setuid = value;
        }
        if group {
            self.setgid = value;
        }
    }
}

/// A command word after quote removal and variable expansion, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CommandWord {
    /// The word's value.
    pub value: String,
    /// Where it is written.
    pub span: Range<usize>,
}

/// A file given a setuid or setgid bit, and the word that names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SetuidTarget {
    /// The path.
    pub path: String,
    /// Where it is written.
    pub span: Range<usize>,
}

impl SetuidTarget {
    /// The file `word` names.
    fn of(word: &CommandWord) -> SetuidTarget {
        SetuidTarget {
            path: word.value.clone(),
            span: word.span.clone(),
        }
    }

    /// `word` placed into the directory `dir`.
    fn inside(dir: &str, word: &CommandWord) -> SetuidTarget {
        let name = word.value.trim_end_matches('/');
        let name = name.rsplit('/').next().unwrap_or(name);
        SetuidTarget {
            path: format!("{}/{name}", dir.trim_end_matches('/')),
            span: word.span.clone(),
        }
    }
}

/// `chmod`'s short options (`-R`, `-v`, `-Rf`, ...); anything else after a `-` is a mode such as
/// `-x` or `-w,u+s`.
fn is_chmod_option(word: &str) -> bool {
    word.strip_prefix('-')
        .is_some_and(|flags| !flags.is_empty() && flags.chars().all(|c| "RcfvHLP".contains(c)))
}

/// The files that `chmod ARGS...` gives a setuid or setgid bit (`args` follow the command name).
///
/// Only files that may be executables count: on a directory, setgid makes new entries inherit
/// its group and setuid does nothing, so nobody can run it to gain privileges. A path written
/// with a trailing `/` is a directory, and so is one that `is_directory` knows (made by `mkdir`
/// or `install -d` earlier in the same `RUN`), unless the change is recursive (`-R`), which
/// reaches the files inside as well.
pub(crate) fn chmod_targets(
    args: &[CommandWord],
    is_directory: &dyn Fn(&str) -> bool,
) -> Vec<SetuidTarget> {
    let mut mode: Option<&str> = None;
    let mut files = Vec::new();
    let mut options_done = false;
    let mut recursive = false;
    for word in args {
        let value = word.value.as_str();
        if !options_done {
            if value == "--" {
                options_done = true;
                continue;
            }
            if value.starts_with("--reference") {
                // The mode is copied from another file: not knowable here.
                return Vec::new();
            }
            if value == "--recursive" || (is_chmod_option(value) && value.contains('R')) {
                recursive = true;
                continue;
            }
            if value.starts_with("--") || is_chmod_option(value) {
                continue;
            }
        }
        match mode {
            None => mode = Some(value),
            Some(_) => files.push(word),
        }
    }
    match mode {
        Some(mode) if mode_sets_setuid_or_setgid(mode) => files
            .into_iter()
            .filter(|file| {
                recursive
                    || !(file.value.ends_with('/') || is_directory(&normalise_path(&file.value)))
            })
            .map(SetuidTarget::of)
            .collect(),
        _ => Vec::new(),
    }
}

/// `path` with `//`, `/./` and a trailing `/` removed, so that the spellings of one directory
/// compare equal (`..` is kept: it may cross a link).
pub(crate) fn normalise_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// The directories `mkdir ARGS...` creates (normalised); with `-p`, their parents too.
pub(crate) fn mkdir_directories(args: &[CommandWord]) -> Vec<String> {
    let mut parents = false;
    let mut operands = Vec::new();
    let mut options_done = false;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let value = word.value.as_str();
        if options_done || !value.starts_with('-') || value == "-" {
            operands.push(value);
            continue;
        }
        if value == "--" {
            options_done = true;
        } else if let Some(long) = value.strip_prefix("--") {
            if long == "parents" {
                parents = true;
            } else if long == "mode" {
                words.next();
            }
        } else {
            for (i, flag) in value.char_indices().skip(1) {
                match flag {
                    'p' => parents = true,
                    'm' => {
                        // `-m MODE` or `-mMODE`: the rest of the word, or the next word.
                        if value.len() == i + 1 {
                            words.next();
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    let mut out = Vec::new();
    for operand in operands {
        let dir = normalise_path(operand);
        if parents {
            let mut parent = dir.as_str();
            while let Some((up, _)) = parent.rsplit_once('/') {
                if up.is_empty() {
                    break;
                }
                out.push(up.to_string());
                parent = up;
            }
        }
        out.push(dir);
    }
    out
}

/// What an `install` command was asked to do.
struct Install<'a> {
    mode: Option<String>,
    /// `-d`: every operand is a directory to create.
    directories: bool,
    target_directory: Option<String>,
    operands: Vec<&'a CommandWord>,
}

/// The directories `install -d ARGS...` creates (normalised); none without `-d`.
pub(crate) fn install_directories(args: &[CommandWord]) -> Vec<String> {
    let install = parse_install(args);
    if !install.directories {
        return Vec::new();
    }
    install
        .operands
        .iter()
        .map(|w| normalise_path(&w.value))
        .collect()
}

/// The files that `install ARGS...` creates with a setuid or setgid mode: the destination, or
/// each source placed in the `-t` directory or in a destination directory. With `-d` it
/// creates directories only, whose mode gives nobody a program to run (see [`chmod_targets`]).
pub(crate) fn install_targets(args: &[CommandWord]) -> Vec<SetuidTarget> {
    let Install {
        mode,
        directories,
        target_directory,
        operands,
    } = parse_install(args);
    if directories || !mode.as_deref().is_some_and(mode_sets_setuid_or_setgid) {
        return Vec::new();
    }
    if let Some(dir) = target_directory {
        return operands
            .into_iter()
            .map(|w| SetuidTarget::inside(&dir, w))
            .collect();
    }
    match operands.split_last() {
        Some((dest, sources))
            if sources.len() > 1 || (sources.len() == 1 && dest.value.ends_with('/')) =>
        {
            sources
                .iter()
                .map(|w| SetuidTarget::inside(&dest.value, w))
                .collect()
        }
        Some((dest, _)) => vec![SetuidTarget::of(dest)],
        None => Vec::new(),
    }
}

fn parse_install(args: &[CommandWord]) -> Install<'_> {
    let mut mode: Option<String> = None;
    let mut directories = false;
    let mut target_directory: Option<String> = None;
    let mut operands: Vec<&CommandWord> = Vec::new();
    let mut options_done = false;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let value = word.value.as_str();
        if options_done || !value.starts_with('-') || value == "-" {
            operands.push(word);
            continue;
        }
        let mut next_value = || words.next().map(|w| w.value.clone());
        if value == "--" {
            options_done = true;
        } else if let Some(long) = value.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, v)) => (name, Some(v.to_owned())),
                None => (long, None),
            };
            match name {
                "mode" => mode = inline.or_else(next_value),
                "target-directory" => target_directory = inline.or_else(next_value),
                "directory" => directories = true,
                "owner" | "group" | "suffix" | "strip-program" if inline.is_none() => {
                    next_value();
                }
                _ => {}
            }
        } else {
            let flags = value.get(1..).unwrap_or("");
            for (i, flag) in flags.char_indices() {
                let attached = &flags[i + flag.len_utf8()..];
                let argument = || {
                    if attached.is_empty() {
                        None
                    } else {
                        Some(attached.to_owned())
                    }
                };
                match flag {
                    'd' => directories = true,
                    'm' => {
                        mode = argument().or_else(&mut next_value);
                        break;
                    }
                    't' => {
                        target_directory = argument().or_else(&mut next_value);
                        break;
                    }
                    'o' | 'g' | 'S' => {
                        if attached.is_empty() {
                            next_value();
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    Install {
        mode,
        directories,
        target_directory,
        operands,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_table() {
        let cases = [
            ("4755", true),
            ("2755", true),
            ("6755", true),
            ("04755", true),
            ("0004755", true),
            ("4000", true),
            ("755", false),
            ("0755", false),
            ("1777", false),
            ("01777", false),
            ("7777", true),
            ("47555", false),
            ("", false),
            ("0", false),
            ("u+s", true),
            ("g+s", true),
            ("+s", true),
            ("ug+s", true),
            ("a+rwxs", true),
            ("u=rwxs", true),
            ("u+x,g+s", true),
            ("-w,u+s", true),
            ("u+s-x", true),
            ("o+s", false),
            ("u-s", false),
            ("g-s", false),
            ("+t", false),
            ("u+s,u-s", false),
            ("u+s,u=rwx", false),
            ("u+s,g=u", true),
            ("u+x", false),
            ("a+rX", false),
            ("u=s,", false),
            ("x+s", false),
            ("us", false),
            ("4755x", false),
            ("8755", false),
        ];
        for (mode, want) in cases {
            assert_eq!(mode_sets_setuid_or_setgid(mode), want, "{mode}");
        }
    }

    fn words(args: &[&str]) -> Vec<CommandWord> {
        let mut offset = 0;
        args.iter()
            .map(|a| {
                let span = offset..offset + a.len();
                offset += a.len() + 1;
                CommandWord {
                    value: (*a).to_owned(),
                    span,
                }
            })
            .collect()
    }

    fn chmod(args: &[&str]) -> Vec<SetuidTarget> {
        chmod_targets(&words(args), &|path| path == "/made")
    }

    fn paths(targets: Vec<SetuidTarget>) -> Vec<String> {
        targets.into_iter().map(|t| t.path).collect()
    }

    #[test]
    fn chmod_arguments() {
        assert_eq!(paths(chmod(&["u+s", "/a", "/b"])), ["/a", "/b"]);
        assert_eq!(paths(chmod(&["-R", "-v", "4755", "/a"])), ["/a"]);
        assert_eq!(paths(chmod(&["--recursive", "g+s", "/d"])), ["/d"]);
        assert_eq!(paths(chmod(&["-w,u+s", "/a"])), ["/a"]);
        assert_eq!(paths(chmod(&["4755", "--", "-odd"])), ["-odd"]);
        assert!(chmod(&["755", "/a"]).is_empty());
        assert!(chmod(&["--reference=/bin/su", "/a"]).is_empty());
        assert!(chmod(&["u+s"]).is_empty());
        let targets = chmod(&["u+s", "/a"]);
        assert_eq!(targets[0].span, 4..6);
    }

    #[test]
    fn chmod_on_a_directory_gives_nobody_a_program() {
        assert!(chmod(&["g+s", "/made"]).is_empty());
        assert!(chmod(&["2775", "/made/"]).is_empty());
        assert!(
            chmod(&["u+s", "/other/"]).is_empty(),
            "a trailing / is a directory"
        );
        assert_eq!(paths(chmod(&["-R", "g+s", "/made"])), ["/made"]);
        assert_eq!(paths(chmod(&["g+s", "/made", "/bin/x"])), ["/bin/x"]);
        assert!(chmod(&["1777", "/tmp"]).is_empty(), "sticky only");
    }

    #[test]
    fn directories_made_by_mkdir_and_install() {
        assert_eq!(
            mkdir_directories(&words(&["-m", "2775", "/a//b/", "c"])),
            ["/a/b", "c"]
        );
        assert_eq!(
            mkdir_directories(&words(&["-pm2775", "/x/./y/z"])),
            ["/x/y", "/x", "/x/y/z"]
        );
        assert_eq!(
            mkdir_directories(&words(&["--parents", "--mode", "700", "/q/r"])),
            ["/q", "/q/r"]
        );
        assert_eq!(
            install_directories(&words(&["--mode", "3777", "--directory", "/var/run/pg"])),
            ["/var/run/pg"]
        );
        assert!(install_directories(&words(&["-m", "4755", "a", "/b"])).is_empty());
        assert_eq!(normalise_path("/var//lib/./x/"), "/var/lib/x");
        assert_eq!(normalise_path("/"), "/");
        assert_eq!(normalise_path("./"), ".");
    }

    #[test]
    fn install_arguments() {
        assert_eq!(
            paths(install_targets(&words(&[
                "-m",
                "4755",
                "tool",
                "/usr/bin/tool"
            ]))),
            ["/usr/bin/tool"]
        );
        assert_eq!(
            paths(install_targets(&words(&[
                "-m4755",
                "tool",
                "/usr/bin/tool"
            ]))),
            ["/usr/bin/tool"]
        );
        assert_eq!(
            paths(install_targets(&words(&[
                "--mode=u+s",
                "-o",
                "root",
                "a",
                "/b"
            ]))),
            ["/b"]
        );
        assert_eq!(
            paths(install_targets(&words(&[
                "--mode", "2755", "a", "b", "/bin"
            ]))),
            ["/bin/a", "/bin/b"]
        );
        assert_eq!(
            paths(install_targets(&words(&["-Dm", "4755", "x/tool", "/opt/"]))),
            ["/opt/tool"]
        );
        assert_eq!(
            paths(install_targets(&words(&["-t", "/bin", "-m", "4755", "a"]))),
            ["/bin/a"]
        );
        // Directories: their mode gives nobody a program to run.
        assert!(install_targets(&words(&["-d", "-m", "2775", "/srv/a", "/srv/b"])).is_empty());
        assert!(
            install_targets(&words(&["--mode", "3777", "--directory", "/var/run/pg"])).is_empty()
        );
        assert!(install_targets(&words(&["-dm2775", "/srv/a"])).is_empty());
        assert!(install_targets(&words(&["-m", "0755", "a", "/b"])).is_empty());
        assert!(install_targets(&words(&["a", "/b"])).is_empty());
        assert!(install_targets(&words(&["-m"])).is_empty());
    }
}
