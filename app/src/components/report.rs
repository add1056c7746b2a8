//! A measured report as tables: latency and cost, resources, correctness,
//! complexity, break-evens and the real-time validation.

use leptos::prelude::*;

use crate::components::recommendation::Charts;
use crate::model::ReportView;

/// A latency cell of a plan that emitted nothing before the input ended.
const NO_SAMPLE: &str = "none before end of input";

fn pill(mode: &str) -> impl IntoView + use<> {
    view! { <span class=format!("mode-pill mode-{mode}")>{mode.to_string()}</span> }
}

/// Every table of a report, and its charts.
#[component]
pub fn ReportTables(report: ReportView) -> impl IntoView {
    let r = report;
    let facts = vec![
        ("Scenario", r.scenario.clone()),
        ("Measured", r.measured_at.clone()),
        ("Machine", r.machine.clone()),
        ("Data", r.source.clone()),
        ("Events", units::count(r.events)),
        ("Event-time span", r.span.clone()),
        (
            "Rate",
            format!(
                "{} events/s mean, {} at peak",
                units::rate(r.mean_events_per_second),
                units::rate(r.peak_events_per_second)
            ),
        ),
        ("Keys", r.keys.map_or("—".into(), units::count)),
        ("Out-of-order events", units::count(r.out_of_order_events)),
    ];
    view! {
        <dl class="facts">
            {facts
                .into_iter()
                .map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> })
                .collect_view()}
        </dl>
        <h3>"Latency and cost"</h3>
        <div class="table-scroll">
            <table class="data" id="latency-table">
                <thead>
                    <tr>
                        <th scope="col">"Mode"</th>
                        <th scope="col">"Configuration"</th>
                        <th scope="col" class="num">"p50"</th>
                        <th scope="col" class="num">"p95"</th>
                        <th scope="col" class="num">"p99"</th>
                        <th scope="col" class="num">"max"</th>
                        <th scope="col" class="num">"Monthly cost"</th>
                        <th scope="col" class="num">"vCPUs"</th>
                        <th scope="col" class="num">"Events/s per core"</th>
                    </tr>
                </thead>
                <tbody>
                    {r.modes
                        .iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <td>{pill(&m.mode)}</td>
                                    <td>{m.label.clone()}</td>
                                    <td class="num">{m.p50_ms.map_or_else(|| NO_SAMPLE.to_string(), units::duration_ms)}</td>
                                    <td class="num">{m.p95_ms.map_or_else(|| NO_SAMPLE.to_string(), units::duration_ms)}</td>
                                    <td class="num">{m.p99_ms.map_or_else(|| NO_SAMPLE.to_string(), units::duration_ms)}</td>
                                    <td class="num">{m.max_ms.map_or_else(|| NO_SAMPLE.to_string(), units::duration_ms)}</td>
                                    <td class="num">{units::usd(m.monthly_usd)}</td>
                                    <td class="num">{if m.vcpus >= 1e15 { "—".into() } else { format!("{:.2}", m.vcpus) }}</td>
                                    <td class="num">{units::rate(m.events_per_second_per_core)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <h3>"Correctness against ground truth"</h3>
        <div class="table-scroll">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Configuration"</th>
                        <th scope="col">"Exact?"</th>
                        <th scope="col" class="num">"Precision"</th>
                        <th scope="col" class="num">"Recall"</th>
                        <th scope="col" class="num">"Late events"</th>
                        <th scope="col" class="num">"Dropped"</th>
                        <th scope="col" class="num">"Corrections"</th>
                        <th scope="col" class="num">"Retractions"</th>
                    </tr>
                </thead>
                <tbody>
                    {r.modes
                        .iter()
                        .map(|m| {
                            let exact = if m.exact { "yes" } else { "no" };
                            view! {
                                <tr>
                                    <td>{m.label.clone()}</td>
                                    <td class=if m.exact { "ok" } else { "bad" }>{exact}</td>
                                    <td class="num">{units::percent(m.precision)}</td>
                                    <td class="num">{units::percent(m.recall)}</td>
                                    <td class="num">{units::count(m.late_events)}</td>
                                    <td class="num">{units::count(m.late_dropped)}</td>
                                    <td class="num">{units::count(m.corrections)}</td>
                                    <td class="num">{units::count(m.retractions)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <h3>"Resources, reprocessing and complexity"</h3>
        <div class="table-scroll">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Configuration"</th>
                        <th scope="col" class="num">"CPU"</th>
                        <th scope="col" class="num">"Peak memory"</th>
                        <th scope="col" class="num">"Peak state"</th>
                        <th scope="col" class="num">"Reprocess 1 day"</th>
                        <th scope="col" class="num">"Stateful ops"</th>
                        <th scope="col" class="num">"Failure modes"</th>
                        <th scope="col" class="num">"Lines of code"</th>
                    </tr>
                </thead>
                <tbody>
                    {r.modes
                        .iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <td>{m.label.clone()}</td>
                                    <td class="num">{units::seconds(m.cpu_seconds)}</td>
                                    <td class="num">{units::bytes(m.peak_memory_bytes)}</td>
                                    <td class="num">{units::bytes(m.peak_state_bytes)}</td>
                                    <td class="num">{units::seconds(m.reprocessing_seconds)}</td>
                                    <td class="num">{m.stateful_operators}</td>
                                    <td class="num">{m.failure_modes}</td>
                                    <td class="num">{units::count(m.lines_of_code as u64)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {(!r.break_even.is_empty())
            .then(|| {
                view! {
                    <h3>"Break-even rates"</h3>
                    <ul class="changes">
                        {r.break_even.iter().map(|b| view! { <li>{b.clone()}</li> }).collect_view()}
                    </ul>
                }
            })}
        {(!r.validation.is_empty())
            .then(|| {
                view! {
                    <h3>"Real-time validation"</h3>
                    <p class="muted">
                        "The same events fed on the wall clock: the simulated and the real p99 side by side."
                    </p>
                    <div class="table-scroll">
                        <table class="data">
                            <thead>
                                <tr>
                                    <th scope="col">"Configuration"</th>
                                    <th scope="col" class="num">"Simulated p99"</th>
                                    <th scope="col" class="num">"Real p99"</th>
                                    <th scope="col">"Same output"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {r.validation
                                    .iter()
                                    .map(|v| {
                                        view! {
                                            <tr>
                                                <td>{v.label.clone()}</td>
                                                <td class="num">{units::duration_ms(v.simulated_p99_ms)}</td>
                                                <td class="num">{units::duration_ms(v.real_p99_ms)}</td>
                                                <td>{if v.same_output { "yes" } else { "no" }}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })}
        {(!r.broker.is_empty())
            .then(|| {
                view! {
                    <h3>"Through a replayable log"</h3>
                    <ul class="changes" id="broker">
                        {r.broker.iter().map(|b| view! { <li>{b.clone()}</li> }).collect_view()}
                    </ul>
                }
            })}
        {r
            .query
            .clone()
            .map(|q| {
                view! {
                    <h3>"The query"</h3>
                    <p class="help">
                        {if q.written_as_sql {
                            "As you wrote it:"
                        } else {
                            "The definition's query, written as SQL:"
                        }}
                    </p>
                    <pre id="query-sql">{q.sql}</pre>
                    <details>
                        <summary>"The DataFusion SQL the batch and micro-batch plans run"</summary>
                        <pre id="datafusion-sql">{q.datafusion_sql}</pre>
                    </details>
                }
            })}
        {(!r.stream_partitioning.is_empty())
            .then(|| {
                view! {
                    <h3>"Stream split by key across workers"</h3>
                    <ul class="changes" id="stream-partitioning">
                        {r
                            .stream_partitioning
                            .iter()
                            .map(|b| view! { <li>{b.clone()}</li> })
                            .collect_view()}
                    </ul>
                }
            })}
        {(!r.scale_out.is_empty())
            .then(|| {
                view! {
                    <h3>"Scale-out on a Ballista cluster"</h3>
                    <ul class="changes" id="scale-out">
                        {r.scale_out.iter().map(|b| view! { <li>{b.clone()}</li> }).collect_view()}
                    </ul>
                    <h4>"Cluster sizing (modeled from the measured curve)"</h4>
                    <ul class="changes" id="sizing">
                        {r.sizing.iter().map(|b| view! { <li>{b.clone()}</li> }).collect_view()}
                    </ul>
                }
            })}
        <h3>"Charts"</h3>
        <Charts charts=r.charts.clone() />
    }
}
