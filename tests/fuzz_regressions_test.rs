//! Replays what the fuzzer keeps (`fuzz/corpus/`, and `fuzz/regressions/` for inputs that once
//! found a bug) through every fuzz target on every test run, plus each dictionary token alone.
//! The fuzzer itself is `scripts/fuzz`; it is not run here.

use crate::fuzz_targets::TARGETS;
use std::path::Path;

#[test]
fn kept_fuzz_inputs_parse_without_panicking() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for target in TARGETS {
        for kind in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(target.name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let input = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| (target.run)(&input));
                assert!(
                    outcome.is_ok(),
                    "{} panics on {}",
                    target.name,
                    path.display()
                );
                replayed += 1;
            }
        }
        for token in target.dictionary {
            (target.run)(token.as_bytes());
        }
    }
    assert!(
        replayed >= TARGETS.len(),
        "only {replayed} kept inputs found"
    );
}

/// The probe-answer corpus must stay a valid answer of today's probe, or every mutation of it
/// stops at deserialisation and the rules are never fuzzed (regenerate it from a real probe run).
#[test]
fn the_probe_answer_corpus_reaches_the_rules() {
    let seed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/probe_answer/tutorial_ssl.json");
    let answer: release_guard::gate::snapshot::ProbeAnswer =
        serde_json::from_slice(&std::fs::read(&seed).unwrap()).unwrap();
    assert!(matches!(
        answer,
        release_guard::gate::snapshot::ProbeAnswer::Ok(_)
    ));
}
