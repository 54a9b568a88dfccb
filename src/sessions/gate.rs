//! The per-session trainer gate: pause, resume, step one event, inject a failure now.
//!
//! A trainer explaining a failure flow needs to stop a capture at a precise moment and say what
//! the page is showing, then let it go on one event at a time or break it on purpose. The channel
//! runner consults this control before every action it plays:
//!
//! ```ignore
//! match session_control.gate().await {
//!     Gate::Proceed => play(action),
//!     Gate::Inject(error) => { send_error(error); break }
//! }
//! ```
//!
//! The gate is a cheap, cloneable handle (it lives in [`crate::sessions::BioSession::control`]);
//! the runner clones it out of the session lock and awaits [`SessionControl::gate`] without holding
//! the lock. Dashboard commands arrive through the control plane's pause/step/inject routes and
//! wake a waiting runner at once.

use std::{
    collections::VecDeque,
    sync::{Arc, OnceLock},
};

use parking_lot::Mutex;
use serde::Serialize;
use tokio::sync::Notify;

use crate::scenarios::model::ChannelError;

/// Upper bound on injections waiting for the runner, so repeated clicks cannot grow memory.
pub const MAX_PENDING_INJECTIONS: usize = 8;

/// What the runner must do with the action it is about to play.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Play the action.
    Proceed,
    /// Do not play it: send this error to the page (`errorFn`) and end the capture.
    Inject(ChannelError),
}

/// A snapshot of the control, for the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlState {
    /// Whether the runner stops before its next action.
    pub paused: bool,
    /// Actions the runner may still play while paused (one per "step" click).
    pub steps: u32,
    /// Errors waiting to be injected.
    pub pending_injections: usize,
    /// Whether a runner is currently waiting at the gate because of the pause.
    pub waiting: bool,
}

#[derive(Debug, Default)]
struct Inner {
    paused: bool,
    steps: u32,
    injections: VecDeque<ChannelError>,
    waiting: bool,
}

/// The control plane's handle on one session's playback: the gate the runner passes.
///
/// Its state is allocated when first used (a capture starting, or a trainer command): most
/// sessions are created and never played, and one allocation fewer per creation counts when an
/// init costs a few microseconds. Clones share one state (cloning makes it).
#[derive(Debug, Default)]
pub struct SessionControl {
    shared: OnceLock<Arc<Shared>>,
}

impl Clone for SessionControl {
    fn clone(&self) -> Self {
        SessionControl {
            shared: OnceLock::from(self.shared().clone()),
        }
    }
}

/// One allocation per played session for the gate's state and its wake-up.
#[derive(Debug, Default)]
struct Shared {
    inner: Mutex<Inner>,
    wake: Notify,
}

impl SessionControl {
    /// A control that lets everything through (not paused, nothing to inject).
    pub fn new() -> Self {
        Self::default()
    }

    fn shared(&self) -> &Arc<Shared> {
        self.shared.get_or_init(Arc::default)
    }

    /// Stops the runner before its next action (an action already being played finishes).
    pub fn pause(&self) -> ControlState {
        let mut inner = self.shared().inner.lock();
        inner.paused = true;
        inner.steps = 0;
        snapshot(&inner)
    }

    /// Lets the runner play freely again.
    pub fn resume(&self) -> ControlState {
        let state = {
            let mut inner = self.shared().inner.lock();
            inner.paused = false;
            inner.steps = 0;
            snapshot(&inner)
        };
        self.shared().wake.notify_waiters();
        state
    }

    /// While paused, lets exactly one more action through; when not paused, pauses after the next
    /// action (so "step" from a running capture stops it one event later).
    pub fn step(&self) -> ControlState {
        let state = {
            let mut inner = self.shared().inner.lock();
            if !inner.paused {
                inner.paused = true;
                inner.steps = 0;
            }
            inner.steps = inner.steps.saturating_add(1);
            snapshot(&inner)
        };
        self.shared().wake.notify_waiters();
        state
    }

    /// Queues `error` to be delivered instead of the runner's next action, even while paused.
    /// Beyond [`MAX_PENDING_INJECTIONS`] the oldest waiting injection is dropped.
    pub fn inject(&self, error: ChannelError) -> ControlState {
        let state = {
            let mut inner = self.shared().inner.lock();
            if inner.injections.len() >= MAX_PENDING_INJECTIONS {
                inner.injections.pop_front();
            }
            inner.injections.push_back(error);
            snapshot(&inner)
        };
        self.shared().wake.notify_waiters();
        state
    }

    /// The current state, for the dashboard.
    pub fn state(&self) -> ControlState {
        match self.shared.get() {
            Some(shared) => snapshot(&shared.inner.lock()),
            None => snapshot(&Inner::default()),
        }
    }

    /// Awaited by the runner before each action: returns at once when running, waits while
    /// paused (until resume, step or inject), and hands over an injected error first.
    /// Cancel-safe: dropping the future loses nothing.
    pub async fn gate(&self) -> Gate {
        loop {
            let notified = self.shared().wake.notified();
            tokio::pin!(notified);
            // Register for wake-ups before looking at the state, so a command sent between the
            // look and the await is not lost.
            notified.as_mut().enable();
            {
                let mut inner = self.shared().inner.lock();
                if let Some(error) = inner.injections.pop_front() {
                    inner.waiting = false;
                    return Gate::Inject(error);
                }
                if !inner.paused {
                    inner.waiting = false;
                    return Gate::Proceed;
                }
                if inner.steps > 0 {
                    inner.steps -= 1;
                    inner.waiting = false;
                    return Gate::Proceed;
                }
                inner.waiting = true;
            }
            notified.await;
        }
    }

    /// Non-blocking variant of [`SessionControl::gate`]: `None` when the runner would have to wait.
    pub fn try_gate(&self) -> Option<Gate> {
        let mut inner = self.shared().inner.lock();
        if let Some(error) = inner.injections.pop_front() {
            return Some(Gate::Inject(error));
        }
        if !inner.paused {
            return Some(Gate::Proceed);
        }
        if inner.steps > 0 {
            inner.steps -= 1;
            return Some(Gate::Proceed);
        }
        None
    }
}

fn snapshot(inner: &Inner) -> ControlState {
    ControlState {
        paused: inner.paused,
        steps: inner.steps,
        pending_injections: inner.injections.len(),
        waiting: inner.waiting && inner.paused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn timeout_error() -> ChannelError {
        ChannelError {
            code: 1301,
            error: None,
            unlock_in_seconds: None,
        }
    }

    /// Resolves `gate()` with a short deadline: `None` when it is (still) waiting.
    async fn gate_now(control: &SessionControl) -> Option<Gate> {
        tokio::time::timeout(Duration::from_millis(50), control.gate())
            .await
            .ok()
    }

    /// A runner waiting at the gate of a paused control (given time to get there).
    async fn waiting_runner(control: &SessionControl) -> tokio::task::JoinHandle<Gate> {
        control.pause();
        let runner = {
            let control = control.clone();
            tokio::spawn(async move { control.gate().await })
        };
        tokio::time::sleep(Duration::from_millis(30)).await;
        runner
    }

    /// What the waiting `runner` was let through with, once `why` woke it.
    async fn woken(runner: tokio::task::JoinHandle<Gate>, why: &str) -> Gate {
        tokio::time::timeout(Duration::from_secs(2), runner)
            .await
            .unwrap_or_else(|_| panic!("{why} wakes the runner"))
            .expect("runner task")
    }

    #[tokio::test]
    async fn a_fresh_control_lets_every_action_through() {
        let control = SessionControl::new();
        for _ in 0..3 {
            assert_eq!(gate_now(&control).await, Some(Gate::Proceed));
        }
    }

    #[tokio::test]
    async fn a_paused_control_holds_the_runner_until_resume() {
        let control = SessionControl::new();
        let runner = waiting_runner(&control).await;
        assert!(!runner.is_finished(), "the runner must wait while paused");
        assert!(control.state().waiting);
        control.resume();
        let gate = woken(runner, "resume").await;
        assert_eq!(gate, Gate::Proceed);
        assert!(!control.state().waiting);
    }

    #[tokio::test]
    async fn step_lets_exactly_one_action_through_while_paused() {
        let control = SessionControl::new();
        control.pause();
        control.step();
        assert_eq!(gate_now(&control).await, Some(Gate::Proceed));
        assert_eq!(gate_now(&control).await, None, "the second action waits");
        control.step();
        control.step();
        assert_eq!(gate_now(&control).await, Some(Gate::Proceed));
        assert_eq!(gate_now(&control).await, Some(Gate::Proceed));
        assert_eq!(gate_now(&control).await, None);
    }

    #[tokio::test]
    async fn step_on_a_running_capture_pauses_it_after_one_action() {
        let control = SessionControl::new();
        let state = control.step();
        assert!(state.paused);
        assert_eq!(gate_now(&control).await, Some(Gate::Proceed));
        assert_eq!(gate_now(&control).await, None);
    }

    #[tokio::test]
    async fn step_wakes_a_runner_already_waiting() {
        let control = SessionControl::new();
        let runner = waiting_runner(&control).await;
        control.step();
        let gate = woken(runner, "step").await;
        assert_eq!(gate, Gate::Proceed);
        assert_eq!(control.state().steps, 0);
    }

    #[tokio::test]
    async fn an_injected_error_is_handed_over_even_while_paused() {
        let control = SessionControl::new();
        let runner = waiting_runner(&control).await;
        control.inject(timeout_error());
        let gate = woken(runner, "inject").await;
        assert_eq!(gate, Gate::Inject(timeout_error()));
    }

    #[tokio::test]
    async fn an_injection_wins_over_the_next_action_of_a_running_capture() {
        let control = SessionControl::new();
        control.inject(timeout_error());
        assert_eq!(
            gate_now(&control).await,
            Some(Gate::Inject(timeout_error()))
        );
        assert_eq!(gate_now(&control).await, Some(Gate::Proceed));
    }

    #[test]
    fn waiting_injections_are_bounded() {
        let control = SessionControl::new();
        for _ in 0..(MAX_PENDING_INJECTIONS + 5) {
            control.inject(timeout_error());
        }
        assert_eq!(control.state().pending_injections, MAX_PENDING_INJECTIONS);
    }

    #[test]
    fn try_gate_reports_waiting_without_blocking() {
        let control = SessionControl::new();
        assert_eq!(control.try_gate(), Some(Gate::Proceed));
        control.pause();
        assert_eq!(control.try_gate(), None);
        control.resume();
        assert_eq!(control.try_gate(), Some(Gate::Proceed));
    }
}
