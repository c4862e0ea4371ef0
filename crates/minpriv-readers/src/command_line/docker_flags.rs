//! The flags of `docker run` (and podman's and nerdctl's) turned into a [`Posture`].
//!
//! Flags are parsed the way their CLIs (cobra/pflag) parse them: `--flag value`, `--flag=value`,
//! boolean flags only in the `--flag` and `--flag=true|false` forms, combined short flags
//! (`-itd`), short flags with attached values (`-uroot`, `-v/a:/b`, `-u=root`), `--` before the
//! image, and the first word that is no flag is the image: what follows is the container's
//! command. Every flag that takes a value is listed so that `--name x img` gives the image `img`.
//!
//! A word in flag position that is one variable (`$EXTRA_OPTS`, `${FLAGS}`, `$(DOCKER_ARGS)`,
//! `$$FLAGS` in a Makefile) may expand to flags or to the image; see [`variable_holds_flags`].

use super::commands::{FileWord, Invocation};
use super::file_spans::FileSpans;
use minpriv_model::host_paths::DOCKER_SOCKET;
use minpriv_model::{
    AppArmor, CapSpec, Located, Mount, MountKind, Posture, ProcMount, Runtime, Seccomp, Selinux,
    Span,
};
use std::ops::Range;

/// Flags of `docker run`/`create`, `podman run`/`create` and `nerdctl run`/`create` that take a
/// value (from the docker CLI's `opts.go` and `run.go`, podman's `create.go`, nerdctl's
/// `container_run.go`).
#[rustfmt::skip]
const VALUE_FLAGS: &[&str] = &[
    "add-host", "annotation", "arch", "attach", "authfile", "blkio-weight", "blkio-weight-device",
    "cap-add", "cap-drop", "cert-dir", "cgroup-conf", "cgroup-parent", "cgroupns", "cgroups",
    "chrootdirs", "cidfile", "conmon-pidfile", "cosign-certificate-identity",
    "cosign-certificate-identity-regexp", "cosign-certificate-oidc-issuer",
    "cosign-certificate-oidc-issuer-regexp", "cosign-key", "cpu-count", "cpu-percent", "cpu-period",
    "cpu-quota", "cpu-rt-period", "cpu-rt-runtime", "cpu-shares", "cpus", "cpuset-cpus",
    "cpuset-mems", "creds", "decryption-key", "detach-keys", "device", "device-cgroup-rule",
    "device-read-bps", "device-read-iops", "device-write-bps", "device-write-iops", "dns",
    "dns-opt", "dns-option", "dns-search", "domainname", "entrypoint", "env", "env-file",
    "env-merge", "expose", "gidmap", "gpus", "group-add", "group-entry", "health-cmd",
    "health-interval", "health-log-destination", "health-max-log-count", "health-max-log-size",
    "health-on-failure", "health-retries", "health-start-interval", "health-start-period",
    "health-startup-cmd", "health-startup-interval", "health-startup-retries",
    "health-startup-success", "health-startup-timeout", "health-timeout", "hostname", "hosts-file",
    "hostuser", "image-volume", "init-binary", "init-path", "io-maxbandwidth", "io-maxiops", "ip",
    "ip6", "ipc", "ipfs-address", "isolation", "kernel-memory", "label", "label-file", "link",
    "link-local-ip", "log-driver", "log-opt", "mac-address", "memory", "memory-reservation",
    "memory-swap", "memory-swappiness", "mount", "name", "net", "net-alias", "network",
    "network-alias", "oom-score-adj", "os", "passwd-entry", "personality", "pid", "pidfile",
    "pids-limit", "platform", "pod", "pod-id-file", "preserve-fd", "preserve-fds", "publish",
    "pull", "rdt-class", "requires", "restart", "retry", "retry-delay", "runtime", "sdnotify",
    "seccomp-policy", "secret", "security-opt", "shm-size", "shm-size-systemd", "signature-policy",
    "stop-signal", "stop-timeout", "storage-opt", "subgidname", "subuidname", "sysctl", "systemd",
    "timeout", "tmpfs", "tz", "uidmap", "ulimit", "umask", "unsetenv", "user", "userns", "uts",
    "variant", "verify", "volume", "volume-driver", "volumes-from", "workdir",
];

/// Boolean flags: they never take the next word. Every flag that is not in [`VALUE_FLAGS`] is
/// read as one; this list documents the known ones and is checked against [`VALUE_FLAGS`].
#[cfg(test)]
#[rustfmt::skip]
const SWITCH_FLAGS: &[&str] = &[
    "detach", "disable-content-trust", "env-host", "http-proxy", "init", "interactive",
    "no-healthcheck", "no-hosts", "oom-kill-disable", "passwd", "privileged", "publish-all",
    "quiet", "read-only", "read-only-tmpfs", "replace", "rm", "rmi", "rootfs", "sig-proxy",
    "tls-verify", "tty", "unsetenv-all", "use-api-socket",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Arity {
    Value,
    Switch,
}

/// The long name and arity of a short flag.
fn short_flag(c: char) -> Option<(&'static str, Arity)> {
    Some(match c {
        'a' => ("attach", Arity::Value),
        'c' => ("cpu-shares", Arity::Value),
        'e' => ("env", Arity::Value),
        'h' => ("hostname", Arity::Value),
        'l' => ("label", Arity::Value),
        'm' => ("memory", Arity::Value),
        'p' => ("publish", Arity::Value),
        'u' => ("user", Arity::Value),
        'v' => ("volume", Arity::Value),
        'w' => ("workdir", Arity::Value),
        'd' => ("detach", Arity::Switch),
        'i' => ("interactive", Arity::Switch),
        't' => ("tty", Arity::Switch),
        'P' => ("publish-all", Arity::Switch),
        'q' => ("quiet", Arity::Switch),
        _ => return None,
    })
}

/// The arity of a long flag; `None` for `--help` (the command runs nothing).
fn long_flag(name: &str) -> Option<Arity> {
    if name == "help" {
        None
    } else if VALUE_FLAGS.contains(&name) {
        Some(Arity::Value)
    } else {
        // Known switches, and unknown flags: a flag we do not know is taken as a switch, so that
        // at worst the image is missed rather than a flag's value taken for it.
        Some(Arity::Switch)
    }
}

/// A posture read from one command, and the container's name.
pub(crate) struct RunCommand {
    /// The container's posture.
    pub posture: Posture,
    /// The `--name` value.
    pub name: Option<String>,
    /// Remarks for the user (a variable read as flags).
    pub notes: Vec<String>,
}

/// A flag's value: a part of one word.
struct Value<'w> {
    word: &'w FileWord,
    part: Range<usize>,
}

impl Value<'_> {
    fn text(&self) -> &str {
        self.word.value.get(self.part.clone()).unwrap_or("")
    }

    /// The file range of `sub`, a range of this value's text.
    fn range_of(&self, sub: Range<usize>) -> Range<usize> {
        let start = self.part.start + sub.start;
        let end = (self.part.start + sub.end).min(self.part.end);
        self.word.range(start..end.max(start))
    }

    fn range(&self) -> Range<usize> {
        self.word.range(self.part.clone())
    }
}

/// Reads the posture of `invocation`; `None` when it runs no container (`--help`, no image).
pub(crate) fn parse_run(invocation: &Invocation, spans: &FileSpans<'_>) -> Option<RunCommand> {
    let anchor = Some(spans.span(invocation.run_word.clone()));
    let mut b = Builder {
        spans,
        posture: Posture::defaults(invocation.runtime, anchor),
        name: None,
        capabilities_written: false,
        notes: Vec::new(),
    };
    let args = &invocation.args;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let v = word.value.as_str();
        if v == "--" {
            b.image(args.get(i + 1)?);
            return Some(b.finish());
        }
        if let Some(body) = v.strip_prefix("--").filter(|b| !b.is_empty()) {
            let (name, attached) = match body.split_once('=') {
                Some((n, _)) => (n, Some(2 + n.len() + 1)),
                None => (body, None),
            };
            match long_flag(name)? {
                Arity::Switch => {
                    let on = match attached {
                        Some(at) => parse_bool(&v[at..]),
                        None => Some(true),
                    };
                    if let Some(on) = on {
                        b.switch(name, on, word);
                    }
                }
                Arity::Value => {
                    let value = match attached {
                        Some(at) => Value {
                            word,
                            part: at..v.len(),
                        },
                        None => {
                            i += 1;
                            let next = args.get(i)?;
                            Value {
                                word: next,
                                part: 0..next.value.len(),
                            }
                        }
                    };
                    b.value(name, word, &value);
                }
            }
            i += 1;
        } else if looks_like_flag(v) {
            i += short_flags(&mut b, args, i)?;
        } else if variable_holds_flags(args, i) {
            b.variable_flags(word);
            i += 1;
        } else {
            b.image(word);
            return Some(b.finish());
        }
    }
    // Flags and no image: not a command that runs a container.
    None
}

fn looks_like_flag(word: &str) -> bool {
    word.starts_with('-') && word.len() > 1
}

/// Whether the word at `args[i]`, in flag position, is taken for flags rather than the image.
///
/// `docker run --rm $EXTRA_OPTS --privileged img` and `docker run --rm "$IMAGE" --version`
/// look alike; a wrong guess either loses every flag after the variable (they become the
/// container's command) or loses the image. The rule:
/// - only a word that is one variable or substitution (`$X`, `${X}`, `$(X)`, `$$X`) is a
///   candidate: `${REGISTRY}/app:${TAG}` is an image;
/// - its name decides when it speaks: `IMAGE`, `IMG`, `TAG`, `REF` say image; `OPTS`, `ARGS`,
///   `FLAGS`, `EXTRA`, `PARAMS` say flags;
/// - otherwise it is flags only when the next word looks like a flag, so a variable followed
///   by the command (`$X sh -c ...`) or by nothing stays the image;
/// - and in both flag cases only when a word that can be the image still follows once the
///   flags after it are read: `$X --version` with nothing after, or `$X --config /etc/x.yml`
///   (a path is no image reference), is the image and its command's flags.
fn variable_holds_flags(args: &[FileWord], i: usize) -> bool {
    let Some(word) = args.get(i) else {
        return false;
    };
    let Some(inner) = single_expansion(&word.value) else {
        return false;
    };
    let (image_named, flags_named) = name_hints(inner);
    let says_flags = match (image_named, flags_named) {
        (true, false) => return false,
        (false, true) => true,
        _ => args.get(i + 1).is_some_and(|w| looks_like_flag(&w.value)),
    };
    // The look-ahead stops at the next word that is no flag, which is where the caller's own
    // walk decides next: the look-aheads of one command cover each word once.
    says_flags && operand_ahead(args, i + 1)
}

/// Whether, reading flags from `args[from]` on, a word that is no flag comes before the end.
fn operand_ahead(args: &[FileWord], from: usize) -> bool {
    let mut i = from;
    while let Some(word) = args.get(i) {
        let v = word.value.as_str();
        if v == "--" {
            return args.get(i + 1).is_some();
        }
        if let Some(body) = v.strip_prefix("--").filter(|b| !b.is_empty()) {
            let (name, attached) = match body.split_once('=') {
                Some((n, _)) => (n, true),
                None => (body, false),
            };
            i += match long_flag(name) {
                None => return false,
                Some(Arity::Value) if !attached => 2,
                Some(_) => 1,
            };
        } else if looks_like_flag(v) {
            i += short_group_words(v);
        } else {
            return could_be_image(v);
        }
    }
    false
}

/// A word that may name an image: a reference starts with a letter or digit (a path such as
/// `/etc/app.yml` is a command's argument), or the word is built from variables or templates.
fn could_be_image(word: &str) -> bool {
    word.contains('$')
        || word.contains("{{")
        || (word.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !word.contains(char::is_whitespace))
}

/// How many words a group of short flags (`-itd`, `-v /a:/b`, `-uroot`) uses.
fn short_group_words(v: &str) -> usize {
    for (at, c) in v.char_indices().skip(1) {
        let after = at + c.len_utf8();
        let attached = v.get(after..).unwrap_or("");
        match short_flag(c) {
            Some((_, Arity::Switch)) if attached.starts_with('=') => return 1,
            Some((_, Arity::Value)) => {
                let value = attached.strip_prefix('=').unwrap_or(attached);
                return if value.is_empty() { 2 } else { 1 };
            }
            _ => {}
        }
    }
    1
}

/// The inside of a word that is exactly one shell or Makefile expansion: `$X`, `${X}`,
/// `$(X)`, `$$X`, `$${X}`, `$$(X)`, `$@`, `$1`.
fn single_expansion(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('$')?;
    let rest = rest.strip_prefix('$').unwrap_or(rest);
    let (open, close) = match rest.as_bytes().first()? {
        b'{' => (b'{', b'}'),
        b'(' => (b'(', b')'),
        _ => {
            let special = rest.len() == 1 && matches!(rest, "@" | "*" | "#" | "?" | "!" | "-");
            let name = rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            return (special || (name && !rest.is_empty())).then_some(rest);
        }
    };
    // The bracket that opens at the start must close at the very end (`${A}${B}` is two).
    let mut depth = 0usize;
    for (at, b) in rest.bytes().enumerate() {
        if b == open {
            depth += 1;
        } else if b == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return (at + 1 == rest.len()).then(|| &rest[1..at]);
            }
        }
    }
    None
}

/// Whether a variable's name says it holds the image, and whether it says it holds flags.
fn name_hints(inner: &str) -> (bool, bool) {
    const IMAGE: &[&str] = &["image", "images", "img", "tag", "ref"];
    #[rustfmt::skip]
    const FLAGS: &[&str] = &[
        "opt", "opts", "option", "options", "arg", "args", "flag", "flags", "extra", "param",
        "params",
    ];
    let mut image = false;
    let mut flags = false;
    for token in inner.split(|c: char| !c.is_ascii_alphanumeric()) {
        let token = token.to_ascii_lowercase();
        image |= IMAGE.contains(&token.as_str());
        flags |= FLAGS.contains(&token.as_str());
    }
    (image, flags)
}

/// A group of short flags at `args[i]`; how many words it used.
fn short_flags(b: &mut Builder<'_>, args: &[FileWord], i: usize) -> Option<usize> {
    let word = args.get(i)?;
    let v = word.value.as_str();
    for (at, c) in v.char_indices().skip(1) {
        let after = at + c.len_utf8();
        let attached = v.get(after..).unwrap_or("");
        match short_flag(c) {
            Some((name, Arity::Switch)) => {
                if let Some(text) = attached.strip_prefix('=') {
                    // `-d=false`
                    if let Some(on) = parse_bool(text) {
                        b.switch(name, on, word);
                    }
                    return Some(1);
                }
                b.switch(name, true, word);
            }
            Some((name, Arity::Value)) => {
                let start = if attached.starts_with('=') {
                    after + 1
                } else {
                    after
                };
                if start < v.len() {
                    let value = Value {
                        word,
                        part: start..v.len(),
                    };
                    b.value(name, word, &value);
                    return Some(1);
                }
                let next = args.get(i + 1)?;
                let value = Value {
                    word: next,
                    part: 0..next.value.len(),
                };
                b.value(name, word, &value);
                return Some(2);
            }
            // Unknown letters are switches of some other CLI version.
            None => {}
        }
    }
    Some(1)
}

struct Builder<'s> {
    spans: &'s FileSpans<'s>,
    posture: Posture,
    name: Option<String>,
    capabilities_written: bool,
    notes: Vec<String>,
}

impl Builder<'_> {
    fn finish(self) -> RunCommand {
        RunCommand {
            posture: self.posture,
            name: self.name,
            notes: self.notes,
        }
    }

    fn variable_flags(&mut self, word: &FileWord) {
        let line = self.spans.span(word.span.clone()).line;
        self.notes.push(format!(
            "'{}' (line {line}) stands among the flags of a container run and is read as \
             flags: the variable may add more flags (--privileged, -v, --pid=host, ...) than \
             minpriv can see",
            word.value
        ));
    }

    fn image(&mut self, word: &FileWord) {
        let span = self.spans.span(word.value_range());
        self.posture.image = Located::written(Some(word.value.clone()), Some(span));
    }

    fn switch(&mut self, name: &str, on: bool, flag: &FileWord) {
        let span = Some(self.spans.span(flag.span.clone()));
        let p = &mut self.posture;
        match name {
            "privileged" => p.privileged = Located::written(on, span),
            "read-only" => p.read_only_rootfs = Located::written(on, span),
            "use-api-socket" if on => p.mounts.push(Mount {
                kind: MountKind::Bind,
                host_path: Some(DOCKER_SOCKET.to_string()),
                container_path: Some(DOCKER_SOCKET.to_string()),
                read_only: false,
                span,
            }),
            _ => {}
        }
    }

    fn value(&mut self, name: &str, flag: &FileWord, value: &Value<'_>) {
        let text = value.text();
        let span = self.spans.span(value.range());
        match name {
            "cap-add" | "cap-drop" => self.capabilities(name == "cap-add", flag, value),
            "user" => {
                let user = (!text.is_empty()).then(|| text.to_string());
                self.posture.user = Located::written(user, Some(span));
            }
            "security-opt" => self.security_opt(text.trim(), span),
            "pid" => self.posture.host_pid = Located::written(is_host(text), Some(span)),
            "ipc" => self.posture.host_ipc = Located::written(is_host(text), Some(span)),
            "uts" => self.posture.host_uts = Located::written(is_host(text), Some(span)),
            "userns" => self.posture.host_userns = Located::written(is_host(text), Some(span)),
            "network" | "net" => {
                self.posture.host_network = Located::written(is_host(text), Some(span));
            }
            "volume" => {
                if let Some(mount) = volume(text, span) {
                    self.posture.mounts.push(mount);
                }
            }
            "mount" => self.posture.mounts.push(mount(text, span)),
            "tmpfs" => self.posture.mounts.push(tmpfs(text, span)),
            "device" => {
                for (at, item) in items(text, ',') {
                    let span = self.spans.span(value.range_of(at..at + item.len()));
                    self.posture
                        .devices
                        .push(Located::written(item.to_string(), Some(span)));
                }
            }
            "publish" => {
                for (at, item) in items(text, ',') {
                    let span = self.spans.span(value.range_of(at..at + item.len()));
                    self.posture
                        .published_ports
                        .push(Located::written(item.to_string(), Some(span)));
                }
            }
            "sysctl" => {
                // podman's --sysctl is a comma-separated list; Docker's takes one `k=v` whose
                // value may itself hold commas.
                let list = if self.posture.runtime == Runtime::Podman {
                    items(text, ',')
                } else {
                    let lead = text.len() - text.trim_start().len();
                    vec![(lead, text.trim())]
                };
                for (at, item) in list {
                    let (k, v) = item.split_once('=').unwrap_or((item, ""));
                    let span = self.spans.span(value.range_of(at..at + item.len()));
                    self.posture.sysctls.push(Located::written(
                        (k.trim().to_string(), v.trim().to_string()),
                        Some(span),
                    ));
                }
            }
            "name" => self.name = Some(text.to_string()),
            // `--group-add` is consumed like every value flag; the model has no field for
            // supplementary groups yet.
            _ => {}
        }
    }

    fn capabilities(&mut self, add: bool, flag: &FileWord, value: &Value<'_>) {
        if !self.capabilities_written {
            self.capabilities_written = true;
            let whole = flag.span.start.min(value.range().start)..value.range().end;
            self.posture.capabilities_span = Some(self.spans.span(whole));
        }
        for (at, item) in items(value.text(), ',') {
            let span = self.spans.span(value.range_of(at..at + item.len()));
            let cap = Located::written(CapSpec::parse(item), Some(span));
            if add {
                self.posture.cap_add.push(cap);
            } else {
                self.posture.cap_drop.push(cap);
            }
        }
    }

    fn security_opt(&mut self, opt: &str, span: Span) {
        let span = Some(span);
        let (key, value) = split_key(opt);
        let p = &mut self.posture;
        match key {
            "no-new-privileges" => {
                let on = value.map_or(Some(true), parse_bool);
                if let Some(on) = on {
                    p.no_new_privileges = Located::written(on, span);
                }
            }
            "seccomp" => {
                let profile = match value.unwrap_or("") {
                    "unconfined" => Seccomp::Unconfined,
                    "" | "builtin" => Seccomp::RuntimeDefault,
                    file => Seccomp::Custom(file.to_string()),
                };
                p.seccomp = Located::written(profile, span);
            }
            "apparmor" => {
                let profile = match value.unwrap_or("") {
                    "unconfined" => AppArmor::Unconfined,
                    "" | "docker-default" => AppArmor::RuntimeDefault,
                    name => AppArmor::Custom(name.to_string()),
                };
                p.apparmor = Located::written(profile, span);
            }
            "label" => {
                let mut selinux = if p.selinux.is_written() {
                    p.selinux.value.clone()
                } else {
                    Selinux::default()
                };
                let value = value.unwrap_or("");
                match value.split_once(':') {
                    _ if value == "disable" => selinux.disabled = true,
                    Some(("type", t)) => selinux.type_ = Some(t.to_string()),
                    Some(("user", u)) => selinux.user = Some(u.to_string()),
                    Some(("role", r)) => selinux.role = Some(r.to_string()),
                    Some(("level", l)) => selinux.level = Some(l.to_string()),
                    _ => return,
                }
                p.selinux = Located::written(selinux, span);
            }
            "systempaths" if value == Some("unconfined") => {
                p.proc_mount = Located::written(ProcMount::Unmasked, span);
            }
            // podman: `unmask=ALL` or `unmask=/proc/...` lifts the masks over /proc as
            // `systempaths=unconfined` does.
            "unmask" if value.is_some_and(|v| v == "ALL" || v.contains("/proc")) => {
                p.proc_mount = Located::written(ProcMount::Unmasked, span);
            }
            _ => {}
        }
    }
}

/// `key=value` or the older `key:value`, whichever separator comes first.
fn split_key(opt: &str) -> (&str, Option<&str>) {
    match opt.find(['=', ':']) {
        Some(at) => (&opt[..at], Some(&opt[at + 1..])),
        None => (opt, None),
    }
}

/// A namespace mode that shares the host's namespace (`host`; nerdctl takes a list).
fn is_host(mode: &str) -> bool {
    mode.split(',').any(|m| m.trim() == "host")
}

/// The booleans Go's `strconv.ParseBool` accepts.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// The non-empty items of a `sep`-separated list, trimmed, with their byte offsets.
fn items(text: &str, sep: char) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in text.split(sep) {
        let lead = part.len() - part.trim_start().len();
        let item = part.trim();
        if !item.is_empty() {
            out.push((start + lead, item));
        }
        start += part.len() + sep.len_utf8();
    }
    out
}

/// Splits on `:` outside `${...}`, `$(...)` and `{{ ... }}`, so that `${DIR:-/srv}:/data`
/// keeps its default value.
fn split_colons(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' | b'(' => depth += 1,
            b'}' | b')' => depth = depth.saturating_sub(1),
            b':' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `-v SOURCE:TARGET[:OPTIONS]` or `-v TARGET` (an anonymous volume).
fn volume(text: &str, span: Span) -> Option<Mount> {
    let mut parts = split_colons(text);
    // A Windows drive letter (`C:\data:/data`) is part of the host path.
    if parts.len() >= 3
        && parts[0].len() == 1
        && parts[0].bytes().all(|b| b.is_ascii_alphabetic())
        && parts[1].starts_with(['\\', '/'])
    {
        let joined = &text[..parts[0].len() + 1 + parts[1].len()];
        parts.splice(0..2, [joined]);
    }
    let (source, target, options) = match parts.as_slice() {
        [] | [""] => return None,
        [target] => (None, *target, ""),
        [source, target] => (Some(*source), *target, ""),
        [source, target, options, ..] => (Some(*source), *target, *options),
    };
    let read_only = options
        .split(',')
        .any(|o| matches!(o.trim(), "ro" | "readonly"));
    let (kind, host_path) = match source {
        Some(s) if is_host_path(s) => (MountKind::Bind, Some(s.to_string())),
        _ => (MountKind::Volume, None),
    };
    Some(Mount {
        kind,
        host_path,
        container_path: Some(target.to_string()),
        read_only,
        span: Some(span),
    })
}

/// A `-v` source that is a host path, not a volume name: volume names never hold `/` and never
/// start with `.`, `~`, `$` or a template.
fn is_host_path(source: &str) -> bool {
    source.starts_with(['/', '.', '~', '$', '{', '\\']) || source.contains('/')
}

/// `--mount type=bind,source=/x,target=/y,readonly` (fields in any order; CSV quoting).
fn mount(text: &str, span: Span) -> Mount {
    let mut kind = "volume".to_string();
    let mut source = None;
    let mut target = None;
    let mut read_only = false;
    for field in csv_fields(text) {
        let field = field.trim().trim_matches('"');
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (field, None),
        };
        match key.to_ascii_lowercase().as_str() {
            "type" => kind = value.unwrap_or("").to_ascii_lowercase(),
            "source" | "src" => source = value.map(str::to_string),
            "target" | "dst" | "destination" => target = value.map(str::to_string),
            "readonly" | "ro" => read_only = value.map_or(Some(true), parse_bool).unwrap_or(true),
            // podman also takes `rw` and `rw=false`.
            "rw" => read_only = !value.map_or(Some(true), parse_bool).unwrap_or(true),
            _ => {}
        }
    }
    let kind = match kind.as_str() {
        "bind" => MountKind::Bind,
        "volume" => MountKind::Volume,
        "tmpfs" => MountKind::Tmpfs,
        _ => MountKind::Other,
    };
    Mount {
        kind,
        host_path: if kind == MountKind::Bind {
            source
        } else {
            None
        },
        container_path: target,
        read_only,
        span: Some(span),
    }
}

/// Comma-separated fields; commas inside double quotes do not separate (Docker reads
/// `--mount` with a CSV reader).
fn csv_fields(text: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                fields.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&text[start..]);
    fields
}

/// `--tmpfs /run[:OPTIONS]`.
fn tmpfs(text: &str, span: Span) -> Mount {
    let (path, options) = text.split_once(':').unwrap_or((text, ""));
    Mount {
        kind: MountKind::Tmpfs,
        host_path: None,
        container_path: Some(path.trim().to_string()),
        read_only: options.split(',').any(|o| o.trim() == "ro"),
        span: Some(span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command_line::commands::find_invocations;
    use crate::shell::SourceMap;

    fn parse(text: &str) -> Option<RunCommand> {
        let found = find_invocations(text, &SourceMap::identity(0, text.len()));
        let spans = FileSpans::new(text);
        parse_run(found.first()?, &spans)
    }

    fn at(text: &str, span: Option<Span>) -> &str {
        let s = span.expect("a span");
        &text[s.start..s.end]
    }

    #[test]
    fn flag_tables_are_disjoint_and_switches_take_no_word() {
        for switch in SWITCH_FLAGS {
            assert!(!VALUE_FLAGS.contains(switch), "{switch}");
            let text = format!("docker run --{switch} img");
            let run = parse(&text).unwrap();
            assert_eq!(run.posture.image.value.as_deref(), Some("img"), "{switch}");
        }
        for flag in VALUE_FLAGS {
            let text = format!("docker run --{flag} value img");
            let run = parse(&text).unwrap();
            assert_eq!(run.posture.image.value.as_deref(), Some("img"), "{flag}");
        }
    }

    #[test]
    fn value_flags_consume_their_value_and_the_image_follows() {
        let text = "docker run --name x -e A=b --env-file f -w /w --entrypoint sh --label a=b \
                    --log-opt k=v --restart always --memory 1g --cpus 2 --add-host h:1.2.3.4 \
                    --dns 8.8.8.8 --platform linux/amd64 --pull always -h host -it --rm img cmd -u 0";
        let run = parse(text).unwrap();
        assert_eq!(run.posture.image.value.as_deref(), Some("img"));
        assert_eq!(run.name.as_deref(), Some("x"));
        assert_eq!(
            run.posture.user.value, None,
            "flags after the image are the command's"
        );
    }

    #[test]
    fn short_flag_groups_and_attached_values() {
        let text = "docker run -itd -uroot -v/a:/b -p8080:80 -u=1000 -e X img";
        let run = parse(text).unwrap();
        let p = &run.posture;
        assert_eq!(p.user.value.as_deref(), Some("1000"));
        assert_eq!(at(text, p.user.span), "1000");
        assert_eq!(p.mounts[0].host_path.as_deref(), Some("/a"));
        assert_eq!(at(text, p.mounts[0].span), "/a:/b");
        assert_eq!(at(text, p.published_ports[0].span), "8080:80");
        assert_eq!(p.image.value.as_deref(), Some("img"));
        let text = "docker run -itu nobody img";
        assert_eq!(
            parse(text).unwrap().posture.user.value.as_deref(),
            Some("nobody")
        );
    }

    #[test]
    fn boolean_flags_take_no_value_word() {
        let text = "docker run --privileged img --read-only";
        let p = parse(text).unwrap().posture;
        assert!(p.privileged.value);
        assert_eq!(at(text, p.privileged.span), "--privileged");
        assert!(!p.read_only_rootfs.value);
        let p = parse("docker run --privileged=false --read-only=true img")
            .unwrap()
            .posture;
        assert!(!p.privileged.value && p.privileged.is_written());
        assert!(p.read_only_rootfs.value);
        let p = parse("docker run --privileged=$PRIV img").unwrap().posture;
        assert!(
            !p.privileged.is_written(),
            "an unknown boolean is not guessed"
        );
    }

    #[test]
    fn capabilities_split_lists_and_point_at_each_name() {
        let text = "docker run --cap-drop=ALL --cap-add NET_ADMIN,sys_time --cap-add CAP_BPF img";
        let p = parse(text).unwrap().posture;
        assert_eq!(p.cap_drop[0].value, CapSpec::All);
        let added: Vec<_> = p.cap_add.iter().map(|c| c.value.to_string()).collect();
        assert_eq!(added, ["NET_ADMIN", "SYS_TIME", "BPF"]);
        assert_eq!(at(text, p.cap_add[1].span), "sys_time");
        assert_eq!(at(text, p.capabilities_span), "--cap-drop=ALL");
    }

    #[test]
    fn namespaces_in_both_forms() {
        let p = parse("docker run --pid=host --ipc host --net=host --uts=host --userns host i")
            .unwrap()
            .posture;
        assert!(p.host_pid.value && p.host_ipc.value && p.host_network.value);
        assert!(p.host_uts.value && p.host_userns.value);
        let p = parse("docker run --network my-net --pid container:x i")
            .unwrap()
            .posture;
        assert!(!p.host_network.value && p.host_network.is_written());
        assert!(!p.host_pid.value);
    }

    #[test]
    fn volumes_binds_and_named() {
        let text = "docker run -v /var/run/docker.sock:/var/run/docker.sock:ro,z -v data:/data \
                    -v ./src:/src -v ~/.ssh:/root/.ssh -v ${DIR:-/srv}:/srv -v /anon \
                    --volume=$(pwd):/w img";
        let p = parse(text).unwrap().posture;
        let m: Vec<_> = p
            .mounts
            .iter()
            .map(|m| {
                (
                    m.kind,
                    m.host_path.as_deref(),
                    m.container_path.as_deref(),
                    m.read_only,
                )
            })
            .collect();
        assert_eq!(
            m,
            [
                (
                    MountKind::Bind,
                    Some("/var/run/docker.sock"),
                    Some("/var/run/docker.sock"),
                    true
                ),
                (MountKind::Volume, None, Some("/data"), false),
                (MountKind::Bind, Some("./src"), Some("/src"), false),
                (MountKind::Bind, Some("~/.ssh"), Some("/root/.ssh"), false),
                (MountKind::Bind, Some("${DIR:-/srv}"), Some("/srv"), false),
                (MountKind::Volume, None, Some("/anon"), false),
                (MountKind::Bind, Some("$(pwd)"), Some("/w"), false),
            ]
        );
    }

    #[test]
    fn help_and_missing_image_are_no_runs() {
        assert!(parse("docker run --help").is_none());
        assert!(parse("docker run --rm -it").is_none());
        assert!(parse("docker run --name").is_none());
    }

    #[test]
    fn a_variable_followed_by_flags_is_flags_and_the_flags_after_it_count() {
        for text in [
            "docker run --rm ${EXTRA_OPTS} --privileged --pid=host img",
            "docker run --rm $EXTRA --privileged --pid host img",
            "docker run --rm $$FLAGS --privileged --pid=host img",
            "docker run --rm $(DOCKER_ARGS) --privileged --pid=host img",
            "docker run --rm $X -v /a:/b --privileged --pid=host img",
            "docker run --rm $X --privileged $Y --pid=host img",
        ] {
            let run = parse(text).unwrap();
            let p = &run.posture;
            assert!(p.privileged.value && p.host_pid.value, "{text}");
            assert_eq!(p.image.value.as_deref(), Some("img"), "{text}");
            assert!(!run.notes.is_empty(), "{text}");
            assert!(run.notes[0].contains("may add more flags"), "{text}");
        }
    }

    #[test]
    fn a_variable_named_for_flags_may_stand_just_before_the_image() {
        let run = parse("docker run --rm $DOCKER_OPTS img cmd").unwrap();
        assert_eq!(run.posture.image.value.as_deref(), Some("img"));
        assert_eq!(run.notes.len(), 1);
    }

    #[test]
    fn a_variable_that_is_the_image_stays_the_image() {
        for (text, image) in [
            ("docker run --rm \"$IMAGE\" --privileged", "$IMAGE"),
            ("docker run --rm $IMAGE --config /x -c 2 y", "$IMAGE"),
            ("docker run --rm ${IMG} --pid=host other", "${IMG}"),
            ("docker run --rm $X", "$X"),
            ("docker run --rm $X sh -c 'echo --privileged'", "$X"),
            ("docker run --rm $X --version", "$X"),
            ("docker run --rm $X --config /etc/x.yml", "$X"),
            ("docker run --rm $OPTS", "$OPTS"),
            (
                "docker run --rm ${REGISTRY}/app:${TAG} --privileged img",
                "${REGISTRY}/app:${TAG}",
            ),
            ("docker run --rm ${A}${B} --privileged img", "${A}${B}"),
        ] {
            let run = parse(text).unwrap();
            assert_eq!(run.posture.image.value.as_deref(), Some(image), "{text}");
            assert!(!run.posture.privileged.value, "{text}");
            assert!(!run.posture.host_pid.value, "{text}");
            assert!(run.notes.is_empty(), "{text}");
        }
    }

    #[test]
    fn single_expansions() {
        for (word, inner) in [
            ("$X", Some("X")),
            ("${EXTRA_OPTS}", Some("EXTRA_OPTS")),
            ("$$FLAGS", Some("FLAGS")),
            ("$(DOCKER_ARGS)", Some("DOCKER_ARGS")),
            ("$${A:-b}", Some("A:-b")),
            ("$(cat opts.txt)", Some("cat opts.txt")),
            ("$@", Some("@")),
            ("${A}${B}", None),
            ("$A/b", None),
            ("${A", None),
            ("$", None),
            ("$$", None),
            ("img", None),
        ] {
            assert_eq!(single_expansion(word), inner, "{word}");
        }
    }

    #[test]
    fn many_variables_cost_linear_time() {
        let text = format!("docker run {}img", "$X -d ".repeat(20_000));
        let run = parse(&text).unwrap();
        assert_eq!(run.posture.image.value.as_deref(), Some("img"));
        assert_eq!(run.notes.len(), 20_000);
    }

    #[test]
    fn double_dash_ends_flags() {
        let p = parse("docker run --rm -- -weird-image").unwrap().posture;
        assert_eq!(p.image.value.as_deref(), Some("-weird-image"));
    }

    #[test]
    fn use_api_socket_mounts_the_socket() {
        let p = parse("docker run --use-api-socket img").unwrap().posture;
        assert_eq!(p.mounts[0].host_path.as_deref(), Some(DOCKER_SOCKET));
    }

    #[test]
    fn sysctls_and_devices() {
        let text = "podman run --sysctl net.ipv4.ip_forward=1,kernel.msgmax=65536 \
                    --device /dev/fuse,/dev/kvm img";
        let p = parse(text).unwrap().posture;
        assert_eq!(p.sysctls.len(), 2);
        assert_eq!(p.sysctls[1].value, ("kernel.msgmax".into(), "65536".into()));
        assert_eq!(at(text, p.sysctls[1].span), "kernel.msgmax=65536");
        assert_eq!(at(text, p.devices[1].span), "/dev/kvm");
        let p = parse("docker run --sysctl net.ipv4.ip_local_port_range=1,2 img")
            .unwrap()
            .posture;
        assert_eq!(p.sysctls.len(), 1, "docker does not split sysctl values");
    }
}
