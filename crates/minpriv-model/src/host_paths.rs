//! The host paths whose mounting hands the host over, as data: one table that every reader,
//! rule, fix and engine run consults, so that "sensitive" means the same everywhere.
//!
//! Paths are compared as [`normalize_host_path`] writes them.

use HostPathKind::{BenignReadOnly, RuntimeSocket, RuntimeSocketFolder, SensitiveTree};

/// What mounting a host path hands to the container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostPathKind {
    /// The API socket of a container runtime, where that runtime keeps it: whoever can write
    /// to it starts privileged containers. Also said of a folder above it, which brings it
    /// along.
    RuntimeSocket,
    /// A folder that holds runtime sockets directly: mounting it mounts them.
    RuntimeSocketFolder,
    /// A folder of the host's system, credentials or runtime state, with everything below it.
    SensitiveTree,
    /// A file or folder below a sensitive tree that is harmless to mount read-only (time zone
    /// data).
    BenignReadOnly,
}

/// One row of [`HOST_PATHS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostPath {
    /// The path, normalised (`~` for the home folder of whoever runs the container).
    pub path: &'static str,
    /// What mounting it hands over.
    pub kind: HostPathKind,
}

const fn row(path: &'static str, kind: HostPathKind) -> HostPath {
    HostPath { path, kind }
}

/// The path of the Docker Engine's API socket: what `--use-api-socket` mounts, and where a
/// client looks first.
pub const DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// The path of rootful Podman's API socket.
pub const PODMAN_SOCKET: &str = "/run/podman/podman.sock";

/// Every host path minpriv knows something about. A path may have a row of each kind it is
/// (`/run` holds sockets and is a sensitive tree). Within a kind, rows are in the order
/// messages name them: [`runtime_socket_below`] names the first socket a folder holds, and
/// [`sensitive_paths_below`] lists trees in this order.
pub const HOST_PATHS: &[HostPath] = &[
    row(DOCKER_SOCKET, RuntimeSocket),
    row("/run/containerd/containerd.sock", RuntimeSocket),
    row("/run/crio/crio.sock", RuntimeSocket),
    row(PODMAN_SOCKET, RuntimeSocket),
    row("/run/k3s/containerd/containerd.sock", RuntimeSocket),
    row("/run", RuntimeSocketFolder),
    row("/var/run", RuntimeSocketFolder),
    row("/run/docker", RuntimeSocketFolder),
    row("/var/run/docker", RuntimeSocketFolder),
    row("/run/containerd", RuntimeSocketFolder),
    row("/var/run/containerd", RuntimeSocketFolder),
    row("/run/crio", RuntimeSocketFolder),
    row("/var/run/crio", RuntimeSocketFolder),
    row("/run/podman", RuntimeSocketFolder),
    row("/var/run/podman", RuntimeSocketFolder),
    row("/run/k3s/containerd", RuntimeSocketFolder),
    row("/etc", SensitiveTree),
    row("/proc", SensitiveTree),
    row("/sys", SensitiveTree),
    row("/root", SensitiveTree),
    row("/boot", SensitiveTree),
    row("/dev", SensitiveTree),
    row("/run", SensitiveTree),
    row("/var/run", SensitiveTree),
    row("/var/lib/docker", SensitiveTree),
    row("/var/lib/containerd", SensitiveTree),
    row("/var/lib/kubelet", SensitiveTree),
    row("/var/lib/etcd", SensitiveTree),
    row("/etc/kubernetes", SensitiveTree),
    row("/lib/modules", SensitiveTree),
    row("/usr/lib/modules", SensitiveTree),
    row("/var/log", SensitiveTree),
    row("/bin", SensitiveTree),
    row("/sbin", SensitiveTree),
    row("/usr", SensitiveTree),
    row("/lib", SensitiveTree),
    row("/lib64", SensitiveTree),
    row("~/.ssh", SensitiveTree),
    row("~/.aws", SensitiveTree),
    row("~/.kube", SensitiveTree),
    row("~/.docker", SensitiveTree),
    row("~/.gnupg", SensitiveTree),
    row("~/.config/gcloud", SensitiveTree),
    // Read-only time zone data is the one common, harmless mount from /etc.
    row("/etc/localtime", BenignReadOnly),
    row("/etc/timezone", BenignReadOnly),
    row("/usr/share/zoneinfo", BenignReadOnly),
];

/// File names of runtime API sockets: a socket of one of these names is a runtime socket in
/// whatever folder it is (rootless runtimes keep theirs under `/run/user/UID`).
pub const RUNTIME_SOCKET_NAMES: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "podman.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
];

/// The paths of the rows of `kind`, in table order.
pub fn host_paths(kind: HostPathKind) -> impl Iterator<Item = &'static str> {
    HOST_PATHS
        .iter()
        .filter(move |row| row.kind == kind)
        .map(|row| row.path)
}

/// Host paths whose mounting hands over a container runtime: sockets, their folders, and the
/// folders that hold them.
pub fn is_runtime_socket_path(host_path: &str) -> bool {
    let p = normalize_host_path(host_path);
    RUNTIME_SOCKET_NAMES
        .iter()
        .any(|n| p.rsplit('/').next() == Some(n))
        || host_paths(RuntimeSocketFolder).any(|dir| dir == p)
}

/// The runtime socket that mounting the folder `host_path` brings along because the folder
/// holds it somewhere below (`/var` holds `/var/run/docker.sock`); `None` for the socket or
/// its own folders, which [`is_runtime_socket_path`] names, and for folders that hold none.
pub fn runtime_socket_below(host_path: &str) -> Option<&'static str> {
    let p = normalize_host_path(host_path);
    if is_runtime_socket_path(&p) {
        return None;
    }
    host_paths(RuntimeSocket).find(|socket| strictly_under(socket, &p))
}

/// The sensitive trees that the folder `host_path` holds below it when it is not one itself
/// (`/var/lib` holds `/var/lib/docker` and `/var/lib/kubelet`): mounting a parent mounts them
/// too.
pub fn sensitive_paths_below(host_path: &str) -> Vec<&'static str> {
    let p = normalize_host_path(host_path);
    if p == "/" || host_paths(SensitiveTree).any(|t| under(&p, t)) {
        return Vec::new();
    }
    host_paths(SensitiveTree)
        .filter(|tree| strictly_under(tree, &p))
        .collect()
}

/// Host paths whose mounting exposes the host: system folders, credentials, runtime state,
/// and every folder above one of them (`/var` holds `/var/lib/kubelet` and the Docker socket).
/// `host_path` is compared as [`normalize_host_path`] writes it.
pub fn is_sensitive_host_path(host_path: &str, read_only: bool) -> bool {
    let p = normalize_host_path(host_path);
    if read_only && host_paths(BenignReadOnly).any(|b| under(&p, b)) {
        return false;
    }
    if p == "/" || p == "~" {
        return true;
    }
    if host_paths(SensitiveTree).any(|t| under(&p, t) || strictly_under(t, &p)) {
        return true;
    }
    // /home and one user's home folder, not a project folder deep inside it.
    if let Some(rest) = p.strip_prefix("/home") {
        return rest.is_empty() || (rest.starts_with('/') && !rest[1..].contains('/'));
    }
    false
}

/// `path` is `tree` or inside it (both normalised).
fn under(path: &str, tree: &str) -> bool {
    path == tree || strictly_under(path, tree)
}

/// `path` is inside `tree`, not `tree` itself (both normalised).
fn strictly_under(path: &str, tree: &str) -> bool {
    if tree == "/" {
        return path.len() > 1 && path.starts_with('/');
    }
    path.starts_with(tree) && path.as_bytes().get(tree.len()) == Some(&b'/')
}

/// Writes a host path one way so that paths compare as written: `$HOME` and `${HOME}` as
/// `~`, no repeated or trailing `/`, no `.` segments (`/var//lib/./` is `/var/lib`). `..` is
/// kept: what it leads to depends on links on the host.
pub fn normalize_host_path(path: &str) -> String {
    let path = path.trim();
    let path = path
        .strip_prefix("${HOME}")
        .or_else(|| path.strip_prefix("$HOME"))
        .map(|r| format!("~{r}"))
        .unwrap_or_else(|| path.to_string());
    let absolute = path.starts_with('/');
    let segments: Vec<&str> = path
        .split('/')
        .enumerate()
        // A leading `.` stays: `./src` names a folder beside the file, not `src` anywhere.
        .filter(|&(i, s)| !s.is_empty() && (s != "." || (i == 0 && !absolute)))
        .map(|(_, s)| s)
        .collect();
    let joined = segments.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        path
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_path_classification() {
        for p in [
            "/var/run/docker.sock",
            "/run/containerd/containerd.sock",
            "//var/run//docker.sock/",
            "/var/run",
            "/run/user/1000/podman/podman.sock",
        ] {
            assert!(is_runtime_socket_path(p), "{p}");
        }
        for p in ["/var/run/app", "./docker.sock.bak", "/data"] {
            assert!(!is_runtime_socket_path(p), "{p}");
        }
        for p in [
            "/",
            "/etc",
            "/etc/ssh",
            "/proc",
            "/home",
            "/home/alice",
            "~/.ssh",
            "$HOME/.kube/config",
            "/var/lib/kubelet/pods",
        ] {
            assert!(is_sensitive_host_path(p, false), "{p}");
        }
        for p in [
            "/home/alice/project/src",
            "./src",
            "/data",
            "/etcetera",
            "/opt/app",
        ] {
            assert!(!is_sensitive_host_path(p, false), "{p}");
        }
        assert!(!is_sensitive_host_path("/etc/localtime", true));
        assert!(is_sensitive_host_path("/etc/localtime", false));
    }

    #[test]
    fn a_folder_above_a_sensitive_one_is_sensitive() {
        for p in [
            "/var",
            "/var/",
            "/var/lib",
            "/var/lib/",
            "//var//lib//",
            "/var/./lib",
            "/var/lib/.",
            "/./var",
            "~/.config",
            "/usr/lib",
        ] {
            assert!(is_sensitive_host_path(p, false), "{p}");
            assert!(is_sensitive_host_path(p, true), "{p} read-only");
        }
        for p in ["/opt/data", "/opt", "/srv", "/var/lib/app", "/data/var/lib"] {
            assert!(!is_sensitive_host_path(p, false), "{p}");
        }
        assert!(is_sensitive_host_path("/var/log", false));
        assert!(is_sensitive_host_path("/var/log/", true));

        assert_eq!(
            sensitive_paths_below("/var/lib/"),
            [
                "/var/lib/docker",
                "/var/lib/containerd",
                "/var/lib/kubelet",
                "/var/lib/etcd"
            ]
        );
        assert!(sensitive_paths_below("/var").contains(&"/var/run"));
        assert!(sensitive_paths_below("/etc").is_empty(), "sensitive itself");
        assert!(sensitive_paths_below("/").is_empty());
        assert!(sensitive_paths_below("/opt").is_empty());

        assert_eq!(runtime_socket_below("/var"), Some("/var/run/docker.sock"));
        assert_eq!(runtime_socket_below("//var/"), Some("/var/run/docker.sock"));
        assert_eq!(runtime_socket_below("/"), Some("/var/run/docker.sock"));
        assert_eq!(
            runtime_socket_below("/var/run"),
            None,
            "the socket's own folder"
        );
        assert_eq!(runtime_socket_below("/var/lib"), None);
    }

    #[test]
    fn host_paths_normalise() {
        for (written, normal) in [
            ("/var/lib/", "/var/lib"),
            ("//var//lib", "/var/lib"),
            ("/var/./lib/.", "/var/lib"),
            ("/././x", "/x"),
            ("/", "/"),
            ("//", "/"),
            ("$HOME/.kube/", "~/.kube"),
            ("${HOME}", "~"),
            ("./src/", "./src"),
            ("src//a", "src/a"),
            ("/a/../b", "/a/../b"),
        ] {
            assert_eq!(normalize_host_path(written), normal, "{written}");
        }
    }
}
