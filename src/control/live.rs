//! `GET /__emulator/events`: the live notifications of [`AppState::notify`] as Server-Sent Events.
//!
//! The dashboard shows sessions appearing and changing, findings and catalogue reloads without
//! being reloaded. SSE is enough (one direction, plain HTTP, reconnects by itself) and needs no
//! library in the page. Each message is the notification's JSON in `data:`; a client that falls
//! behind gets `{"type":"lagged"}` and should refetch everything. The stream ends on shutdown so
//! graceful shutdown never waits on an open dashboard.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
    routing::get,
    Router,
};
use futures_util::stream::{self, Stream};
use serde_json::json;
use tokio::sync::broadcast::{error::RecvError, Receiver};

use crate::state::AppState;

/// Routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

/// Streams live notifications until the client leaves or the emulator shuts down.
async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.live.subscribe();
    let hello = Event::default().data(json!({"type": "hello"}).to_string());
    let stream = stream::unfold(
        (Some(hello), rx, state),
        |(first, mut rx, state): (Option<Event>, Receiver<serde_json::Value>, AppState)| async move {
            if let Some(event) = first {
                return Some((Ok(event), (None, rx, state)));
            }
            let next = tokio::select! {
                _ = state.shutdown.cancelled() => return None,
                next = rx.recv() => next,
            };
            let data = match next {
                Ok(value) => value.to_string(),
                Err(RecvError::Lagged(missed)) => {
                    json!({"type": "lagged", "missed": missed}).to_string()
                }
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(Event::default().data(data)), (None, rx, state)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
