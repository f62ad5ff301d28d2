//! The HTTP side of the OCI distribution API, on ureq with rustls: manifests (with the `Accept`
//! header for OCI and Docker v2 manifests and indexes), small blobs read whole under a cap, layer
//! blobs as streams. Answers a registry's `401` challenge once per repository (the token is kept
//! for the rest of the run), follows redirects (never forwarding `Authorization`), retries
//! connection failures, `429` and `5xx` a bounded number of times with backoff (honouring
//! `Retry-After`), and times out.
//!
//! HTTPS is required, with verified certificates, except for loopback registries and hosts named
//! by `--insecure-registry`: those are tried over HTTPS without verifying the certificate, then
//! over plain HTTP, as docker does for insecure registries.

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use ureq::http::Response;
use ureq::tls::TlsConfig;
use ureq::{Agent, Body};

use super::auth::{self, Challenge, CredentialSource, Credentials, Secret};
use super::reference::{self, Reference};

/// Attempts of one request before giving up on connection failures, `429` and `5xx`.
const ATTEMPTS: u32 = 3;
/// The wait before the second attempt; doubled for each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Waiting for a response's headers, and for each read of a body.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);
/// Registries refuse manifests larger than this; so does fleetsave.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Token responses and error bodies are small.
const MAX_SMALL_BODY: u64 = 1024 * 1024;

/// What a manifest request accepts: OCI and Docker v2 manifests and indexes (never schema 1).
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// How to reach registries, from the command line.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    pub credentials: CredentialSource,
    /// `--insecure-registry`: hosts (`host` or `host:port`) allowed plain HTTP and unverified TLS.
    pub insecure_hosts: Vec<String>,
    /// `--disk`: download the layers to measure their exact disk bytes.
    pub disk: bool,
}

/// Why a registry request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The registry has no such manifest or blob (exit 2).
    NotFound(String),
    /// Access refused (exit 2); `host` is the registry's.
    Unauthorised { host: String, detail: String },
    /// DNS, TLS, connection, timeouts, and `429`/`5xx` after retries (exit 3).
    Network(String),
    /// The registry answered with something fleetsave cannot use (exit 2).
    Refused(String),
}

/// A manifest as the registry served it.
#[derive(Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// `Content-Type`.
    pub media_type: Option<String>,
    /// `Docker-Content-Digest`, when sent.
    pub digest: Option<String>,
}

/// A registry client for one run: connections, tokens and credentials are shared by every image
/// it reads, from any thread. Its `Debug` shows no token.
#[derive(Default)]
pub struct Client {
    options: RegistryOptions,
    /// HTTPS only, certificates verified.
    verified: OnceLock<Agent>,
    /// Loopback and `--insecure-registry` hosts: certificates not verified, plain HTTP allowed.
    lenient: OnceLock<Agent>,
    /// (API host, repository) → the `Authorization` header value that worked.
    authorizations: Mutex<HashMap<(String, String), Secret>>,
    /// API host → `https://host` or `http://host`, once one has answered.
    bases: Mutex<HashMap<String, String>>,
    /// Registry → its credentials (and a note on a helper that failed), looked up once.
    credentials: Mutex<HashMap<String, Lookup>>,
}

/// Credentials found for a registry, and why a configured helper could not be used.
type Lookup = (Option<Credentials>, Option<String>);

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.options)
            .field("bases", &*lock(&self.bases))
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(options: RegistryOptions) -> Client {
        Client {
            options,
            ..Client::default()
        }
    }

    pub fn options(&self) -> &RegistryOptions {
        &self.options
    }

    fn agent(&self, lenient: bool) -> &Agent {
        let cell = if lenient {
            &self.lenient
        } else {
            &self.verified
        };
        cell.get_or_init(|| {
            Agent::config_builder()
                .http_status_as_error(false)
                .https_only(!lenient)
                .tls_config(TlsConfig::builder().disable_verification(lenient).build())
                .user_agent(concat!("fleetsave/", env!("CARGO_PKG_VERSION")))
                .timeout_resolve(Some(CONNECT_TIMEOUT))
                .timeout_connect(Some(CONNECT_TIMEOUT))
                .timeout_recv_response(Some(RESPONSE_TIMEOUT))
                .timeout_per_read(Some(RESPONSE_TIMEOUT))
                .max_redirects(5)
                .build()
                .new_agent()
        })
    }

    /// The credentials for a registry, from the flags, the environment or docker's config.
    fn credentials_for(&self, registry: &str) -> Lookup {
        lock(&self.credentials)
            .entry(registry.to_string())
            .or_insert_with(|| self.options.credentials.lookup(registry))
            .clone()
    }

    /// Whether `host` (`host[:port]`) may be spoken to without verified TLS.
    fn is_lenient(&self, host: &str) -> bool {
        let name = reference::host_name(host);
        name.eq_ignore_ascii_case("localhost")
            || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            || self
                .options
                .insecure_hosts
                .iter()
                .any(|allowed| allowed == host || allowed == name)
    }

    /// The manifest (or index) `tag_or_digest` of the reference's repository.
    pub fn manifest(&self, reference: &Reference, tag_or_digest: &str) -> Result<Fetched, Failure> {
        let path = format!("/v2/{}/manifests/{tag_or_digest}", reference.repository);
        let response = self.get(reference, &path, Some(MANIFEST_ACCEPT), || {
            format!(
                "the registry {} has no manifest '{tag_or_digest}' in repository {}",
                reference.registry, reference.repository
            )
        })?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
        };
        let media_type = header("content-type");
        let digest = header("docker-content-digest");
        let bytes = read_capped(response, MAX_MANIFEST_BYTES, "manifest")?;
        Ok(Fetched {
            bytes,
            media_type,
            digest,
        })
    }

    /// A small blob (a config) read whole, at most `limit` bytes.
    pub fn small_blob(
        &self,
        reference: &Reference,
        digest: &str,
        limit: u64,
    ) -> Result<Vec<u8>, Failure> {
        let response = self.blob(reference, digest)?;
        read_capped(response, limit, "blob")
    }

    /// A layer blob as a stream.
    pub fn blob_stream(
        &self,
        reference: &Reference,
        digest: &str,
    ) -> Result<impl Read + Send + 'static, Failure> {
        Ok(self.blob(reference, digest)?.into_body().into_reader())
    }

    fn blob(&self, reference: &Reference, digest: &str) -> Result<Response<Body>, Failure> {
        let path = format!("/v2/{}/blobs/{digest}", reference.repository);
        self.get(reference, &path, None, || {
            format!(
                "the registry {} has no blob {digest} in repository {}",
                reference.registry, reference.repository
            )
        })
    }

    /// GET `path` from the reference's registry, answering its challenge once.
    fn get(
        &self,
        reference: &Reference,
        path: &str,
        accept: Option<&str>,
        not_found: impl Fn() -> String,
    ) -> Result<Response<Body>, Failure> {
        let host = reference.api_host();
        let lenient = self.is_lenient(host) || self.is_lenient(&reference.registry);
        let key = (host.to_string(), reference.repository.clone());
        let mut challenged = false;
        loop {
            let authorization = lock(&self.authorizations).get(&key).cloned();
            let response = retrying(|| {
                self.call_registry(host, lenient, |agent, base| {
                    let mut request = agent.get(format!("{base}{path}"));
                    if let Some(accept) = accept {
                        request = request.header("Accept", accept);
                    }
                    if let Some(authorization) = &authorization {
                        request = request.header("Authorization", authorization.expose());
                    }
                    request.call()
                })
            })?;
            match response.status().as_u16() {
                200..=299 => return Ok(response),
                401 if !challenged => {
                    challenged = true;
                    let authorization = self.authenticate(reference, &response)?;
                    lock(&self.authorizations).insert(key.clone(), authorization);
                }
                401 | 403 => {
                    let (credentials, _) = self.credentials_for(&reference.registry);
                    return Err(Failure::Unauthorised {
                        host: reference.registry.clone(),
                        detail: format!(
                            "access to {} was refused ({}; some registries answer so for a \
                             repository that does not exist)",
                            reference.repository,
                            if credentials.is_some() {
                                "wrong credentials, or no permission to pull"
                            } else {
                                "no credentials given: log in with docker login, or give \
                                 --registry-username and --registry-password"
                            }
                        ),
                    });
                }
                404 => return Err(Failure::NotFound(not_found())),
                status => {
                    return Err(Failure::Refused(format!(
                        "the registry {} answered HTTP {status} to GET {path}",
                        reference.registry
                    )));
                }
            }
        }
    }

    /// One request to a registry host: over its known scheme, else HTTPS, then (lenient hosts
    /// only) plain HTTP.
    fn call_registry(
        &self,
        host: &str,
        lenient: bool,
        call: impl Fn(&Agent, &str) -> Result<Response<Body>, ureq::Error>,
    ) -> Result<Response<Body>, ureq::Error> {
        let agent = self.agent(lenient);
        if let Some(base) = lock(&self.bases).get(host).cloned() {
            return call(agent, &base);
        }
        let schemes: &[&str] = if lenient {
            &["https", "http"]
        } else {
            &["https"]
        };
        let mut last = None;
        for scheme in schemes {
            let base = format!("{scheme}://{host}");
            match call(agent, &base) {
                Ok(response) => {
                    lock(&self.bases).insert(host.to_string(), base);
                    return Ok(response);
                }
                // Nothing listens (or answers) there: plain HTTP to the same port cannot help.
                Err(error) if !connected(&error) => return Err(error),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or(ureq::Error::ConnectionFailed))
    }

    /// Answers a `401`: a Bearer token from the realm (anonymous, with basic credentials or with
    /// an identity token), or basic credentials. Returns the `Authorization` header value.
    fn authenticate(
        &self,
        reference: &Reference,
        response: &Response<Body>,
    ) -> Result<Secret, Failure> {
        let challenges: Vec<Challenge> = response
            .headers()
            .get_all("www-authenticate")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(auth::parse_challenges)
            .collect();
        let (credentials, note) = self.credentials_for(&reference.registry);
        let unauthorised = |detail: String| Failure::Unauthorised {
            host: reference.registry.clone(),
            detail: match &note {
                Some(note) => format!("{detail} ({note})"),
                None => detail,
            },
        };
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let realm = bearer.param("realm").ok_or_else(|| {
                unauthorised("the registry's Bearer challenge names no token realm".into())
            })?;
            let realm_host = realm
                .strip_prefix("https://")
                .or_else(|| realm.strip_prefix("http://"))
                .map(|rest| rest.split(['/', '?']).next().unwrap_or(rest));
            let Some(realm_host) = realm_host else {
                return Err(unauthorised(format!(
                    "the token realm '{realm}' is not an http(s) URL"
                )));
            };
            let lenient = self.is_lenient(realm_host);
            let agent = self.agent(lenient);
            let scope = format!("repository:{}:pull", reference.repository);
            let service = bearer.param("service");
            let answer = retrying(|| match &credentials {
                Some(Credentials::IdentityToken(token)) => {
                    let mut form = vec![
                        ("grant_type", "refresh_token"),
                        ("refresh_token", token.expose()),
                        ("client_id", "fleetsave"),
                        ("scope", scope.as_str()),
                    ];
                    if let Some(service) = service {
                        form.push(("service", service));
                    }
                    agent.post(realm).send_form(form)
                }
                basic => {
                    let mut request = agent.get(realm).query("scope", &scope);
                    if let Some(service) = service {
                        request = request.query("service", service);
                    }
                    if let Some(header) = basic.as_ref().and_then(Credentials::basic_header) {
                        request = request.header("Authorization", header);
                    }
                    request.call()
                }
            })?;
            return match answer.status().as_u16() {
                200..=299 => {
                    let body = read_capped(answer, MAX_SMALL_BODY, "token response")?;
                    let token = auth::token_from_response(&body).ok_or_else(|| {
                        Failure::Refused(format!(
                            "the token service of {} answered without a token",
                            reference.registry
                        ))
                    })?;
                    Ok(Secret::new(format!("Bearer {}", token.expose())))
                }
                401 | 403 => Err(unauthorised(if credentials.is_some() {
                    "the token service refused the credentials".to_string()
                } else {
                    "the token service refused anonymous access: log in with docker login, or \
                     give --registry-username and --registry-password"
                        .to_string()
                })),
                status => Err(Failure::Refused(format!(
                    "the token service of {} answered HTTP {status}",
                    reference.registry
                ))),
            };
        }
        if challenges.iter().any(|c| c.scheme == "basic") {
            return credentials
                .as_ref()
                .and_then(Credentials::basic_header)
                .map(Secret::new)
                .ok_or_else(|| {
                    unauthorised(
                        "the registry asks for a user name and password: log in with docker \
                         login, or give --registry-username and --registry-password"
                            .into(),
                    )
                });
        }
        let schemes: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
        Err(unauthorised(format!(
            "the registry asks for authentication fleetsave does not speak ({})",
            if schemes.is_empty() {
                "no WWW-Authenticate challenge".to_string()
            } else {
                schemes.join(", ")
            }
        )))
    }
}

/// Runs `call` up to [`ATTEMPTS`] times while it fails to connect or the server answers `429`
/// or `5xx`, waiting between attempts.
fn retrying(
    mut call: impl FnMut() -> Result<Response<Body>, ureq::Error>,
) -> Result<Response<Body>, Failure> {
    let mut wait = FIRST_BACKOFF;
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let delay = match call() {
            Ok(response) => {
                let status = response.status().as_u16();
                if status != 429 && status < 500 {
                    return Ok(response);
                }
                last = if status == 429 {
                    "rate-limited (HTTP 429)".to_string()
                } else {
                    format!("the registry answered HTTP {status}")
                };
                retry_after(&response).unwrap_or(wait)
            }
            Err(error) => {
                let (message, retry) = describe(&error);
                if !retry {
                    return Err(Failure::Network(message));
                }
                last = message;
                wait
            }
        };
        if attempt < ATTEMPTS {
            std::thread::sleep(delay);
            wait *= 2;
        }
    }
    Err(Failure::Network(format!(
        "{last} (gave up after {ATTEMPTS} attempts)"
    )))
}

/// Whether a failed request got as far as a connection (so another scheme may work).
fn connected(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => false,
        ureq::Error::Timeout(timeout) => {
            !matches!(timeout, ureq::Timeout::Resolve | ureq::Timeout::Connect)
        }
        ureq::Error::Io(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionRefused
                | std::io::ErrorKind::HostUnreachable
                | std::io::ErrorKind::NetworkUnreachable
                | std::io::ErrorKind::AddrNotAvailable
        ),
        _ => true,
    }
}

/// `Retry-After: SECONDS`, capped.
fn retry_after(response: &Response<Body>) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// A transport error in words (never with a header or body), and whether a retry may help.
fn describe(error: &ureq::Error) -> (String, bool) {
    match error {
        ureq::Error::HostNotFound => ("cannot resolve the registry's host name".into(), false),
        ureq::Error::Io(e) => (format!("cannot connect: {e}"), true),
        ureq::Error::Timeout(t) => (format!("timed out ({t})"), true),
        ureq::Error::ConnectionFailed => ("cannot connect".into(), true),
        ureq::Error::Protocol(e) => (format!("HTTP protocol error: {e}"), true),
        ureq::Error::Rustls(e) => (format!("TLS failed: {e}"), false),
        ureq::Error::Tls(e) => (format!("TLS failed: {e}"), false),
        ureq::Error::RequireHttpsOnly(_) => (
            "refused to use plain HTTP (only loopback registries and --insecure-registry \
             hosts may)"
                .into(),
            false,
        ),
        ureq::Error::TooManyRedirects => ("too many redirects".into(), false),
        other => (other.to_string(), false),
    }
}

/// Reads a response body whole, refusing more than `limit` bytes.
fn read_capped(response: Response<Body>, limit: u64, what: &str) -> Result<Vec<u8>, Failure> {
    let too_large = || {
        Failure::Refused(format!(
            "the {what} is larger than {limit} bytes, the most fleetsave (and registries) accept"
        ))
    };
    if response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|length| length > limit)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Network(format!("reading the {what} failed: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// A lock that survives another thread's panic (the maps stay consistent either way).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback_and_listed_hosts() {
        let client = Client::new(RegistryOptions {
            insecure_hosts: vec!["registry.lan:5000".into(), "build-cache".into()],
            ..RegistryOptions::default()
        });
        for lenient in [
            "127.0.0.1:5000",
            "127.8.9.10",
            "localhost:5000",
            "[::1]:5000",
            "registry.lan:5000",
            "build-cache:443",
        ] {
            assert!(client.is_lenient(lenient), "{lenient}");
        }
        for strict in [
            "ghcr.io",
            "registry-1.docker.io",
            "registry.lan:6000",
            "10.0.0.1:5000",
            "localhost.example.com",
        ] {
            assert!(!client.is_lenient(strict), "{strict}");
        }
    }

    #[test]
    fn transport_errors_say_whether_to_retry() {
        let refused = ureq::Error::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert!(describe(&refused).1);
        assert!(!connected(&refused));
        assert!(!describe(&ureq::Error::HostNotFound).1);
        assert!(!describe(&ureq::Error::RequireHttpsOnly("http://x".into())).1);
        assert!(connected(&ureq::Error::Tls("bad certificate")));
    }
}
