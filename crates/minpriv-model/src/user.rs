//! Users: parsing `user[:group]` and deciding whether a container runs as root.

use crate::capability::Runtime;
use crate::posture::{Origin, Posture};
use crate::span::Span;
use serde::Serialize;

/// A `user[:group]` as Docker, Compose and Dockerfiles write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSpec<'a> {
    /// The user part: a uid or a name.
    pub user: &'a str,
    /// The group part, when given.
    pub group: Option<&'a str>,
}

/// What a user part denotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserKind {
    /// uid 0 or the name `root` (or an empty user, which means root).
    Root,
    /// A non-zero numeric uid.
    Uid(u32),
    /// A user name other than `root`: non-root, but the kubelet cannot verify it.
    Name(String),
    /// Not resolvable here (an unexpanded variable such as `${UID}`).
    Unresolved(String),
}

impl<'a> UserSpec<'a> {
    /// Splits `user[:group]`.
    pub fn parse(s: &'a str) -> UserSpec<'a> {
        let s = s.trim();
        match s.split_once(':') {
            Some((u, g)) => UserSpec {
                user: u.trim(),
                group: Some(g.trim()),
            },
            None => UserSpec {
                user: s,
                group: None,
            },
        }
    }

    /// Classifies the user part.
    pub fn kind(&self) -> UserKind {
        let u = self.user;
        if u.is_empty() || u == "root" {
            return UserKind::Root;
        }
        if u.contains('$') {
            return UserKind::Unresolved(u.to_string());
        }
        match u.parse::<u64>() {
            Ok(0) => UserKind::Root,
            Ok(n) => UserKind::Uid(u32::try_from(n).unwrap_or(u32::MAX)),
            Err(_) => UserKind::Name(u.to_string()),
        }
    }
}

/// Whether the container's process runs as root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum RootStatus {
    /// It runs as uid 0.
    Root {
        /// Why, for messages: "USER root in the Dockerfile", "runAsUser: 0", ...
        reason: String,
        /// The deciding setting, or the anchor when root comes from an absent setting.
        #[serde(skip)]
        span: Option<Span>,
    },
    /// It runs as a non-root user.
    NonRoot {
        /// The user, as written (`1000`, `app`, `runAsNonRoot`).
        user: String,
    },
    /// It may run as root: the deciding setting is outside this input.
    MayBeRoot {
        /// Why, for messages.
        reason: String,
        /// Where the user would be set.
        #[serde(skip)]
        span: Option<Span>,
    },
}

impl RootStatus {
    /// True unless the process is known to run as non-root.
    pub fn may_be_root(&self) -> bool {
        !matches!(self, RootStatus::NonRoot { .. })
    }
}

fn classify(spec: &str, what: &str, span: Option<Span>, runtime_is_kubernetes: bool) -> RootStatus {
    match UserSpec::parse(spec).kind() {
        UserKind::Root => RootStatus::Root {
            reason: if spec.trim().is_empty() {
                format!("{what} is empty, which means root")
            } else {
                format!("{what} is '{}'", spec.trim())
            },
            span,
        },
        UserKind::Uid(_) => RootStatus::NonRoot {
            user: spec.trim().to_string(),
        },
        UserKind::Name(name) => {
            // A name other than root is not uid 0 in any sane image; Kubernetes still cannot
            // check it, which `runAsNonRoot` reports separately.
            let _ = runtime_is_kubernetes;
            RootStatus::NonRoot { user: name }
        }
        UserKind::Unresolved(v) => RootStatus::MayBeRoot {
            reason: format!("{what} is '{v}', which is not resolved here"),
            span,
        },
    }
}

impl Posture {
    /// Decides whether the process runs as root, in the order the runtime does: Kubernetes'
    /// `runAsUser`, then `runAsNonRoot` (enforced by the kubelet), then the user set on the
    /// container, then the image's user.
    pub fn root_status(&self) -> RootStatus {
        let kube = matches!(self.runtime, Runtime::Containerd | Runtime::Crio);
        if let Some(uid) = self.run_as_user.value {
            return if uid == 0 {
                RootStatus::Root {
                    reason: "runAsUser is 0".into(),
                    span: self.locate(&self.run_as_user),
                }
            } else {
                RootStatus::NonRoot {
                    user: uid.to_string(),
                }
            };
        }
        if self.run_as_non_root.value == Some(true) {
            return RootStatus::NonRoot {
                user: "runAsNonRoot".into(),
            };
        }
        if let Some(user) = &self.user.value {
            return classify(user, "the user", self.locate(&self.user), kube);
        }
        match (&self.image_user.value, self.image_user.origin) {
            (Some(user), _) => classify(
                user,
                "the image's USER",
                self.locate(&self.image_user),
                kube,
            ),
            (None, Origin::Image) | (None, Origin::Written) => RootStatus::Root {
                reason: "the image sets no USER, so it runs as root".into(),
                span: self.locate(&self.image_user),
            },
            (None, _) => RootStatus::MayBeRoot {
                reason: match &self.image.value {
                    Some(image) => {
                        format!("no user is set and the user of image '{image}' is not known here")
                    }
                    None => "no user is set and the image's user is not known here".into(),
                },
                span: self.locate(&self.user),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::Located;

    #[test]
    fn user_specs() {
        assert_eq!(UserSpec::parse("0").kind(), UserKind::Root);
        assert_eq!(UserSpec::parse("root:root").kind(), UserKind::Root);
        assert_eq!(UserSpec::parse("").kind(), UserKind::Root);
        assert_eq!(UserSpec::parse("1000:1000").kind(), UserKind::Uid(1000));
        assert_eq!(UserSpec::parse("1000:1000").group, Some("1000"));
        assert_eq!(UserSpec::parse("app").kind(), UserKind::Name("app".into()));
        assert_eq!(
            UserSpec::parse("${UID}:${GID}").kind(),
            UserKind::Unresolved("${UID}".into())
        );
        assert_eq!(UserSpec::parse("00").kind(), UserKind::Root);
    }

    fn posture(runtime: Runtime) -> Posture {
        Posture::defaults(runtime, None)
    }

    #[test]
    fn root_status_follows_the_runtime_order() {
        // Nothing known: may be root.
        let p = posture(Runtime::Docker);
        assert!(matches!(p.root_status(), RootStatus::MayBeRoot { .. }));

        // The image says nothing: root.
        let mut p = posture(Runtime::Docker);
        p.image_user = Located::new(None, Origin::Image, None);
        assert!(matches!(p.root_status(), RootStatus::Root { .. }));

        // The image's USER decides when the container sets none.
        p.image_user = Located::new(Some("app".into()), Origin::Image, None);
        assert!(!p.root_status().may_be_root());

        // The container's user wins over the image.
        p.user = Located::written(Some("0".into()), None);
        assert!(matches!(p.root_status(), RootStatus::Root { .. }));

        // Kubernetes: runAsUser wins over everything; runAsNonRoot next.
        let mut k = posture(Runtime::Containerd);
        k.image_user = Located::new(Some("root".into()), Origin::Image, None);
        k.run_as_non_root = Located::written(Some(true), None);
        assert!(!k.root_status().may_be_root());
        k.run_as_user = Located::written(Some(0), None);
        assert!(matches!(k.root_status(), RootStatus::Root { .. }));
        k.run_as_user = Located::written(Some(1000), None);
        assert_eq!(
            k.root_status(),
            RootStatus::NonRoot {
                user: "1000".into()
            }
        );
    }
}
