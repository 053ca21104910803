//! Build-time cost of the buildpack: detect + build for a first build and for a cache-hit
//! rebuild (median of N runs), the preview's share, and the size of the packaged release
//! buildpack. Prints figures and ratios to the targets (cache hit < 100 ms without the preview's
//! Python, package <= 6 MiB); it is a measurement, not a test.
//!
//! Run it with `scripts/bench-build [RUNS]` (default 11 runs).

// Examples link every dependency of the package; rust-lang/rust#95513.
#![allow(unused_crate_dependencies)]

#[allow(dead_code)]
#[path = "../tests/support/cnb.rs"]
mod cnb;

use libcnb_package::CargoProfile;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const CACHE_HIT_TARGET: Duration = Duration::from_millis(100);
const PACKAGE_SIZE_TARGET_BYTES: u64 = 6 * 1024 * 1024;
const DEFAULT_RUNS: usize = 11;
const NO_PREVIEW: &str = "[com.release-guard]\npreview = false\n";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Runs detect then build, panicking on failure (a broken build has no meaningful timing).
fn detect_and_build(app: &cnb::Lifecycle) -> Duration {
    let started = Instant::now();
    let detect = app.detect();
    assert_eq!(detect.code, Some(0), "{}", detect.transcript());
    let build = app.build();
    assert_eq!(build.code, Some(0), "{}", build.transcript());
    started.elapsed()
}

/// How the preview is set up for a scenario.
#[derive(Clone, Copy)]
enum Preview {
    /// `preview = false` in project.toml: the buildpack's own floor.
    Disabled,
    /// Enabled, but no Python with Django on PATH: `release-guard check` gives up at once.
    NoDjango,
    /// Enabled with heroku/python's venv (Django 5.2) on PATH: the full gate runs.
    WithDjango,
}

struct Scenario<'a> {
    buildpack: &'a Path,
    fixture: PathBuf,
    venv: Option<PathBuf>,
}

impl Scenario<'_> {
    fn lifecycle(&self, preview: Preview) -> cnb::Lifecycle {
        let mut app = cnb::Lifecycle::new(self.buildpack, &self.fixture);
        match preview {
            Preview::Disabled => app.write_app_file("project.toml", NO_PREVIEW),
            Preview::NoDjango => {}
            Preview::WithDjango => {
                let venv = self
                    .venv
                    .as_ref()
                    .expect("checked before running this scenario");
                app.add_python_venv_layer(venv);
            }
        }
        app
    }

    /// Median detect + build of a fresh app (first build).
    fn first_build(&self, preview: Preview, runs: usize) -> Duration {
        median(
            (0..runs)
                .map(|_| detect_and_build(&self.lifecycle(preview)))
                .collect(),
        )
    }

    /// Median detect + rebuild of one app whose layer is cached (cache hit).
    fn cache_hit(&self, preview: Preview, runs: usize) -> Duration {
        let app = self.lifecycle(preview);
        detect_and_build(&app);
        median((0..runs).map(|_| detect_and_build(&app)).collect())
    }
}

// Package sizes are far below 2^52 bytes, where f64 would lose precision.
#[allow(clippy::cast_precision_loss)]
fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn directory_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => directory_size(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |meta| meta.len()),
            _ => 0,
        })
        .sum()
}

fn main() -> ExitCode {
    let runs = match std::env::args().nth(1).map(|arg| arg.parse::<usize>()) {
        None => DEFAULT_RUNS,
        Some(Ok(runs)) if runs > 0 => runs,
        Some(_) => {
            eprintln!(
                "usage: bench_build [RUNS]   (RUNS: a positive number, default {DEFAULT_RUNS})"
            );
            return ExitCode::from(2);
        }
    };

    println!(
        "Packaging the buildpack with the release profile ({}) ...",
        cnb::host_gnu_triple()
    );
    let packaged = cnb::scratch_dir()
        .join("bench")
        .join(cnb::BUILDPACK_DIR_NAME);
    cnb::package_buildpack(CargoProfile::Release, &packaged);
    let size = directory_size(&packaged);
    let build_binary = std::fs::metadata(packaged.join("bin/build")).map_or(0, |meta| meta.len());
    let tool_binary =
        std::fs::metadata(packaged.join(".libcnb-cargo/additional-bin/release-guard"))
            .map_or(0, |meta| meta.len());

    let venvs = std::env::var_os("RELEASE_GUARD_VENVS")
        .map_or_else(|| manifest_dir().join("target/venvs"), PathBuf::from);
    let venv = Some(venvs.join("django52")).filter(|venv| venv.join("bin/python").is_file());
    let scenario = Scenario {
        buildpack: &packaged,
        fixture: manifest_dir().join("fixtures/procfile_release"),
        venv,
    };

    println!(
        "\nDetect + build, median of {runs} runs (fixtures/procfile_release, release binaries):"
    );
    let row = |label: &str, duration: Duration| {
        println!(
            "  {label:<44} {:>8.1} ms  ({:.2}x the {} ms cache-hit target)",
            millis(duration),
            duration.as_secs_f64() / CACHE_HIT_TARGET.as_secs_f64(),
            CACHE_HIT_TARGET.as_millis()
        );
    };
    let first = scenario.first_build(Preview::NoDjango, runs);
    row("first build, no Django on PATH", first);
    let hit = scenario.cache_hit(Preview::NoDjango, runs);
    row("cache hit, no Django on PATH", hit);
    let floor = scenario.cache_hit(Preview::Disabled, runs);
    row("cache hit, preview = false", floor);
    if scenario.venv.is_some() {
        let full = scenario.cache_hit(Preview::WithDjango, runs);
        row("cache hit, preview with Django 5.2 on PATH", full);
        println!(
            "  preview cost with Django: {:.1} ms ({:.1}x the build without it)",
            millis(full.saturating_sub(floor)),
            full.as_secs_f64() / floor.as_secs_f64()
        );
    } else {
        println!(
            "  (no Django venv in {}: preview cost not measured; run scripts/setup-venvs)",
            venvs.display()
        );
    }
    println!(
        "  cache hit vs first build: {:.2}x",
        hit.as_secs_f64() / first.as_secs_f64()
    );

    println!("\nPackaged release buildpack ({}):", packaged.display());
    println!("  bin/build                {:>6.2} MiB", mib(build_binary));
    println!("  release-guard            {:>6.2} MiB", mib(tool_binary));
    println!(
        "  total                    {:>6.2} MiB  ({:.2}x the {:.0} MiB target)",
        mib(size),
        mib(size) / mib(PACKAGE_SIZE_TARGET_BYTES),
        mib(PACKAGE_SIZE_TARGET_BYTES)
    );
    ExitCode::SUCCESS
}
