//! `build:`: the user of the image a service builds, from its Dockerfile.

use super::interpolation::Env;
use super::service::{BuildSpec, is_remote, join_path};
use crate::Resolver;
use crate::dockerfile::{ImageUserOfDockerfile, image_user};
use minpriv_model::{Located, Origin, Posture};

/// Sets `posture.image_user` (and, when the service names no image, `posture.image` to the
/// external base image) from the Dockerfile that `build` names. What cannot be known here (a
/// remote context, a missing or broken Dockerfile) leaves the user `Unknown`, with a note.
pub(crate) fn apply(
    posture: &mut Posture,
    service: &str,
    build: &BuildSpec,
    env: &Env<'_>,
    resolver: &dyn Resolver,
    notes: &mut Vec<String>,
) {
    let at = Some(build.key);
    let line = build.key.line;
    let unknown = |notes: &mut Vec<String>, why: String| {
        notes.push(format!(
            "service '{service}' (line {line}): {why}; the user of the image it builds is not \
             known here"
        ));
        Located::new(None, Origin::Unknown, at)
    };
    let context = build.context.as_deref().unwrap_or(".");
    let text = match &build.inline {
        Some(inline) => inline.clone(),
        None if is_remote(context) => {
            posture.image_user = unknown(notes, format!("the build context '{context}' is remote"));
            return;
        }
        None => {
            let dockerfile = build.dockerfile.as_deref().unwrap_or("Dockerfile");
            let path = join_path(context, dockerfile);
            match resolver.read_relative(&path) {
                Some(text) => text,
                None => {
                    let why = resolver
                        .refused(&path)
                        .unwrap_or_else(|| "could not be read".to_string());
                    posture.image_user = unknown(notes, format!("'{path}' {why}"));
                    return;
                }
            }
        }
    };
    // An argument listed without a value takes it from the environment, and is left out when
    // the environment has none (then the Dockerfile's default applies).
    let args: Vec<(String, String)> = build
        .args
        .iter()
        .filter_map(|(k, v)| {
            let value = v.clone().or_else(|| env.lookup(k))?;
            Some((k.clone(), value))
        })
        .collect();
    posture.image_user = match image_user(&text, &args, build.target.as_deref()) {
        ImageUserOfDockerfile::User(user) => Located::new(Some(user), Origin::Image, at),
        ImageUserOfDockerfile::NoUserFromScratch => Located::new(None, Origin::Image, at),
        ImageUserOfDockerfile::NoUserFromImage(base) => {
            if posture.image.value.is_none() {
                posture.image = Located::new(Some(base), Origin::Image, at);
            }
            Located::new(None, Origin::Unknown, at)
        }
        ImageUserOfDockerfile::Invalid(why) => unknown(notes, format!("its Dockerfile: {why}")),
    };
}
