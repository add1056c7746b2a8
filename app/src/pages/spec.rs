//! `/specs/:id`: an uploaded spec's report (the same tables and charts as
//! a reference workload's page), its job, and the spec text as uploaded.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::get_spec;
use crate::components::report::ReportTables;
use crate::model::SpecPage;

/// The spec page.
#[component]
pub fn SpecPageView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let page = Resource::new(id, get_spec);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(p)) => view! { <SpecBody page=p /> }.into_any(),
                    Ok(None) => {
                        view! {
                            <section class="card">
                                <h1>"Unknown spec"</h1>
                                <p>"It may have been deleted. See " <a href="/specs">"your specs"</a> "."</p>
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
fn SpecBody(page: SpecPage) -> impl IntoView {
    let s = page.summary;
    let job_href = format!("/jobs/{}", s.job_id);
    let report = match page.report {
        Some(r) => view! {
            <ReportTables report=r />
            <p class="actions">
                <a class="button" href=format!("/?workload=spec:{}", s.id)>
                    "Ask the advisor with this as evidence"
                </a>
            </p>
        }
        .into_any(),
        None => {
            let state = page
                .job
                .as_ref()
                .map_or("unknown".to_string(), |j| j.state.clone());
            view! {
                <p class="notice" id="no-report">
                    "No report yet: the job is " <strong>{state}</strong> ". "
                    <a href=job_href.clone()>"Follow its progress"</a>
                </p>
            }
            .into_any()
        }
    };
    view! {
        <section class="hero compact">
            <p class="eyebrow"><a href="/specs">"Your specs"</a></p>
            <h1>{s.name.clone()}</h1>
            <p class="lead">"Uploaded " {s.uploaded_at.clone()} " · " <a href=job_href>"job"</a></p>
        </section>
        <section class="card" id="spec-report">{report}</section>
        <section class="card">
            <h2>"The spec (" {s.format.clone()} ")"</h2>
            <pre class="spec-text">{page.text}</pre>
        </section>
    }
}
