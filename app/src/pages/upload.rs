//! `/specs/new`: upload a workload spec — pick a file or edit the example
//! in place, then validate and queue it. With JavaScript, errors appear in
//! place and a queued spec opens its job page; without it, the form posts
//! to the `upload-spec` server function, which redirects to the job page
//! or back here with the errors in the query.
//!
//! Size: the form carries the limit (`data-max-bytes`), and the hydrated
//! page refuses a larger file or text before sending it, with a message in
//! place naming the limit. A refusal by the server (413) is shown in place
//! too; without JavaScript the server answers a 413 page.
//!
//! A second form, "Your own events", uploads a CSV or Parquet sample (the
//! hydrated page `fetch`es `POST /api/samples` with the picked `File` as
//! the body, so the browser streams it; a file over the server's bound is
//! refused in place before anything is sent), shows the schema the server
//! inferred, asks for the event-time and key columns (prefilled from the
//! server's suggestion), an optional replay rate and the SQL (prefilled
//! with an example on the chosen key), and `POST`s the run to
//! `/api/samples/{id}/run`: an error appears in place (SQL errors with
//! their line and column), a queued run opens its job page.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{UploadSpec, get_sample_limit};
use crate::components::recommendation::FieldErrors;
use crate::model::{Outcome, SampleView};

/// The example the editor starts with (a reference workload's spec).
pub const EXAMPLE_SPEC: &str = include_str!("../../../workloads/specs/fraud-alerts.toml");

/// Largest spec, in bytes of UTF-8 text, the page sends or the picker
/// loads: the server's `bench_harness::spec::MAX_SPEC_BYTES` (the server
/// asserts they are equal at compile time).
pub const MAX_SPEC_BYTES: usize = 64 * 1024;

/// The size message: `what` (e.g. "The spec", a file name) and its size.
fn too_large_message(what: &str, bytes: f64) -> String {
    format!(
        "{what} is {:.0} KiB: a spec may have at most {} KiB ({MAX_SPEC_BYTES} bytes). \
         Nothing was sent.",
        (bytes / 1024.0).ceil(),
        MAX_SPEC_BYTES / 1024
    )
}

/// A server function's error for people: the server's own message when it
/// sent one (e.g. its 413), else the error as Leptos words it.
fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}

/// The upload page.
#[component]
pub fn UploadPage() -> impl IntoView {
    let query = use_query_map();
    let plain_error = query.with_untracked(|q| q.get("error"));
    let text = RwSignal::new(EXAMPLE_SPEC.to_string());
    let format = RwSignal::new("toml".to_string());
    let file_note = RwSignal::new(None::<String>);
    // Why the page refused to send (too large), shown above the button.
    let size_error = RwSignal::new(None::<String>);
    let upload = ServerAction::<UploadSpec>::new();
    let pending = upload.pending();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(Outcome::Done(up))) = upload.value().get() {
            navigate(&format!("/jobs/{}", up.job_id), Default::default());
        }
    });
    view! {
        <section class="hero compact">
            <p class="eyebrow"><a href="/specs">"Your specs"</a></p>
            <h1>"Measure your own workload"</h1>
            <p class="lead">
                {format!(
                    "Describe the load, the candidate schedules and your SLOs in a spec (TOML or JSON, up to {} KiB). ",
                    MAX_SPEC_BYTES / 1024,
                )}
                "Weir runs every candidate on this machine and reports latency, cost and correctness."
            </p>
        </section>
        {plain_error
            .map(|e| {
                view! {
                    <div class="notice error" id="field-errors" role="alert">
                        <strong>"The spec was refused:"</strong>
                        <ul>{e.lines().map(|l| view! { <li>{l.to_string()}</li> }).collect_view()}</ul>
                    </div>
                }
            })}
        <form
            class="card upload"
            id="upload-form"
            method="post"
            action="/fn/upload-spec"
            data-max-bytes=MAX_SPEC_BYTES.to_string()
            on:submit=move |ev| {
                ev.prevent_default();
                let len = text.with_untracked(String::len);
                if len > MAX_SPEC_BYTES {
                    size_error.set(Some(too_large_message("The spec", len as f64)));
                    return;
                }
                size_error.set(None);
                upload
                    .dispatch(UploadSpec {
                        text: text.get_untracked(),
                        format: format.get_untracked(),
                    });
            }
        >
            <div class="form-grid">
                <div class="field">
                    <label for="spec-file">"Load a file (optional)"</label>
                    <input
                        id="spec-file"
                        type="file"
                        accept=".toml,.json,application/toml,application/json,text/plain"
                        on:change=move |ev| load_file(ev, text, format, file_note, size_error)
                    />
                    <p class="help">{move || file_note.get().unwrap_or_else(|| "Its text replaces the editor's.".into())}</p>
                </div>
                <div class="field">
                    <label for="spec-format">"Format"</label>
                    <select
                        id="spec-format"
                        name="format"
                        prop:value=move || format.get()
                        on:change=move |ev| format.set(event_target_value(&ev))
                    >
                        <option value="toml" selected=true>"TOML"</option>
                        <option value="json">"JSON"</option>
                    </select>
                    <p class="help">"The field reference is in docs/specs.md."</p>
                </div>
            </div>
            <div class="field">
                <label for="spec-text">"Spec"</label>
                <textarea
                    id="spec-text"
                    name="text"
                    rows="26"
                    spellcheck="false"
                    maxlength=MAX_SPEC_BYTES.to_string()
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        if value.len() <= MAX_SPEC_BYTES {
                            size_error.set(None);
                        }
                        text.set(value);
                    }
                >
                    {EXAMPLE_SPEC}
                </textarea>
            </div>
            {move || {
                size_error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="notice error" id="upload-size-error" role="alert">{message}</p>
                        }
                    })
            }}
            <div class="actions">
                <button type="submit" class="primary" id="upload-submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Checking…" } else { "Validate and run" }}
                </button>
            </div>
        </form>
        {move || {
            upload
                .value()
                .get()
                .and_then(|r| match r {
                    Ok(Outcome::Done(_)) => None,
                    Ok(Outcome::Invalid(errors)) => Some(view! { <FieldErrors errors /> }.into_any()),
                    Err(e) => {
                        Some(
                            view! {
                                <p class="notice error" id="upload-error" role="alert">{error_text(&e)}</p>
                            }
                                .into_any(),
                        )
                    }
                })
        }}
        <SampleSection />
    }
}

/// The sample bound the page assumes until the server's has loaded: the
/// most a sample may have at all (`workloads::custom::sample::MAX_SAMPLE_BYTES`).
pub const DEFAULT_MAX_SAMPLE_BYTES: u64 = 256 << 20;

/// `256 MiB`, `4 KiB`, `1.5 MiB`, `900 bytes`.
fn size_text(bytes: f64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes >= MIB {
        let v = bytes / MIB;
        if v.fract() == 0.0 {
            format!("{v:.0} MiB")
        } else {
            format!("{v:.1} MiB")
        }
    } else if bytes >= 1024.0 {
        let v = bytes / 1024.0;
        if v.fract() == 0.0 {
            format!("{v:.0} KiB")
        } else {
            format!("{v:.1} KiB")
        }
    } else {
        format!("{bytes:.0} bytes")
    }
}

/// The message for a sample over the bound.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn sample_too_large(name: &str, bytes: f64, limit: u64) -> String {
    format!(
        "{name} is {}: a sample may have at most {}. Nothing was sent.",
        size_text(bytes),
        size_text(limit as f64)
    )
}

/// The SQL the form starts with: events per key in 5-minute windows.
pub fn example_sql(key: &str) -> String {
    let key = if key.is_empty() { "key" } else { key };
    format!(
        "SELECT {key}, COUNT(*) AS events\nFROM events\nGROUP BY {key}, TUMBLE(event_time, INTERVAL '5' MINUTE)"
    )
}

/// The sample form's state (signals are `Copy`, so the handlers share it).
#[derive(Clone, Copy)]
struct SampleState {
    sample: RwSignal<Option<SampleView>>,
    upload_error: RwSignal<Option<String>>,
    uploading: RwSignal<bool>,
    event_time: RwSignal<String>,
    key: RwSignal<String>,
    rate: RwSignal<String>,
    sql: RwSignal<String>,
    /// Empty: the SQL query; else a reference workload the file is
    /// measured as (its contract's columns).
    workload: RwSignal<String>,
    /// The user has edited the SQL: a new key no longer rewrites it.
    sql_edited: RwSignal<bool>,
    run_error: RwSignal<Option<String>>,
    running: RwSignal<bool>,
    /// The queued job, once the run is accepted.
    job: RwSignal<Option<String>>,
}

impl SampleState {
    fn new() -> SampleState {
        SampleState {
            sample: RwSignal::new(None),
            upload_error: RwSignal::new(None),
            uploading: RwSignal::new(false),
            event_time: RwSignal::new(String::new()),
            key: RwSignal::new(String::new()),
            rate: RwSignal::new(String::new()),
            sql: RwSignal::new(String::new()),
            workload: RwSignal::new(String::new()),
            sql_edited: RwSignal::new(false),
            run_error: RwSignal::new(None),
            running: RwSignal::new(false),
            job: RwSignal::new(None),
        }
    }

    /// Shows an uploaded sample, its mapping prefilled (from its last run
    /// when it has one, else from the server's suggestion).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn show(self, v: SampleView) {
        if let Some(last) = v.last_run.clone() {
            self.event_time.set(
                last.event_time
                    .or_else(|| v.event_time.clone())
                    .unwrap_or_default(),
            );
            self.key
                .set(last.key.or_else(|| v.key.clone()).unwrap_or_default());
            self.rate
                .set(last.rate.map(|r| r.to_string()).unwrap_or_default());
            self.sql.set(last.sql);
            self.workload.set(last.workload.unwrap_or_default());
            self.sql_edited.set(true);
            self.sample.set(Some(v));
            return;
        }
        let with_use = |u: &str, not: Option<&str>| {
            v.columns
                .iter()
                .find(|c| c.uses.iter().any(|x| x == u) && Some(c.field.as_str()) != not)
                .map(|c| c.field.clone())
        };
        let time = v
            .event_time
            .clone()
            .or_else(|| with_use("event-time", None))
            .unwrap_or_default();
        let key = v
            .key
            .clone()
            .or_else(|| with_use("key", Some(time.as_str())))
            .unwrap_or_default();
        self.event_time.set(time);
        if !self.sql_edited.get_untracked() {
            self.sql.set(example_sql(&key));
        }
        self.key.set(key);
        self.sample.set(Some(v));
    }
}

/// "Your own events", once the server's bound is known.
#[component]
fn SampleSection() -> impl IntoView {
    let limit = Resource::new(|| (), |_| get_sample_limit());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let limit = limit.await.unwrap_or(DEFAULT_MAX_SAMPLE_BYTES);
                view! { <SampleForm limit /> }
            })}
        </Transition>
    }
}

#[component]
fn SampleForm(limit: u64) -> impl IntoView {
    let st = SampleState::new();
    // `?sample=<id>` (from a sample's page): that stored sample, its last
    // run prefilled (client only: effects do not run on the server).
    let stored = use_query_map().with_untracked(|q| q.get("sample"));
    Effect::new(move |_| {
        if let Some(id) = stored.clone() {
            load_stored(id, st);
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(job) = st.job.get() {
            navigate(&format!("/jobs/{job}"), Default::default());
        }
    });
    view! {
        <section class="hero compact" id="samples">
            <h2>"Your own events"</h2>
            <p class="lead">
                {format!(
                    "Upload a sample of your events (CSV or Parquet, up to {}), say which column is the event time and which the key, and write the query in SQL over the table events. ",
                    size_text(limit as f64),
                )}
                "Weir replays the sample through every mode and reports latency, cost and correctness. (This form needs JavaScript.)"
            </p>
        </section>
        <form
            class="card upload"
            id="sample-form"
            data-max-bytes=limit.to_string()
            on:submit=move |ev| {
                ev.prevent_default();
                start_run(st);
            }
        >
            <div class="field">
                <label for="sample-file">"Sample file (.csv or .parquet)"</label>
                <input
                    id="sample-file"
                    type="file"
                    accept=".csv,.parquet"
                    disabled=move || st.uploading.get()
                    on:change=move |ev| pick_sample(ev, limit, st)
                />
                <p class="help" id="sample-file-note">
                    {move || {
                        if st.uploading.get() {
                            "Uploading and checking every row…".to_string()
                        } else {
                            match st.sample.get() {
                                Some(s) => format!("{} uploaded.", s.file_name),
                                None => "Its schema is inferred with Arrow.".to_string(),
                            }
                        }
                    }}
                </p>
            </div>
            {move || {
                st.upload_error
                    .get()
                    .map(|message| {
                        view! { <p class="notice error" id="sample-error" role="alert">{message}</p> }
                    })
            }}
            {move || st.sample.get().map(|s| view! { <SampleMapping sample=s st /> })}
        </form>
    }
}

/// The schema, the mapping, the SQL and the run button of an uploaded sample.
#[component]
fn SampleMapping(sample: SampleView, st: SampleState) -> impl IntoView {
    // Options carry `selected` too: a select's value set before its
    // options exist would not stick.
    let options = |u: &'static str, initial: String| {
        sample
            .columns
            .iter()
            .filter(|c| c.uses.iter().any(|x| x == u))
            .map(|c| {
                let f = c.field.clone();
                let selected = f == initial;
                let label = if c.name == c.field {
                    c.name.clone()
                } else {
                    format!("{} ({})", c.field, c.name)
                };
                view! { <option value=f selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let times = options("event-time", st.event_time.get_untracked());
    let keys = options("key", st.key.get_untracked());
    let rows = sample.rows.map_or_else(
        || format!("{} rows inspected", sample.inspected_rows),
        |r| format!("{r} rows"),
    );
    view! {
        <p class="muted" id="sample-summary">
            {format!("{} · {} · {} · {}", sample.file_name, sample.format, size_text(sample.bytes as f64), rows)}
        </p>
        <div class="table-scroll">
            <table class="data" id="sample-schema">
                <thead>
                    <tr>
                        <th scope="col">"Column"</th>
                        <th scope="col">"In SQL"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Can be"</th>
                        <th scope="col">"Empty"</th>
                        <th scope="col">"Note"</th>
                    </tr>
                </thead>
                <tbody>
                    {sample
                        .columns
                        .iter()
                        .map(|c| {
                            view! {
                                <tr data-column=c.field.clone()>
                                    <td>{c.name.clone()}</td>
                                    <td><code>{c.field.clone()}</code></td>
                                    <td>{c.data_type.clone()}</td>
                                    <td>{if c.uses.is_empty() { "—".to_string() } else { c.uses.join(", ") }}</td>
                                    <td>{c.nulls}</td>
                                    <td>{c.note.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <div class="form-grid">
            <div class="field">
                <label for="sample-event-time">"Event time"</label>
                <select
                    id="sample-event-time"
                    prop:value=move || st.event_time.get()
                    on:change=move |ev| st.event_time.set(event_target_value(&ev))
                >
                    {times}
                </select>
                <p class="help">"In SQL it is always " <code>"event_time"</code> "."</p>
            </div>
            <div class="field">
                <label for="sample-key">"Key"</label>
                <select
                    id="sample-key"
                    prop:value=move || st.key.get()
                    on:change=move |ev| {
                        let k = event_target_value(&ev);
                        if !st.sql_edited.get_untracked() {
                            st.sql.set(example_sql(&k));
                        }
                        st.key.set(k);
                    }
                >
                    {keys}
                </select>
                <p class="help">"What the query groups by."</p>
            </div>
            <div class="field">
                <label for="sample-rate">"Replay rate (optional)"</label>
                <input
                    id="sample-rate"
                    type="text"
                    inputmode="decimal"
                    placeholder="as recorded"
                    prop:value=move || st.rate.get()
                    on:input=move |ev| st.rate.set(event_target_value(&ev))
                />
                <p class="help">"Events per second; empty replays the sample at its own rate."</p>
            </div>
        </div>
        <div class="field">
            <label for="sample-workload">"Measure as"</label>
            <select
                id="sample-workload"
                prop:value=move || st.workload.get()
                on:change=move |ev| st.workload.set(event_target_value(&ev))
            >
                <option value="">"your SQL query (below)"</option>
                <option value="fraud-alerts">"fraud-alerts (the file has its transaction columns)"</option>
                <option value="daily-report">"daily-report (order columns)"</option>
                <option value="sessionization">"sessionization (click columns)"</option>
            </select>
            <p class="help">"A reference workload keeps its own rules and reads the contract's input columns; the mapping, rate and SQL are then not used."</p>
        </div>
        <div class="field">
            <label for="sample-sql">"Query (SQL over the table " <code>"events"</code> ")"</label>
            <textarea
                id="sample-sql"
                rows="6"
                spellcheck="false"
                prop:value=move || st.sql.get()
                on:input=move |ev| {
                    st.sql_edited.set(true);
                    st.sql.set(event_target_value(&ev));
                }
            ></textarea>
            <p class="help">"Windows in GROUP BY: TUMBLE, HOP, SESSION or date_bin (docs/specs.md)."</p>
        </div>
        {move || {
            st.run_error
                .get()
                .map(|message| {
                    view! { <p class="notice error" id="sample-run-error" role="alert">{message}</p> }
                })
        }}
        <div class="actions">
            <button type="submit" class="primary" id="sample-run" disabled=move || st.running.get()>
                {move || if st.running.get() { "Checking…" } else { "Run" }}
            </button>
        </div>
    }
}

/// Checks the picked sample's size and uploads it (client only).
#[cfg(feature = "hydrate")]
fn pick_sample(ev: leptos::ev::Event, limit: u64, st: SampleState) {
    use wasm_bindgen::JsCast;
    let Some(file) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    let name = file.name();
    st.run_error.set(None);
    // `File.size` is in bytes; checked before sending any of it.
    if file.size() > limit as f64 {
        st.upload_error
            .set(Some(sample_too_large(&name, file.size(), limit)));
        return;
    }
    st.upload_error.set(None);
    st.sample.set(None);
    st.uploading.set(true);
    leptos::task::spawn_local(async move {
        let result = match client::send_sample(&file, &name).await {
            Ok(id) => match crate::api::get_sample(id).await {
                Ok(Some(v)) => Ok(v),
                Ok(None) => Err("the sample was stored but cannot be found".to_string()),
                Err(e) => Err(error_text(&e)),
            },
            Err(e) => Err(e),
        };
        st.uploading.set(false);
        match result {
            Ok(v) => st.show(v),
            Err(message) => st.upload_error.set(Some(message)),
        }
    });
}

/// On the server the picker does nothing (it only acts in the browser).
#[cfg(not(feature = "hydrate"))]
fn pick_sample(_ev: leptos::ev::Event, _limit: u64, _st: SampleState) {}

/// Shows a stored sample in the form (client only).
#[cfg(feature = "hydrate")]
fn load_stored(id: String, st: SampleState) {
    st.uploading.set(true);
    leptos::task::spawn_local(async move {
        let result = crate::api::get_sample(id).await;
        st.uploading.set(false);
        match result {
            Ok(Some(v)) => st.show(v),
            Ok(None) => st.upload_error.set(Some(
                "No such sample: it may have been deleted.".to_string(),
            )),
            Err(e) => st.upload_error.set(Some(error_text(&e))),
        }
    });
}

/// On the server nothing is loaded (effects only run in the browser).
#[cfg(not(feature = "hydrate"))]
fn load_stored(_id: String, _st: SampleState) {}

/// Posts the run request (client only); a queued run opens its job page.
#[cfg(feature = "hydrate")]
fn start_run(st: SampleState) {
    let Some(sample) = st.sample.get_untracked() else {
        st.run_error
            .set(Some("Pick a sample file first.".to_string()));
        return;
    };
    let rate = st.rate.get_untracked();
    let rate = rate.trim();
    let rate = if rate.is_empty() {
        None
    } else {
        match rate.parse::<f64>() {
            Ok(r) if r.is_finite() && r > 0.0 => Some(r),
            _ => {
                st.run_error.set(Some(format!(
                    "rate: `{rate}` is not a number of events per second"
                )));
                return;
            }
        }
    };
    let workload = st.workload.get_untracked();
    let body = if workload.is_empty() {
        client::run_body(
            &st.sql.get_untracked(),
            &st.event_time.get_untracked(),
            &st.key.get_untracked(),
            rate,
        )
    } else {
        client::reference_body(&workload)
    };
    st.run_error.set(None);
    st.running.set(true);
    leptos::task::spawn_local(async move {
        let result = client::post_run(&sample.id, &body).await;
        st.running.set(false);
        match result {
            Ok(job) => st.job.set(Some(job)),
            Err(message) => st.run_error.set(Some(message)),
        }
    });
}

/// On the server the form does nothing (it only acts in the browser).
#[cfg(not(feature = "hydrate"))]
fn start_run(_st: SampleState) {}

/// The browser's side of the sample API: `fetch` with the `File` as the
/// body (streamed by the browser), JSON read with the browser's own parser.
#[cfg(feature = "hydrate")]
mod client {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::js_sys;

    fn js_text(e: JsValue) -> String {
        e.as_string()
            .or_else(|| {
                js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                    .ok()
                    .and_then(|m| m.as_string())
            })
            .unwrap_or_else(|| format!("{e:?}"))
    }

    fn field(v: &JsValue, name: &str) -> Option<String> {
        js_sys::Reflect::get(v, &JsValue::from_str(name))
            .ok()
            .and_then(|x| x.as_string())
    }

    /// Sends a request; `expect` is the success status. Returns the answer's
    /// `field` on success, its `error` (or status and text) otherwise.
    async fn send(
        url: &str,
        content_type: &str,
        body: &JsValue,
        expect: u16,
        want: &str,
    ) -> Result<String, String> {
        let window = web_sys::window().ok_or_else(|| "no window".to_string())?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        let headers = web_sys::Headers::new().map_err(js_text)?;
        headers.set("Content-Type", content_type).map_err(js_text)?;
        init.set_headers_headers(&headers);
        init.set_body(body);
        let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|e| format!("the request failed: {}", js_text(e)))?;
        let resp: web_sys::Response = resp
            .dyn_into()
            .map_err(|_| "the request failed: no response".to_string())?;
        let status = resp.status();
        let text = match resp.text() {
            Ok(p) => JsFuture::from(p)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        let json = js_sys::JSON::parse(&text).ok();
        if status == expect {
            return json
                .as_ref()
                .and_then(|v| field(v, want))
                .ok_or_else(|| format!("unexpected answer from the server: {text}"));
        }
        Err(json
            .as_ref()
            .and_then(|v| field(v, "error"))
            .unwrap_or_else(|| format!("the server answered {status}: {}", text.trim())))
    }

    /// Uploads a sample: its id.
    pub async fn send_sample(file: &web_sys::File, name: &str) -> Result<String, String> {
        let url = format!(
            "/api/samples?name={}",
            crate::questions::percent_encode(name)
        );
        let body = JsValue::from(file.clone());
        send(&url, "application/octet-stream", &body, 201, "id").await
    }

    /// The run request as JSON.
    pub fn run_body(sql: &str, event_time: &str, key: &str, rate: Option<f64>) -> String {
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("sql", JsValue::from_str(sql));
        if !event_time.is_empty() {
            set("event_time", JsValue::from_str(event_time));
        }
        if !key.is_empty() {
            set("key", JsValue::from_str(key));
        }
        if let Some(r) = rate {
            set("rate", JsValue::from_f64(r));
        }
        js_sys::JSON::stringify(&o)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    /// The run request of a reference workload, as JSON.
    pub fn reference_body(workload: &str) -> String {
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &o,
            &JsValue::from_str("workload"),
            &JsValue::from_str(workload),
        );
        js_sys::JSON::stringify(&o)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    /// Queues a run: the job's id.
    pub async fn post_run(id: &str, body: &str) -> Result<String, String> {
        let url = format!("/api/samples/{}/run", crate::questions::percent_encode(id));
        send(
            &url,
            "application/json",
            &JsValue::from_str(body),
            202,
            "job",
        )
        .await
    }
}

/// Reads the picked file into the editor (client only) and sets the format
/// from its extension.
#[cfg(feature = "hydrate")]
fn load_file(
    ev: leptos::ev::Event,
    text: RwSignal<String>,
    format: RwSignal<String>,
    note: RwSignal<Option<String>>,
    size_error: RwSignal<Option<String>>,
) {
    use wasm_bindgen::JsCast;
    let Some(file) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    let name = file.name();
    // `File.size` is in bytes; checked before reading any of it.
    if file.size() > MAX_SPEC_BYTES as f64 {
        let message = too_large_message(&name, file.size());
        note.set(Some(format!("{name} was not loaded.")));
        size_error.set(Some(message));
        return;
    }
    size_error.set(None);
    if name.to_ascii_lowercase().ends_with(".json") {
        format.set("json".into());
    } else if name.to_ascii_lowercase().ends_with(".toml") {
        format.set("toml".into());
    }
    let promise = file.text();
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(v) => {
                text.set(v.as_string().unwrap_or_default());
                note.set(Some(format!("Loaded {name}.")));
            }
            Err(_) => note.set(Some(format!("{name} could not be read."))),
        }
    });
}

/// On the server the picker does nothing (it only acts in the browser).
#[cfg(not(feature = "hydrate"))]
fn load_file(
    _ev: leptos::ev::Event,
    _text: RwSignal<String>,
    _format: RwSignal<String>,
    _note: RwSignal<Option<String>>,
    _size_error: RwSignal<Option<String>>,
) {
}
