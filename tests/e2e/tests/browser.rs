//! The advisor in a real browser: headless Chromium driven through
//! chromedriver. Loads `/`, waits for hydration, proves the client is live
//! with a reactive interaction, answers the questionnaire, submits, and
//! checks the recommendation and its evidence table; saves screenshots.
//!
//! Needs the built server and wasm client (`bash scripts/e2e.sh` builds
//! both; if they are missing this test builds them with cargo). Skips only
//! when chromedriver is missing and `CI` is unset; in CI it must run.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::Value;

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        Some(d) => workspace_root().join(d),
        None => workspace_root().join("target"),
    }
}

fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("{what} did not listen on 127.0.0.1:{port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

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

/// Builds the server binary and the wasm client unless already built.
fn ensure_built(target: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let server = std::env::var_os("WEIR_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("debug/weir-server"));
    let site = target.join("site");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if !server.is_file() {
        eprintln!(
            "e2e: building weir-server (not found at {})",
            server.display()
        );
        let ok = Command::new(&cargo)
            .current_dir(workspace_root())
            .args(["build", "--locked", "-p", "server"])
            .status()?;
        anyhow::ensure!(ok.success(), "building weir-server failed");
    }
    if !site.join("pkg/weir.wasm").is_file() {
        eprintln!(
            "e2e: building the wasm client (not found in {})",
            site.display()
        );
        let ok = Command::new(&cargo)
            .current_dir(workspace_root())
            .args(["xtask", "wasm"])
            .status()?;
        anyhow::ensure!(ok.success(), "cargo xtask wasm failed");
    }
    Ok((server, site))
}

#[tokio::test(flavor = "multi_thread")]
async fn questionnaire_in_headless_chromium() -> anyhow::Result<()> {
    let Some(driver_bin) = find_on_path(&["chromedriver"]) else {
        if std::env::var_os("CI").is_some() {
            bail!(
                "chromedriver is missing and CI is set: install it (apt-get install -y chromium chromium-driver)"
            );
        }
        eprintln!(
            "SKIPPED: chromedriver not found on PATH (apt-get install -y chromium chromium-driver); set CI to make this an error"
        );
        return Ok(());
    };
    let chromium = find_on_path(&["chromium", "chromium-browser", "google-chrome"])
        .context("chromium not found on PATH")?;
    let target = target_dir();
    let (server_bin, site) = ensure_built(&target)?;
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&out_dir)?;

    // The server, measuring quick scenarios into a fresh data dir.
    let data = tempfile::tempdir()?;
    let port = free_port();
    let _server = Proc(
        Command::new(&server_bin)
            .args(["--port", &port.to_string(), "--data-dir"])
            .arg(data.path())
            .arg("--site-root")
            .arg(&site)
            .env("WEIR_QUICK", "1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", server_bin.display()))?,
    );
    wait_for_port(port, "weir-server")?;
    let base = format!("http://127.0.0.1:{port}");

    // chromedriver and a session with a fresh profile.
    let driver_port = free_port();
    let _driver = Proc(
        Command::new(&driver_bin)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?,
    );
    wait_for_port(driver_port, "chromedriver")?;
    let profile = tempfile::tempdir()?;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,2400",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .context("connecting to chromedriver")?;
    let result = drive(&client, &base, port, &out_dir).await;
    let _ = client.close().await;
    result
}

async fn drive(c: &Client, base: &str, port: u16, out: &Path) -> anyhow::Result<()> {
    // While the reference runs are under way, pages show a progress bar.
    c.goto(&format!("{base}/")).await?;
    let s = status(port)?;
    if s["running"] == Value::Bool(true) {
        c.find(Locator::Css("#progress [role=progressbar]"))
            .await
            .context("progress bar while measuring")?;
        std::fs::write(out.join("progress.png"), c.screenshot().await?)?;
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
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-hydrated='true']"))
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
    std::fs::write(out.join("recommendation.png"), c.screenshot().await?)?;

    // A workload page with tables and charts.
    c.goto(&format!("{base}/workloads/fraud-alerts")).await?;
    c.find(Locator::Css("#latency-table tbody tr"))
        .await
        .context("workload table")?;
    c.find(Locator::Css(".chart svg"))
        .await
        .context("workload chart")?;
    std::fs::write(out.join("workload.png"), c.screenshot().await?)?;
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

/// Replaces the editor's text the way typing would (an `input` event).
async fn set_editor(c: &Client, text: &str) -> anyhow::Result<()> {
    c.execute(
        "const t = document.getElementById('spec-text'); t.value = arguments[0]; \
         t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![Value::String(text.to_string())],
    )
    .await?;
    Ok(())
}

/// Upload → errors in place → valid upload → job page with its progress
/// bar → report → the list, then delete.
async fn upload_flow(c: &Client, base: &str, out: &Path) -> anyhow::Result<()> {
    c.goto(&format!("{base}/specs/new")).await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-hydrated='true']"))
        .await
        .context("the upload page never hydrated")?;
    let editor = c.find(Locator::Id("spec-text")).await?;
    let example = editor.prop("value").await?.unwrap_or_default();
    anyhow::ensure!(
        example.contains("[[candidates.batch]]"),
        "the editor does not start with the example spec: {example:?}"
    );

    // A mistake is shown in place, naming the field.
    set_editor(
        c,
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
    set_editor(c, SMALL_SPEC).await?;
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
    std::fs::write(out.join("job.png"), c.screenshot().await?)?;

    // The report, with the same tables as a workload page.
    c.find(Locator::Id("view-report")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#spec-report #latency-table tbody tr"))
        .await
        .context("the spec's report has no latency table")?;
    let rows = c.find_all(Locator::Css("#latency-table tbody tr")).await?;
    anyhow::ensure!(rows.len() == 2, "two candidates, {} rows", rows.len());
    std::fs::write(out.join("spec-report.png"), c.screenshot().await?)?;

    // Listed, then deleted from the list.
    c.goto(&format!("{base}/specs")).await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-hydrated='true']"))
        .await?;
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
