//! Finding and connecting to a Docker-compatible engine.

use crate::error::{Attempt, ConnectError, describe_api_error, innermost};
use bollard::{API_DEFAULT_VERSION, Docker};
use minpriv_model::Runtime;
use minpriv_model::host_paths::{DOCKER_SOCKET, PODMAN_SOCKET};
use std::future::Future;
use std::path::Path;
use std::time::Duration;

/// The default seconds a connection attempt may take (negotiation, ping, version and info).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// bollard's per-request timeout, in seconds, once connected (image exports can be slow).
const REQUEST_TIMEOUT_SECS: u64 = 600;

/// Where to look for an engine; [`ConnectOptions::from_env`] reads the usual variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `DOCKER_HOST` (`unix:///path` or `tcp://host:port`); when set, it is the only endpoint
    /// tried, as the docker CLI does: auditing another engine than the one asked for would be
    /// worse than failing.
    pub docker_host: Option<String>,
    /// `DOCKER_TLS_VERIFY` is set (TLS is not supported: such a host is refused with a reason).
    pub tls_verify: bool,
    /// `CONTAINER_HOST`, Podman's variable for its remote API (`unix:///path`): used when
    /// `DOCKER_HOST` is unset, and first with `podman`.
    pub container_host: Option<String>,
    /// Podman only (`--podman`): `CONTAINER_HOST`, else the rootless and rootful Podman
    /// sockets; `DOCKER_HOST` and Docker's sockets are not tried.
    pub podman: bool,
    /// `XDG_RUNTIME_DIR`, for rootless Docker and Podman sockets.
    pub xdg_runtime_dir: Option<String>,
    /// How long one endpoint may take to answer.
    pub timeout: Duration,
}

impl ConnectOptions {
    /// Options from the environment (empty variables count as unset).
    pub fn from_env() -> ConnectOptions {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        ConnectOptions {
            docker_host: var("DOCKER_HOST"),
            tls_verify: var("DOCKER_TLS_VERIFY").is_some_and(|v| v != "0"),
            container_host: var("CONTAINER_HOST"),
            podman: false,
            xdg_runtime_dir: var("XDG_RUNTIME_DIR"),
            timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// The endpoints to try, in order, and remarks for the error message.
    fn candidates(&self) -> (Vec<Attempt>, Vec<String>) {
        let host = if self.podman {
            self.container_host.as_ref()
        } else {
            self.docker_host.as_ref().or(self.container_host.as_ref())
        };
        if let Some(host) = host {
            return (Vec::new(), vec![host.clone()]);
        }
        let runtime_dir = self.xdg_runtime_dir.clone().or_else(user_runtime_dir);
        let mut sockets = Vec::new();
        if !self.podman {
            sockets.push(DOCKER_SOCKET.to_string());
        }
        if let Some(dir) = &runtime_dir {
            if !self.podman {
                sockets.push(format!("{dir}/docker.sock"));
            }
            sockets.push(format!("{dir}/podman/podman.sock"));
        }
        sockets.push(PODMAN_SOCKET.to_string());
        let mut seen = Vec::new();
        for s in sockets {
            let url = format!("unix://{s}");
            if !seen.contains(&url) {
                seen.push(url);
            }
        }
        let remark = Attempt {
            endpoint: if self.podman {
                "CONTAINER_HOST unset".into()
            } else {
                "DOCKER_HOST unset".into()
            },
            problem: None,
        };
        (vec![remark], seen)
    }
}

/// The uid owning the socket of a `unix://` endpoint.
fn socket_owner(endpoint: &str) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let path = endpoint.strip_prefix("unix://")?;
        std::fs::metadata(path).ok().map(|m| m.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = endpoint;
        None
    }
}

/// `/run/user/UID` when `XDG_RUNTIME_DIR` is unset (a login without a session manager).
fn user_runtime_dir() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self").ok()?.uid();
        let dir = format!("/run/user/{uid}");
        Path::new(&dir).is_dir().then_some(dir)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// What the daemon's `/info` says about its confinement features.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DaemonSecurity {
    /// Seccomp is available and on: containers get the default profile unless told otherwise.
    pub seccomp: bool,
    /// The daemon's default seccomp profile (`default`, `unconfined`, or a custom name).
    pub seccomp_profile: Option<String>,
    /// AppArmor is available: containers get the default profile unless told otherwise.
    pub apparmor: bool,
    /// SELinux labelling is on.
    pub selinux: bool,
    /// The daemon runs rootless: root in a container is not root on the host.
    pub rootless: bool,
    /// The daemon remaps user namespaces (`userns-remap`).
    pub userns: bool,
}

impl DaemonSecurity {
    /// Parses `SecurityOptions`: `name=seccomp,profile=default`, `name=apparmor`, ... (or the
    /// bare words older daemons send).
    pub fn parse(options: &[String]) -> DaemonSecurity {
        let mut s = DaemonSecurity::default();
        for option in options {
            let mut name = None;
            let mut profile = None;
            for part in option.split(',') {
                match part.split_once('=') {
                    Some(("name", v)) => name = Some(v.trim()),
                    Some(("profile", v)) => profile = Some(v.trim().to_string()),
                    Some(_) => {}
                    None => name = name.or(Some(part.trim())),
                }
            }
            match name.unwrap_or_default() {
                "seccomp" => {
                    s.seccomp = true;
                    s.seccomp_profile = profile;
                }
                "apparmor" => s.apparmor = true,
                "selinux" => s.selinux = true,
                "rootless" => s.rootless = true,
                "userns" => s.userns = true,
                _ => {}
            }
        }
        s
    }

    /// True when a container that sets no seccomp profile runs unconfined.
    pub fn default_seccomp_unconfined(&self) -> bool {
        !self.seccomp || self.seccomp_profile.as_deref() == Some("unconfined")
    }
}

/// A connected engine (Docker, or Podman through its Docker-compatible API).
///
/// The engine's client is asynchronous; an `Engine` owns a single-threaded runtime and offers
/// blocking methods, so that callers stay synchronous.
pub struct Engine {
    docker: Docker,
    runtime: tokio::runtime::Runtime,
    endpoint: String,
    kind: Runtime,
    security: DaemonSecurity,
    server_version: String,
    api_version: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("endpoint", &self.endpoint)
            .field("kind", &self.kind)
            .field("server_version", &self.server_version)
            .field("api_version", &self.api_version)
            .finish()
    }
}

impl Engine {
    /// Connects to the engine named by `DOCKER_HOST`, else the first that answers of the default
    /// socket, the rootless Docker socket, and Podman's rootless and system sockets.
    pub fn connect() -> Result<Engine, ConnectError> {
        Engine::connect_with(&ConnectOptions::from_env())
    }

    /// Connects as [`Engine::connect`] does, with explicit options.
    pub fn connect_with(options: &ConnectOptions) -> Result<Engine, ConnectError> {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                return Err(ConnectError {
                    attempts: vec![Attempt {
                        endpoint: "starting the client's runtime".into(),
                        problem: Some(innermost(&e)),
                    }],
                });
            }
        };
        let (mut attempts, endpoints) = options.candidates();
        let from_env = options.docker_host.is_some();
        for endpoint in endpoints {
            let label = if from_env {
                format!("DOCKER_HOST={endpoint}")
            } else {
                endpoint.clone()
            };
            match try_endpoint(&runtime, &endpoint, options) {
                Ok((docker, kind, security, server_version, api_version)) => {
                    return Ok(Engine {
                        docker,
                        runtime,
                        endpoint,
                        kind,
                        security,
                        server_version,
                        api_version,
                    });
                }
                Err(problem) => attempts.push(Attempt {
                    endpoint: label,
                    problem: Some(problem),
                }),
            }
        }
        Err(ConnectError { attempts })
    }

    /// The endpoint that answered (`unix:///var/run/docker.sock`, `tcp://...`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whose defaults apply to its containers: [`Runtime::Docker`], or [`Runtime::Podman`] when
    /// the engine's version reports Podman.
    pub fn runtime(&self) -> Runtime {
        self.kind
    }

    /// The daemon's confinement features.
    pub fn security(&self) -> &DaemonSecurity {
        &self.security
    }

    /// The engine's version (`20.10.24`).
    pub fn server_version(&self) -> &str {
        &self.server_version
    }

    /// The API version negotiated (`1.41`).
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    pub(crate) fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Runs a future of the engine's client to completion.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

type Connected = (Docker, Runtime, DaemonSecurity, String, String);

fn try_endpoint(
    runtime: &tokio::runtime::Runtime,
    endpoint: &str,
    options: &ConnectOptions,
) -> Result<Connected, String> {
    let docker = if endpoint.starts_with("unix://") {
        Docker::connect_with_unix(endpoint, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
    } else if endpoint.starts_with("tcp://") || endpoint.starts_with("http://") {
        if options.tls_verify {
            return Err("DOCKER_TLS_VERIFY is set, but TLS connections are not supported".into());
        }
        Docker::connect_with_http(endpoint, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
    } else {
        return Err("unsupported address (use unix:// or tcp://)".into());
    }
    .map_err(|e| describe_api_error(&e))?;
    let handshake = async move {
        // Negotiation lowers the client's API version to the daemon's (1.41 on Docker 20.10);
        // without it every request to an older daemon fails.
        let docker = docker.negotiate_version().await?;
        docker.ping().await?;
        let version = docker.version().await?;
        let info = docker.info().await?;
        Ok::<_, bollard::errors::Error>((docker, version, info))
    };
    let (docker, version, info) = runtime
        .block_on(async { tokio::time::timeout(options.timeout, handshake).await })
        .map_err(|_| format!("no answer within {} s", options.timeout.as_secs()))?
        .map_err(|e| describe_api_error(&e))?;
    let podman = version
        .components
        .iter()
        .flatten()
        .any(|c| c.name.to_ascii_lowercase().contains("podman"))
        || version
            .platform
            .as_ref()
            .is_some_and(|p| p.name.to_ascii_lowercase().contains("podman"));
    let kind = if podman {
        Runtime::Podman
    } else {
        Runtime::Docker
    };
    let mut security = DaemonSecurity::parse(info.security_options.as_deref().unwrap_or_default());
    // Podman's Docker-compatible /info does not say it runs rootless; a socket a non-root user
    // owns does (rootful Podman's is root's).
    if kind == Runtime::Podman && socket_owner(endpoint).is_some_and(|uid| uid != 0) {
        security.rootless = true;
    }
    let server_version = version.version.unwrap_or_default();
    let api_version = docker.client_version().to_string();
    Ok((docker, kind, security, server_version, api_version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_options_parse() {
        let s = DaemonSecurity::parse(&[
            "name=seccomp,profile=default".into(),
            "name=rootless".into(),
        ]);
        assert!(s.seccomp && s.rootless && !s.apparmor);
        assert!(!s.default_seccomp_unconfined());
        let old = DaemonSecurity::parse(&["apparmor".into(), "seccomp".into()]);
        assert!(old.apparmor && old.seccomp);
        let off = DaemonSecurity::parse(&["name=seccomp,profile=unconfined".into()]);
        assert!(off.default_seccomp_unconfined());
        assert!(DaemonSecurity::parse(&[]).default_seccomp_unconfined());
    }

    #[test]
    fn candidates_without_docker_host() {
        let o = ConnectOptions {
            docker_host: None,
            tls_verify: false,
            container_host: None,
            podman: false,
            xdg_runtime_dir: Some("/run/user/1000".into()),
            timeout: DEFAULT_CONNECT_TIMEOUT,
        };
        let (remarks, endpoints) = o.candidates();
        assert_eq!(remarks[0].endpoint, "DOCKER_HOST unset");
        assert_eq!(
            endpoints,
            vec![
                "unix:///var/run/docker.sock",
                "unix:///run/user/1000/docker.sock",
                "unix:///run/user/1000/podman/podman.sock",
                "unix:///run/podman/podman.sock",
            ]
        );
        let with_host = ConnectOptions {
            docker_host: Some("tcp://127.0.0.1:2375".into()),
            ..o.clone()
        };
        assert_eq!(with_host.candidates().1, vec!["tcp://127.0.0.1:2375"]);
        // Podman's variable, when DOCKER_HOST is unset; first and alone with --podman.
        let container_host = ConnectOptions {
            container_host: Some("unix:///run/user/1000/podman/podman.sock".into()),
            ..o.clone()
        };
        assert_eq!(
            container_host.candidates().1,
            vec!["unix:///run/user/1000/podman/podman.sock"]
        );
        let both = ConnectOptions {
            docker_host: Some("tcp://127.0.0.1:2375".into()),
            ..container_host.clone()
        };
        assert_eq!(both.candidates().1, vec!["tcp://127.0.0.1:2375"]);
        let podman = ConnectOptions {
            podman: true,
            ..both
        };
        assert_eq!(
            podman.candidates().1,
            vec!["unix:///run/user/1000/podman/podman.sock"]
        );
        let podman_sockets = ConnectOptions { podman: true, ..o };
        let (remarks, endpoints) = podman_sockets.candidates();
        assert_eq!(remarks[0].endpoint, "CONTAINER_HOST unset");
        assert_eq!(
            endpoints,
            vec![
                "unix:///run/user/1000/podman/podman.sock",
                "unix:///run/podman/podman.sock",
            ]
        );
    }
}
