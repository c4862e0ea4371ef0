//! The Docker Engine API side of minpriv: live containers, images in the local store, and image
//! archives.
//!
//! - [`Engine::connect`] finds an engine (`DOCKER_HOST`, the default socket, rootless Docker,
//!   Podman), negotiates the API version and reads the daemon's confinement features.
//! - [`Engine::audit_containers`] turns running (or all, or named) containers into workloads
//!   with the very mapping the `docker inspect` reader uses
//!   ([`minpriv_readers::docker_inspect::container_from_inspect`]).
//! - [`Engine::resolve_image_users`] fills in the user of images that static inputs only name.
//! - [`image::scan_image`] and [`image::scan_image_archive`] read an image's configuration and
//!   walk its layers for setuid/setgid files and file capabilities.
//!
//! - [`verify::verify`] and [`verify::minimize`] run a command in containers under a baseline and
//!   hardened configurations, and search the least privilege it passes with.
//!
//! The client is asynchronous, but every function here blocks: the runtime lives inside
//! [`Engine`], so callers stay synchronous.

#![deny(missing_docs)]

mod containers;
mod engine;
mod error;
pub mod image;
mod podman;
pub mod trace;
pub mod verify;

pub use containers::Audit;
pub use engine::{ConnectOptions, DaemonSecurity, Engine};
pub use error::{Attempt, ConnectError, EngineError};
pub use image::{ImageScan, ScannedImage, SpecialFile, scan_image, scan_image_archive};

pub(crate) use error::describe_api_error;
