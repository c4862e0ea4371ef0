//! Live containers on the real Docker Engine: started with the flags that matter, audited, and
//! removed by a guard whatever happens. Skipped loudly without an engine, failed instead when
//! `MINPRIV_REQUIRE_DOCKER=1`.

mod support;

use minpriv_engine::{Audit, Engine};
use minpriv_model::{
    AppArmor, CapSpec, Capability, EscapePath, MountKind, Origin, Posture, RootStatus, Runtime,
    Seccomp, Source,
};
use support::{Cleanup, TarBuilder, docker_import, engine_or_skip, unique};

fn posture<'a>(audit: &'a Audit, name: &str) -> &'a Posture {
    let resource = format!("container/{name}");
    let c = audit
        .containers
        .iter()
        .find(|c| c.workload.resource == resource)
        .unwrap_or_else(|| panic!("{resource} not audited: {:?}", audit.errors));
    assert_eq!(c.workload.source, Source::DockerEngine);
    &c.workload.containers[0].posture
}

/// A runnable image (busybox) without a USER, and one with `USER 1234`.
fn images(cleanup: &mut Cleanup, test: &str) -> (String, String) {
    let rootfs = TarBuilder::new().busybox().finish();
    let plain = unique(&format!("{test}-plain:1"));
    let user = unique(&format!("{test}-user:1"));
    cleanup.image(&plain);
    cleanup.image(&user);
    docker_import(&rootfs, &plain, &[]);
    docker_import(&rootfs, &user, &["USER 1234"]);
    (plain, user)
}

#[test]
fn audits_live_containers_with_the_inspect_mapping() {
    let Some(engine) = engine_or_skip("audits_live_containers_with_the_inspect_mapping") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let (image, user_image) = images(&mut cleanup, "audit");
    let n = |s: &str| unique(s);

    // This machine's daemon may be unable to start privileged containers (it lacks some
    // capabilities itself); the container then stays created, and a named audit still reads it.
    let privileged_started = cleanup.run(&n("privileged"), &image, &["--privileged"]);
    if let Err(e) = &privileged_started {
        eprintln!("note: the privileged container could not start here ({e}); auditing it created");
    }
    cleanup
        .run(&n("capadd"), &image, &["--cap-add", "SYS_ADMIN"])
        .unwrap();
    cleanup
        .run(
            &n("sock"),
            &image,
            &["-v", "/var/run/docker.sock:/var/run/docker.sock"],
        )
        .unwrap();
    cleanup
        .run(&n("pidhost"), &image, &["--pid", "host"])
        .unwrap();
    cleanup
        .run(
            &n("hardened"),
            &image,
            &[
                "--read-only",
                "--user",
                "1000",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
            ],
        )
        .unwrap();
    cleanup.run(&n("imageuser"), &user_image, &[]).unwrap();
    cleanup
        .run(
            &n("compose"),
            &image,
            &[
                "--label",
                "com.docker.compose.project=shop",
                "--label",
                "com.docker.compose.service=web",
            ],
        )
        .unwrap();

    let names: Vec<String> = [
        "privileged",
        "capadd",
        "sock",
        "pidhost",
        "hardened",
        "imageuser",
        "compose",
        "no-such-container",
    ]
    .iter()
    .map(|s| n(s))
    .collect();
    let audit = engine.audit_containers(false, &names).unwrap();
    assert_eq!(audit.containers.len(), 7, "{:?}", audit.errors);
    assert_eq!(audit.errors.len(), 1);
    assert!(audit.errors[0].message.contains("no-such-container"));

    let p = posture(&audit, &n("privileged"));
    assert!(p.privileged.value);
    assert_eq!(p.privileged.origin, Origin::Written);
    assert_eq!(p.privileged.span, None);
    assert!(
        p.effective_privileges()
            .escape_paths
            .contains(&EscapePath::Privileged)
    );

    let p = posture(&audit, &n("capadd"));
    let expected_runtime = engine.runtime();
    assert_eq!(p.runtime, expected_runtime);
    assert_eq!(
        p.cap_add
            .iter()
            .map(|c| c.value.clone())
            .collect::<Vec<_>>(),
        vec![CapSpec::Cap(Capability::SYS_ADMIN)]
    );
    // No user anywhere: the image (looked up once) says root.
    assert_eq!(p.user.value, None);
    assert_eq!(p.image_user.value, None);
    assert_eq!(p.image_user.origin, Origin::Image);
    assert!(matches!(p.root_status(), RootStatus::Root { .. }));
    assert!(
        p.effective_privileges()
            .escape_paths
            .contains(&EscapePath::SysAdmin)
    );

    let p = posture(&audit, &n("sock"));
    assert_eq!(p.mounts.len(), 1, "{:?}", p.mounts);
    assert_eq!(p.mounts[0].kind, MountKind::Bind);
    assert_eq!(
        p.mounts[0].host_path.as_deref(),
        Some("/var/run/docker.sock")
    );
    assert!(p.effective_privileges().escape_paths.iter().any(
        |e| matches!(e, EscapePath::RuntimeSocket { host_path } if host_path.contains("docker.sock"))
    ));

    let p = posture(&audit, &n("pidhost"));
    assert!(p.host_pid.value);
    assert_eq!(p.host_pid.origin, Origin::Written);

    let p = posture(&audit, &n("hardened"));
    assert!(p.read_only_rootfs.value);
    assert_eq!(p.user.value.as_deref(), Some("1000"));
    assert_eq!(
        p.cap_drop
            .iter()
            .map(|c| c.value.clone())
            .collect::<Vec<_>>(),
        vec![CapSpec::All]
    );
    assert!(p.no_new_privileges.value);
    assert!(!p.root_status().may_be_root());
    assert!(p.effective_privileges().bounding.is_empty());

    // Docker merges the image's USER into the container's config.
    let p = posture(&audit, &n("imageuser"));
    assert_eq!(p.user.value.as_deref(), Some("1234"));
    assert!(!p.root_status().may_be_root());

    let compose = audit
        .containers
        .iter()
        .find(|c| c.workload.resource == format!("container/{}", n("compose")))
        .unwrap();
    assert_eq!(compose.workload.containers[0].name.as_deref(), Some("web"));
    let group = compose.compose.as_ref().unwrap();
    assert_eq!(
        (group.project.as_str(), group.service.as_str()),
        ("shop", "web")
    );

    // The daemon's own confinement decides what "default" means.
    for c in &audit.containers {
        let p = &c.workload.containers[0].posture;
        if !engine.security().apparmor {
            assert_eq!(
                p.apparmor.value,
                AppArmor::Unconfined,
                "{}",
                c.workload.resource
            );
            assert_eq!(p.apparmor.origin, Origin::RuntimeDefault);
        }
        if engine.security().default_seccomp_unconfined() {
            assert_eq!(p.seccomp.value, Seccomp::Unconfined);
        } else {
            assert_eq!(p.seccomp.value, Seccomp::RuntimeDefault);
        }
    }

    // Without names: the running containers; --all adds the ones that are not running.
    let running = engine.audit_containers(false, &[]).unwrap();
    let all = engine.audit_containers(true, &[]).unwrap();
    let ours = |a: &Audit| {
        a.containers
            .iter()
            .filter(|c| {
                c.workload
                    .resource
                    .starts_with(&format!("container/{}", unique("")))
            })
            .count()
    };
    let expected_running = if privileged_started.is_ok() { 7 } else { 6 };
    assert_eq!(ours(&running), expected_running);
    assert_eq!(ours(&all), 7);

    // By id prefix.
    let id = support::docker(&["inspect", "-f", "{{.Id}}", &n("pidhost")]);
    let by_id = engine
        .audit_containers(false, &[id[..12].to_string()])
        .unwrap();
    assert_eq!(by_id.containers.len(), 1);
    assert_eq!(
        by_id.containers[0].workload.resource,
        format!("container/{}", n("pidhost"))
    );
    assert_eq!(by_id.containers[0].id.as_deref(), Some(id.as_str()));
}

#[test]
fn resolves_image_users_for_static_inputs() {
    let Some(engine) = engine_or_skip("resolves_image_users_for_static_inputs") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let (plain, user) = images(&mut cleanup, "resolve");
    let text = format!(
        "[{{\"Name\": \"/a\", \"HostConfig\": {{\"Privileged\": false}}, \"Config\": {{\"Image\": \"{plain}\"}}}},\n \
         {{\"Name\": \"/b\", \"HostConfig\": {{\"Privileged\": false}}, \"Config\": {{\"Image\": \"{user}\"}}}},\n \
         {{\"Name\": \"/c\", \"HostConfig\": {{\"Privileged\": false}}, \"Config\": {{\"Image\": \"minpriv-absent/x:9\"}}}}]"
    );
    let mut out = minpriv_readers::docker_inspect::read(&text);
    assert!(out.errors.is_empty());
    for w in &out.workloads {
        assert_eq!(w.containers[0].posture.image_user.origin, Origin::Unknown);
    }
    let notes = engine.resolve_image_users(&mut out.workloads);
    let [a, b, c] = &out.workloads[..] else {
        panic!()
    };
    let a = &a.containers[0].posture;
    assert_eq!(
        (a.image_user.value.clone(), a.image_user.origin),
        (None, Origin::Image)
    );
    // The span stays where the file says the user would be set.
    assert_eq!(a.image_user.span.unwrap().line, 1);
    assert!(matches!(a.root_status(), RootStatus::Root { .. }));
    let b = &b.containers[0].posture;
    assert_eq!(b.image_user.value.as_deref(), Some("1234"));
    assert!(!b.root_status().may_be_root());
    let c = &c.containers[0].posture;
    assert_eq!(c.image_user.origin, Origin::Unknown);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("minpriv-absent/x:9"), "{notes:?}");
}

#[test]
fn reports_the_engine_it_found() {
    let Some(engine) = engine_or_skip("reports_the_engine_it_found") else {
        return;
    };
    assert!(!engine.endpoint().is_empty());
    assert!(engine.api_version().starts_with("1."));
    assert!(matches!(
        engine.runtime(),
        Runtime::Docker | Runtime::Podman
    ));
    let _ = Engine::connect().unwrap();
}
