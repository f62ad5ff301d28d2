//! Authentication as docker does it: the `WWW-Authenticate` challenge a registry answers with
//! (`Bearer realm=…,service=…,scope=…` or `Basic realm=…`), the token response, and the
//! credentials to answer with: `--registry-username`/`--registry-password` (or
//! `REGISTRY_USERNAME`/`REGISTRY_PASSWORD`) for the registries they are scoped to, else
//! `~/.docker/config.json` (`credHelpers`, `credsStore` through `docker-credential-*` helpers,
//! then `auths`), else none (anonymous).
//!
//! Credentials from flags or the environment are scoped like `docker login HOST`: to the hosts of
//! `--registry-auth HOST` (repeatable) or `REGISTRY_HOST`. Unscoped, they go only to registries
//! named on the command line, never to one an inventory file names (an inventory may come from
//! someone else's pull request), and never to a token realm on another host (see
//! docs/reliability.md).
//!
//! Secrets are held in [`Secret`], whose `Debug` and `Display` never show the value, so no error
//! or log line can carry one.

use crate::model::values::Refusal;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::reference::DOCKER_HUB;

/// A password or token: never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for an `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    /// For clap: any text is a secret.
    fn from_str(text: &str) -> Result<Secret, Self::Err> {
        Ok(Secret(text.to_string()))
    }
}

/// What to answer a challenge with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A user name and password (or personal access token).
    Basic { username: String, password: Secret },
    /// An OAuth2 refresh token (docker's `identitytoken`), exchanged at the token realm.
    IdentityToken(Secret),
}

impl Credentials {
    /// `Basic base64(user:password)`; `None` for an identity token.
    pub fn basic_header(&self) -> Option<String> {
        match self {
            Credentials::Basic { username, password } => Some(format!(
                "Basic {}",
                BASE64.encode(format!("{username}:{}", password.expose()))
            )),
            Credentials::IdentityToken(_) => None,
        }
    }
}

/// One challenge of a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Lowercase: `bearer`, `basic`.
    pub scheme: String,
    /// Parameter names lowercased: `realm`, `service`, `scope`.
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// Parses a `WWW-Authenticate` header value (RFC 7235): one or more challenges, each a scheme
/// then `name=value` or `name="quoted \" value"` parameters separated by commas. A malformed tail
/// is ignored rather than failing the whole header.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut challenges: Vec<Challenge> = Vec::new();
    let mut rest = header.trim_start();
    while !rest.is_empty() {
        let token_end = rest
            .find(|c: char| c.is_whitespace() || c == ',' || c == '=')
            .unwrap_or(rest.len());
        let token = &rest[..token_end];
        let after = rest[token_end..].trim_start();
        if token.is_empty() {
            // Stray commas between challenges or parameters.
            rest = rest[1..].trim_start();
            continue;
        }
        if let Some(value_part) = after.strip_prefix('=')
            && let Some(challenge) = challenges.last_mut()
        {
            let value_part = value_part.trim_start();
            let (value, remaining) = if let Some(quoted) = value_part.strip_prefix('"') {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &quoted[end.min(quoted.len())..])
            } else {
                let end = value_part.find(',').unwrap_or(value_part.len());
                (value_part[..end].trim().to_string(), &value_part[end..])
            };
            challenge.params.insert(token.to_ascii_lowercase(), value);
            rest = remaining.trim_start().trim_start_matches(',').trim_start();
        } else {
            challenges.push(Challenge {
                scheme: token.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
            rest = after;
        }
    }
    challenges
}

/// The token of a token endpoint's JSON answer (`token`, or OAuth2's `access_token`).
pub fn token_from_response(body: &[u8]) -> Option<Secret> {
    #[derive(serde::Deserialize)]
    struct TokenResponse {
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        access_token: Option<String>,
    }
    let response: TokenResponse = serde_json::from_slice(body).ok()?;
    response
        .token
        .filter(|t| !t.is_empty())
        .or(response.access_token.filter(|t| !t.is_empty()))
        .map(Secret)
}

/// Where credentials come from.
#[derive(Debug, Clone, Default)]
pub struct CredentialSource {
    /// From the flags or environment: used for the registries of `explicit_for`, or when that is
    /// empty (unscoped) for registries named on the command line only.
    pub explicit: Option<Credentials>,
    /// `--registry-auth HOST` and `REGISTRY_HOST`, normalised by [`scope_host`].
    pub explicit_for: Vec<String>,
    /// The docker config directory (`$DOCKER_CONFIG`, else `~/.docker`), when there is one.
    pub docker_config_dir: Option<PathBuf>,
}

impl CredentialSource {
    /// The docker config directory of this process's environment.
    pub fn docker_config_dir_from_env() -> Option<PathBuf> {
        std::env::var_os("DOCKER_CONFIG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|home| Path::new(&home).join(".docker"))
            })
    }

    /// The credentials for `registry` (as written in references: `docker.io`, `ghcr.io`,
    /// `127.0.0.1:5000`); `named` says whether a reference on the command line names it.
    pub fn lookup(&self, registry: &str, named: bool) -> Found {
        if let Some(explicit) = &self.explicit {
            let key = normalise_key(registry);
            if self
                .explicit_for
                .iter()
                .any(|host| host.eq_ignore_ascii_case(&key))
            {
                return Found {
                    credentials: Some(explicit.clone()),
                    scoped: true,
                    note: None,
                    failure: None,
                };
            }
            if self.explicit_for.is_empty() && named {
                return Found {
                    credentials: Some(explicit.clone()),
                    scoped: false,
                    note: None,
                    failure: None,
                };
            }
            let (credentials, note, failure) = self.docker_config_lookup(registry);
            let not_sent = if self.explicit_for.is_empty() {
                format!(
                    "the --registry-username credentials are unscoped, so they go only to \
                     registries named on the command line, not to {registry}; add \
                     --registry-auth {registry} (or REGISTRY_HOST) to use them there"
                )
            } else {
                format!(
                    "the --registry-username credentials are for {} only (--registry-auth, \
                     REGISTRY_HOST), not {registry}",
                    self.explicit_for.join(", ")
                )
            };
            return Found {
                credentials,
                scoped: true,
                note: Some(match note {
                    Some(note) => format!("{not_sent}; {note}"),
                    None => not_sent,
                }),
                failure,
            };
        }
        let (credentials, note, failure) = self.docker_config_lookup(registry);
        Found {
            credentials,
            scoped: true,
            note,
            failure,
        }
    }

    /// docker's credentials for `registry`, a note when a configured helper could not be used,
    /// and a failure when one hung or flooded its output.
    fn docker_config_lookup(
        &self,
        registry: &str,
    ) -> (Option<Credentials>, Option<String>, Option<String>) {
        let Some(dir) = &self.docker_config_dir else {
            return (None, None, None);
        };
        let path = dir.join("config.json");
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&path)
            .and_then(|file| file.take(MAX_DOCKER_CONFIG + 1).read_to_end(&mut bytes));
        if read.is_err() {
            return (None, None, None);
        }
        if bytes.len() as u64 > MAX_DOCKER_CONFIG {
            let note = format!(
                "{} is larger than {MAX_DOCKER_CONFIG} bytes; its credentials were not used",
                path.display()
            );
            return (None, Some(note), None);
        }
        match serde_json::from_slice::<DockerConfig>(&bytes) {
            Ok(config) => match config.lookup(registry) {
                Ok((credentials, note)) => (credentials, note, None),
                Err(failure) => (None, None, Some(failure)),
            },
            Err(_) => (
                None,
                Some(format!(
                    "{} is not valid JSON; its credentials were not used",
                    path.display()
                )),
                None,
            ),
        }
    }
}

/// What [`CredentialSource::lookup`] found for a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub credentials: Option<Credentials>,
    /// Whether the credentials were given for this registry (a scope, or docker's per-host
    /// config), so that they may also go to a token realm on another host the registry names.
    pub scoped: bool,
    /// Why credentials one might expect were not used.
    pub note: Option<String>,
    /// A credential helper that hung or flooded its output: the lookup fails (exit 2).
    pub failure: Option<String>,
}

/// A `--registry-auth`/`REGISTRY_HOST` value as a registry name: `https://ghcr.io/` → `ghcr.io`,
/// Docker Hub's aliases → `docker.io`; an error says why it is not a registry host.
pub fn scope_host(text: &str) -> Result<String, Refusal> {
    let trimmed = text.trim();
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or(trimmed)
        .trim_end_matches('/');
    let host = host
        .strip_suffix("/v1")
        .or_else(|| host.strip_suffix("/v2"))
        .unwrap_or(host);
    let key = normalise_key(host).to_ascii_lowercase();
    if host.contains('/') || !super::reference::valid_registry(&key) {
        return Err(Refusal::new(
            "is not a registry host",
            "HOST or HOST:PORT, as in docker login HOST",
        )
        .example("ghcr.io"));
    }
    Ok(key)
}

/// The parts of `~/.docker/config.json` that hold credentials.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The server name docker files Docker Hub credentials under.
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

impl DockerConfig {
    /// The credentials for `registry` and a note; an error when a helper hung or flooded.
    fn lookup(&self, registry: &str) -> Result<(Option<Credentials>, Option<String>), String> {
        let server = if registry == DOCKER_HUB {
            DOCKER_HUB_KEY
        } else {
            registry
        };
        let helper = self
            .cred_helpers
            .get(registry)
            .or_else(|| self.cred_helpers.get(server))
            .or(self.creds_store.as_ref())
            .filter(|h| !h.is_empty());
        let mut note = None;
        if let Some(helper) = helper {
            let program = format!("docker-credential-{helper}");
            match run_helper(&program, server, HELPER_TIMEOUT, MAX_HELPER_OUTPUT) {
                Ok(Some(credentials)) => return Ok((Some(credentials), None)),
                Ok(None) => {}
                Err(HelperError::Unusable(problem)) => note = Some(problem),
                Err(HelperError::Fatal(problem)) => return Err(problem),
            }
        }
        let entry = self
            .auths
            .iter()
            .find(|(key, _)| normalise_key(key) == normalise_key(server))
            .map(|(_, entry)| entry);
        Ok((entry.and_then(AuthEntry::credentials), note))
    }
}

impl AuthEntry {
    fn credentials(&self) -> Option<Credentials> {
        if let Some(token) = self.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Some(Credentials::IdentityToken(Secret::new(token)));
        }
        if let (Some(username), Some(password)) = (&self.username, &self.password)
            && !username.is_empty()
        {
            return Some(Credentials::Basic {
                username: username.clone(),
                password: Secret::new(password.clone()),
            });
        }
        let decoded = BASE64.decode(self.auth.as_deref()?.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (username, password) = text.split_once(':')?;
        (!username.is_empty()).then(|| Credentials::Basic {
            username: username.to_string(),
            password: Secret::new(password),
        })
    }
}

/// `https://ghcr.io/v2/` → `ghcr.io`; Docker Hub's aliases → one name.
fn normalise_key(key: &str) -> String {
    let host = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = host.split('/').next().unwrap_or(host);
    match host {
        "index.docker.io" | "docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        other => other.to_string(),
    }
}

/// How long a credential helper may take.
const HELPER_TIMEOUT: Duration = Duration::from_secs(10);
/// The most a credential helper may print (docker's answer is a few hundred bytes).
const MAX_HELPER_OUTPUT: u64 = 1024 * 1024;
/// The largest docker `config.json` read.
const MAX_DOCKER_CONFIG: u64 = 16 * 1024 * 1024;

/// Why a credential helper gave no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HelperError {
    /// It cannot be run or answered nonsense: noted, and docker's `auths` are tried.
    Unusable(String),
    /// It hung or flooded its output: the run stops (exit 2) naming it.
    Fatal(String),
}

/// Runs `PROGRAM get` (`docker-credential-HELPER`) with the server on stdin, for at most
/// `timeout` and `cap` bytes of output (past either it is killed). `Ok(None)` when the helper
/// has no credentials for it. Messages never carry its output, which could hold a secret.
fn run_helper(
    program: &str,
    server: &str,
    timeout: Duration,
    cap: u64,
) -> Result<Option<Credentials>, HelperError> {
    let started = Instant::now();
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            HelperError::Unusable(format!(
                "the credential helper {program} could not be run: {e}"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading is reported by its status below.
        let _ = stdin.write_all(server.as_bytes());
    }
    let Some(stdout) = child.stdout.take() else {
        return Err(HelperError::Unusable(format!(
            "the credential helper {program} has no output"
        )));
    };
    let (sender, receiver) = mpsc::channel();
    // Reads at most cap + 1 bytes; left behind (blocked) if the helper's children keep the pipe.
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let result = stdout.take(cap + 1).read_to_end(&mut bytes).map(|_| bytes);
        let _ = sender.send(result);
    });
    let fatal = |child: &mut std::process::Child, why: String| {
        let _ = child.kill();
        let _ = child.wait();
        HelperError::Fatal(format!("the credential helper {program} {why}"))
    };
    let timed_out = || format!("did not answer within {} s", timeout.as_secs_f64());
    let output = match receiver.recv_timeout(timeout) {
        Ok(Ok(bytes)) if bytes.len() as u64 > cap => {
            return Err(fatal(&mut child, format!("printed more than {cap} bytes")));
        }
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(HelperError::Unusable(format!(
                "the credential helper {program} failed: {e}"
            )));
        }
        Err(_) => return Err(fatal(&mut child, timed_out())),
    };
    // Its output ended: it should be exiting.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => return Err(fatal(&mut child, timed_out())),
            Err(e) => {
                return Err(HelperError::Unusable(format!(
                    "the credential helper {program} failed: {e}"
                )));
            }
        }
    };
    if !status.success() {
        // "credentials not found in native keychain" and the like: no credentials.
        return Ok(None);
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct HelperAnswer {
        #[serde(default)]
        username: String,
        #[serde(default)]
        secret: String,
    }
    let answer: HelperAnswer = serde_json::from_slice(&output).map_err(|_| {
        HelperError::Unusable(format!(
            "the credential helper {program} answered with invalid JSON"
        ))
    })?;
    if answer.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(if answer.username == "<token>" {
        Credentials::IdentityToken(Secret::new(answer.secret))
    } else {
        Credentials::Basic {
            username: answer.username,
            password: Secret::new(answer.secret),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_and_basic_challenges() {
        let c = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull""#,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c[0].param("service"), Some("registry.docker.io"));
        assert_eq!(c[0].param("scope"), Some("repository:library/python:pull"));
        let c = parse_challenges(r#"Basic realm="fleetsave-test""#);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].param("realm"), Some("fleetsave-test"));
        // Several challenges, unquoted values, odd spacing and case, escapes, a scope with
        // several actions (commas inside quotes).
        let c = parse_challenges(
            r#"Basic realm="a\"b" , BEARER Realm=https://ghcr.io/token, service = ghcr.io ,scope="repository:o/a:pull,push""#,
        );
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].param("realm"), Some("a\"b"));
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].param("realm"), Some("https://ghcr.io/token"));
        assert_eq!(c[1].param("service"), Some("ghcr.io"));
        assert_eq!(c[1].param("scope"), Some("repository:o/a:pull,push"));
        // Garbage never panics.
        for text in [
            "",
            ",",
            "=",
            "Bearer realm=\"unterminated",
            "Bearer ,,, =x",
            "\"",
            "a=b",
        ] {
            let _ = parse_challenges(text);
        }
        assert!(parse_challenges("Bearer")[0].params.is_empty());
    }

    #[test]
    fn reads_token_responses() {
        assert_eq!(
            token_from_response(br#"{"token":"abc","expires_in":300}"#)
                .unwrap()
                .expose(),
            "abc"
        );
        assert_eq!(
            token_from_response(br#"{"access_token":"xyz"}"#)
                .unwrap()
                .expose(),
            "xyz"
        );
        assert!(token_from_response(br#"{"token":""}"#).is_none());
        assert!(token_from_response(b"nope").is_none());
    }

    #[test]
    fn secrets_never_show() {
        let credentials = Credentials::Basic {
            username: "alice".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
        assert!(!Secret::new("hunter2").to_string().contains("hunter2"));
        assert_eq!(
            credentials.basic_header().unwrap(),
            format!("Basic {}", BASE64.encode("alice:hunter2"))
        );
    }

    #[test]
    fn reads_docker_config_auths() {
        let dir = tempfile::tempdir().unwrap();
        let auth = BASE64.encode("bob:pw1");
        std::fs::write(
            dir.path().join("config.json"),
            format!(
                r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},
                "http://127.0.0.1:5000":{{"username":"carol","password":"pw2"}},
                "ghcr.io":{{"identitytoken":"refresh"}}}}}}"#
            ),
        )
        .unwrap();
        let source = CredentialSource {
            explicit: None,
            explicit_for: vec![],
            docker_config_dir: Some(dir.path().to_path_buf()),
        };
        let basic = |user: &str, pw: &str| Credentials::Basic {
            username: user.into(),
            password: Secret::new(pw),
        };
        assert_eq!(
            source.lookup("docker.io", true).credentials,
            Some(basic("bob", "pw1"))
        );
        assert_eq!(
            source.lookup("127.0.0.1:5000", false).credentials,
            Some(basic("carol", "pw2"))
        );
        assert_eq!(
            source.lookup("ghcr.io", true).credentials,
            Some(Credentials::IdentityToken(Secret::new("refresh")))
        );
        assert_eq!(source.lookup("quay.io", true).credentials, None);
        // A helper that cannot run leaves a note and falls back to auths.
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"credsStore":"fleetsave-no-such-helper","auths":{"quay.io":{"auth":"dTpw"}}}"#,
        )
        .unwrap();
        let found = source.lookup("quay.io", true);
        assert_eq!(found.credentials, Some(basic("u", "p")));
        assert!(
            found
                .note
                .unwrap()
                .contains("docker-credential-fleetsave-no-such-helper")
        );
        // Flags win over the file, for the registries they apply to.
        let explicit = CredentialSource {
            explicit: Some(basic("ci", "token")),
            ..source
        };
        assert_eq!(
            explicit.lookup("quay.io", true).credentials,
            Some(basic("ci", "token"))
        );
    }

    #[test]
    fn credential_helpers_are_bounded_in_time_and_output() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str, body: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path.to_str().unwrap().to_string()
        };
        let second = Duration::from_secs(1);
        let good = script(
            "good",
            r#"read server; printf '{"Username":"u","Secret":"s3cret"}'"#,
        );
        assert_eq!(
            run_helper(&good, "ghcr.io", second, 1024).unwrap(),
            Some(Credentials::Basic {
                username: "u".into(),
                password: Secret::new("s3cret")
            })
        );
        let hung = script("hung", "exec sleep 30");
        let started = Instant::now();
        let error = run_helper(&hung, "ghcr.io", second, 1024).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            error,
            HelperError::Fatal(format!(
                "the credential helper {hung} did not answer within 1 s"
            ))
        );
        let flood = script("flood", "exec yes '{'");
        let started = Instant::now();
        let error = run_helper(&flood, "ghcr.io", second, 1024).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            error,
            HelperError::Fatal(format!(
                "the credential helper {flood} printed more than 1024 bytes"
            ))
        );
        // Output ended but the helper lingers: still bounded.
        let linger = script("linger", "exec >&-; exec sleep 30");
        assert!(matches!(
            run_helper(&linger, "ghcr.io", second, 1024),
            Err(HelperError::Fatal(_))
        ));
        let missing = run_helper("/nonexistent/helper", "ghcr.io", second, 1024).unwrap_err();
        assert!(matches!(missing, HelperError::Unusable(_)));
    }

    #[test]
    fn flag_credentials_go_only_where_they_are_scoped() {
        let ci = Credentials::Basic {
            username: "ci".into(),
            password: Secret::new("ci-secret"),
        };
        let unscoped = CredentialSource {
            explicit: Some(ci.clone()),
            ..CredentialSource::default()
        };
        // Unscoped: only registries named on the command line, and not as "scoped".
        let named = unscoped.lookup("ghcr.io", true);
        assert_eq!(named.credentials, Some(ci.clone()));
        assert!(!named.scoped);
        let other = unscoped.lookup("evil.example", false);
        assert_eq!(other.credentials, None);
        assert!(other.note.unwrap().contains("unscoped"));
        // Scoped: exactly the scope's hosts, named or not; Docker Hub's aliases are one host.
        let scoped = CredentialSource {
            explicit: Some(ci.clone()),
            explicit_for: vec![
                scope_host("https://index.docker.io/v1/").unwrap(),
                scope_host("127.0.0.1:5000").unwrap(),
            ],
            ..CredentialSource::default()
        };
        for registry in ["docker.io", "127.0.0.1:5000"] {
            let found = scoped.lookup(registry, false);
            assert_eq!(found.credentials, Some(ci.clone()), "{registry}");
            assert!(found.scoped);
        }
        for registry in ["ghcr.io", "127.0.0.1:5001", "127.0.0.1"] {
            assert_eq!(
                scoped.lookup(registry, true).credentials,
                None,
                "{registry}"
            );
        }
        assert!(scope_host("not a host").is_err());
        assert!(scope_host("ghcr.io/org").is_err());
        assert_eq!(scope_host("GHCR.io").unwrap(), "ghcr.io");
    }
}
