//! The two tracepoints' ids and field offsets, from tracefs.
//!
//! tracefs is often not mounted (this machine kind mounts nothing at `/sys/kernel/tracing`).
//! Mounting it for the host would change the host; instead a short-lived thread leaves the
//! process's mount namespace (`unshare(CLONE_FS | CLONE_NEWNS)` applies to the calling thread
//! only), mounts tracefs in its private namespace, reads the format files and ends, and the
//! mount goes with it.

use std::path::Path;

/// Where a field of a tracepoint's record lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub offset: usize,
    pub size: usize,
}

/// One tracepoint's id and the fields minpriv reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Format {
    pub id: u64,
    pub fields: Vec<(String, Field)>,
}

impl Format {
    /// Parses a tracefs `format` file.
    pub fn parse(text: &str) -> Result<Format, String> {
        let mut id = None;
        let mut fields = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if let Some(v) = line.strip_prefix("ID:") {
                id = v.trim().parse().ok();
            } else if let Some(rest) = line.strip_prefix("field:") {
                // field:int cap;	offset:32;	size:4;	signed:1;
                let mut parts = rest.split(';').map(str::trim);
                let decl = parts.next().unwrap_or_default();
                let name = decl
                    .rsplit([' ', '*'])
                    .next()
                    .unwrap_or_default()
                    .split('[')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let mut offset = None;
                let mut size = None;
                for p in parts {
                    if let Some(v) = p.strip_prefix("offset:") {
                        offset = v.parse().ok();
                    } else if let Some(v) = p.strip_prefix("size:") {
                        size = v.parse().ok();
                    }
                }
                if let (Some(offset), Some(size)) = (offset, size) {
                    fields.push((name, Field { offset, size }));
                }
            }
        }
        Ok(Format {
            id: id.ok_or("the format has no ID line")?,
            fields,
        })
    }

    /// The field `name`, when it has the expected size.
    pub fn field(&self, name: &str, size: usize) -> Result<Field, String> {
        self.fields
            .iter()
            .find(|(n, f)| n == name && f.size == size)
            .map(|(_, f)| *f)
            .ok_or_else(|| format!("the tracepoint has no {size}-byte field `{name}`"))
    }
}

/// The formats of `capability:cap_capable` and `raw_syscalls:sys_enter`.
#[derive(Clone, Debug)]
pub(crate) struct Tracepoints {
    pub cap_capable: Format,
    pub sys_enter: Format,
}

const EVENTS: [&str; 2] = ["capability/cap_capable", "raw_syscalls/sys_enter"];

fn read_from(root: &Path) -> Result<Tracepoints, String> {
    let read = |name: &str| {
        let path = root.join("events").join(name).join("format");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        Format::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    Ok(Tracepoints {
        cap_capable: read(EVENTS[0])?,
        sys_enter: read(EVENTS[1])?,
    })
}

/// Reads the formats from a mounted tracefs, else from one mounted in a private namespace.
pub(crate) fn tracepoints() -> Result<Tracepoints, String> {
    for root in ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"] {
        if Path::new(root).join("events").is_dir() {
            return read_from(Path::new(root));
        }
    }
    std::thread::spawn(|| {
        private_mount()?;
        read_from(Path::new("/sys/kernel/tracing"))
    })
    .join()
    .map_err(|_| "the thread reading tracefs panicked".to_string())?
}

/// Mounts tracefs at /sys/kernel/tracing for the calling thread only.
fn private_mount() -> Result<(), String> {
    use std::ffi::CString;
    let os = |what: &str| format!("{what}: {}", std::io::Error::last_os_error());
    // SAFETY: plain system calls with valid, NUL-terminated arguments; they change only the
    // calling thread's filesystem context and mount namespace.
    unsafe {
        if libc::unshare(libc::CLONE_FS | libc::CLONE_NEWNS) != 0 {
            return Err(os("leaving the mount namespace"));
        }
        let root = CString::new("/").expect("no NUL");
        if libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(os("making the private mounts private"));
        }
        let source = CString::new("nodev").expect("no NUL");
        let target = CString::new("/sys/kernel/tracing").expect("no NUL");
        let fstype = CString::new("tracefs").expect("no NUL");
        if libc::mount(
            source.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            0,
            std::ptr::null(),
        ) != 0
        {
            return Err(os("mounting tracefs"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP_CAPABLE: &str = "name: cap_capable
ID: 2073
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:const struct cred * cred;\toffset:8;\tsize:8;\tsigned:0;
\tfield:int cap;\toffset:32;\tsize:4;\tsigned:1;
\tfield:int ret;\toffset:36;\tsize:4;\tsigned:1;
";

    #[test]
    fn reads_the_id_and_the_fields() {
        let f = Format::parse(CAP_CAPABLE).unwrap();
        assert_eq!(f.id, 2073);
        assert_eq!(
            f.field("cap", 4),
            Ok(Field {
                offset: 32,
                size: 4
            })
        );
        assert_eq!(f.field("cred", 8), Ok(Field { offset: 8, size: 8 }));
        assert!(f.field("cap", 8).is_err());
        let sys = Format::parse(
            "ID: 443\n\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n\
             \tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n",
        )
        .unwrap();
        assert_eq!(
            sys.field("args", 48),
            Ok(Field {
                offset: 16,
                size: 48
            })
        );
        assert!(Format::parse("name: x\n").is_err());
    }
}
