//! Image archives made by hand: `docker save` layouts, OCI layouts (tar and folder), whiteouts,
//! opaque folders, overwrites, and hostile input. No engine needed.

mod support;

use minpriv_engine::image::{scan_image_archive, scan_image_reader};
use minpriv_model::{Origin, Source};
use support::{TarBuilder, gzip, net_raw_xattr, outer_tar};

const CONFIG: &[u8] =
    br#"{"architecture":"amd64","os":"linux","config":{"User":"","Entrypoint":["/bin/app"],"Cmd":["--serve"]},"rootfs":{"type":"layers","diff_ids":[]}}"#;

/// Layer 1: setuid, setgid and capability files, a plain file, a folder with a setuid file.
fn base_layer() -> Vec<u8> {
    TarBuilder::new()
        .dir("usr/")
        .dir("usr/bin/")
        .file("usr/bin/su", 0o4755, b"su")
        .file("usr/bin/wall", 0o2755, b"wall")
        .file("usr/bin/keep", 0o4711, b"keep")
        .file_with_capabilities("usr/bin/ping", 0o755, b"ping", &net_raw_xattr())
        .file("usr/bin/plain", 0o755, b"plain")
        .dir("opt/")
        .dir("opt/app/")
        .dir("opt/app/sbin/")
        .file("opt/app/sbin/helper", 0o6755, b"helper")
        .dir("srv/")
        .file("srv/tool/run", 0o4755, b"run")
        .finish()
}

/// Layer 2: deletes su, overwrites wall without the bit, makes /opt/app opaque, replaces the
/// folder /srv/tool with a file.
fn upper_layer() -> Vec<u8> {
    TarBuilder::new()
        .dir("usr/bin/")
        .file("usr/bin/.wh.su", 0o644, b"")
        .file("usr/bin/wall", 0o755, b"wall2")
        .dir("opt/app/")
        .file("opt/app/.wh..wh..opq", 0o644, b"")
        .file("opt/app/new", 0o755, b"new")
        .file("srv/tool", 0o644, b"now a file")
        .finish()
}

fn texts(scan: &minpriv_engine::ImageScan) -> Vec<String> {
    let w = scan.images[0].workload();
    w.containers[0]
        .posture
        .setuid_files
        .iter()
        .map(|l| l.value.clone())
        .collect()
}

#[test]
fn docker_save_layout_honours_whiteouts_opaque_folders_and_overwrites() {
    let manifest = br#"[{"Config":"cfg.json","RepoTags":["app:1.0"],"Layers":["l1/layer.tar","l2/layer.tar"]}]"#;
    // The upper layer comes first in the file and the manifest last, as Docker writes them
    // (sorted names): the order must come from the manifest.
    let archive = outer_tar(&[
        ("cfg.json", CONFIG),
        ("l2/layer.tar", &upper_layer()),
        ("l1/layer.tar", &base_layer()),
        ("manifest.json", manifest),
    ]);
    let scan = scan_image_reader(archive.as_slice(), "fallback").unwrap();
    assert_eq!(scan.images.len(), 1);
    let image = &scan.images[0];
    assert_eq!(image.name, "app:1.0");
    assert_eq!(image.layer_count, 2);
    assert_eq!(image.entrypoint, vec!["/bin/app"]);
    assert_eq!(image.cmd, vec!["--serve"]);
    assert_eq!(
        texts(&scan),
        vec![
            "/usr/bin/keep",
            "/usr/bin/ping (file capabilities: NET_RAW)"
        ]
    );
    assert!(image.notes.is_empty(), "{:?}", image.notes);

    let w = image.workload();
    assert_eq!(w.source, Source::Image);
    assert_eq!(w.resource, "image/app:1.0");
    let p = &w.containers[0].posture;
    assert_eq!(p.image.value.as_deref(), Some("app:1.0"));
    // An empty User is root, decided by the image.
    assert_eq!(p.image_user.value, None);
    assert_eq!(p.image_user.origin, Origin::Image);
    assert!(matches!(
        p.root_status(),
        minpriv_model::RootStatus::Root { .. }
    ));
    assert!(p.setuid_files.iter().all(|l| l.origin == Origin::Image));
}

#[test]
fn without_the_upper_layer_everything_is_reported() {
    let manifest = br#"[{"Config":"cfg.json","RepoTags":null,"Layers":["l1/layer.tar"]}]"#;
    let archive = outer_tar(&[
        ("cfg.json", CONFIG),
        ("l1/layer.tar", &base_layer()),
        ("manifest.json", manifest),
    ]);
    let scan = scan_image_reader(archive.as_slice(), "named-by-caller").unwrap();
    assert_eq!(scan.images[0].name, "named-by-caller");
    assert_eq!(
        texts(&scan),
        vec![
            "/opt/app/sbin/helper",
            "/srv/tool/run",
            "/usr/bin/keep",
            "/usr/bin/ping (file capabilities: NET_RAW)",
            "/usr/bin/su",
            "/usr/bin/wall",
        ]
    );
    let helper = &scan.images[0].special_files[0];
    assert!(helper.setuid && helper.setgid);
}

#[test]
fn a_setuid_file_deleted_in_a_later_layer_is_not_reported() {
    let l1 = TarBuilder::new().file("bin/mount", 0o4755, b"m").finish();
    let l2 = TarBuilder::new().file("bin/.wh.mount", 0, b"").finish();
    let l3 = TarBuilder::new().file("etc/motd", 0o644, b"hi").finish();
    let manifest = br#"[{"Config":"c.json","RepoTags":["w:1"],"Layers":["a/layer.tar","b/layer.tar","c/layer.tar"]}]"#;
    let archive = outer_tar(&[
        ("a/layer.tar", &l1),
        ("b/layer.tar", &l2),
        ("c/layer.tar", &l3),
        ("c.json", br#"{"config":{"User":"1000"}}"#),
        ("manifest.json", manifest),
    ]);
    let scan = scan_image_reader(archive.as_slice(), "x").unwrap();
    assert!(scan.images[0].special_files.is_empty());
    assert_eq!(scan.images[0].user.as_deref(), Some("1000"));
    let p = &scan.images[0].workload().containers[0].posture;
    assert!(!p.root_status().may_be_root());

    // Re-added after the deletion: reported again, from the layer that re-added it.
    let l4 = TarBuilder::new().file("bin/mount", 0o4755, b"m2").finish();
    let manifest = br#"[{"Config":"c.json","Layers":["a/layer.tar","b/layer.tar","d/layer.tar"]}]"#;
    let archive = outer_tar(&[
        ("a/layer.tar", &l1),
        ("b/layer.tar", &l2),
        ("d/layer.tar", &l4),
        ("c.json", br#"{"config":{}}"#),
        ("manifest.json", manifest),
    ]);
    let scan = scan_image_reader(archive.as_slice(), "x").unwrap();
    assert_eq!(scan.images[0].special_files.len(), 1);
    assert_eq!(scan.images[0].special_files[0].layer, 2);
}

#[test]
fn shared_layers_linked_in_the_archive_are_followed() {
    let manifest = br#"[{"Config":"cfg.json","RepoTags":["a:1"],"Layers":["l1/layer.tar"]},
                        {"Config":"cfg.json","RepoTags":["b:1"],"Layers":["l9/layer.tar"]}]"#;
    let archive = TarBuilder::new()
        .file("cfg.json", 0o644, CONFIG)
        .file("l1/layer.tar", 0o644, &base_layer())
        .symlink("l9/layer.tar", "../l1/layer.tar")
        .file("manifest.json", 0o644, manifest)
        .finish();
    let scan = scan_image_reader(archive.as_slice(), "x").unwrap();
    assert_eq!(scan.images.len(), 2);
    assert_eq!(scan.images[1].name, "b:1");
    assert_eq!(scan.images[0].special_files, scan.images[1].special_files);
    assert_eq!(scan.images[1].special_files.len(), 6);
}

fn digest(n: u8) -> String {
    format!("sha256:{}", format!("{n:02x}").repeat(32))
}

fn blob(n: u8) -> String {
    format!("blobs/sha256/{}", format!("{n:02x}").repeat(32))
}

/// An OCI layout: index -> (nested index with two platforms) -> manifest -> config, two gzip
/// layers.
fn oci_entries() -> Vec<(String, Vec<u8>)> {
    let config = br#"{"architecture":"amd64","os":"linux","config":{"User":"app","Cmd":["run"]}}"#;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":1}},
            "layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":1}},
                      {{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":1}}]}}"#,
        digest(1),
        digest(2),
        digest(3)
    );
    let other_arch = format!(
        r#"{{"schemaVersion":2,"config":{{"digest":"{}"}},"layers":[]}}"#,
        digest(1)
    );
    let (host, other) = if std::env::consts::ARCH == "aarch64" {
        ("arm64", "amd64")
    } else {
        ("amd64", "arm64")
    };
    let nested = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"{other}"}}}},
            {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"{host}"}}}},
            {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":1,"platform":{{"os":"unknown","architecture":"unknown"}},
              "annotations":{{"vnd.docker.reference.type":"attestation-manifest"}}}}]}}"#,
        digest(5),
        digest(4),
        digest(5)
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{}","size":1,
            "annotations":{{"io.containerd.image.name":"registry.example.com/team/app:2.0","org.opencontainers.image.ref.name":"2.0"}}}}]}}"#,
        digest(6)
    );
    let l1 = gzip(&base_layer());
    let l2 = gzip(&upper_layer());
    vec![
        (blob(1), config.to_vec()),
        (blob(2), l1),
        (blob(3), l2),
        (blob(4), manifest.into_bytes()),
        (blob(5), other_arch.into_bytes()),
        (blob(6), nested.into_bytes()),
        ("index.json".into(), index.into_bytes()),
        (
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
    ]
}

fn check_oci(scan: &minpriv_engine::ImageScan) {
    assert_eq!(scan.images.len(), 1, "{:?}", scan.notes);
    let image = &scan.images[0];
    assert_eq!(image.name, "registry.example.com/team/app:2.0");
    assert_eq!(image.user.as_deref(), Some("app"));
    assert_eq!(image.layer_count, 2);
    assert_eq!(
        texts(scan),
        vec![
            "/usr/bin/keep",
            "/usr/bin/ping (file capabilities: NET_RAW)"
        ]
    );
    let p = &image.workload().containers[0].posture;
    assert_eq!(p.image_user.value.as_deref(), Some("app"));
    assert!(!p.root_status().may_be_root());
}

#[test]
fn oci_layout_in_a_gzipped_tar() {
    let entries = oci_entries();
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let archive = gzip(&outer_tar(&refs));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.oci.tar.gz");
    std::fs::write(&path, archive).unwrap();
    check_oci(&scan_image_archive(&path).unwrap());
}

#[test]
fn oci_layout_in_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    for (path, data) in oci_entries() {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    check_oci(&scan_image_archive(dir.path()).unwrap());
}

#[test]
fn a_folder_layout_cannot_be_led_outside_itself() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    std::fs::create_dir_all(&layout).unwrap();
    // A blob outside the layout that a traversal would find.
    std::fs::write(dir.path().join("secret.json"), br#"{"manifests":[]}"#).unwrap();
    std::fs::write(
        layout.join("manifest.json"),
        br#"[{"Config":"../secret.json","Layers":["../../etc/passwd","/etc/passwd"]}]"#,
    )
    .unwrap();
    let scan = scan_image_archive(&layout).unwrap();
    let image = &scan.images[0];
    assert!(!image.config_known);
    assert!(image.special_files.is_empty());
    assert!(
        scan.notes.iter().any(|n| n.contains("missing")),
        "{:?}",
        scan.notes
    );
    // An unknown user stays unknown.
    let p = &image.workload().containers[0].posture;
    assert_eq!(p.image_user.origin, Origin::Unknown);
}

#[test]
fn zstd_layers_are_skipped_with_a_note() {
    let zstd_magic = [0x28u8, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0];
    let archive = outer_tar(&[
        ("l/layer.tar", &zstd_magic),
        ("c.json", br#"{"config":{}}"#),
        (
            "manifest.json",
            br#"[{"Config":"c.json","Layers":["l/layer.tar"]}]"#,
        ),
    ]);
    let scan = scan_image_reader(archive.as_slice(), "z").unwrap();
    let out = scan.into_output();
    assert!(
        out.notes.iter().any(|n| n.contains("zstd")),
        "{:?}",
        out.notes
    );
}

#[test]
fn hostile_archives_give_errors_or_notes_not_panics() {
    // Not a tar at all.
    assert!(scan_image_reader(&b"hello world"[..], "x").is_err());
    assert!(scan_image_reader(&[][..], "x").is_err());
    // A tar with neither manifest.json nor index.json.
    let plain = outer_tar(&[("etc/motd", b"hi")]);
    let err = scan_image_reader(plain.as_slice(), "x").unwrap_err();
    assert!(err.to_string().contains("manifest.json"), "{err}");

    // A layer whose PAX header claims 8 GiB: refused without reading it into memory.
    let mut layer = TarBuilder::new().file("a", 0o4755, b"a").finish();
    let mut evil = tar::Header::new_ustar();
    evil.set_path("PaxHeaders/evil").unwrap();
    evil.set_entry_type(tar::EntryType::XHeader);
    evil.set_size(8 << 30);
    evil.set_cksum();
    layer.truncate(layer.len() - 1024); // drop the end-of-archive blocks
    layer.extend_from_slice(evil.as_bytes());
    layer.extend(std::iter::repeat_n(b'9', 4 << 20)); // 4 MiB of the claimed 8 GiB
    let archive = outer_tar(&[
        ("l/layer.tar", &gzip(&layer)),
        ("c.json", br#"{"config":{}}"#),
        (
            "manifest.json",
            br#"[{"Config":"c.json","Layers":["l/layer.tar"]}]"#,
        ),
    ]);
    let scan = scan_image_reader(archive.as_slice(), "x").unwrap();
    // What came before the bad record is still reported, with a note.
    assert_eq!(scan.images[0].special_files.len(), 1);
    assert!(
        scan.images[0].notes.iter().any(|n| n.contains("PAX")),
        "{:?}",
        scan.images[0].notes
    );

    // Truncated outer archive: the manifest never arrives.
    let full = outer_tar(&[
        ("l/layer.tar", &base_layer()),
        (
            "manifest.json",
            br#"[{"Config":"c.json","Layers":["l/layer.tar"]}]"#,
        ),
    ]);
    let cut = &full[..full.len() / 2];
    assert!(scan_image_reader(cut, "x").is_err());

    // Broken JSON and JSON of the wrong shape.
    for manifest in [
        &b"[{"[..],
        b"{}",
        b"[1, null, {\"Layers\": 5}]",
        b"[{\"Config\": 5, \"Layers\": [null, 3]}]",
    ] {
        let archive = outer_tar(&[("manifest.json", manifest)]);
        let _ = scan_image_reader(archive.as_slice(), "x");
    }
    let index = outer_tar(&[(
        "index.json",
        br#"{"manifests":[{"digest":"sha256:../x"},{"digest":5},{"mediaType":"x"}]}"#,
    )]);
    let _ = scan_image_reader(index.as_slice(), "x");

    // Random bytes inside a layer.
    let noise: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let archive = outer_tar(&[
        ("l/layer.tar", &noise),
        ("c.json", br#"{"config":{}}"#),
        (
            "manifest.json",
            br#"[{"Config":"c.json","Layers":["l/layer.tar"]}]"#,
        ),
    ]);
    let scan = scan_image_reader(archive.as_slice(), "x").unwrap();
    assert!(scan.images[0].special_files.is_empty());
}

#[test]
fn a_gzipped_docker_save_is_read_from_a_file() {
    let manifest = br#"[{"Config":"cfg.json","RepoTags":["app:1.0"],"Layers":["l1/layer.tar"]}]"#;
    let archive = gzip(&outer_tar(&[
        ("cfg.json", CONFIG),
        ("l1/layer.tar", &base_layer()),
        ("manifest.json", manifest),
    ]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.tar.gz");
    std::fs::write(&path, archive).unwrap();
    let scan = scan_image_archive(&path).unwrap();
    assert_eq!(scan.images[0].special_files.len(), 6);
    let missing = scan_image_archive(&dir.path().join("nope.tar")).unwrap_err();
    assert!(missing.to_string().contains("nope.tar"), "{missing}");
    assert!(!missing.to_string().contains('\n'));
}
