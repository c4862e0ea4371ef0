//! Linux capabilities and the default sets of container runtimes.
//!
//! Written by hand rather than taken from the `caps` crate: that crate is Linux-only (it calls
//! `prctl`), and its parser rejects the spellings Docker accepts (`sys_admin`, no `CAP_` prefix).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! capabilities {
    ($($variant:ident = $bit:literal, $name:literal;)*) => {
        /// One Linux capability (see capabilities(7)). The discriminant is the kernel's bit number.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        #[allow(non_camel_case_types, missing_docs)]
        pub enum Capability { $($variant = $bit,)* }

        impl Capability {
            /// Every capability the kernel defines, in bit order.
            pub const ALL: &'static [Capability] = &[$(Capability::$variant,)*];

            /// The name without the `CAP_` prefix, upper case, as Docker and Kubernetes write it.
            pub const fn name(self) -> &'static str {
                match self { $(Capability::$variant => $name,)* }
            }
        }
    };
}

capabilities! {
    CHOWN = 0, "CHOWN";
    DAC_OVERRIDE = 1, "DAC_OVERRIDE";
    DAC_READ_SEARCH = 2, "DAC_READ_SEARCH";
    FOWNER = 3, "FOWNER";
    FSETID = 4, "FSETID";
    KILL = 5, "KILL";
    SETGID = 6, "SETGID";
    SETUID = 7, "SETUID";
    SETPCAP = 8, "SETPCAP";
    LINUX_IMMUTABLE = 9, "LINUX_IMMUTABLE";
    NET_BIND_SERVICE = 10, "NET_BIND_SERVICE";
    NET_BROADCAST = 11, "NET_BROADCAST";
    NET_ADMIN = 12, "NET_ADMIN";
    NET_RAW = 13, "NET_RAW";
    IPC_LOCK = 14, "IPC_LOCK";
    IPC_OWNER = 15, "IPC_OWNER";
    SYS_MODULE = 16, "SYS_MODULE";
    SYS_RAWIO = 17, "SYS_RAWIO";
    SYS_CHROOT = 18, "SYS_CHROOT";
    SYS_PTRACE = 19, "SYS_PTRACE";
    SYS_PACCT = 20, "SYS_PACCT";
    SYS_ADMIN = 21, "SYS_ADMIN";
    SYS_BOOT = 22, "SYS_BOOT";
    SYS_NICE = 23, "SYS_NICE";
    SYS_RESOURCE = 24, "SYS_RESOURCE";
    SYS_TIME = 25, "SYS_TIME";
    SYS_TTY_CONFIG = 26, "SYS_TTY_CONFIG";
    MKNOD = 27, "MKNOD";
    LEASE = 28, "LEASE";
    AUDIT_WRITE = 29, "AUDIT_WRITE";
    AUDIT_CONTROL = 30, "AUDIT_CONTROL";
    SETFCAP = 31, "SETFCAP";
    MAC_OVERRIDE = 32, "MAC_OVERRIDE";
    MAC_ADMIN = 33, "MAC_ADMIN";
    SYSLOG = 34, "SYSLOG";
    WAKE_ALARM = 35, "WAKE_ALARM";
    BLOCK_SUSPEND = 36, "BLOCK_SUSPEND";
    AUDIT_READ = 37, "AUDIT_READ";
    PERFMON = 38, "PERFMON";
    BPF = 39, "BPF";
    CHECKPOINT_RESTORE = 40, "CHECKPOINT_RESTORE";
}

impl Capability {
    /// Parses a capability name the way Docker does: any case, with or without `CAP_`.
    /// `ALL` is not a capability; see [`CapSpec::parse`].
    pub fn parse(name: &str) -> Option<Capability> {
        let name = name.trim();
        let bare = strip_cap_prefix(name);
        Capability::ALL
            .iter()
            .copied()
            .find(|c| c.name().eq_ignore_ascii_case(bare))
    }

    fn bit(self) -> u64 {
        1u64 << (self as u8)
    }
}

fn strip_cap_prefix(name: &str) -> &str {
    // Compared as bytes: the fifth byte of a name need not start a character (`capʞdd`), and
    // when the first four are `cap_` it does.
    if name.len() > 4 && name.as_bytes()[..4].eq_ignore_ascii_case(b"cap_") {
        &name[4..]
    } else {
        name
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Capability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A capability as written in a `cap_add`/`cap_drop` list: one capability, `ALL`, or a name the
/// kernel does not know (kept so that it can be reported, never silently dropped).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CapSpec {
    /// `ALL`: every capability.
    All,
    /// One known capability.
    Cap(Capability),
    /// A name that is no capability (a typo, or a capability newer than this table).
    Unknown(String),
}

impl CapSpec {
    /// Parses `ALL`, `all`, `CAP_SYS_ADMIN`, `sys_admin`, ...
    pub fn parse(name: &str) -> CapSpec {
        let bare = strip_cap_prefix(name.trim());
        if bare.eq_ignore_ascii_case("all") {
            CapSpec::All
        } else {
            match Capability::parse(bare) {
                Some(c) => CapSpec::Cap(c),
                None => CapSpec::Unknown(name.trim().to_string()),
            }
        }
    }

    /// The set this spec stands for (`ALL` is every capability; an unknown name is empty).
    pub fn to_set(&self) -> CapSet {
        match self {
            CapSpec::All => CapSet::all(),
            CapSpec::Cap(c) => CapSet::from_caps(&[*c]),
            CapSpec::Unknown(_) => CapSet::empty(),
        }
    }
}

impl fmt::Display for CapSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapSpec::All => f.write_str("ALL"),
            CapSpec::Cap(c) => f.write_str(c.name()),
            CapSpec::Unknown(s) => f.write_str(s),
        }
    }
}

impl Serialize for CapSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A set of capabilities, as a bit mask (bit n = capability n).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CapSet(u64);

impl CapSet {
    /// No capability.
    pub const fn empty() -> CapSet {
        CapSet(0)
    }

    /// Every capability in [`Capability::ALL`].
    pub fn all() -> CapSet {
        CapSet::from_caps(Capability::ALL)
    }

    /// The set of the given capabilities.
    pub fn from_caps(caps: &[Capability]) -> CapSet {
        CapSet(caps.iter().fold(0, |m, c| m | c.bit()))
    }

    /// True when `cap` is in the set.
    pub fn contains(self, cap: Capability) -> bool {
        self.0 & cap.bit() != 0
    }

    /// Adds `cap`.
    pub fn insert(&mut self, cap: Capability) {
        self.0 |= cap.bit();
    }

    /// The union.
    pub fn union(self, other: CapSet) -> CapSet {
        CapSet(self.0 | other.0)
    }

    /// The capabilities of `self` not in `other`.
    pub fn difference(self, other: CapSet) -> CapSet {
        CapSet(self.0 & !other.0)
    }

    /// The intersection.
    pub fn intersection(self, other: CapSet) -> CapSet {
        CapSet(self.0 & other.0)
    }

    /// True when no capability is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every capability of `self` is in `other`.
    pub fn is_subset(self, other: CapSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// Number of capabilities.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The capabilities in bit order.
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }

    /// Names sorted alphabetically (the order used in JSON output).
    pub fn sorted_names(self) -> Vec<&'static str> {
        let mut v: Vec<_> = self.iter().map(Capability::name).collect();
        v.sort_unstable();
        v
    }
}

impl Serialize for CapSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.sorted_names())
    }
}

/// Reads a list of capability names (`NET_ADMIN`, `CAP_NET_ADMIN`, any case); a name that is
/// no capability is an error, never silently dropped.
impl<'de> Deserialize<'de> for CapSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|name| {
                Capability::parse(name)
                    .ok_or_else(|| serde::de::Error::custom(format!("`{name}` is no capability")))
            })
            .collect()
    }
}

impl FromIterator<Capability> for CapSet {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        let mut set = CapSet::empty();
        for c in iter {
            set.insert(c);
        }
        set
    }
}

use Capability::*;

/// Docker's (moby) and containerd's default capability set: 14 capabilities.
pub const DOCKER_DEFAULT: &[Capability] = &[
    CHOWN,
    DAC_OVERRIDE,
    FSETID,
    FOWNER,
    MKNOD,
    NET_RAW,
    SETGID,
    SETUID,
    SETFCAP,
    SETPCAP,
    NET_BIND_SERVICE,
    SYS_CHROOT,
    KILL,
    AUDIT_WRITE,
];

/// CRI-O's default capability set: 9 capabilities.
pub const CRIO_DEFAULT: &[Capability] = &[
    CHOWN,
    DAC_OVERRIDE,
    FSETID,
    FOWNER,
    SETGID,
    SETUID,
    SETPCAP,
    NET_BIND_SERVICE,
    KILL,
];

/// Podman's default capability set (containers.conf): 11 capabilities.
pub const PODMAN_DEFAULT: &[Capability] = &[
    CHOWN,
    DAC_OVERRIDE,
    FOWNER,
    FSETID,
    KILL,
    NET_BIND_SERVICE,
    SETFCAP,
    SETGID,
    SETPCAP,
    SETUID,
    SYS_CHROOT,
];

/// Capabilities the Pod Security Standards *baseline* level allows a container to add.
pub const PSS_BASELINE_ADDABLE: &[Capability] = &[
    AUDIT_WRITE,
    CHOWN,
    DAC_OVERRIDE,
    FOWNER,
    FSETID,
    KILL,
    MKNOD,
    NET_BIND_SERVICE,
    SETFCAP,
    SETGID,
    SETPCAP,
    SETUID,
    SYS_CHROOT,
];

/// Capabilities the Pod Security Standards *restricted* level allows a container to add.
pub const PSS_RESTRICTED_ADDABLE: &[Capability] = &[NET_BIND_SERVICE];

/// The container runtime whose defaults apply to a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    /// Docker Engine (moby): `docker run`, Compose, `docker inspect`.
    Docker,
    /// containerd, the usual Kubernetes runtime (same default set as Docker).
    Containerd,
    /// CRI-O.
    Crio,
    /// Podman.
    Podman,
}

impl Runtime {
    /// The capabilities a root process holds in a container of this runtime when nothing is added
    /// or dropped.
    pub fn default_capabilities(self) -> CapSet {
        CapSet::from_caps(match self {
            Runtime::Docker | Runtime::Containerd => DOCKER_DEFAULT,
            Runtime::Crio => CRIO_DEFAULT,
            Runtime::Podman => PODMAN_DEFAULT,
        })
    }

    /// A name for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Runtime::Docker => "Docker",
            Runtime::Containerd => "containerd",
            Runtime::Crio => "CRI-O",
            Runtime::Podman => "Podman",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_41_capabilities_with_consecutive_bits() {
        assert_eq!(Capability::ALL.len(), 41);
        for (i, c) in Capability::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }

    #[test]
    fn names_parse_as_docker_accepts_them() {
        for s in [
            "SYS_ADMIN",
            "sys_admin",
            "CAP_SYS_ADMIN",
            "cap_sys_admin",
            " Sys_Admin ",
        ] {
            assert_eq!(Capability::parse(s), Some(SYS_ADMIN), "{s}");
            assert_eq!(CapSpec::parse(s), CapSpec::Cap(SYS_ADMIN), "{s}");
        }
        for s in ["ALL", "all", "CAP_ALL"] {
            assert_eq!(CapSpec::parse(s), CapSpec::All);
        }
        assert_eq!(
            CapSpec::parse("SYS_ADMN"),
            CapSpec::Unknown("SYS_ADMN".into())
        );
        assert_eq!(Capability::parse("CAP_"), None);
        // Found by fuzzing: a character across the fourth byte is no `CAP_` prefix, no panic.
        assert_eq!(
            CapSpec::parse("cap\u{29e}dd"),
            CapSpec::Unknown("cap\u{29e}dd".into())
        );
        assert_eq!(Capability::parse("ca\u{e9}_x"), None);
    }

    #[test]
    fn default_sets_have_the_documented_sizes() {
        assert_eq!(Runtime::Docker.default_capabilities().len(), 14);
        assert_eq!(Runtime::Containerd.default_capabilities().len(), 14);
        assert_eq!(Runtime::Crio.default_capabilities().len(), 9);
        assert_eq!(Runtime::Podman.default_capabilities().len(), 11);
        assert_eq!(PSS_BASELINE_ADDABLE.len(), 13);
        // The baseline list is Docker's default set without NET_RAW.
        let docker = Runtime::Docker.default_capabilities();
        let baseline = CapSet::from_caps(PSS_BASELINE_ADDABLE);
        assert_eq!(docker.difference(baseline), CapSet::from_caps(&[NET_RAW]));
        assert!(baseline.is_subset(docker));
    }

    #[test]
    fn set_operations() {
        let a = CapSet::from_caps(&[CHOWN, KILL]);
        let b = CapSet::from_caps(&[KILL, SYS_ADMIN]);
        assert_eq!(a.union(b).len(), 3);
        assert_eq!(a.difference(b), CapSet::from_caps(&[CHOWN]));
        assert_eq!(a.intersection(b), CapSet::from_caps(&[KILL]));
        assert_eq!(a.sorted_names(), vec!["CHOWN", "KILL"]);
        assert_eq!(CapSet::all().len(), 41);
        assert_eq!(
            serde_json::to_string(&CapSet::from_caps(&[SYS_ADMIN, CHOWN])).unwrap(),
            r#"["CHOWN","SYS_ADMIN"]"#
        );
    }
}
