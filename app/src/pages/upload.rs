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

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::UploadSpec;
use crate::components::recommendation::FieldErrors;
use crate::model::Outcome;

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
