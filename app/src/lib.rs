//! Weir's advisor web app: the Leptos pages and components.
//!
//! Built twice: with feature `ssr` it is a library the server renders pages
//! with (server functions run there, against [`backend::Backend`]); with
//! feature `hydrate` it is the wasm client that hydrates those pages. The
//! hydrate build depends only on Leptos and serde: the engine's types stay
//! on the server, and pages display the [`model`] view types.

pub mod api;
pub mod app;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod model;
pub mod pages;
pub mod questions;

pub use app::{App, shell};

/// The wasm entry point: hydrates the server-rendered page, then marks
/// `<body data-hydrated="true">` so tests (and CSS) know the client is live.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
