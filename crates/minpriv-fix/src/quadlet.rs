//! Quadlet fixes: keys of the unit's `[Container]` section, set where they are written (the
//! last assignment of a key wins, so its value is replaced) or added after the section's last
//! line, and removed where the hardening removes a setting (`SeccompProfile=unconfined`, the
//! `AddCapability=` lines a minimize result replaces). Flags inside `PodmanArgs=` are left to
//! people: the check after the edit sees a finding they keep and refuses the fix.

use crate::edit::TextEdit;
use crate::plan::Renders;
use minpriv_model::user::{UserKind, UserSpec};
use minpriv_model::{Posture, Step};
use minpriv_readers::quadlet::{Assignment, UnitLayout, layout};

/// Paths `ReadOnlyTmpfs=` (on by default) keeps writable with a read-only root filesystem.
const READ_ONLY_TMPFS: &[&str] = &["/tmp", "/var/tmp", "/run"];

/// Whether this renderer writes `step`.
pub(crate) fn renders(step: &Step) -> Renders {
    match step {
        Step::DropPrivileged => Renders::ByHand(
            "remove --privileged from PodmanArgs= by hand: Quadlet has no key for it",
        ),
        Step::Capabilities { drop_all: true, .. }
        | Step::NoNewPrivileges
        | Step::ReadOnlyRootfs { .. }
        | Step::RunAsNonRoot { .. }
        | Step::SeccompDefault => Renders::Yes,
        _ => Renders::No,
    }
}

/// What `step` does, in Quadlet keys.
pub(crate) fn summary(step: &Step) -> String {
    match step {
        Step::Capabilities {
            drop_all: true,
            add: None,
        } => "set DropCapability=all".into(),
        Step::Capabilities {
            drop_all: true,
            add: Some(add),
        } if add.is_empty() => "set DropCapability=all and no AddCapability=".into(),
        Step::Capabilities {
            drop_all: true,
            add: Some(add),
        } => format!(
            "set DropCapability=all and AddCapability={}",
            add.sorted_names().join(" ")
        ),
        Step::NoNewPrivileges => "set NoNewPrivileges=true".into(),
        Step::ReadOnlyRootfs { .. } => "set ReadOnly=true".into(),
        Step::RunAsNonRoot { user, uid } => format!("set User={}", quadlet_user(user, *uid).0),
        Step::SeccompDefault => "remove SeccompProfile=unconfined".into(),
        other => crate::plan::summary(other),
    }
}

/// `User=` and `Group=` of a run-as-non-root step.
fn quadlet_user(user: &str, uid: Option<u32>) -> (String, Option<String>) {
    let spec = UserSpec::parse(user);
    let name = match (uid, spec.kind()) {
        (Some(uid), _) => uid.to_string(),
        (None, UserKind::Uid(uid)) => uid.to_string(),
        _ => spec.user.to_string(),
    };
    (name, spec.group.map(str::to_string))
}

/// Collects the edits of one unit.
struct Edits<'l> {
    layout: &'l UnitLayout,
    edits: Vec<TextEdit>,
    /// Lines to add after the section's last line, in step order.
    added: Vec<String>,
}

impl Edits<'_> {
    fn in_container<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Assignment> + 'a {
        self.layout
            .assignments
            .iter()
            .filter(move |a| a.section == "Container" && a.key == key)
    }

    fn add(&mut self, line: String) {
        self.added.push(line);
    }

    /// The edits, the added lines as one insertion.
    fn finish(mut self) -> Vec<TextEdit> {
        if !self.added.is_empty() {
            let prefix = if self.layout.needs_newline { "\n" } else { "" };
            let mut text = String::from(prefix);
            for line in &self.added {
                text.push_str(line);
                text.push('\n');
            }
            self.edits
                .push(TextEdit::insert(self.layout.insert_at, text, 0));
        }
        self.edits
    }

    /// Sets a single-valued key: its last assignment gets `value`, else a line is added.
    fn set(&mut self, key: &str, value: &str) {
        match self.in_container(key).last().cloned() {
            Some(a) if a.value == value => {}
            Some(a) => self.edits.push(TextEdit::replace(
                a.value_range.start,
                a.value_range.end,
                value.to_string(),
            )),
            None => self.add(format!("{key}={value}")),
        }
    }

    /// Removes the lines of `key` whose value `matches`.
    fn remove(&mut self, key: &str, matches: impl Fn(&str) -> bool) {
        let lines: Vec<_> = self
            .in_container(key)
            .filter(|a| matches(&a.value))
            .map(|a| a.lines.clone())
            .collect();
        for l in lines {
            self.edits
                .push(TextEdit::replace(l.start, l.end, String::new()));
        }
    }
}

/// The edits that apply `changes` to the unit `text` whose container has `posture`.
pub(crate) fn render_unit(
    text: &str,
    posture: &Posture,
    changes: &[Step],
) -> Result<Vec<TextEdit>, String> {
    let layout = layout(text).ok_or("the unit has no [Container] section the fixer can read")?;
    let mut e = Edits {
        layout: &layout,
        edits: Vec::new(),
        added: Vec::new(),
    };
    for step in changes {
        match step {
            Step::Capabilities {
                drop_all: true,
                add,
            } => {
                let drops_all = e.in_container("DropCapability").any(|a| {
                    a.value
                        .split_whitespace()
                        .any(|w| w.eq_ignore_ascii_case("all"))
                });
                if !drops_all {
                    e.add("DropCapability=all".into());
                }
                if let Some(add) = add {
                    e.remove("AddCapability", |_| true);
                    if !add.is_empty() {
                        e.add(format!("AddCapability={}", add.sorted_names().join(" ")));
                    }
                }
            }
            Step::NoNewPrivileges => e.set("NoNewPrivileges", "true"),
            Step::ReadOnlyRootfs { tmpfs } => {
                e.set("ReadOnly", "true");
                let tmpfs_on = e
                    .in_container("ReadOnlyTmpfs")
                    .last()
                    .is_none_or(|a| !matches!(a.value.trim(), "false" | "no" | "0" | "off"));
                let written: Vec<String> = e
                    .in_container("Tmpfs")
                    .map(|a| a.value.split(':').next().unwrap_or("").to_string())
                    .collect();
                for path in tmpfs {
                    let covered = tmpfs_on && READ_ONLY_TMPFS.contains(&path.as_str());
                    let mounted = posture
                        .mounts
                        .iter()
                        .any(|m| m.container_path.as_deref() == Some(path.as_str()));
                    if !covered && !mounted && !written.contains(path) {
                        e.add(format!("Tmpfs={path}"));
                    }
                }
            }
            Step::RunAsNonRoot { user, uid } => {
                let (user, group) = quadlet_user(user, *uid);
                e.set("User", &user);
                if let Some(g) = group {
                    e.set("Group", &g);
                }
            }
            Step::SeccompDefault => e.remove("SeccompProfile", |v| v.trim() == "unconfined"),
            other => {
                return Err(format!(
                    "Quadlet units have no edit for `{}`",
                    crate::plan::summary(other)
                ));
            }
        }
    }
    Ok(e.finish())
}
