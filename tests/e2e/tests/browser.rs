//! The advisor in a real browser: headless Chromium driven through
//! chromedriver. Loads `/`, waits for hydration, proves the client is live
//! with a reactive interaction, answers the questionnaire, submits, and
//! checks the recommendation and its evidence table; saves screenshots.
//!
//! Needs the built server and wasm client (`bash scripts/e2e.sh` builds
//! both; if they are missing this test builds them with cargo). Skips only
//! when chromedriver is missing and `CI` is unset; in CI it must run.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use fantoccini::{Client, Locator};
use serde_json::Value;
use support::{Session, screenshot, set_text, wait_hydrated};

/// A plain HTTP/1.0 GET returning the body (enough for `/api/status`).
fn http_get(port: u16, path: &str) -> anyhow::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    Ok(buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default())
}

fn status(port: u16) -> anyhow::Result<Value> {
    Ok(serde_json::from_str(&http_get(port, "/api/status")?)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn questionnaire_in_headless_chromium() -> anyhow::Result<()> {
    if support::skip_without_browser()? {
        return Ok(());
    }
    support::build_missing()?;
    // The server, measuring quick scenarios into a fresh data dir.
    let s = Session::start_with_env(&[], &[("WEIR_QUICK", "1")]).await?;
    let result = drive(&s.client, &s.base, s.port, &s.out).await;
    s.finish(result, None).await
}

async fn drive(c: &Client, base: &str, port: u16, out: &Path) -> anyhow::Result<()> {
    // While the reference runs are under way, pages show a progress bar.
    c.goto(&format!("{base}/")).await?;
    let s = status(port)?;
    if s["running"] == Value::Bool(true) {
        c.find(Locator::Css("#progress [role=progressbar]"))
            .await
            .context("progress bar while measuring")?;
        screenshot(c, out, "progress.png").await?;
    }
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let s = status(port)?;
        if s["reports"].as_u64() == Some(3) && s["running"] == Value::Bool(false) {
            break;
        }
        anyhow::ensure!(s["last_error"].is_null(), "reference run failed: {s}");
        anyhow::ensure!(
            Instant::now() < deadline,
            "reference runs did not finish: {s}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Load the questionnaire and wait for the client to hydrate.
    c.goto(&format!("{base}/")).await?;
    wait_hydrated(c)
        .await
        .context("the page never hydrated (is target/site/pkg/weir.wasm built?)")?;

    // Needs the client: the live summary follows the answers as they change.
    let summary = c.find(Locator::Id("live-summary")).await?;
    let before = summary.text().await?;
    c.find(Locator::Id("freshness"))
        .await?
        .select_by_value("1d")
        .await?;
    let mut after = summary.text().await?;
    for _ in 0..50 {
        if after != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = summary.text().await?;
    }
    anyhow::ensure!(
        after.starts_with("By the next day"),
        "live summary did not update: {before:?} → {after:?}"
    );

    // Answer and submit: with the client, the answer appears in place.
    c.find(Locator::Id("transformation"))
        .await?
        .select_by_value("windowed-aggregation")
        .await?;
    c.find(Locator::Id("team_experience"))
        .await?
        .select_by_value("none")
        .await?;
    let rate = c.find(Locator::Id("events_per_second")).await?;
    rate.clear().await?;
    rate.send_keys("200").await?;
    c.find(Locator::Id("submit")).await?.click().await?;
    let table = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#evidence tbody tr"))
        .await
        .context("no evidence table after submitting")?;
    let _ = table;
    let verdict = c
        .find(Locator::Css("#recommendation [data-recommendation]"))
        .await?;
    let rec = verdict
        .attr("data-recommendation")
        .await?
        .unwrap_or_default();
    anyhow::ensure!(
        rec == "batch",
        "daily freshness for a windowed aggregation should be batch, got {rec:?}"
    );
    let rows = c.find_all(Locator::Css("#evidence tbody tr")).await?;
    anyhow::ensure!(rows.len() >= 3, "evidence has {} rows", rows.len());
    let url = c.current_url().await?;
    anyhow::ensure!(
        url.path() == "/",
        "the client should answer in place, but navigated to {url}"
    );
    let text = c.find(Locator::Id("recommendation")).await?.text().await?;
    for needle in ["Why", "p99 latency", "Monthly cost"] {
        anyhow::ensure!(text.contains(needle), "recommendation lacks {needle:?}");
    }
    screenshot(c, out, "recommendation.png").await?;

    // A workload page with tables and charts.
    c.goto(&format!("{base}/workloads/fraud-alerts")).await?;
    c.find(Locator::Css("#latency-table tbody tr"))
        .await
        .context("workload table")?;
    c.find(Locator::Css(".chart svg"))
        .await
        .context("workload chart")?;
    screenshot(c, out, "workload.png").await?;
    upload_flow(c, base, out).await?;
    eprintln!("e2e: screenshots in {}", out.display());
    Ok(())
}

/// A spec small enough to measure in a second or two.
const SMALL_SPEC: &str = r#"name = "e2e-fraud"
realtime = false

[workload]
reference = "fraud-alerts"

[load]
events_per_second = 20
duration = "10m"
keys = 100

[[candidates.batch]]
every = "5m"

[[candidates.stream]]
emit = "final"
watermark_delay = "5s"
allowed_lateness = "1m"
"#;

/// Upload → errors in place → valid upload → job page with its progress
/// bar → report → the list, then delete.
async fn upload_flow(c: &Client, base: &str, out: &Path) -> anyhow::Result<()> {
    c.goto(&format!("{base}/specs/new")).await?;
    wait_hydrated(c)
        .await
        .context("the upload page never hydrated")?;
    let editor = c.find(Locator::Id("spec-text")).await?;
    let example = editor.prop("value").await?.unwrap_or_default();
    anyhow::ensure!(
        example.contains("[[candidates.batch]]"),
        "the editor does not start with the example spec: {example:?}"
    );

    // A mistake is shown in place, naming the field.
    set_text(
        c,
        "spec-text",
        &SMALL_SPEC.replace("keys = 100", "keys = 100\ncolour = 1"),
    )
    .await?;
    c.find(Locator::Id("upload-submit")).await?.click().await?;
    let errors = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("field-errors"))
        .await
        .context("no errors shown for a bad spec")?;
    let text = errors.text().await?;
    anyhow::ensure!(
        text.contains("load.colour"),
        "errors lack the field: {text}"
    );

    // A good spec opens its job page, whose bar follows the run to the end.
    set_text(c, "spec-text", SMALL_SPEC).await?;
    c.find(Locator::Id("upload-submit")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#job [role=progressbar]"))
        .await
        .context("no job page with a progress bar after uploading")?;
    let url = c.current_url().await?;
    anyhow::ensure!(
        url.path().starts_with("/jobs/j-"),
        "not on a job page: {url}"
    );
    c.wait()
        .at_most(Duration::from_secs(300))
        .for_element(Locator::Css("#job[data-state='done'] #view-report"))
        .await
        .context("the job page never showed the finished job")?;
    let pct = c
        .find(Locator::Css("#job [role=progressbar]"))
        .await?
        .attr("aria-valuenow")
        .await?;
    anyhow::ensure!(pct.as_deref() == Some("100"), "finished at {pct:?}%");
    screenshot(c, out, "job.png").await?;

    // The report, with the same tables as a workload page.
    c.find(Locator::Id("view-report")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#spec-report #latency-table tbody tr"))
        .await
        .context("the spec's report has no latency table")?;
    let rows = c.find_all(Locator::Css("#latency-table tbody tr")).await?;
    anyhow::ensure!(rows.len() == 2, "two candidates, {} rows", rows.len());
    screenshot(c, out, "spec-report.png").await?;

    // Listed, then deleted from the list.
    c.goto(&format!("{base}/specs")).await?;
    wait_hydrated(c).await?;
    let row = c.find(Locator::Css("#spec-list tbody tr")).await?;
    anyhow::ensure!(row.text().await?.contains("e2e-fraud"), "spec not listed");
    row.find(Locator::Css("button")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("no-specs"))
        .await
        .context("the deleted spec is still listed")?;
    Ok(())
}
