//! Fuzzing `spec::parse`: arbitrary text and bytes, and valid specs with
//! random edits, in both syntaxes, never panic; every error carries a
//! non-empty message; whatever parses is valid and yields a scenario whose
//! generator settings validate.

use bench_harness::spec::{self, REFERENCE_SPECS, SpecFormat, parse, parse_bytes};
use proptest::prelude::*;

const CUSTOM_TOML: &str = include_str!("../../workloads/specs/custom-large-amounts.toml");
const CUSTOM_JSON: &str = include_str!("../../workloads/specs/custom-sessions.json");

fn check(result: Result<spec::Spec, Vec<workloads::validation::FieldError>>) {
    match result {
        Ok(s) => {
            assert!(s.validate().is_ok());
            let scenario = s.to_scenario();
            assert_eq!(scenario.plans.len(), s.candidates.count());
            assert!(scenario.generator.validate().is_ok());
        }
        Err(errs) => {
            assert!(!errs.is_empty(), "an Err with no errors");
            for e in errs {
                assert!(
                    !e.message.trim().is_empty(),
                    "empty message at {:?}",
                    e.path
                );
            }
        }
    }
}

fn format() -> impl Strategy<Value = SpecFormat> {
    prop_oneof![Just(SpecFormat::Toml), Just(SpecFormat::Json)]
}

/// A valid spec in its own syntax.
fn seed() -> impl Strategy<Value = (String, SpecFormat)> {
    let mut all: Vec<(String, SpecFormat)> = REFERENCE_SPECS
        .iter()
        .map(|(_, t)| (t.to_string(), SpecFormat::Toml))
        .collect();
    all.push((CUSTOM_TOML.to_string(), SpecFormat::Toml));
    all.push((CUSTOM_JSON.to_string(), SpecFormat::Json));
    proptest::sample::select(all)
}

/// One edit: delete a range, insert text, or replace a character, at
/// positions given as fractions of the length (kept on char boundaries).
#[derive(Debug, Clone)]
enum Edit {
    Delete(f64, usize),
    Insert(f64, String),
    Replace(f64, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let tokens = prop_oneof![
        "[a-z_.\\[\\]=\"{}:,0-9 -]{0,12}",
        Just("-1".to_string()),
        Just("1e400".to_string()),
        Just("nan".to_string()),
        Just("\"99999999999999d\"".to_string()),
        Just("\n[load]\n".to_string()),
        Just("\n[[candidates.stream]]\nemit = \"final\"\n".to_string()),
        Just("[[[[[[[[".to_string()),
        ".{0,8}",
    ];
    prop_oneof![
        (0.0..1.0f64, 0usize..40).prop_map(|(p, n)| Edit::Delete(p, n)),
        (0.0..1.0f64, tokens).prop_map(|(p, s)| Edit::Insert(p, s)),
        (0.0..1.0f64, any::<char>()).prop_map(|(p, c)| Edit::Replace(p, c)),
    ]
}

fn at(text: &str, frac: f64) -> usize {
    let mut i = ((text.len() as f64) * frac) as usize;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut text: String, edits: &[Edit]) -> String {
    for e in edits {
        match e {
            Edit::Delete(p, n) => {
                let i = at(&text, *p);
                let j = at(&text, ((i + n) as f64 / text.len().max(1) as f64).min(1.0)).max(i);
                text.replace_range(i..j, "");
            }
            Edit::Insert(p, s) => {
                let i = at(&text, *p);
                text.insert_str(i, s);
            }
            Edit::Replace(p, c) => {
                let i = at(&text, *p);
                if let Some(old) = text[i..].chars().next() {
                    text.replace_range(i..i + old.len_utf8(), &c.to_string());
                }
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}", f in format()) {
        check(parse(&text, f));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), f in format()) {
        check(parse_bytes(&bytes, f));
    }

    #[test]
    fn edited_valid_specs_never_panic((text, f) in seed(), edits in proptest::collection::vec(edit(), 1..4)) {
        check(parse(&apply(text, &edits), f));
    }
}

#[test]
fn the_seeds_themselves_parse() {
    for (t, f) in [
        (CUSTOM_TOML, SpecFormat::Toml),
        (CUSTOM_JSON, SpecFormat::Json),
    ] {
        assert!(parse(t, f).is_ok());
    }
}
