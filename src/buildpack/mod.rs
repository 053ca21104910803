//! The buildpack side: detect, build and the guard's launch layer.
//!
//! Detect passes on `manage.py` at the app root. Build resolves the settings module and the
//! Procfile's `release:` command, installs `release-guard` with the resolved configuration into
//! a launch layer (with the exec.d program that gates every `release` process), declares the
//! `release` process (chaining the Procfile command) unless heroku/release-phase owns it and,
//! unless disabled, previews the gate's verdict in the build log.

pub mod errors;
pub mod guard_layer;
mod output;
pub mod preview;
pub mod project_config;
pub mod release_process;
pub mod resolve;

use bullet_stream::{Print, style};
pub use errors::BuildpackError;
use guard_layer::{BINARY_NAME, GuardLayer, LayerOutcome, install_guard_layer};
use libcnb::build::{BuildContext, BuildResult, BuildResultBuilder};
use libcnb::data::launch::LaunchBuilder;
use libcnb::detect::{DetectContext, DetectResult, DetectResultBuilder};
use libcnb::generic::{GenericMetadata, GenericPlatform};
use libcnb::{Buildpack, Platform};
use output::BuildLog as Log;
use preview::{preview_lines, run_preview};
use project_config::{PROJECT_TOML, read_project_toml};
use release_process::{left_to_release_phase, log_release_process, release_process};
use resolve::{BuildSettings, MANAGE_PY, read_procfile, resolve_settings_module, web_process};

use crate::config::{GuardConfig, LAUNCH_CONFIG_FILE_NAME, LaunchConfig};

/// The buildpack's name in the build log.
pub const BUILDPACK_NAME: &str = "Django Release Guard";

pub struct GuardBuildpack;

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
            output::detect_line(&format!(
                "No {MANAGE_PY} at the app root, so this is not a Django app: \
                 {BUILDPACK_NAME} does not apply."
            ));
            DetectResultBuilder::fail().build()
        }
    }

    fn build(&self, context: BuildContext<Self>) -> libcnb::Result<BuildResult, Self::Error> {
        let log = output::build_log();
        let project = read_project_toml(&context.app_dir)?;
        let config = project.guard.clone();
        let procfile = read_procfile(&context.app_dir)?;
        let release_command = procfile
            .as_ref()
            .and_then(|procfile| procfile.get("release").cloned());
        let web = web_process(&procfile, context.platform.env(), &context.app_dir);
        let (settings, settings_notes) =
            resolve_settings_module(&config, context.platform.env(), &context.app_dir, &web)?;
        let log = log_django_app(log, &settings, &settings_notes, release_command.as_deref());

        let launch_config = LaunchConfig {
            settings_module: match settings {
                BuildSettings::Found(found) => Some(found.module),
                BuildSettings::NotFound | BuildSettings::Invalid(_) => None,
            },
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
        errors::on_error(&error);
    }
}

fn log_django_app(
    log: Log,
    settings: &BuildSettings,
    settings_notes: &[String],
    release_command: Option<&str>,
) -> Log {
    let app = log.bullet("Django app");
    let app = match settings {
        BuildSettings::Invalid(problem) => app.sub_bullet(format!(
            "{problem}: the release fails on it until it is corrected"
        )),
        BuildSettings::Found(found) => app.sub_bullet(format!(
            "Settings module {} (from {})",
            style::value(found.module.as_str()),
            found.origin
        )),
        BuildSettings::NotFound => app.sub_bullet(format!(
            "No settings module in {PROJECT_TOML}, DJANGO_SETTINGS_MODULE or {MANAGE_PY}: \
             the guard resolves it at release time"
        )),
    };
    let app = settings_notes
        .iter()
        .fold(app, |app, note| app.sub_bullet(note.as_str()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_summary_lists_the_keys_set() {
        assert_eq!(config_summary(&GuardConfig::default()), None);
        let config = GuardConfig {
            mode: Some(crate::config::Mode::Warn),
            ignore: ["security.W021", "guard.hsts_seconds_short"]
                .try_into()
                .unwrap(),
            timeout: crate::config::TimeoutSecs::new(90),
            ..GuardConfig::default()
        };
        assert_eq!(
            config_summary(&config).as_deref(),
            Some(
                r#"ignore = ["security.W021", "guard.hsts_seconds_short"], mode = "warn", timeout = 90"#
            )
        );
    }
}
