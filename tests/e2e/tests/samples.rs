//! A sample of your own events in a real browser (headless Chromium
//! through chromedriver): on `/specs/new`, a file over the server's bound
//! is refused in place before it is sent; a small Parquet file picked in
//! the file input is uploaded, its inferred schema shown; the time column
//! is picked, bad SQL is refused in place with its line and column, and a
//! run opens the job page, which leads to the report with its query.
//!
//! Needs the built server and wasm client, like `browser.rs`
//! (`bash scripts/e2e.sh` builds both). Skips only when chromedriver is
//! missing and `CI` is unset.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, Locator};
use support::{Session, fetch_json, screenshot, set_text, wait_hydrated};

/// A minimal Parquet file, written by hand so this crate needs no Arrow:
/// one row group, one uncompressed PLAIN data page per column, every
/// column REQUIRED (so pages carry no levels), metadata in Thrift's
/// compact protocol.
mod parquet {
    /// A column's values.
    pub enum Values {
        Int64(Vec<i64>),
        Double(Vec<f64>),
        Utf8(Vec<String>),
    }

    /// Thrift compact-protocol writer (just what the footer needs).
    #[derive(Default)]
    struct W {
        out: Vec<u8>,
        last: Vec<i16>,
    }

    const I32: u8 = 5;
    const I64: u8 = 6;
    const BINARY: u8 = 8;
    const LIST: u8 = 9;
    const STRUCT: u8 = 12;

    impl W {
        fn varint(&mut self, mut v: u64) {
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    self.out.push(b);
                    return;
                }
                self.out.push(b | 0x80);
            }
        }
        fn zigzag(&mut self, v: i64) {
            self.varint(((v << 1) ^ (v >> 63)) as u64);
        }
        fn field(&mut self, id: i16, ty: u8) {
            let last = self.last.last().copied().unwrap_or(0);
            let delta = id - last;
            if (1..=15).contains(&delta) {
                self.out.push(((delta as u8) << 4) | ty);
            } else {
                self.out.push(ty);
                self.zigzag(i64::from(id));
            }
            if let Some(l) = self.last.last_mut() {
                *l = id;
            }
        }
        fn begin(&mut self) {
            self.last.push(0);
        }
        fn end(&mut self) {
            self.out.push(0);
            self.last.pop();
        }
        fn i32(&mut self, id: i16, v: i32) {
            self.field(id, I32);
            self.zigzag(i64::from(v));
        }
        fn i64(&mut self, id: i16, v: i64) {
            self.field(id, I64);
            self.zigzag(v);
        }
        fn bytes(&mut self, b: &[u8]) {
            self.varint(b.len() as u64);
            self.out.extend_from_slice(b);
        }
        fn string(&mut self, id: i16, s: &str) {
            self.field(id, BINARY);
            self.bytes(s.as_bytes());
        }
        fn list(&mut self, id: i16, elem: u8, n: usize) {
            self.field(id, LIST);
            if n < 15 {
                self.out.push(((n as u8) << 4) | elem);
            } else {
                self.out.push(0xf0 | elem);
                self.varint(n as u64);
            }
        }
        fn struct_field(&mut self, id: i16) {
            self.field(id, STRUCT);
            self.begin();
        }
    }

    /// The file's bytes for `columns` (all of the same length).
    pub fn write(columns: &[(&str, Values)]) -> Vec<u8> {
        let rows = match &columns[0].1 {
            Values::Int64(v) => v.len(),
            Values::Double(v) => v.len(),
            Values::Utf8(v) => v.len(),
        };
        let mut file = b"PAR1".to_vec();
        // (physical type, offset, chunk bytes)
        let mut chunks = Vec::new();
        for (_, values) in columns {
            let (ty, data): (i32, Vec<u8>) = match values {
                Values::Int64(v) => (2, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
                Values::Double(v) => (5, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
                Values::Utf8(v) => (
                    6,
                    v.iter()
                        .flat_map(|s| {
                            let mut b = (s.len() as u32).to_le_bytes().to_vec();
                            b.extend_from_slice(s.as_bytes());
                            b
                        })
                        .collect::<Vec<u8>>(),
                ),
            };
            let mut h = W::default();
            h.begin();
            h.i32(1, 0); // DATA_PAGE
            h.i32(2, data.len() as i32);
            h.i32(3, data.len() as i32);
            h.struct_field(5);
            h.i32(1, rows as i32);
            h.i32(2, 0); // PLAIN
            h.i32(3, 3); // RLE
            h.i32(4, 3); // RLE
            h.end();
            h.end();
            let offset = file.len();
            file.extend_from_slice(&h.out);
            file.extend_from_slice(&data);
            chunks.push((ty, offset, h.out.len() + data.len()));
        }
        let mut m = W::default();
        m.begin();
        m.i32(1, 1);
        m.list(2, STRUCT, columns.len() + 1);
        m.begin();
        m.string(4, "schema");
        m.i32(5, columns.len() as i32);
        m.end();
        for ((name, values), (ty, _, _)) in columns.iter().zip(&chunks) {
            m.begin();
            m.i32(1, *ty);
            m.i32(3, 0); // REQUIRED
            m.string(4, name);
            if matches!(values, Values::Utf8(_)) {
                m.i32(6, 0); // UTF8
            }
            m.end();
        }
        m.i64(3, rows as i64);
        m.list(4, STRUCT, 1);
        m.begin();
        m.list(1, STRUCT, columns.len());
        let total: usize = chunks.iter().map(|c| c.2).sum();
        for ((name, _), (ty, offset, len)) in columns.iter().zip(&chunks) {
            m.begin();
            m.i64(2, *offset as i64);
            m.struct_field(3);
            m.i32(1, *ty);
            m.list(2, I32, 2);
            m.zigzag(0);
            m.zigzag(3);
            m.list(3, BINARY, 1);
            m.bytes(name.as_bytes());
            m.i32(4, 0); // UNCOMPRESSED
            m.i64(5, rows as i64);
            m.i64(6, *len as i64);
            m.i64(7, *len as i64);
            m.i64(9, *offset as i64);
            m.end();
            m.end();
        }
        m.i64(2, total as i64);
        m.i64(3, rows as i64);
        m.end();
        m.string(6, "weir e2e");
        m.end();
        file.extend_from_slice(&m.out);
        file.extend_from_slice(&(m.out.len() as u32).to_le_bytes());
        file.extend_from_slice(b"PAR1");
        file
    }
}

/// 300 card payments, one every 2 s of event time, a few late.
fn payments_parquet() -> Vec<u8> {
    use parquet::Values;
    let start = 1_767_225_600_000i64;
    let ts = (0..300i64)
        .map(|i| start + i * 2_000 - if i % 37 == 0 { 30_000 } else { 0 })
        .collect();
    let cards = (0..300).map(|i| format!("c{}", i % 12)).collect();
    let amounts = (0..300).map(|i| f64::from(i % 40) + 0.25).collect();
    parquet::write(&[
        ("ts", Values::Int64(ts)),
        ("card", Values::Utf8(cards)),
        ("amount", Values::Double(amounts)),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parquet_sample_is_uploaded_mapped_and_run_in_chromium() -> anyhow::Result<()> {
    if support::skip_without_browser()? {
        return Ok(());
    }
    let s = Session::start(&[
        "--no-reference-runs",
        "--scale-out",
        "off",
        "--broker",
        "off",
        "--max-sample-bytes",
        "1048576",
    ])
    .await?;
    let result = drive(&s.client, &s.base, s.data.path(), &s.out).await;
    s.finish(result, Some("sample-failure.png")).await
}

/// Waits until the element `id` has text containing every needle.
async fn text_of(c: &Client, id: &str, needles: &[&str], secs: u64) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let text = match c.find(Locator::Id(id)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if needles.iter().all(|n| text.contains(n)) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            bail!("#{id} never showed {needles:?}: {text:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Screenshots go to `out` (`sample-schema.png`, `sample-report.png`).
async fn drive(c: &Client, base: &str, tmp: &Path, out: &Path) -> anyhow::Result<()> {
    c.goto(&format!("{base}/specs/new")).await?;
    wait_hydrated(c).await.context("the page never hydrated")?;
    let form = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("sample-form"))
        .await
        .context("no sample form")?;
    anyhow::ensure!(
        form.attr("data-max-bytes").await?.as_deref() == Some("1048576"),
        "the form does not carry the server's bound"
    );

    // Too large: refused in place, nothing sent.
    let big = tmp.join("big-events.csv");
    std::fs::write(&big, vec![b'1'; 2 * 1024 * 1024])?;
    c.find(Locator::Id("sample-file"))
        .await?
        .send_keys(&big.display().to_string())
        .await?;
    text_of(
        c,
        "sample-error",
        &["big-events.csv", "1 MiB", "Nothing was sent"],
        10,
    )
    .await?;
    let specs = fetch_json(c, "/api/specs").await?;
    anyhow::ensure!(
        specs.as_array().is_some_and(Vec::is_empty),
        "sent anyway: {specs}"
    );

    // A small Parquet file: its schema is shown.
    let file = tmp.join("payments.parquet");
    std::fs::write(&file, payments_parquet())?;
    c.find(Locator::Id("sample-file"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    let schema = text_of(c, "sample-schema", &["ts", "card", "amount"], 60).await?;
    anyhow::ensure!(schema.contains("Int64"), "the schema: {schema}");
    screenshot(c, out, "sample-schema.png").await?;

    // Pick the time column and the key.
    c.find(Locator::Id("sample-event-time"))
        .await?
        .select_by_value("ts")
        .await?;
    c.find(Locator::Id("sample-key"))
        .await?
        .select_by_value("card")
        .await?;
    let sql = c
        .find(Locator::Id("sample-sql"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    anyhow::ensure!(sql.contains("GROUP BY card"), "the example SQL: {sql}");

    // SQL naming a column the file lacks: refused in place with its place.
    set_text(
        c,
        "sample-sql",
        "SELECT card, SUM(price) AS s FROM events GROUP BY card, TUMBLE(event_time, INTERVAL '5' MINUTE)",
    )
    .await?;
    c.find(Locator::Id("sample-run")).await?.click().await?;
    text_of(c, "sample-run-error", &["line 1, column", "price"], 60).await?;

    // The real query: the job page, then the report with the query.
    let good = "SELECT card, COUNT(*) AS payments, SUM(amount) AS spend FROM events \
                GROUP BY card, TUMBLE(event_time, INTERVAL '5' MINUTE)";
    set_text(c, "sample-sql", good).await?;
    c.find(Locator::Id("sample-run")).await?.click().await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !c.current_url().await?.path().starts_with("/jobs/") {
        if Instant::now() > deadline {
            let err = match c.find(Locator::Id("sample-run-error")).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            bail!("the run did not open its job page: {err}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let link = c
        .wait()
        .at_most(Duration::from_secs(300))
        .for_element(Locator::Id("view-report"))
        .await
        .context("the job never finished with a report")?;
    link.click().await?;
    let query = text_of(c, "query-sql", &["TUMBLE", "card"], 30).await?;
    anyhow::ensure!(query.trim() == good, "the report's query: {query}");
    screenshot(c, out, "sample-report.png").await?;

    // Run it again: the form comes back with the sample and its last query.
    c.find(Locator::Id("sample-rerun")).await?.click().await?;
    text_of(c, "sample-schema", &["ts", "card", "amount"], 30).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let sql = c
            .find(Locator::Id("sample-sql"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        if sql == good {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the last query is not prefilled: {sql:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}
