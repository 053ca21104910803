//! Who defines the `release` process type, and the build plan that tells.
//!
//! The gate itself runs from the guard layer's `exec.d/release/` before any `release` process,
//! so buildpack order no longer decides whether it runs. A `release` process must still exist
//! for Heroku to run a release phase at all, so the guard declares its own (chaining the
//! Procfile's `release:` command), except when heroku/release-phase is in the group: then it
//! adds its command to heroku/release-phase's list instead of replacing that buildpack's process.

use super::guard_layer::BINARY_NAME;
use super::{BUILDPACK_NAME, Log};
use bullet_stream::style;
use libcnb::data::build_plan::{BuildPlan, BuildPlanBuilder, Require};
use libcnb::data::buildpack_plan::BuildpackPlan;
use libcnb::data::launch::{Process, ProcessBuilder};
use libcnb::data::process_type;
use serde::Serialize;

/// heroku/release-phase provides and requires this; it runs the `release` commands of every
/// buildpack that requires it.
const RELEASE_PHASE_PLAN: &str = "release-phase";
const RELEASE_PHASE_BUILDPACK_ID: &str = "heroku/release-phase";
/// The guard's own entry. A buildpack's build sees only the entries it provides, so the guard
/// provides and requires this one, and its metadata says which alternative the lifecycle chose.
const GUARD_PLAN: &str = "release-guard";
const RELEASE_PROCESS_KEY: &str = "release-process";

/// Detect's plan: with heroku/release-phase earlier in the group (the build plan rules need the
/// provider first), hand it the release command; otherwise (`[[or]]`), nothing.
///
/// # Errors
///
/// When the metadata cannot be serialised (a bug).
pub fn build_plan() -> Result<BuildPlan, libcnb::TomlFileError> {
    let mut guard = Require::new(GUARD_PLAN);
    guard.metadata(GuardPlanMetadata {
        release_process: RELEASE_PHASE_BUILDPACK_ID,
    })?;
    let mut release_phase = Require::new(RELEASE_PHASE_PLAN);
    release_phase.metadata(ReleasePhaseMetadata {
        release: [ReleaseCommand {
            command: BINARY_NAME,
            args: ["release"],
            source: BUILDPACK_NAME,
        }],
    })?;
    Ok(BuildPlanBuilder::new()
        .provides(GUARD_PLAN)
        .requires(guard)
        .requires(release_phase)
        .or()
        .build())
}

#[derive(Serialize)]
struct GuardPlanMetadata {
    #[serde(rename = "release-process")]
    release_process: &'static str,
}

/// `[[requires.metadata.release]]` as heroku/release-phase reads it.
#[derive(Serialize)]
struct ReleasePhaseMetadata {
    release: [ReleaseCommand; 1],
}

#[derive(Serialize)]
struct ReleaseCommand {
    command: &'static str,
    args: [&'static str; 1],
    source: &'static str,
}

/// Whether the lifecycle chose the plan with heroku/release-phase.
#[must_use]
pub fn left_to_release_phase(plan: &BuildpackPlan) -> bool {
    plan.entries.iter().any(|entry| {
        entry.name == GUARD_PLAN
            && entry
                .metadata
                .get(RELEASE_PROCESS_KEY)
                .and_then(|value| value.as_str())
                == Some(RELEASE_PHASE_BUILDPACK_ID)
    })
}

/// `release-guard release`, chaining the Procfile's command: the process execs
/// `bash -c <command>` once the gate has passed, so that command's exit status becomes the
/// process's.
#[must_use]
pub fn release_process(chained_command: Option<&str>) -> Process {
    let mut process = ProcessBuilder::new(process_type!("release"), [BINARY_NAME, "release"]);
    if let Some(command) = chained_command {
        process.args(["--", "bash", "-c", command]);
    }
    process.build()
}

pub(super) fn log_release_process(
    log: Log,
    release_command: Option<&str>,
    release_phase: bool,
) -> Log {
    let release = style::value("release");
    if release_phase {
        return log
            .bullet(format!(
                "Process type {release}: left to {}",
                style::value(RELEASE_PHASE_BUILDPACK_ID)
            ))
            .sub_bullet(format!(
                "Adds {} to its release commands, so that every release is checked",
                style::command(format!("{BINARY_NAME} release"))
            ))
            .done();
    }
    let process = log.bullet(format!(
        "Process type {release}: {}",
        style::command(format!("{BINARY_NAME} release"))
    ));
    match release_command {
        Some(_) => process.sub_bullet("Runs the Procfile release command after the guard passes"),
        None => process.sub_bullet(format!(
            "So that every release is checked, even without a Procfile {} command",
            style::value("release:")
        )),
    }
    .done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use libcnb::data::launch::WorkingDirectory;

    #[test]
    fn build_plan_offers_heroku_release_phase_the_command_or_nothing() {
        assert_eq!(
            toml::to_string(&build_plan().unwrap()).unwrap(),
            indoc::indoc! {r#"
                [[provides]]
                name = "release-guard"

                [[requires]]
                name = "release-guard"

                [requires.metadata]
                release-process = "heroku/release-phase"

                [[requires]]
                name = "release-phase"

                [[requires.metadata.release]]
                args = ["release"]
                command = "release-guard"
                source = "Django Release Guard"

                [[or]]
            "#}
        );
    }

    #[test]
    fn release_phase_is_seen_through_the_guards_own_entry() {
        // As the lifecycle writes $CNB_BP_PLAN_PATH.
        let plan = |source: &str| toml::from_str::<BuildpackPlan>(source).unwrap();
        assert!(!left_to_release_phase(&plan("entries = []")));
        assert!(left_to_release_phase(&plan(indoc::indoc! {r#"
            [[entries]]
            name = "release-guard"
            [entries.metadata]
            release-process = "heroku/release-phase"
        "#})));
        assert!(!left_to_release_phase(&plan(indoc::indoc! {r#"
            [[entries]]
            name = "release-phase"
            [entries.metadata]
            release-process = "heroku/release-phase"
        "#})));
        assert!(!left_to_release_phase(&plan(indoc::indoc! {r#"
            [[entries]]
            name = "release-guard"
        "#})));
    }

    #[test]
    fn release_process_without_procfile_command() {
        let process = release_process(None);
        assert_eq!(process.r#type, process_type!("release"));
        assert_eq!(process.command, ["release-guard", "release"]);
        assert!(process.args.is_empty());
        assert!(!process.default);
        assert_eq!(process.working_directory, WorkingDirectory::App);
    }

    #[test]
    fn release_process_chains_procfile_command() {
        let process = release_process(Some("python manage.py migrate && ./notify.sh"));
        assert_eq!(process.command, ["release-guard", "release"]);
        assert_eq!(
            process.args,
            [
                "--",
                "bash",
                "-c",
                "python manage.py migrate && ./notify.sh"
            ]
        );
    }
}
