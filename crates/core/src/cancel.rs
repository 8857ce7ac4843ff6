//! Stopping a run cleanly: the first request stops it (nothing new starts, running helm processes
//! get SIGTERM and a grace period to finish), a second one kills what still runs at once.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How long running helm processes get after SIGTERM before they are killed, by default.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(30);

/// A run's stop switch, cheap to clone and share with every task of the run.
///
/// Killing a helm process in the middle of an upgrade leaves the release `pending-upgrade`;
/// SIGTERM lets helm stop cleanly, so [`Cancellation::stop`] sends that first and only
/// [`Cancellation::kill`] (or the end of the grace period) sends SIGKILL.
#[derive(Debug, Clone)]
pub struct Cancellation {
    stop: CancellationToken,
    kill: CancellationToken,
    grace: Duration,
}

impl Default for Cancellation {
    fn default() -> Self {
        Self::new(DEFAULT_GRACE)
    }
}

impl Cancellation {
    /// A switch whose running processes get `grace` between SIGTERM and SIGKILL.
    pub fn new(grace: Duration) -> Self {
        Self {
            stop: CancellationToken::new(),
            kill: CancellationToken::new(),
            grace,
        }
    }

    /// Stops the run: nothing new starts, running processes are asked to stop.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Stops the run and kills running processes now.
    pub fn kill(&self) {
        self.stop.cancel();
        self.kill.cancel();
    }

    /// Whether [`stop`](Self::stop) (or [`kill`](Self::kill)) was called.
    pub fn is_stopped(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Completes when the run is stopped.
    pub async fn stopped(&self) {
        self.stop.cancelled().await;
    }

    /// Completes when running processes must die now: after a kill request, or `grace` after the
    /// stop request.
    pub async fn must_kill(&self) {
        self.stop.cancelled().await;
        tokio::select! {
            () = self.kill.cancelled() => {}
            () = tokio::time::sleep(self.grace) => {}
        }
    }

    /// The token that is cancelled when the run stops, for work that takes one (a plan build).
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn processes_are_killed_after_the_grace_period_or_at_a_second_request() {
        let cancel = Cancellation::new(Duration::from_secs(5));
        assert!(!cancel.is_stopped());
        cancel.stop();
        assert!(cancel.is_stopped());
        let started = tokio::time::Instant::now();
        cancel.must_kill().await;
        assert_eq!(started.elapsed(), Duration::from_secs(5));

        let cancel = Cancellation::new(Duration::from_secs(5));
        let waiting = tokio::spawn({
            let cancel = cancel.clone();
            async move { cancel.must_kill().await }
        });
        cancel.kill();
        assert!(waiting.await.is_ok());
    }
}
