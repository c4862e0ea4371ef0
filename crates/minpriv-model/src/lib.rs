//! The normalized privilege model of minpriv.
//!
//! Every input format (Dockerfile, Compose, Kubernetes, `docker run` lines, `docker inspect`, the
//! Docker Engine) is translated by a reader into [`Workload`]s whose containers each carry one
//! [`Posture`]. Rules, fixes, runtime verification and risk ranking all work on this model and never
//! on the source text. This crate does no I/O and no parsing of input formats.

#![deny(missing_docs)]

pub mod capability;
pub mod effective;
pub mod finding;
pub mod growth;
pub mod hardening;
pub mod host_paths;
pub mod image;
pub mod pod;
pub mod posture;
pub mod risk;
pub mod span;
pub mod sysctl;
pub mod user;

pub use capability::{CapSet, CapSpec, Capability, Runtime};
pub use effective::{CapStanding, EffectivePrivileges, EscapePath};
pub use finding::{Finding, Severity, Source};
pub use hardening::{Safety, Step};
pub use image::ImageRef;
pub use pod::{
    ContainerFacts, PodFacts, SecurityContextFacts, SelinuxOptionsFacts, VolumeFacts, Written,
};
pub use posture::{
    AppArmor, Container, ContainerRole, Located, Mount, MountKind, Origin, Posture, ProcMount,
    Seccomp, Selinux, Workload,
};
pub use span::{LineIndex, Span};
pub use user::{RootStatus, UserSpec};
