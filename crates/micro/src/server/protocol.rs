//! Which protocol a connection speaks: HTTP/2 with prior knowledge (h2c) when it opens with the
//! HTTP/2 connection preface, HTTP/1.1 otherwise.
//!
//! hyper-util's `auto` builder tells them apart by reading the first bytes and handing hyper the
//! stream wrapped in a type that replays them: every later read of an HTTP/1 connection then goes
//! through that wrapper and the builder's own state machine (about 250 instructions per request
//! under callgrind). Here the first bytes are only peeked (`MSG_PEEK`, one system call per
//! connection), so hyper gets the plain stream.

use std::io;
use std::time::Duration;

use tokio::net::TcpStream;

/// The HTTP/2 connection preface (RFC 9113, section 3.4).
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How long to wait before peeking again when only the beginning of the preface has arrived.
/// Rare (clients send the preface in one segment), and peeking at once would spin.
const PARTIAL_RETRY: Duration = Duration::from_millis(5);

/// The protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Protocol {
    Http1,
    Http2,
}

/// Waits for the connection's first bytes and tells the protocol from them, without consuming
/// them. A connection closed before sending anything counts as HTTP/1 (hyper then ends it
/// quietly).
pub(super) async fn detect(stream: &TcpStream) -> io::Result<Protocol> {
    let mut buf = [0u8; PREFACE.len()];
    loop {
        let n = stream.peek(&mut buf).await?;
        if n == 0 || buf[..n] != PREFACE[..n] {
            return Ok(Protocol::Http1);
        }
        if n == PREFACE.len() {
            return Ok(Protocol::Http2);
        }
        tokio::time::sleep(PARTIAL_RETRY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    async fn detect_after(chunks: &[&[u8]]) -> Protocol {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let detected = tokio::spawn(async move { detect(&server).await.unwrap() });
        for chunk in chunks {
            client.write_all(chunk).await.unwrap();
            client.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        detected.await.unwrap()
    }

    #[tokio::test]
    async fn tells_http1_from_http2() {
        assert_eq!(
            detect_after(&[b"GET / HTTP/1.1\r\n"]).await,
            Protocol::Http1
        );
        assert_eq!(detect_after(&[PREFACE]).await, Protocol::Http2);
        // A preface split across segments is waited for; a near miss is HTTP/1.
        assert_eq!(
            detect_after(&[&PREFACE[..5], &PREFACE[5..]]).await,
            Protocol::Http2
        );
        assert_eq!(
            detect_after(&[b"PRI * HTTP/1.1\r\n"]).await,
            Protocol::Http1
        );
    }
}
