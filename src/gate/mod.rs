//! The release gate: run the probe once in the app's Python, turn its snapshot into findings
//! (Django's messages plus the guard's rules), apply the policy, and report.
//! `resolve` turns options and environment into one configuration, `errors` words what could
//! not be evaluated; this file is one run.

pub mod advice;
mod errors;
pub mod live;
pub mod policy;
pub mod probe;
mod protects_users;
mod resolve;
pub mod rules;
pub mod silences;
pub mod snapshot;
pub mod web;

pub use resolve::{
    ConfigError, Environment, GateOptions, LiveRequest, Resolved, mode_override, resolve,
};

use crate::config::{Mode, env};
use crate::date::Date;
use crate::http_facts::LiveSite;
use crate::redact::{AppText, Redactor};
use crate::report::{EvaluationError, Exit, ModeSource, Platform, Report, Verdict};
use errors::{probe_error, probe_failure};
use probe::ProbeRequest;
use snapshot::{ProbeAnswer, Snapshot};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One gate run's result: the report, the process exit code, and the redactor that knows the
/// secrets of this app, for printing the report.
#[derive(Debug, Clone)]
pub struct GateRun {
    pub report: Report,
    pub exit: Exit,
    pub redactor: Redactor,
}

/// One gate run with this process's environment and working directory; `live_site` answers
/// the requests to the live site (only made when one is configured).
#[must_use]
pub fn run_here(options: &GateOptions, live_site: &dyn LiveSite) -> GateRun {
    let environment = Environment::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    run(options, &environment, &cwd, live_site)
}

/// Runs the gate: resolve, probe once, rules, the live site (when configured), policy, report.
#[must_use]
pub fn run(
    options: &GateOptions,
    environment: &Environment,
    cwd: &Path,
    live_site: &dyn LiveSite,
) -> GateRun {
    let started = Instant::now();
    let mut redactor = Redactor::from_env(environment.vars());
    // The escape hatch must work even when the rest of the configuration is broken.
    let mode_override = match mode_override(options, environment) {
        Err(error) => return config_failure(error, (Mode::Enforce, None), started, redactor),
        Ok(Some((Mode::Off, source))) => return off(Some(source), started, redactor),
        Ok(mode) => mode,
    };
    let resolved = match resolve(options, environment, cwd) {
        Ok(resolved) => resolved,
        // `RELEASE_GUARD_MODE=warn` is the advertised escape hatch: it covers a broken
        // configuration too.
        Err(error) => {
            let (mode, source) = mode_override.unzip();
            return config_failure(error, (mode.unwrap_or_default(), source), started, redactor);
        }
    };
    if resolved.mode == Mode::Off {
        return off(resolved.mode_source, started, redactor);
    }
    let mut report = empty_report(resolved.mode, Verdict::Pass);
    report.mode_source = resolved.mode_source;
    report.platform = Platform::detect(environment.get("DYNO"));
    report.settings_module.clone_from(&resolved.settings_module);
    report.notes.extend(resolved.settings_notes.iter().cloned());
    let python = probe::find_python(environment.get(env::PYTHON), environment.get("PATH"));
    let probe_started = Instant::now();
    let answer = python.and_then(|python| {
        probe::run(&ProbeRequest {
            app_dir: resolved.app_dir.clone(),
            python,
            settings_module: resolved.settings_module.clone(),
            timeout: resolved.timeout,
            started,
            env: [
                probe::proxy_ssl_header_env(&resolved.proxy_ssl_header),
                vec![web::probe_env(&resolved.web, environment)],
            ]
            .concat(),
        })
    });
    report
        .timings
        .insert("probe".to_string(), elapsed_ms(probe_started));
    if let Ok(answer) = &answer {
        redactor.add_secrets(answer.secrets());
    }
    match answer {
        Ok(ProbeAnswer::Ok(snapshot)) => {
            report.app_output = app_output(snapshot.app_output.as_ref());
            let today = Date::today_utc();
            evaluate(&mut report, &snapshot, &resolved, today, live_site);
        }
        Ok(ProbeAnswer::Error(error)) => {
            report.app_output = app_output(error.app_output.as_ref());
            report.django_version.clone_from(&error.django_version);
            if error.settings_module.is_some() {
                report.settings_module.clone_from(&error.settings_module);
            }
            let shown = probe_error(&error, report.platform);
            fail(&mut report, shown);
        }
        Err(failure) => fail(&mut report, probe_failure(&failure)),
    }
    finish(report, started, redactor)
}

/// What the app printed, marked as app text for the output boundary.
fn app_output(text: Option<&AppText>) -> Option<String> {
    text.map(ToString::to_string)
}

fn evaluate(
    report: &mut Report,
    snapshot: &Snapshot,
    resolved: &Resolved,
    today: Date,
    live_site: &dyn LiveSite,
) {
    let mut findings = rules::all(snapshot, &resolved.proxy_ssl_header);
    let policy = &resolved.policy;
    // Only with a live URL: without one, no request and no extra work.
    let observation = resolved.live.as_ref().map(|request| {
        let started = Instant::now();
        let silenced = |id: &str| policy.silences(id, snapshot, today);
        let observation = live::observe(snapshot, request, live_site, &silenced);
        report
            .timings
            .insert("live_site".to_string(), elapsed_ms(started));
        observation
    });
    let live_facts = observation.as_ref().and_then(|seen| seen.facts.as_ref());
    if let Some(observation) = &observation {
        findings.extend(observation.findings.iter().cloned());
    }
    let evidence = policy::Evidence {
        snapshot,
        today,
        live: live_facts,
    };
    let mut outcome = policy.apply(findings, &evidence);
    report.notes.append(&mut outcome.notes);
    if let Some(observation) = &observation {
        report.notes.extend(observation.notes.iter().cloned());
    }
    advice::attach(&mut outcome.findings, snapshot, report.platform);
    report.verdict = if outcome
        .findings
        .iter()
        .any(|finding| finding.severity == crate::finding::Severity::Block)
    {
        Verdict::Block
    } else {
        Verdict::Pass
    };
    report.findings = outcome.findings;
    report.silenced = outcome.silenced;
    report.django_version = Some(snapshot.django_version.clone());
    report.settings_module = Some(snapshot.settings_module.clone());
    // Every timing is in milliseconds already; the probe's `_ms` suffix would only repeat that.
    for (phase, ms) in &snapshot.timings {
        let phase = phase.strip_suffix("_ms").unwrap_or(phase);
        report.timings.insert(format!("probe.{phase}"), *ms);
    }
}

fn fail(report: &mut Report, error: EvaluationError) {
    report.verdict = Verdict::Error;
    report.error = Some(error);
}

/// Exit code for a finished report: not enforcing means 0 whatever was found.
#[must_use]
pub fn exit_code(report: &Report) -> Exit {
    match (report.mode, report.verdict) {
        (Mode::Warn | Mode::Off, _) | (Mode::Enforce, Verdict::Pass) => Exit::Pass,
        (Mode::Enforce, Verdict::Block) => Exit::Blocked,
        (Mode::Enforce, Verdict::Error) => Exit::CouldNotEvaluate,
    }
}

fn empty_report(mode: Mode, verdict: Verdict) -> Report {
    Report::new("gate", mode, verdict)
}

fn off(source: Option<ModeSource>, started: Instant, redactor: Redactor) -> GateRun {
    let mut report = empty_report(Mode::Off, Verdict::Pass);
    report.mode_source = source;
    finish(report, started, redactor)
}

fn config_failure(
    error: ConfigError,
    (mode, source): (Mode, Option<ModeSource>),
    started: Instant,
    redactor: Redactor,
) -> GateRun {
    let mut report = empty_report(mode, Verdict::Error);
    report.mode_source = source;
    report.error = Some(error.into_evaluation_error());
    finish(report, started, redactor)
}

/// The last step of every run: the total time, and the exit code the report calls for.
fn finish(mut report: Report, started: Instant, redactor: Redactor) -> GateRun {
    report
        .timings
        .insert("total".to_string(), elapsed_ms(started));
    let exit = exit_code(&report);
    GateRun {
        report,
        exit,
        redactor,
    }
}

/// Milliseconds, to a tenth: finer digits are noise.
fn elapsed_ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        let report = |mode, verdict| empty_report(mode, verdict);
        assert_eq!(exit_code(&report(Mode::Enforce, Verdict::Pass)), Exit::Pass);
        assert_eq!(
            exit_code(&report(Mode::Enforce, Verdict::Block)),
            Exit::Blocked
        );
        assert_eq!(
            exit_code(&report(Mode::Enforce, Verdict::Error)),
            Exit::CouldNotEvaluate
        );
        assert_eq!(exit_code(&report(Mode::Warn, Verdict::Block)), Exit::Pass);
        assert_eq!(exit_code(&report(Mode::Warn, Verdict::Error)), Exit::Pass);
        assert_eq!(exit_code(&report(Mode::Off, Verdict::Error)), Exit::Pass);
    }
}
