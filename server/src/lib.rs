//! `weir-server` as a library: the router (pages, server functions, JSON
//! API, static files) over an [`AppState`], so tests drive it in-process
//! (`tower::ServiceExt::oneshot`) and the binary only parses arguments,
//! binds and shuts down.

pub mod api;
pub mod job_store;
pub mod jobs;
pub mod locks;
pub mod methodology;
pub mod oversize;
pub mod samples;
pub mod scenarios;
pub mod spec_api;
pub mod spec_store;
pub mod state;
pub mod storage;
pub mod uploads;
pub mod views;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app::backend::SharedBackend;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use crate::state::{AppState, QueueConfig};

/// Largest request body accepted (answers, forms and specs are small; a
/// spec may have at most `bench_harness::spec::MAX_SPEC_BYTES`), except a
/// server function's form ([`oversize::FORM_BODY_LIMIT_BYTES`]). A larger
/// one gets a 413 its sender can read ([`oversize::limit_bodies`]).
pub const BODY_LIMIT_BYTES: usize = bench_harness::spec::MAX_SPEC_BYTES;

// The upload page checks sizes against its own copy of the limit.
const _: () = assert!(app::pages::upload::MAX_SPEC_BYTES == bench_harness::spec::MAX_SPEC_BYTES);

/// Longest a request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Router state: Leptos's options and ours.
#[derive(Clone)]
struct ServerState {
    leptos: LeptosOptions,
    app: Arc<AppState>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

impl FromRef<ServerState> for Arc<AppState> {
    fn from_ref(s: &ServerState) -> Self {
        s.app.clone()
    }
}

/// The whole app: pages, server functions, the JSON API and static files.
pub fn router(app_state: Arc<AppState>, site: &Path, addr: SocketAddr) -> Router {
    let leptos = LeptosOptions::builder()
        .output_name("weir")
        .site_root(site.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let backend: SharedBackend = app_state.clone();
    let context = move || provide_context(backend.clone());
    let routes = generate_route_list(App);
    let state = ServerState {
        leptos: leptos.clone(),
        app: app_state,
    };
    // Sample uploads and runs read and check up to 256 MiB: a longer
    // timeout than every other request's, and their own body bound.
    let samples = guarded(
        Router::new()
            .route(samples::UPLOAD_PATH, post(samples::upload))
            .route("/api/samples/{id}", get(samples::get))
            .route("/api/samples/{id}/run", post(samples::run)),
        samples::SAMPLE_REQUEST_TIMEOUT,
    );
    let main = Router::new()
        .route("/api/recommend", post(api::recommend))
        .route("/api/reports", get(api::reports))
        .route("/api/reports/{id}", get(api::report))
        .route("/api/status", get(api::status))
        .route("/api/specs", post(spec_api::create).get(spec_api::list))
        .route(
            "/api/specs/{id}",
            get(spec_api::get).delete(spec_api::delete),
        )
        .route("/api/jobs", get(spec_api::jobs))
        .route(
            "/api/jobs/{id}",
            get(spec_api::job).delete(spec_api::cancel),
        )
        .route("/api/jobs/{id}/cancel", post(spec_api::cancel))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell));
    guarded(main, REQUEST_TIMEOUT)
        .merge(samples)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The body limit, the API's JSON errors and a request timeout around
/// `routes`.
fn guarded(routes: Router<ServerState>, timeout: Duration) -> Router<ServerState> {
    routes
        .layer(axum::middleware::from_fn(oversize::limit_bodies))
        .layer(axum::middleware::from_fn(spec_api::json_errors))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
}
