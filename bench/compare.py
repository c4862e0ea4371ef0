#!/usr/bin/env python3
"""Times `minpriv scan`, its peers and the `cat` floor side by side, and prints the ratios.

Run it through bench/compare.sh, which builds minpriv and installs the peers first. Method (the
one of ../shared/bench/peer-baseline.md): every figure times the whole process from outside;
each command gets warm-up runs that are not counted, then counted runs; tables quote the median
wall time, the min-max range, the median CPU time (user + system) and the largest peak RSS of
the counted runs, as `/usr/bin/time -v` reports it (the largest single process of the command).
Output goes to a file, never to a pipe. files/s = files / median wall; MB/s = bytes / 10^6 /
median wall. Everything is run in one invocation, so the `cat` floor is measured on the same
machine, at the same load, as the tools it is compared with.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import monorepo  # noqa: E402  (bench/monorepo.py)

# The targets of the speed issue.
TARGET_CAT_RATIO = 5.0
TARGET_SPEEDUP = {"checkov-k8s": 200.0, "hadolint": 50.0, "dclint": 50.0}
TARGET_PEAK_MIB = 64.0
TARGET_MONOREPO_WALL = 2.0


@dataclass
class Command:
    """One thing to time."""

    key: str  # stable id, used for ratios
    label: str  # as shown in the table
    argv: list[str]  # run as is (no shell); stdout goes to `out`
    cwd: Path
    kind: str  # "floor", "minpriv" or "peer"
    files: int
    nbytes: int
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = (0,)


@dataclass
class Result:
    command: Command
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def peak_mib(self) -> float:
        return max(self.rss_kib) / 1024.0

    @property
    def unexpected_codes(self) -> list[int]:
        return sorted({c for c in self.codes if c not in self.command.ok_codes})


def parse_time_v(text: str) -> tuple[float, int]:
    """(user + system seconds, max RSS KiB) from GNU time's -v report."""
    user = system = 0.0
    rss = 0
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("User time (seconds):"):
            user = float(line.rsplit(":", 1)[1])
        elif line.startswith("System time (seconds):"):
            system = float(line.rsplit(":", 1)[1])
        elif line.startswith("Maximum resident set size (kbytes):"):
            rss = int(line.rsplit(":", 1)[1])
    return user + system, rss


def run_once(cmd: Command, out_dir: Path) -> tuple[float, float, int, int]:
    time_file = out_dir / f"{cmd.key}.time"
    out_file = out_dir / f"{cmd.key}.out"
    env = dict(os.environ)
    env.update(cmd.env)
    with open(out_file, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-v", "-o", str(time_file), *cmd.argv],
            cwd=cmd.cwd,
            stdout=out,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        wall = time.perf_counter() - start
    cpu, rss = parse_time_v(time_file.read_text(errors="replace"))
    return wall, cpu, rss, proc.returncode


def measure(cmds: list[Command], runs: int, warmup: int, out_dir: Path, log) -> list[Result]:
    """Times `cmds` round by round (each command once a round, in turn), so that a change in
    the machine's load during the measurement falls on all of them alike."""
    results = [Result(cmd) for cmd in cmds]
    for _ in range(warmup):
        for cmd in cmds:
            run_once(cmd, out_dir)
    for i in range(runs):
        for result in results:
            cmd = result.command
            wall, cpu, rss, code = run_once(cmd, out_dir)
            result.walls.append(wall)
            result.cpus.append(cpu)
            result.rss_kib.append(rss)
            result.codes.append(code)
            log(f"  {cmd.label}: run {i + 1}/{runs}: {wall:.3f} s, {rss / 1024:.1f} MiB, exit {code}")
    return results


def tree_size(root: Path, folders: list[str], skip=None) -> tuple[int, int]:
    """Regular files (not symlinks) under `folders` of `root`, and their bytes."""
    files = nbytes = 0
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            rel = os.path.relpath(dirpath, root)
            if skip is not None:
                dirnames[:] = [d for d in dirnames if not skip(os.path.join(rel, d), True)]
            for name in filenames:
                path = os.path.join(dirpath, name)
                if skip is not None and skip(os.path.join(rel, name), False):
                    continue
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                files += 1
                nbytes += os.path.getsize(path)
    return files, nbytes


def sh(script: str) -> list[str]:
    return ["sh", "-c", script]


def machine_line() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    osname = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}){mem}, {osname}, Linux {platform.release()}"


def git_revision(root: Path) -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True,
        ).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load() -> str:
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "unknown"


def fmt_int(n: float) -> str:
    return f"{n:,.0f}"


def table(results: list[Result]) -> str:
    head = (
        "| command | files | MB | wall s (median) | wall min–max | cpu s | peak MiB | files/s | MB/s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for r in results:
        c = r.command
        flag = ""
        if r.unexpected_codes:
            flag = f" ⚠ exit {','.join(map(str, r.unexpected_codes))}"
        label = f"**{c.label}**" if c.kind == "minpriv" else c.label
        rows.append(
            f"| {label}{flag} | {fmt_int(c.files)} | {c.nbytes / 1e6:.2f} | {r.wall:.3f} | "
            f"{min(r.walls):.3f}–{max(r.walls):.3f} | {r.cpu:.3f} | {r.peak_mib:.1f} | "
            f"{fmt_int(c.files / r.wall)} | {c.nbytes / 1e6 / r.wall:.1f} |"
        )
    return head + "\n".join(rows) + "\n"


def verdict(ok: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "–"}[ok]


def ratio_table(by_key: dict[str, Result], groups: list[tuple[str, str]]) -> str:
    """`groups`: (group key, shown name)."""
    lines = [
        "| comparison | ratio | target | |",
        "|---|---:|---:|---|",
    ]
    for group, shown in groups:
        mp = by_key.get(f"minpriv-{group}")
        cat = by_key.get(f"cat-{group}")
        if mp is None:
            continue
        if cat is not None:
            ratio = mp.wall / cat.wall
            target = TARGET_CAT_RATIO if group in ("all",) else None
            lines.append(
                f"| minpriv ÷ cat floor, {shown} (wall) | {ratio:.2f}× | "
                f"{'≤ %.0f×' % target if target else '–'} | "
                f"{verdict(ratio <= target if target else None)} |"
            )
        one = by_key.get(f"minpriv1-{group}")
        if one is not None:
            lines.append(
                f"| minpriv on 1 CPU ÷ on {os.cpu_count()} CPUs, {shown} (wall) | "
                f"{one.wall / mp.wall:.2f}× | – | – |"
            )
        for peer_key, result in by_key.items():
            if not peer_key.endswith(f"@{group}"):
                continue
            name = peer_key.split("@", 1)[0]
            speedup = result.wall / mp.wall
            target = TARGET_SPEEDUP.get(name)
            lines.append(
                f"| {result.command.label} ÷ minpriv, {shown} (wall; minpriv is this many "
                f"times faster) | {speedup:,.1f}× | {'≥ %.0f×' % target if target else '–'} | "
                f"{verdict(speedup >= target if target else None)} |"
            )
        if group in ("all", "monorepo"):
            lines.append(
                f"| minpriv peak memory, {shown} | {mp.peak_mib:.1f} MiB | "
                f"< {TARGET_PEAK_MIB:.0f} MiB | {verdict(mp.peak_mib < TARGET_PEAK_MIB)} |"
            )
        if group == "monorepo":
            lines.append(
                f"| minpriv wall, {shown} | {mp.wall:.3f} s | < {TARGET_MONOREPO_WALL:.0f} s | "
                f"{verdict(mp.wall < TARGET_MONOREPO_WALL)} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=HERE.parent, help="the minpriv checkout")
    parser.add_argument("--target", type=Path, help="cargo's target folder (default ROOT/target)")
    parser.add_argument("--corpus", type=Path, help="default: ROOT/../shared/corpus")
    parser.add_argument("--minpriv", type=Path, help="the binary (default TARGET/release/minpriv)")
    parser.add_argument("--runs", type=int, default=3, help="counted runs of minpriv and cat (3)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs of minpriv and cat (1)")
    parser.add_argument("--peer-runs", type=int, default=3, help="counted runs of each peer (3)")
    parser.add_argument("--peer-warmup", type=int, default=1, help="warm-up runs of each peer (1)")
    parser.add_argument("--quick", action="store_true", help="1 peer run, no peer warm-up")
    parser.add_argument("--no-peers", action="store_true", help="minpriv and cat only")
    parser.add_argument("--no-build", action="store_true", help="(compare.sh) use the built binary")
    parser.add_argument(
        "--no-scaling", action="store_true", help="skip minpriv on 1 CPU (taskset -c 0)"
    )
    parser.add_argument(
        "--monorepo", action="store_true",
        help="scan a generated 100,000-file monorepo instead of the corpus",
    )
    parser.add_argument("--monorepo-files", type=int, default=100_000)
    parser.add_argument(
        "--monorepo-dir", type=Path, help="where to generate it (default TARGET/bench-monorepo)"
    )
    parser.add_argument(
        "--monorepo-peers", action="store_true",
        help="also run the peers over the monorepo (slow: checkov alone takes most of an hour)",
    )
    parser.add_argument("--out", type=Path, help="results folder (default TARGET/bench-out)")
    args = parser.parse_args()
    # What the user typed after bench/compare.sh (compare.sh adds --root and --target).
    args.invocation = os.environ.get("BENCH_INVOCATION", "").split()
    if args.quick:
        args.peer_runs, args.peer_warmup = 1, 0

    root = args.root.resolve()
    target = (args.target or root / "target").resolve()
    corpus = (args.corpus or root.parent / "shared" / "corpus").resolve()
    binary = (args.minpriv or target / "release" / "minpriv").resolve()
    out_dir = (args.out or target / "bench-out").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    runs_dir = out_dir / "runs"
    runs_dir.mkdir(exist_ok=True)
    venv_bin = target / "bench-venv" / "bin"
    dclint = target / "bench-npm" / "node_modules" / ".bin" / "dclint"

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if not binary.is_file():
        log(f"compare.py: {binary} is missing; run bench/compare.sh (it builds it)")
        return 2
    if not Path("/usr/bin/time").is_file():
        log("compare.py: /usr/bin/time (GNU time) is missing; run bench/compare.sh")
        return 2

    peers = {}
    if not args.no_peers:
        for name, path in [
            ("checkov", venv_bin / "checkov"),
            ("hadolint", venv_bin / "hadolint"),
            ("dclint", dclint),
        ]:
            if path.is_file():
                peers[name] = str(path)
            else:
                log(f"compare.py: {name} not installed at {path}; left out")

    mp = str(binary)
    commands: list[Command] = []
    groups: list[tuple[str, str]] = []
    floor_env = {"LC_ALL": "C"}

    if args.monorepo:
        mono = (args.monorepo_dir or target / "bench-monorepo").resolve()
        log(f"compare.py: generating the monorepo in {mono} (kept for later runs)")
        stats = monorepo.generate(mono, args.monorepo_files)
        log(
            f"  {stats['files']:,} files, {stats['bytes'] / 1e6:.1f} MB; "
            f"{stats['ignored_files']:,} of them ignored by .gitignore"
        )
        files, nbytes = tree_size(mono, ["."], skip=monorepo.is_ignored)
        prune = " -o ".join(f"-name {shlex.quote(d)}" for d in monorepo.IGNORED_DIRS)
        globs = " ".join(f"! -name {shlex.quote(g)}" for g in monorepo.IGNORED_FILE_GLOBS)
        commands.append(Command(
            "cat-monorepo", "cat floor (ignored files left out)",
            sh(f"find . \\( {prune} \\) -prune -o -type f {globs} -print0 | xargs -0 cat > /dev/null"),
            mono, "floor", files, nbytes, floor_env,
        ))
        commands.append(Command(
            "minpriv-monorepo", "minpriv scan .", [mp, "scan", "."], mono, "minpriv",
            files, nbytes, ok_codes=(0, 1),
        ))
        if not args.no_scaling:
            commands.append(Command(
                "minpriv1-monorepo", "minpriv scan . (1 CPU: taskset -c 0)",
                ["taskset", "-c", "0", mp, "scan", "."], mono, "minpriv", files, nbytes,
                ok_codes=(0, 1),
            ))
        if args.monorepo_peers and "checkov" in peers:
            commands.append(Command(
                "checkov-k8s@monorepo", "checkov --framework kubernetes,dockerfile",
                [peers["checkov"], "-d", ".", "--framework", "kubernetes", "dockerfile",
                 "--quiet", "--compact", "--skip-download", "-o", "json"],
                mono, "peer", files, nbytes, ok_codes=(0, 1),
            ))
        groups.append(("monorepo", f"monorepo ({files:,} files)"))
    else:
        if not corpus.is_dir():
            log(f"compare.py: corpus {corpus} not found (use --corpus)")
            return 2
        layout = [
            ("k8s", ["k8s"], "k8s/"),
            ("dockerfiles", ["dockerfiles"], "dockerfiles/"),
            ("compose", ["compose"], "compose/"),
            ("all", ["k8s", "compose", "dockerfiles"], "all three"),
        ]
        for group, folders, shown in layout:
            files, nbytes = tree_size(corpus, folders)
            quoted = " ".join(folders)
            commands.append(Command(
                f"cat-{group}", f"cat floor, {shown}",
                sh(f"find {quoted} -type f -print0 | xargs -0 cat > /dev/null"),
                corpus, "floor", files, nbytes, floor_env,
            ))
            commands.append(Command(
                f"minpriv-{group}", f"minpriv scan, {shown}", [mp, "scan", *folders],
                corpus, "minpriv", files, nbytes, ok_codes=(0, 1),
            ))
            if group == "all" and not args.no_scaling:
                commands.append(Command(
                    f"minpriv1-{group}", f"minpriv scan, {shown}, 1 CPU (taskset -c 0)",
                    ["taskset", "-c", "0", mp, "scan", *folders],
                    corpus, "minpriv", files, nbytes, ok_codes=(0, 1),
                ))
            if group == "k8s" and "checkov" in peers:
                commands.append(Command(
                    "checkov-k8s@k8s", "checkov --framework kubernetes, k8s/",
                    [peers["checkov"], "-d", "k8s", "--framework", "kubernetes", "--quiet",
                     "--compact", "--skip-download", "-o", "json"],
                    corpus, "peer", files, nbytes, ok_codes=(0, 1),
                ))
            if group == "dockerfiles":
                if "hadolint" in peers:
                    commands.append(Command(
                        "hadolint@dockerfiles", "hadolint (one process), dockerfiles/",
                        sh(f"find dockerfiles -type f -print0 | xargs -0 "
                           f"{shlex.quote(peers['hadolint'])} --no-fail -f json"),
                        corpus, "peer", files, nbytes,
                    ))
                if "checkov" in peers:
                    commands.append(Command(
                        "checkov-dockerfile@dockerfiles", "checkov --framework dockerfile, dockerfiles/",
                        [peers["checkov"], "-d", "dockerfiles", "--framework", "dockerfile",
                         "--quiet", "--compact", "--skip-download", "-o", "json"],
                        corpus, "peer", files, nbytes, ok_codes=(0, 1),
                    ))
            if group == "compose" and "dclint" in peers:
                commands.append(Command(
                    "dclint@compose", "dclint -r, compose/",
                    [peers["dclint"], "-r", "compose", "-f", "json"],
                    corpus, "peer", files, nbytes, ok_codes=(0, 1),
                ))
            groups.append((group, shown))

    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = load()
    results: list[Result] = []
    # Per group: the floor and minpriv interleaved, round by round; then each peer on its own
    # (one peer run takes as long as hundreds of minpriv runs).
    for group, _ in groups:
        members = [c for c in commands if c.key.endswith(f"-{group}") or c.key.endswith(f"@{group}")]
        quick = [c for c in members if c.kind != "peer"]
        log(f"compare.py: {', '.join(c.label for c in quick)} "
            f"({args.warmup} warm-up + {args.runs} runs, interleaved)")
        by_key = {r.command.key: r for r in measure(quick, args.runs, args.warmup, runs_dir, log)}
        for cmd in members:
            if cmd.kind == "peer":
                log(f"compare.py: {cmd.label} ({args.peer_warmup} warm-up + {args.peer_runs} runs)")
                results.extend(measure([cmd], args.peer_runs, args.peer_warmup, runs_dir, log))
            else:
                results.append(by_key[cmd.key])
    load_after = load()

    by_key = {r.command.key: r for r in results}
    mode = "monorepo" if args.monorepo else "corpus"
    title = "100,000-file synthetic monorepo" if args.monorepo else "real-world corpus"
    header = (
        f"### {title}: {started:%Y-%m-%d %H:%M} UTC\n\n"
        f"- machine: {machine_line()}\n"
        f"- load average (1, 5, 15 min) before: {load_before}; after: {load_after}\n"
        f"- minpriv {git_revision(root)}; runs: minpriv and cat {args.warmup} warm-up + "
        f"{args.runs}, peers {args.peer_warmup} warm-up + {args.peer_runs}\n"
        f"- command: `{' '.join(['bench/compare.sh', *map(shlex.quote, args.invocation)])}`\n"
    )
    report = header + "\n" + table(results) + "\n" + ratio_table(by_key, groups)
    print(report)
    (out_dir / f"compare-{mode}.md").write_text(report)
    (out_dir / f"compare-{mode}.json").write_text(json.dumps(
        {
            "started": started.isoformat(),
            "machine": machine_line(),
            "load_before": load_before,
            "load_after": load_after,
            "results": [
                {
                    "key": r.command.key, "label": r.command.label, "argv": r.command.argv,
                    "cwd": str(r.command.cwd), "files": r.command.files,
                    "bytes": r.command.nbytes, "walls": r.walls, "cpus": r.cpus,
                    "rss_kib": r.rss_kib, "exit_codes": r.codes,
                }
                for r in results
            ],
        },
        indent=2,
    ))
    log(f"compare.py: written to {out_dir}/compare-{mode}.md and .json")
    return 1 if any(r.unexpected_codes for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
