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
    // A sample upload (`csv` / `parquet`) shows its run request instead of
    // a spec's text.
    let is_sample = matches!(s.format.as_str(), "csv" | "parquet");
    let text_heading = if is_sample {
        format!("What was run on the sample ({})", s.format)
    } else {
        format!("The spec ({})", s.format)
    };
    let text = if is_sample && page.text.is_empty() {
        "Not run yet.".to_string()
    } else {
        page.text
    };
    // A sample is run again (other SQL, mapping or rate) from the form.
    let rerun_href = format!("/specs/new?sample={}#samples", s.id);
    let rerun = is_sample.then(|| {
        view! {
            <a class="button secondary" id="sample-rerun" href=rerun_href.clone()>
                "Run it again with other SQL"
            </a>
        }
    });
    let report = match page.report {
        Some(r) => view! {
            <ReportTables report=r />
            <p class="actions">
                <a class="button" href=format!("/?workload=spec:{}", s.id)>
                    "Ask the advisor with this as evidence"
                </a>
                " "
                {rerun}
            </p>
        }
        .into_any(),
        None if is_sample && s.job_id.is_empty() => view! {
            <p class="notice" id="no-report">
                "Not run yet. " <a href=rerun_href.clone()>"Write its query and run it"</a>
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
            <h2>{text_heading}</h2>
            <pre class="spec-text">{text}</pre>
        </section>
    }
}
