//! Image references, `[registry/]repository[:tag][@digest]`, parsed with the grammar of the
//! distribution project's `reference` package (what docker, containerd and crane accept) and
//! normalised the way docker does: no registry means Docker Hub, and a one-part Hub repository
//! lives under `library/` (`python:3.12` → `docker.io/library/python:3.12`).

use std::fmt;

use crate::model::image::Digest;

/// Docker Hub's name, as users write it.
pub const DOCKER_HUB: &str = "docker.io";
/// The host Docker Hub's registry API is served from.
const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// Repository names longer than this are refused (the grammar's limit).
const MAX_NAME_LEN: usize = 255;
/// Tags are at most this long.
const MAX_TAG_LEN: usize = 128;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`, `localhost`.
    pub registry: String,
    /// `library/python`, `org/app`.
    pub repository: String,
    /// The tag; `latest` when neither a tag nor a digest is given.
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

/// Why a text is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{}' is not an image reference: {reason}",
    crate::model::values::shorten(text)
)]
pub struct ReferenceError {
    pub text: String,
    pub reason: String,
}

impl Reference {
    /// Parses a reference (without `docker://`), applying Docker Hub's defaults.
    pub fn parse(text: &str) -> Result<Reference, ReferenceError> {
        let fail = |reason: &str| ReferenceError {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        if text.is_empty() {
            return Err(fail("it is empty"));
        }
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => {
                let digest = parse_digest(digest).map_err(|reason| fail(&reason))?;
                (rest, Some(digest))
            }
            None => (text, None),
        };
        // A tag follows the last ':' after the last '/' (a ':' before it is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(colon) => {
                let colon = last_slash + colon;
                (&rest[..colon], Some(&rest[colon + 1..]))
            }
            None => (rest, None),
        };
        if let Some(tag) = tag
            && !valid_tag(tag)
        {
            return Err(fail(&format!(
                "invalid tag '{}' (letters, digits, '_', '.', '-'; at most {MAX_TAG_LEN}, not starting with '.' or '-')",
                crate::model::values::shorten(tag)
            )));
        }
        if name.is_empty() {
            return Err(fail("the repository name is missing"));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(fail(&format!(
                "the repository name is longer than {MAX_NAME_LEN} characters"
            )));
        }
        let (registry, repository) = split_registry(name);
        if let Some(registry) = registry
            && !valid_registry(registry)
        {
            return Err(fail(&format!("invalid registry host '{registry}'")));
        }
        if repository.is_empty() || repository.split('/').any(|part| !valid_component(part)) {
            return Err(fail(
                if repository.bytes().any(|b| b.is_ascii_uppercase()) {
                    "repository names must be lowercase"
                } else {
                    "invalid repository name (lowercase letters and digits, separated by '.', '_', '__', '-' or '/')"
                },
            ));
        }
        let registry = match registry {
            None | Some("index.docker.io") => DOCKER_HUB.to_string(),
            Some(host) => host.to_string(),
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            if repository.len() == 64 && repository.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(fail(
                    "a 64-digit hexadecimal string is an image ID, not a repository name",
                ));
            }
            format!("library/{repository}")
        } else {
            repository.to_string()
        };
        Ok(Reference {
            registry,
            repository,
            tag: tag.map(str::to_string),
            digest,
        })
    }

    /// What to ask the registry for: the digest when there is one, else the tag (`latest`).
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => "latest".to_string(),
        }
    }

    /// The host (with port) the registry API is served from.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The host without port or brackets, to tell loopback addresses.
    pub fn host_name(&self) -> &str {
        host_name(&self.registry)
    }
}

/// The host of `host[:port]` or `[v6]:port`, without the port and brackets.
pub fn host_name(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    registry.split(':').next().unwrap_or(registry)
}

impl fmt::Display for Reference {
    /// The fully qualified form: `docker.io/library/python:3.12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        if self.tag.is_none() && self.digest.is_none() {
            f.write_str(":latest")?;
        }
        Ok(())
    }
}

/// Splits `name` into its registry (when the first component names one: it holds a '.' or ':',
/// is `localhost`, or has uppercase letters, which repositories cannot) and the repository.
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// `host[:port]`: domain components, an IPv4 address, or a bracketed IPv6 address.
pub(crate) fn valid_registry(registry: &str) -> bool {
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if v6.is_empty()
            || !v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("x", Some(port)),
                None => return false,
            },
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (registry, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let domain_ok = !host.is_empty()
        && host.split('.').all(|component| {
            let bytes = component.as_bytes();
            !bytes.is_empty()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes[0] != b'-'
                && bytes[bytes.len() - 1] != b'-'
        });
    port_ok && domain_ok
}

/// A path component: lowercase alphanumerics separated by `.`, `_`, `__` or any run of `-`.
fn valid_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_TAG_LEN
        && word(bytes[0])
        && bytes.iter().all(|&b| word(b) || b == b'.' || b == b'-')
}

/// A digest: the grammar's `algorithm:hex{32,}`, then fleetsave's own checks (sha256 or
/// sha512, their lengths, lowercase).
fn parse_digest(text: &str) -> Result<Digest, String> {
    let Some((algorithm, hex)) = text.split_once(':') else {
        return Err(format!("invalid digest '{text}' (expected ALGORITHM:HEX)"));
    };
    let algorithm_ok = algorithm
        .split(['+', '.', '-', '_'])
        .all(|part| part.starts_with(|c: char| c.is_ascii_alphabetic()))
        && algorithm
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-_".contains(&b));
    if !algorithm_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "invalid digest '{text}' (expected ALGORITHM:HEX with at least 32 hex digits)"
        ));
    }
    if !matches!(algorithm, "sha256" | "sha512") {
        // It could not be verified.
        return Err(format!(
            "unsupported digest algorithm '{algorithm}' (sha256 or sha512)"
        ));
    }
    Digest::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, String, Option<String>, Option<String>) {
        let r = Reference::parse(text).unwrap_or_else(|e| panic!("{e}"));
        (
            r.registry,
            r.repository,
            r.tag,
            r.digest.map(|d| d.to_string()),
        )
    }

    fn ok(text: &str, registry: &str, repository: &str, tag: Option<&str>) {
        let (r, p, t, _) = parts(text);
        assert_eq!(
            (r.as_str(), p.as_str(), t.as_deref()),
            (registry, repository, tag),
            "{text}"
        );
    }

    const HEX: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    /// The valid cases of distribution/reference's reference_test.go and normalize_test.go.
    #[test]
    fn the_grammar_accepts_and_normalises() {
        ok("test_com", "docker.io", "library/test_com", None);
        ok("test.com:tag", "docker.io", "library/test.com", Some("tag"));
        ok(
            "test.com:5000",
            "docker.io",
            "library/test.com",
            Some("5000"),
        );
        ok("test.com/repo:tag", "test.com", "repo", Some("tag"));
        ok("test:5000/repo", "test:5000", "repo", None);
        ok("test:5000/repo:tag", "test:5000", "repo", Some("tag"));
        ok(
            "lowercase:Uppercase",
            "docker.io",
            "library/lowercase",
            Some("Uppercase"),
        );
        ok(
            "sub-dom1.foo.com/bar/baz/quux",
            "sub-dom1.foo.com",
            "bar/baz/quux",
            None,
        );
        ok(
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
            "sub-dom1.foo.com",
            "bar/baz/quux",
            Some("some-long-tag"),
        );
        ok(
            "b.gcr.io/test.example.com/my-app:test.example.com",
            "b.gcr.io",
            "test.example.com/my-app",
            Some("test.example.com"),
        );
        ok(
            "xn--n3h.com/myimage:xn--n3h.com",
            "xn--n3h.com",
            "myimage",
            Some("xn--n3h.com"),
        );
        ok(
            "foo_bar.com:8080",
            "docker.io",
            "library/foo_bar.com",
            Some("8080"),
        );
        ok(
            "foo/foo_bar.com:8080",
            "docker.io",
            "foo/foo_bar.com",
            Some("8080"),
        );
        ok("192.168.1.1", "docker.io", "library/192.168.1.1", None);
        ok(
            "192.168.1.1:tag",
            "docker.io",
            "library/192.168.1.1",
            Some("tag"),
        );
        ok(
            "192.168.1.1:5000",
            "docker.io",
            "library/192.168.1.1",
            Some("5000"),
        );
        ok("192.168.1.1/repo", "192.168.1.1", "repo", None);
        ok("192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", None);
        ok(
            "192.168.1.1:5000/repo:5050",
            "192.168.1.1:5000",
            "repo",
            Some("5050"),
        );
        ok("[2001:db8::1]/repo", "[2001:db8::1]", "repo", None);
        ok(
            "[2001:db8::1]:5000/repo:tag",
            "[2001:db8::1]:5000",
            "repo",
            Some("tag"),
        );
        ok("[::1]:5000/repo", "[::1]:5000", "repo", None);
        ok("localhost/repo", "localhost", "repo", None);
        ok("localhost:5000/repo", "localhost:5000", "repo", None);
        ok("Foo/bar", "Foo", "bar", None);
        ok("a__b/c--d", "docker.io", "a__b/c--d", None);
        // Docker Hub's defaults.
        ok("python:3.12", "docker.io", "library/python", Some("3.12"));
        ok("docker.io/python", "docker.io", "library/python", None);
        ok(
            "index.docker.io/library/python",
            "docker.io",
            "library/python",
            None,
        );
        ok("docker.io/org/app", "docker.io", "org/app", None);
        let (_, _, tag, digest) = parts(&format!("test:5000/repo@sha256:{HEX}"));
        assert_eq!(tag, None);
        assert_eq!(digest.unwrap(), format!("sha256:{HEX}"));
        let (_, _, tag, digest) = parts(&format!("test:5000/repo:tag@sha256:{HEX}"));
        assert_eq!(tag.as_deref(), Some("tag"));
        assert!(digest.is_some());
        let long = format!("a/{}", "a".repeat(253));
        assert_eq!(long.len(), 255);
        assert!(Reference::parse(&long).is_ok());
    }

    /// The invalid cases of the same tests.
    #[test]
    fn errors_quote_at_most_200_characters_of_the_input() {
        for text in [
            format!("{}:tag", "a".repeat(100_000)),
            format!("app:{}", "t".repeat(100_000)),
            "X".repeat(100_000),
        ] {
            let message = Reference::parse(&text).unwrap_err().to_string();
            assert!(message.len() < 700, "{} characters", message.len());
        }
    }

    #[test]
    fn the_grammar_rejects() {
        for (text, reason) in [
            ("", "empty"),
            (":justtag", "missing"),
            (&format!("@sha256:{HEX}"), "missing"),
            ("repo@sha256:ffffffffffffffffffffffffffffffffff", "sha256"),
            (
                "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                "digest",
            ),
            ("Uppercase:tag", "lowercase"),
            ("test:5000/Uppercase/lowercase:tag", "lowercase"),
            ("aa/asdf$$^/aa", "invalid repository"),
            ("a/a/a/a/-a", "invalid repository"),
            ("-foo/bar", "invalid repository"),
            ("foo/bar-", "invalid repository"),
            ("a..b/c", "invalid registry"),
            ("foo/bar:-tag", "invalid tag"),
            ("foo/bar:", "invalid tag"),
            ("foo/bar:a b", "invalid tag"),
            ("[fe80::1%eth0]:5000/repo", "invalid registry"),
            ("[2001:db8::1]:/repo", "invalid registry"),
            ("test:port/repo", "invalid registry"),
            (HEX, "image ID"),
        ] {
            let error = Reference::parse(text)
                .err()
                .unwrap_or_else(|| panic!("{text} parsed"));
            assert!(error.reason.contains(reason), "{text}: {error}");
        }
        let too_long = format!("a/{}", "a".repeat(254));
        assert!(Reference::parse(&too_long).is_err());
        assert!(Reference::parse(&format!("foo:{}", "a".repeat(129))).is_err());
    }

    #[test]
    fn displays_fully_qualified_and_finds_the_api_host() {
        let r = Reference::parse("python:3.12").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/python:3.12");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.manifest_reference(), "3.12");
        let r = Reference::parse("127.0.0.1:5000/app").unwrap();
        assert_eq!(r.to_string(), "127.0.0.1:5000/app:latest");
        assert_eq!(r.manifest_reference(), "latest");
        assert_eq!(r.host_name(), "127.0.0.1");
        assert_eq!(host_name("[::1]:5000"), "::1");
        let r = Reference::parse(&format!("ghcr.io/o/a:t@sha256:{HEX}")).unwrap();
        assert_eq!(r.manifest_reference(), format!("sha256:{HEX}"));
    }
}
