//! The buildpack side: detect, build and the guard's launch layer.
//!
//! Detect passes on `manage.py` at the app root. Build resolves the settings module and the
//! Procfile's `release:` command, installs `release-guard` with the resolved configuration into
//! a launch layer (with the exec.d program that gates every `release` process), declares the
//! `release` process (chaining the Procfile command) unless heroku/release-phase owns it and,
//! unless disabled, previews the gate's verdict in the build log.

pub mod app_facts;
pub mod guard_layer;
pub mod preview;
pub mod project_config;
pub mod release_process;

use app_facts::{
    AppFactsError, MANAGE_PY, SettingsModule, procfile_release_command, resolve_settings_module,
};
use bullet_stream::global::print;
use bullet_stream::{Print, state, style};
use guard_layer::{BINARY_NAME, GuardLayer, GuardLayerError, LayerOutcome, install_guard_layer};
use indoc::formatdoc;
use libcnb::build::{BuildContext, BuildResult, BuildResultBuilder};
use libcnb::data::launch::LaunchBuilder;
use libcnb::detect::{DetectContext, DetectResult, DetectResultBuilder};
use libcnb::generic::{GenericMetadata, GenericPlatform};
use libcnb::{Buildpack, Platform};
use preview::{preview_lines, run_preview};
use project_config::{PROJECT_TOML, ProjectConfigError, read_project_toml, table_name};
use release_process::{left_to_release_phase, log_release_process, release_process};
use std::io::Stdout;

use crate::config::{GuardConfig, LAUNCH_CONFIG_FILE_NAME, LaunchConfig};

/// The buildpack's name in the build log.
pub const BUILDPACK_NAME: &str = "Django Release Guard";

pub struct GuardBuildpack;

/// Everything that can fail a build, one variant per step.
#[derive(Debug)]
pub enum BuildpackError {
    /// Reading or validating `[com.release-guard]` in project.toml.
    ProjectConfig(ProjectConfigError),
    /// Reading manage.py or the Procfile.
    AppFacts(AppFactsError),
    /// Installing the binary and its configuration.
    GuardLayer(GuardLayerError),
}

impl From<ProjectConfigError> for libcnb::Error<BuildpackError> {
    fn from(error: ProjectConfigError) -> Self {
        Self::BuildpackError(BuildpackError::ProjectConfig(error))
    }
}

impl From<AppFactsError> for libcnb::Error<BuildpackError> {
    fn from(error: AppFactsError) -> Self {
        Self::BuildpackError(BuildpackError::AppFacts(error))
    }
}

type Log = Print<state::Bullet<Stdout>>;

impl Buildpack for GuardBuildpack {
    type Platform = GenericPlatform;
    type Metadata = GenericMetadata;
    type Error = BuildpackError;

    fn detect(&self, context: DetectContext<Self>) -> libcnb::Result<DetectResult, Self::Error> {
        if context.app_dir.join(MANAGE_PY).is_file() {
            DetectResultBuilder::pass()
                .build_plan(
                    release_process::build_plan().map_err(libcnb::Error::CannotWriteBuildPlan)?,
                )
                .build()
        } else {
            println!(
                "No {MANAGE_PY} at the app root, so this is not a Django app: \
                 {BUILDPACK_NAME} does not apply."
            );
            DetectResultBuilder::fail().build()
        }
    }

    fn build(&self, context: BuildContext<Self>) -> libcnb::Result<BuildResult, Self::Error> {
        let log = Print::new(std::io::stdout()).h2(BUILDPACK_NAME);
        let project = read_project_toml(&context.app_dir)?;
        let config = project.guard.clone();
        let settings = resolve_settings_module(&config, context.platform.env(), &context.app_dir)?;
        let release_command = procfile_release_command(&context.app_dir)?;
        let log = log_app_facts(log, settings.as_ref(), release_command.as_deref());

        let launch_config = LaunchConfig {
            settings_module: settings.map(|found| found.module),
            guard: config.clone(),
        };
        let layer = install_guard_layer(&context, &launch_config)?;
        let log = log_guard_layer(log, &layer, &config, &context);
        let release_phase = left_to_release_phase(&context.buildpack_plan);
        let log = log_release_process(log, release_command.as_deref(), release_phase);
        log_preview(log, &config, &layer, &context).done();

        if release_phase {
            return BuildResultBuilder::new().build();
        }
        BuildResultBuilder::new()
            .launch(
                LaunchBuilder::new()
                    .process(release_process(release_command.as_deref()))
                    .build(),
            )
            .build()
    }

    fn on_error(&self, error: libcnb::Error<Self::Error>) {
        print::error(error_message(&error));
    }
}

fn log_app_facts(
    log: Log,
    settings: Option<&SettingsModule>,
    release_command: Option<&str>,
) -> Log {
    let app = log.bullet("Django app");
    let app = match settings {
        Some(found) => app.sub_bullet(format!(
            "Settings module {} (from {})",
            style::value(&found.module),
            found.source
        )),
        None => app.sub_bullet(format!(
            "No settings module in {PROJECT_TOML}, DJANGO_SETTINGS_MODULE or {MANAGE_PY}: \
             the guard resolves it at release time"
        )),
    };
    match release_command {
        Some(command) => app.sub_bullet(format!(
            "Procfile {} command {}",
            style::value("release:"),
            style::command(command)
        )),
        None => app.sub_bullet(format!("No Procfile {} command", style::value("release:"))),
    }
    .done()
}

fn log_guard_layer(
    log: Log,
    layer: &GuardLayer,
    config: &GuardConfig,
    context: &BuildContext<GuardBuildpack>,
) -> Log {
    let version = &context.buildpack_descriptor.buildpack.version;
    let binary = style::value(BINARY_NAME);
    let installed = match &layer.outcome {
        LayerOutcome::Installed => format!("Installing {binary} {version}"),
        LayerOutcome::Reused => {
            format!("Reusing {binary} {version} (buildpack version unchanged)")
        }
        LayerOutcome::Replaced { reason } => {
            format!("Replacing {binary} with {version} ({reason})")
        }
    };
    let section = log.bullet("Release guard").sub_bullet(installed);
    let section = match config_summary(config) {
        Some(summary) => {
            section.sub_bullet(format!("Configuration from {PROJECT_TOML}: {summary}"))
        }
        None => section,
    };
    section
        .sub_bullet(format!(
            "Writing {} (read at release time through RELEASE_GUARD_CONFIG)",
            style::value(LAUNCH_CONFIG_FILE_NAME)
        ))
        .sub_bullet(format!(
            "Installed for the {} process type (exec.d): the guard runs before any release \
             command, whichever buildpack defines it, in any buildpack order",
            style::value("release")
        ))
        .done()
}

/// The keys set in `[com.release-guard]`, as `key = value` pairs in TOML syntax.
fn config_summary(config: &GuardConfig) -> Option<String> {
    let table = toml::Table::try_from(config).ok()?;
    let pairs: Vec<String> = table
        .iter()
        .map(|(key, value)| format!("{key} = {value}"))
        .collect();
    (!pairs.is_empty()).then(|| pairs.join(", "))
}

fn log_preview(
    log: Log,
    config: &GuardConfig,
    layer: &GuardLayer,
    context: &BuildContext<GuardBuildpack>,
) -> Log {
    let preview = log.bullet("Release preview (advisory: never fails the build)");
    if config.preview == Some(false) {
        return preview
            .sub_bullet(format!("Skipped: preview = false in {PROJECT_TOML}"))
            .done();
    }
    let timer = preview.start_timer(format!("Running {}", style::command("release-guard check")));
    let outcome = run_preview(&layer.binary, &context.app_dir, &layer.config_file);
    preview_lines(&outcome)
        .into_iter()
        .fold(timer.done(), Print::sub_bullet)
        .done()
}

/// Title, what happened and how to fix it, for every way the build can fail.
fn error_message(error: &libcnb::Error<BuildpackError>) -> String {
    let libcnb::Error::BuildpackError(error) = error else {
        return formatdoc! {"
            {BUILDPACK_NAME}: internal buildpack error

            {error}

            This is a bug in the buildpack or the platform running it; please report it.
        "};
    };
    let table = table_name();
    match error {
        BuildpackError::ProjectConfig(error) => formatdoc! {"
            {BUILDPACK_NAME}: invalid configuration in {PROJECT_TOML}

            {error}.

            Fix the [{table}] table in {PROJECT_TOML} and build again.
        "},
        BuildpackError::AppFacts(AppFactsError::ReadManagePy(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to read {MANAGE_PY}

            Reading {MANAGE_PY} at the app root failed: {error}.

            Check that the file is readable, or set settings-module in the [{table}] table of \
            {PROJECT_TOML}.
        "},
        BuildpackError::AppFacts(AppFactsError::ReadProcfile(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to read the Procfile

            Reading the Procfile at the app root failed: {error}.

            Check that the file is readable.
        "},
        BuildpackError::GuardLayer(GuardLayerError::BinaryMissing(path)) => formatdoc! {"
            {BUILDPACK_NAME}: the release-guard binary is missing from the buildpack

            Expected it at {path}.

            Package the buildpack with `cargo libcnb package`, which ships it there.
        ", path = path.display()},
        BuildpackError::GuardLayer(GuardLayerError::InstallBinary(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to install release-guard

            Copying the binary into its launch layer failed: {error}.

            This is a buildpack or platform bug; please report it.
        "},
        BuildpackError::GuardLayer(GuardLayerError::InstallExecD(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to install the release check

            Linking exec.d/release/{program} to release-guard in the launch layer failed: {error}.

            This is a buildpack or platform bug; please report it.
        ", program = crate::exec_d::PROGRAM_NAME},
        BuildpackError::GuardLayer(GuardLayerError::WriteConfig(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to write {LAUNCH_CONFIG_FILE_NAME}

            Writing the resolved configuration into the launch layer failed: {error}.

            This is a buildpack or platform bug; please report it.
        "},
        BuildpackError::GuardLayer(GuardLayerError::SerializeConfig(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to serialise the configuration

            {error}.

            This is a buildpack bug; please report it.
        "},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_summary_lists_the_keys_set() {
        assert_eq!(config_summary(&GuardConfig::default()), None);
        let config = GuardConfig {
            mode: Some(crate::config::Mode::Warn),
            ignore: vec![
                "security.W021".to_string(),
                "guard.hsts.too_short".to_string(),
            ],
            timeout: Some(90),
            ..GuardConfig::default()
        };
        assert_eq!(
            config_summary(&config).as_deref(),
            Some(
                r#"ignore = ["security.W021", "guard.hsts.too_short"], mode = "warn", timeout = 90"#
            )
        );
    }

    #[test]
    fn every_error_has_a_title_what_happened_and_a_fix() {
        let io_error = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let errors = [
            BuildpackError::AppFacts(AppFactsError::ReadManagePy(io_error())),
            BuildpackError::AppFacts(AppFactsError::ReadProcfile(io_error())),
            BuildpackError::GuardLayer(GuardLayerError::BinaryMissing(
                "/cnb/buildpacks/x/.libcnb-cargo/additional-bin/release-guard".into(),
            )),
            BuildpackError::GuardLayer(GuardLayerError::InstallBinary(io_error())),
            BuildpackError::GuardLayer(GuardLayerError::WriteConfig(io_error())),
        ];
        let messages: Vec<String> = errors
            .into_iter()
            .map(|error| error_message(&libcnb::Error::BuildpackError(error)))
            .collect();
        assert_eq!(
            messages,
            [
                indoc::indoc! {"
                    Django Release Guard: unable to read manage.py

                    Reading manage.py at the app root failed: permission denied.

                    Check that the file is readable, or set settings-module in the [com.release-guard] table of project.toml.
                "},
                indoc::indoc! {"
                    Django Release Guard: unable to read the Procfile

                    Reading the Procfile at the app root failed: permission denied.

                    Check that the file is readable.
                "},
                indoc::indoc! {"
                    Django Release Guard: the release-guard binary is missing from the buildpack

                    Expected it at /cnb/buildpacks/x/.libcnb-cargo/additional-bin/release-guard.

                    Package the buildpack with `cargo libcnb package`, which ships it there.
                "},
                indoc::indoc! {"
                    Django Release Guard: unable to install release-guard

                    Copying the binary into its launch layer failed: permission denied.

                    This is a buildpack or platform bug; please report it.
                "},
                indoc::indoc! {"
                    Django Release Guard: unable to write release-guard.toml

                    Writing the resolved configuration into the launch layer failed: permission denied.

                    This is a buildpack or platform bug; please report it.
                "},
            ]
        );
    }

    #[test]
    fn config_errors_name_file_key_and_fix() {
        let error = libcnb::Error::BuildpackError(BuildpackError::ProjectConfig(
            ProjectConfigError::UnknownKey {
                key: "modes".to_string(),
            },
        ));
        assert_eq!(
            error_message(&error),
            indoc::indoc! {"
                Django Release Guard: invalid configuration in project.toml

                `modes` in the [com.release-guard] table of project.toml is not a known key; allowed keys: settings-module, mode, block, ignore, timeout, preview.

                Fix the [com.release-guard] table in project.toml and build again.
            "}
        );
    }
}
