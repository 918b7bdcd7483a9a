//! A minimal blocking HTTP/1.1 client over `TcpStream` for end-to-end tests, so the tests add
//! no HTTP client dependency.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// Status and JSON body (or `Value::Null`).
pub fn call(
    addr: &str,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    Ok(parse(&String::from_utf8_lossy(&raw)))
}

/// `GET path` of a text reply (Prometheus metrics): status and body.
pub fn get_text(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = status_of(&text);
    let body = &text[text.find("\r\n\r\n").map_or(text.len(), |at| at + 4)..];
    let body = if text
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok((status, body))
}

fn status_of(text: &str) -> u16 {
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn parse(text: &str) -> (u16, Value) {
    let status = status_of(text);
    let body_start = text.find("\r\n\r\n").map_or(text.len(), |at| at + 4);
    let body_text = &text[body_start..];
    let json = if text
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        serde_json::from_str(&dechunk(body_text)).unwrap_or(Value::Null)
    } else {
        serde_json::from_str(body_text).unwrap_or(Value::Null)
    };
    (status, json)
}

fn dechunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some(line_end) = text.find("\r\n") {
        let size = usize::from_str_radix(text[..line_end].trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.push_str(&text[start..(start + size).min(text.len())]);
        text = &text[(start + size + 2).min(text.len())..];
    }
    out
}

/// `GET path`.
pub fn get(addr: &str, path: &str) -> std::io::Result<(u16, Value)> {
    call(addr, "GET", path, None, &[])
}
