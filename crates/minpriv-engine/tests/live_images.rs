//! Images in the real Docker Engine: a base imported from a hand-made layer (setuid, setgid and
//! file-capability files), and a second image built on it by Docker whose layer deletes, rewrites
//! and hides some of them. Scanned through the engine's export and through `docker save` files.

mod support;

use minpriv_engine::image::{scan_image, scan_image_archive};
use minpriv_engine::{Engine, ImageScan};
use support::{Cleanup, TarBuilder, docker, docker_import, engine_or_skip, net_raw_xattr, unique};

fn special_texts(scan: &ImageScan, image: usize) -> Vec<String> {
    scan.images[image].workload().containers[0]
        .posture
        .setuid_files
        .iter()
        .map(|l| l.value.clone())
        .collect()
}

/// Imports the base image and builds the derived one; returns their tags.
fn build_images(cleanup: &mut Cleanup, dir: &std::path::Path) -> (String, String) {
    let base = unique("base:1");
    let derived = unique("derived:1");
    cleanup.image(&base);
    let rootfs = TarBuilder::new()
        .busybox()
        .dir("usr/")
        .dir("usr/bin/")
        .file("usr/bin/su-test", 0o4755, b"#!/bin/sh\n")
        .file("usr/bin/wall-test", 0o2755, b"#!/bin/sh\n")
        .file_with_capabilities("usr/bin/ping-test", 0o755, b"#!/bin/sh\n", &net_raw_xattr())
        .dir("opt/")
        .dir("opt/app/")
        .file("opt/app/helper", 0o4755, b"#!/bin/sh\n")
        .finish();
    docker_import(&rootfs, &base, &["USER 1000"]);
    // Docker's own layer: a whiteout for su-test, a copy-up of wall-test without its bit, and
    // /opt/app removed and made again in one step (an opaque folder).
    let dockerfile = format!(
        "FROM {base}\n\
         USER 0\n\
         RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox rm /usr/bin/su-test && \
         /bin/busybox chmod 0755 /usr/bin/wall-test && /bin/busybox rm -r /opt/app && \
         /bin/busybox mkdir /opt/app\"]\n"
    );
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    cleanup.build(&derived, dir);
    (base, derived)
}

#[test]
fn scans_images_through_the_engine_and_through_docker_save() {
    let Some(engine) = engine_or_skip("scans_images_through_the_engine_and_through_docker_save")
    else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let dir = tempfile::tempdir().unwrap();
    let (base, derived) = build_images(&mut cleanup, dir.path());

    let all_four = vec![
        "/opt/app/helper".to_string(),
        "/usr/bin/ping-test (file capabilities: NET_RAW)".to_string(),
        "/usr/bin/su-test".to_string(),
        "/usr/bin/wall-test".to_string(),
    ];
    let scan = scan_image(&engine, &base).unwrap();
    assert_eq!(scan.images.len(), 1);
    assert_eq!(scan.images[0].name, base);
    assert_eq!(special_texts(&scan, 0), all_four);
    let w = scan.images[0].workload();
    assert_eq!(w.resource, format!("image/{base}"));
    assert_eq!(
        w.containers[0].posture.image_user.value.as_deref(),
        Some("1000")
    );

    // Only the capability file survives the derived image's layer.
    let scan = scan_image(&engine, &derived).unwrap();
    assert_eq!(scan.images[0].layer_count, 2);
    assert_eq!(
        special_texts(&scan, 0),
        vec!["/usr/bin/ping-test (file capabilities: NET_RAW)"]
    );
    assert_eq!(
        scan.images[0].workload().containers[0]
            .posture
            .image_user
            .value
            .as_deref(),
        Some("0")
    );

    // The same through `docker save` files, both images in one archive.
    let archive = dir.path().join("both.tar");
    docker(&["save", "-o", archive.to_str().unwrap(), &base, &derived]);
    let scan = scan_image_archive(&archive).unwrap();
    assert_eq!(scan.images.len(), 2, "{:?}", scan.notes);
    let by_name = |name: &str| {
        scan.images
            .iter()
            .position(|i| i.name == name)
            .unwrap_or_else(|| panic!("{name} not in {:?}", scan.images))
    };
    assert_eq!(special_texts(&scan, by_name(&base)), all_four);
    assert_eq!(
        special_texts(&scan, by_name(&derived)),
        vec!["/usr/bin/ping-test (file capabilities: NET_RAW)"]
    );

    // The caller names the image (scan shows it as the input's path): the error says what
    // is wrong with it, once.
    let missing = scan_image(&engine, &unique("absent:1")).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("no such image in the engine's local store"),
        "{missing}"
    );
}

#[test]
fn engine_connection_errors_are_one_line() {
    let options = minpriv_engine::ConnectOptions {
        docker_host: Some("unix:///nonexistent/minpriv/docker.sock".into()),
        ..minpriv_engine::ConnectOptions::from_env()
    };
    let err = Engine::connect_with(&options).unwrap_err();
    let text = err.to_string();
    assert_eq!(
        text,
        "no Docker engine answered (tried DOCKER_HOST=unix:///nonexistent/minpriv/docker.sock: \
         no such socket)"
    );

    // A TCP port nobody listens on (bound, then closed, so that it is free).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let options = minpriv_engine::ConnectOptions {
        docker_host: Some(format!("tcp://127.0.0.1:{port}")),
        ..minpriv_engine::ConnectOptions::from_env()
    };
    let text = Engine::connect_with(&options).unwrap_err().to_string();
    assert!(
        text.starts_with(&format!(
            "no Docker engine answered (tried DOCKER_HOST=tcp://127.0.0.1:{port}: "
        )),
        "{text}"
    );
    assert!(text.contains("refused"), "{text}");
    assert!(!text.contains('\n'));

    let options = minpriv_engine::ConnectOptions {
        docker_host: Some("ssh://example.invalid".into()),
        ..minpriv_engine::ConnectOptions::from_env()
    };
    let text = Engine::connect_with(&options).unwrap_err().to_string();
    assert!(text.contains("unsupported address"), "{text}");
}

/// `DOCKER_HOST=tcp://...` against the real engine, through a loopback TCP port forwarded to the
/// engine's unix socket (the daemon here listens on no TCP port).
#[test]
fn connects_over_tcp() {
    let Some(engine) = engine_or_skip("connects_over_tcp") else {
        return;
    };
    let Some(socket) = engine
        .endpoint()
        .strip_prefix("unix://")
        .map(str::to_string)
    else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Forwards at most 64 connections (the handshake and one audit need a handful), then stops.
    std::thread::spawn(move || {
        for tcp in listener.incoming().take(64) {
            let Ok(tcp) = tcp else { continue };
            let Ok(unix) = std::os::unix::net::UnixStream::connect(&socket) else {
                continue;
            };
            let (mut tcp_read, mut unix_write) =
                (tcp.try_clone().unwrap(), unix.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut tcp_read, &mut unix_write);
                let _ = unix_write.shutdown(std::net::Shutdown::Write);
            });
            let (mut unix_read, mut tcp_write) = (unix, tcp);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut unix_read, &mut tcp_write);
                let _ = tcp_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    let options = minpriv_engine::ConnectOptions {
        docker_host: Some(format!("tcp://127.0.0.1:{port}")),
        tls_verify: false,
        ..minpriv_engine::ConnectOptions::from_env()
    };
    let over_tcp = Engine::connect_with(&options).unwrap();
    assert_eq!(over_tcp.endpoint(), format!("tcp://127.0.0.1:{port}"));
    assert_eq!(over_tcp.server_version(), engine.server_version());
    over_tcp.audit_containers(false, &[]).unwrap();
}

/// An image's `io.containers.capabilities` label (Podman's default capabilities for it) is read
/// from its configuration, through the engine and from a `docker save` file alike.
#[test]
fn the_capability_label_of_an_image_is_read() {
    let Some(engine) = engine_or_skip("the_capability_label_of_an_image_is_read") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let tag = unique("labelled:1");
    cleanup.image(&tag);
    let rootfs = TarBuilder::new().busybox().finish();
    docker_import(
        &rootfs,
        &tag,
        &["LABEL io.containers.capabilities=CHOWN,SYS_ADMIN"],
    );
    let live = scan_image(&engine, &tag).unwrap();
    let posture = &live.images[0].workload().containers[0].posture;
    assert_eq!(
        posture.capability_label.value.as_deref(),
        Some("CHOWN,SYS_ADMIN")
    );
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("labelled.tar");
    docker(&["save", "-o", archive.to_str().unwrap(), &tag]);
    let saved = scan_image_archive(&archive).unwrap();
    assert_eq!(
        saved.images[0].capability_label.as_deref(),
        Some("CHOWN,SYS_ADMIN")
    );
    assert!(
        saved.images[0]
            .notes
            .iter()
            .any(|n| n.contains("Podman gives its containers exactly")),
        "{:?}",
        saved.images[0].notes
    );
}
