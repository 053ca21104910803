//! A mutation fuzzer for the parsers that read outside input (`targets.rs`), on the stable
//! toolchain (cargo-fuzz needs nightly). `scripts/fuzz` runs it; see docs/development.md "Fuzzing".
//!
//! Every input is a pure function of (seed, index): the kept corpus is mutated by a generator
//! seeded with both, so any finding reproduces from its index alone. The supervisor runs chunks
//! of indices in child processes: a panic is caught in the child and reported by index; a child
//! that dies (stack overflow, abort) is run again over the same chunk in record mode, which
//! names the index that killed it; an input that runs longer than `HANG_LIMIT` is a hang.
//! Findings are written to `fuzz/crashes/<target>/`; move them to `fuzz/regressions/<target>/`
//! once fixed, where `tests/fuzz_regressions_test.rs` replays them on every test run.

// A developer tool: panicking on its own I/O errors is the right report.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Counts, indices and milliseconds far below any width where these casts could lose anything.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap
)]
// The library's dependencies are not all named here (rust-lang/rust#95513).
#![allow(unused_crate_dependencies)]

mod mutate;
mod targets;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use targets::{TARGETS, Target};

/// One input running longer than this is reported as a hang.
const HANG_LIMIT: Duration = Duration::from_secs(10);
/// Inputs per child process.
const CHUNK: u64 = 200_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|index| args.get(index + 1))
            .cloned()
    };
    let seed: u64 = flag("--seed").map_or(1, |value| value.parse().expect("--seed N"));
    if args.first().map(String::as_str) == Some("child") {
        let target = target(&flag("--target").expect("--target NAME"));
        let from = flag("--from").expect("--from N").parse().expect("--from N");
        let count = flag("--count")
            .expect("--count N")
            .parse()
            .expect("--count N");
        let record = flag("--record").map(PathBuf::from);
        child(target, seed, from, count, record.as_deref());
        return;
    }
    let total: u64 =
        flag("--inputs").map_or(10_000_000, |value| value.parse().expect("--inputs N"));
    let chosen: Vec<&Target> = match flag("--target") {
        Some(name) => vec![target(&name)],
        None => TARGETS.iter().collect(),
    };
    supervise(&chosen, seed, total / chosen.len() as u64);
}

fn target(name: &str) -> &'static Target {
    TARGETS
        .iter()
        .find(|target| target.name == name)
        .unwrap_or_else(|| panic!("no fuzz target {name}"))
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The kept inputs of a target: its corpus and its regressions, in a stable order.
fn seeds(target: &Target) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = ["corpus", "regressions"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(fuzz_dir().join(kind).join(target.name)).ok())
        .flatten()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect();
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    seeds
}

/// Runs `count` inputs from `from`; prints one line `done <inputs> <slowest µs> <panicking
/// indices...>`. With `record`, writes each index to that file before running it.
fn child(target: &Target, seed: u64, from: u64, count: u64, record: Option<&Path>) {
    let seeds = seeds(target);
    std::panic::set_hook(Box::new(|_| {}));
    let current = std::sync::Arc::new(AtomicU64::new(u64::MAX));
    let started_ms = std::sync::Arc::new(AtomicU64::new(0));
    let epoch = Instant::now();
    {
        let (current, started_ms) = (current.clone(), started_ms.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let index = current.load(Ordering::SeqCst);
                let running_for =
                    epoch.elapsed().as_millis() as u64 - started_ms.load(Ordering::SeqCst);
                if index != u64::MAX && running_for > HANG_LIMIT.as_millis() as u64 {
                    println!("hang {index}");
                    std::process::exit(3);
                }
            }
        });
    }
    let mut panicking = Vec::new();
    let mut slowest = Duration::ZERO;
    for index in from..from + count {
        let input = mutate::input(&seeds, target.dictionary, seed, index);
        if let Some(path) = &record {
            std::fs::write(path, index.to_string()).unwrap();
        }
        started_ms.store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
        current.store(index, Ordering::SeqCst);
        let began = Instant::now();
        if std::panic::catch_unwind(|| (target.run)(&input)).is_err() {
            panicking.push(index);
        }
        slowest = slowest.max(began.elapsed());
    }
    current.store(u64::MAX, Ordering::SeqCst);
    let indices: Vec<String> = panicking.iter().map(u64::to_string).collect();
    println!("done {count} {} {}", slowest.as_micros(), indices.join(" "));
}

/// Runs `per_target` inputs of each target in child processes and prints the figures.
fn supervise(chosen: &[&Target], seed: u64, per_target: u64) {
    let me = std::env::current_exe().unwrap();
    println!("target          inputs   seconds    inputs/s  slowest(ms)  findings");
    let mut all_findings = 0;
    for target in chosen {
        let seeds = seeds(target);
        let began = Instant::now();
        let (mut done, mut slowest_us, mut findings) = (0_u64, 0_u128, Vec::new());
        let mut from = 0;
        while from < per_target {
            let count = CHUNK.min(per_target - from);
            let run = |record: Option<&Path>| {
                let mut command = Command::new(&me);
                command.args([
                    "child",
                    "--target",
                    target.name,
                    "--seed",
                    &seed.to_string(),
                ]);
                command.args(["--from", &from.to_string(), "--count", &count.to_string()]);
                if let Some(record) = record {
                    command.arg("--record").arg(record);
                }
                command.output().unwrap()
            };
            let output = run(None);
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            if let Some(line) = stdout.lines().find(|line| line.starts_with("done ")) {
                let mut words = line.split_whitespace().skip(1);
                done += words.next().unwrap().parse::<u64>().unwrap();
                slowest_us = slowest_us.max(words.next().unwrap().parse().unwrap());
                findings.extend(words.map(|index| ("panic", index.parse::<u64>().unwrap())));
            } else if let Some(index) = stdout.strip_prefix("hang ") {
                findings.push(("hang", index.trim().parse().unwrap()));
                done += count;
            } else {
                // Died without a word: run the chunk again, recording each index first.
                let record =
                    std::env::temp_dir().join(format!("release-guard-fuzz-{}", std::process::id()));
                let _ = run(Some(&record));
                let index = std::fs::read_to_string(&record).unwrap().parse().unwrap();
                let _ = std::fs::remove_file(&record);
                findings.push(("crash", index));
                done += count;
            }
            from += count;
        }
        for (kind, index) in &findings {
            let dir = fuzz_dir().join("crashes").join(target.name);
            std::fs::create_dir_all(&dir).unwrap();
            let input = mutate::input(&seeds, target.dictionary, seed, *index);
            std::fs::write(dir.join(format!("{kind}-seed{seed}-{index}")), input).unwrap();
        }
        all_findings += findings.len();
        let seconds = began.elapsed().as_secs_f64();
        println!(
            "{:<14} {:>8} {:>9.1} {:>11.0} {:>12.1} {:>9}",
            target.name,
            done,
            seconds,
            done as f64 / seconds,
            slowest_us as f64 / 1000.0,
            findings.len()
        );
        std::io::stdout().flush().unwrap();
    }
    if all_findings > 0 {
        println!(
            "findings written to {}",
            fuzz_dir().join("crashes").display()
        );
        std::process::exit(1);
    }
}
