use super::{Syntax, finding, subject};
use crate::remediation::{self, ImageFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Each file a Dockerfile gives a setuid or setgid bit (`chmod u+s`, `chmod 4755`,
    /// `chmod g+s`, `install -m 4755`, `COPY --chmod=4755`, ...), and each such regular file
    /// found in a scanned image.
    ///
    /// Only files that may be programs count. A setgid bit on a directory makes new entries
    /// inherit its group, a sticky bit (`chmod 1777 /tmp`) guards deletion, and setuid on a
    /// directory does nothing: none of them is a program an attacker can run. So directories
    /// are left out: `install -d -m 2775 DIR`, `mkdir -m 2775 DIR`, a path written with a
    /// trailing `/`, and a non-recursive `chmod g+s DIR` on a directory that `mkdir` or
    /// `install -d` made earlier in the same `RUN`. `chmod -R` still counts: it reaches the
    /// files inside.
    ///
    /// ## Why it matters
    /// A setuid-root file runs as root whoever starts it. An attacker who lands in the
    /// container as a non-root user looks for exactly these: one bug or one shell escape in
    /// such a binary and they are root, with every capability the container has. Images
    /// rarely need any; the ones that base images ship (`su`, `passwd`, `mount`) are
    /// unneeded in a container. `no-new-privileges` neutralises them at run time; removing
    /// the bit does so in the image itself.
    ///
    /// ## Example
    /// Dockerfile:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY helper /usr/local/bin/helper
    /// RUN chmod u+s /usr/local/bin/helper
    /// USER 10001
    /// ```
    ///
    /// ## Use instead
    /// Give the helper the one capability it needs instead of root, or run the privileged
    /// step at build time; strip the bit from whatever the base image ships.
    ///
    /// Dockerfile:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY --chmod=0755 helper /usr/local/bin/helper
    /// RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true
    /// USER 10001
    /// ```
    ///
    /// ## References
    /// - [chmod(1): setuid and setgid bits](https://man7.org/linux/man-pages/man1/chmod.1.html)
    /// - [Linux kernel: No New Privileges Flag](https://docs.kernel.org/userspace-api/no_new_privs.html)
    /// - CIS Docker Benchmark 4.8
    /// - Peers: Dockle CIS-DI-0008
    pub struct SetuidFiles {
        id: "setuid-files",
        severity: Medium,
        summary: "a Dockerfile sets a setuid/setgid bit (or an image holds such files)",
        applies_to: [Dockerfile, Image],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let posture = &container.posture;
    for file in &posture.setuid_files {
        let path = file.value.as_str();
        let remediation =
            remediation::image(Syntax::of(workload.source), &ImageFix::ClearSetuid(path));
        out.push(finding(
            SetuidFiles::INFO,
            workload,
            container,
            posture.locate(file),
            format!(
                "{} holds setuid/setgid file {path}: a non-root attacker who runs it gets its owner's privileges, root when root owns it",
                subject(workload, container)
            ),
            remediation,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::Source;

    #[test]
    fn each_setuid_file_is_reported_at_its_own_span() {
        for source in [Source::Dockerfile, Source::Image] {
            let mut p = posture(source);
            p.setuid_files = vec![
                written("/usr/local/bin/helper".into(), VALUE_LINE),
                written("/usr/bin/newgrp".into(), 12),
            ];
            let findings = run(&SetuidFiles, source, p);
            assert_eq!(findings.len(), 2);
            let f = assert_one(&findings[..1], SetuidFiles::INFO, VALUE_LINE);
            assert!(
                f.message
                    .starts_with("the image holds setuid/setgid file /usr/local/bin/helper")
            );
            assert!(
                f.remediation
                    .contains("chmod u-s,g-s /usr/local/bin/helper")
            );
            assert_one(&findings[1..], SetuidFiles::INFO, 12);
        }
    }

    #[test]
    fn the_doc_comment_says_directories_are_left_out() {
        let doc = SetuidFiles::INFO.doc;
        assert!(doc.contains("install -d -m 2775 DIR"), "{doc}");
        assert!(doc.contains("chmod -R"), "{doc}");
    }

    #[test]
    fn an_image_without_such_files_is_silent() {
        for source in [Source::Dockerfile, Source::Image] {
            assert!(run(&SetuidFiles, source, posture(source)).is_empty());
        }
    }
}
