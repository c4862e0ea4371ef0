//! Remediation text, one module per input syntax.
//!
//! A rule says what has to change as a [`RuntimeFix`] (a runtime option: only inputs that set
//! runtime options can have it) or an [`ImageFix`] (anything an image or a Dockerfile can
//! express as well), with the values only the rule knows (a path, a capability name); the
//! module of the input's syntax says how that change is written there. A new input format
//! (Quadlet, Kustomize, an admission policy) is one more module here and one more arm in
//! [`runtime`] and [`image`], not an edit to every rule.
//!
//! Where a rule's remediation is one of its own [hardening steps](minpriv_model::Step), the
//! rule passes the step, so the text and `minpriv fix` speak of the same change.

mod compose;
mod docker_cli;
mod dockerfile;
mod kubernetes;
mod quadlet;

use minpriv_model::{CapSpec, Source, Step};

/// How a runtime option is written in the input a finding came from, for remediations.
/// Dockerfiles and images set no runtime options, so runtime rules have nothing to say there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuntimeSyntax {
    /// A pod spec's fields (`securityContext.privileged`).
    Kubernetes,
    /// A Compose service's keys (`privileged: true`).
    Compose,
    /// `docker run` flags (also how an inspected or live container is recreated).
    DockerCli,
    /// A Quadlet unit's `[Container]` keys.
    Quadlet,
}

impl RuntimeSyntax {
    /// The syntax of `source`, or `None` when the source sets no runtime options: a runtime
    /// rule returns early on `None`, which is how Dockerfiles get only the rules they can fail.
    pub(crate) fn of(source: Source) -> Option<RuntimeSyntax> {
        if !source.sets_runtime_options() {
            return None;
        }
        Some(match source {
            Source::Kubernetes => RuntimeSyntax::Kubernetes,
            Source::Compose => RuntimeSyntax::Compose,
            Source::Quadlet => RuntimeSyntax::Quadlet,
            _ => RuntimeSyntax::DockerCli,
        })
    }
}

/// How a fix is written for any input, Dockerfiles and images included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// A pod spec.
    Kubernetes,
    /// A Compose service.
    Compose,
    /// `docker run` flags.
    DockerCli,
    /// A Quadlet unit's `[Container]` keys.
    Quadlet,
    /// Dockerfile instructions (also how an image is rebuilt).
    Dockerfile,
}

impl Syntax {
    /// The syntax of `source`.
    pub(crate) fn of(source: Source) -> Syntax {
        match RuntimeSyntax::of(source) {
            Some(RuntimeSyntax::Kubernetes) => Syntax::Kubernetes,
            Some(RuntimeSyntax::Compose) => Syntax::Compose,
            Some(RuntimeSyntax::DockerCli) => Syntax::DockerCli,
            Some(RuntimeSyntax::Quadlet) => Syntax::Quadlet,
            None => Syntax::Dockerfile,
        }
    }
}

/// A host namespace a container may share, each removed on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Namespace {
    /// Process ids.
    Pid,
    /// Shared memory and message queues.
    Ipc,
    /// The network.
    Network,
    /// Host and domain name.
    Uts,
    /// User and group ids (no remapping).
    User,
}

/// A change to a container's runtime options.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RuntimeFix<'a> {
    /// One of the rule's hardening steps, for the whole container. Steps no rule states this
    /// way are written as [`Step::describe`] says them.
    Step(&'a Step),
    /// Stop sharing one host namespace.
    HostNamespace(Namespace),
    /// Remove the mount of the runtime socket (or its folder) at this host path.
    RemoveRuntimeSocket(&'a str),
    /// Remove the mount of this sensitive host path.
    RemoveHostPath(&'a str),
    /// Remove this host device.
    RemoveDevice(&'a str),
    /// Remove this added capability.
    RemoveAddedCapability(&'a CapSpec),
    /// Remove this sysctl.
    RemoveSysctl(&'a str),
}

/// A change any input can make, a Dockerfile included.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ImageFix<'a> {
    /// One of the rule's hardening steps (the user it runs as).
    Step(&'a Step),
    /// Clear the setuid/setgid bit of this file in the image.
    ClearSetuid(&'a str),
    /// Use a version tag of the image named so (no tag, no digest).
    VersionTag(&'a str),
    /// Pin this reference by digest.
    PinDigest(&'a str),
    /// Take the image from another registry: the start of a sentence the rule ends.
    OtherRegistry,
    /// Take this capability out of the image's `io.containers.capabilities` label.
    RemoveLabelCapability(&'a str),
}

/// The text of `fix` in `syntax`.
pub(crate) fn runtime(syntax: RuntimeSyntax, fix: &RuntimeFix<'_>) -> String {
    match syntax {
        RuntimeSyntax::Kubernetes => kubernetes::runtime(fix),
        RuntimeSyntax::Compose => compose::runtime(fix),
        RuntimeSyntax::DockerCli => docker_cli::runtime(fix),
        RuntimeSyntax::Quadlet => quadlet::runtime(fix),
    }
}

/// The text of `fix` in `syntax`.
pub(crate) fn image(syntax: Syntax, fix: &ImageFix<'_>) -> String {
    match syntax {
        Syntax::Kubernetes => kubernetes::image(fix),
        Syntax::Compose => compose::image(fix),
        Syntax::DockerCli => docker_cli::image(fix),
        Syntax::Quadlet => quadlet::image(fix),
        Syntax::Dockerfile => dockerfile::image(fix),
    }
}

/// The user a run-as-non-root step sets as Kubernetes' `runAsUser` shows it (the uid, or the
/// user name when the step has none).
fn uid_of(user: &str, uid: Option<u32>) -> String {
    uid.map_or_else(|| user.to_string(), |uid| uid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_syntax_exists_only_where_runtime_options_are_set() {
        assert_eq!(RuntimeSyntax::of(Source::Dockerfile), None);
        assert_eq!(RuntimeSyntax::of(Source::Image), None);
        assert_eq!(
            RuntimeSyntax::of(Source::DockerInspect),
            Some(RuntimeSyntax::DockerCli)
        );
        assert_eq!(Syntax::of(Source::Image), Syntax::Dockerfile);
        assert_eq!(Syntax::of(Source::Compose), Syntax::Compose);
    }

    #[test]
    fn steps_no_rule_words_fall_back_to_their_description() {
        let step = Step::RemoveDevices;
        for syntax in [
            RuntimeSyntax::Kubernetes,
            RuntimeSyntax::Compose,
            RuntimeSyntax::DockerCli,
        ] {
            assert_eq!(runtime(syntax, &RuntimeFix::Step(&step)), step.describe());
        }
    }

    #[test]
    fn the_non_root_user_comes_from_the_step() {
        let step = Step::run_as_uid(4242, Some(7));
        let fix = ImageFix::Step(&step);
        assert!(image(Syntax::Kubernetes, &fix).contains("(e.g. 4242)"));
        assert!(image(Syntax::Compose, &fix).contains("\"4242:7\""));
        assert!(image(Syntax::DockerCli, &fix).contains("--user 4242:7 "));
        assert!(image(Syntax::Dockerfile, &fix).contains("`USER 4242:7`"));
    }
}
