#!/usr/bin/env python3
"""Generates a synthetic fleet of git repositories for benchmarking `minpriv report --history`.

Usage: python3 bench/make_history_fleet.py OUT_DIR [--repos 200] [--commits 100] [--bare-every 4]
                                          [--seed 7] [--end 2026-12-01] [--jobs N] [--force]

Each repository is OUT_DIR/repo-NNN (a work tree, `git init -q -b main`) or, for every
`--bare-every`-th one, a bare mirror OUT_DIR/repo-NNN.git (`git init --bare -q -b main`). Its whole
history is written by ONE `git fast-import` stream (running `git add`/`git commit` per commit
would take minutes for 20,000 commits); work trees then get `git checkout -q -f main` so they look
like normal clones. Nothing else is written into OUT_DIR: `report` takes every folder in it for a
repository, and a stray file there would become one more.

History: `--commits` commits per repository (the first adds every file), committer and author
dates spread evenly over the 400 days before `--end` (the first on the day 400 days before it, the
last on the day before it, UTC), authors from a short list. A repository holds 10-30 files:

- 2-5 Kubernetes manifests deploy/<service>.yaml, each a Deployment with 1-2 containers;
- compose.yaml with 1-3 services;
- 1-2 Dockerfiles (Dockerfile, cmd/worker/Dockerfile);
- filler that is no container configuration: src/*.go, README.md, docs/*.md.

Every commit changes 1-3 files. About 70% of commits are filler only (Go and Markdown edits, now
and then a new filler file or a neutral bump of an image tag or replica count in a manifest);
about 25% harden one thing (a container gains runAsNonRoot, allowPrivilegeEscalation: false,
readOnlyRootFilesystem, or drops ALL capabilities; a Compose service gains user:, cap_drop: [ALL],
read_only: true or no-new-privileges; a Dockerfile gains USER 10001; or a privilege added earlier
is taken away again), plus 0-2 filler files; about 5% regress (privileged: true, hostNetwork: true,
SYS_ADMIN, a Docker socket mount, or a hardening removed). Repositories start mostly unhardened,
so the fleet's adoption rises over the year. YAML is written from string templates and is always
valid. The same arguments give the same commits (same hashes): everything random comes from
random.Random(--seed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

DAY = 86400
SPAN_DAYS = 400

AUTHORS = (
    ("Ada Moreau", "ada@example.com"),
    ("Bram Okafor", "bram@example.com"),
    ("Chen Li", "chen.li@example.com"),
    ("Dana Kowalski", "dana@example.com"),
    ("Emeka Silva", "emeka@example.com"),
    ("Farah Haddad", "farah@example.com"),
    ("Gus Lindqvist", "gus@example.com"),
)

SERVICES = (
    "api", "web", "worker", "billing", "auth", "search", "cart", "catalog", "gateway", "notify",
    "orders", "payments", "reports", "scheduler", "ingest", "metrics", "profile", "inventory",
)
SIDECARS = ("proxy", "log-shipper", "metrics-agent", "cache")
WORDS = (
    "alpha beta gamma delta service handler config request response cache client server user "
    "account order payment invoice cart catalog search index queue worker batch job metric trace "
    "span event stream buffer reader writer parser token session auth"
).split()

# Container hardening fields, in the order a securityContext lists them.
K8S_HARDENING = ("runAsNonRoot", "noEscalation", "readOnlyRoot", "dropAll")
K8S_RISKS = ("privileged", "sysAdmin", "dockerSock")  # per container; hostNetwork is per pod
COMPOSE_HARDENING = ("user", "capDropAll", "readOnly", "noNewPrivs")
COMPOSE_RISKS = ("privileged", "networkHost", "sysAdmin", "dockerSock")

HARDEN_MESSAGES = {
    "runAsNonRoot": "run {c} as non-root",
    "noEscalation": "forbid privilege escalation in {c}",
    "readOnlyRoot": "read-only root filesystem for {c}",
    "dropAll": "drop all capabilities of {c}",
    "user": "run {c} as an unprivileged user",
    "capDropAll": "drop all capabilities of {c}",
    "readOnly": "read-only root filesystem for {c}",
    "noNewPrivs": "no-new-privileges for {c}",
    "privileged": "{c} no longer privileged",
    "sysAdmin": "{c} no longer needs SYS_ADMIN",
    "dockerSock": "stop mounting the Docker socket into {c}",
    "networkHost": "{c} off the host network",
    "hostNetwork": "{c} off the host network",
    "dockerfileUser": "build {c} to run as USER 10001",
}
REGRESS_MESSAGES = {
    "privileged": "run {c} privileged to debug a mount issue",
    "sysAdmin": "{c} needs SYS_ADMIN for fuse",
    "dockerSock": "mount the Docker socket into {c} for builds",
    "networkHost": "{c} on the host network for now",
    "hostNetwork": "{c} on the host network for now",
    "drop": "revert hardening of {c} ({what}), it broke startup",
    "dockerfileUser": "{c} image runs as root again, the entrypoint needs it",
}


@dataclass
class Container:
    name: str
    image: str
    tag: str
    port: int
    flags: set[str] = field(default_factory=set)


@dataclass
class Deployment:
    name: str
    replicas: int
    containers: list[Container]
    host_network: bool = False


@dataclass
class Dockerfile:
    path: str
    base: str
    user: bool


@dataclass
class Repo:
    deployments: dict[str, Deployment]  # path -> Deployment
    compose: list[Container]
    dockerfiles: dict[str, Dockerfile]
    filler: dict[str, str]  # path -> content


# ---------------------------------------------------------------------------------------------
# Rendering (plain templates; every scalar is either a safe word, a number or quoted)


def render_deployment(d: Deployment) -> str:
    out = [
        "apiVersion: apps/v1\n",
        "kind: Deployment\n",
        "metadata:\n",
        f"  name: {d.name}\n",
        "  labels:\n",
        f"    app: {d.name}\n",
        "spec:\n",
        f"  replicas: {d.replicas}\n",
        "  selector:\n",
        "    matchLabels:\n",
        f"      app: {d.name}\n",
        "  template:\n",
        "    metadata:\n",
        "      labels:\n",
        f"        app: {d.name}\n",
        "    spec:\n",
    ]
    if d.host_network:
        out.append("      hostNetwork: true\n")
    out.append("      containers:\n")
    socket = False
    for c in d.containers:
        out += [
            f"        - name: {c.name}\n",
            f'          image: "{c.image}:{c.tag}"\n',
            "          ports:\n",
            f"            - containerPort: {c.port}\n",
            "          resources:\n",
            "            limits:\n",
            '              memory: "256Mi"\n',
        ]
        f = c.flags
        sc = []
        if "privileged" in f:
            sc.append("            privileged: true\n")
        if "runAsNonRoot" in f:
            sc.append("            runAsNonRoot: true\n")
        if "noEscalation" in f:
            sc.append("            allowPrivilegeEscalation: false\n")
        if "readOnlyRoot" in f:
            sc.append("            readOnlyRootFilesystem: true\n")
        if "dropAll" in f or "sysAdmin" in f:
            sc.append("            capabilities:\n")
            if "dropAll" in f:
                sc.append("              drop: [ALL]\n")
            if "sysAdmin" in f:
                sc.append("              add: [SYS_ADMIN]\n")
        if sc:
            out.append("          securityContext:\n")
            out += sc
        if "dockerSock" in f:
            socket = True
            out += [
                "          volumeMounts:\n",
                "            - name: docker-sock\n",
                "              mountPath: /var/run/docker.sock\n",
            ]
    if socket:
        out += [
            "      volumes:\n",
            "        - name: docker-sock\n",
            "          hostPath:\n",
            "            path: /var/run/docker.sock\n",
            "            type: Socket\n",
        ]
    return "".join(out)


def render_compose(services: list[Container]) -> str:
    out = ["services:\n"]
    for s in services:
        f = s.flags
        out += [f"  {s.name}:\n", f'    image: "{s.image}:{s.tag}"\n']
        if "user" in f:
            out.append('    user: "10001:10001"\n')
        if "privileged" in f:
            out.append("    privileged: true\n")
        if "networkHost" in f:
            out.append("    network_mode: host\n")
        if "readOnly" in f:
            out.append("    read_only: true\n")
        if "capDropAll" in f:
            out.append("    cap_drop: [ALL]\n")
        if "sysAdmin" in f:
            out.append("    cap_add: [SYS_ADMIN]\n")
        if "noNewPrivs" in f:
            out.append('    security_opt: ["no-new-privileges:true"]\n')
        if "networkHost" not in f:
            out += ["    ports:\n", f'      - "{s.port}:{s.port}"\n']
        out += ["    environment:\n", f'      LOG_LEVEL: "info"\n']
        if "dockerSock" in f:
            out += ["    volumes:\n", '      - "/var/run/docker.sock:/var/run/docker.sock"\n']
    return "".join(out)


def render_dockerfile(d: Dockerfile) -> str:
    out = [
        "FROM golang:1.23 AS build\n",
        "WORKDIR /src\n",
        "COPY . .\n",
        "RUN go build -o /out/app ./...\n",
        "\n",
        f"FROM {d.base}\n",
        "COPY --from=build /out/app /app\n",
    ]
    if d.user:
        out.append("USER 10001\n")
    out.append('ENTRYPOINT ["/app"]\n')
    return "".join(out)


def go_function(rng: random.Random) -> str:
    name = rng.choice(WORDS).title() + rng.choice(WORDS).title()
    return (
        f"// {name} handles one {rng.choice(WORDS)} {rng.choice(WORDS)}.\n"
        f"func {name}(w http.ResponseWriter, r *http.Request) {{\n"
        f'\tfmt.Fprintf(w, "%s {rng.randint(1, 999)}", r.URL.Path)\n'
        "}\n\n"
    )


def go_file(rng: random.Random) -> str:
    return "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n)\n\n" + "".join(
        go_function(rng) for _ in range(rng.randint(2, 6))
    )


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))).capitalize() + ".\n\n"


def md_file(rng: random.Random, title: str) -> str:
    return f"# {title}\n\n" + "".join(paragraph(rng) for _ in range(rng.randint(1, 4)))


# ---------------------------------------------------------------------------------------------
# The starting state and the changes


def new_container(rng: random.Random, name: str, service: str, port: int, hardened: float) -> Container:
    c = Container(name, f"registry.example.com/shop/{service}", f"1.{rng.randint(0, 9)}.0", port)
    c.flags = {h for h in K8S_HARDENING if rng.random() < hardened}
    return c


def initial_repo(rng: random.Random) -> Repo:
    services = rng.sample(SERVICES, 6)
    deployments = {}
    for name in services[: rng.randint(2, 5)]:
        port = rng.choice((8080, 8443, 9000, 3000))
        cs = [new_container(rng, name, name, port, 0.15)]
        if rng.random() < 0.35:
            side = rng.choice(SIDECARS)
            cs.append(new_container(rng, side, side, port + 1, 0.15))
        d = Deployment(name, rng.randint(1, 4), cs)
        # A few risks from the start, so improvements can also take privilege away.
        for c in cs:
            if rng.random() < 0.06:
                c.flags.add(rng.choice(K8S_RISKS))
        d.host_network = rng.random() < 0.04
        deployments[f"deploy/{name}.yaml"] = d
    compose = []
    for name in rng.sample(services, rng.randint(1, 3)):
        s = Container(name, f"registry.example.com/shop/{name}", "dev", rng.choice((8080, 5000)))
        s.flags = {h for h in COMPOSE_HARDENING if rng.random() < 0.15}
        if rng.random() < 0.08:
            s.flags.add(rng.choice(COMPOSE_RISKS))
        compose.append(s)
    dockerfiles = {"Dockerfile": Dockerfile("Dockerfile", "gcr.io/distroless/base-debian12", rng.random() < 0.2)}
    if rng.random() < 0.5:
        dockerfiles["cmd/worker/Dockerfile"] = Dockerfile("cmd/worker/Dockerfile", "alpine:3.20", rng.random() < 0.2)
    config_files = len(deployments) + 1 + len(dockerfiles)
    total = rng.randint(max(10, config_files + 3), 30)
    filler = {"README.md": md_file(rng, "Service " + services[0])}
    while len(filler) + config_files < total:
        if rng.random() < 0.65:
            path = f"src/{rng.choice(WORDS)}_{rng.choice(WORDS)}.go"
            if path not in filler:
                filler[path] = go_file(rng)
        else:
            word = rng.choice(WORDS)
            path = f"docs/{word}.md"
            if path not in filler:
                filler[path] = md_file(rng, word.title())
    return Repo(deployments, compose, dockerfiles, filler)


def render(repo: Repo, path: str) -> str:
    if path in repo.deployments:
        return render_deployment(repo.deployments[path])
    if path == "compose.yaml":
        return render_compose(repo.compose)
    if path in repo.dockerfiles:
        return render_dockerfile(repo.dockerfiles[path])
    return repo.filler[path]


def all_paths(repo: Repo) -> list[str]:
    return sorted([*repo.deployments, "compose.yaml", *repo.dockerfiles, *repo.filler])


def filler_change(rng: random.Random, repo: Repo, avoid: set[str]) -> tuple[str, str] | None:
    """Edits (or adds) a file that is no container configuration; returns (path, message)."""
    roll = rng.random()
    if roll < 0.08:
        # A neutral change to a manifest: same privileges, new blob for the history to read.
        path = rng.choice(sorted(repo.deployments))
        if path in avoid:
            return None
        d = repo.deployments[path]
        if rng.random() < 0.5:
            c = rng.choice(d.containers)
            major, minor, _ = c.tag.split(".")
            c.tag = f"{major}.{int(minor) + 1}.0"
            return path, f"bump {c.name} to {c.tag}"
        d.replicas = rng.randint(1, 6)
        return path, f"scale {d.name} to {d.replicas} replicas"
    if roll < 0.12 and len(all_paths(repo)) < 30:
        word = rng.choice(WORDS)
        path = f"src/{word}_{rng.choice(WORDS)}.go" if rng.random() < 0.6 else f"docs/{word}.md"
        if path in repo.filler or path in avoid:
            return None
        repo.filler[path] = go_file(rng) if path.endswith(".go") else md_file(rng, word.title())
        return path, f"add {path}"
    path = rng.choice(sorted(repo.filler))
    if path in avoid:
        return None
    text = repo.filler[path]
    if path.endswith(".go"):
        if rng.random() < 0.3 and text.count("func ") > 2:
            # Drop the last function: files shrink as well as grow.
            text = text[: text.rstrip().rfind("\n// ") + 1]
            repo.filler[path] = text
            return path, f"remove dead code from {path}"
        repo.filler[path] = text + go_function(rng)
        return path, f"{rng.choice(('add', 'implement', 'handle'))} {rng.choice(WORDS)} in {path}"
    repo.filler[path] = text + paragraph(rng)
    return path, f"docs: {rng.choice(('clarify', 'expand', 'fix typos in'))} {path}"


def candidates(repo: Repo, harden: bool) -> list[tuple[str, str, object, str]]:
    """Every possible hardening (or regression) as (path, key, object, kind)."""
    out = []
    for path, d in sorted(repo.deployments.items()):
        if harden:
            if d.host_network:
                out.append((path, "hostNetwork", d, "pod-off"))
            for c in d.containers:
                out += [(path, h, c, "add") for h in K8S_HARDENING if h not in c.flags]
                out += [(path, r, c, "off") for r in K8S_RISKS if r in c.flags]
        else:
            if not d.host_network:
                out.append((path, "hostNetwork", d, "pod-on"))
            for c in d.containers:
                out += [(path, r, c, "on") for r in K8S_RISKS if r not in c.flags]
                out += [(path, h, c, "drop") for h in K8S_HARDENING if h in c.flags]
    for s in repo.compose:
        if harden:
            out += [("compose.yaml", h, s, "add") for h in COMPOSE_HARDENING if h not in s.flags]
            out += [("compose.yaml", r, s, "off") for r in COMPOSE_RISKS if r in s.flags]
        else:
            out += [("compose.yaml", r, s, "on") for r in COMPOSE_RISKS if r not in s.flags]
            out += [("compose.yaml", h, s, "drop") for h in COMPOSE_HARDENING if h in s.flags]
    for path, d in sorted(repo.dockerfiles.items()):
        if d.user == harden:
            continue
        out.append((path, "dockerfileUser", d, "add" if harden else "drop"))
    return out


def security_change(rng: random.Random, repo: Repo, harden: bool) -> tuple[str, str] | None:
    options = candidates(repo, harden)
    if not harden:
        # A regression adds a privilege three times as often as it reverts a hardening.
        adds = [o for o in options if o[3] in ("on", "pod-on")]
        drops = [o for o in options if o[3] == "drop"]
        options = drops if drops and rng.random() < 0.25 else adds
    if not options:
        return None
    path, key, obj, kind = rng.choice(options)
    name = f"{obj.name}" if not isinstance(obj, Dockerfile) else obj.path
    if kind == "pod-off":
        obj.host_network = False
    elif kind == "pod-on":
        obj.host_network = True
    elif key == "dockerfileUser":
        obj.user = harden
    elif kind in ("add", "on"):
        obj.flags.add(key)
    else:
        obj.flags.discard(key)
    if harden:
        return path, HARDEN_MESSAGES[key].format(c=name)
    if kind == "drop" and key != "dockerfileUser":
        return path, REGRESS_MESSAGES["drop"].format(c=name, what=key)
    return path, REGRESS_MESSAGES[key].format(c=name)


# ---------------------------------------------------------------------------------------------
# The fast-import stream


def data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


@dataclass
class Built:
    stream: bytes
    files: int
    hardenings: int
    regressions: int


def build_stream(rng: random.Random, commits: int, start: int, end: int) -> Built:
    repo = initial_repo(rng)
    # Even spacing from `start` to one hour before `end`; interior commits move by up to a third
    # of the gap either way and the first and last by up to an hour later, so dates stay in order
    # and every repository's first and last days are those 400 days apart.
    gap = (end - 3600 - start) / max(1, commits - 1)
    stamps = []
    for i in range(commits):
        t = start + i * gap
        if 0 < i < commits - 1:
            t += rng.uniform(-gap / 3, gap / 3)
        else:
            t += rng.uniform(0, 3599)
        stamps.append(int(t))
    parts = []
    hardenings = regressions = 0
    for i, when in enumerate(stamps):
        name, email = rng.choice(AUTHORS)
        if i == 0:
            changed = all_paths(repo)
            message = "initial import"
        else:
            roll = rng.random()
            changes: list[tuple[str, str]] = []
            if roll < 0.05:
                c = security_change(rng, repo, harden=False)
                if c:
                    changes.append(c)
                    regressions += 1
            elif roll < 0.30:
                c = security_change(rng, repo, harden=True)
                if c:
                    changes.append(c)
                    hardenings += 1
            want = rng.randint(1, 3)
            tries = 0
            while len(changes) < want and tries < 20:
                tries += 1
                c = filler_change(rng, repo, {p for p, _ in changes})
                if c:
                    changes.append(c)
            changed = [p for p, _ in changes]
            message = changes[0][1] + "".join(f"\n\n- {m}" for _, m in changes[1:])
        ident = f"{name} <{email}> {when} +0000".encode()
        parts += [
            b"commit refs/heads/main\n",
            b"author " + ident + b"\n",
            b"committer " + ident + b"\n",
            data(message.encode() + b"\n"),
        ]
        for path in changed:
            parts.append(b"M 100644 inline " + path.encode() + b"\n")
            parts.append(data(render(repo, path).encode()))
        parts.append(b"\n")
    parts.append(b"done\n")
    return Built(b"".join(parts), len(all_paths(repo)), hardenings, regressions)


def git(args: list[str], cwd: Path, stdin: bytes | None = None) -> None:
    # No user or system configuration: hooks, templates, signing or autocrlf must not change what
    # a benchmark reads, and init.defaultBranch is given by -b anyway.
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    res = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {cwd} failed:\n{res.stderr.decode(errors='replace')}")


def write_repo(path: Path, bare: bool, stream: bytes) -> None:
    if bare:
        git(["init", "--bare", "-q", "-b", "main", str(path)], path.parent)
    else:
        git(["init", "-q", "-b", "main", str(path)], path.parent)
    git(["fast-import", "--quiet", "--done", "--date-format=raw"], path, stream)
    if not bare:
        # fast-import fills refs/heads/main only; this writes the index and the files.
        git(["checkout", "-q", "-f", "main"], path)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("out_dir", metavar="OUT_DIR", type=Path)
    ap.add_argument("--repos", type=int, default=200, help="repositories (default 200)")
    ap.add_argument("--commits", type=int, default=100, help="commits per repository (default 100)")
    ap.add_argument("--bare-every", type=int, default=4,
                    help="every Nth repository is a bare mirror repo-NNN.git; 0: none (default 4)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--end", default="2026-12-01",
                    help="history ends the day before this date, UTC (default 2026-12-01)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="git processes at once (default: the number of CPUs)")
    ap.add_argument("--force", action="store_true",
                    help="replace an OUT_DIR that is not empty (only if it holds nothing but repo-*)")
    args = ap.parse_args()
    if args.repos < 1 or args.commits < 1 or args.bare_every < 0:
        ap.error("--repos and --commits must be at least 1, --bare-every at least 0")
    try:
        end_date = dt.date.fromisoformat(args.end)
    except ValueError:
        ap.error(f"--end: not a date YYYY-MM-DD: {args.end}")
    end = int(dt.datetime(end_date.year, end_date.month, end_date.day, tzinfo=dt.timezone.utc).timestamp())
    start = end - SPAN_DAYS * DAY

    # Absolute: git runs with each repository as its working folder.
    out: Path = args.out_dir.resolve()
    if out.exists() and any(out.iterdir()):
        strays = [p.name for p in out.iterdir() if not p.name.startswith("repo-")]
        if not args.force or strays:
            why = f"it holds {', '.join(sorted(strays)[:3])}" if strays else "use --force to replace it"
            print(f"make_history_fleet: {out} is not empty ({why})", file=sys.stderr)
            return 2
        for p in out.iterdir():
            shutil.rmtree(p)
    out.mkdir(parents=True, exist_ok=True)

    began = time.monotonic()
    rng = random.Random(args.seed)
    width = max(3, len(str(args.repos - 1)))
    totals = {"bare": 0, "files": 0, "hardenings": 0, "regressions": 0}
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = []
        for n in range(args.repos):
            # One seed per repository, drawn in order: a repository does not depend on the others'
            # random draws, and --repos 6 gives the first 6 repositories of --repos 200.
            repo_rng = random.Random(rng.getrandbits(64))
            built = build_stream(repo_rng, args.commits, start, end)
            bare = args.bare_every > 0 and n % args.bare_every == args.bare_every - 1
            path = out / (f"repo-{n:0{width}d}" + (".git" if bare else ""))
            totals["bare"] += bare
            totals["files"] += built.files
            totals["hardenings"] += built.hardenings
            totals["regressions"] += built.regressions
            futures.append(pool.submit(write_repo, path, bare, built.stream))
        for f in futures:
            f.result()
    took = time.monotonic() - began

    first = dt.datetime.fromtimestamp(start, dt.timezone.utc).date()
    last = end_date - dt.timedelta(days=1) if args.commits > 1 else first
    print(f"fleet: {out}")
    print(f"repositories: {args.repos} ({totals['bare']} bare, {args.repos - totals['bare']} work trees)")
    print(f"commits: {args.repos * args.commits} ({args.commits} each, {first} to {last} UTC; "
          f"{totals['hardenings']} hardening, {totals['regressions']} regressions)")
    print(f"files: {totals['files']} at HEAD")
    print(f"seconds: {took:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
