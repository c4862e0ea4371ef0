//! Rendering an overlay with the real Kustomize: `kustomize build` when it is on the PATH, else
//! `kubectl kustomize` (kubectl has carried Kustomize since 1.14).
//!
//! The user's files are not edited: a kustomization in a temporary folder names the overlay as
//! its only resource and asks for `buildMetadata: [originAnnotations]`, so that every rendered
//! object says which resource file it came from. Kustomize's own options and order apply
//! otherwise (the overlay is built as it is, load restrictions included). A render that takes
//! longer than its time is killed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// The program that renders.
#[derive(Clone, Debug)]
pub(crate) enum Renderer {
    /// `kustomize build DIR`.
    Kustomize(PathBuf),
    /// `kubectl kustomize DIR`.
    Kubectl(PathBuf),
}

impl Renderer {
    /// The renderer on the PATH: `kustomize`, else `kubectl`.
    pub fn find() -> Option<Renderer> {
        let path = std::env::var_os("PATH")?;
        let on_path = |name: &str| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| is_executable(p))
        };
        on_path("kustomize")
            .map(Renderer::Kustomize)
            .or_else(|| on_path("kubectl").map(Renderer::Kubectl))
    }

    /// How it is named in notes.
    pub fn describe(&self) -> &'static str {
        match self {
            Renderer::Kustomize(_) => "kustomize build",
            Renderer::Kubectl(_) => "kubectl kustomize",
        }
    }

    /// The rendered objects of the kustomization in `folder` (a YAML stream, each object with
    /// its origin annotation), or Kustomize's error, made readable.
    pub fn render(&self, folder: &Path, timeout: Duration) -> Result<Rendered, String> {
        let folder =
            std::fs::canonicalize(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let wrapper = tempfile::Builder::new()
            .prefix("minpriv-kustomize-")
            .tempdir()
            .map_err(|e| format!("a temporary folder for Kustomize: {e}"))?;
        let wrapper_dir = std::fs::canonicalize(wrapper.path()).map_err(|e| e.to_string())?;
        let relative = relative_path(&wrapper_dir, &folder);
        std::fs::write(
            wrapper_dir.join("kustomization.yaml"),
            format!(
                "# Written by minpriv to learn where each rendered object comes from.\n\
                 resources:\n  - {}\nbuildMetadata: [originAnnotations]\n",
                minpriv_readers::yaml::double_quoted(&relative)
            ),
        )
        .map_err(|e| format!("writing a kustomization for Kustomize: {e}"))?;
        let mut command = match self {
            Renderer::Kustomize(program) => {
                let mut c = Command::new(program);
                c.arg("build");
                c
            }
            Renderer::Kubectl(program) => {
                let mut c = Command::new(program);
                c.arg("kustomize");
                c
            }
        };
        // minpriv fetches nothing, and neither may the Kustomize it runs on a scanned tree: a
        // remote base the tree's own kustomizations name is not rendered (see `take`), and one
        // named from outside the scanned folders fails here instead of being fetched: git may
        // only read local repositories, and HTTP goes to a proxy that does not answer.
        for (name, value) in [
            ("GIT_ALLOW_PROTOCOL", "file"),
            ("GIT_TERMINAL_PROMPT", "0"),
            ("HTTP_PROXY", NO_NETWORK),
            ("HTTPS_PROXY", NO_NETWORK),
            ("http_proxy", NO_NETWORK),
            ("https_proxy", NO_NETWORK),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ] {
            command.env(name, value);
        }
        let mut child = command
            .arg(&wrapper_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", self.describe()))?;
        // Both pipes are drained while the child runs: a full pipe would stop it.
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let out = std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(s) = stdout.as_mut() {
                let _ = s.read_to_string(&mut text);
            }
            text
        });
        let err = std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(s) = stderr.as_mut() {
                let _ = s.read_to_string(&mut text);
            }
            text
        });
        let status = match child.wait_timeout(timeout) {
            Ok(Some(status)) => status,
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{} did not finish in {} s: stopped",
                    self.describe(),
                    timeout.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for {}: {e}", self.describe())),
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        if status.success() {
            Ok(Rendered {
                text: stdout,
                origins_from: wrapper_dir,
            })
        } else {
            Err(readable_error(&stderr, &relative))
        }
    }
}

/// A proxy address nothing listens on (the discard port of this host): requests through it fail
/// at once.
const NO_NETWORK: &str = "http://127.0.0.1:9";

/// What a render gives.
pub(crate) struct Rendered {
    /// The objects, as a YAML stream.
    pub text: String,
    /// The folder the origin annotations' paths are relative to (gone once rendered: resolve
    /// them lexically).
    pub origins_from: PathBuf,
}

impl Rendered {
    /// The file an origin annotation's `path:` names.
    pub fn origin_file(&self, annotation: &str) -> Option<PathBuf> {
        let relative = annotation
            .lines()
            .find_map(|l| l.trim().strip_prefix("path:"))?
            .trim()
            .trim_matches(['"', '\'']);
        let mut path = self.origins_from.clone();
        for part in Path::new(relative).components() {
            match part {
                std::path::Component::ParentDir => {
                    path.pop();
                }
                std::path::Component::CurDir => {}
                other => path.push(other),
            }
        }
        Some(path)
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `to` relative to the folder `from` (both absolute): Kustomize refuses absolute resources.
fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Kustomize's message without kubectl's log prefix (`E1207 ... run.go:72] "command failed"
/// err="..."`) and with the temporary kustomization's path to the overlay left out.
fn readable_error(stderr: &str, relative: &str) -> String {
    // klog writes a long error as `err=<` then the message's lines, indented, then ` >`.
    if let Some((_, block)) = stderr.split_once("err=<") {
        let body: Vec<&str> = block
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != ">")
            .collect();
        return tidy(&body.join(" "), relative);
    }
    let line = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("Kustomize failed without a message");
    let message = match line.split_once("err=\"") {
        Some((_, rest)) => rest.strip_suffix('"').unwrap_or(rest).replace("\\\"", "\""),
        None => line
            .strip_prefix("Error: ")
            .or_else(|| line.strip_prefix("error: "))
            .unwrap_or(line)
            .to_string(),
    };
    tidy(&message, relative)
}

/// Kustomize's message without what the temporary kustomization adds to it.
fn tidy(message: &str, relative: &str) -> String {
    let message = message.to_string();
    // Kustomize first tries the temporary kustomization's resource as a file, then builds it
    // as a folder: what follows that is the overlay's own error.
    let marker = "recursed accumulation of path '";
    let message = match message.find(marker) {
        Some(i) => {
            let rest = &message[i + marker.len()..];
            rest.split_once("': ")
                .map_or(rest, |(_, own)| own)
                .to_string()
        }
        None => message,
    };
    message
        .replace(&format!("'{relative}'"), "the overlay")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        assert_eq!(
            relative_path(Path::new("/tmp/x/w"), Path::new("/work/repo/overlays/prod")),
            "../../../work/repo/overlays/prod"
        );
        assert_eq!(relative_path(Path::new("/a/b"), Path::new("/a/b/c")), "c");
    }

    #[test]
    fn kubectl_log_prefixes_are_dropped() {
        let stderr = "E1207 05:58:57.104300   23891 run.go:72] \"command failed\" \
                      err=\"accumulating resources: accumulation err='accumulating resources from \
                      '../../x': missing'\"\n";
        assert_eq!(
            readable_error(stderr, "../../x"),
            "accumulating resources: accumulation err='accumulating resources from the overlay: missing'"
        );
        assert_eq!(readable_error("Error: no such file\n", "x"), "no such file");
        let long = "E1207 06:47:33 run.go:72] \"command failed\" err=<\n\taccumulating: \
                    recursed accumulation of path '/o': fetching x: transport 'https' not \
                    allowed\n\t: exit status 128\n >\n";
        assert_eq!(
            readable_error(long, "../o"),
            "fetching x: transport 'https' not allowed : exit status 128"
        );
    }
}
