//! Reading a spec from text: size and emptiness checks before any parser
//! runs, then TOML or JSON into [`Spec`], then [`Spec::validate`]. Syntax
//! and type errors become [`FieldError`]s too, with the field path where
//! serde knows it and the line and column where the parser does, so every
//! failure reads the same way in the CLI, the server and CI.

use std::fmt;
use std::path::Path;

use workloads::validation::FieldError;

use super::MAX_SPEC_BYTES;
use super::schema::Spec;

/// The two syntaxes of a spec (one schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecFormat {
    /// For people: comments, no quotes around keys.
    Toml,
    /// For the browser and scripts.
    Json,
}

impl SpecFormat {
    /// By file extension (`.toml`, `.json`, any case); `None` otherwise.
    pub fn from_path(path: &Path) -> Option<SpecFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(SpecFormat::Toml),
            "json" => Some(SpecFormat::Json),
            _ => None,
        }
    }

    /// By HTTP content type (`application/json`, `application/toml`,
    /// `text/x-toml`, … parameters such as `; charset=utf-8` ignored).
    pub fn from_content_type(ct: &str) -> Option<SpecFormat> {
        let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/json" | "text/json" => Some(SpecFormat::Json),
            "application/toml" | "text/toml" | "text/x-toml" | "application/x-toml" => {
                Some(SpecFormat::Toml)
            }
            _ => None,
        }
    }

    /// By content: a JSON spec is an object, so it starts with `{`; anything
    /// else is read as TOML (whose errors then explain what is wrong).
    pub fn sniff(text: &str) -> SpecFormat {
        if text.trim_start().starts_with('{') {
            SpecFormat::Json
        } else {
            SpecFormat::Toml
        }
    }

    /// The lowercase name (`toml`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            SpecFormat::Toml => "toml",
            SpecFormat::Json => "json",
        }
    }
}

impl fmt::Display for SpecFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn whole(message: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError {
        path: String::new(),
        message: message.into(),
    }]
}

/// Checks the input size; shared by [`parse`] and [`parse_bytes`].
fn check_size(len: usize) -> Result<(), Vec<FieldError>> {
    if len > MAX_SPEC_BYTES {
        return Err(whole(format!(
            "the spec is {len} bytes, more than the {MAX_SPEC_BYTES} a spec may have"
        )));
    }
    Ok(())
}

/// Parses and validates a spec. `Err` holds every broken rule; a syntax or
/// type error stops parsing, so it comes alone.
pub fn parse(text: &str, format: SpecFormat) -> Result<Spec, Vec<FieldError>> {
    check_size(text.len())?;
    if text.trim().is_empty() {
        return Err(whole(
            "the spec is empty (see docs/specs.md for the fields)",
        ));
    }
    let spec = match format {
        SpecFormat::Toml => from_toml(text)?,
        SpecFormat::Json => from_json(text)?,
    };
    spec.validate()?;
    Ok(spec)
}

/// [`parse`] for raw bytes (an upload, a file): the size is checked before
/// anything else, then the bytes must be UTF-8.
pub fn parse_bytes(bytes: &[u8], format: SpecFormat) -> Result<Spec, Vec<FieldError>> {
    check_size(bytes.len())?;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        whole(format!(
            "the spec is not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    parse(text, format)
}

/// A serde path as a spec field path; the root (`.`) becomes empty.
fn field_path(p: &serde_path_to_error::Path) -> String {
    let s = p.to_string();
    if s == "." { String::new() } else { s }
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn toml_error(text: &str, path: String, e: &toml::de::Error) -> FieldError {
    let msg = e.message().trim_end();
    let message = match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{msg} (line {line}, column {col})")
        }
        None => msg.to_string(),
    };
    FieldError {
        path,
        message: format!("TOML: {message}"),
    }
}

fn from_toml(text: &str) -> Result<Spec, Vec<FieldError>> {
    let de =
        toml::Deserializer::parse(text).map_err(|e| vec![toml_error(text, String::new(), &e)])?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = field_path(e.path());
        vec![toml_error(text, path, e.inner())]
    })
}

fn from_json(text: &str) -> Result<Spec, Vec<FieldError>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let json_error = |path: String, e: &serde_json::Error| FieldError {
        path,
        message: format!("JSON: {e}"),
    };
    let spec: Spec = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| vec![json_error(field_path(e.path()), e.inner())])?;
    de.end().map_err(|e| vec![json_error(String::new(), &e)])?;
    Ok(spec)
}
