//! Every way the build can fail, and the text the user reads for each: a title, what happened,
//! and how to fix it. `on_error` is an exhaustive match, so a new error cannot go unexplained.

use super::BUILDPACK_NAME;
use super::guard_layer::GuardLayerError;
use super::output;
use super::project_config::{PROJECT_TOML, ProjectConfigError, table_name};
use super::resolve::{MANAGE_PY, PROCFILE, ResolveError};
use crate::config::LAUNCH_CONFIG_FILE_NAME;
use indoc::formatdoc;

/// Everything that can fail a build, one variant per step.
#[derive(Debug)]
pub enum BuildpackError {
    /// Reading or validating `[com.release-guard]` in project.toml.
    ProjectConfig(ProjectConfigError),
    /// Reading manage.py or the Procfile.
    Resolve(ResolveError),
    /// Installing the binary and its configuration.
    GuardLayer(GuardLayerError),
}

impl From<ProjectConfigError> for libcnb::Error<BuildpackError> {
    fn from(error: ProjectConfigError) -> Self {
        Self::BuildpackError(BuildpackError::ProjectConfig(error))
    }
}

impl From<ResolveError> for libcnb::Error<BuildpackError> {
    fn from(error: ResolveError) -> Self {
        Self::BuildpackError(BuildpackError::Resolve(error))
    }
}

/// Prints the error that ended the build (on stderr; see `output`).
pub(crate) fn on_error(error: &libcnb::Error<BuildpackError>) {
    output::build_error(&error_message(error));
}

/// Title, what happened and how to fix it.
fn error_message(error: &libcnb::Error<BuildpackError>) -> String {
    match error {
        libcnb::Error::BuildpackError(error) => buildpack_error_message(error),
        framework_error => formatdoc! {"
            {BUILDPACK_NAME}: internal buildpack error

            {framework_error}

            This is a bug in the buildpack or the platform running it; please report it.
        "},
    }
}

fn buildpack_error_message(error: &BuildpackError) -> String {
    let table = table_name();
    match error {
        BuildpackError::ProjectConfig(ProjectConfigError::Read(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to read {PROJECT_TOML}

            Reading {PROJECT_TOML} at the app root failed: {error}.

            Check that it is a readable file.
        "},
        BuildpackError::ProjectConfig(ProjectConfigError::Invalid(error)) => formatdoc! {"
            {BUILDPACK_NAME}: invalid configuration in {PROJECT_TOML}

            {error}

            Fix the [{table}] table in {PROJECT_TOML} and build again.
        ", error = error.to_string().trim_end()},
        BuildpackError::Resolve(ResolveError::ReadManagePy(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to read {MANAGE_PY}

            Reading {MANAGE_PY} at the app root failed: {error}.

            Check that the file is readable, or set settings-module in the [{table}] table of \
            {PROJECT_TOML}.
        "},
        BuildpackError::Resolve(ResolveError::ReadProcfile(error)) => formatdoc! {"
            {BUILDPACK_NAME}: unable to read the {PROCFILE}

            Reading the {PROCFILE} at the app root failed: {error}.

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
    use indoc::indoc;

    #[test]
    fn every_error_has_a_title_what_happened_and_a_fix() {
        let io_error = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let read_error = || crate::read::ReadError::Io(io_error());
        let errors = [
            BuildpackError::ProjectConfig(ProjectConfigError::Read(read_error())),
            BuildpackError::Resolve(ResolveError::ReadManagePy(read_error())),
            BuildpackError::Resolve(ResolveError::ReadProcfile(read_error())),
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
                indoc! {"
                    Django Release Guard: unable to read project.toml

                    Reading project.toml at the app root failed: permission denied.

                    Check that it is a readable file.
                "},
                indoc! {"
                    Django Release Guard: unable to read manage.py

                    Reading manage.py at the app root failed: permission denied.

                    Check that the file is readable, or set settings-module in the [com.release-guard] table of project.toml.
                "},
                indoc! {"
                    Django Release Guard: unable to read the Procfile

                    Reading the Procfile at the app root failed: permission denied.

                    Check that the file is readable.
                "},
                indoc! {"
                    Django Release Guard: the release-guard binary is missing from the buildpack

                    Expected it at /cnb/buildpacks/x/.libcnb-cargo/additional-bin/release-guard.

                    Package the buildpack with `cargo libcnb package`, which ships it there.
                "},
                indoc! {"
                    Django Release Guard: unable to install release-guard

                    Copying the binary into its launch layer failed: permission denied.

                    This is a buildpack or platform bug; please report it.
                "},
                indoc! {"
                    Django Release Guard: unable to write release-guard.toml

                    Writing the resolved configuration into the launch layer failed: permission denied.

                    This is a buildpack or platform bug; please report it.
                "},
            ]
        );
    }

    #[test]
    fn config_errors_show_the_line_the_key_and_the_fix() {
        let source = "[com.release-guard]\nmodes = \"warn\"\n";
        let Err(error) = super::super::project_config::parse_project_toml(source) else {
            panic!("an unknown key is an error");
        };
        assert_eq!(
            error_message(&libcnb::Error::BuildpackError(
                BuildpackError::ProjectConfig(error)
            )),
            indoc! {r#"
                Django Release Guard: invalid configuration in project.toml

                TOML parse error at line 2, column 1
                  |
                2 | modes = "warn"
                  | ^^^^^
                unknown field `modes`, expected one of `settings-module`, `mode`, `block`, `ignore`, `timeout`, `preview`, `fail-level`, `proxy-ssl-header`, `live-url`

                Fix the [com.release-guard] table in project.toml and build again.
            "#}
        );
    }
}
