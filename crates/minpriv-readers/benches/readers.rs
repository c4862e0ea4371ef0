//! Throughput of each reader, in bytes per second, on large generated inputs:
//! `cargo bench -p minpriv-readers` (criterion prints MiB/s or GiB/s per input).
//!
//! Every input is generated here, deterministically, so the figures compare across machines and
//! commits. Sizes are a few MB: large enough that per-call overheads vanish, small enough that a
//! run takes a few minutes on two cores.
//!
//! - `kubernetes/workloads`: Deployments only, every document parsed (the slow path).
//! - `kubernetes/crd_bundle`: an install bundle shaped like the real ones in the corpus (mostly
//!   CRDs and RBAC, a few Deployments), where the reader parses only the workloads.
//! - `yaml/parse`: the spanned YAML tree alone, on the workloads input.
//! - `compose`, `dockerfile`, `shell`, `docker_inspect`: one big input each.
//! - `line_index`: the line index every reader builds, on the workloads input.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use minpriv_model::LineIndex;
use minpriv_readers::{
    NoResolver, command_line, compose, docker_inspect, dockerfile, kubernetes, yaml,
};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

/// About how many bytes each generated input has.
const SIZE: usize = 4 * 1024 * 1024;

fn deployment(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "---\n\
         apiVersion: apps/v1\n\
         kind: Deployment\n\
         metadata:\n  name: app-{i}\n  labels: {{app: app-{i}, tier: web}}\n\
         spec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: app-{i}\n\
         \x20 template:\n    metadata:\n      labels:\n        app: app-{i}\n\
         \x20     annotations:\n        prometheus.io/scrape: \"true\"\n\
         \x20   spec:\n      serviceAccountName: app-{i}\n\
         \x20     securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n\
         \x20     containers:\n\
         \x20       - name: app\n          image: registry.example.com/app:{i}.0  # pinned\n\
         \x20         ports:\n            - containerPort: 8080\n\
         \x20         env:\n            - name: MODE\n              value: 'production'\n\
         \x20         resources:\n            limits: {{cpu: 500m, memory: 256Mi}}\n\
         \x20         securityContext:\n            allowPrivilegeEscalation: false\n\
         \x20           readOnlyRootFilesystem: true\n\
         \x20           capabilities:\n              drop: [\"ALL\"]\n\
         \x20         volumeMounts:\n            - name: data\n              mountPath: /data\n\
         \x20     volumes:\n        - name: data\n          hostPath:\n            path: /var/lib/app-{i}\n"
    );
}

fn crd(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
         metadata:\n  name: things{i}.example.io\nspec:\n  group: example.io\n\
         \x20 names: {{kind: Thing{i}, plural: things{i}}}\n  scope: Namespaced\n  versions:\n\
         \x20   - name: v1\n      served: true\n      storage: true\n      schema:\n\
         \x20       openAPIV3Schema:\n          type: object\n          properties:\n"
    );
    for p in 0..60 {
        let _ = write!(
            out,
            "            field{p}:\n              description: |\n                \
             Field {p} of thing {i}: what it does, in a few words.\n              \
             type: string\n"
        );
    }
    let _ = write!(
        out,
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  \
         name: things{i}\nrules:\n- apiGroups: [example.io]\n  resources: [things{i}]\n  \
         verbs: [get, list, watch]\n"
    );
}

fn workloads() -> String {
    let mut out = String::with_capacity(SIZE + 4096);
    let mut i = 0;
    while out.len() < SIZE {
        deployment(&mut out, i);
        i += 1;
    }
    out
}

fn crd_bundle() -> String {
    let mut out = String::with_capacity(SIZE + 16384);
    let mut i = 0;
    while out.len() < SIZE {
        crd(&mut out, i);
        if i % 20 == 0 {
            deployment(&mut out, i);
        }
        i += 1;
    }
    out
}

fn compose_file() -> String {
    let mut out =
        String::from("x-common: &common\n  restart: always\n  cap_drop: [ALL]\nservices:\n");
    let mut i = 0;
    while out.len() < SIZE {
        let _ = write!(
            out,
            "  svc{i}:\n    <<: *common\n    image: example/svc{i}:1.{i}\n    user: \"1000\"\n\
             \x20   ports:\n      - \"{port}:8080\"\n    environment:\n      MODE: ${{MODE:-prod}}\n\
             \x20   volumes:\n      - ./data/{i}:/data:ro\n      - type: tmpfs\n        target: /tmp\n\
             \x20   cap_add: [NET_BIND_SERVICE]\n    security_opt:\n      - no-new-privileges:true\n",
            port = 10000 + i % 50000
        );
        i += 1;
    }
    out
}

fn dockerfile_text() -> String {
    let mut out = String::from("# syntax=docker/dockerfile:1\nARG BASE=debian:12\n");
    let mut stage = 0;
    while out.len() < SIZE {
        let _ = write!(
            out,
            "FROM ${{BASE}} AS stage{stage}\nARG VERSION=1.{stage}\nENV APP_HOME=/opt/app{stage}\n\
             WORKDIR $APP_HOME\nCOPY . .\n\
             RUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl ca-certificates \\\n\
             \x20   && curl -fsSL https://example.com/tool-$VERSION.tgz | tar -xz -C /usr/local \\\n\
             \x20   && chmod u+s /usr/local/bin/tool \\\n    && rm -rf /var/lib/apt/lists/*\n\
             RUN useradd --uid 10001 app && chown -R app $APP_HOME\nUSER app\n"
        );
        stage += 1;
    }
    out.push_str("FROM stage0\nCMD [\"/usr/local/bin/tool\"]\n");
    out
}

fn shell_script() -> String {
    let mut out = String::from("#!/usr/bin/env bash\nset -euo pipefail\n");
    let mut i = 0;
    while out.len() < SIZE {
        let _ = write!(
            out,
            "# step {i}\necho \"building $i\"\n\
             docker run --rm --cap-add NET_ADMIN -v \"$PWD:/src\" -w /src \\\n  \
             --user 1000:1000 golang:1.22 go test ./pkg/{i}/...\n\
             if [ -f out/{i} ]; then rm -f out/{i}; fi\n"
        );
        i += 1;
    }
    out
}

fn docker_inspect_array() -> String {
    let one = include_str!("../tests/fixtures/docker_inspect/privileged.json").trim();
    let element = one
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(one)
        .trim();
    let mut out = String::from("[\n");
    while out.len() < SIZE {
        if out.len() > 2 {
            out.push_str(",\n");
        }
        out.push_str(element);
    }
    out.push_str("\n]\n");
    out
}

/// Reads an input and returns how many workloads it found (so the work is not optimised away).
type Reader = fn(&str) -> usize;

fn bench_readers(c: &mut Criterion) {
    let mut group = c.benchmark_group("readers");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    let inputs: [(&str, String, Reader); 8] = [
        ("kubernetes/workloads", workloads(), |t| {
            kubernetes::read(t).workloads.len()
        }),
        ("kubernetes/crd_bundle", crd_bundle(), |t| {
            kubernetes::read(t).workloads.len()
        }),
        ("yaml/parse", workloads(), |t| {
            yaml::parse(t).documents.len()
        }),
        ("compose", compose_file(), |t| {
            compose::read(t, &NoResolver).workloads.len()
        }),
        ("dockerfile", dockerfile_text(), |t| {
            dockerfile::read(t).workloads.len()
        }),
        ("shell", shell_script(), |t| {
            command_line::read_shell(t).workloads.len()
        }),
        ("docker_inspect", docker_inspect_array(), |t| {
            docker_inspect::read(t).workloads.len()
        }),
        ("line_index", workloads(), |t| {
            LineIndex::new(t).line_count()
        }),
    ];
    for (name, text, read) in &inputs {
        // A reader that finds nothing in its input measures nothing useful.
        assert!(read(text) > 0, "{name}: the generated input reads as empty");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), text, |b, text| {
            b.iter(|| read(black_box(text)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_readers);
criterion_main!(benches);
