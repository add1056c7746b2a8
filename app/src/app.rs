//! The HTML shell, the router and the page layout.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::components::status::{DataVersion, StatusBar};
use crate::pages::{
    home::HomePage, methodology::MethodologyPage, recommendation::RecommendationPage,
};
use crate::pages::{job::JobPage, spec::SpecPageView, specs::SpecsPage, upload::UploadPage};
use crate::pages::{workload::WorkloadPageView, workloads::WorkloadsPage};

/// The document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Weir: batch, micro-batch or stream? Answers backed by measurements on your machine." />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app: layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(DataVersion(RwSignal::new(0)));
    view! {
        <Stylesheet id="weir" href="/pkg/weir.css" />
        <Title text="Weir — batch or stream?" />
        <Router>
            <header class="topbar">
                <div class="wrap topbar-inner">
                    <a class="brand" href="/">
                        <span class="logo" aria-hidden="true">"≋"</span>
                        "Weir"
                    </a>
                    <nav aria-label="Main">
                        <A href="/">"Advisor"</A>
                        <A href="/workloads">"Workloads"</A>
                        <A href="/specs">"Your specs"</A>
                        <A href="/methodology">"Methodology"</A>
                    </nav>
                </div>
            </header>
            <main class="wrap">
                <StatusBar />
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/recommendation") view=RecommendationPage />
                    <Route path=path!("/workloads") view=WorkloadsPage />
                    <Route path=path!("/workloads/:name") view=WorkloadPageView />
                    <Route path=path!("/methodology") view=MethodologyPage />
                    <Route path=path!("/specs") view=SpecsPage />
                    <Route path=path!("/specs/new") view=UploadPage />
                    <Route path=path!("/specs/:id") view=SpecPageView />
                    <Route path=path!("/jobs/:id") view=JobPage />
                </Routes>
            </main>
            <footer class="wrap footer">
                "Weir measures every mode on this machine: virtual clock, real service times, modeled prices. "
                <a href="/methodology">"How it measures"</a>
                " · "
                <a href="/api/reports">"Reports as JSON"</a>
            </footer>
        </Router>
    }
}

/// The 404 page.
#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"There is nothing here. " <a href="/">"Back to the advisor"</a></p>
        </section>
    }
}
