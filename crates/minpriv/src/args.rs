//! The command line, as clap derives it. The help text here is the tool's first manual: every
//! command and option says what it does, what it defaults to, and how it changes the exit code.

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use minpriv_model::Severity;
use minpriv_rules::Profile;
use minpriv_scan::config::settings::ConfigSource;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROOT_AFTER_HELP: &str = "\
Examples:
  minpriv scan                       scan the current folder
  minpriv scan deploy/ compose.yaml  scan a folder and a file
  helm template chart | minpriv scan -
                                     scan rendered Helm output from standard input
  minpriv scan --format json . > minpriv.json
  minpriv scan --docker --all        audit every container of the local Docker Engine
  minpriv scan --image app:1.4       audit an image of the local engine (setuid files, user)
  minpriv scan --resolve-images k8s/ use the local images' USER for manifests that set none
  minpriv rules                      list every rule
  minpriv explain docker-socket-mount
  minpriv init                       write a commented starter minpriv.toml here
  minpriv scan --baseline main.json  only findings that main.json (a JSON report) lacks
  minpriv diff --git origin/main HEAD
                                     which containers gained privilege in this branch
  minpriv scan --format sarif -o minpriv.sarif .
                                     SARIF for GitHub code scanning
  minpriv report ~/src/org --html fleet.html
                                     adoption across every repository in ~/src/org
  minpriv fix --write deploy/        harden the files in place (safe edits only)
  minpriv verify app:1.4 -- ./run-tests.sh
                                     prove the app's tests pass under the hardening
  minpriv minimize app:1.4 -- ./run-tests.sh
                                     the fewest capabilities the tests still pass with
  minpriv risk --vulns trivy.json k8s/
                                     rank vulnerable images by exposure x privilege
  minpriv completions bash           shell completions (also zsh, fish, ...); `man` for pages

Exit codes:
  0  nothing at or above --fail-on was found
  1  findings at or above --fail-on
  2  a usage error, or some input could not be read or parsed (the rest is still reported)";

/// minpriv audits container configurations for least privilege.
///
/// It reads Dockerfiles, Compose files, Kubernetes manifests and `docker run` command lines (in
/// shell scripts, Makefiles and CI workflows), works out what each container is allowed to do —
/// which user it runs as, which capabilities it holds, which host namespaces, paths and devices
/// it reaches — and reports every privilege it holds beyond what it needs, with the line to fix.
#[derive(Debug, Parser)]
#[command(name = "minpriv", version, after_long_help = ROOT_AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit files and folders for containers that hold more privilege than they need.
    ///
    /// Folders are walked in parallel. Files are recognised by name (Dockerfile, Containerfile,
    /// compose.yaml, docker-compose*.yml, *.sh, Makefile, Justfile, Jenkinsfile,
    /// .github/workflows/*.yml, .gitlab-ci.yml) and, for other YAML and JSON files, by content
    /// (a top-level `services` mapping is Compose; `apiVersion` and `kind` are Kubernetes; a
    /// JSON array of containers, or one container object, is `docker inspect` output).
    /// --docker, --image and --image-archive audit live containers and images instead.
    /// Files excluded by .gitignore (and .ignore) files are skipped unless --no-ignore is given;
    /// `.git` folders are always skipped; other hidden folders such as `.github` are read. A file
    /// named on the command line is always read, whatever its name.
    ///
    /// Helm chart templates (files with `{{ }}` under a chart's templates/ folder) are not YAML
    /// until rendered: they are skipped with a note. Render them and pipe the result in:
    /// `helm template CHART | minpriv scan -`.
    #[command(after_long_help = SCAN_AFTER_HELP)]
    Scan(ScanArgs),

    /// List every rule: its id, default severity and what it checks.
    ///
    /// Use an id with `minpriv explain ID` for the rationale, examples and fixes, or in a
    /// `# minpriv:ignore ID -- reason` comment to suppress one finding. `--format markdown`
    /// prints the table that docs/rules.md shows.
    Rules(RulesArgs),

    /// Explain one rule: what it checks, why it matters, bad and good examples, how to fix it
    /// in Docker, Quadlet, Compose and Kubernetes, and the hardening steps that remove its finding.
    ///
    /// Exits with 2 when no rule has that id, and suggests the closest one.
    Explain(ExplainArgs),

    /// Show which containers gained privilege between two folders or two git revisions.
    ///
    /// For a pull request: `minpriv diff --git origin/main HEAD` exits with 1 when the change
    /// gives any container more privilege than it had, in force or only configured, and says
    /// what it gained and whether it is effective now. It never passes a change on which
    /// `scan` reports a new privilege finding.
    Diff(DiffArgs),

    /// Write a commented starter minpriv.toml in the current folder.
    ///
    /// Every setting is shown with a comment. An existing file is kept unless --force is given.
    Init(InitArgs),

    /// Run a command in the image under its configuration as written and under a hardened one
    /// (non-root, no capabilities, no-new-privileges, read-only root filesystem, default
    /// seccomp, no host namespaces or devices), and name the restrictions that break it.
    ///
    /// `minpriv verify (IMAGE | --compose F --service S | --k8s F --container C |
    /// --docker-run LINE) -- CMD...`. Exits with 0 only when the hardened run passes.
    Verify(VerifyArgs),

    /// Find the least privilege a command still passes with: capabilities (by delta
    /// debugging), user, read-only root filesystem with tmpfs, no-new-privileges; printed as a
    /// `docker run` line, a Compose fragment and a Kubernetes securityContext.
    Minimize(MinimizeArgs),

    /// Fix what scan finds, in place: a unified diff by default, the files changed with
    /// --write. Only safe fixes unless --unsafe; each unsafe one says why it may break the app.
    ///
    /// Exits with 1 when there are changes to make and --write was not given (like
    /// `rustfmt --check`), 0 when there are none or they were written, 2 when a file could not
    /// be read or a fix was refused.
    #[command(after_long_help = FIX_AFTER_HELP.as_str())]
    Fix(FixArgs),

    /// Rank containers by the harm a known vulnerability in their image can do, given the
    /// privileges they run with: reads Trivy JSON, Grype JSON or SARIF reports, matches them to
    /// containers by image, and prints a score (0–100), why, and the single hardening that
    /// lowers it most.
    ///
    /// `minpriv risk --vulns REPORT... [PATH...|--docker]`. `minpriv explain risk` describes
    /// the scoring model.
    Risk(RiskArgs),

    /// Export the policy as Kubernetes admission policies, so the cluster rejects what the
    /// scan reports: a ValidatingAdmissionPolicy and its binding (`--to vap`, Kubernetes
    /// 1.30+), a Kyverno ValidatingPolicy (`--to kyverno`) or a Gatekeeper ConstraintTemplate
    /// and constraint (`--to gatekeeper`).
    ///
    /// One CEL validation per rule, from the same profile, Pod Security version, rule settings
    /// and waivers as `scan`; rules at `fail-on` severity or worse are denied, the others warned
    /// about and audited. The output starts with a comment that lists the rules not exported
    /// (those only an image can decide) and the waivers. Waivers need a `resource`; expired
    /// ones are left out, and those that expire within 30 days are named on standard error:
    /// re-export in CI to keep the cluster's policy current.
    #[command(after_long_help = EXPORT_AFTER_HELP)]
    Export(ExportArgs),

    /// Summarise least privilege across many repositories: adoption of non-root, dropped
    /// capabilities, no-new-privileges, read-only root filesystems and private namespaces per
    /// repository, the worst containers, and every finding.
    ///
    /// Each folder directly inside a PATH is one repository. `--html FILE` writes one
    /// self-contained page with charts; the numbers are printed as a table or, with
    /// `--format json`, as JSON.
    Report(ReportArgs),

    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    ///
    /// For example `minpriv completions bash > ~/.local/share/bash-completion/completions/minpriv`
    /// or `minpriv completions zsh > "${fpath[1]}/_minpriv"`.
    Completions(CompletionsArgs),

    /// Print the man page (roff), or write one page per command with --out-dir.
    ///
    /// For example `minpriv man | man -l -`, or `minpriv man --out-dir /usr/local/share/man/man1`.
    Man(ManArgs),
}

const SCAN_AFTER_HELP: &str = "\
Suppressing a finding:
  Put `# minpriv:ignore RULE[,RULE...] [-- reason]` at the end of the line the finding points at,
  or alone on the line above it. `# minpriv:ignore-file RULE[,RULE...] [-- reason]` anywhere in a
  file suppresses those rules in the whole file. Suppressed findings never fail the scan; see them
  with --show-suppressed. Waivers in the configuration file do the same from outside the file.

Configuration:
  The configuration file is --config FILE, else the nearest minpriv.toml (or .minpriv.toml) in
  the folder of the first PATH or any folder above it (the current folder when no PATH is given
  or it is `-`); --no-config reads none. `minpriv init` writes a commented starter file.
  Precedence, per setting: a command-line flag, then the configuration file, then the file it
  `extends`, then the built-in default. Unknown keys and rule ids in the file are errors (exit 2)
  with their file, line and column.
  Waiver expiry is judged against today's date in UTC; as a testing aid, the environment
  variable MINPRIV_TODAY=YYYY-MM-DD sets the day instead.

Exit codes:
  0  no finding at or above --fail-on (among those shown: --min-severity hides the rest)
  1  at least one such finding
  2  a usage error, or some input could not be read or parsed; every other input is still
     scanned and reported, and parse errors are reported as `invalid-input` findings";

/// Options of `minpriv scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan; `-` reads standard input (its format is recognised from its
    /// content). Default: the current folder, unless --image or --image-archive is given. With
    /// --docker: the containers to audit instead (names, ids or unique id prefixes).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Audit containers through the Docker Engine API instead of files: the running containers,
    /// every container with --all, or only those named as arguments (created and stopped ones
    /// too). Each container's real settings are checked, with its image's USER when it sets no
    /// user, and the engine's default capabilities and seccomp/AppArmor state. Findings have
    /// source `docker-engine`, resource `container/NAME` and the engine's address as path;
    /// Compose's containers are grouped by project and service. The engine is DOCKER_HOST, else
    /// the first that answers of /var/run/docker.sock, rootless Docker and Podman. Exits with 2
    /// when no engine answers.
    #[arg(long, group = "engine_audit")]
    pub docker: bool,

    /// --docker through Podman: CONTAINER_HOST, else Podman's rootless
    /// ($XDG_RUNTIME_DIR/podman/podman.sock) and rootful (/run/podman/podman.sock) sockets, judged
    /// with Podman's defaults. Needs the API service (`podman system service`, or
    /// `systemctl enable --now podman.socket`).
    #[arg(long, group = "engine_audit")]
    pub podman: bool,

    /// With --docker or --podman: audit stopped and created containers too, not only running
    /// ones.
    #[arg(long, requires = "engine_audit")]
    pub all: bool,

    /// Audit image NAME of the local engine (repeatable): its layers are read for setuid/setgid
    /// files and files with capabilities (setuid-files), and it runs as root (runs-as-root) when
    /// its USER is empty, root or 0. Exits with 2 when no engine answers or it lacks the image.
    #[arg(long = "image", value_name = "NAME")]
    pub images: Vec<String>,

    /// Audit an image archive, no engine needed (repeatable): a `docker save` tarball, plain or
    /// gzip-compressed, or an OCI image layout (a folder, or a tar of one); `-` reads one from
    /// standard input. Checked as --image is.
    #[arg(long = "image-archive", value_name = "FILE")]
    pub image_archives: Vec<PathBuf>,

    /// Look up the image of each Kubernetes, Compose and `docker run` container that sets no
    /// user in the local Docker Engine, and use the image's USER instead of reporting that the
    /// container may run as root. Also reports the kubelet trap (non-numeric-image-user):
    /// runAsNonRoot without runAsUser on an image whose USER is a name. Images the engine lacks
    /// stay unknown, with a note; when no engine answers, a note says nothing was resolved.
    #[arg(long)]
    pub resolve_images: bool,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub format: OutputFormat,

    /// Write the results to FILE instead of standard output. The file is written atomically
    /// (to a temporary file in the same folder, renamed when complete): an interrupted run
    /// leaves the previous file or none, never half of one.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The policy profile: which rules run, and at which severity. Default: restricted.
    #[arg(long, value_name = "NAME", value_parser = profile_names())]
    pub profile: Option<String>,

    #[command(flatten)]
    pub selection: RuleSelectionArgs,

    /// Exit with 0 even when findings are reported (input errors still exit with 2): report
    /// without failing, as when introducing minpriv to a repository.
    #[arg(long)]
    pub exit_zero: bool,

    /// Exit with 1 when a finding of this severity or worse is reported. Default: the
    /// configuration's `fail-on`, else low.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Report only findings of this severity or worse. Findings below it are neither printed nor
    /// counted for the exit code; `info` shows everything.
    /// Default: the configuration's `min-severity`, else low.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<MinSeverity>,

    /// Also scan files that .gitignore, .ignore and the global git excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// Read every PATH as of git revision REV (a branch, tag, `HEAD~3`, `origin/main`, a commit
    /// id) straight from git's objects, without checking it out: each PATH is a repository (a
    /// work tree, or a bare mirror) or a folder inside a work tree. One PATH alone is read at a
    /// revision with `PATH@REV`. Files are shown as in a checkout, so waivers, baselines and
    /// SARIF paths match; the ignore files, `.env` files and build contexts are those of that
    /// commit. Kustomize overlays are not rendered at a revision.
    #[arg(long, value_name = "REV", conflicts_with_all = ["engine_audit", "images", "image_archives"])]
    pub rev: Option<String>,

    /// Follow symbolic links while walking folders, also to files and folders outside them
    /// (a link back to a folder being walked is noted and not followed again), and read the
    /// files a Compose file names (`.env`, `extends`, `build`) wherever they are. By default
    /// links are not followed, and one that leads outside the scanned folders gets a note;
    /// named files are read only inside the scanned folders and the git work trees that hold
    /// them.
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Keep this process's environment out of Compose `${VAR}` interpolation: only the
    /// project's `.env` and `${VAR:-default}` defaults apply. By default the environment comes
    /// first, as in `docker compose`; when scanning untrusted pull requests in a job with
    /// secrets in its environment, this stops a Compose file from copying one into the report.
    #[arg(long)]
    pub no_compose_env: bool,

    #[command(flatten)]
    pub kustomize: KustomizeArgs,

    /// Read no file larger than SIZE: a larger one is reported as an `invalid-input` finding
    /// (exit 2), not read. Bytes, or with a unit: 512KiB, 10MiB, 1GiB (K, M and G are binary;
    /// KB, MB and GB decimal). Default: the configuration's `max-file-size`, else 10MiB.
    #[arg(long, value_name = "SIZE", value_parser = minpriv_scan::config::parse::parse_size)]
    pub max_file_size: Option<u64>,

    /// Print only the findings: no notes, no summary line (text format). Errors still go to
    /// standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// When to colour the text output. `auto` colours a terminal unless NO_COLOR is set
    /// (CLICOLOR and CLICOLOR_FORCE are honoured too).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// After the findings, print what an attacker gets in each container: the user (root,
    /// non-root, or may be root and why), the capabilities it holds, those it can regain through
    /// setuid binaries, the host namespaces it shares, and the known escape paths to the host.
    /// The JSON format always includes this, under `workloads`.
    #[arg(long)]
    pub posture: bool,

    /// Also report findings suppressed by `minpriv:ignore` comments, with the reason given.
    /// They still never fail the scan. SARIF always includes suppressed findings, each with a
    /// `suppressions` entry, since code-scanning tools show them as dismissed.
    #[arg(long)]
    pub show_suppressed: bool,

    #[command(flatten)]
    pub configuration: ConfigArgs,

    /// Report only findings that are not in FILE, a report written earlier by
    /// `minpriv scan --format json`. Findings match by rule, path, resource and container, not
    /// by line, so edits above a known finding do not bring it back; a second finding of one
    /// kind where the baseline had one is new. For gating pull requests on what they add.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// The built-in profiles, each with a line for `--help`.
fn profile_names() -> PossibleValuesParser {
    PossibleValuesParser::new(Profile::names().iter().map(|&name| {
        let help = match name {
            "restricted" => Some(
                "every rule at its default severity; Kubernetes pods judged exactly as Pod \
                 Security admission judges them at the restricted level",
            ),
            "baseline" => Some(
                "only what the Kubernetes Pod Security Standards baseline level forbids: \
                 privileged mode, host namespaces, ports, paths and devices, added capabilities, \
                 explicitly unconfined profiles, unsafe sysctls; Kubernetes pods flagged exactly \
                 when Pod Security admission rejects them at baseline",
            ),
            _ => None,
        };
        PossibleValue::new(name).help(help)
    }))
}

/// Options of `minpriv explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, as `minpriv rules` lists it (e.g. `privileged`, `docker-socket-mount`).
    #[arg(value_name = "RULE")]
    pub rule: String,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Findings like compiler diagnostics, with the source line and a fix.
    Text,
    /// One JSON object: findings, summary, and each container's effective privileges.
    Json,
    /// SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs); suppressed findings included.
    Sarif,
    /// JUnit XML for CI test reports: a test suite per file, a failing test case per rule.
    Junit,
    /// Markdown tables for pull-request comments.
    Markdown,
    /// GitHub Actions workflow commands: annotations on the changed lines.
    Github,
}

/// `--fail-on`: there is no `info`, since info-level findings are remarks, never failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail only on critical findings.
    Critical,
    /// Fail on high or critical findings.
    High,
    /// Fail on medium findings or worse.
    Medium,
    /// Fail on any finding but info (the default).
    Low,
}

impl From<FailOn> for Severity {
    fn from(value: FailOn) -> Severity {
        match value {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

/// `risk --fail-on`: a band of the risk score, not a finding's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RiskBand {
    /// Fail when a container scores 70 or more.
    Critical,
    /// Fail when a container scores 40 or more.
    High,
    /// Fail when a container scores 15 or more.
    Medium,
    /// Fail when a container scores 1 or more: any known vulnerability (the default).
    Low,
}

impl From<RiskBand> for Severity {
    fn from(value: RiskBand) -> Severity {
        match value {
            RiskBand::Critical => Severity::Critical,
            RiskBand::High => Severity::High,
            RiskBand::Medium => Severity::Medium,
            RiskBand::Low => Severity::Low,
        }
    }
}

/// `--min-severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    /// Everything, including remarks such as images not pinned by digest.
    Info,
    /// Everything but info (the default).
    Low,
    /// Medium and worse.
    Medium,
    /// High and critical.
    High,
    /// Critical only.
    Critical,
}

impl From<MinSeverity> for Severity {
    fn from(value: MinSeverity) -> Severity {
        match value {
            MinSeverity::Info => Severity::Info,
            MinSeverity::Low => Severity::Low,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::High => Severity::High,
            MinSeverity::Critical => Severity::Critical,
        }
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour, even into a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

/// Where the configuration comes from, for every command that reads one (`scan`, `fix`,
/// `report`). Defined once and flattened into each command's arguments.
#[derive(Debug, Default, clap::Args)]
pub struct ConfigArgs {
    /// The configuration file: its rule settings, `exclude` and unexpired waivers apply.
    /// Default: the nearest minpriv.toml or .minpriv.toml in the folder of the first PATH or
    /// above it (the current folder for none or `-`); for `report`, each repository's own, from
    /// its folder upward.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Read no configuration file: built-in defaults and flags only.
    #[arg(long)]
    pub no_config: bool,
}

impl ConfigArgs {
    /// The configuration to load: `--no-config`, `--config FILE`, or the one found upward from
    /// `start`.
    pub fn source<'a>(&'a self, start: &'a Path) -> ConfigSource<'a> {
        match (&self.config, self.no_config) {
            (_, true) => ConfigSource::Ignore,
            (Some(file), false) => ConfigSource::File(file),
            (None, false) => ConfigSource::Discover(start),
        }
    }
}

/// How Kustomize trees are read (`scan`, `report`, `diff`). Defined once and flattened into
/// each command's arguments.
#[derive(Debug, Default, clap::Args)]
pub struct KustomizeArgs {
    /// Do not render Kustomize overlays: read each file alone (patch files are still not read
    /// as objects of their own). By default each overlay that nothing builds on is rendered with
    /// `kustomize build` (or `kubectl kustomize`), and findings point at the file that sets the
    /// value, naming the overlays they apply to.
    #[arg(long)]
    pub no_kustomize: bool,

    /// How long rendering one overlay may take before it is stopped (and reported as
    /// invalid-input).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub kustomize_timeout: Duration,
}

impl KustomizeArgs {
    /// The library's options.
    pub fn options(&self) -> minpriv_scan::kustomize::KustomizeOptions {
        minpriv_scan::kustomize::KustomizeOptions {
            render: !self.no_kustomize,
            timeout: self.kustomize_timeout,
        }
    }
}

/// The options of every command that judges findings against a profile (`scan`, `report`):
/// the Pod Security version and the rules chosen on the command line. Defined once and
/// flattened into each command's arguments.
#[derive(Debug, Default, clap::Args)]
pub struct RuleSelectionArgs {
    /// The Pod Security Standards version Kubernetes pods are judged at: `latest` (the
    /// default) or `v1.N` (v1.0 to v1.37), like a namespace's
    /// `pod-security.kubernetes.io/enforce-version` label. Default: the configuration's
    /// `pss-version`, else latest.
    #[arg(long, value_name = "VERSION")]
    pub pss_version: Option<minpriv_rules::PssVersion>,

    #[command(flatten)]
    pub choice: RuleChoiceArgs,
}

/// `--rule` and `--skip`, as every command that reports findings takes them (`scan`, `report`,
/// `export`, `diff`); `fix` has its own wording.
#[derive(Debug, Default, clap::Args)]
pub struct RuleChoiceArgs {
    /// Report only this rule (repeatable), like ruff's --select: the rule runs even if the
    /// profile or the configuration turns it off. `minpriv rules` lists the ids.
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,

    /// Do not report this rule (repeatable), like ruff's --ignore; wins over --rule.
    #[arg(long = "skip", value_name = "RULE")]
    pub skip: Vec<String>,
}

/// Options of `minpriv rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// How to print the table: aligned columns, or the Markdown table of docs/rules.md
    /// (regenerate it with `minpriv rules --format markdown`).
    #[arg(long, value_enum, default_value_t = RulesFormat::Text, value_name = "FORMAT")]
    pub format: RulesFormat,
}

/// `minpriv rules --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// Aligned columns: id, severity, summary.
    Text,
    /// A Markdown table: id, default severity, fires when.
    Markdown,
}

/// Options of `minpriv completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Options of `minpriv man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write the pages into DIR instead: minpriv.1 and one page per command (minpriv-scan.1,
    /// minpriv-rules.1, ...), and print their paths. DIR is created when missing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Options of `minpriv init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing minpriv.toml (or write one beside an existing .minpriv.toml).
    #[arg(long)]
    pub force: bool,
}

const DIFF_AFTER_HELP: &str = "\
What counts as growth, per container (matched by file path, resource and container name):
  privileged mode turned on; root where it was non-root, or may-be-root where it was non-root;
  capabilities newly held, newly reachable through setuid binaries, or new in the bounding set
  (added, or no longer dropped) even when no process can use them yet; host namespaces newly
  shared; new escape paths to the host; new host mounts (or a mount made writable), devices,
  sysctls and hostPorts; no-new-privileges, a read-only root filesystem, seccomp (or a
  Kubernetes seccomp profile), AppArmor, SELinux or /proc masking turned off or weakened; a
  service account token mounted; a new setuid file. A container that is new in NEW is compared
  with nothing, so everything it holds counts.

  Every growth is reported whether or not it is in force now. One that is not says why, and
  what would make it so: SYS_PTRACE added to a container that runs as uid 1000 with
  no-new-privileges is held by no process until the user or no-new-privileges changes.

  The privilege rules of `scan` run on both sides too: a finding in NEW whose rule found
  nothing on the same container in OLD is always named, by the growth that causes it or as a
  finding of its own (`new-finding`). Image rules (tags, digests, registries) are not about
  privilege and do not count.

Examples:
  minpriv diff before/ after/
  minpriv diff --git origin/main HEAD          in a pull-request job: did this change add privilege?
  minpriv diff --git --format json v1.2.0 v1.3.0

Exit codes:
  0  no container gained privilege
  1  at least one container gained privilege
  2  a usage error, or a file, folder or revision could not be read or parsed (what could be
     read is still compared and reported)";

/// Options of `minpriv diff`.
#[derive(Debug, Args)]
#[command(after_long_help = DIFF_AFTER_HELP)]
pub struct DiffArgs {
    /// The old side: a folder, or with --git a revision (commit, branch, tag, `origin/main`).
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The new side: a folder, or with --git a revision (`HEAD`).
    #[arg(value_name = "NEW")]
    pub new: String,

    /// Compare two revisions of a git repository instead of two folders. The files are read
    /// from git's object store into memory; the working tree is neither read nor changed.
    #[arg(long)]
    pub git: bool,

    /// The git repository, with --git. Default: the current folder.
    #[arg(long, value_name = "DIR", requires = "git")]
    pub repo: Option<PathBuf>,

    /// How to print the result.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text, value_name = "FORMAT")]
    pub format: DiffFormat,

    /// Judge only growth these rules report (--rule, repeatable), or not what they report
    /// (--skip): a growth counts while any of the rules that name it is chosen.
    #[command(flatten)]
    pub choice: RuleChoiceArgs,

    /// Exit with 0 even when a container gained privilege (unreadable sides still exit with
    /// 2): report without failing.
    #[arg(long)]
    pub exit_zero: bool,

    #[command(flatten)]
    pub kustomize: KustomizeArgs,
}

/// Output formats of `minpriv diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One block per container that gained privilege, a line per growth.
    Text,
    /// One JSON object: `containers` (each with its `changes`) and a `summary`.
    Json,
}

const VERIFY_AFTER_HELP: &str = "\
Examples:
  minpriv verify app:1.4 -- /app/selftest
  minpriv verify --compose compose.yaml --service web -- /app/selftest
  minpriv verify --k8s deploy.yaml --container app -- /app/selftest
  minpriv verify --docker-run \"docker run --cap-add NET_ADMIN app:1.4\" -- /app/selftest
  minpriv verify --cleanup           remove containers left by a killed run

Safety: no run is privileged (a privileged posture runs with every capability instead), runs get
--network none unless --network is given, and every container is labelled minpriv.verify=<run
id> and removed after its run, on error, at its timeout and on Ctrl-C or SIGTERM.

Exit codes:
  0    the hardened run passed
  1    the hardened run failed
  2    a usage error, an input that cannot be read, no engine, or an image the engine lacks
  130  interrupted (Ctrl-C, SIGTERM); the containers were removed";

const MINIMIZE_AFTER_HELP: &str = "\
The search (each step keeps what passes, and only ever removes privilege):
  1. the baseline must pass;  2. everything hardened at once;  3. no-new-privileges, default
  seccomp, no host namespaces or devices;  4. read-only root filesystem with tmpfs for exactly
  the folders the app wrote (the engine's change list);  5. a non-root user (the image's USER,
  else --uid) with no capabilities;  6. when the app keeps root: the smallest capability set,
  by delta debugging over the baseline's set (k needed of n cost at most 1 + 2k*ceil(log2 n)
  runs; identical configurations run once; --jobs runs independent probes in parallel);
  7. one run with ports below 1024 privileged, to tell whether the app binds one (Docker needs
  no NET_BIND_SERVICE for that; other runtimes may).

--repeat N: a configuration that fails is run again, up to N times, and passes if any run
passes. A capability is kept only when every run without it fails, so a flaky test cannot add
one; configurations that failed before passing are reported as flaky.

Tracing (on by default where it works; --no-trace turns it off): the baseline's run is traced
with the kernel's tracepoints capability:cap_capable and raw_syscalls:sys_enter, through perf
events filtered in the kernel to the run's own cgroup (the container gets --cgroup-parent
/minpriv-trace-<id>, removed after the run). The capabilities the app was granted after it
started are tried first, alone and then each one removed; only when they alone fail does the
full search run. A trace never decides: every claim is still a passing or failing run. It needs
root, an engine on this kernel (not DOCKER_HOST=tcp://, not Docker Desktop) with the cgroupfs
cgroup driver, and the two tracepoints; otherwise a note says why and the search runs untraced.

--seccomp FILE: a profile (defaultAction SCMP_ACT_ERRNO) allowing the system calls the baseline
and the result made after the runtime installed the filter (the runtime's last steps before
the app included), written only when the result passed under it. The report gives its size
against Docker's default and how to use it (docker run, Compose, a Kubernetes Localhost
profile and a Security Profiles Operator SeccompProfile). `verify --seccomp FILE` checks a
profile later, say against a longer test.

The capability label: the report prints `LABEL io.containers.capabilities=\"...\"` for the
image's Dockerfile (Podman takes it as the container's default capabilities); `fix --from
minimize.json` adds it to the Dockerfile it hardens.

Exit codes:
  0    the least privilege was found (the result passed)
  1    the command fails with its configuration as written: nothing to minimize; or the seccomp
       profile asked for failed its run (it is not written)
  2    a usage error, an input that cannot be read, no engine, or an image the engine lacks
  130  interrupted (Ctrl-C, SIGTERM); the containers were removed";

/// Where the configuration and the command come from (shared by verify and minimize).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The image to run (it must be in the local engine: nothing is pulled). With --compose,
    /// --k8s or --docker-run, it replaces the image the file names.
    #[arg(value_name = "IMAGE")]
    pub image: Option<String>,

    /// Start from service NAME (--service) of this Compose file.
    #[arg(long, value_name = "FILE", requires = "service", conflicts_with_all = ["k8s", "docker_run"])]
    pub compose: Option<PathBuf>,

    /// The Compose service.
    #[arg(long, value_name = "NAME", requires = "compose")]
    pub service: Option<String>,

    /// Start from container NAME (--container) of this Kubernetes manifest.
    #[arg(long, value_name = "FILE", requires = "container", conflicts_with_all = ["compose", "docker_run"])]
    pub k8s: Option<PathBuf>,

    /// The Kubernetes container.
    #[arg(long, value_name = "NAME", requires = "k8s")]
    pub container: Option<String>,

    /// Start from a `docker run ...` command line (its flags; the command goes after --).
    #[arg(long = "docker-run", value_name = "COMMAND_LINE", conflicts_with_all = ["compose", "k8s"])]
    pub docker_run: Option<String>,

    /// The command to run (after the image's entrypoint); it passes when it exits with 0.
    /// Default: the image's own command.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,

    /// Run through Podman: CONTAINER_HOST, else Podman's rootless
    /// ($XDG_RUNTIME_DIR/podman/podman.sock) and rootful (/run/podman/podman.sock) sockets.
    /// Without it the engine is DOCKER_HOST, else the first that answers of Docker's and
    /// Podman's sockets; a Podman engine is recognised either way, and its own default
    /// capabilities for the image (containers.conf, the image's label) make the baseline.
    #[arg(long)]
    pub podman: bool,

    /// The network of every run. `none` keeps test runs off every network.
    #[arg(long, value_name = "NAME", default_value = "none")]
    pub network: String,

    /// The uid (and gid) of the non-root user when the image's USER is root or unset.
    #[arg(long, value_name = "UID", default_value_t = 65532)]
    pub uid: u32,

    /// How long one run may take before it is killed and counts as failed (`60`, `90s`, `2m`).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// How many runs may go on at once.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,

    /// Run a failing configuration up to N times; it passes if any run passes (a flaky test
    /// then cannot make a restriction look necessary).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub repeat: u32,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
    pub format: Format,

    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Options of `minpriv verify`.
#[derive(Debug, Args)]
#[command(after_long_help = VERIFY_AFTER_HELP)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Remove every container labelled minpriv.verify (left by a run that was killed) and exit.
    #[arg(long)]
    pub cleanup: bool,

    /// Check a seccomp profile (Docker/OCI JSON, such as `minimize --seccomp` writes): the
    /// hardened runs use it instead of the engine's default, and `seccomp-profile` is blamed
    /// when it breaks the command.
    #[arg(long, value_name = "FILE")]
    pub seccomp: Option<PathBuf>,
}

/// Options of `minpriv minimize`.
#[derive(Debug, Args)]
#[command(after_long_help = MINIMIZE_AFTER_HELP)]
pub struct MinimizeArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Trace the baseline's run (the kernel's capability and system-call tracepoints, the
    /// container's processes only) and start the capability search from the capabilities the
    /// app used. The default where tracing works: as root, with an engine on this kernel using
    /// the cgroupfs driver; elsewhere a note and the untraced search.
    #[arg(long, overrides_with = "no_trace")]
    pub trace: bool,

    /// Search without a trace.
    #[arg(long = "no-trace", overrides_with = "trace")]
    pub no_trace: bool,

    /// Write a seccomp profile allowing only the system calls the traced runs made to FILE,
    /// once the command passed under it (`--repeat` applies). Needs tracing.
    #[arg(long, value_name = "FILE", conflicts_with = "no_trace")]
    pub seccomp: Option<PathBuf>,
}

/// Output formats of verify and minimize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON object.
    Json,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (try 60, 90s, 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" | "sec" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("unknown unit `{unit}` (use ms, s, m or h)")),
    };
    if !(0.05..=86_400.0).contains(&seconds) {
        return Err("the timeout must be between 50ms and 24h".into());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The long help of `minpriv fix`: the table of fixes and their safety is generated from the
/// rules' steps ([`minpriv_fix::safety_table`]), so it says what fix does.
pub static FIX_AFTER_HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "\
What gets fixed (only findings that scan reports, that no minpriv:ignore comment suppresses and
no unexpired minpriv.toml waiver covers; the configuration's rule settings and exclude apply):
{}
Safe means it cannot change what an app that works as configured does: Docker and Podman
already run every container under the default seccomp profile, so images work under it; and
no-new-privileges takes nothing from a process that already is root. Every other fix may break
the app; --unsafe applies them, and the diff says for each why it may break it and which
`minpriv verify` command checks it first. With --from minimize.json (the output of
`minpriv minimize --format json`), the proven capabilities, user and tmpfs paths replace the
blanket ones, and restrictions minimize found the app cannot live with are left out.

Everything else in the file is kept: comments, key order, indentation, block or flow style,
quoting, document separators, CRLF line endings, a missing final newline. A file is only
written when the edited text parses to the same tree as before except at the fixed paths, no
fixed finding is left, and a second run would change nothing; otherwise it is refused, with an
error naming the file.

Examples:
  minpriv fix k8s/                     show the safe fixes as a diff (exit 1 if there are any)
  minpriv fix --unsafe --write .       apply every fix
  minpriv fix --rule runs-as-root --unsafe Dockerfile
  minpriv fix --from min.json --container app --unsafe --write deploy.yaml

Exit codes:
  0  nothing to change, or every change written (--write)
  1  changes to make (without --write)
  2  a usage error, an unreadable file, or a file whose fixes were refused",
        minpriv_fix::safety_table()
    )
});

/// Options of `minpriv fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files and folders to fix. Default: the current folder. Folders are walked as scan walks
    /// them.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write the fixed files instead of printing a diff.
    #[arg(long)]
    pub write: bool,

    /// Also apply unsafe fixes: those that may break the app (see below).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,

    /// Fix only the findings of this rule (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,

    /// Do not fix the findings of this rule (repeatable).
    #[arg(long = "skip", value_name = "RULE")]
    pub skip: Vec<String>,

    /// Use the result of `minpriv minimize --format json` for the container in scope: its
    /// proven capabilities, user and tmpfs paths instead of the blanket ones.
    #[arg(long = "from", value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Fix only the containers (Kubernetes), services (Compose) or commands (`--name`) with
    /// this name.
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,

    /// Also fix files that .gitignore, .ignore and the global git excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// Print no summary and no notes on standard error, only the diff and errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    #[command(flatten)]
    pub configuration: ConfigArgs,

    #[command(flatten)]
    pub kustomize: KustomizeArgs,
}

const RISK_AFTER_HELP: &str = "\
Examples:
  trivy image -f json -o web.json nginx:1.25
  grype -o json ghcr.io/org/api:2.1 > api.json
  minpriv risk --vulns web.json api.json deploy/ compose.yaml
  minpriv risk --vulns web.json --docker         the running containers of the local engine
  minpriv risk --vulns app:1.0=scout.sarif .     a report that names no image (Docker Scout)
  minpriv explain risk                           the scoring model

Which argument is which: every value after --vulns that is a vulnerability report (Trivy JSON,
Grype JSON, SARIF) is one; the others (folders, Compose files, manifests, `docker inspect`
output) are PATHs to scan, as are arguments before --vulns or after `--`.

Exit codes:
  0  no container scores in the --fail-on band or above
  1  at least one does (the default band, low, is any known vulnerability: a score of 1 or more)
  2  a usage error, or a report or input could not be read or parsed (the rest is still ranked)";

/// Options of `minpriv risk`.
#[derive(Debug, Args)]
#[command(after_long_help = RISK_AFTER_HELP)]
pub struct RiskArgs {
    /// Vulnerability reports: Trivy JSON (`trivy image -f json`), Grype JSON (`grype -o json`)
    /// or SARIF from any scanner (`docker scout cves --format sarif`, `trivy -f sarif`,
    /// `grype -o sarif`); `-` reads one from standard input. Each is matched to the containers
    /// whose image it names (`nginx` = `docker.io/library/nginx:latest`; digests must agree
    /// when both sides pin one). IMAGE=REPORT names the image of a report that names none, or
    /// overrides the one it names.
    #[arg(long = "vulns", value_name = "REPORT", num_args = 1.., required = true)]
    pub vulns: Vec<String>,

    /// Files and folders to read containers from, as `minpriv scan` reads them (default: the
    /// current folder). With --docker: the containers to rank (names, ids or id prefixes).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Rank the containers of the Docker Engine instead of files: the running ones, every one
    /// with --all, or those named as PATHs. Their image ids match reports too.
    #[arg(long)]
    pub docker: bool,

    /// With --docker: stopped and created containers too.
    #[arg(long, requires = "docker")]
    pub all: bool,

    /// How to print the ranking: a text table, JSON (`ranking`, worst first), or a Markdown
    /// table for a pull-request comment.
    #[arg(long, value_enum, default_value_t = RiskFormat::Text, value_name = "FORMAT")]
    pub format: RiskFormat,

    /// Write the ranking to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a container scores in this band or above: critical from 70, high from
    /// 40, medium from 15, low from 1. Default: low.
    #[arg(long, value_enum, value_name = "BAND")]
    pub fail_on: Option<RiskBand>,

    /// Exit with 0 even when a container scores at or above --fail-on (input errors still
    /// exit with 2): rank without failing.
    #[arg(long)]
    pub exit_zero: bool,

    /// Print only the N worst containers (all are still counted for the exit code).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Also read files that .gitignore, .ignore and the global git excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// Text format: the ranking only, no notes about unmatched containers and reports.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `minpriv risk --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RiskFormat {
    /// A table, worst first, each row with why and the best single change.
    Text,
    /// One JSON object; `ranking` is the list, worst first.
    Json,
    /// A Markdown table.
    Markdown,
}

const REPORT_AFTER_HELP: &str = "\
Practices measured, per container where they can be set (a Dockerfile sets only the user):
  non-root                the process runs as a known non-root user
  drop-all-capabilities   capabilities are dropped with ALL (and the container is not privileged)
  no-new-privileges       no-new-privileges / allowPrivilegeEscalation: false
  read-only-rootfs        the root filesystem is read-only
  no-host-namespaces      no host PID, IPC, network, UTS or user namespace

Examples:
  minpriv report ~/src/org --html fleet.html      every folder in ~/src/org is a repository
  minpriv report team-a team-b --format json      the numbers, for a dashboard

Exit codes:
  0  the report was written (findings do not fail it: gate pull requests with `minpriv scan`)
  2  a usage error, or some input or configuration could not be read or parsed (the rest is
     still reported)";

/// Options of `minpriv report`.
#[derive(Debug, Args)]
#[command(after_long_help = REPORT_AFTER_HELP)]
pub struct ReportArgs {
    /// Folders of repositories: each folder that holds `.git` is one repository (a file belongs
    /// to the nearest), and what none holds forms one named after the PATH; a git work tree is
    /// one repository. Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write the report as one self-contained HTML page to FILE: adoption charts, the worst
    /// containers and every finding with its source line. It loads nothing from the network.
    /// Written atomically, like --output.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// How to print the numbers: a table (text) or one JSON object with the same numbers as the
    /// page (`overall`, `repositories`, `containers` worst first).
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text, value_name = "FORMAT")]
    pub format: SummaryFormat,

    /// Write the numbers to FILE instead of standard output (atomically: a temporary file in
    /// the same folder, renamed when complete).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The policy profile of every repository, over what their configuration files say.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    #[command(flatten)]
    pub selection: RuleSelectionArgs,

    #[command(flatten)]
    pub configuration: ConfigArgs,

    #[command(flatten)]
    pub kustomize: KustomizeArgs,

    /// Count only findings of this severity or worse. Default: each repository's
    /// configuration, else low.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<crate::args::MinSeverity>,

    /// Also scan files that .gitignore, .ignore and the global git excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// With --html: a vulnerability report (Trivy JSON, Grype JSON or SARIF; IMAGE=REPORT for
    /// one that names no image), repeatable. The page gains the risk ranking `minpriv risk`
    /// prints: containers ranked by known vulnerabilities weighed against their privileges.
    #[arg(long = "vulns", value_name = "REPORT", requires = "html")]
    pub vulns: Vec<String>,

    /// Read every git repository as of revision REV (a branch, tag or commit) from git's
    /// objects instead of its files on disk; `PATH@REV` does the same for the repositories of
    /// one PATH. Bare repositories (mirrors) are always read from their objects, at HEAD (the
    /// default branch) without a revision.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,

    /// Add the history of each git repository: its default branch (or --rev) sampled at
    /// points in time (twelve monthly points by default), each sample scanned from git's
    /// objects. The page gains adoption over time for the fleet and each repository, the
    /// commits that gave a container privilege (regressions) and the biggest improvements;
    /// --format json gains `history`. A file unchanged between samples is read once.
    #[arg(long)]
    pub history: bool,

    /// With --history: the first point, a date (2026-01-31, UTC) or a span back from today
    /// (6mo, 2w, 1y). Points are taken back from today every --every down to it. Default:
    /// eleven steps back (twelve points).
    #[arg(long, value_name = "WHEN", requires = "history")]
    pub since: Option<String>,

    /// With --history: the step between points: 1d, 1w, 2w, 1mo, 3mo, 1y (calendar units).
    #[arg(long, value_name = "SPAN", default_value = "1mo", requires = "history")]
    pub every: String,
}

/// `minpriv report --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// A table: containers, findings and adoption of each practice per repository.
    Text,
    /// One JSON object with the numbers the HTML page shows.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_follow_the_contract() {
        let cli = Cli::try_parse_from(["minpriv", "scan"]);
        let Ok(Cli {
            command: Command::Scan(args),
        }) = cli
        else {
            panic!("`minpriv scan` must parse: {cli:?}");
        };
        assert_eq!(args.format, OutputFormat::Text);
        assert_eq!(args.fail_on, None, "the configuration file may set it");
        assert_eq!(args.min_severity, None, "the configuration file may set it");
        assert_eq!(args.color, ColorWhen::Auto);
        assert!(args.paths.is_empty());
    }

    #[test]
    fn profiles_are_the_built_in_ones() {
        for name in Profile::names() {
            assert!(
                Cli::try_parse_from(["minpriv", "scan", "--profile", name]).is_ok(),
                "{name}"
            );
        }
        assert!(Cli::try_parse_from(["minpriv", "scan", "--profile", "lenient"]).is_err());
    }

    #[test]
    fn fail_on_has_no_info_level() {
        assert!(Cli::try_parse_from(["minpriv", "scan", "--fail-on", "info"]).is_err());
        assert!(Cli::try_parse_from(["minpriv", "scan", "--min-severity", "info"]).is_ok());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("60").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("abc").is_err());
    }
}

const EXPORT_AFTER_HELP: &str = "Examples:
  minpriv export --to vap --warn-only | kubectl apply -f -     # first: warn and audit only
  minpriv export --to vap | kubectl apply -f -                 # then: deny fail-on and worse
  minpriv export --to kyverno --profile baseline -o policies/
  minpriv export --to gatekeeper --config minpriv.toml --pss-version v1.33

Every binding leaves out the kube-system namespace. Pods that controllers create are checked
too: a waiver for Deployment/web covers its ReplicaSets and their pods.";

/// `minpriv export --to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    /// ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1).
    Vap,
    /// Kyverno ValidatingPolicy (policies.kyverno.io/v1).
    Kyverno,
    /// Gatekeeper ConstraintTemplate (K8sNativeValidation) + constraint.
    Gatekeeper,
}

/// Options of `minpriv export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The admission engine to export for.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub to: ExportTarget,

    /// The policy profile, as for scan. Default: the configuration's, else restricted.
    #[arg(long, value_name = "NAME", value_parser = profile_names())]
    pub profile: Option<String>,

    /// The Pod Security version, rules chosen on the command line: as for scan.
    #[command(flatten)]
    pub selection: RuleSelectionArgs,

    /// The configuration file (rule settings, allowed registries, waivers), as for scan.
    #[command(flatten)]
    pub configuration: ConfigArgs,

    /// Deny rules of this severity or worse; warn about and audit the others. Default: the
    /// configuration's `fail-on`, else low (deny everything the scan fails on).
    #[arg(
        long,
        value_enum,
        value_name = "SEVERITY",
        conflicts_with = "warn_only"
    )]
    pub fail_on: Option<FailOn>,

    /// Rules below this severity are not exported (the scan does not report them). Default:
    /// the configuration's `min-severity`, else low.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<MinSeverity>,

    /// Deny nothing: every validation warns and audits. The first step of a rollout.
    #[arg(long)]
    pub warn_only: bool,

    /// The prefix of the exported objects' names. Default: minpriv-PROFILE.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Write `minpriv-ENGINE.yaml` into this folder (created if missing) instead of printing
    /// to standard output.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
}
