//! A scripted HTTP/1.1 server on 127.0.0.1 for unit tests of the client: answers each request with
//! what a handler returns and records the requests, so the token flow, retries, redirects and
//! limits can be checked without a real registry (the integration tests use one).
//!
//! A handler can also misbehave on purpose, by answering with one of these pseudo-headers (never
//! sent): `x-fake-drip-ms: N` writes the body one byte every N milliseconds (the head at once);
//! `x-fake-raw` writes the body as the whole answer, no status line or headers (malformed HTTP);
//! `x-fake-endless` sends the head without a length and then the body over and over until the
//! client hangs up; `x-fake-drop-after: N` sends the head with the full length, then only the
//! first N bytes of the body, and hangs up. [`FakeServer::sent`] counts the body bytes written.
//!
//! [`FakeServer::start_tls`] serves the same over TLS with a certificate from [`TestPki`], a
//! throwaway certificate authority made with `openssl`; [`ConnectProxy`] is an HTTP `CONNECT`
//! proxy on 127.0.0.1 that logs the targets it tunnels to and routes them to loopback ports.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// An answer: status, headers, body (`Content-Length` is added).
pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

pub struct FakeServer {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
    /// Body bytes written to clients so far.
    sent: Arc<AtomicU64>,
    /// Connections accepted so far.
    connections: Arc<AtomicU64>,
}

impl FakeServer {
    /// Serves on a free loopback port until the test process ends.
    pub fn start(handler: impl Fn(&Request, u16) -> Answer + Send + Sync + 'static) -> FakeServer {
        FakeServer::serving(None, handler)
    }

    /// [`FakeServer::start`] over TLS, with the server certificate of `pki`.
    pub fn start_tls(
        pki: &TestPki,
        handler: impl Fn(&Request, u16) -> Answer + Send + Sync + 'static,
    ) -> FakeServer {
        FakeServer::serving(Some(pki.server_config()), handler)
    }

    fn serving(
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&Request, u16) -> Answer + Send + Sync + 'static,
    ) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let handler = Arc::new(handler);
        let log = requests.clone();
        let counter = sent.clone();
        let connections = Arc::new(AtomicU64::new(0));
        let accepted = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                accepted.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                let log = log.clone();
                let counter = counter.clone();
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    None => serve(stream, false, port, &*handler, &log, &counter),
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        let stream = rustls::StreamOwned::new(connection, stream);
                        serve(stream, true, port, &*handler, &log, &counter);
                    }
                });
            }
        });
        FakeServer {
            port,
            requests,
            sent,
            connections,
        }
    }

    /// `host:port` of the server.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Body bytes written to clients so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve<S: Read + Write>(
    stream: S,
    tls: bool,
    port: u16,
    handler: &(dyn Fn(&Request, u16) -> Answer + Send + Sync),
    log: &Mutex<Vec<Request>>,
    sent: &AtomicU64,
) {
    let mut reader = BufReader::new(stream);
    // A TLS handshake (the client tries HTTPS first on loopback): hang up, as a plain HTTP
    // server's refusal would.
    if !tls
        && reader
            .fill_buf()
            .map_or(true, |head| head.first() == Some(&0x16))
    {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Request {
            method,
            target,
            headers,
            body,
        };
        let (status, headers, body) = handler(&request, port);
        log.lock().unwrap().push(request);
        let special = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.clone())
        };
        if special("x-fake-raw").is_some() {
            let _ = reader.get_mut().write_all(&body);
            return;
        }
        let endless = special("x-fake-endless").is_some();
        let drip = special("x-fake-drip-ms").and_then(|ms| ms.parse::<u64>().ok());
        let drop_after = special("x-fake-drop-after").and_then(|n| n.parse::<usize>().ok());
        let mut head = format!("HTTP/1.1 {status} X\r\n");
        if endless {
            head.push_str("Connection: close\r\n");
        } else {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        for (name, value) in &headers {
            if !name.to_ascii_lowercase().starts_with("x-fake-") {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        head.push_str("\r\n");
        if reader.get_mut().write_all(head.as_bytes()).is_err() {
            return;
        }
        if let Some(keep) = drop_after {
            let part = &body[..keep.min(body.len())];
            if reader.get_mut().write_all(part).is_ok() {
                sent.fetch_add(part.len() as u64, Ordering::SeqCst);
            }
            let _ = reader.get_mut().flush();
            return;
        } else if let Some(ms) = drip {
            for byte in &body {
                if reader
                    .get_mut()
                    .write_all(std::slice::from_ref(byte))
                    .is_err()
                {
                    return;
                }
                sent.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(ms));
            }
        } else if endless {
            while !body.is_empty() && reader.get_mut().write_all(&body).is_ok() {
                sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            }
            return;
        } else {
            if reader.get_mut().write_all(&body).is_err() {
                return;
            }
            sent.fetch_add(body.len() as u64, Ordering::SeqCst);
        }
    }
}

/// A throwaway certificate authority and a server certificate it signed for `registry.test` and
/// 127.0.0.1, made with `openssl` in a temporary directory (removed on drop).
pub struct TestPki {
    pub dir: tempfile::TempDir,
}

impl TestPki {
    /// The name the server certificate is for (reached through a [`ConnectProxy`]).
    pub const HOST: &'static str = "registry.test";

    pub fn new() -> TestPki {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        std::fs::write(
            path.join("ca.cnf"),
            "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = fleetsave throwaway test CA\n\
             [ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n\
             subjectKeyIdentifier = hash\n",
        )
        .unwrap();
        std::fs::write(
            path.join("server.cnf"),
            "[server]\nsubjectAltName = DNS:registry.test,IP:127.0.0.1\n\
             basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n\
             extendedKeyUsage = serverAuth\nauthorityKeyIdentifier = keyid\n",
        )
        .unwrap();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            path,
            &[
                &["req", "-x509", "-config", "ca.cnf", "-extensions", "ca"][..],
                &ec,
                &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
            ]
            .concat(),
        );
        openssl(
            path,
            &[
                &["req", "-new"][..],
                &ec,
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=registry.test",
                ],
            ]
            .concat(),
        );
        openssl(
            path,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "2",
                "-days",
                "2",
                "-out",
                "server.pem",
                "-extfile",
                "server.cnf",
                "-extensions",
                "server",
            ],
        );
        TestPki { dir }
    }

    /// The authority's certificate (PEM).
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(self.dir.path().join("server.pem"))
                .unwrap()
                .map(Result::unwrap)
                .collect();
        let key = PrivateKeyDer::from_pem_file(self.dir.path().join("server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .unwrap(),
        )
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An HTTP `CONNECT` proxy on 127.0.0.1: tunnels `CONNECT host:port` to the loopback port
/// `route` gives for it (answering 403 when it gives none) and logs every target.
pub struct ConnectProxy {
    pub port: u16,
    connects: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    pub fn start(route: impl Fn(&str) -> Option<u16> + Send + Sync + 'static) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connects = Arc::new(Mutex::new(Vec::new()));
        let log = connects.clone();
        let route = Arc::new(route);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let log = log.clone();
                let route = route.clone();
                std::thread::spawn(move || tunnel(stream, &*route, &log));
            }
        });
        ConnectProxy { port, connects }
    }

    /// `http://127.0.0.1:PORT`, as `HTTPS_PROXY` takes it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `CONNECT` targets asked for so far.
    pub fn connects(&self) -> Vec<String> {
        self.connects.lock().unwrap().clone()
    }
}

fn tunnel(
    client: TcpStream,
    route: &(dyn Fn(&str) -> Option<u16> + Send + Sync),
    log: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            return;
        }
        if header.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    log.lock().unwrap().push(if method == "CONNECT" {
        target.to_string()
    } else {
        format!("{method} {target}")
    });
    let mut client_writer = client;
    let upstream = (method == "CONNECT")
        .then(|| route(target))
        .flatten()
        .and_then(|port| TcpStream::connect(("127.0.0.1", port)).ok());
    let Some(upstream) = upstream else {
        let _ = client_writer.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if client_writer
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let mut upstream_writer = upstream.try_clone().unwrap();
    let buffered = reader.buffer().to_vec();
    let forward = std::thread::spawn(move || {
        if upstream_writer.write_all(&buffered).is_ok() {
            let _ = std::io::copy(&mut reader, &mut upstream_writer);
        }
        let _ = upstream_writer.shutdown(Shutdown::Write);
    });
    let mut upstream_reader = upstream;
    let _ = std::io::copy(&mut upstream_reader, &mut client_writer);
    let _ = client_writer.shutdown(Shutdown::Both);
    let _ = forward.join();
}
