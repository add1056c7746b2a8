//! `/specs`: the uploaded specs, newest first, with their job's state, a
//! link to each report and a delete button (a plain form post without
//! JavaScript).

use leptos::prelude::*;

use crate::api::{DeleteSpec, list_specs};
use crate::model::SpecSummary;

/// The list of uploads.
#[component]
pub fn SpecsPage() -> impl IntoView {
    let delete = ServerAction::<DeleteSpec>::new();
    let list = Resource::new(move || delete.version().get(), |_| list_specs());
    view! {
        <section class="hero compact">
            <h1>"Your specs"</h1>
            <p class="lead">
                "Workloads you described in a spec file, measured on this machine in every mode you listed."
            </p>
            <p class="actions"><a class="button" href="/specs/new" id="new-spec">"Upload a spec"</a></p>
        </section>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => {
                        view! { <p class="notice" id="no-specs">"No specs uploaded yet."</p> }.into_any()
                    }
                    Ok(items) => view! { <SpecTable items delete /> }.into_any(),
                    Err(e) => view! { <p class="notice error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SpecTable(items: Vec<SpecSummary>, delete: ServerAction<DeleteSpec>) -> impl IntoView {
    view! {
        <section class="card">
            <div class="table-scroll">
                <table class="data" id="spec-list">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Uploaded"</th>
                            <th scope="col">"Format"</th>
                            <th scope="col">"Job"</th>
                            <th scope="col">""</th>
                        </tr>
                    </thead>
                    <tbody>
                        {items
                            .into_iter()
                            .map(|s| {
                                let spec_href = format!("/specs/{}", s.id);
                                // A sample not run yet has no job.
                                let job_href = if s.job_id.is_empty() {
                                    spec_href.clone()
                                } else {
                                    format!("/jobs/{}", s.job_id)
                                };
                                let state_class = format!("state state-{}", s.state);
                                let id = s.id.clone();
                                view! {
                                    <tr data-spec=s.id>
                                        <td><a href=spec_href>{s.name}</a></td>
                                        <td>{s.uploaded_at}</td>
                                        <td>{s.format}</td>
                                        <td>
                                            <a href=job_href>
                                                <span class=state_class>{s.state}</span>
                                            </a>
                                        </td>
                                        <td>
                                            <ActionForm action=delete attr:class="inline">
                                                <input type="hidden" name="id" value=id />
                                                <button type="submit" class="link danger">"Delete"</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
