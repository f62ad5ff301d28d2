//! How connections to registries leave the machine: which certificate authorities verified TLS
//! trusts, and which proxy a URL goes through.
//!
//! **Trust.** The system's store, read as OpenSSL reads it (`SSL_CERT_FILE` and `SSL_CERT_DIR`
//! replace it when set), plus every certificate of `--ca-file`; on a machine whose store holds no
//! certificate at all (a scratch container), the bundled Mozilla roots stand in for it.
//!
//! **Proxies**, as curl and docker take them from the environment: `https_proxy`/`HTTPS_PROXY`
//! for https URLs, `http_proxy`/`HTTP_PROXY` for http URLs, `all_proxy`/`ALL_PROXY` for either
//! when the scheme's own is unset (lowercase first, as curl reads them). `no_proxy`/`NO_PROXY` is
//! a comma-separated list: `*` (everything), domains (`example.com`, `.example.com` and
//! `*.example.com` each match the domain and every name under it), IP addresses, CIDR ranges
//! (`10.0.0.0/8`), each optionally with `:PORT`. Loopback hosts (`localhost`, `127.0.0.0/8`,
//! `::1`) are never proxied, as Go's (and so docker's) proxy rule has it: a proxy elsewhere cannot
//! reach this machine's loopback. Proxies are `http://` (the default when no scheme is written) or
//! `https://`, reached with `CONNECT`; any other kind is refused.

use std::net::IpAddr;
use std::path::PathBuf;

use ureq::tls::{Certificate, PemItem, RootCerts};

use super::client::Target;
use crate::input::limits::read_capped;
use crate::model::values::Refusal;

/// The most `--ca-file` reads.
const MAX_CA_FILE: u64 = 16 * 1024 * 1024;

/// `--ca-file PATH`: the certificates of a PEM file.
#[derive(Debug, Clone)]
pub struct CaFile {
    pub path: PathBuf,
    pub certs: Vec<Certificate<'static>>,
}

/// Reads and parses `--ca-file`: a PEM file holding one or more certificates (other PEM blocks,
/// such as keys, are skipped).
pub fn ca_file(text: &str) -> Result<CaFile, Refusal> {
    const EXPECTED: &str = "a PEM file of CA certificates (-----BEGIN CERTIFICATE-----)";
    let path = PathBuf::from(text);
    let bytes = std::fs::File::open(&path)
        .and_then(|file| read_capped(file, MAX_CA_FILE))
        .map_err(|e| Refusal::new(format!("cannot be read ({e})"), EXPECTED))?
        .ok_or_else(|| Refusal::new("is larger than 16 MiB", EXPECTED))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&bytes) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => return Err(Refusal::new(format!("is not valid PEM ({e})"), EXPECTED)),
        }
    }
    if certs.is_empty() {
        return Err(Refusal::new("holds no certificate", EXPECTED));
    }
    Ok(CaFile { path, certs })
}

/// The roots verified TLS trusts: the system's store (or `SSL_CERT_FILE`/`SSL_CERT_DIR`), else
/// the bundled Mozilla roots, plus `extra`. A store that could not be read in part is said once
/// on stderr.
pub fn trusted_roots(extra: &[Certificate<'static>]) -> RootCerts {
    let native = rustls_native_certs::load_native_certs();
    if let Some(error) = native.errors.first() {
        eprintln!(
            "warning: part of the system's certificate store (or SSL_CERT_FILE/SSL_CERT_DIR) \
             could not be read: {error}"
        );
    }
    let mut certs: Vec<Certificate<'static>> = native
        .certs
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    if certs.is_empty() {
        certs = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect();
    }
    certs.extend(extra.iter().cloned());
    RootCerts::new_with_certs(&certs)
}

/// A proxy setting: the environment variable it came from and its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxySetting {
    pub variable: String,
    pub url: String,
}

impl ProxySetting {
    /// The proxy as ureq takes it; refuses kinds other than http(s) CONNECT proxies. Messages
    /// never quote the URL, which may hold a password.
    pub fn to_proxy(&self) -> Result<ureq::Proxy, String> {
        let url = match self.url.split_once("://") {
            None => format!("http://{}", self.url),
            Some((scheme, _))
                if matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") =>
            {
                self.url.clone()
            }
            Some((scheme, _)) => {
                return Err(format!(
                    "the proxy in {} is a {} proxy; only http:// and https:// proxies are \
                     supported",
                    self.variable,
                    crate::model::values::shorten(scheme)
                ));
            }
        };
        ureq::Proxy::new(&url)
            .map_err(|_| format!("the proxy in {} is not a valid proxy URL", self.variable))
    }
}

/// The proxy settings of the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    /// For http:// URLs.
    pub http: Option<ProxySetting>,
    /// For https:// URLs.
    pub https: Option<ProxySetting>,
    /// `NO_PROXY` entries, lowercase.
    pub no_proxy: Vec<String>,
}

impl Proxies {
    pub fn from_env() -> Proxies {
        Proxies::from_vars(|name| std::env::var(name).ok())
    }

    /// From variables looked up with `var` (an empty value counts as unset).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Proxies {
        let first = |names: &[&str]| {
            names.iter().find_map(|name| {
                var(name)
                    .map(|value| value.trim().to_string())
                    .filter(|value| !value.is_empty())
                    .map(|url| ProxySetting {
                        variable: (*name).to_string(),
                        url,
                    })
            })
        };
        let all = first(&["all_proxy", "ALL_PROXY"]);
        Proxies {
            http: first(&["http_proxy", "HTTP_PROXY"]).or_else(|| all.clone()),
            https: first(&["https_proxy", "HTTPS_PROXY"]).or(all),
            no_proxy: first(&["no_proxy", "NO_PROXY"])
                .map(|setting| {
                    setting
                        .url
                        .split(',')
                        .map(|entry| entry.trim().to_ascii_lowercase())
                        .filter(|entry| !entry.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The proxy a request to `target` goes through; `None`: straight to it.
    pub(crate) fn for_target(&self, target: &Target) -> Option<&ProxySetting> {
        let host = target.host.trim_start_matches('[').trim_end_matches(']');
        if is_loopback(host) || self.no_proxy.iter().any(|e| bypasses(e, host, target.port)) {
            return None;
        }
        if target.scheme == "https" {
            self.https.as_ref()
        } else {
            self.http.as_ref()
        }
    }
}

/// `localhost` (and names under it), `127.0.0.0/8`, `::1`.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether the `NO_PROXY` entry `entry` covers `host` (no brackets) on `port`.
fn bypasses(entry: &str, host: &str, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    // `[v6]:port`, `[v6]`, `host:port`; a bare IPv6 address has colons but no port.
    let (pattern, wanted_port) = if let Some(rest) = entry.strip_prefix('[') {
        match rest.split_once(']') {
            Some((address, tail)) => (address, tail.strip_prefix(':')),
            None => (rest, None),
        }
    } else if entry.parse::<IpAddr>().is_ok() || entry.contains('/') {
        (entry, None)
    } else {
        match entry.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (entry, None),
        }
    };
    if let Some(wanted) = wanted_port
        && wanted.parse::<u16>().ok() != Some(port)
    {
        return false;
    }
    let address = host.parse::<IpAddr>().ok();
    if let Some((network, bits)) = pattern.split_once('/') {
        return match (address, network.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Some(address), Ok(network), Ok(bits)) => in_network(address, network, bits),
            _ => false,
        };
    }
    if let Ok(ip) = pattern.parse::<IpAddr>() {
        return address == Some(ip);
    }
    let domain = pattern
        .strip_prefix("*.")
        .or_else(|| pattern.strip_prefix('.'))
        .unwrap_or(pattern);
    !domain.is_empty()
        && (host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|head| head.ends_with('.')))
}

/// Whether `address` is in `network/bits`.
fn in_network(address: IpAddr, network: IpAddr, bits: u32) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    #[test]
    fn proxies_are_chosen_per_scheme_as_curl_and_docker_do() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            Proxies::from_vars(move |name| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_string())
            })
        };
        let proxies = vars(&[
            ("HTTPS_PROXY", "http://upper:3128"),
            ("https_proxy", "http://lower:3128"),
            ("HTTP_PROXY", "plain:8080"),
            (
                "NO_PROXY",
                "internal.example, .corp.example,*.lan,10.0.0.0/8,192.168.1.7,::5,[fd00::1]:5000,cache:5000",
            ),
        ]);
        let via = |url: &str| proxies.for_target(&target(url)).map(|p| p.url.clone());
        assert_eq!(
            via("https://ghcr.io/v2/").as_deref(),
            Some("http://lower:3128")
        );
        assert_eq!(
            via("http://registry.example/v2/").as_deref(),
            Some("plain:8080")
        );
        for direct in [
            "https://internal.example/",
            "https://a.internal.example/",
            "https://corp.example/",
            "https://x.corp.example/",
            "https://box.lan/",
            "https://10.1.2.3/",
            "https://192.168.1.7/",
            "https://[::5]/",
            "https://[fd00::1]:5000/",
            "https://cache:5000/",
            // Loopback is never proxied.
            "https://127.0.0.1:5000/",
            "https://127.9.9.9/",
            "https://localhost:5000/",
            "https://[::1]:5000/",
        ] {
            assert_eq!(via(direct), None, "{direct}");
        }
        for proxied in [
            "https://notinternal.example/",
            "https://internal.example.org/",
            "https://11.0.0.1/",
            "https://192.168.1.8/",
            "https://[fd00::1]:5001/",
            "https://cache:5001/",
        ] {
            assert!(via(proxied).is_some(), "{proxied}");
        }
        // ALL_PROXY stands in for a scheme without its own; "*" bypasses everything.
        let all = vars(&[("ALL_PROXY", "http://all:1"), ("http_proxy", "http://h:2")]);
        assert_eq!(
            all.for_target(&target("https://x/")).unwrap().variable,
            "ALL_PROXY"
        );
        assert_eq!(
            all.for_target(&target("http://x/")).unwrap().url,
            "http://h:2"
        );
        let none = vars(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(none.for_target(&target("https://x/")), None);
        assert_eq!(vars(&[]).for_target(&target("https://x/")), None);
    }

    #[test]
    fn only_http_and_https_proxies_are_taken() {
        let setting = |url: &str| ProxySetting {
            variable: "HTTPS_PROXY".into(),
            url: url.into(),
        };
        assert!(setting("proxy.corp:3128").to_proxy().is_ok());
        assert!(setting("http://user:pw@proxy.corp:3128").to_proxy().is_ok());
        assert!(setting("https://proxy.corp").to_proxy().is_ok());
        let error = setting("socks5://user:secret@proxy.corp:1080")
            .to_proxy()
            .unwrap_err();
        assert!(error.contains("HTTPS_PROXY is a socks5 proxy"), "{error}");
        assert!(!error.contains("secret"), "{error}");
    }

    #[test]
    fn ca_files_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not pem at all\n").unwrap();
        let refusal = ca_file(empty.to_str().unwrap()).unwrap_err();
        assert!(refusal.problem.contains("no certificate"), "{refusal}");
        let missing = ca_file(dir.path().join("missing.pem").to_str().unwrap()).unwrap_err();
        assert!(missing.problem.contains("cannot be read"), "{missing}");
    }
}
