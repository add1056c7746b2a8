//! Setup shared by the browser tests (`mod support;` in each): finding
//! chromedriver, Chromium and the built server, starting weir-server on a
//! free 127.0.0.1 port with a fresh data dir, and a headless Chromium
//! session through chromedriver. Every process is killed when its guard
//! drops, so also when a test fails or panics.

// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::Value;
use tempfile::TempDir;

/// A child process killed when dropped.
pub struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        Some(d) => workspace_root().join(d),
        None => workspace_root().join("target"),
    }
}

/// The first of `names` found on `PATH` (earlier names win).
pub fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

fn chromedriver() -> Option<PathBuf> {
    find_on_path(&["chromedriver"])
}

fn chromium() -> anyhow::Result<PathBuf> {
    find_on_path(&["chromium", "chromium-browser", "google-chrome"])
        .context("chromium not found on PATH")
}

/// Whether the test should skip: true (after saying so) when chromedriver
/// is missing and `CI` is unset; an error when it is missing in CI or when
/// Chromium is missing.
pub fn skip_without_browser() -> anyhow::Result<bool> {
    if chromedriver().is_none() {
        if std::env::var_os("CI").is_some() {
            bail!(
                "chromedriver is missing and CI is set: install it (apt-get install -y chromium chromium-driver)"
            );
        }
        eprintln!(
            "SKIPPED: chromedriver not found on PATH (apt-get install -y chromium chromium-driver); set CI to make this an error"
        );
        return Ok(true);
    }
    chromium()?;
    Ok(false)
}

/// The server binary (`WEIR_SERVER_BIN`, else `<target>/debug/weir-server`).
pub fn server_bin() -> PathBuf {
    std::env::var_os("WEIR_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/weir-server"))
}

/// The site root the wasm client is built into (`<target>/site`).
pub fn site_root() -> PathBuf {
    target_dir().join("site")
}

/// Builds the server binary and the wasm client unless already built.
pub fn build_missing() -> anyhow::Result<()> {
    let server = server_bin();
    let site = site_root();
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
    Ok(())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("{what} did not listen on 127.0.0.1:{port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// weir-server and a headless Chromium session driving it. Fields drop in
/// order: the client, then chromedriver, the server, the profile and the
/// data dir.
pub struct Session {
    pub client: Client,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's port.
    pub port: u16,
    /// Where screenshots go (`<CARGO_TARGET_TMPDIR>/e2e`).
    pub out: PathBuf,
    _driver: Proc,
    _server: Proc,
    _profile: TempDir,
    /// The server's data dir, fresh for this session (tests put files to
    /// upload here too).
    pub data: TempDir,
}

impl Session {
    /// Starts the server with `extra_server_args`, chromedriver and a
    /// session with a fresh profile.
    pub async fn start(extra_server_args: &[&str]) -> anyhow::Result<Session> {
        Self::start_with_env(extra_server_args, &[]).await
    }

    /// [`Session::start`], with `env` set for the server.
    pub async fn start_with_env(
        extra_server_args: &[&str],
        env: &[(&str, &str)],
    ) -> anyhow::Result<Session> {
        let driver_bin = chromedriver().context("chromedriver not found on PATH")?;
        let chromium = chromium()?;
        let server_bin = server_bin();
        let site = site_root();
        anyhow::ensure!(
            server_bin.is_file() && site.join("pkg/weir.wasm").is_file(),
            "build the server and the wasm client first (bash scripts/e2e.sh)"
        );

        let data = tempfile::tempdir()?;
        let port = free_port();
        let server = Proc(
            Command::new(&server_bin)
                .args(["--port", &port.to_string(), "--data-dir"])
                .arg(data.path())
                .arg("--site-root")
                .arg(&site)
                .args(extra_server_args)
                .envs(env.iter().copied())
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .spawn()
                .with_context(|| format!("starting {}", server_bin.display()))?,
        );
        wait_for_port(port, "weir-server")?;
        let base = format!("http://127.0.0.1:{port}");

        let driver_port = free_port();
        let driver = Proc(
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
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e");
        std::fs::create_dir_all(&out)?;
        Ok(Session {
            client,
            base,
            port,
            out,
            _driver: driver,
            _server: server,
            _profile: profile,
            data,
        })
    }

    /// Ends the browser session and passes `result` on; on failure first
    /// saves a screenshot as `failure_png` in [`Session::out`], if named.
    pub async fn finish(
        self,
        result: anyhow::Result<()>,
        failure_png: Option<&str>,
    ) -> anyhow::Result<()> {
        if let (Err(_), Some(name)) = (&result, failure_png) {
            let _ = self
                .client
                .screenshot()
                .await
                .map(|png| std::fs::write(self.out.join(name), png));
        }
        let _ = self.client.close().await;
        result
    }
}

/// Waits (up to 30 s) until the current page has hydrated.
pub async fn wait_hydrated(c: &Client) -> Result<Element, CmdError> {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-hydrated='true']"))
        .await
}

/// Saves a screenshot of the current page as `out/name`.
pub async fn screenshot(c: &Client, out: &Path, name: &str) -> anyhow::Result<()> {
    std::fs::write(out.join(name), c.screenshot().await?)?;
    Ok(())
}

/// Replaces the text of the textarea `id` the way typing would (an
/// `input` event).
pub async fn set_text(c: &Client, id: &str, text: &str) -> anyhow::Result<()> {
    c.execute(
        "const t = document.getElementById(arguments[0]); t.value = arguments[1]; \
         t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![
            Value::String(id.to_string()),
            Value::String(text.to_string()),
        ],
    )
    .await?;
    Ok(())
}

/// `GET path` from the page (same origin), its body as JSON.
pub async fn fetch_json(c: &Client, path: &str) -> anyhow::Result<Value> {
    Ok(c.execute_async(
        "fetch(arguments[0]).then(r => r.json()).then(arguments[1]);",
        vec![Value::String(path.to_string())],
    )
    .await?)
}
