//! The measurement progress bar: polls the server while the background
//! runner works, and bumps [`DataVersion`] when new reports land so pages
//! refetch their data.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::get_status;
use crate::model::StatusView;

/// Number of stored reports last seen; pages key their data on it.
#[derive(Clone, Copy)]
pub struct DataVersion(pub RwSignal<usize>);

/// The data version from context (0 when absent).
pub fn data_version() -> usize {
    use_context::<DataVersion>().map_or(0, |v| v.0.get())
}

/// Shows the background run's progress while it runs.
#[component]
pub fn StatusBar() -> impl IntoView {
    let tick = RwSignal::new(0u64);
    let status = Resource::new(move || tick.get(), |_| get_status());
    let version = use_context::<DataVersion>();

    // Client only: poll every second.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            Duration::from_millis(1000),
        )
        .ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    });
    Effect::new(move |_| {
        if let (Some(Ok(s)), Some(v)) = (status.get(), version)
            && v.0.get_untracked() != s.reports
        {
            v.0.set(s.reports);
        }
    });

    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) => view! { <StatusPanel status=s /> }.into_any(),
                    Err(e) => view! { <p class="notice error">"Status unavailable: " {e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The bar itself (nothing when idle and healthy).
#[component]
fn StatusPanel(status: StatusView) -> impl IntoView {
    let pct = status.percent.clamp(0.0, 100.0);
    let busy = status.busy();
    let skipped = (!status.skipped_files.is_empty()).then(|| {
        view! {
            <p class="notice warn">
                "Skipped unreadable report files: " {status.skipped_files.join(", ")}
            </p>
        }
    });
    let failed = status
        .last_error
        .clone()
        .map(|e| view! { <p class="notice error">"The last measurement failed: " {e}</p> });
    let bar = busy.then(|| {
        let queued = (status.queued > 0).then(|| format!(" · {} more queued", status.queued));
        view! {
            <div class="progress-card" id="progress">
                <div class="progress-head">
                    <strong>"Measuring on this machine"</strong>
                    <span class="progress-pct">{format!("{pct:.0}%")}</span>
                </div>
                <div
                    class="progress"
                    role="progressbar"
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=format!("{pct:.0}")
                >
                    <div class="progress-fill" style=format!("width: {pct:.1}%")></div>
                </div>
                <p class="progress-stage">
                    {status.stage.clone()} {queued} " · " <a href="">"refresh"</a>
                </p>
            </div>
        }
    });
    view! { {bar} {failed} {skipped} }
}
