//! Image references read from a real registry: Debian's `docker-registry` (the CNCF distribution
//! server) started on 127.0.0.1 with a temporary config, anonymous or with htpasswd basic auth,
//! holding the umoci-built fixtures pushed with `skopeo copy`. Every test starts and stops its own
//! registry (killed on drop, even when the test fails) and contacts no other address.
//!
//! The tests are ignored unless asked for (`cargo test -- --include-ignored`): they need
//! `docker-registry`, `skopeo` and (for basic auth) `htpasswd`, and fail when one is missing.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use crate::common::*;

const LAYOUT: &str = "tests/fixtures/images/layout";
const V1_MANIFEST: &str = "sha256:140f7e942b464707b1d3ae3fe2f9f7c639191e427d6e6f810a2a0cc1945c620a";
const V2_MANIFEST: &str = "sha256:28bb90bef4beb8fd7d3628274f13cd8fcab5f53b568c1d74d834f58324f4632a";
const USER: &str = "alice";
const PASSWORD: &str = "pw-Kx9-secret";
const WRONG_PASSWORD: &str = "wrong-Qz7-secret";

/// A `docker-registry` process on 127.0.0.1, stopped when dropped.
struct Registry {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry; with `basic_auth`, only `USER`/`PASSWORD` may use it.
    fn start(basic_auth: bool) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if basic_auth {
            let htpasswd = Command::new("htpasswd")
                .args(["-Bbn", USER, PASSWORD])
                .output()
                .unwrap();
            assert!(htpasswd.status.success(), "htpasswd failed");
            std::fs::write(dir.path().join("htpasswd"), htpasswd.stdout).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: fleetsave-test\n    path: {}\n",
                dir.path().join("htpasswd").display()
            ));
        }
        let config_path = write_file(dir.path(), "config.yml", &config);
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry starts");
        let registry = Registry {
            child: Some(child),
            port,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `skopeo copy [--all] oci:LAYOUT:TAG docker://HOST/DESTINATION`.
    fn push(&self, layout: &Path, tag: &str, destination: &str) {
        let mut command = Command::new("skopeo");
        command.args(["copy", "--quiet", "--all", "--dest-tls-verify=false"]);
        if self.dir.path().join("htpasswd").exists() {
            command.arg(format!("--dest-creds={USER}:{PASSWORD}"));
        }
        let status = command
            .arg(format!("oci:{}:{tag}", layout.display()))
            .arg(format!("docker://{}/{destination}", self.host()))
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "skopeo copy to {destination} failed");
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// fleetsave with no credentials from the environment or the user's docker config.
fn isolated(docker_config: &Path) -> assert_cmd::Command {
    let mut command = fleetsave();
    command
        .env_remove("REGISTRY_USERNAME")
        .env_remove("REGISTRY_PASSWORD")
        .env("DOCKER_CONFIG", docker_config);
    command
}

/// Runs and returns (exit code, stdout, stderr).
fn run(mut command: assert_cmd::Command, args: &[&str]) -> (i32, String, String) {
    let output = command.args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(command: assert_cmd::Command, args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = run(command, args);
    assert_eq!(code, 0, "fleetsave {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// An OCI layout holding `multi`: an index of the fixtures' v1 (linux/amd64) and v2
/// (linux/arm64) manifests.
fn multi_platform_layout(dir: &Path) -> PathBuf {
    let layout = dir.join("multi-layout");
    let blobs = layout.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    for entry in std::fs::read_dir(project_file(LAYOUT).join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), blobs.join(entry.file_name())).unwrap();
    }
    let entry = |digest: &str, size: u64, arch: &str| {
        format!(
            r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":{size},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#
        )
    };
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{},{}]}}"#,
        entry(V1_MANIFEST, 503, "amd64"),
        entry(V2_MANIFEST, 659, "arm64")
    );
    let hex: String = Sha256::digest(index.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    std::fs::write(blobs.join(&hex), &index).unwrap();
    std::fs::write(
        layout.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:{hex}","size":{},"annotations":{{"org.opencontainers.image.ref.name":"multi"}}}}]}}"#,
            index.len()
        ),
    )
    .unwrap();
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    layout
}

#[test]
#[ignore = "needs docker-registry, skopeo"]
fn images_by_reference_read_as_their_layouts_do() {
    require_tools(&["docker-registry", "skopeo"]);
    let registry = Registry::start(false);
    let layout = project_file(LAYOUT);
    registry.push(&layout, "v1", "app:1");
    registry.push(&layout, "v2", "app:2");
    let work = tempfile::tempdir().unwrap();
    registry.push(&multi_platform_layout(work.path()), "multi", "multi:1");
    let host = registry.host();
    let app1 = format!("{host}/app:1");
    let app2 = format!("{host}/app:2");
    let cmd = || isolated(work.path());

    // The acceptance: compare by reference gives the layouts' compare figures.
    let by_reference = json(
        cmd(),
        &["compare", &app1, &app2, "--nodes", "7", "--format", "json"],
    );
    let by_layout = json(
        cmd(),
        &[
            "compare",
            &format!("{LAYOUT}:v1"),
            &format!("{LAYOUT}:v2"),
            "--nodes",
            "7",
            "--format",
            "json",
        ],
    );
    for field in [
        "shared_layers",
        "shared_wire_bytes",
        "pull_wire_bytes_per_node",
        "pull_wire_bytes_all_nodes",
    ] {
        assert_eq!(
            by_reference["compare"][field], by_layout["compare"][field],
            "{field}"
        );
    }
    assert_eq!(by_reference["compare"]["shared_layers"], 2);
    assert_eq!(by_reference["compare"]["before_source"], app1.as_str());
    assert_eq!(
        by_reference["totals"]["per_pull_saved"]["wire_bytes"],
        by_layout["totals"]["per_pull_saved"]["wire_bytes"]
    );

    // inspect: wire bytes from the manifest; disk bytes only with --disk, then exact.
    let inspected = json(cmd(), &["inspect", &app2, "--format", "json"]);
    let image = &inspected["images"][0];
    assert_eq!(int(&image["wire_bytes"]), 79_234);
    assert!(image["disk_bytes"].is_null());
    assert_eq!(image["kind"], "registry");
    assert_eq!(image["platform"], "linux/amd64");
    let measured = json(cmd(), &["inspect", "--disk", &app2, "--format", "json"]);
    assert_eq!(int(&measured["images"][0]["disk_bytes"]), 109_221);
    // By digest (verified), and with docker:// in front.
    let by_digest = json(
        cmd(),
        &[
            "inspect",
            &format!("docker://{host}/app@{V1_MANIFEST}"),
            "--format",
            "json",
        ],
    );
    assert_eq!(int(&by_digest["images"][0]["wire_bytes"]), 65_896);

    // A multi-platform index is resolved by --platform.
    let multi = format!("{host}/multi:1");
    let amd64 = json(cmd(), &["inspect", &multi, "--format", "json"]);
    assert_eq!(int(&amd64["images"][0]["wire_bytes"]), 65_896);
    let arm64 = json(
        cmd(),
        &[
            "inspect",
            &multi,
            "--platform",
            "linux/arm64",
            "--format",
            "json",
        ],
    );
    assert_eq!(int(&arm64["images"][0]["wire_bytes"]), 79_234);
    let (code, _, stderr) = run(cmd(), &["inspect", &multi, "--platform", "linux/s390x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&multi) && stderr.contains("linux/amd64, linux/arm64"),
        "{stderr}"
    );

    // Every command takes references: calc, check (SRC and --baseline), inventory columns.
    let calc = json(
        cmd(),
        &[
            "calc",
            "--before-image",
            &app2,
            "--after-image",
            &app1,
            "--format",
            "json",
        ],
    );
    assert_eq!(
        int(&calc["totals"]["per_pull_saved"]["wire_bytes"]),
        79_234 - 65_896
    );
    let (code, stdout, stderr) = run(
        cmd(),
        &[
            "check",
            &app2,
            "--baseline",
            &app1,
            "--max-growth",
            "10%",
            "--basis",
            "wire",
        ],
    );
    assert_eq!(code, 1, "app:2 grew by 20%: {stdout}{stderr}");
    let inventory = write_file(
        work.path(),
        "fleet.csv",
        &format!("service,before_image,after_image,nodes\napi,{app2},{app1},3\n"),
    );
    let report = json(
        cmd(),
        &["report", inventory.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(int(&report["services"][0]["before"]["wire_bytes"]), 79_234);

    // A missing tag: exit 2 naming the reference.
    let missing = format!("{host}/app:404");
    let (code, _, stderr) = run(cmd(), &["inspect", &missing]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: {missing}: not found")),
        "{stderr}"
    );
    // An invalid docker:// reference: exit 2 naming the argument.
    let (code, _, stderr) = run(cmd(), &["inspect", "docker://Bad_Name"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not an image reference"), "{stderr}");
}

#[test]
#[ignore = "needs docker-registry, skopeo, htpasswd"]
fn basic_auth_registries_take_credentials_and_never_show_them() {
    require_tools(&["docker-registry", "skopeo", "htpasswd"]);
    let registry = Registry::start(true);
    registry.push(&project_file(LAYOUT), "v1", "private:1");
    let host = registry.host();
    let image = format!("{host}/private:1");
    let work = tempfile::tempdir().unwrap();
    let empty_config = work.path().join("empty");
    std::fs::create_dir(&empty_config).unwrap();
    let no_secret = |stdout: &str, stderr: &str| {
        for secret in [PASSWORD, WRONG_PASSWORD] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "a password was shown: {stdout}{stderr}"
            );
        }
    };

    // No credentials, and wrong ones: exit 2, "unauthorised" and the host.
    let (code, stdout, stderr) = run(isolated(&empty_config), &["inspect", &image]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("unauthorised") && stderr.contains(&host),
        "{stderr}"
    );
    no_secret(&stdout, &stderr);
    let (code, stdout, stderr) = run(
        isolated(&empty_config),
        &[
            "inspect",
            &image,
            "--registry-username",
            USER,
            "--registry-password",
            WRONG_PASSWORD,
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("unauthorised") && stderr.contains(&host),
        "{stderr}"
    );
    no_secret(&stdout, &stderr);

    // The right ones from the environment.
    let mut command = isolated(&empty_config);
    command
        .env("REGISTRY_USERNAME", USER)
        .env("REGISTRY_PASSWORD", PASSWORD);
    let (code, stdout, stderr) = run(command, &["inspect", &image, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("65896"), "{stdout}");
    no_secret(&stdout, &stderr);
    // --help never shows the password from the environment.
    let mut command = isolated(&empty_config);
    command.env("REGISTRY_PASSWORD", PASSWORD);
    let (_, stdout, stderr) = run(command, &["inspect", "--help"]);
    no_secret(&stdout, &stderr);

    // From ~/.docker/config.json: auths.
    use base64::Engine as _;
    let auths = work.path().join("auths");
    std::fs::create_dir(&auths).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    write_file(
        &auths,
        "config.json",
        &format!(r#"{{"auths":{{"http://{host}":{{"auth":"{encoded}"}}}}}}"#),
    );
    let (code, stdout, stderr) = run(isolated(&auths), &["inspect", &image]);
    assert_eq!(code, 0, "{stderr}");
    no_secret(&stdout, &stderr);

    // From a credential helper named by credHelpers.
    let helpers = work.path().join("helpers");
    std::fs::create_dir(&helpers).unwrap();
    let helper = write_file(
        &helpers,
        "docker-credential-fleetsave-test",
        &format!(
            "#!/bin/sh\nread server\n[ \"$server\" = \"{host}\" ] || exit 1\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"{USER}\",\"Secret\":\"{PASSWORD}\"}}' \"$server\"\n"
        ),
    );
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    write_file(
        &helpers,
        "config.json",
        &format!(r#"{{"credHelpers":{{"{host}":"fleetsave-test"}}}}"#),
    );
    let mut command = isolated(&helpers);
    command.env(
        "PATH",
        format!(
            "{}:{}",
            helpers.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    let (code, stdout, stderr) = run(command, &["inspect", &image, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    no_secret(&stdout, &stderr);
}

#[test]
#[ignore = "needs docker-registry, skopeo"]
fn a_stopped_registry_is_an_io_failure_within_30_seconds() {
    require_tools(&["docker-registry", "skopeo"]);
    let mut registry = Registry::start(false);
    registry.push(&project_file(LAYOUT), "v1", "app:1");
    let image = format!("{}/app:1", registry.host());
    let work = tempfile::tempdir().unwrap();
    json(
        isolated(work.path()),
        &["inspect", &image, "--format", "json"],
    );
    registry.stop();
    let started = Instant::now();
    let (code, _, stderr) = run(isolated(work.path()), &["inspect", &image]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: {image}: registry unreachable")),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

// Hostile registries (issue 14): a scripted server on 127.0.0.1 (the unit tests' fake server)
// that logs every request and header it receives.

mod hostile {
    use std::time::{Duration, Instant};

    use super::{LAYOUT, V1_MANIFEST, run};
    use crate::common::*;
    use crate::fake_server::{Answer, FakeServer, Request};

    const CONFIG: &str = "sha256:b782e6558dc7f2c8c2d609cbd2969cc62a38f0c268094ddf3912f1019ac3a8ab";
    const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

    fn blob(digest: &str) -> Vec<u8> {
        let hex = digest.strip_prefix("sha256:").unwrap();
        std::fs::read(project_file(LAYOUT).join("blobs/sha256").join(hex)).unwrap()
    }

    fn header(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    /// The v1 fixture image; with `password`, behind basic authentication as ci:PASSWORD.
    fn registry(password: Option<&'static str>, drip: bool) -> FakeServer {
        FakeServer::start(move |request: &Request, _| -> Answer {
            if let Some(password) = password {
                use base64::Engine as _;
                let expected = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("ci:{password}"))
                );
                if request.header("authorization") != Some(expected.as_str()) {
                    return (
                        401,
                        vec![header("WWW-Authenticate", r#"Basic realm="x""#)],
                        vec![],
                    );
                }
            }
            let mut headers = vec![header("Content-Type", OCI_MANIFEST)];
            if drip {
                headers.push(header("x-fake-drip-ms", "1000"));
            }
            match request.target.as_str() {
                "/v2/app/manifests/1" => (200, headers, blob(V1_MANIFEST)),
                target if target == format!("/v2/app/blobs/{CONFIG}") => {
                    (200, vec![], blob(CONFIG))
                }
                _ => (404, vec![], vec![]),
            }
        })
    }

    fn authorizations(server: &FakeServer) -> Vec<String> {
        server
            .requests()
            .iter()
            .filter_map(|r| r.header("authorization").map(str::to_string))
            .collect()
    }

    fn with_ci_credentials(home: &std::path::Path) -> assert_cmd::Command {
        let mut command = fleetsave();
        command
            .env("DOCKER_CONFIG", home)
            .env_remove("REGISTRY_HOST")
            .env("REGISTRY_USERNAME", "ci")
            .env("REGISTRY_PASSWORD", "ci-Secret-77");
        command
    }

    #[test]
    fn ci_credentials_never_reach_a_registry_an_inventory_names() {
        let attacker = registry(Some("ci-Secret-77"), false);
        let home = tempfile::tempdir().unwrap();
        let inventory = write_file(
            home.path(),
            "fleet.csv",
            &format!(
                "service,before_image,after,nodes\napi,{}/app:1,10MB,3\n",
                attacker.host()
            ),
        );
        let inventory = inventory.to_str().unwrap();
        // Unscoped: said once on stderr, and the inventory's registry gets nothing.
        let (code, _, stderr) = run(with_ci_credentials(home.path()), &["report", inventory]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.matches("have no scope").count(), 1, "{stderr}");
        assert!(!stderr.contains("ci-Secret-77"), "{stderr}");
        assert!(
            authorizations(&attacker).is_empty(),
            "{:?}",
            authorizations(&attacker)
        );
        // Scoped to another registry: still nothing.
        let mut command = with_ci_credentials(home.path());
        command.env("REGISTRY_HOST", "ghcr.io");
        let (code, _, stderr) = run(command, &["report", inventory]);
        assert_eq!(code, 2, "{stderr}");
        assert!(authorizations(&attacker).is_empty());
        // Scoped to it (REGISTRY_HOST, or --registry-auth): the user chose to trust it.
        let mut command = with_ci_credentials(home.path());
        command.env("REGISTRY_HOST", attacker.host());
        let (code, _, stderr) = run(command, &["report", inventory]);
        assert_eq!(code, 0, "{stderr}");
        assert!(!authorizations(&attacker).is_empty());
        // Named on the command line, unscoped: sent, with the warning.
        let trusted = registry(Some("ci-Secret-77"), false);
        let image = format!("{}/app:1", trusted.host());
        let (code, _, stderr) = run(with_ci_credentials(home.path()), &["inspect", &image]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("have no scope"), "{stderr}");
        // A bad scope is exit 2 naming the flag.
        let (code, _, stderr) = run(
            with_ci_credentials(home.path()),
            &["inspect", &image, "--registry-auth", "not a host"],
        );
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("--registry-auth"), "{stderr}");
    }

    #[test]
    fn a_registry_dripping_one_byte_a_second_is_exit_3_within_40_seconds() {
        let slow = registry(None, true);
        let image = format!("{}/app:1", slow.host());
        let home = tempfile::tempdir().unwrap();
        let mut command = fleetsave();
        command.env("DOCKER_CONFIG", home.path());
        let started = Instant::now();
        let (code, _, stderr) = run(command, &["inspect", &image, "--timeout", "5"]);
        assert_eq!(code, 3, "{stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "{:?}",
            started.elapsed()
        );
        assert!(
            stderr.contains(&format!("the registry {} did not answer", slow.host())),
            "{stderr}"
        );
        let mut command = fleetsave();
        command.env("DOCKER_CONFIG", home.path());
        let (code, _, stderr) = run(command, &["inspect", &image, "--timeout", "soon"]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("--timeout"), "{stderr}");
    }

    #[test]
    fn a_layer_streaming_past_its_declared_size_stops_before_50_mb() {
        let manifest: serde_json::Value = serde_json::from_slice(&blob(V1_MANIFEST)).unwrap();
        let layers: Vec<String> = manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|layer| layer["digest"].as_str().unwrap().to_string())
            .collect();
        let server = FakeServer::start(move |request: &Request, _| -> Answer {
            match request.target.as_str() {
                "/v2/app/manifests/1" => (
                    200,
                    vec![header("Content-Type", OCI_MANIFEST)],
                    blob(V1_MANIFEST),
                ),
                target if target == format!("/v2/app/blobs/{CONFIG}") => {
                    (200, vec![], blob(CONFIG))
                }
                target => match layers
                    .iter()
                    .find(|digest| target.ends_with(digest.as_str()))
                {
                    // The layer's bytes, then again and again: never the end.
                    Some(digest) => (200, vec![header("x-fake-endless", "1")], blob(digest)),
                    None => (404, vec![], vec![]),
                },
            }
        });
        let image = format!("{}/app:1", server.host());
        let home = tempfile::tempdir().unwrap();
        for flag in ["--disk", "--verify"] {
            let mut command = fleetsave();
            command.env("DOCKER_CONFIG", home.path());
            let (code, _, stderr) = run(command, &["inspect", &image, flag]);
            assert_eq!(code, 2, "{stderr}");
            assert!(stderr.contains("the blob is longer"), "{stderr}");
        }
        assert!(
            server.sent() < 50_000_000,
            "{} bytes were sent",
            server.sent()
        );
    }

    #[test]
    fn a_flooding_credential_helper_is_exit_2_naming_it() {
        let server = registry(Some("ci-Secret-77"), false);
        let home = tempfile::tempdir().unwrap();
        let helper = write_file(
            home.path(),
            "docker-credential-flood",
            "#!/bin/sh\nexec yes '{'\n",
        );
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_file(
            home.path(),
            "config.json",
            &format!(r#"{{"credHelpers":{{"{}":"flood"}}}}"#, server.host()),
        );
        let mut command = fleetsave();
        command
            .env("DOCKER_CONFIG", home.path())
            .env_remove("REGISTRY_USERNAME")
            .env_remove("REGISTRY_PASSWORD")
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    home.path().display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            );
        let started = Instant::now();
        let image = format!("{}/app:1", server.host());
        let (code, _, stderr) = run(command, &["inspect", &image]);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("the credential helper docker-credential-flood printed more than"),
            "{stderr}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

// Enterprise networks (issue 14): a registry behind a private certificate authority, reached
// through an HTTP CONNECT proxy. The registry is the scripted server over TLS, with a certificate
// for `registry.test` from a throwaway authority made with `openssl`; `registry.test` resolves
// nowhere, so only the scripted proxy on 127.0.0.1 reaches it.

mod enterprise {
    use super::{LAYOUT, V1_MANIFEST, run};
    use crate::common::*;
    use crate::fake_server::{Answer, ConnectProxy, FakeServer, Request, TestPki};

    const CONFIG: &str = "sha256:b782e6558dc7f2c8c2d609cbd2969cc62a38f0c268094ddf3912f1019ac3a8ab";
    const PROXY_VARIABLES: [&str; 8] = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ];

    fn blob(digest: &str) -> Vec<u8> {
        let hex = digest.strip_prefix("sha256:").unwrap();
        std::fs::read(project_file(LAYOUT).join("blobs/sha256").join(hex)).unwrap()
    }

    fn fixture(request: &Request, _: u16) -> Answer {
        let json = (
            "Content-Type".to_string(),
            "application/vnd.oci.image.manifest.v1+json".to_string(),
        );
        match request.target.as_str() {
            "/v2/app/manifests/1" => (200, vec![json], blob(V1_MANIFEST)),
            target if target == format!("/v2/app/blobs/{CONFIG}") => (200, vec![], blob(CONFIG)),
            _ => (404, vec![], vec![]),
        }
    }

    /// The TLS registry, and a proxy that tunnels `registry.test:443` to it.
    fn behind_a_proxy(pki: &TestPki) -> (FakeServer, ConnectProxy) {
        let registry = FakeServer::start_tls(pki, fixture);
        let port = registry.port;
        let proxy =
            ConnectProxy::start(move |target| (target == "registry.test:443").then_some(port));
        (registry, proxy)
    }

    /// fleetsave with no proxy or trust settings from this environment, and `env` set.
    fn command(home: &std::path::Path, env: &[(&str, &str)]) -> assert_cmd::Command {
        let mut command = fleetsave();
        command.env("DOCKER_CONFIG", home);
        for variable in PROXY_VARIABLES
            .iter()
            .chain(&["SSL_CERT_FILE", "SSL_CERT_DIR"])
        {
            command.env_remove(variable);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        command
    }

    #[test]
    fn a_private_ca_is_trusted_with_ca_file_or_the_system_store() {
        let pki = TestPki::new();
        let (registry, proxy) = behind_a_proxy(&pki);
        let home = tempfile::tempdir().unwrap();
        let url = proxy.url();
        let ca = pki.ca();
        let ca = ca.to_str().unwrap();
        let image = "registry.test/app:1";
        // Untrusted: exit 3, naming the registry and --ca-file.
        let (code, _, stderr) = run(
            command(home.path(), &[("HTTPS_PROXY", &url)]),
            &["inspect", image],
        );
        assert_eq!(code, 3, "{stderr}");
        assert!(
            stderr.contains("the certificate of registry.test is not trusted"),
            "{stderr}"
        );
        assert!(stderr.contains("--ca-file"), "{stderr}");
        assert!(registry.requests().is_empty());
        // --ca-file.
        let (code, stdout, stderr) = run(
            command(home.path(), &[("HTTPS_PROXY", &url)]),
            &["inspect", image, "--ca-file", ca],
        );
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("registry.test/app:1"), "{stdout}");
        // The system store, as SSL_CERT_FILE names it ...
        let (code, _, stderr) = run(
            command(home.path(), &[("HTTPS_PROXY", &url), ("SSL_CERT_FILE", ca)]),
            &["inspect", image],
        );
        assert_eq!(code, 0, "{stderr}");
        // ... and as SSL_CERT_DIR does.
        let store = tempfile::tempdir().unwrap();
        std::fs::copy(pki.ca(), store.path().join("corporate-ca.pem")).unwrap();
        let (code, _, stderr) = run(
            command(
                home.path(),
                &[
                    ("HTTPS_PROXY", &url),
                    ("SSL_CERT_DIR", store.path().to_str().unwrap()),
                ],
            ),
            &["inspect", image],
        );
        assert_eq!(code, 0, "{stderr}");
        // A --ca-file without a certificate is refused before any connection.
        let not_pem = write_file(home.path(), "not.pem", "hello\n");
        let (code, _, stderr) = run(
            command(home.path(), &[("HTTPS_PROXY", &url)]),
            &["inspect", image, "--ca-file", not_pem.to_str().unwrap()],
        );
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("--ca-file"), "{stderr}");
        assert!(proxy.connects().iter().all(|t| t == "registry.test:443"));
    }

    #[test]
    fn proxies_from_the_environment_are_honoured_as_curl_and_docker_do() {
        let pki = TestPki::new();
        let (registry, proxy) = behind_a_proxy(&pki);
        let home = tempfile::tempdir().unwrap();
        let url = proxy.url();
        let ca = pki.ca();
        let ca = ca.to_str().unwrap();
        let image = "registry.test/app:1";
        // Lowercase https_proxy, as curl reads it first.
        for variable in ["https_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
            let before = registry.requests().len();
            let (code, _, stderr) = run(
                command(home.path(), &[(variable, &url)]),
                &["inspect", image, "--ca-file", ca],
            );
            assert_eq!(code, 0, "{variable}: {stderr}");
            assert!(registry.requests().len() > before, "{variable}");
        }
        assert!(proxy.connects().iter().all(|t| t == "registry.test:443"));
        // HTTP_PROXY is for http:// URLs only: an https registry does not go through it.
        let (code, _, stderr) = run(
            command(home.path(), &[("HTTP_PROXY", &url)]),
            &["inspect", image, "--ca-file", ca, "--timeout", "10"],
        );
        assert_eq!(code, 3, "{stderr}");
        // NO_PROXY names it: not proxied either.
        let connects = proxy.connects().len();
        let (code, _, stderr) = run(
            command(home.path(), &[("HTTPS_PROXY", &url), ("NO_PROXY", ".test")]),
            &["inspect", image, "--ca-file", ca, "--timeout", "10"],
        );
        assert_eq!(code, 3, "{stderr}");
        assert_eq!(proxy.connects().len(), connects);
        // A loopback registry is never proxied.
        let local = FakeServer::start(fixture);
        let (code, _, stderr) = run(
            command(home.path(), &[("HTTPS_PROXY", &url), ("HTTP_PROXY", &url)]),
            &["inspect", &format!("{}/app:1", local.host())],
        );
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(proxy.connects().len(), connects);
    }
}

/// The leftovers image in every form a source takes — OCI layout (gzip), oci-archive, docker
/// save archive (uncompressed layers), an OCI layout of zstd layers, one of uncompressed layers,
/// and a registry reference read with `--disk` — gives the same findings.
#[test]
#[ignore = "needs docker-registry, skopeo"]
fn findings_are_the_same_from_every_kind_of_source() {
    require_tools(&["docker-registry", "skopeo"]);
    let layout = project_file("tests/fixtures/leftovers/layout");
    let work = tempfile::tempdir().unwrap();
    let source = format!("oci:{}:leftovers", layout.display());
    let copy_from = |args: &[&str], source: &str, destination: String| {
        let status = Command::new("skopeo")
            .args(["copy", "--quiet"])
            .args(args)
            .arg(source)
            .arg(&destination)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "skopeo copy to {destination} failed");
    };
    let copy = |args: &[&str], destination: String| copy_from(args, &source, destination);
    let at = |name: &str| work.path().join(name).display().to_string();
    copy(&[], format!("oci-archive:{}", at("oci.tar")));
    copy(
        &[],
        format!("docker-archive:{}:leftovers:1", at("docker.tar")),
    );
    copy(
        &["--dest-compress-format", "zstd"],
        format!("oci:{}:leftovers", at("zstd")),
    );
    // Uncompressed OCI layers: decompressed into a `dir:` copy, then kept as they are.
    copy(&["--dest-decompress"], format!("dir:{}", at("dir")));
    copy_from(
        &["--dest-oci-accept-uncompressed-layers"],
        &format!("dir:{}", at("dir")),
        format!("oci:{}:leftovers", at("plain")),
    );
    let registry = Registry::start(false);
    registry.push(&layout, "leftovers", "apps/leftovers:1");
    let reference = format!("{}/apps/leftovers:1", registry.host());

    let findings = |source: &str, disk: bool| {
        let mut args = vec!["layers", source, "--nodes", "10", "--format", "json"];
        if disk {
            args.push("--disk");
        }
        let json = json(isolated(work.path()), &args);
        // A layer's digest is its blob's: another compression is another digest.
        let mut found = json["findings"].clone();
        if let Some(items) = found["leftovers"]["items"].as_array_mut() {
            for item in items {
                item["layer"]["digest"] = serde_json::Value::Null;
            }
        }
        (
            found,
            json["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|layer| layer["media_type"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
        )
    };
    let (expected, gzip) = findings("tests/fixtures/leftovers/layout:leftovers", false);
    assert!(gzip.iter().all(|m| m.ends_with("tar+gzip")), "{gzip:?}");
    assert_eq!(int(&expected["leftovers"]["bytes"]), 18_540);
    let zstd_layout = format!("{}:leftovers", at("zstd"));
    let plain_layout = format!("{}:leftovers", at("plain"));
    let oci_archive = at("oci.tar");
    let docker_archive = at("docker.tar");
    for (source, disk, compression) in [
        (oci_archive.as_str(), false, "gzip"),
        (docker_archive.as_str(), false, "tar"),
        (zstd_layout.as_str(), false, "zstd"),
        (plain_layout.as_str(), false, "tar"),
        (reference.as_str(), true, "gzip"),
    ] {
        let (found, media_types) = findings(source, disk);
        assert!(found == expected, "{source}: {found}");
        assert!(
            media_types.iter().all(|m| m.ends_with(compression)),
            "{source}: {media_types:?}"
        );
    }
    // Without --disk a registry reference has no entries to read, and says so.
    let (found, _) = findings(&reference, false);
    assert!(found["waste"].is_null(), "{found}");
}

#[test]
#[ignore = "needs umoci, docker-registry, skopeo"]
fn the_history_of_eight_umoci_builds_pushed_to_a_registry() {
    require_tools(&["umoci", "docker-registry", "skopeo"]);
    use crate::history::{TAGS, assert_history_matches, construction};
    let work = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(project_file("tests/fixtures/history/build.sh"))
        .arg(work.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "build.sh failed");
    let layout = work.path().join("layout");
    let built = construction(&layout);
    let registry = Registry::start(false);
    for tag in TAGS {
        registry.push(&layout, tag, &format!("app:{tag}"));
    }
    let repository = format!("{}/app", registry.host());
    let history = json(
        isolated(work.path()),
        &["history", &repository, "--format", "json"],
    );
    assert_history_matches(&history, &built);
    // The registry lists the tags by name; the builds come in created order all the same.
    let mut by_name = TAGS.to_vec();
    by_name.sort_unstable();
    assert_ne!(by_name, TAGS);
    let written = work.path().join("measured.toml");
    let written_text = written.display().to_string();
    json(
        isolated(work.path()),
        &[
            "history",
            &repository,
            "--write-assumptions",
            &written_text,
            "--format",
            "json",
        ],
    );
    let calc = |extra: &[&str]| {
        let mut args = vec![
            "calc", "--before", "50MB", "--after", "40MB", "--format", "json",
        ];
        args.extend(extra);
        json(isolated(work.path()), &args)
    };
    assert_ne!(
        calc(&[])["totals"]["expected"],
        calc(&["--assumptions", &written_text])["totals"]["expected"]
    );
}
