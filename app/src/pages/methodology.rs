//! `/methodology`: how Weir measures, from the README and the reports' own
//! statement of what is measured and what is modeled.

use leptos::prelude::*;

use crate::api::get_methodology;

/// The methodology page.
#[component]
pub fn MethodologyPage() -> impl IntoView {
    let sections = Resource::new(|| (), |_| get_methodology());
    view! {
        <section class="hero compact">
            <h1>"Methodology"</h1>
            <p class="lead">
                "What is measured on this machine, what is modeled, and how the two are kept apart."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sections.await {
                    Ok(list) => {
                        list.into_iter()
                            .map(|(heading, paras)| {
                                view! {
                                    <section class="card prose">
                                        <h2>{heading}</h2>
                                        {paras.into_iter().map(|p| render_block(&p)).collect_view()}
                                    </section>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                    Err(e) => view! { <p class="notice error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A paragraph, or a bulleted list when every line starts with `- `.
fn render_block(text: &str) -> AnyView {
    let lines: Vec<&str> = text.lines().collect();
    if !lines.is_empty() && lines.iter().all(|l| l.trim_start().starts_with("- ")) {
        view! {
            <ul>
                {lines
                    .into_iter()
                    .map(|l| view! { <li>{l.trim_start().trim_start_matches("- ").to_string()}</li> })
                    .collect_view()}
            </ul>
        }
            .into_any()
    } else {
        view! { <p>{text.to_string()}</p> }.into_any()
    }
}
