//! Hardening fixes: each container's [`Posture`](minpriv_model::Posture) is hardened for the
//! findings the rules report, and the hardened values are written back into the source file as
//! the smallest text edits that preserve everything else: comments, key order, indentation,
//! block or flow style, quoting, document separators, CRLF line endings and a missing final
//! newline.
//!
//! ```text
//! text ─► reader ─► Posture ─► rules ─► plan (hardened Posture) ─► edits per format ─► new text
//!                                                                       │
//!           refuse unless: same tree except at the fixed paths ◄────────┤
//!                          no finding left that a fix claims to remove ◄┤
//!                          a second run would change nothing ◄──────────┘
//! ```
//!
//! # Safe and unsafe fixes
//!
//! Like ruff, a fix is *safe* when it cannot change what an app that works as configured does,
//! and *unsafe* when it may; only safe fixes apply unless asked for unsafe ones.
//!
//! - Safe: a Kubernetes container without any seccomp profile gets `RuntimeDefault`. Docker,
//!   Podman and containerd under Docker run every container with this profile unless told
//!   otherwise, so images are built and tested under it, and Kubernetes' own `SeccompDefault`
//!   makes it the default; it blocks only system calls that are privileged or obsolete.
//! - Safe: no-new-privileges (`allowPrivilegeEscalation: false`) for a process known to run as
//!   root: setuid binaries and file capabilities cannot raise a root process's privileges, so
//!   the flag takes away nothing it uses.
//! - Unsafe: no-new-privileges for any other process (sudo, su, setuid `ping` and file
//!   capabilities stop working for a non-root process); turning privileged mode off (devices,
//!   every capability, no confinement); dropping capabilities; a read-only root filesystem; a
//!   non-root user; turning seccomp back on where it was explicitly turned off.
//!
//! Given a minimize result ([`Minimized`]), its proven capability set, tmpfs paths and user
//! replace the blanket ones, and a restriction it found the app cannot live with is not
//! proposed at all.

#![deny(missing_docs)]

mod check;
mod command_line;
mod compose;
pub mod diff;
mod dockerfile;
pub mod edit;
mod kubernetes;
pub mod plan;
mod quadlet;
mod safety_table;
pub mod yaml_doc;
pub mod yaml_patch;

use edit::TextEdit;
use minpriv_model::Step;
use minpriv_model::{Finding, Source, Span, Workload};
use minpriv_readers::{Format, Resolver};
use minpriv_rules::Profile;
use minpriv_rules::suppression::Suppressions;
use plan::{ContainerPlan, PlanContext, Planned, plan_container};
pub use plan::{FIXABLE_RULES, Safety};
pub use safety_table::{safety_table, safety_table_markdown};
use serde::Serialize;
use yaml_doc::YamlDoc;
use yaml_patch::Editor;

const BYTE_ORDER_MARK: &str = "\u{feff}";

pub use minpriv_model::hardening::Minimized;

/// What to fix.
#[derive(Clone, Copy)]
pub struct FixOptions<'a> {
    /// The rules whose findings are fixed (a profile, narrowed by `--rule`/`--skip`).
    pub profile: &'a Profile,
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Minimize's proven configuration: used for the one container in scope.
    pub minimized: Option<&'a Minimized>,
    /// Only containers (or Compose services) with this name.
    pub container: Option<&'a str>,
    /// Whether a finding is waived (a `minpriv.toml` waiver covers it): a waived finding is
    /// left alone, like one a `minpriv:ignore` comment suppresses.
    pub waived: Option<&'a (dyn Fn(&Finding) -> bool + Sync)>,
}

impl FixOptions<'_> {
    /// Marks the unsuppressed findings that a waiver covers as suppressed.
    pub(crate) fn waive(&self, findings: &mut [Finding]) {
        if let Some(waived) = self.waived {
            for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
                if waived(finding) {
                    finding.suppressed = Some("waived in minpriv.toml".to_string());
                }
            }
        }
    }
}

/// One fix of one container.
#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    /// The rule whose finding it removes.
    pub rule: &'static str,
    /// Safe or unsafe.
    pub safety: Safety,
    /// The input format of the workload.
    pub source: Source,
    /// The workload (`Deployment/web`, `service/api`, `stage/1`, `command`).
    pub resource: String,
    /// The container or service, when named.
    pub container: Option<String>,
    /// The container's image, when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// What it does.
    pub summary: String,
    /// Why it may break the app (unsafe fixes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    /// The line of the container in the original text.
    pub line: u32,
    /// Lines of the original text its edits touch (1-based; an insertion counts at the line
    /// it goes before).
    #[serde(skip)]
    pub edit_lines: Vec<u32>,
}

/// The outcome for one file.
#[derive(Clone, Debug, Default)]
pub struct FileFix {
    /// The fixed text, when it differs from the original.
    pub new_text: Option<String>,
    /// The fixes made.
    pub applied: Vec<Fix>,
    /// Unsafe fixes not made (no `--unsafe`).
    pub withheld: Vec<Fix>,
    /// Findings left without a fix, or containers left alone, and why.
    pub notes: Vec<String>,
}

/// Fixes `text`, a file of `format`. `Err` names why the file must not be changed at all: it
/// does not parse, or the edited text failed a check (it would mean something else beyond the
/// fixed settings, keep a finding a fix claims to remove, or change again on a second run).
pub fn fix_text(
    format: Format,
    text: &str,
    resolver: &dyn Resolver,
    options: &FixOptions<'_>,
) -> Result<FileFix, String> {
    let mut result = fix_settings(format, text, resolver, options)?;
    if format == Format::Dockerfile
        && let Some(m) = options.minimized
    {
        add_capability_label(text, m, resolver, &mut result)?;
    }
    Ok(result)
}

/// With a minimize result that keeps root with capabilities: the image's Dockerfile gets
/// `LABEL io.containers.capabilities="..."`, which Podman takes as the container's default
/// capabilities. Checked like every fix: the edited file must hold the same instructions plus
/// that one `LABEL`.
fn add_capability_label(
    original: &str,
    m: &Minimized,
    resolver: &dyn Resolver,
    result: &mut FileFix,
) -> Result<(), String> {
    if m.capabilities.is_empty() || !m.user_is_root() {
        return Ok(());
    }
    let text = result
        .new_text
        .clone()
        .unwrap_or_else(|| original.to_string());
    let (bom, body) = match text.strip_prefix(BYTE_ORDER_MARK) {
        Some(rest) => (BYTE_ORDER_MARK, rest),
        None => ("", text.as_str()),
    };
    let caps = m.capabilities.sorted_names();
    let edit = match dockerfile::add_capability_label(body, &caps) {
        Ok(Some(edit)) => edit,
        Ok(None) => return Ok(()),
        Err(why) => {
            result
                .notes
                .push(format!("capability label not added: {why}"));
            return Ok(());
        }
    };
    let line = minpriv_model::LineIndex::new(body)
        .position(body, edit.start)
        .0;
    let new_body = edit::apply(body, &[edit])?;
    let before = dockerfile::instructions(body).ok_or("the Dockerfile does not parse")?;
    let after = dockerfile::instructions(&new_body)
        .ok_or("the Dockerfile with the capability label would not parse")?;
    let mut kinds: Vec<&str> = after.iter().map(|(k, _)| *k).collect();
    if let Some(i) = kinds
        .iter()
        .zip(before.iter().map(|(k, _)| *k).chain(std::iter::repeat("")))
        .position(|(a, b)| *a == "LABEL" && b != "LABEL")
    {
        kinds.remove(i);
    }
    if kinds != before.iter().map(|(k, _)| *k).collect::<Vec<_>>() {
        return Err("the capability label would change the Dockerfile beyond one LABEL".into());
    }
    let output = minpriv_readers::read(Format::Dockerfile, &new_body, resolver);
    let last = output.workloads.last();
    result.applied.push(Fix {
        rule: "caps-not-dropped",
        safety: Safety::Safe,
        source: Source::Dockerfile,
        resource: last.map_or_else(|| "stage".to_string(), |w| w.resource.clone()),
        container: None,
        image: None,
        summary: format!(
            "add LABEL {}=\"{}\" (Podman's default capabilities for the image, as minimize \
             proved)",
            dockerfile::CAPABILITY_LABEL,
            caps.join(",")
        ),
        risk: None,
        line,
        edit_lines: vec![line],
    });
    result.new_text = Some(format!("{bom}{new_body}"));
    Ok(())
}

/// The settings' fixes of `text` (see [`fix_text`]).
fn fix_settings(
    format: Format,
    text: &str,
    resolver: &dyn Resolver,
    options: &FixOptions<'_>,
) -> Result<FileFix, String> {
    let (bom, body) = match text.strip_prefix(BYTE_ORDER_MARK) {
        Some(rest) => (BYTE_ORDER_MARK, rest),
        None => ("", text),
    };
    let format = match format {
        Format::Yaml if minpriv_readers::compose::looks_like_compose(body) => Format::Compose,
        Format::Yaml => Format::Kubernetes,
        other => other,
    };
    if format == Format::DockerInspect {
        return Ok(FileFix::default());
    }
    let yaml_doc = match format {
        Format::Kubernetes | Format::Compose | Format::GithubActions | Format::GitlabCi => {
            Some(YamlDoc::parse(body)?)
        }
        _ => None,
    };
    let output = minpriv_readers::read(format, body, resolver);
    if let Some(err) = output.errors.first() {
        let at = err
            .span
            .map(|s| format!(" (line {})", s.line))
            .unwrap_or_default();
        return Err(format!("the file cannot be read{at}: {}", err.message));
    }
    let suppressions = Suppressions::parse(body);
    let plans = plan_all(&output.workloads, &suppressions, options)?;

    let mut excluded: Vec<(usize, usize)> = Vec::new();
    let mut notes_carried: Vec<String> = Vec::new();
    // Each pass leaves out the containers whose edits would un-suppress a finding; a pass
    // that finds none is final. Each pass excludes at least one more container, so this ends.
    loop {
        let attempt = attempt(
            format,
            body,
            yaml_doc.as_ref(),
            &output.workloads,
            &plans,
            &excluded,
        );
        let (mut result, fixed, edits, masks) = attempt;
        if edits.is_empty() {
            result.notes.extend(notes_carried);
            return Ok(result);
        }
        let new_body = edit::apply(body, &edits)?;
        let moved = check::unsuppressed(
            format,
            body,
            &new_body,
            &output.workloads,
            resolver,
            options,
        );
        if !moved.is_empty() {
            let mut progressed = false;
            for (wi, ci, rules) in moved {
                if excluded.contains(&(wi, ci)) {
                    // Left alone and still moved: nothing more can be left out.
                    return Err(format!(
                        "the edits would un-suppress {rules} of a container left unedited"
                    ));
                }
                excluded.push((wi, ci));
                progressed = true;
                let w = &output.workloads[wi];
                notes_carried.push(format!(
                    "{}: not fixed: the edits would move the finding its minpriv:ignore comment suppresses ({rules}) to another line",
                    who(w, &w.containers[ci])
                ));
            }
            if progressed {
                continue;
            }
        }
        result.notes.extend(notes_carried.iter().cloned());
        check::verify(
            &check::Before {
                format,
                text: body,
                yaml: yaml_doc.as_ref(),
                workloads: &output.workloads,
            },
            &new_body,
            &fixed,
            &masks,
            resolver,
            options,
        )?;
        // The promise of idempotence, kept by checking it: planning again on the new text
        // must find nothing more to do.
        let again = minpriv_readers::read(format, &new_body, resolver);
        let replanned = plan_all(&again.workloads, &Suppressions::parse(&new_body), options)?;
        if let Some((wi, ci, plan)) = replanned
            .iter()
            .find(|(wi, ci, p)| !p.apply.is_empty() && !excluded.contains(&(*wi, *ci)))
        {
            let w = &again.workloads[*wi];
            return Err(format!(
                "a second run would change {} again ({}); not written",
                who(w, &w.containers[*ci]),
                plan.apply
                    .iter()
                    .map(|p| p.rule)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        result.new_text = Some(format!("{bom}{new_body}"));
        return Ok(result);
    }
}

/// What one pass of rendering makes: the report, the fixed containers with their fixes, the
/// edits and the YAML paths they change.
type Attempt = (
    FileFix,
    Vec<(usize, usize, Vec<Planned>)>,
    Vec<TextEdit>,
    std::collections::HashSet<yaml_doc::Path>,
);

/// Renders the plans of every container not in `excluded`.
fn attempt(
    format: Format,
    body: &str,
    yaml_doc: Option<&YamlDoc<'_>>,
    workloads: &[Workload],
    plans: &[(usize, usize, ContainerPlan)],
    excluded: &[(usize, usize)],
) -> Attempt {
    let mut result = FileFix::default();
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut masks = std::collections::HashSet::new();
    let mut fixed: Vec<(usize, usize, Vec<Planned>)> = Vec::new();
    let index = minpriv_model::LineIndex::new(body);
    let in_play: Vec<(usize, usize, &ContainerPlan)> = plans
        .iter()
        .filter(|(wi, ci, _)| !excluded.contains(&(*wi, *ci)))
        .map(|(wi, ci, p)| (*wi, *ci, p))
        .collect();
    for group in group_by_render_unit(format, workloads, in_play) {
        let first_edit = edits.len();
        let rendered = render(
            format, body, yaml_doc, workloads, &group, &mut edits, &mut masks,
        );
        let lines: Vec<u32> = edits[first_edit..]
            .iter()
            .map(|e| index.position(body, e.start).0)
            .collect();
        for (wi, ci, plan) in group {
            let workload = &workloads[wi];
            let container = &workload.containers[ci];
            let to_fix = |p: &Planned, lines: Vec<u32>| Fix {
                rule: p.rule,
                safety: p.safety,
                source: workload.source,
                image: container.posture.image.value.clone(),
                resource: workload.resource.clone(),
                container: container.name.clone(),
                summary: p.summary.clone(),
                risk: p.risk.clone(),
                line: container.posture.anchor.map_or(0, |a| a.line),
                edit_lines: lines,
            };
            result
                .withheld
                .extend(plan.withheld.iter().map(|p| to_fix(p, Vec::new())));
            for (rule, why) in &plan.declined {
                result.notes.push(format!(
                    "{}: {rule} not fixed: {why}",
                    who(workload, container)
                ));
            }
            match &rendered {
                Ok(()) => {
                    result
                        .applied
                        .extend(plan.apply.iter().map(|p| to_fix(p, lines.clone())));
                    if !plan.apply.is_empty() {
                        fixed.push((wi, ci, plan.apply.clone()));
                    }
                }
                Err(why) if !plan.apply.is_empty() => {
                    result
                        .notes
                        .push(format!("{}: not fixed: {why}", who(workload, container)));
                }
                Err(_) => {}
            }
        }
    }
    (result, fixed, edits, masks)
}

/// Plans every container in scope: `(workload index, container index, plan)`.
fn plan_all(
    workloads: &[Workload],
    suppressions: &Suppressions,
    options: &FixOptions<'_>,
) -> Result<Vec<(usize, usize, ContainerPlan)>, String> {
    let in_scope: Vec<(usize, usize)> = workloads
        .iter()
        .enumerate()
        .flat_map(|(wi, w)| {
            w.containers
                .iter()
                .enumerate()
                .map(move |(ci, c)| (wi, ci, c))
        })
        .filter(|(_, _, c)| {
            options
                .container
                .is_none_or(|n| c.name.as_deref() == Some(n))
        })
        .map(|(wi, ci, _)| (wi, ci))
        .collect();
    if options.minimized.is_some() && in_scope.len() > 1 {
        return Err(format!(
            "a minimize result is about one container, and {} are in scope here; name it with --container",
            in_scope.len()
        ));
    }
    let cx = PlanContext {
        profile: options.profile,
        suppressions,
        unsafe_fixes: options.unsafe_fixes,
        minimized: options.minimized,
        options,
    };
    Ok(in_scope
        .into_iter()
        .map(|(wi, ci)| {
            let w = &workloads[wi];
            (wi, ci, plan_container(w, &w.containers[ci], &cx))
        })
        .collect())
}

/// `Deployment/web container app`, for messages.
fn who(workload: &Workload, container: &minpriv_model::Container) -> String {
    match (&container.name, workload.source) {
        (Some(name), Source::Kubernetes) => format!("{} container {name}", workload.resource),
        _ => workload.resource.clone(),
    }
}

/// The plans grouped by what is edited together: a Kubernetes pod (its containers share the
/// pod's `volumes`), otherwise one container.
fn group_by_render_unit<'p>(
    format: Format,
    workloads: &[Workload],
    plans: Vec<(usize, usize, &'p ContainerPlan)>,
) -> Vec<Vec<(usize, usize, &'p ContainerPlan)>> {
    let mut groups: Vec<Vec<(usize, usize, &'p ContainerPlan)>> = Vec::new();
    for (wi, ci, plan) in plans {
        let same_pod = format == Format::Kubernetes
            && groups
                .last()
                .and_then(|g| g.first())
                .is_some_and(|(w, _, _)| *w == wi && workloads[wi].source == Source::Kubernetes);
        match groups.last_mut() {
            Some(group) if same_pod => group.push((wi, ci, plan)),
            _ => groups.push(vec![(wi, ci, plan)]),
        }
    }
    groups
}

/// Renders the applied changes of one group into `edits` and `masks`. All or nothing.
fn render(
    format: Format,
    text: &str,
    yaml: Option<&YamlDoc<'_>>,
    workloads: &[Workload],
    group: &[(usize, usize, &ContainerPlan)],
    edits: &mut Vec<TextEdit>,
    masks: &mut std::collections::HashSet<yaml_doc::Path>,
) -> Result<(), String> {
    let changes =
        |plan: &ContainerPlan| -> Vec<Step> { plan.apply.iter().map(|p| p.step.clone()).collect() };
    if group.iter().all(|(_, _, p)| p.apply.is_empty()) {
        return Ok(());
    }
    match format {
        Format::Kubernetes => {
            let doc = yaml.ok_or("no YAML")?;
            let (wi, _, _) = group.first().ok_or("an empty group")?;
            let anchors: Vec<(Span, Vec<Step>)> = group
                .iter()
                .filter(|(_, _, p)| !p.apply.is_empty())
                .map(|(w, c, p)| {
                    let anchor = workloads[*w].containers[*c]
                        .posture
                        .anchor
                        .unwrap_or_default();
                    (anchor, changes(p))
                })
                .collect();
            let pods = kubernetes::pods(doc);
            let workload_span = workloads[*wi].span;
            let first_anchor = anchors.first().map(|(a, _)| (a.start, a.end));
            let pod = pods
                .iter()
                .find(|pod| {
                    pod.containers
                        .iter()
                        .any(|(s, _)| Some((s.start, s.end)) == first_anchor)
                })
                .ok_or_else(|| {
                    format!(
                        "the pod of {} was not found again",
                        workload_span.map_or(0, |s| s.line)
                    )
                })?;
            let mut editor = Editor::new(doc);
            kubernetes::render_pod(doc, &mut editor, pod, &anchors)?;
            edits.append(&mut editor.edits);
            masks.extend(editor.masks);
            Ok(())
        }
        Format::Compose => {
            let doc = yaml.ok_or("no YAML")?;
            for (wi, ci, plan) in group {
                let w = &workloads[*wi];
                let name = w.resource.strip_prefix("service/").ok_or("not a service")?;
                let mut editor = Editor::new(doc);
                compose::render_service(
                    doc,
                    &mut editor,
                    name,
                    &changes(plan),
                    &w.containers[*ci].posture,
                )?;
                edits.append(&mut editor.edits);
                masks.extend(editor.masks);
            }
            Ok(())
        }
        Format::Quadlet => {
            for (wi, ci, plan) in group {
                let posture = &workloads[*wi].containers[*ci].posture;
                edits.extend(quadlet::render_unit(text, posture, &changes(plan))?);
            }
            Ok(())
        }
        Format::Dockerfile => {
            for (_, _, plan) in group {
                for change in changes(plan) {
                    let Step::RunAsNonRoot { user: spec, .. } = change else {
                        return Err("only a USER can be fixed in a Dockerfile".into());
                    };
                    let (edit, _) = dockerfile::add_user(text, &spec)?;
                    edits.push(edit);
                }
            }
            Ok(())
        }
        Format::Shell | Format::GithubActions | Format::GitlabCi => {
            for (wi, ci, plan) in group {
                let posture = &workloads[*wi].containers[*ci].posture;
                let new = command_line::render_command(text, posture, &changes(plan))?;
                if let Some(doc) = yaml {
                    for e in &new {
                        let path = doc
                            .scalar_path_at(e.start)
                            .ok_or("the command is not inside a YAML string")?;
                        masks.insert(path);
                    }
                }
                edits.extend(new);
            }
            Ok(())
        }
        _ => Err("this format has no fixes".into()),
    }
}
