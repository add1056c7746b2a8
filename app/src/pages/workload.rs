//! `/workloads/:name`: one workload's newest report, its history and a form
//! to rerun it with other parameters (a background job with progress).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{RerunWorkload, get_workload};
use crate::components::recommendation::FieldErrors;
use crate::components::report::ReportTables;
use crate::components::status::data_version;
use crate::model::{Outcome, RerunParams, WorkloadPage};

/// The workload page.
#[component]
pub fn WorkloadPageView() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.with(|p| p.get("name").unwrap_or_default());
    let page = Resource::new(move || (name(), data_version()), |(n, _)| get_workload(n));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(p)) => view! { <WorkloadBody page=p /> }.into_any(),
                    Ok(None) => {
                        view! {
                            <section class="card">
                                <h1>"Unknown workload"</h1>
                                <p>"See " <a href="/workloads">"the reference workloads"</a> "."</p>
                            </section>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <p class="notice error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WorkloadBody(page: WorkloadPage) -> impl IntoView {
    let s = page.summary;
    let params = page
        .report
        .as_ref()
        .map(|r| r.params.clone())
        .unwrap_or_else(|| RerunParams {
            workload: s.name.clone(),
            ..RerunParams::default()
        });
    let report = match page.report {
        Some(r) => view! { <ReportTables report=r /> }.into_any(),
        None => view! { <p class="notice">"No measurements yet: they appear here when the run finishes."</p> }
            .into_any(),
    };
    let history = page
        .history
        .into_iter()
        .map(|(id, at, scenario)| {
            view! {
                <li>
                    <a href=format!("/api/reports/{id}")>{at}</a>
                    " · "
                    {scenario}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="hero compact">
            <p class="eyebrow"><a href="/workloads">"Workloads"</a></p>
            <h1>{s.title.clone()}</h1>
            <p class="lead">{s.description.clone()}</p>
        </section>
        <section class="card">{report}</section>
        <section class="card">
            <h2>"Rerun with other parameters"</h2>
            <RerunForm params />
        </section>
        <section class="card">
            <h2>"Stored runs (JSON)"</h2>
            <ul class="history">{history}</ul>
        </section>
    }
}

/// One text input of the rerun form.
fn input(
    id: &'static str,
    label: &'static str,
    help: &'static str,
    value: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=format!("rerun-{id}")>{label}</label>
            <input id=format!("rerun-{id}") name=format!("params[{id}]") type="text" value=value />
            <p class="help">{help}</p>
        </div>
    }
}

#[component]
fn RerunForm(params: RerunParams) -> impl IntoView {
    let rerun = ServerAction::<RerunWorkload>::new();
    let pending = rerun.pending();
    let p = params;
    view! {
        <ActionForm action=rerun>
            <input type="hidden" name="params[workload]" value=p.workload.clone() />
            <div class="form-grid">
                {input("rate", "Mean events per second", "e.g. 300", p.rate.clone())}
                {input("keys", "Keys", "cards, products or users", p.keys.clone())}
                {input("late_fraction", "Late fraction", "share of events arriving late, 0–1", p.late_fraction.clone())}
                {input("max_lateness", "Max lateness", "e.g. 10m", p.max_lateness.clone())}
                {input("batch_interval", "Batch interval", "e.g. 15m", p.batch_interval.clone())}
                {input("trigger", "Micro-batch trigger", "e.g. 10s", p.trigger.clone())}
                {input("watermark", "Watermark delay", "micro-batch and stream, e.g. 5s", p.watermark.clone())}
            </div>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    "Run in the background"
                </button>
            </div>
        </ActionForm>
        {move || {
            rerun
                .value()
                .get()
                .map(|r| match r {
                    Ok(Outcome::Done(job)) => {
                        view! { <p class="notice ok">"Queued: " {job} ". Progress shows above."</p> }.into_any()
                    }
                    Ok(Outcome::Invalid(errors)) => view! { <FieldErrors errors /> }.into_any(),
                    Err(e) => view! { <p class="notice error">{e.to_string()}</p> }.into_any(),
                })
        }}
    }
}
