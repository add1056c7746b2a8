//! `/jobs/:id`: one measurement job with a live progress bar (polled every
//! second while it runs), a cancel button, and a link to its report once
//! done. Without JavaScript the page shows the state when loaded and a
//! refresh link; cancel is a plain form post.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{CancelJob, get_job};
use crate::model::JobView;

/// The job page.
#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let tick = RwSignal::new(0u64);
    let cancel = ServerAction::<CancelJob>::new();
    let job = Resource::new(
        move || (id(), tick.get(), cancel.version().get()),
        |(id, _, _)| get_job(id),
    );
    // Client only: poll every second (finished jobs answer from memory).
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
    view! {
        <section class="hero compact">
            <p class="eyebrow"><a href="/specs">"Your specs"</a></p>
            <h1>"Measurement job"</h1>
        </section>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match job.await {
                    Ok(Some(j)) => view! { <JobCard job=j cancel /> }.into_any(),
                    Ok(None) => {
                        view! {
                            <section class="card">
                                <h2>"Unknown job"</h2>
                                <p>"No job has this id. See " <a href="/specs">"your specs"</a> "."</p>
                            </section>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <p class="notice error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        {move || {
            cancel
                .value()
                .get()
                .and_then(|r| match r {
                    Ok(Ok(_)) => None,
                    Ok(Err(message)) => Some(message),
                    Err(e) => Some(e.to_string()),
                })
                .map(|m| view! { <p class="notice error" role="alert">{m}</p> })
        }}
    }
}

/// Human words for a job state.
fn state_text(j: &JobView) -> String {
    match j.state.as_str() {
        "queued" => match j.position {
            Some(p) => format!("Queued: {p} in line"),
            None => "Queued".into(),
        },
        "running" if j.cancel_requested => "Cancelling…".into(),
        "running" => "Measuring on this machine".into(),
        "done" => "Done".into(),
        "failed" => "Failed".into(),
        "cancelled" => "Cancelled".into(),
        "timed-out" => "Stopped at the time limit".into(),
        "interrupted" => "Interrupted by a server restart".into(),
        other => other.to_string(),
    }
}

#[component]
fn JobCard(job: JobView, cancel: ServerAction<CancelJob>) -> impl IntoView {
    let pct = job.percent.clamp(0.0, 100.0);
    let finished = job.finished();
    let spec_link = job.spec_id.clone().map(|s| {
        view! { <a href=format!("/specs/{s}")>"the spec"</a> }
    });
    let result = job.result_href.clone().map(|href| {
        view! {
            <p class="actions">
                <a class="button" id="view-report" href=href>"View the report"</a>
            </p>
        }
    });
    let error = job
        .error
        .clone()
        .filter(|_| job.state != "done")
        .map(|e| view! { <p class="notice error" id="job-error">{e}</p> });
    let stage = (!job.stage.is_empty() && !finished).then(|| job.stage.clone());
    let id = job.id.clone();
    view! {
        <section class="card job" id="job" data-state=job.state.clone()>
            <div class="progress-head">
                <strong id="job-state">{state_text(&job)}</strong>
                <span class="progress-pct">{format!("{pct:.0}%")}</span>
            </div>
            <div
                class="progress"
                role="progressbar"
                aria-label="Job progress"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=format!("{pct:.0}")
            >
                <div class="progress-fill" style=format!("width: {pct:.1}%")></div>
            </div>
            <p class="progress-stage">
                {job.description.clone()} {stage.map(|s| format!(" · {s}"))}
                {(!finished).then(|| view! { " · " <a href="">"refresh"</a> })}
            </p>
            <p class="muted">
                "Job " <code>{job.id.clone()}</code>
                {spec_link.map(|l| view! { " · measures " {l} })}
            </p>
            {error}
            {result}
            {(!finished && !job.cancel_requested)
                .then(|| {
                    view! {
                        <ActionForm action=cancel>
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="secondary" id="cancel-job">"Cancel"</button>
                        </ActionForm>
                    }
                })}
        </section>
    }
}
