//! The cgroup a traced run's container is created under.
//!
//! perf events follow a cgroup and its descendants, filtered in the kernel, but a container's
//! own cgroup exists only once it starts, when its first processes already run. So the run gets
//! a parent made beforehand (`--cgroup-parent /minpriv-trace-<id>`, the cgroupfs driver's
//! spelling), the events follow the parent from before the start, and nothing outside the
//! container is recorded. The parent is removed from every cgroup hierarchy after the run (the
//! runtime creates it in each v1 hierarchy it uses).

use std::path::{Path, PathBuf};

/// The cgroup mounts of this host: (mount point, is cgroup v2, v1 controllers).
fn cgroup_mounts() -> Vec<(PathBuf, bool, Vec<String>)> {
    let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            // id parent major:minor root mount-point options [optional...] - fstype source super
            let (left, right) = line.split_once(" - ")?;
            let mount_point = left.split(' ').nth(4)?;
            let mut right = right.split(' ');
            let fstype = right.next()?;
            let super_options = right.nth(1).unwrap_or_default();
            match fstype {
                "cgroup2" => Some((PathBuf::from(unescape(mount_point)), true, Vec::new())),
                "cgroup" => Some((
                    PathBuf::from(unescape(mount_point)),
                    false,
                    super_options.split(',').map(str::to_string).collect(),
                )),
                _ => None,
            }
        })
        .collect()
}

/// mountinfo escapes spaces and the like as octal (`\040`).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let digits: String = chars.clone().take(3).collect();
            if let Ok(v) = u8::from_str_radix(&digits, 8) {
                out.push(v as char);
                chars.nth(2);
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The hierarchy perf events are filtered on: the v1 hierarchy with the `perf_event`
/// controller, else the v2 hierarchy (where `perf_event` is implicit).
pub(crate) fn perf_event_root() -> Result<PathBuf, String> {
    let mounts = cgroup_mounts();
    if let Some((path, _, _)) = mounts
        .iter()
        .find(|(_, v2, opts)| !v2 && opts.iter().any(|o| o == "perf_event"))
    {
        return Ok(path.clone());
    }
    mounts
        .iter()
        .find(|(_, v2, _)| *v2)
        .map(|(path, _, _)| path.clone())
        .ok_or_else(|| "no cgroup hierarchy carries perf events on this host".to_string())
}

/// A cgroup made for one traced run; removed from every hierarchy when dropped.
#[derive(Debug)]
pub(crate) struct RunCgroup {
    name: String,
    /// The folder the perf events follow.
    pub dir: PathBuf,
}

impl RunCgroup {
    /// Creates `<perf root>/<name>`.
    pub fn create(perf_root: &Path, name: &str) -> Result<RunCgroup, String> {
        let dir = perf_root.join(name);
        std::fs::create_dir(&dir)
            .map_err(|e| format!("creating the cgroup {}: {e}", dir.display()))?;
        Ok(RunCgroup {
            name: name.to_string(),
            dir,
        })
    }

    /// The engine's `CgroupParent` for the run.
    pub fn parent(&self) -> String {
        format!("/{}", self.name)
    }
}

impl Drop for RunCgroup {
    fn drop(&mut self) {
        for (mount, _, _) in cgroup_mounts() {
            let dir = mount.join(&self.name);
            if !dir.exists() {
                continue;
            }
            // The runtime removes the container's own cgroup when the container is removed;
            // wait briefly for that before removing the parent.
            for _ in 0..50 {
                if std::fs::remove_dir(&dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape(r"/sys/fs/cgroup/a\040b"), "/sys/fs/cgroup/a b");
        assert_eq!(unescape("/plain"), "/plain");
    }
}
