//! Too-large uploads in a real browser (headless Chromium through
//! chromedriver, about 3 s once built): the upload page refuses a large
//! text or file before sending, with the limit named in place; a 10 MiB
//! `fetch` and a plain (no-JS) form post of a too-large spec both read the
//! server's 413, not a network error.
//!
//! Needs the built server and wasm client, like `browser.rs`
//! (`bash scripts/e2e.sh` builds both). Skips only when chromedriver is
//! missing and `CI` is unset.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use fantoccini::{Client, Locator};
use serde_json::Value;
use support::{Session, fetch_json, screenshot, set_text, wait_hydrated};

#[tokio::test(flavor = "multi_thread")]
async fn too_large_uploads_are_refused_readably_in_chromium() -> anyhow::Result<()> {
    if support::skip_without_browser()? {
        return Ok(());
    }
    let s = Session::start(&["--no-reference-runs", "--scale-out", "off"]).await?;
    let result = drive(&s.client, &s.base, s.data.path(), &s.out).await;
    s.finish(result, None).await
}

/// Screenshots go to `out` (`upload-too-large.png`, `form-413.png`).
async fn drive(c: &Client, base: &str, tmp: &Path, out: &Path) -> anyhow::Result<()> {
    c.goto(&format!("{base}/specs/new")).await?;
    wait_hydrated(c).await.context("the page never hydrated")?;
    let form = c.find(Locator::Id("upload-form")).await?;
    anyhow::ensure!(
        form.attr("data-max-bytes").await?.as_deref() == Some("65536"),
        "the form does not carry the limit"
    );

    // Too much text: refused in place before sending (the job list stays empty).
    set_text(c, "spec-text", &"x".repeat(70000)).await?;
    c.find(Locator::Id("upload-submit")).await?.click().await?;
    let msg = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("upload-size-error"))
        .await
        .context("no size message for a too-large text")?
        .text()
        .await?;
    anyhow::ensure!(msg.contains("64 KiB"), "the message names no limit: {msg}");
    let jobs = fetch_json(c, "/api/jobs").await?;
    anyhow::ensure!(
        jobs.as_array().is_some_and(Vec::is_empty),
        "sent anyway: {jobs}"
    );

    // Too large a file: refused before it is read.
    let big = tmp.join("huge-spec.toml");
    std::fs::write(&big, vec![b'#'; 200 * 1024])?;
    c.find(Locator::Id("spec-file"))
        .await?
        .send_keys(&big.display().to_string())
        .await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = match c.find(Locator::Id("upload-size-error")).await {
            Ok(e) => e.text().await?,
            Err(_) => String::new(),
        };
        if text.contains("huge-spec.toml") && text.contains("64 KiB") {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no size message for a too-large file: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    screenshot(c, out, "upload-too-large.png").await?;

    // The browser itself reads the server's 413 for a 10 MiB body.
    let answer: Value = c
        .execute_async(
            "const done = arguments[0]; \
             fetch('/api/specs', { method: 'POST', headers: { 'Content-Type': 'application/toml' }, \
                                   body: '#'.repeat(10 * 1024 * 1024) }) \
               .then(async r => done({ status: r.status, body: await r.text() })) \
               .catch(e => done({ status: 0, body: String(e) }));",
            vec![],
        )
        .await?;
    anyhow::ensure!(answer["status"] == 413, "fetch got {answer}");
    anyhow::ensure!(
        answer["body"].as_str().unwrap_or("").contains("64 KiB"),
        "fetch got {answer}"
    );

    // A plain form post (as without JavaScript) of a 300 KB spec: the 413 page.
    c.execute(
        "const f = document.createElement('form'); f.method = 'post'; f.action = '/fn/upload-spec'; \
         for (const [k, v] of [['format', 'toml'], ['text', '='.repeat(300000)]]) { \
           const i = document.createElement('textarea'); i.name = k; i.value = v; f.appendChild(i); } \
         document.body.appendChild(f); f.submit();",
        vec![],
    )
    .await?;
    let page = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#field-errors"))
        .await
        .context("no 413 page after a plain form post")?
        .text()
        .await?;
    anyhow::ensure!(page.contains("64 KiB"), "the 413 page: {page}");
    c.find(Locator::Css("a[href='/specs/new']"))
        .await
        .context("the 413 page has no way back")?;
    screenshot(c, out, "form-413.png").await?;
    Ok(())
}
