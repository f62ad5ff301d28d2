//! A scripted HTTP/1.1 server on 127.0.0.1 for unit tests of the client: answers each request with
//! what a handler returns and records the requests, so the token flow, retries, redirects and
//! limits can be checked without a real registry (the integration tests use one).
//!
//! A handler can also misbehave on purpose, by answering with one of these pseudo-headers (never
//! sent): `x-fake-drip-ms: N` writes the body one byte every N milliseconds (the head at once);
//! `x-fake-raw` writes the body as the whole answer, no status line or headers (malformed HTTP);
//! `x-fake-endless` sends the head without a length and then the body over and over until the
//! client hangs up. [`FakeServer::sent`] counts the body bytes written.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
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
}

impl FakeServer {
    /// Serves on a free loopback port until the test process ends.
    pub fn start(handler: impl Fn(&Request, u16) -> Answer + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let handler = Arc::new(handler);
        let log = requests.clone();
        let counter = sent.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let handler = handler.clone();
                let log = log.clone();
                let counter = counter.clone();
                std::thread::spawn(move || serve(stream, port, &*handler, &log, &counter));
            }
        });
        FakeServer {
            port,
            requests,
            sent,
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

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    port: u16,
    handler: &(dyn Fn(&Request, u16) -> Answer + Send + Sync),
    log: &Mutex<Vec<Request>>,
    sent: &AtomicU64,
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    // A TLS handshake (the client tries HTTPS first on loopback): hang up, as a plain HTTP
    // server's refusal would.
    if reader
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
            let _ = writer.write_all(&body);
            return;
        }
        let endless = special("x-fake-endless").is_some();
        let drip = special("x-fake-drip-ms").and_then(|ms| ms.parse::<u64>().ok());
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
        if writer.write_all(head.as_bytes()).is_err() {
            return;
        }
        if let Some(ms) = drip {
            for byte in &body {
                if writer.write_all(std::slice::from_ref(byte)).is_err() {
                    return;
                }
                sent.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(ms));
            }
        } else if endless {
            while !body.is_empty() && writer.write_all(&body).is_ok() {
                sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            }
            return;
        } else {
            if writer.write_all(&body).is_err() {
                return;
            }
            sent.fetch_add(body.len() as u64, Ordering::SeqCst);
        }
    }
}
