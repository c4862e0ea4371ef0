//! Helpers shared by the engine's tests: tar archives built byte by byte, and a real Docker
//! Engine driven through the `docker` CLI with everything it starts removed by a guard.

#![allow(dead_code)]

use flate2::Compression;
use flate2::write::GzEncoder;
use minpriv_engine::Engine;
use std::io::Write;
use std::process::{Command, Stdio};

/// Busybox, statically linked: the only program the test images need (no registry is
/// reachable, so images are built `FROM scratch`).
pub const BUSYBOX: &str = "/usr/bin/busybox";

/// A `security.capability` xattr (VFS_CAP_REVISION_2, effective) granting NET_RAW.
pub fn net_raw_xattr() -> Vec<u8> {
    let mut raw = Vec::new();
    raw.extend_from_slice(&0x0200_0001u32.to_le_bytes());
    raw.extend_from_slice(&(1u32 << 13).to_le_bytes());
    raw.extend_from_slice(&[0; 12]);
    raw
}

/// One PAX record: `LEN key=value\n`, LEN counting the whole record.
pub fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body_len = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body_len + 1;
    while len.to_string().len() + body_len != len {
        len = len.to_string().len() + body_len;
    }
    let mut rec = format!("{len} {key}=").into_bytes();
    rec.extend_from_slice(value);
    rec.push(b'\n');
    rec
}

/// Builds tar archives entry by entry (directories, files with any mode, symlinks, PAX records).
pub struct TarBuilder {
    inner: tar::Builder<Vec<u8>>,
}

impl Default for TarBuilder {
    fn default() -> Self {
        TarBuilder::new()
    }
}

impl TarBuilder {
    /// An empty archive.
    pub fn new() -> TarBuilder {
        TarBuilder {
            inner: tar::Builder::new(Vec::new()),
        }
    }

    fn header(path: &str, kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
        let mut h = tar::Header::new_ustar();
        h.set_path(path).expect("path fits");
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_cksum();
        h
    }

    /// A directory.
    pub fn dir(mut self, path: &str) -> Self {
        let h = Self::header(path, tar::EntryType::Directory, 0o755, 0);
        self.inner.append(&h, std::io::empty()).unwrap();
        self
    }

    /// A regular file.
    pub fn file(mut self, path: &str, mode: u32, data: &[u8]) -> Self {
        let h = Self::header(path, tar::EntryType::Regular, mode, data.len() as u64);
        self.inner.append(&h, data).unwrap();
        self
    }

    /// A symbolic link.
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut h = Self::header(path, tar::EntryType::Symlink, 0o777, 0);
        h.set_link_name(target).unwrap();
        h.set_cksum();
        self.inner.append(&h, std::io::empty()).unwrap();
        self
    }

    /// A PAX extended header for the next entry, with the given records.
    pub fn pax(mut self, records: &[(&str, &[u8])]) -> Self {
        let data: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
        let h = Self::header(
            "PaxHeaders/x",
            tar::EntryType::XHeader,
            0o644,
            data.len() as u64,
        );
        self.inner.append(&h, data.as_slice()).unwrap();
        self
    }

    /// A regular file carrying a `security.capability` xattr.
    pub fn file_with_capabilities(self, path: &str, mode: u32, data: &[u8], cap: &[u8]) -> Self {
        self.pax(&[("SCHILY.xattr.security.capability", cap)])
            .file(path, mode, data)
    }

    /// Static busybox as `bin/busybox`, with `sh` and `sleep` links (for images that run).
    pub fn busybox(self) -> Self {
        let data = std::fs::read(BUSYBOX).expect("busybox-static at /usr/bin/busybox");
        self.dir("bin/")
            .file("bin/busybox", 0o755, &data)
            .symlink("bin/sh", "busybox")
            .symlink("bin/sleep", "busybox")
    }

    /// The archive's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.inner.into_inner().unwrap()
    }
}

/// gzip-compresses `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A `docker save`-style archive: `entries` in the order given (Docker writes `manifest.json`
/// last), each a (path, bytes) pair.
pub fn outer_tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = TarBuilder::new();
    for (path, data) in entries {
        b = b.file(path, 0o644, data);
    }
    b.finish()
}

/// True when the environment demands the Docker tests (`MINPRIV_REQUIRE_DOCKER=1`).
pub fn docker_required() -> bool {
    std::env::var("MINPRIV_REQUIRE_DOCKER").as_deref() == Ok("1")
}

/// The engine and a working `docker` CLI, or `None` after a loud skip message. Fails instead
/// when `MINPRIV_REQUIRE_DOCKER=1`.
pub fn engine_or_skip(test: &str) -> Option<Engine> {
    let problem = match Engine::connect() {
        Ok(engine) => {
            let cli = Command::new("docker")
                .arg("version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            let busybox = std::path::Path::new(BUSYBOX).is_file();
            match (cli, busybox) {
                (true, true) => return Some(engine),
                (false, _) => "the docker CLI does not work".to_string(),
                (_, false) => format!("{BUSYBOX} (busybox-static) is missing"),
            }
        }
        Err(e) => e.to_string(),
    };
    if docker_required() {
        panic!("{test}: MINPRIV_REQUIRE_DOCKER=1 but {problem}");
    }
    // Written to the process's stderr directly: the test harness captures `eprintln!` of
    // passing tests, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!! SKIPPED {test}: {problem}. Set MINPRIV_REQUIRE_DOCKER=1 to make this a failure.\n"
    );
    None
}

/// Runs `docker ARGS`, returning stdout; panics with stderr on failure.
pub fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs");
    assert!(
        out.status.success(),
        "docker {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `docker ARGS` and reports whether it succeeded (stderr kept for the message).
pub fn try_docker(args: &[&str]) -> Result<String, String> {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// `docker import` of a root filesystem tar, with Dockerfile-style `changes` (`USER 1234`).
pub fn docker_import(tar: &[u8], tag: &str, changes: &[&str]) {
    let mut args = vec!["import".to_string()];
    for c in changes {
        args.push("--change".into());
        args.push((*c).to_string());
    }
    args.push("-".into());
    args.push(tag.into());
    let mut child = Command::new("docker")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docker import runs");
    child.stdin.take().unwrap().write_all(tar).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "docker import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A name unique to this test process, so that runs side by side never collide.
pub fn unique(name: &str) -> String {
    format!("mpe-{}-{name}", std::process::id())
}

/// Removes, when dropped (an assertion failing included), every container and image it was
/// told about.
#[derive(Default)]
pub struct Cleanup {
    containers: Vec<String>,
    images: Vec<String>,
    built: bool,
}

impl Cleanup {
    /// Nothing to remove yet.
    pub fn new() -> Cleanup {
        Cleanup::default()
    }

    /// Starts (`docker run -d`) a labelled container `name` from `image` running `sleep 300`,
    /// with `flags`. The container is registered for removal before it is started, so that one
    /// created but failing to start is removed too. Returns the start error, if any.
    pub fn run(&mut self, name: &str, image: &str, flags: &[&str]) -> Result<(), String> {
        self.containers.push(name.to_string());
        let mut args = vec!["run", "-d", "--label", "minpriv.test=1", "--name", name];
        args.extend_from_slice(flags);
        args.extend_from_slice(&[image, "sleep", "300"]);
        try_docker(&args).map(|_| ())
    }

    /// Registers an image for removal.
    pub fn image(&mut self, tag: &str) {
        self.images.push(tag.to_string());
    }

    /// `docker build -t TAG DIR`, with a label naming this test process so that the layers of a
    /// build that fails halfway are pruned too.
    pub fn build(&mut self, tag: &str, dir: &std::path::Path) {
        self.image(tag);
        self.built = true;
        let label = format!("minpriv.test.run={}", std::process::id());
        docker(&[
            "build",
            "-q",
            "--force-rm",
            "--label",
            &label,
            "-t",
            tag,
            dir.to_str().expect("a UTF-8 path"),
        ]);
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if !self.containers.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(self.containers.iter().map(String::as_str));
            let _ = Command::new("docker")
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        if !self.images.is_empty() {
            let mut args = vec!["rmi", "-f"];
            args.extend(self.images.iter().map(String::as_str));
            let _ = Command::new("docker")
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        if self.built {
            let label = format!("label=minpriv.test.run={}", std::process::id());
            let _ = Command::new("docker")
                .args(["image", "prune", "-f", "--filter", &label])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}
