//! Build helper, run as `cargo xtask <command>`:
//!
//! - `wasm [--release]`: builds the `app` crate for `wasm32-unknown-unknown`
//!   with `--no-default-features --features hydrate` (in its own target
//!   directory, `<target>/wasm`, so it never waits for or invalidates the
//!   native build), runs wasm-bindgen through its library (pinned to the
//!   lock's wasm-bindgen version, so nothing is downloaded), and writes
//!   `<target>/site/pkg/weir.{js,wasm,css}`.
//!
//! `<target>` is `$CARGO_TARGET_DIR`, or `target/` in the workspace.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The name Leptos asks for (`LEPTOS_OUTPUT_NAME` in `.cargo/config.toml`).
const OUTPUT_NAME: &str = "weir";

/// The workspace of the `cargo xtask` call. `cargo run` passes the
/// manifest directory at run time; the compile-time one is only a fallback,
/// since a binary in a target dir shared by several clones may have been
/// built from another (possibly deleted) checkout.
fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() { d } else { root.join(d) }
        }
        None => root.join("target"),
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("wasm") => {
            let release = args.iter().skip(1).any(|a| a == "--release");
            if let Some(bad) = args.iter().skip(1).find(|a| *a != "--release") {
                bail!("unknown option `{bad}` (usage: cargo xtask wasm [--release])");
            }
            wasm(release)
        }
        _ => {
            eprintln!("usage: cargo xtask wasm [--release]");
            bail!("expected a command")
        }
    }
}

/// Builds the hydrating client into `<target>/site/pkg`.
fn wasm(release: bool) -> anyhow::Result<()> {
    let root = workspace_root();
    let target = target_dir(&root);
    let wasm_target = target.join("wasm");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&root)
        .args([
            "build",
            "--locked",
            "--package",
            "app",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args([
            "--no-default-features",
            "--features",
            "hydrate",
            "--target-dir",
        ])
        .arg(&wasm_target)
        .env("LEPTOS_OUTPUT_NAME", OUTPUT_NAME);
    if release {
        cmd.arg("--release");
    }
    eprintln!(
        "xtask: building the wasm client ({})",
        if release { "release" } else { "debug" }
    );
    let status = cmd.status().with_context(|| format!("running {cargo}"))?;
    if !status.success() {
        bail!(
            "building the app for wasm32-unknown-unknown failed ({status}); \
             is the target installed? `rustup target add wasm32-unknown-unknown`"
        );
    }
    let profile = if release { "release" } else { "debug" };
    let input = wasm_target
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join("app.wasm");
    let site = target.join("site");
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).with_context(|| format!("creating {}", pkg.display()))?;

    eprintln!(
        "xtask: wasm-bindgen {} → {}",
        input.display(),
        pkg.display()
    );
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .out_name(OUTPUT_NAME)
        .web(true)
        .context("configuring wasm-bindgen")?
        .typescript(false)
        .generate(&pkg)
        .map_err(|e| anyhow::anyhow!("wasm-bindgen on {}: {e:#}", input.display()))?;
    // Leptos (with LEPTOS_OUTPUT_NAME set) asks for `<name>.wasm`.
    let bg = pkg.join(format!("{OUTPUT_NAME}_bg.wasm"));
    let wasm = pkg.join(format!("{OUTPUT_NAME}.wasm"));
    std::fs::rename(&bg, &wasm)
        .with_context(|| format!("renaming {} to {}", bg.display(), wasm.display()))?;

    let css_src = root.join("app/style/weir.css");
    let css = pkg.join(format!("{OUTPUT_NAME}.css"));
    std::fs::copy(&css_src, &css)
        .with_context(|| format!("copying {} to {}", css_src.display(), css.display()))?;
    let size = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "xtask: site ready in {} (wasm {} KB)",
        site.display(),
        size / 1024
    );
    Ok(())
}
