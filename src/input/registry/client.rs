//! The HTTP side of the OCI distribution API, on ureq with rustls: manifests (with the `Accept`
//! header for OCI and Docker v2 manifests and indexes), small blobs read whole under a cap, layer
//! blobs as streams. Answers a registry's `401` challenge once per repository (the token is kept
//! for the rest of the run), follows redirects itself (never forwarding `Authorization`, never
//! from HTTPS to HTTP, never over plain HTTP to another host, only to http(s) URLs), retries
//! connection failures, `429` and `5xx` a bounded number of times with backoff (honouring
//! `Retry-After`; other waits with jitter), and times out: every manifest, token and config
//! request must be complete within `--timeout` (retries included), and a layer download must keep
//! up a minimum rate. A layer download whose connection is cut goes on from the byte it reached
//! with a `Range` request ([`Client::layer_stream`]); one image's layers go through a
//! [`Client::session`], whose connections [`Client::shutdown`] closes at once when one fails.
//!
//! Verified TLS trusts the system's store and `--ca-file`; requests go through the proxy the
//! environment names for their URL (see `network`).
//!
//! HTTPS is required, with verified certificates, except for loopback registries and hosts named
//! by `--insecure-registry`: those are tried over HTTPS without verifying the certificate, then
//! over plain HTTP, as docker does for insecure registries. Whether a host is loopback is decided
//! from the parsed URL, never from a prefix of its text.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ureq::http::{Response, Uri};
use ureq::tls::{RootCerts, TlsConfig};
use ureq::{Agent, Body, RequestBuilder};

use super::auth::{self, Challenge, CredentialSource, Credentials, Found, Secret};
use super::network::{self, CaFile, Proxies};
use super::reference::{self, Reference};
use crate::model::values::shorten as quote;

/// Attempts of one request before giving up on connection failures, `429` and `5xx`.
const ATTEMPTS: u32 = 3;
/// The wait before the second attempt; doubled for each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Waiting for a response's headers, and for each read of a body.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a manifest, token or config request may take, retries included, unless `--timeout`
/// says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// A layer download slower than this many bytes a second, averaged over [`RATE_WINDOW`], is
/// abandoned.
pub const MIN_BLOB_RATE: u64 = 10_000;
pub const RATE_WINDOW: Duration = Duration::from_secs(30);
/// Redirects followed for one request.
const MAX_REDIRECTS: u32 = 5;
/// Times one layer download goes on from the byte it reached after its connection was cut.
const RESUMES: u32 = 5;
/// The wait before the first resume; doubled for each further one (both with jitter).
const FIRST_RESUME_WAIT: Duration = Duration::from_millis(250);
/// Layers of one image downloaded at once (over as many connections, kept for reuse).
pub const MAX_CONCURRENT_LAYERS: usize = 4;
/// Registries refuse manifests larger than this; so does fleetsave.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Token responses and error bodies are small.
const MAX_SMALL_BODY: u64 = 1024 * 1024;
/// The largest page of a tag list read (a page of 10,000 long tags is under 1 MiB).
pub const MAX_TAGS_PAGE_BYTES: u64 = 4 * 1024 * 1024;

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
    /// `--timeout`: the most one manifest, token or config request may take, retries included
    /// ([`DEFAULT_TIMEOUT`] when `None`).
    pub timeout: Option<Duration>,
    /// `--ca-file`: certificate authorities trusted besides the system's.
    pub ca_files: Vec<CaFile>,
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` and their kin.
    pub proxies: Proxies,
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
    /// (Lenient, proxy URL) → the agent for it. Strict agents speak HTTPS only, certificates
    /// verified; lenient ones (loopback and `--insecure-registry` hosts) verify no certificate
    /// and allow plain HTTP. Each agent keeps its connections for reuse.
    agents: Mutex<HashMap<(bool, Option<String>), Agent>>,
    /// What a [`Client::session`] shares with the client it came from.
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// The roots verified TLS trusts, read once.
    roots: OnceLock<RootCerts>,
    /// (API host, repository) → the `Authorization` header value that worked.
    authorizations: Mutex<HashMap<(String, String), Secret>>,
    /// API host → `https://host` or `http://host`, once one has answered.
    bases: Mutex<HashMap<String, String>>,
    /// (Registry, named on the command line) → its credentials, looked up once.
    credentials: Mutex<HashMap<(String, bool), Found>>,
    /// Registries (lowercase) that image references on the command line name.
    named: Mutex<HashSet<String>>,
    /// Whether the warning about unscoped credentials was printed.
    warned_unscoped: AtomicBool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.options)
            .field("bases", &*lock(&self.shared.bases))
            .finish_non_exhaustive()
    }
}

/// The error of one request: the transport's, or a rule of fleetsave's that stopped it.
#[derive(Debug)]
enum CallError {
    Transport(ureq::Error),
    /// Not retried; exit 2.
    Refused(String),
}

impl From<ureq::Error> for CallError {
    fn from(error: ureq::Error) -> CallError {
        CallError::Transport(error)
    }
}

/// When one registry operation (a request and its retries) must be done, and what to name in the
/// message when it is not.
#[derive(Debug, Clone)]
struct Deadline {
    at: Instant,
    limit: Duration,
    registry: String,
}

impl Deadline {
    fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    fn message(&self) -> String {
        format!(
            "the registry {} did not answer in full within {} s (--timeout)",
            self.registry,
            self.limit.as_secs_f64()
        )
    }
}

/// Where a URL points: what decides whether a request may go there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `http` or `https`.
    pub scheme: String,
    /// Lowercase; IPv6 addresses in brackets.
    pub host: String,
    /// The URL's port, or the scheme's.
    pub port: u16,
}

impl Target {
    /// Parses an absolute http(s) URL; refuses any other scheme and any user name in it
    /// (`http://127.0.0.1:1@OTHER/` goes to OTHER, so it is refused rather than misread).
    pub fn parse(url: &str) -> Result<Target, String> {
        let scheme = match scheme_of(url).map(str::to_ascii_lowercase) {
            Some(scheme) if scheme == "http" || scheme == "https" => scheme,
            Some(scheme) => {
                return Err(format!(
                    "'{}' is a {scheme}: URL; only http and https URLs are followed",
                    quote(url)
                ));
            }
            None => return Err(format!("'{}' is not an absolute URL", quote(url))),
        };
        let uri: Uri = url
            .parse()
            .map_err(|_| format!("'{}' is not a valid URL", quote(url)))?;
        let authority = uri
            .authority()
            .filter(|a| !a.host().is_empty())
            .ok_or_else(|| format!("'{}' names no host", quote(url)))?;
        if authority.as_str().contains('@') {
            return Err(format!(
                "'{}' carries a user name before '@'; such URLs are refused",
                quote(url)
            ));
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        Ok(Target {
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16().unwrap_or(default_port),
            scheme,
        })
    }

    /// `host:port`, as `--insecure-registry` and the loopback rule take it.
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Whether a redirect from `from` to `to` may be followed: never from HTTPS to HTTP, and over
/// plain HTTP only to the same host and port (whose plain HTTP was allowed already).
fn redirect_allowed(from: &Target, to: &Target) -> Result<(), String> {
    if from.scheme == "https" && to.scheme == "http" {
        return Err(format!(
            "{} redirected from HTTPS to plain HTTP ({}); refused",
            from.host_port(),
            to.host_port()
        ));
    }
    if to.scheme == "http" && (to.host != from.host || to.port != from.port) {
        return Err(format!(
            "{} redirected over plain HTTP to another host ({}); refused",
            from.host_port(),
            to.host_port()
        ));
    }
    Ok(())
}

/// The scheme of an absolute URL (`http` of `http://…`, `file` of `file:///…`).
fn scheme_of(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut bytes = scheme.bytes();
    (bytes.next()?.is_ascii_alphabetic()
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
    .then_some(scheme)
}

/// A redirect's `Location` made absolute against the URL that answered with it.
fn resolve_location(current: &str, location: &str) -> String {
    if scheme_of(location).is_some() {
        return location.to_string();
    }
    let scheme_end = current.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}{rest}", &current[..scheme_end]);
    }
    let path_start = current[scheme_end..]
        .find(['/', '?'])
        .map_or(current.len(), |i| scheme_end + i);
    if location.starts_with('/') {
        return format!("{}{location}", &current[..path_start]);
    }
    let path = &current[path_start..];
    let path = path.split('?').next().unwrap_or(path);
    let directory = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("{}{directory}{location}", &current[..path_start])
}

impl Client {
    pub fn new(options: RegistryOptions) -> Client {
        Client {
            options,
            ..Client::default()
        }
    }

    /// A client sharing this one's tokens, credentials and trusted roots, with connections of
    /// its own, which [`Client::shutdown`] closes without touching this one's: one image's layer
    /// downloads.
    pub fn session(&self) -> Client {
        Client {
            options: self.options.clone(),
            agents: Mutex::default(),
            shared: Arc::clone(&self.shared),
        }
    }

    /// Closes every connection of this client, those in use included: a request or body read
    /// blocked on one fails at once.
    pub fn shutdown(&self) {
        for agent in lock(&self.agents).values() {
            agent.clone().shutdown();
        }
    }

    pub fn options(&self) -> &RegistryOptions {
        &self.options
    }

    /// Records that an image reference on the command line names `registry`: credentials
    /// given without a scope may go to it.
    pub fn named_on_command_line(&self, registry: &str) {
        lock(&self.shared.named).insert(registry.to_ascii_lowercase());
    }

    /// The agent for requests to `target`: lenient or not, through the proxy the environment
    /// names for it (or none).
    fn agent_for(&self, target: &Target, lenient: bool) -> Result<Agent, CallError> {
        let setting = self.options.proxies.for_target(target);
        let key = (lenient, setting.map(|s| s.url.clone()));
        if let Some(agent) = lock(&self.agents).get(&key) {
            return Ok(agent.clone());
        }
        let proxy = setting
            .map(network::ProxySetting::to_proxy)
            .transpose()
            .map_err(CallError::Refused)?;
        let tls = if lenient {
            TlsConfig::builder().disable_verification(true).build()
        } else {
            let roots = self.shared.roots.get_or_init(|| {
                let extra: Vec<_> = self
                    .options
                    .ca_files
                    .iter()
                    .flat_map(|file| file.certs.iter().cloned())
                    .collect();
                network::trusted_roots(&extra)
            });
            TlsConfig::builder().root_certs(roots.clone()).build()
        };
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            .https_only(!lenient)
            .tls_config(tls)
            // ureq's own reading of the environment is replaced by `Proxies`.
            .proxy(proxy)
            .user_agent(concat!("fleetsave/", env!("CARGO_PKG_VERSION")))
            .timeout_resolve(Some(CONNECT_TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_recv_response(Some(RESPONSE_TIMEOUT))
            .timeout_per_read(Some(RESPONSE_TIMEOUT))
            .max_idle_connections_per_host(MAX_CONCURRENT_LAYERS)
            // Redirects are followed by `follow`, which checks each hop.
            .max_redirects(0)
            .build()
            .new_agent();
        Ok(lock(&self.agents).entry(key).or_insert(agent).clone())
    }

    /// A deadline for one operation against `registry`, starting now.
    fn deadline(&self, registry: &str) -> Deadline {
        let limit = self.options.timeout.unwrap_or(DEFAULT_TIMEOUT);
        Deadline {
            at: Instant::now() + limit,
            limit,
            registry: registry.to_string(),
        }
    }

    /// The credentials for a registry: from the flags or the environment where they apply,
    /// else docker's config.
    fn credentials_for(&self, registry: &str) -> Result<Found, Failure> {
        let named = lock(&self.shared.named).contains(&registry.to_ascii_lowercase());
        let found = lock(&self.shared.credentials)
            .entry((registry.to_string(), named))
            .or_insert_with(|| self.options.credentials.lookup(registry, named))
            .clone();
        if self.options.credentials.explicit.is_some()
            && self.options.credentials.explicit_for.is_empty()
            && !self.shared.warned_unscoped.swap(true, Ordering::SeqCst)
        {
            eprintln!(
                "warning: the --registry-username/REGISTRY_USERNAME credentials have no scope \
                 (--registry-auth HOST or REGISTRY_HOST): they are sent only to registries named \
                 on the command line, never to one an inventory names, nor to a token service on \
                 another host"
            );
        }
        match &found.failure {
            Some(failure) => Err(Failure::Refused(failure.clone())),
            None => Ok(found),
        }
    }

    /// Whether `host` (`host[:port]`) may be spoken to without verified TLS.
    fn is_lenient(&self, host: &str) -> bool {
        let name = reference::host_name(host);
        name.eq_ignore_ascii_case("localhost")
            || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            || self.options.insecure_hosts.iter().any(|allowed| {
                allowed.eq_ignore_ascii_case(host) || allowed.eq_ignore_ascii_case(name)
            })
    }

    /// The manifest (or index) `tag_or_digest` of the reference's repository.
    pub fn manifest(&self, reference: &Reference, tag_or_digest: &str) -> Result<Fetched, Failure> {
        let path = format!("/v2/{}/manifests/{tag_or_digest}", reference.repository);
        let deadline = self.deadline(&reference.registry);
        let response = self.get(
            reference,
            &path,
            &[("Accept", MANIFEST_ACCEPT)],
            Some(&deadline),
            || {
                format!(
                    "the registry {} has no manifest '{tag_or_digest}' in repository {}",
                    reference.registry, reference.repository
                )
            },
        )?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
        };
        let media_type = header("content-type");
        let digest = header("docker-content-digest");
        let bytes = read_capped(response, MAX_MANIFEST_BYTES, "manifest", &deadline)?;
        Ok(Fetched {
            bytes,
            media_type,
            digest,
        })
    }

    /// One page of the repository's tag list: `path_and_query` is `/v2/<name>/tags/list?n=…`
    /// or the `Link` the previous page named. The body (at most [`MAX_TAGS_PAGE_BYTES`]) and
    /// the `Link` header's `rel="next"` target, as sent.
    pub fn tags_page(
        &self,
        reference: &Reference,
        path_and_query: &str,
    ) -> Result<(Vec<u8>, Option<String>), Failure> {
        let deadline = self.deadline(&reference.registry);
        let response = self.get(
            reference,
            path_and_query,
            &[("Accept", "application/json")],
            Some(&deadline),
            || {
                format!(
                    "the registry {} has no repository {} to list tags of",
                    reference.registry, reference.repository
                )
            },
        )?;
        let next = response
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(next_link);
        let bytes = read_capped(response, MAX_TAGS_PAGE_BYTES, "tag list page", &deadline)?;
        Ok((bytes, next))
    }

    /// A small blob (a config) read whole, at most `limit` bytes.
    pub fn small_blob(
        &self,
        reference: &Reference,
        digest: &str,
        limit: u64,
    ) -> Result<Vec<u8>, Failure> {
        let deadline = self.deadline(&reference.registry);
        let response = self.blob(reference, digest, Some(&deadline))?;
        read_capped(response, limit, "blob", &deadline)
    }

    /// A layer blob as a stream, which fails once it falls below [`MIN_BLOB_RATE`].
    pub fn blob_stream(
        &self,
        reference: &Reference,
        digest: &str,
    ) -> Result<impl Read + Send + 'static + use<>, Failure> {
        let body = self
            .blob(reference, digest, None)?
            .into_body()
            .into_reader();
        Ok(MinimumRate::new(
            body,
            reference.registry.clone(),
            MIN_BLOB_RATE,
            RATE_WINDOW,
        ))
    }

    /// A layer blob of `length` bytes as a stream that, when its connection is cut, goes on
    /// from the byte it reached with a `Range` request (at most `RESUMES` times, waiting with
    /// jitter), unless `cancelled`. The caller verifies the digest over the whole.
    pub fn layer_stream<'a>(
        &'a self,
        reference: &'a Reference,
        digest: &'a str,
        length: u64,
        cancelled: &'a AtomicBool,
    ) -> Result<Resuming<'a>, Failure> {
        Ok(Resuming {
            client: self,
            reference,
            digest,
            current: Box::new(self.blob_stream(reference, digest)?),
            offset: 0,
            length,
            resumes: 0,
            cancelled,
        })
    }

    /// The layer blob from byte `offset` on: `206` with the range asked for, or a `200` of the
    /// whole (a registry that ignores `Range`) whose first `offset` bytes are skipped.
    fn blob_from(
        &self,
        reference: &Reference,
        digest: &str,
        offset: u64,
    ) -> Result<Box<dyn Read + Send>, Failure> {
        let range = format!("bytes={offset}-");
        let response = self.blob_with(reference, digest, &[("Range", &range)], None)?;
        let status = response.status().as_u16();
        let starts_at = response
            .headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().strip_prefix("bytes "))
            .and_then(|v| v.split('-').next()?.trim().parse::<u64>().ok());
        let mut body = response.into_body().into_reader();
        match status {
            206 if starts_at == Some(offset) => {}
            206 => {
                return Err(Failure::Refused(format!(
                    "the registry {} answered a request for layer {digest} from byte {offset} \
                     with another range",
                    reference.registry
                )));
            }
            _ => {
                let skipped = std::io::copy(&mut (&mut body).take(offset), &mut std::io::sink())
                    .map_err(|e| Failure::Network(format!("resuming layer {digest}: {e}")))?;
                if skipped != offset {
                    return Err(Failure::Network(format!(
                        "resuming layer {digest}: the registry sent {skipped} bytes, fewer than \
                         the {offset} already read"
                    )));
                }
            }
        }
        Ok(Box::new(MinimumRate::new(
            body,
            reference.registry.clone(),
            MIN_BLOB_RATE,
            RATE_WINDOW,
        )))
    }

    fn blob(
        &self,
        reference: &Reference,
        digest: &str,
        deadline: Option<&Deadline>,
    ) -> Result<Response<Body>, Failure> {
        self.blob_with(reference, digest, &[], deadline)
    }

    fn blob_with(
        &self,
        reference: &Reference,
        digest: &str,
        headers: &[(&str, &str)],
        deadline: Option<&Deadline>,
    ) -> Result<Response<Body>, Failure> {
        let path = format!("/v2/{}/blobs/{digest}", reference.repository);
        self.get(reference, &path, headers, deadline, || {
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
        headers: &[(&str, &str)],
        deadline: Option<&Deadline>,
        not_found: impl Fn() -> String,
    ) -> Result<Response<Body>, Failure> {
        let host = reference.api_host();
        let lenient = self.is_lenient(host) || self.is_lenient(&reference.registry);
        let key = (host.to_string(), reference.repository.clone());
        let mut challenged = false;
        loop {
            let authorization = lock(&self.shared.authorizations).get(&key).cloned();
            let response = retrying(&reference.registry, deadline, || {
                self.call_registry(host, lenient, path, |agent, url, first| {
                    let mut request = timed(agent.get(url), deadline);
                    for (name, value) in headers {
                        request = request.header(*name, *value);
                    }
                    if first && let Some(authorization) = &authorization {
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
                    lock(&self.shared.authorizations).insert(key.clone(), authorization);
                }
                401 | 403 => {
                    let found = self.credentials_for(&reference.registry)?;
                    return Err(Failure::Unauthorised {
                        host: reference.registry.clone(),
                        detail: format!(
                            "access to {} was refused ({}; some registries answer so for a \
                             repository that does not exist)",
                            reference.repository,
                            match (&found.credentials, &found.note) {
                                (Some(_), _) => "wrong credentials, or no permission to pull",
                                (None, Some(note)) => note,
                                (None, None) =>
                                    "no credentials given: log in with docker login, or give \
                                     --registry-username and --registry-password",
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
        path: &str,
        send: impl Fn(&Agent, &str, bool) -> Result<Response<Body>, ureq::Error>,
    ) -> Result<Response<Body>, CallError> {
        // The guard must not live on into the request: an `if let` keeps the temporaries of its
        // condition until the end of its block, which serialised every request of the run.
        let known = lock(&self.shared.bases).get(host).cloned();
        if let Some(base) = known {
            return self.follow(&format!("{base}{path}"), &send);
        }
        let schemes: &[&str] = if lenient {
            &["https", "http"]
        } else {
            &["https"]
        };
        let mut last = None;
        for scheme in schemes {
            let base = format!("{scheme}://{host}");
            match self.follow(&format!("{base}{path}"), &send) {
                Ok(response) => {
                    lock(&self.shared.bases).insert(host.to_string(), base);
                    return Ok(response);
                }
                // Nothing listens (or answers) there: plain HTTP to the same port cannot help.
                Err(CallError::Transport(error)) if !connected(&error) => {
                    return Err(error.into());
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or(CallError::Transport(ureq::Error::ConnectionFailed)))
    }

    /// Sends a GET to `url` with `send` (told whether this is the first hop, the only one that
    /// may carry credentials) and follows redirects by the rules: only to http(s) URLs, never
    /// from HTTPS to HTTP, plain HTTP only to a loopback or `--insecure-registry` host and never
    /// to another host than the one redirecting, at most [`MAX_REDIRECTS`].
    fn follow(
        &self,
        url: &str,
        send: &impl Fn(&Agent, &str, bool) -> Result<Response<Body>, ureq::Error>,
    ) -> Result<Response<Body>, CallError> {
        let mut url = url.to_string();
        let mut target = Target::parse(&url).map_err(CallError::Refused)?;
        for hop in 0..=MAX_REDIRECTS {
            let lenient = self.is_lenient(&target.host_port());
            if target.scheme == "http" && !lenient {
                return Err(CallError::Refused(format!(
                    "refused to use plain HTTP to {} (only loopback registries and \
                     --insecure-registry hosts may)",
                    target.host_port()
                )));
            }
            let agent = self.agent_for(&target, lenient)?;
            let response = send(&agent, &url, hop == 0)?;
            if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
                return Ok(response);
            }
            let from = target.host_port();
            if hop == MAX_REDIRECTS {
                return Err(CallError::Refused(format!(
                    "{from} redirected more than {MAX_REDIRECTS} times in a row"
                )));
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    CallError::Refused(format!("{from} answered a redirect without a Location"))
                })?;
            let next_url = resolve_location(&url, location);
            let next = Target::parse(&next_url).map_err(|why| {
                CallError::Refused(format!(
                    "{from} redirected to a URL fleetsave refuses: {why}"
                ))
            })?;
            redirect_allowed(&target, &next).map_err(CallError::Refused)?;
            url = next_url;
            target = next;
        }
        unreachable!("the loop returns at its last hop")
    }

    /// Answers a `401`: a Bearer token from the realm (anonymous, with basic credentials or with
    /// an identity token), or basic credentials. Returns the `Authorization` header value.
    ///
    /// Credentials go to a realm on the registry's own host, or to a realm on another host only
    /// when they were given for this registry (scoped, or docker's per-host config).
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
        let found = self.credentials_for(&reference.registry)?;
        let mut note = found.note.clone();
        let unauthorised = |detail: String, note: &Option<String>| Failure::Unauthorised {
            host: reference.registry.clone(),
            detail: match note {
                Some(note) => format!("{detail} ({note})"),
                None => detail,
            },
        };
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let realm = bearer.param("realm").ok_or_else(|| {
                unauthorised(
                    "the registry's Bearer challenge names no token realm".into(),
                    &note,
                )
            })?;
            let realm_target = Target::parse(realm).map_err(|why| {
                Failure::Refused(format!(
                    "the registry {} names a token realm fleetsave refuses: {why}",
                    reference.registry
                ))
            })?;
            let registry_target = self.registry_target(reference);
            let same_host = realm_target.host == registry_target.host
                && realm_target.port == registry_target.port;
            let credentials = match &found.credentials {
                Some(credentials) if same_host || found.scoped => Some(credentials.clone()),
                Some(_) => {
                    note = Some(format!(
                        "the credentials were not sent to the token service at {}, another host \
                         than the registry, because they are not scoped to {}: add \
                         --registry-auth {}",
                        realm_target.host_port(),
                        reference.registry,
                        reference.registry
                    ));
                    None
                }
                None => None,
            };
            let deadline = self.deadline(&realm_target.host_port());
            let scope = format!("repository:{}:pull", reference.repository);
            let service = bearer.param("service");
            let answer = retrying(
                &realm_target.host_port(),
                Some(&deadline),
                || match &credentials {
                    Some(Credentials::IdentityToken(token)) => {
                        let lenient = self.is_lenient(&realm_target.host_port());
                        if realm_target.scheme == "http" && !lenient {
                            return Err(CallError::Refused(format!(
                                "refused to send a token over plain HTTP to {}",
                                realm_target.host_port()
                            )));
                        }
                        let mut form = vec![
                            ("grant_type", "refresh_token"),
                            ("refresh_token", token.expose()),
                            ("client_id", "fleetsave"),
                            ("scope", scope.as_str()),
                        ];
                        if let Some(service) = service {
                            form.push(("service", service));
                        }
                        let agent = self.agent_for(&realm_target, lenient)?;
                        let answer = timed(agent.post(realm), Some(&deadline)).send_form(form)?;
                        if answer.status().is_redirection() {
                            return Err(CallError::Refused(format!(
                                "the token service at {} answered a POST with a redirect",
                                realm_target.host_port()
                            )));
                        }
                        Ok(answer)
                    }
                    basic => self.follow(realm, &|agent, url, first| {
                        let mut request = timed(agent.get(url), Some(&deadline));
                        if first {
                            request = request.query("scope", &scope);
                            if let Some(service) = service {
                                request = request.query("service", service);
                            }
                            if let Some(header) = basic.as_ref().and_then(Credentials::basic_header)
                            {
                                request = request.header("Authorization", header);
                            }
                        }
                        request.call()
                    }),
                },
            )?;
            return match answer.status().as_u16() {
                200..=299 => {
                    let body = read_capped(answer, MAX_SMALL_BODY, "token response", &deadline)?;
                    let token = auth::token_from_response(&body).ok_or_else(|| {
                        Failure::Refused(format!(
                            "the token service of {} answered without a token (a protocol \
                             error)",
                            reference.registry
                        ))
                    })?;
                    Ok(Secret::new(format!("Bearer {}", token.expose())))
                }
                401 | 403 => Err(unauthorised(
                    if credentials.is_some() {
                        "the token service refused the credentials".to_string()
                    } else {
                        "the token service refused anonymous access: log in with docker login, \
                         or give --registry-username and --registry-password"
                            .to_string()
                    },
                    &note,
                )),
                status => Err(Failure::Refused(format!(
                    "the token service of {} answered HTTP {status}",
                    reference.registry
                ))),
            };
        }
        if challenges.iter().any(|c| c.scheme == "basic") {
            return found
                .credentials
                .as_ref()
                .and_then(Credentials::basic_header)
                .map(Secret::new)
                .ok_or_else(|| {
                    unauthorised(
                        "the registry asks for a user name and password: log in with docker \
                         login, or give --registry-username and --registry-password"
                            .into(),
                        &note,
                    )
                });
        }
        let schemes: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
        Err(unauthorised(
            format!(
                "the registry asks for authentication fleetsave does not speak ({})",
                if schemes.is_empty() {
                    "no WWW-Authenticate challenge".to_string()
                } else {
                    schemes.join(", ")
                }
            ),
            &note,
        ))
    }

    /// The registry's API host as a [`Target`], over the scheme it answered on.
    fn registry_target(&self, reference: &Reference) -> Target {
        let host = reference.api_host();
        let base = lock(&self.shared.bases)
            .get(host)
            .cloned()
            .unwrap_or_else(|| format!("https://{host}"));
        Target::parse(&base).unwrap_or(Target {
            scheme: "https".into(),
            host: host.to_ascii_lowercase(),
            port: 443,
        })
    }
}

/// The target of a `Link` header's `rel="next"` entry: `</v2/app/tags/list?n=2&last=b>;
/// rel="next"` gives `/v2/app/tags/list?n=2&last=b`.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|entry| {
        let (target, params) = entry.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|param| {
                param.trim().split_once('=').is_some_and(|(name, value)| {
                    name.trim().eq_ignore_ascii_case("rel")
                        && value
                            .trim()
                            .trim_matches('"')
                            .split_ascii_whitespace()
                            .any(|rel| rel.eq_ignore_ascii_case("next"))
                })
            })
            .then(|| target.to_string())
    })
}

/// A request bounded by what is left of `deadline`.
fn timed<B>(request: RequestBuilder<B>, deadline: Option<&Deadline>) -> RequestBuilder<B> {
    match deadline {
        Some(deadline) => request
            .config()
            .timeout_global(Some(deadline.remaining()))
            .build(),
        None => request,
    }
}

/// Runs `call` up to [`ATTEMPTS`] times while it fails to connect or the server answers `429`
/// or `5xx`, waiting between attempts; never past `deadline`. `host` is named when its
/// certificate is not trusted.
fn retrying(
    host: &str,
    deadline: Option<&Deadline>,
    mut call: impl FnMut() -> Result<Response<Body>, CallError>,
) -> Result<Response<Body>, Failure> {
    let mut wait = FIRST_BACKOFF;
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        if let Some(deadline) = deadline
            && deadline.remaining().is_zero()
        {
            return Err(Failure::Network(deadline.message()));
        }
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
                retry_after(&response).unwrap_or_else(|| jittered(wait))
            }
            Err(CallError::Refused(message)) => return Err(Failure::Refused(message)),
            Err(CallError::Transport(ureq::Error::Timeout(ureq::Timeout::Global)))
                if deadline.is_some() =>
            {
                return Err(Failure::Network(
                    deadline.map(Deadline::message).unwrap_or_default(),
                ));
            }
            Err(CallError::Transport(ureq::Error::Protocol(error))) => {
                return Err(Failure::Refused(format!(
                    "the server answered with malformed HTTP ({error}): a protocol error"
                )));
            }
            Err(CallError::Transport(error)) if certificate_refused(&error).is_some() => {
                let why = certificate_refused(&error).expect("just checked");
                return Err(Failure::Network(untrusted(host, why)));
            }
            Err(CallError::Transport(error)) => {
                let (message, retry) = describe(&error);
                if !retry {
                    return Err(Failure::Network(message));
                }
                last = message;
                jittered(wait)
            }
        };
        if attempt < ATTEMPTS {
            if let Some(deadline) = deadline
                && deadline.remaining() <= delay
            {
                return Err(Failure::Network(format!("{} ({last})", deadline.message())));
            }
            std::thread::sleep(delay);
            wait *= 2;
        }
    }
    Err(Failure::Network(format!(
        "{last} (gave up after {ATTEMPTS} attempts)"
    )))
}

/// The message for a certificate verified TLS refused: names the host and the way to trust a
/// private certificate authority.
fn untrusted(host: &str, why: &rustls::CertificateError) -> String {
    format!(
        "the certificate of {host} is not trusted ({why:?}): if a private or corporate \
         certificate authority signed it, give that authority's certificate with --ca-file PATH \
         (or add it to the system's store, or point SSL_CERT_FILE at it)"
    )
}

/// The reason verified TLS refused the server's certificate, when that is what failed (rustls
/// reports it directly, or as the cause of an I/O error during the handshake).
fn certificate_refused(error: &ureq::Error) -> Option<&rustls::CertificateError> {
    let rustls_error = match error {
        ureq::Error::Rustls(error) => Some(error),
        ureq::Error::Io(error) => error.get_ref().and_then(|e| e.downcast_ref()),
        _ => None,
    };
    match rustls_error? {
        rustls::Error::InvalidCertificate(why) => Some(why),
        _ => None,
    }
}

/// Whether a failed request got as far as a connection (so another scheme may work).
fn connected(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => false,
        ureq::Error::Timeout(timeout) => !matches!(
            timeout,
            ureq::Timeout::Resolve | ureq::Timeout::Connect | ureq::Timeout::Global
        ),
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

/// `base` times a factor between 0.5 and 1.5, drawn afresh each time, so that clients cut off
/// together do not come back together.
pub(crate) fn jittered(base: Duration) -> Duration {
    use std::hash::BuildHasher as _;
    // Each RandomState has keys of its own, seeded from the operating system.
    let draw =
        std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now());
    base.mul_f64(0.5 + draw as f64 / u64::MAX as f64)
}

/// A layer download that goes on where its connection was cut: see [`Client::layer_stream`].
pub struct Resuming<'a> {
    client: &'a Client,
    reference: &'a Reference,
    digest: &'a str,
    current: Box<dyn Read + Send>,
    /// Bytes read so far.
    offset: u64,
    /// The blob's declared length.
    length: u64,
    resumes: u32,
    cancelled: &'a AtomicBool,
}

impl Read for Resuming<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let error = match self.current.read(buf) {
                // The end before the declared length: the connection was closed early.
                Ok(0) if !buf.is_empty() && self.offset < self.length => {
                    std::io::Error::from(std::io::ErrorKind::UnexpectedEof)
                }
                Ok(read) => {
                    self.offset += read as u64;
                    return Ok(read);
                }
                Err(error) => error,
            };
            if !cut_short(&error)
                || self.resumes >= RESUMES
                || self.cancelled.load(Ordering::SeqCst)
            {
                return Err(error);
            }
            std::thread::sleep(jittered(FIRST_RESUME_WAIT * 2u32.pow(self.resumes)));
            self.resumes += 1;
            if self.cancelled.load(Ordering::SeqCst) {
                return Err(error);
            }
            self.current = self
                .client
                .blob_from(self.reference, self.digest, self.offset)
                .map_err(|failure| {
                    std::io::Error::other(match failure {
                        Failure::NotFound(m) | Failure::Network(m) | Failure::Refused(m) => m,
                        Failure::Unauthorised { detail, .. } => detail,
                    })
                })?;
        }
    }
}

/// Whether a read failed because the connection was cut (so a `Range` request may go on),
/// rather than timing out or being refused.
fn cut_short(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    let kind = match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
    {
        Some(ureq::Error::Io(inner)) => inner.kind(),
        Some(_) => return false,
        None => error.kind(),
    };
    matches!(
        kind,
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe
    )
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
        other => (other.to_string(), false),
    }
}

/// Reads a response body whole, refusing more than `limit` bytes, within `deadline`.
fn read_capped(
    response: Response<Body>,
    limit: u64,
    what: &str,
    deadline: &Deadline,
) -> Result<Vec<u8>, Failure> {
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
        .map_err(|e| {
            if deadline.remaining().is_zero() {
                Failure::Network(deadline.message())
            } else {
                Failure::Network(format!(
                    "reading the {what} from {} failed: {e}",
                    deadline.registry
                ))
            }
        })?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// A download that fails once fewer than `rate` bytes a second arrive, averaged over `window`
/// (a read that blocks is bounded by the agent's per-read timeout).
pub(crate) struct MinimumRate<R> {
    inner: R,
    registry: String,
    rate: u64,
    window: Duration,
    started: Instant,
    bytes: u64,
}

impl<R> MinimumRate<R> {
    pub fn new(inner: R, registry: String, rate: u64, window: Duration) -> MinimumRate<R> {
        MinimumRate {
            inner,
            registry,
            rate,
            window,
            started: Instant::now(),
            bytes: 0,
        }
    }
}

impl<R: Read> Read for MinimumRate<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.bytes += read as u64;
        let elapsed = self.started.elapsed();
        if read > 0 && elapsed >= self.window {
            let wanted = (self.rate as f64 * elapsed.as_secs_f64()) as u64;
            if self.bytes < wanted {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "the registry {} sent {} bytes in {:.0} s, slower than the minimum of \
                         {} bytes/s",
                        self.registry,
                        self.bytes,
                        elapsed.as_secs_f64(),
                        self.rate
                    ),
                ));
            }
            self.started = Instant::now();
            self.bytes = 0;
        }
        Ok(read)
    }
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
    fn redirects_never_go_from_https_to_http_nor_off_host_in_cleartext() {
        let t = |url: &str| Target::parse(url).unwrap();
        let secure = t("https://registry.example/v2/x");
        assert!(redirect_allowed(&secure, &t("https://cdn.example/blob")).is_ok());
        let error = redirect_allowed(&secure, &t("http://registry.example/v2/x")).unwrap_err();
        assert!(error.contains("from HTTPS to plain HTTP"), "{error}");
        let local = t("http://127.0.0.1:5000/v2/x");
        assert!(redirect_allowed(&local, &t("http://127.0.0.1:5000/storage")).is_ok());
        assert!(redirect_allowed(&local, &t("http://127.0.0.1:5001/storage")).is_err());
        assert!(redirect_allowed(&local, &t("http://evil.example:5000/")).is_err());
        assert!(redirect_allowed(&local, &t("https://cdn.example/blob")).is_ok());
        for bad in [
            "file:///etc/passwd",
            "ftp://x/y",
            "http://user:pw@127.0.0.1/",
            "http://127.0.0.1:1@other.example/token",
            "/relative",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(t("http://LOCALHOST/").host_port(), "localhost:80");
        assert_eq!(t("https://[::1]/").host_port(), "[::1]:443");
        let here = "http://127.0.0.1:5000/v2/app/blobs/x?y=1";
        assert_eq!(resolve_location(here, "/s/1"), "http://127.0.0.1:5000/s/1");
        assert_eq!(
            resolve_location(here, "z"),
            "http://127.0.0.1:5000/v2/app/blobs/z"
        );
        assert_eq!(resolve_location(here, "//cdn/a"), "http://cdn/a");
        assert_eq!(resolve_location(here, "https://cdn/a"), "https://cdn/a");
    }

    #[test]
    fn slow_downloads_stop_below_the_minimum_rate() {
        /// Gives one byte per read, waiting `pause` before each.
        struct Drip {
            pause: Duration,
            left: usize,
        }
        impl Read for Drip {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.left == 0 || buf.is_empty() {
                    return Ok(0);
                }
                std::thread::sleep(self.pause);
                self.left -= 1;
                buf[0] = b'x';
                Ok(1)
            }
        }
        let window = Duration::from_millis(200);
        let slow = Drip {
            pause: Duration::from_millis(20),
            left: 1000,
        };
        let mut reader = MinimumRate::new(slow, "127.0.0.1:1".into(), 1000, window);
        let error = std::io::copy(&mut reader, &mut std::io::sink()).unwrap_err();
        assert!(
            error.to_string().contains("the registry 127.0.0.1:1 sent"),
            "{error}"
        );
        // Fast enough: read to the end.
        let fast = Drip {
            pause: Duration::from_micros(100),
            left: 5000,
        };
        let mut reader = MinimumRate::new(fast, "x".into(), 1000, window);
        assert_eq!(
            std::io::copy(&mut reader, &mut std::io::sink()).unwrap(),
            5000
        );
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
