//! The string forms of Compose `volumes`, `devices`, `tmpfs` and `ports` entries.
//!
//! Follows compose-go's `format.ParseVolume` so that the same text is split the same way:
//! colons separate fields except the one right after a single-letter Windows drive, and the
//! source decides between a bind mount (a path) and a named volume (a name).

use minpriv_model::MountKind;

/// A `volumes` entry split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VolumeParts {
    /// Bind, volume or tmpfs.
    pub kind: MountKind,
    /// The host path or the volume's name; `None` for an anonymous volume.
    pub source: Option<String>,
    /// The path inside the container.
    pub target: Option<String>,
    /// Mounted read-only.
    pub read_only: bool,
}

/// True when compose-go reads `source` as a host path rather than a volume name: it starts
/// with `.`, `/` or `~`, is a Windows drive path (`C:\x`, `c:/x`) or a named pipe (`\\.\pipe\x`).
/// A leading `$` counts too: it is a variable Compose could not resolve, and names of volumes
/// cannot start with one.
pub(crate) fn is_host_path(source: &str) -> bool {
    if source.starts_with(['.', '/', '~', '$']) || source.starts_with("\\\\") {
        return true;
    }
    let mut chars = source.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some(drive), Some(':')) if drive.is_ascii_alphabetic()
    )
}

/// Parses the short syntax `[source:]target[:options]`; `Err` describes what is wrong.
pub(crate) fn parse_short_volume(spec: &str) -> Result<VolumeParts, String> {
    let mut parts = VolumeParts {
        kind: MountKind::Volume,
        source: None,
        target: None,
        read_only: false,
    };
    match spec.chars().count() {
        0 => return Err("empty volume".into()),
        // compose-go: one or two characters are always an anonymous volume's target.
        1 | 2 => {
            parts.target = Some(spec.to_string());
            return Ok(parts);
        }
        _ => {}
    }
    let mut fields: Vec<&str> = Vec::with_capacity(3);
    let mut start = 0;
    for (i, c) in spec.char_indices() {
        if c != ':' {
            continue;
        }
        let buffer = &spec[start..i];
        let mut buffer_chars = buffer.chars();
        let is_drive = matches!(
            (buffer_chars.next(), buffer_chars.next()),
            (Some(d), None) if d.is_alphabetic()
        );
        if is_drive {
            continue;
        }
        fields.push(buffer);
        start = i + 1;
    }
    fields.push(&spec[start..]);
    if fields.iter().any(|f| f.is_empty()) {
        return Err(format!("empty section between colons in '{spec}'"));
    }
    match fields.as_slice() {
        [target] => parts.target = Some((*target).to_string()),
        [source, target] => {
            parts.source = Some((*source).to_string());
            parts.target = Some((*target).to_string());
        }
        [source, target, options] => {
            parts.source = Some((*source).to_string());
            parts.target = Some((*target).to_string());
            for option in options.split(',') {
                match option.trim() {
                    "ro" => parts.read_only = true,
                    "rw" => parts.read_only = false,
                    // nocopy, z, Z, shared, rprivate, ...: no effect on privilege.
                    _ => {}
                }
            }
        }
        _ => return Err(format!("too many colons in '{spec}'")),
    }
    if parts.source.as_deref().is_some_and(is_host_path) {
        parts.kind = MountKind::Bind;
    }
    Ok(parts)
}

/// The long syntax's `type`.
pub(crate) fn mount_kind(type_: &str) -> MountKind {
    match type_ {
        "bind" | "npipe" => MountKind::Bind,
        "volume" => MountKind::Volume,
        "tmpfs" => MountKind::Tmpfs,
        // image, cluster, and anything newer.
        _ => MountKind::Other,
    }
}

/// The container-side path of a `devices` entry, which Compose uses to merge entries:
/// `host:container[:perms]` → container; a lone path (or a CDI name) stands for itself.
pub(crate) fn device_target(spec: &str) -> &str {
    let mut fields = spec.split(':');
    let first = fields.next().unwrap_or(spec);
    fields.next().unwrap_or(first)
}

/// The path of a `tmpfs` entry (`/run:size=64m,mode=1777` → `/run`).
pub(crate) fn tmpfs_path(spec: &str) -> &str {
    spec.split_once(':').map_or(spec, |(path, _)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(spec: &str) -> VolumeParts {
        parse_short_volume(spec).expect(spec)
    }

    #[test]
    fn short_volume_forms() {
        let v = short("/var/run/docker.sock:/var/run/docker.sock:ro");
        assert_eq!(v.kind, MountKind::Bind);
        assert_eq!(v.source.as_deref(), Some("/var/run/docker.sock"));
        assert_eq!(v.target.as_deref(), Some("/var/run/docker.sock"));
        assert!(v.read_only);

        let v = short("data:/data:rw,z");
        assert_eq!(v.kind, MountKind::Volume);
        assert_eq!(v.source.as_deref(), Some("data"));
        assert!(!v.read_only);

        let v = short("/data");
        assert_eq!(v.kind, MountKind::Volume);
        assert_eq!((v.source, v.target.as_deref()), (None, Some("/data")));

        for bind in ["./app:/app", "~/x:/x", "../up:/up", "$HOME:/h"] {
            assert_eq!(short(bind).kind, MountKind::Bind, "{bind}");
        }
    }

    #[test]
    fn windows_drives_are_not_separators() {
        let v = short("C:\\Users\\me:/data:ro");
        assert_eq!(v.kind, MountKind::Bind);
        assert_eq!(v.source.as_deref(), Some("C:\\Users\\me"));
        assert_eq!(v.target.as_deref(), Some("/data"));
        assert!(v.read_only);
        let v = short("c:/x:d:/y");
        assert_eq!(v.source.as_deref(), Some("c:/x"));
        assert_eq!(v.target.as_deref(), Some("d:/y"));
        assert!(is_host_path("\\\\.\\pipe\\docker_engine"));
    }

    #[test]
    fn malformed_volumes_are_errors() {
        assert!(parse_short_volume("").is_err());
        assert!(parse_short_volume("/a::/b").is_err());
        assert!(parse_short_volume("/a:/b:ro:x").is_err());
    }

    #[test]
    fn device_targets_and_tmpfs_paths() {
        assert_eq!(device_target("/dev/sda:/dev/xvda:rwm"), "/dev/xvda");
        assert_eq!(device_target("/dev/fuse"), "/dev/fuse");
        assert_eq!(tmpfs_path("/run:size=64m"), "/run");
        assert_eq!(tmpfs_path("/tmp"), "/tmp");
    }
}
