//! The live path reads inspect output through bollard's typed `ContainerInspectResponse` and back
//! into JSON before mapping it. Every `docker inspect` fixture of the readers (captured from a
//! real engine) must map to the same posture along that path as when read from the file.

use bollard::models::ContainerInspectResponse;
use minpriv_model::{Runtime, Source};
use minpriv_readers::docker_inspect;

fn strip(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            o.remove("span");
            o.remove("source");
            o.values_mut().for_each(strip);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

#[test]
fn fixtures_map_the_same_through_bollards_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../minpriv-readers/tests/fixtures/docker_inspect");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        // Podman's dumps are no Docker Engine response (`podman inspect` has fields of other
        // types); the engine reads Podman through its Docker-compatible API instead.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("podman_"))
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let from_file = docker_inspect::read(&text);
        assert!(from_file.errors.is_empty(), "{}", path.display());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let objects = match value {
            serde_json::Value::Array(a) => a,
            one => vec![one],
        };
        for (i, object) in objects.into_iter().enumerate() {
            let typed: ContainerInspectResponse = serde_json::from_value(object)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let back = serde_json::to_value(&typed).unwrap();
            let live = docker_inspect::container_from_inspect(
                &back,
                Source::DockerEngine,
                Runtime::Docker,
            )
            .unwrap();
            let mut a = serde_json::to_value(&from_file.workloads[i]).unwrap();
            let mut b = serde_json::to_value(&live.workload).unwrap();
            strip(&mut a);
            strip(&mut b);
            assert_eq!(a, b, "{} #{i}", path.display());
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "only {checked} fixtures found in {}",
        dir.display()
    );
}
