//! `/`: the questionnaire. A plain form post to the `submit-answers` server
//! function without JavaScript; with it, the answer appears in place and a
//! live summary follows every change.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{SubmitAnswers, list_specs};
use crate::components::recommendation::outcome_view;
use crate::questions::{Answers, CHOICE_QUESTIONS, Question, WORKLOADS};

/// Sets one field of the draft answers.
fn set_field(draft: RwSignal<Answers>, field: &str, value: String) {
    draft.update(|a| match field {
        "freshness" => a.freshness = value,
        "transformation" => a.transformation = value,
        "team_experience" => a.team_experience = value,
        "late_data" => a.late_data = value,
        "reprocessing" => a.reprocessing = value,
        "budget_usd_per_month" => a.budget_usd_per_month = value,
        "events_per_second" => a.events_per_second = value,
        "workload" => a.workload = value,
        _ => {}
    });
}

/// The questionnaire page.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let initial = query.with_untracked(|q| Answers::from_query(|k| q.get(k)));
    let draft = RwSignal::new(initial.clone());
    let submit = ServerAction::<SubmitAnswers>::new();
    let pending = submit.pending();
    let specs = Resource::new(|| (), |_| list_specs());
    let chosen = initial.workload.clone();

    let choices = CHOICE_QUESTIONS
        .iter()
        .map(|q| {
            let selected = initial
                .pairs()
                .iter()
                .find(|p| p.0 == q.field)
                .map(|p| p.1.to_string())
                .unwrap_or_default();
            view! { <ChoiceField q=*q selected draft /> }
        })
        .collect_view();

    view! {
        <section class="hero">
            <h1>"Batch, micro-batch or stream?"</h1>
            <p class="lead">
                "Answer a few questions about your workload. Weir recommends how to run it, "
                "backed by measurements of the same workload in every mode on this machine."
            </p>
        </section>
        <div class="layout">
            <form
                class="card questionnaire"
                id="questionnaire"
                method="post"
                action="/fn/submit-answers"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit.dispatch(SubmitAnswers { answers: draft.get_untracked() });
                }
            >
                {choices}
                <div class="field">
                    <label for="events_per_second">"Events per second at peak"</label>
                    <input
                        id="events_per_second"
                        name="answers[events_per_second]"
                        type="number"
                        min="0"
                        step="any"
                        required
                        value=initial.events_per_second.clone()
                        on:input=move |ev| set_field(draft, "events_per_second", event_target_value(&ev))
                    />
                    <p class="help">"How many events arrive per second at the busiest time of day."</p>
                </div>
                <div class="field">
                    <label for="budget_usd_per_month">"Monthly compute budget (USD, optional)"</label>
                    <input
                        id="budget_usd_per_month"
                        name="answers[budget_usd_per_month]"
                        type="number"
                        min="0"
                        step="any"
                        placeholder="no limit"
                        value=initial.budget_usd_per_month.clone()
                        on:input=move |ev| set_field(draft, "budget_usd_per_month", event_target_value(&ev))
                    />
                    <p class="help">"Leave empty if cost is not a constraint."</p>
                </div>
                <div class="field">
                    <label for="workload">"Closest reference workload (optional)"</label>
                    <select
                        id="workload"
                        name="answers[workload]"
                        on:change=move |ev| set_field(draft, "workload", event_target_value(&ev))
                    >
                        <option value="" selected=initial.workload.is_empty()>
                            "Pick automatically from the transformation"
                        </option>
                        {WORKLOADS
                            .iter()
                            .map(|(v, label, _)| {
                                view! { <option value=*v selected=initial.workload == *v>{*label}</option> }
                            })
                            .collect_view()}
                        <Transition fallback=|| ()>
                            {move || {
                                let chosen = chosen.clone();
                                Suspend::new(async move {
                                    let measured: Vec<_> = specs
                                        .await
                                        .unwrap_or_default()
                                        .into_iter()
                                        .filter(|s| s.has_report)
                                        .collect();
                                    (!measured.is_empty())
                                        .then(|| {
                                            view! {
                                                <optgroup label="Your uploaded specs">
                                                    {measured
                                                        .into_iter()
                                                        .map(|s| {
                                                            let value = format!("spec:{}", s.id);
                                                            let selected = chosen == value;
                                                            view! { <option value=value selected=selected>{s.name}</option> }
                                                        })
                                                        .collect_view()}
                                                </optgroup>
                                            }
                                        })
                                })
                            }}
                        </Transition>
                    </select>
                    <p class="help">"Whose measured numbers to use as evidence: a reference workload or one of " <a href="/specs">"your specs"</a> "."</p>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" id="submit" disabled=move || pending.get()>
                        {move || if pending.get() { "Working…" } else { "Get recommendation" }}
                    </button>
                </div>
            </form>
            <aside class="card summary">
                <p class="eyebrow">"Your answers"</p>
                <p id="live-summary">{move || draft.with(|a| a.summary())}</p>
                <p class="muted">
                    "A batch job every 15 minutes is often simpler, cheaper and sufficient; "
                    "stream processing wins when seconds matter. Weir checks which holds for you."
                </p>
            </aside>
        </div>
        <div id="result">
            {move || submit.value().get().map(outcome_view)}
        </div>
    }
}

/// One multiple-choice question as a labelled select.
#[component]
fn ChoiceField(q: &'static Question, selected: String, draft: RwSignal<Answers>) -> impl IntoView {
    let field = q.field;
    let help_id = format!("{field}-help");
    view! {
        <div class="field">
            <label for=field>{q.label}</label>
            <select
                id=field
                name=format!("answers[{field}]")
                aria-describedby=help_id.clone()
                on:change=move |ev| set_field(draft, field, event_target_value(&ev))
            >
                {q
                    .choices
                    .iter()
                    .map(|(v, label)| view! { <option value=*v selected=selected == *v>{*label}</option> })
                    .collect_view()}
            </select>
            <p class="help" id=help_id>{q.help}</p>
        </div>
    }
}
