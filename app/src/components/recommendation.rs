//! The advisor's answer: verdict, reasons, evidence table, charts and what
//! would change it.

use leptos::prelude::*;

use crate::model::{ChartView, FieldErrorView, Outcome, RecommendationView};

/// Renders a submission's outcome: the recommendation or the rejected fields.
pub fn outcome_view(outcome: Result<Outcome<RecommendationView>, ServerFnError>) -> AnyView {
    match outcome {
        Ok(Outcome::Done(rec)) => view! { <RecommendationPanel rec /> }.into_any(),
        Ok(Outcome::Invalid(errors)) => view! { <FieldErrors errors /> }.into_any(),
        Err(e) => {
            view! { <p class="notice error">"Could not get a recommendation: " {e.to_string()}</p> }
                .into_any()
        }
    }
}

/// A list of rejected fields.
#[component]
pub fn FieldErrors(errors: Vec<FieldErrorView>) -> impl IntoView {
    view! {
        <div class="notice error" id="field-errors" role="alert">
            <strong>"Please check these answers:"</strong>
            <ul>
                {errors
                    .into_iter()
                    .map(|e| view! { <li><code>{e.field}</code> ": " {e.message}</li> })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// Display name of a recommendation.
fn verdict_title(rec: &str) -> &'static str {
    match rec {
        "batch" => "Batch",
        "micro-batch" => "Micro-batch",
        "stream" => "Stream",
        "lambda" => "Lambda (batch + stream)",
        "kappa" => "Kappa (stream with replay)",
        _ => "No recommendation",
    }
}

/// The full recommendation.
#[component]
pub fn RecommendationPanel(rec: RecommendationView) -> impl IntoView {
    let title = verdict_title(&rec.recommendation);
    let schedule = rec
        .schedule
        .clone()
        .map(|s| view! { <span class="schedule">{s}</span> });
    let rate = units::rate(rec.events_per_second);
    let badge_class = format!("verdict verdict-{}", rec.recommendation);
    view! {
        <section class="card recommendation" id="recommendation" aria-live="polite">
            <div class="verdict-row">
                <div>
                    <p class="eyebrow">"Recommendation"</p>
                    <h2 class=badge_class data-recommendation=rec.recommendation.clone()>
                        {title}
                    </h2>
                    {schedule}
                </div>
                <p class="measured-on">{rec.measured_on.clone()}</p>
            </div>
            <h3>"Why"</h3>
            <ul class="reasons">
                {rec.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}
            </ul>
            <h3>
                "The evidence: " {crate::questions::workload_title(&rec.workload)} " at " {rate.clone()}
                " events/s"
            </h3>
            <div class="table-scroll">
                <table class="data" id="evidence">
                    <thead>
                        <tr>
                            <th scope="col">"Mode"</th>
                            <th scope="col">"Configuration measured"</th>
                            <th scope="col" class="num">"p99 latency"</th>
                            <th scope="col" class="num">{format!("Monthly cost at {rate} ev/s")}</th>
                            <th scope="col">"Complexity"</th>
                            <th scope="col">"Late-data correctness"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rec
                            .evidence
                            .iter()
                            .map(|row| {
                                let class = if row.chosen { "chosen" } else { "" };
                                view! {
                                    <tr class=class>
                                        <td>
                                            <span class=format!("mode-pill mode-{}", row.mode)>{row.mode.clone()}</span>
                                        </td>
                                        <td>{row.label.clone()}</td>
                                        <td class="num">{row.p99_ms.map_or("—".into(), units::duration_ms)}</td>
                                        <td class="num">{row.monthly_usd.map_or("—".into(), units::usd)}</td>
                                        <td>{row.complexity.clone()}</td>
                                        <td>{row.correctness.clone()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {(!rec.what_would_change.is_empty())
                .then(|| {
                    view! {
                        <h3>"What would change the answer"</h3>
                        <ul class="changes">
                            {rec.what_would_change.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}
                        </ul>
                    }
                })}
            <Charts charts=rec.charts.clone() />
        </section>
    }
}

/// Inline SVG charts rendered on the server.
#[component]
pub fn Charts(charts: Vec<ChartView>) -> impl IntoView {
    view! {
        <div class="charts">
            {charts
                .into_iter()
                .map(|c| {
                    view! {
                        <figure class="chart">
                            <div class="chart-svg" inner_html=c.svg></div>
                            <figcaption>{c.title}</figcaption>
                        </figure>
                    }
                })
                .collect_view()}
        </div>
    }
}
