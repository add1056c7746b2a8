//! `/workloads`: the reference workloads and their newest measurements.

use leptos::prelude::*;

use crate::api::list_workloads;
use crate::components::status::data_version;

/// The workloads overview.
#[component]
pub fn WorkloadsPage() -> impl IntoView {
    let list = Resource::new(data_version, |_| list_workloads());
    view! {
        <section class="hero compact">
            <h1>"Reference workloads"</h1>
            <p class="lead">
                "Each workload runs as batch, micro-batch and stream on this machine; "
                "every mode's output is checked against ground truth."
            </p>
        </section>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) => {
                        view! {
                            <div class="cards">
                                {items
                                    .into_iter()
                                    .map(|w| {
                                        let measured = match (&w.measured_at, w.events) {
                                            (Some(at), Some(n)) => {
                                                format!(
                                                    "Measured {at} · {} events · {} configurations",
                                                    units::count(n),
                                                    w.configurations,
                                                )
                                            }
                                            _ => "Not measured yet".to_string(),
                                        };
                                        view! {
                                            <a class="card workload-card" href=format!("/workloads/{}", w.name)>
                                                <h2>{w.title}</h2>
                                                <p>{w.description}</p>
                                                <p class="muted">{measured}</p>
                                            </a>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <p class="notice error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
