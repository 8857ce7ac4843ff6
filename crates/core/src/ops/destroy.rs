//! `destroy`: uninstall every selected release that exists, in reverse `needs` order (a release
//! goes only once everything that needs it is gone), each against its own kube context, with
//! hooks where Helmfile 1.x runs them: the state files' `prepare` hooks and the releases'
//! `prepare` hooks first (unless `--skip-charts`), then per release `preuninstall`, `helm
//! uninstall`, `postuninstall` (`.HelmfileCommand` is `delete` there, as in Helmfile); a release
//! helm does not list is reported as not installed and gets its `cleanup` hooks; the state files'
//! `cleanup` hooks run last.

use crate::events::Action;
use crate::graph::Direction;
use crate::helm::Helm;
use crate::ops::hooks::Hooks;
use crate::ops::report::Report;
use crate::ops::runner::{RunContext, Work, run};
use crate::ops::sync::{cleanup_state, cleanup_untouched, is_installed, uninstall};
use crate::ops::{OperationError, ReleaseError};
use crate::plan::{HookEvent, Plan, PlannedRelease};

/// How `destroy` runs: Helmfile's flags.
#[derive(Debug, Clone, Default)]
pub struct DestroyOptions {
    /// Run no `prepare` hooks and no state file hooks (`--skip-charts`: Helmfile then prepares
    /// no charts, which is where it runs them).
    pub skip_charts: bool,
    /// `--cascade`, for releases that set none themselves (it wins over `helmDefaults.cascade`,
    /// as in Helmfile).
    pub cascade: Option<String>,
    /// `--deleteWait`: every uninstall waits for the release's resources to be gone.
    pub delete_wait: bool,
    /// `--deleteTimeout` in seconds, with `--deleteWait`, for releases that set none.
    pub delete_timeout: Option<i64>,
}

impl DestroyOptions {
    /// `release` with the command line's uninstall settings applied.
    fn apply(&self, release: &PlannedRelease) -> PlannedRelease {
        let mut release = release.clone();
        let settings = &mut release.settings;
        if self.delete_wait {
            settings.delete_wait = true;
            settings.delete_timeout = settings.delete_timeout.or(self.delete_timeout);
        }
        if settings.cascade.is_none() {
            settings.cascade = self.cascade.clone().filter(|c| !c.is_empty());
        }
        release
    }
}

/// What `destroy` did to a release that helm listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Destroyed {
    /// Uninstalled.
    Deleted,
}

/// What `destroy` did, release by release (`Unchanged`: helm did not list it).
pub type DestroyReport = Report<Destroyed, ReleaseError>;

/// Destroys the releases of `plan`; an `Err` is returned only when nothing could start (a
/// `prepare` hook failed); release failures are in the report.
pub async fn destroy<H: Helm>(
    plan: &Plan,
    options: &DestroyOptions,
    context: &RunContext<H>,
) -> Result<DestroyReport, OperationError> {
    let hooks = Hooks::new(plan, "destroy", context);
    if !options.skip_charts {
        hooks.run_state(HookEvent::Prepare, None).await?;
        hooks.prepare_releases(true).await?;
    }
    let release_hooks = hooks.for_command("delete");
    let everything = Work {
        action: Action::Uninstall,
        takes_part: |_: &PlannedRelease| true,
    };
    let mut report = run(
        plan,
        Direction::Reverse,
        context,
        everything,
        async |release| {
            let release = options.apply(release);
            if !is_installed(&context.helm, &release).await? {
                return Ok(None);
            }
            uninstall(&release_hooks, &release, context).await?;
            Ok(Some(Destroyed::Deleted))
        },
    )
    .await;
    cleanup_untouched(plan, &release_hooks, &report).await;
    if !options.skip_charts {
        cleanup_state(&hooks, &mut report).await;
    }
    Ok(report)
}
