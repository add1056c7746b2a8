//! The methodology page's text: the README's "The modes" and "Methodology"
//! sections (compiled in, so the page and the README never disagree), and
//! the newest report's own statement of what it measured and modeled.

use bench_harness::report::Report;

static README: &str = include_str!("../../README.md");

/// The paragraphs of a `## heading` or `### heading` section of the README,
/// markdown emphasis and code marks removed; bullet lists kept as `- ` lines.
fn readme_section(heading: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut level = 0;
    let mut para: Vec<String> = Vec::new();
    let mut in_code = false;
    let flush = |para: &mut Vec<String>, out: &mut Vec<String>| {
        if !para.is_empty() {
            out.push(para.join(if para.iter().all(|l| l.starts_with("- ")) {
                "\n"
            } else {
                " "
            }));
            para.clear();
        }
    };
    for line in README.lines() {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if hashes > 0 && line[hashes..].starts_with(' ') {
            let title = line[hashes..].trim();
            if inside && hashes <= level {
                break;
            }
            if !inside && title == heading {
                inside = true;
                level = hashes;
                continue;
            }
        }
        if !inside {
            continue;
        }
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let text = line.trim().replace("**", "").replace('`', "");
        if text.is_empty() {
            flush(&mut para, &mut out);
        } else if text.starts_with("- ") || para.last().is_none_or(|l| !l.starts_with("- ")) {
            para.push(text);
        } else if let Some(last) = para.last_mut() {
            // Continuation of a bullet.
            last.push(' ');
            last.push_str(&text);
        }
    }
    flush(&mut para, &mut out);
    out.retain(|p| !p.contains("PERFORMANCE_TABLE"));
    out
}

/// The page's sections: `(heading, paragraphs)`.
pub fn sections(latest: Option<&Report>) -> Vec<(String, Vec<String>)> {
    let mut out = vec![
        (
            "How Weir measures".to_string(),
            readme_section("Methodology"),
        ),
        (
            "The modes compared".to_string(),
            readme_section("The modes"),
        ),
    ];
    if let Some(r) = latest {
        let bullets = |items: &[String]| {
            items
                .iter()
                .map(|m| format!("- {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        out.push((
            "Measured on this machine".to_string(),
            vec![
                format!(
                    "Each report states what it measured. The newest, {} ({}), lists:",
                    r.scenario.name,
                    crate::views::utc(r.generated_at_unix)
                ),
                bullets(&r.methodology.measured),
            ],
        ));
        out.push((
            "Modeled, not measured".to_string(),
            vec![
                "These are assumptions, applied the same way to every mode:".to_string(),
                bullets(&r.methodology.modeled),
            ],
        ));
        if !r.methodology.notes.is_empty() {
            out.push(("Notes".to_string(), vec![bullets(&r.methodology.notes)]));
        }
    }
    out.retain(|(_, paras)| !paras.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_methodology_is_found() {
        let paras = readme_section("Methodology");
        assert!(
            paras.iter().any(|p| p.contains("Virtual clock")),
            "{paras:?}"
        );
        assert!(paras.iter().all(|p| !p.contains("**")));
    }
}
