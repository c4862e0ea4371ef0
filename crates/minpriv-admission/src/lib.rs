//! minpriv's policy as Kubernetes admission policies: one CEL validation per rule, written as a
//! ValidatingAdmissionPolicy with its binding, a Kyverno `ValidatingPolicy`, or a Gatekeeper
//! `ConstraintTemplate` with its constraint ([`targets`]).
//!
//! The CEL is a port of the scan: [`checks`] renders the Pod Security controls and minpriv's own
//! Kubernetes rules, [`variables`] finds the pod template of every workload kind as the reader
//! does, [`export::plan`] picks rules, severities and waivers from the same profile `minpriv
//! scan` uses. The equivalence test evaluates the exported YAML with Kubernetes' CEL libraries
//! and compares each object's denied rules with the scan's findings.
#![deny(missing_docs)]

pub mod cel;
pub mod checks;
pub mod export;
pub mod targets;
pub mod variables;
pub mod waivers;
pub mod yaml;

pub use export::{Action, Export, Policy, Settings, Validation, plan};
pub use targets::Target;
pub use waivers::Waiver;
