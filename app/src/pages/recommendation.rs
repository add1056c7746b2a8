//! `/recommendation?freshness=…`: the answer for answers in the query
//! string, rendered on the server (where a plain form post lands).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::get_recommendation;
use crate::components::recommendation::outcome_view;
use crate::questions::Answers;

/// The results page.
#[component]
pub fn RecommendationPage() -> impl IntoView {
    let query = use_query_map();
    let answers = move || query.with(|q| Answers::from_query(|k| q.get(k)));
    let rec = Resource::new(answers, get_recommendation);
    view! {
        <section class="hero compact">
            <h1>"Your recommendation"</h1>
            <p class="lead">{move || answers().summary()}</p>
            <p>
                <a class="button" href=move || format!("/?{}", answers().to_query())>"Change answers"</a>
            </p>
        </section>
        <div id="result">
            <Suspense fallback=|| view! { <p class="muted">"Working out the answer…"</p> }>
                {move || Suspend::new(async move { outcome_view(rec.await) })}
            </Suspense>
        </div>
    }
}
