//! The pieces of the front door (`crate::front`) that know nothing of the emulator: the
//! JSON-error guarantee, CORS/CORP, body limits and timeouts, the panic answer.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};

use super::guard::Surface;
use crate::error::ApiError;

/// The 408 message for a request body that stopped arriving (`--body-timeout`).
const BODY_STALLED: &str = "The request body stopped arriving before it was complete";

/// How tower-http's body timeout reads once axum's extractors have wrapped it.
const TIMEOUT_TEXT: &str = "within the designated timeout";

/// Largest non-JSON error body that is rewrapped (axum's rejections are short texts).
const MAX_REWRAP: usize = 16 * 1024;

/// Guarantees the invariant "every error answer is `{code, error}` JSON": axum's own rejections
/// (405 wrong method, 413 body too large, 415, 422, unknown routes...) are plain text or empty,
/// so they are rewrapped here with their text as the message.
pub async fn json_errors(method: &Method, path: &str, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if says_json(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_REWRAP)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    // An extractor whose body stalled past --body-timeout reports it as a 400 "failed to
    // buffer": it is the same 408 as when the emulator reads the body itself.
    if text.contains(TIMEOUT_TEXT) {
        return body_stalled().into_response();
    }
    let message = match (status, text.is_empty()) {
        (StatusCode::METHOD_NOT_ALLOWED, _) => {
            format!("Method {method} is not allowed on {path}")
        }
        (StatusCode::NOT_FOUND, true) => format!("No such endpoint: {method} {path}"),
        (StatusCode::PAYLOAD_TOO_LARGE, _) => {
            format!("Request body too large for {path}: {text}")
        }
        (_, true) => status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string(),
        (_, false) => text,
    };
    let mut rewrapped = ApiError::new(status, message).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        rewrapped.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rewrapped
}

/// Whether [`json_errors`] has anything to do with `response`: an error whose body is not JSON.
/// Checked before its future is made, since nearly every answer is not one.
pub fn needs_json_rewrap(response: &Response) -> bool {
    let status = response.status();
    (status.is_client_error() || status.is_server_error()) && !says_json(response.headers())
}

/// Whether `Content-Type` is a readable value containing `json` (what the JSON-error guarantee
/// and the transcript's body summaries call a JSON answer). A byte scan: `str::contains` sets
/// up a substring searcher, several hundred instructions for a twenty-byte value, on every
/// recorded answer.
pub fn says_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.as_bytes().windows(4).any(|w| w == b"json"))
}

/// The answer to a CORS preflight (`None` for any other request): granted on the vendor's
/// browser surface, because integrator pages are cross-origin and their fetch calls (network
/// check) are preflighted; refused (403 JSON, no CORS headers) everywhere else.
pub fn preflight(req: &Request, surface: Surface) -> Option<Response> {
    if req.method() != Method::OPTIONS
        || !req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return None;
    }
    if surface != Surface::Browser {
        return Some(super::guard::refuse_preflight(req.uri().path()).into_response());
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    let requested = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("*"));
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    Some(res)
}

/// The early 413 for a request whose `Content-Length` is above `limit` (`--max-body`), before
/// a byte of the body is read (`None` otherwise).
pub fn declared_too_large(req: &Request, limit: usize) -> Option<Response> {
    let declared = req.headers().get(header::CONTENT_LENGTH)?;
    let declared: u64 = std::str::from_utf8(declared.as_bytes())
        .ok()?
        .parse()
        .ok()?;
    (declared > limit as u64).then(|| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Request body too large for {}: {declared} bytes declared, at most {limit} bytes are accepted (--max-body)",
                req.uri().path()
            ),
        )
        .into_response()
    })
}

/// Adds CORS and `Cross-Origin-Resource-Policy: cross-origin` to an answer of the vendor's
/// browser surface, because integrator pages are cross-origin and often cross-origin isolated
/// (COEP `require-corp`).
pub fn add_cors_headers(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Location"),
    );
    // A static name: a `&str` key would be parsed and copied into a new allocation each time.
    static CORP: HeaderName = HeaderName::from_static("cross-origin-resource-policy");
    h.insert(CORP.clone(), HeaderValue::from_static("cross-origin"));
}

/// Reads a whole request body for a layer that must look at it, with the answer to give when
/// that fails: 413 over `limit`, 408 when the client stopped sending (`--body-timeout`), 400
/// for a broken connection.
///
/// `bounds`: the body is not bounded yet ([`bound_body`]); it is bounded only if it is not all
/// at hand ([`body_at_hand`]), so a body that came with its headers costs no timer wrapper.
pub async fn read_body(
    body: Body,
    limit: usize,
    bounds: Option<BodyBounds>,
) -> Result<axum::body::Bytes, Response> {
    // Most bodies came with their headers (a back end's init-liveness-session does): taken as
    // they are, without the reading machinery.
    // Polled once, here (`poll_fn` lends the task's context; the closure runs once, as it
    // answers at once).
    let mut unread = Some(body);
    let at_hand = std::future::poll_fn(|cx| {
        Poll::Ready(body_at_hand(unread.take().unwrap_or_default(), limit, cx))
    })
    .await;
    let read = match at_hand {
        AtHand::Whole(bytes) => Ok(bytes),
        AtHand::Failed(e) => Err(e),
        AtHand::Later(body) => {
            let body = match bounds {
                Some(bounds) => bounded(body, bounds),
                None => body,
            };
            to_bytes(body, limit).await
        }
    };
    read.map_err(|e| {
        let error = if is_body_timeout(&e) {
            body_stalled()
        } else if caused_by::<http_body_util::LengthLimitError>(&e) {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request body too large: at most {limit} bytes are accepted"),
            )
        } else {
            ApiError::bad_request(format!("The request body could not be read: {e}"))
        };
        error.into_response()
    })
}

/// The whole of `body`, at most `limit` bytes: `axum::body::to_bytes` (the same errors: the
/// body is read through the same `Limited`) without its list of buffers, and without a copy
/// when the body comes in one chunk, as a handler's answer and a small request body that
/// arrived with its headers do. Both sides of every init-liveness-session read one.
pub async fn to_bytes(body: Body, limit: usize) -> Result<axum::body::Bytes, axum::Error> {
    use http_body::Body as _;
    let mut body = http_body_util::Limited::new(body, limit);
    // The first chunk is kept as it is; a second one starts a buffer holding both.
    let mut single: Option<axum::body::Bytes> = None;
    let mut joined = bytes::BytesMut::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(data) = frame.map_err(axum::Error::new)?.into_data() else {
            continue; // trailers: not part of the bytes
        };
        if data.is_empty() {
            continue;
        }
        match single.take() {
            None if joined.is_empty() => single = Some(data),
            first => {
                if let Some(first) = first {
                    joined.extend_from_slice(&first);
                }
                joined.extend_from_slice(&data);
            }
        }
    }
    Ok(single.unwrap_or_else(|| joined.freeze()))
}

/// What [`body_at_hand`] found.
pub enum AtHand {
    /// The whole body (at most the limit).
    Whole(axum::body::Bytes),
    /// The body failed (as [`to_bytes`] would have).
    Failed(axum::Error),
    /// Not all of it is here yet (or it may be over the limit): the body, as if unread, for
    /// [`to_bytes`] to wait for.
    Later(Body),
}

/// The whole of `body` when it is already at hand: a body of known size (at most `limit`) that
/// gives all of it in one poll, as every handler's JSON answer does. A step after the routes
/// then finishes in the poll that received the answer, with no future of its own; anything
/// else comes back unread ([`AtHand::Later`]), for [`to_bytes`].
pub fn body_at_hand(mut body: Body, limit: usize, cx: &mut Context<'_>) -> AtHand {
    use http_body::Body as _;
    let size = match body.size_hint().exact() {
        Some(size) if size <= limit as u64 => size,
        _ => return AtHand::Later(body),
    };
    if size == 0 && body.is_end_stream() {
        return AtHand::Whole(axum::body::Bytes::new());
    }
    match Pin::new(&mut body).poll_frame(cx) {
        Poll::Pending => AtHand::Later(body),
        Poll::Ready(None) => AtHand::Whole(axum::body::Bytes::new()),
        Poll::Ready(Some(Err(e))) => AtHand::Failed(e),
        Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
            Ok(data) if data.len() as u64 == size => AtHand::Whole(data),
            // A first part, or trailers: what was read goes back in front of the rest.
            Ok(data) => AtHand::Later(prefixed(http_body::Frame::data(data), body)),
            Err(frame) => AtHand::Later(prefixed(frame, body)),
        },
    }
}

/// `first`, then the rest of `body`, as one body.
fn prefixed(first: http_body::Frame<axum::body::Bytes>, rest: Body) -> Body {
    use futures_util::StreamExt;
    let head = futures_util::stream::once(std::future::ready(Ok::<_, axum::Error>(first)));
    Body::new(http_body_util::StreamBody::new(
        head.chain(http_body_util::BodyStream::new(rest)),
    ))
}

/// Whether `T` is somewhere in the chain of `e`'s sources (body errors arrive boxed in layers).
fn caused_by<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(e);
    while let Some(err) = source {
        if err.is::<T>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Whether a body-reading error is the `--body-timeout` or `--body-deadline` firing (for
/// handlers that read the body with their own extractor, e.g. multipart, and must answer 408
/// rather than 400).
pub fn is_body_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    caused_by::<BodyTimeout>(e) || caused_by::<tower_http::timeout::TimeoutError>(e)
}

/// The 408 answer to a request body that stopped arriving.
pub fn body_stalled() -> ApiError {
    ApiError::new(StatusCode::REQUEST_TIMEOUT, BODY_STALLED)
}

/// The error a [`DeadlineBody`] ends with. Its text contains [`TIMEOUT_TEXT`], which is how
/// [`json_errors`] recognises it inside axum's "failed to buffer" rejections.
#[derive(Debug)]
pub struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the request body did not arrive {TIMEOUT_TEXT}")
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body with two bounds: a pause longer than `gap` between two chunks
/// (`--body-timeout`), and the whole body taking longer than the deadline (`--body-deadline`),
/// so a body trickled one byte per gap cannot hold a handler forever. One timer, reset to the
/// nearer of the two after each chunk, armed only once the body makes the reader wait: a body
/// that came with the headers (every init-liveness-session of a real back end) never
/// registers a timer.
pub struct DeadlineBody {
    inner: Body,
    gap: std::time::Duration,
    deadline: tokio::time::Instant,
    /// When the body last made progress (its start, then each chunk), while no timer is armed.
    since: tokio::time::Instant,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl DeadlineBody {
    fn new(inner: Body, gap: std::time::Duration, total: std::time::Duration) -> Self {
        let now = tokio::time::Instant::now();
        DeadlineBody {
            inner,
            gap,
            deadline: instant_after(now, total),
            since: now,
            timer: None,
        }
    }

    /// When the body times out if nothing arrives after progress at `since`.
    fn limit(&self, since: tokio::time::Instant) -> tokio::time::Instant {
        instant_after(since, self.gap).min(self.deadline)
    }
}

impl http_body::Body for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if this.inner.is_end_stream() {
                    // The last chunk: nothing left to time (no clock read, no timer reset).
                    return Poll::Ready(Some(Ok(frame)));
                }
                let now = tokio::time::Instant::now();
                let next = this.limit(now);
                match &mut this.timer {
                    Some(timer) => timer.as_mut().reset(next),
                    None => this.since = now,
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                let limit = this.limit(this.since);
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(limit)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// How long a request body may stall between two chunks (`gap`: `--body-timeout`) and take in
/// all (`total`: `--body-deadline`).
#[derive(Debug, Clone, Copy)]
pub struct BodyBounds {
    /// The longest pause between two chunks.
    pub gap: std::time::Duration,
    /// The longest time for the whole body.
    pub total: std::time::Duration,
}

/// Wraps the body of a request that has one ([`has_body`]) in a [`DeadlineBody`], read as 408
/// by [`read_body`] and by axum's extractors as a failed body. In place: the front door does not
/// move the request for it.
pub fn bound_body(req: &mut Request, bounds: BodyBounds) {
    let body = std::mem::take(req.body_mut());
    *req.body_mut() = bounded(body, bounds);
}

/// `body` within `bounds` (a [`DeadlineBody`]).
fn bounded(body: Body, bounds: BodyBounds) -> Body {
    Body::new(DeadlineBody::new(body, bounds.gap, bounds.total))
}

/// Whether a request has a body: `Content-Length` or `Transfer-Encoding` (HTTP/1.1 has no
/// other way to send one).
pub fn has_body(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key(header::CONTENT_LENGTH) || headers.contains_key(header::TRANSFER_ENCODING)
}

/// Turns a panic in a handler into a JSON 500 (a last resort: handlers must not panic).
pub fn panic_to_json(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown".into());
    tracing::error!(%detail, "handler panicked");
    ApiError::internal(format!("internal emulator error: {detail}")).into_response()
}

/// `now + d`, or far in the future when that overflows (a huge `--body-deadline`); the same
/// rule as `state::instant_after`, kept here so `http` imports nothing above it.
fn instant_after(now: tokio::time::Instant, d: std::time::Duration) -> tokio::time::Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(std::time::Duration::from_secs(30 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;

    /// A body of known size that gives its bytes in two parts (as a body still arriving does).
    struct TwoParts(Vec<Bytes>, u64);

    impl http_body::Body for TwoParts {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            if self.0.is_empty() {
                return Poll::Ready(None);
            }
            let part = self.0.remove(0);
            Poll::Ready(Some(Ok(http_body::Frame::data(part))))
        }

        fn size_hint(&self) -> http_body::SizeHint {
            http_body::SizeHint::with_exact(self.1)
        }
    }

    #[tokio::test]
    async fn a_body_that_comes_in_two_parts_is_read_whole() {
        let body = Body::new(TwoParts(
            vec![Bytes::from_static(b"{\"a\":"), Bytes::from_static(b"1}")],
            7,
        ));
        let read = read_body(body, 1024, None).await.ok();
        assert_eq!(read.as_deref(), Some(&b"{\"a\":1}"[..]));
    }

    #[tokio::test]
    async fn a_body_at_hand_is_read_as_it_is() {
        let read = read_body(Body::from("{\"a\":1}"), 1024, None).await.ok();
        assert_eq!(read.as_deref(), Some(&b"{\"a\":1}"[..]));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_with_413_even_when_at_hand() {
        let refused = read_body(Body::from("x".repeat(20)), 10, None).await.err();
        assert_eq!(
            refused.map(|r| r.status()),
            Some(StatusCode::PAYLOAD_TOO_LARGE)
        );
    }
}
