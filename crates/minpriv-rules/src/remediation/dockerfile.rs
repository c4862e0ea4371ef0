//! Remediations written as Dockerfile instructions (also how an image is rebuilt). A
//! Dockerfile sets no runtime options, so it has only [`ImageFix`]es.

use super::ImageFix;
use minpriv_model::Step;

/// `fix` as Dockerfile instructions.
pub(super) fn image(fix: &ImageFix<'_>) -> String {
    match fix {
        ImageFix::Step(Step::RunAsNonRoot { user, .. }) => format!(
            "add `USER {user}` (a numeric, non-zero uid) after the last instruction that needs root"
        ),
        ImageFix::Step(other) => other.describe().into(),
        ImageFix::ClearSetuid(path) => format!(
            "remove the chmod that sets the bit on {path}, or strip it: RUN chmod u-s,g-s {path}"
        ),
        ImageFix::VersionTag(name) => format!(
            "build FROM a version tag, pinned by digest where you can: FROM {name}:<version>@sha256:<digest>"
        ),
        ImageFix::PinDigest(reference) => format!("build FROM {reference}@sha256:<digest>"),
        ImageFix::RemoveLabelCapability(cap) => {
            format!(
                "remove {cap} from LABEL io.containers.capabilities; grant it where the container is run, only if it needs it"
            )
        }
        ImageFix::OtherRegistry => "build FROM an image".into(),
    }
}
