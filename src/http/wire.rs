//! What the accept loop (`server::plain`) adds around hyper on each plain-HTTP connection:
//! JSON bodies on hyper's own error answers, and a lingering close.
//!
//! Why: hyper answers a request it cannot parse (headers over its buffer: 431, a request line
//! too long: 414, anything malformed: 400) itself, with an empty body, before the front door
//! sees anything; [`JsonErrors`] swaps that answer for the documented `{code, error}` JSON. And
//! hyper closes a connection whose request body it did not read right after the answer: with
//! unread bytes in the socket the kernel then resets the connection, and a client that writes
//! its whole body before reading (Python's urllib, many SDK clients) gets a broken pipe instead
//! of its 413. [`linger`] keeps reading (and discarding) for a bounded time after hyper is done,
//! the way Apache's lingering close does, so those clients read the answer.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How long a closed connection is drained at most.
const LINGER_TOTAL: Duration = Duration::from_secs(10);
/// How long the drain waits for more bytes before it gives up.
const LINGER_IDLE: Duration = Duration::from_secs(2);
/// How many bytes a lingering close reads at most before it lets the connection go.
const LINGER_BYTES: usize = 64 * 1024 * 1024;

/// An IO that passes everything through, except hyper's automatic answers to unparsable
/// requests (400, 414, 431 with an empty body), which it replaces with the same status and a
/// `{code, error}` JSON body.
pub struct JsonErrors<T> {
    inner: T,
    /// The replacement answer still to write, and how much of it was written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> JsonErrors<T> {
    /// Wraps a connection's IO.
    pub fn new(inner: T) -> Self {
        JsonErrors {
            inner,
            pending: None,
        }
    }
}

/// The JSON answer to put in place of `head` when it is one of hyper's automatic error answers.
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let (status, message) = match rest.get(..3)? {
        b"431" => (
            "431 Request Header Fields Too Large",
            "The request headers are too large",
        ),
        b"414" => ("414 URI Too Long", "The request URI is too long"),
        b"400" => (
            "400 Bad Request",
            "The request could not be parsed as HTTP/1.1",
        ),
        _ => return None,
    };
    // Hyper's own answer has no body and no content type; every answer of the emulator's has one.
    let automatic =
        contains(head, b"\r\ncontent-length: 0\r\n") && !contains(head, b"content-type");
    if !automatic {
        return None;
    }
    let code = &status[..3];
    let body = format!(r#"{{"code":{code},"error":"{message}"}}"#);
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl<T: AsyncWrite + Unpin> JsonErrors<T> {
    /// Writes what is left of a replacement answer; `Ready(Ok)` once nothing is pending.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written >= bytes.len() {
                self.pending = None;
                break;
            }
            let n = match Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_some() {
            // After a replacement hyper writes nothing more that the client should see.
            return match this.poll_pending(cx) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.len())),
                other => other.map(|r| r.map(|()| buf.len())),
            };
        }
        if buf.first() == Some(&b'H') {
            if let Some(answer) = replacement(buf) {
                this.pending = Some((answer, 0));
                let _ = this.poll_pending(cx)?;
                return Poll::Ready(Ok(buf.len()));
            }
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if this.pending.is_some() {
            return this.poll_pending(cx).map(|r| r.map(|()| total));
        }
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            if first.first() == Some(&b'H') {
                if let Some(answer) = replacement(first) {
                    this.pending = Some((answer, 0));
                    let _ = this.poll_pending(cx)?;
                    return Poll::Ready(Ok(total));
                }
            }
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A second handle to a connection's socket: a file descriptor on Unix, a socket handle on
/// Windows (the prebuilt binaries cover both).
#[cfg(unix)]
pub type SocketTwin = std::os::fd::OwnedFd;
/// A second handle to a connection's socket: a file descriptor on Unix, a socket handle on
/// Windows (the prebuilt binaries cover both).
#[cfg(windows)]
pub type SocketTwin = std::os::windows::io::OwnedSocket;

/// A second handle to `stream`'s socket, kept for the lingering close once hyper is done with the
/// connection (`None` if the system refuses to duplicate it: the close is then not lingering).
pub fn twin(stream: &tokio::net::TcpStream) -> Option<SocketTwin> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        stream.as_fd().try_clone_to_owned().ok()
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsSocket;
        stream.as_socket().try_clone_to_owned().ok()
    }
}

/// Drains `socket` (a duplicate of a connection hyper has finished with) for a bounded time and
/// size, then closes it: the client's unread body is consumed instead of resetting the
/// connection under the answer it has not read yet.
pub async fn linger(socket: SocketTwin) {
    let std = std::net::TcpStream::from(socket);
    let _ = std.shutdown(std::net::Shutdown::Write);
    let Ok(stream) = tokio::net::TcpStream::from_std(std) else {
        return;
    };
    let mut buf = [0u8; 8 * 1024];
    let mut drained = 0usize;
    let _ = tokio::time::timeout(LINGER_TOTAL, async {
        while drained < LINGER_BYTES {
            match tokio::time::timeout(LINGER_IDLE, stream.readable()).await {
                Ok(Ok(())) => {}
                _ => return,
            }
            match stream.try_read(&mut buf) {
                Ok(0) => return,
                Ok(n) => drained += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_empty_431_becomes_json() {
        let head =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let answer = String::from_utf8(replacement(head).unwrap()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 431 "));
        assert!(answer.ends_with(r#"{"code":431,"error":"The request headers are too large"}"#));
    }

    #[test]
    fn the_emulators_own_json_errors_are_left_alone() {
        let head = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(head).is_none());
        assert!(replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
