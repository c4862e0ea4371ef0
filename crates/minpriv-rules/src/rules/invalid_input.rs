use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Nothing in a container: this finding is made by the scanner itself when an input
    /// cannot be read or parsed (broken YAML, an unterminated quote in a `docker run` line, a
    /// Dockerfile instruction that does not parse). It points at the line and column where
    /// the reader gave up. The other inputs are still scanned, and the exit code is 2.
    ///
    /// ## Why it matters
    /// A file minpriv cannot read is a file it cannot vouch for: a typo can hide a privileged
    /// container from every check, and the tools that deploy the file may read it
    /// differently, or not at all. Reporting it keeps a broken input from passing as clean.
    ///
    /// ## Example
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///      privileged: true
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run --cap-add "SYS_ADMIN nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// Fix the syntax at the reported position; `docker compose config`, `kubectl apply
    /// --dry-run=client` or `sh -n` confirm the fix.
    ///
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run nginx:1.27
    /// ```
    ///
    /// ## References
    /// - [YAML 1.2 specification](https://yaml.org/spec/1.2.2/)
    /// - [Compose file reference](https://docs.docker.com/reference/compose-file/)
    pub struct InvalidInput {
        id: "invalid-input",
        severity: High,
        summary: "an input could not be parsed; reported with line and column",
        applies_to: [Kubernetes, Compose, Dockerfile, DockerRun, Quadlet, DockerInspect, Image],
        check: check,
    }
}

/// Never fires: parse errors happen before there is a container to check, so the CLI makes
/// these findings from the readers' errors. The rule exists for `minpriv rules`, `explain`,
/// profiles and suppressions.
fn check(_workload: &Workload, _container: &Container, _out: &mut Vec<Finding>) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn no_container_triggers_it() {
        for source in ALL_SOURCES {
            for p in worst_postures(source) {
                assert!(run(&InvalidInput, source, p).is_empty());
            }
        }
    }
}
