#!/usr/bin/env python3
"""Recall and false-positive rate of minpriv, per concept, on its peers' own labelled test fixtures.

Issue 14 asks for recall >= 0.98 and false positives <= 0.02 per concept. The ground truth here is
not ours: it is the good/bad labelling that Kyverno and Polaris ship with their own policies. A
fixture labelled bad for a peer check counts as found (TP) when minpriv reports the mapped concept
on that resource, else as a miss (FN); a fixture labelled good counts as a false positive (FP) when
minpriv reports the mapped concept on it. Only the concept a fixture is labelled for is counted: a
"good" hostPID fixture that runs as root is not a false positive, it simply is not a root fixture.

Peers (extracted checkouts; this script downloads nothing). Measured at:
  kyverno  github.com/kyverno/policies   b9c4317ce02256dc66118e08bb3e9345e7bfce5c (2026-03-06)
    pod-security/{baseline,restricted}/<policy>/.kyverno-test/kyverno-test.yaml: explicit per
      resource labels (`results: - kind, resources: [names], result: pass|fail`) for the resources
      of the files it lists (resource.yaml).                               -> source kyverno-cli
    pod-security/{baseline,restricted}/<policy>/.chainsaw-test/{pod,podcontroller}-{good,bad}.yaml:
      every document of a *-good file must be admitted, of a *-bad file denied. -> kyverno-chainsaw
  polaris  github.com/FairwindsOps/polaris  c0e23a233b2087272a7f524f1b922f4e3f2f9689 (2026-08-21)
    test/checks/<check>/success*.yaml and failure*.yaml, one fixture per file, labelled by the
      file name (mutated*.yaml, the expected output of `polaris fix`, is not labelled and skipped).

Profiles: Kyverno's baseline policies are scanned with `--profile baseline` and its restricted ones
with `--profile restricted`, because the labels are those of that level: a baseline "good" pod
with no seccomp profile is good at baseline and is meant to be flagged at restricted. Polaris
checks are scanned with `--profile restricted`. `--profile restricted` on the command line
scans everything at restricted instead (then Kyverno's baseline-good pods that set no seccomp
profile are flagged, as restricted means to). `--min-severity info` keeps the info rules
(service-account-token) visible.

Mapping (PEER_CHECKS below): each peer check maps to one concept, a set of minpriv rule ids
(CONCEPTS; a finding of any of them on the fixture counts). Peer checks with no minpriv concept
(resource limits, probes, RBAC, PDBs, ...) are not listed. Deliberately left out:
  kyverno disallow-host-ports-range  a site-specific allowed range (5000-6000), not a PSS control
  kyverno subrule/*                  whole-level policies, not labelled per control
  polaris linuxHardening             "at least one of AppArmor, seccomp, SELinux or a cap drop",
                                     no single concept
Where a peer's label and the API server disagree, minpriv follows the API server, and the miss or
false positive is listed (measured 2026-12-06, Pod Security v1.37):
  kyverno disallow-proc-mount (chainsaw)  5 pods with `hostUsers: false` and `procMount: Unmasked`
      labelled bad; Pod Security baseline allows them since v1.35 (user namespaces).
  kyverno disallow-selinux (chainsaw)     5 pods with type `container_engine_t` labelled bad; Pod
      Security baseline allows it since v1.31.
  polaris insecureCapabilities            4 pods labelled good that drop `All` or the default
      capabilities by name instead of `ALL`; Pod Security restricted rejects all of them.
With `--pss-version v1.30` (the standard of those Kyverno labels) the first two groups are found.
Concepts a binary may lack a rule for (hostProcess, volume types) are kept so their gap shows.
Not used: Checkov (tests/kubernetes/checks/example_*): its labels are file-name conventions
(`-PASSED`, `-1PASSED-1FAILED`, `-UNKNOWN`) with per-resource lists in only a few test_*.py, and
one folder serves several checks (example_ShareHost: hostPID, hostIPC and hostNetwork).

Run (from the repository root, after `cargo build --release`; any clone of the peers will do,
here the local mirrors, at the commits above):
  mkdir -p /tmp/peers/kyverno /tmp/peers/polaris
  git -C /work/.mirror/kyverno+policies/repo archive b9c4317ce02256dc66118e08bb3e9345e7bfce5c \
      pod-security | tar -x -C /tmp/peers/kyverno
  git -C /work/.mirror/FairwindsOps+polaris/repo archive c0e23a233b2087272a7f524f1b922f4e3f2f9689 \
      test/checks | tar -x -C /tmp/peers/polaris
  python3 bench/peer_fixtures.py --minpriv target/release/minpriv \\
      --peer kyverno=/tmp/peers/kyverno --peer polaris=/tmp/peers/polaris
Always exits 0 unless it cannot run minpriv: it is a measurement, not a gate.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# concept -> the minpriv rule ids that report it (a finding of any one counts). Matched on `rule`
# only: a Pod Security Standards control (`pss_control`) spans several concepts (Capabilities is
# both "added" and "not dropped"), so matching on it would widen a concept silently.
# hostpath-volume, restricted-cap-added, restricted-volume-type and windows-host-process are the
# ids of rules being added in the working tree; a binary without them simply finds none.
# "root-uid" is runs-as-root only where minpriv knows the uid is 0:
# Kyverno's require-run-as-non-root-user (PSS "Running as Non-root user") forbids runAsUser: 0 and
# admits a pod that sets no user, which minpriv rightly reports as *may* run as root.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "privileged": ("privileged",),
    "host-namespaces": ("host-pid", "host-ipc", "host-network"),
    "host-pid": ("host-pid",),
    "host-ipc": ("host-ipc",),
    "host-network": ("host-network",),
    "host-path": ("hostpath-volume", "sensitive-hostpath", "docker-socket-mount"),
    "host-port": ("host-port",),
    "caps-added": ("dangerous-cap-added",),
    "caps-not-dropped": ("caps-not-dropped",),
    # PSS restricted Capabilities: drop ALL, and add nothing but NET_BIND_SERVICE.
    "caps-added-restricted": ("restricted-cap-added", "dangerous-cap-added"),
    "caps-restricted": ("caps-not-dropped", "restricted-cap-added", "dangerous-cap-added"),
    "run-as-non-root": ("runs-as-root",),
    "root-uid": ("runs-as-root",),
    "privilege-escalation": ("privilege-escalation-allowed",),
    "readonly-rootfs": ("writable-rootfs",),
    "seccomp": ("seccomp-unconfined",),
    "apparmor": ("apparmor-unconfined",),
    "selinux": ("selinux-disabled",),
    "proc-mount": ("proc-mount-unmasked",),
    "sysctls": ("unsafe-sysctls",),
    "image-tag": ("image-latest-tag",),
    "sa-token": ("service-account-token",),
    "host-process": ("windows-host-process",),
    "volume-types": ("restricted-volume-type", "hostpath-volume", "sensitive-hostpath"),
}

# (peer, check) -> (concept, profile). Kyverno checks are policy folder names, Polaris check names.
PEER_CHECKS: dict[tuple[str, str], tuple[str, str]] = {
    ("kyverno", "disallow-privileged-containers"): ("privileged", "baseline"),
    ("kyverno", "disallow-host-namespaces"): ("host-namespaces", "baseline"),
    ("kyverno", "disallow-host-path"): ("host-path", "baseline"),
    ("kyverno", "disallow-host-ports"): ("host-port", "baseline"),
    ("kyverno", "disallow-capabilities"): ("caps-added", "baseline"),
    ("kyverno", "disallow-host-process"): ("host-process", "baseline"),
    ("kyverno", "disallow-proc-mount"): ("proc-mount", "baseline"),
    ("kyverno", "disallow-selinux"): ("selinux", "baseline"),
    ("kyverno", "restrict-apparmor-profiles"): ("apparmor", "baseline"),
    ("kyverno", "restrict-seccomp"): ("seccomp", "baseline"),
    ("kyverno", "restrict-sysctls"): ("sysctls", "baseline"),
    ("kyverno", "disallow-capabilities-strict"): ("caps-restricted", "restricted"),
    # kyverno-test.yaml labels per rule, and a resource labelled for one rule is unlabelled for the
    # other (the addcap-good* pods pass adding-capabilities-strict but drop nothing): so where a
    # policy's rules are different concepts, its rules are mapped, with policy/rule as the check.
    ("kyverno", "disallow-capabilities-strict/require-drop-all"): ("caps-not-dropped", "restricted"),
    ("kyverno", "disallow-capabilities-strict/adding-capabilities-strict"):
        ("caps-added-restricted", "restricted"),
    ("kyverno", "disallow-privilege-escalation"): ("privilege-escalation", "restricted"),
    ("kyverno", "require-run-as-nonroot"): ("run-as-non-root", "restricted"),
    ("kyverno", "require-run-as-non-root-user"): ("root-uid", "restricted"),
    ("kyverno", "restrict-seccomp-strict"): ("seccomp", "restricted"),
    ("kyverno", "restrict-volume-types"): ("volume-types", "restricted"),
    ("polaris", "runAsPrivileged"): ("privileged", "restricted"),
    ("polaris", "hostPIDSet"): ("host-pid", "restricted"),
    ("polaris", "hostIPCSet"): ("host-ipc", "restricted"),
    ("polaris", "hostNetworkSet"): ("host-network", "restricted"),
    ("polaris", "hostPathSet"): ("host-path", "restricted"),
    ("polaris", "hostPortSet"): ("host-port", "restricted"),
    ("polaris", "dangerousCapabilities"): ("caps-added", "restricted"),
    ("polaris", "insecureCapabilities"): ("caps-not-dropped", "restricted"),
    ("polaris", "runAsRootAllowed"): ("run-as-non-root", "restricted"),
    ("polaris", "privilegeEscalationAllowed"): ("privilege-escalation", "restricted"),
    ("polaris", "notReadOnlyRootFilesystem"): ("readonly-rootfs", "restricted"),
    ("polaris", "procMount"): ("proc-mount", "restricted"),
    ("polaris", "hostProcess"): ("host-process", "restricted"),
    ("polaris", "tagNotSpecified"): ("image-tag", "restricted"),
    ("polaris", "automountServiceAccountToken"): ("sa-token", "restricted"),
}


@dataclass
class Fixture:
    source: str  # kyverno-cli, kyverno-chainsaw, polaris
    check: str
    concept: str
    profile: str
    bad: bool
    path: Path  # resolved
    resource: str | None  # "Kind/name", or None: the whole file is the fixture (Polaris)
    shown: str  # path as printed: relative to the peer's root
    hits: list[dict] = field(default_factory=list)  # findings of the concept on this fixture
    others: set[str] = field(default_factory=set)  # other rules minpriv reported on it
    read: bool = False  # minpriv produced a workload for it
    errors: list[str] = field(default_factory=list)  # invalid-input messages for its file


# --- Reading the peers' labels. Python's stdlib has no YAML parser; the few fields needed
# (kind and metadata.name of each document, and the flat kyverno-test.yaml layout) are read
# line by line, which is enough for these files and independent of what minpriv parses.


def documents(text: str) -> list[str]:
    """Kind/name of each document of a multi-document YAML file (None parts when absent)."""
    out = []
    for doc in re.split(r"^---[^\n]*$", text, flags=re.M):
        kind = re.search(r"^kind:\s*([\w.-]+)", doc, re.M)
        meta = re.search(r"^metadata:\s*\n((?:[ \t]+.*\n?|\s*\n)*)", doc, re.M)
        name = meta and re.search(r"^[ \t]+name:\s*['\"]?([\w.-]+)", meta.group(1), re.M)
        if kind:
            out.append(f"{kind.group(1)}/{name.group(1) if name else '?'}")
    return out


def kyverno_test_results(text: str) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    """The `resources:` files and (rule, kind, name, result) of each entry of a kyverno-test.yaml."""
    files, results, section, entry = [], [], None, {}

    def flush() -> None:
        for name in entry.get("names", []):
            results.append((entry.get("rule", ""), entry.get("kind", "?"), name,
                            entry.get("result", "?")))

    for line in text.splitlines():
        if re.match(r"^\w", line):  # a top-level key
            section = line.split(":")[0]
            continue
        item = re.match(r"^- (.*)", line)
        if section == "resources" and item:
            files.append(item.group(1).strip())
        elif section == "results":
            if item:  # "- kind: Pod" starts an entry
                flush()
                entry, line = {"names": []}, "  " + item.group(1)
            key = re.match(r"^  (\w+):\s*(.*)", line)
            name = re.match(r"^  - (\S+)", line)
            if key and key.group(2):
                entry[key.group(1)] = key.group(2).strip()
            elif name:
                entry["names"].append(name.group(1))
    flush()
    return files, results


def kyverno_fixtures(root: Path) -> list[Fixture]:
    out = []
    for level in ("baseline", "restricted"):
        for pdir in sorted((root / "pod-security" / level).glob("*/")):
            if ("kyverno", pdir.name) not in PEER_CHECKS:
                continue
            concept, profile = PEER_CHECKS[("kyverno", pdir.name)]
            test = pdir / ".kyverno-test" / "kyverno-test.yaml"
            if test.is_file():
                files, results = kyverno_test_results(test.read_text())
                where = {}  # "Kind/name" -> file holding it
                for f in files:
                    p = (test.parent / f).resolve()
                    for doc in documents(p.read_text()):
                        where[doc] = p
                # (check, "Kind/name") -> bad: bad if any rule of the check fails it
                verdict: dict[tuple[str, str], bool] = {}
                for rule, kind, name, result in results:
                    check = f"{pdir.name}/{rule}"
                    check = check if ("kyverno", check) in PEER_CHECKS else pdir.name
                    if result in ("pass", "fail"):
                        key = (check, f"{kind}/{name}")
                        verdict[key] = verdict.get(key, False) or result == "fail"
                for (check, res), bad in verdict.items():
                    p = where.get(res, test.parent / "resource.yaml")
                    out.append(Fixture("kyverno-cli", check, *PEER_CHECKS[("kyverno", check)],
                                       bad, p, res, str(p.relative_to(root))))
            for p in sorted((pdir / ".chainsaw-test").glob("*pod*-*.yaml")):
                label = re.search(r"-(good|bad)\d*\.yaml$", p.name)
                if not label:
                    continue
                for doc in documents(p.read_text()):
                    out.append(Fixture("kyverno-chainsaw", pdir.name, concept, profile,
                                       label.group(1) == "bad", p.resolve(), doc,
                                       str(p.relative_to(root))))
    return out


def polaris_fixtures(root: Path) -> list[Fixture]:
    out = []
    for p in sorted((root / "test" / "checks").glob("*/*.yaml")):
        check = p.parent.name
        if ("polaris", check) not in PEER_CHECKS or not p.name.startswith(("success", "failure")):
            continue
        concept, profile = PEER_CHECKS[("polaris", check)]
        out.append(Fixture("polaris", check, concept, profile, p.name.startswith("failure"),
                           p.resolve(), None, str(p.relative_to(root))))
    return out


# --- Running minpriv.


def matches(concept: str, finding: dict, users: dict) -> bool:
    hit = finding["rule"] in CONCEPTS[concept]
    if hit and concept == "root-uid":  # only a container minpriv knows runs as uid 0
        key = (finding["path"], finding.get("resource"), finding.get("container"))
        hit = users.get(key) == "root"
    return hit


def scan(minpriv: str, profile: str, fixtures: list[Fixture], pss_version: str) -> None:
    """Scan the fixtures' files in batches and attach findings to fixtures via path/resource."""
    files = sorted({str(f.path) for f in fixtures})
    findings, workloads, users = [], set(), {}
    for i in range(0, len(files), 200):
        cmd = [minpriv, "scan", "--format", "json", "--profile", profile, "--no-config",
               "--pss-version", pss_version, "--min-severity", "info", *files[i:i + 200]]
        run = subprocess.run(cmd, capture_output=True, text=True)
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            sys.exit(f"minpriv exited {run.returncode} without JSON: {run.stderr[:2000]}")
        findings += report["findings"]
        for w in report.get("workloads", []):
            path = str(Path(w["path"]).resolve())
            workloads.add((path, w.get("resource")))
            for c in w.get("containers", []):
                users[(path, w.get("resource"), c.get("container"))] = c["user"]["status"]
    for f in findings:
        f["path"] = str(Path(f["path"]).resolve())
    by_file = defaultdict(list)
    for f in findings:
        by_file[f["path"]].append(f)
    for fx in fixtures:
        path = str(fx.path)
        fx.read = any(w[0] == path and fx.resource in (None, w[1]) for w in workloads)
        for f in by_file[path]:
            if f["rule"] == "invalid-input":
                fx.errors.append(f"{f.get('line')}:{f.get('column')} {f['message']}")
            elif fx.resource is None or f.get("resource") == fx.resource:
                if matches(fx.concept, f, users):
                    fx.hits.append(f)
                else:
                    fx.others.add(f["rule"])


# --- Reporting.


def rate(n: int, d: int) -> str:
    return f"{n / d:.3f}" if d else "  -  "


def table(rows: list[tuple[str, list[Fixture]]], title: str) -> None:
    width = max((len(label) for label, _ in rows), default=8)
    print(f"\n{title}")
    print(f"{'':{width}} {'bad':>4} {'TP':>4} {'FN':>4} {'recall':>6}  {'good':>4} {'FP':>4} {'FP rate':>7}")
    for label, fxs in rows:
        bad = [f for f in fxs if f.bad]
        good = [f for f in fxs if not f.bad]
        tp = sum(1 for f in bad if f.hits)
        fp = sum(1 for f in good if f.hits)
        ok = (not bad or tp / len(bad) >= 0.98) and (not good or fp / len(good) <= 0.02)
        print(f"{label:{width}} {len(bad):>4} {tp:>4} {len(bad) - tp:>4} {rate(tp, len(bad)):>6}  "
              f"{len(good):>4} {fp:>4} {rate(fp, len(good)):>7}{'' if ok else '  <- below target'}")


def why(fx: Fixture) -> str:
    if fx.errors:
        return "minpriv could not parse it: " + "; ".join(fx.errors)
    if not fx.read:
        return "minpriv read no workload from it"
    if fx.hits:  # a false positive: say what fired
        return "; ".join(f"{h['rule']} line {h.get('line')}: {h['message']}" for h in fx.hits)
    return "other rules reported: " + (", ".join(sorted(fx.others)) or "none")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minpriv", required=True, help="path to the minpriv binary")
    ap.add_argument("--peer", action="append", required=True, metavar="NAME=DIR",
                    help="an extracted peer checkout: kyverno=DIR or polaris=DIR (repeatable)")
    ap.add_argument("--profile", choices=("baseline", "restricted"),
                    help="scan every fixture with this profile instead of its check's level")
    ap.add_argument("--pss-version", default="latest",
                    help="the Pod Security version minpriv judges at (latest; v1.30 is the "
                         "standard Kyverno's policies were written against)")
    args = ap.parse_args()
    readers = {"kyverno": kyverno_fixtures, "polaris": polaris_fixtures}
    fixtures: list[Fixture] = []
    for spec in args.peer:
        name, _, d = spec.partition("=")
        if name not in readers or not Path(d).is_dir():
            ap.error(f"--peer {spec}: expected one of {sorted(readers)}=an existing folder")
        found = readers[name](Path(d).resolve())
        if not found:
            print(f"warning: no labelled fixtures found for {name} under {d}", file=sys.stderr)
        fixtures += found
    for f in fixtures:
        f.profile = args.profile or f.profile
    version = subprocess.run([args.minpriv, "--version"], capture_output=True, text=True).stdout
    print(f"{version.strip()} ({args.minpriv}); peers: {' '.join(args.peer)}; "
          f"profile: {args.profile or 'per check level'}; Pod Security {args.pss_version}")
    for profile in sorted({f.profile for f in fixtures}):
        scan(args.minpriv, profile, [f for f in fixtures if f.profile == profile],
             args.pss_version)

    by_check = defaultdict(list)
    by_concept = defaultdict(list)
    for f in fixtures:
        by_check[(f.concept, f.source, f.check, f.profile)].append(f)
        by_concept[f.concept].append(f)
    table([(f"{c} {s}:{k} ({p[:4]})", v) for (c, s, k, p), v in sorted(by_check.items())],
          "Per peer check (concept source:check (profile)); a fixture = one resource, or one "
          "Polaris file")
    table(sorted(by_concept.items()), "Per concept, all peers")

    for title, pick in (("MISSES (labelled bad, concept not reported)", lambda f: f.bad and not f.hits),
                        ("FALSE POSITIVES (labelled good, concept reported)",
                         lambda f: not f.bad and f.hits)):
        wrong = [f for f in fixtures if pick(f)]
        print(f"\n{title}: {len(wrong)}")
        for f in sorted(wrong, key=lambda f: (f.concept, f.source, f.check, f.shown, f.resource or "")):
            res = f" {f.resource}" if f.resource else ""
            print(f"  [{f.concept}] {f.source}:{f.check} {f.shown}{res}\n      {why(f)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
