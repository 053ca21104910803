//! The launch layer holding the `release-guard` binary and the resolved configuration.

use super::{BuildpackError, GuardBuildpack};
use crate::config::{LAUNCH_CONFIG_FILE_NAME, LaunchConfig, env};
use crate::exec_d;
use libcnb::build::BuildContext;
use libcnb::data::layer_name;
use libcnb::layer::{
    CachedLayerDefinition, EmptyLayerCause, InvalidMetadataAction, LayerState, RestoredLayerAction,
};
use libcnb::layer_env::{LayerEnv, ModificationBehavior, Scope};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

/// Where libcnb-cargo puts the tool binary inside the packaged buildpack.
pub const PACKAGED_BINARY: &str = ".libcnb-cargo/additional-bin/release-guard";
/// The tool's name, on `PATH` at launch through the layer's `bin/`.
pub const BINARY_NAME: &str = "release-guard";

#[derive(Debug)]
pub enum GuardLayerError {
    /// The packaged binary is not where libcnb-cargo puts it.
    BinaryMissing(PathBuf),
    /// Copying the binary into the layer failed.
    InstallBinary(io::Error),
    /// Linking the exec.d program to the binary failed.
    InstallExecD(io::Error),
    /// Writing `release-guard.toml` failed.
    WriteConfig(io::Error),
    /// The launch configuration could not be serialised (a bug).
    SerializeConfig(toml::ser::Error),
}

/// Decides whether a cached layer can be reused: the binary only changes with the buildpack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardLayerMetadata {
    pub buildpack_version: String,
    pub arch: String,
}

/// What happened to the layer, for the build log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerOutcome {
    Installed,
    Reused,
    Replaced { reason: String },
}

/// The installed layer: where the binary and the config file are.
#[derive(Debug)]
pub struct GuardLayer {
    pub binary: PathBuf,
    pub config_file: PathBuf,
    pub outcome: LayerOutcome,
}

/// Installs (or reuses) the binary and rewrites the configuration, which can change on every
/// build even when the binary does not.
///
/// # Errors
///
/// When the binary is missing from the buildpack or a file cannot be written.
pub fn install_guard_layer(
    context: &BuildContext<GuardBuildpack>,
    launch_config: &LaunchConfig,
) -> libcnb::Result<GuardLayer, BuildpackError> {
    let wanted = GuardLayerMetadata {
        buildpack_version: context.buildpack_descriptor.buildpack.version.to_string(),
        arch: context.target.arch.clone(),
    };
    let layer = context.cached_layer(
        layer_name!("release-guard"),
        CachedLayerDefinition {
            build: false,
            launch: true,
            invalid_metadata_action: &|_| InvalidMetadataAction::DeleteLayer,
            restored_layer_action: &|cached: &GuardLayerMetadata, path: &Path| match replace_reason(
                cached, &wanted, path,
            ) {
                Some(reason) => (RestoredLayerAction::DeleteLayer, Some(reason)),
                None => (RestoredLayerAction::KeepLayer, None),
            },
        },
    )?;
    let binary = layer.path().join("bin").join(BINARY_NAME);
    let outcome = match layer.state {
        LayerState::Restored { .. } => LayerOutcome::Reused,
        LayerState::Empty { ref cause } => {
            copy_binary(&context.buildpack_dir, &binary)?;
            layer.write_metadata(wanted.clone())?;
            match cause {
                EmptyLayerCause::NewlyCreated => LayerOutcome::Installed,
                EmptyLayerCause::InvalidMetadataAction { .. } => LayerOutcome::Replaced {
                    reason: "cached layer metadata unreadable".to_string(),
                },
                EmptyLayerCause::RestoredLayerAction { cause } => LayerOutcome::Replaced {
                    reason: cause.clone().unwrap_or_default(),
                },
            }
        }
    };
    link_exec_d_program(&layer.path()).map_err(GuardLayerError::InstallExecD)?;
    let config_file = layer.path().join(LAUNCH_CONFIG_FILE_NAME);
    let config_toml = toml::to_string(launch_config).map_err(GuardLayerError::SerializeConfig)?;
    std::fs::write(&config_file, config_toml).map_err(GuardLayerError::WriteConfig)?;
    layer.write_env(LayerEnv::new().chainable_insert(
        Scope::Launch,
        ModificationBehavior::Override,
        env::CONFIG,
        &config_file,
    ))?;
    Ok(GuardLayer {
        binary,
        config_file,
        outcome,
    })
}

/// Why a restored layer must be rebuilt, or `None` to keep it.
fn replace_reason(
    cached: &GuardLayerMetadata,
    wanted: &GuardLayerMetadata,
    layer_dir: &Path,
) -> Option<String> {
    if cached.buildpack_version != wanted.buildpack_version {
        Some(format!(
            "buildpack version changed from {} to {}",
            cached.buildpack_version, wanted.buildpack_version
        ))
    } else if cached.arch != wanted.arch {
        Some(format!(
            "architecture changed from {} to {}",
            cached.arch, wanted.arch
        ))
    } else if !layer_dir.join("bin").join(BINARY_NAME).is_file() {
        Some("binary missing from the cached layer".to_string())
    } else {
        None
    }
}

/// `exec.d/release/release-guard-exec-d` -> `../../bin/release-guard`: the launcher runs it before
/// every `release` process, and the binary knows from that name to run as the exec.d program.
/// Written on every build, so a layer cached by an older version gets it too. (libcnb's
/// `write_exec_d_programs` writes only the flat `exec.d/`, which runs for every process type.)
fn link_exec_d_program(layer_dir: &Path) -> io::Result<()> {
    let program = exec_d_program(layer_dir);
    if let Some(dir) = program.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::remove_file(&program) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    std::os::unix::fs::symlink(Path::new("../../bin").join(BINARY_NAME), program)
}

/// Where the launcher finds the exec.d program in the layer.
#[must_use]
pub fn exec_d_program(layer_dir: &Path) -> PathBuf {
    layer_dir
        .join("exec.d")
        .join(exec_d::PROCESS_TYPE)
        .join(exec_d::PROGRAM_NAME)
}

fn copy_binary(buildpack_dir: &Path, destination: &Path) -> Result<(), GuardLayerError> {
    // Not `additional_buildpack_binary_path!`: it panics when CNB_BUILDPACK_DIR is unset, and
    // the context already knows the buildpack directory.
    let source = buildpack_dir.join(PACKAGED_BINARY);
    if !source.is_file() {
        return Err(GuardLayerError::BinaryMissing(source));
    }
    if let Some(bin_dir) = destination.parent() {
        std::fs::create_dir_all(bin_dir).map_err(GuardLayerError::InstallBinary)?;
    }
    // fs::copy keeps the executable permission bits.
    std::fs::copy(&source, destination).map_err(GuardLayerError::InstallBinary)?;
    Ok(())
}

impl From<GuardLayerError> for libcnb::Error<BuildpackError> {
    fn from(error: GuardLayerError) -> Self {
        Self::BuildpackError(BuildpackError::GuardLayer(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch_dir::ScratchDir;

    fn metadata(version: &str, arch: &str) -> GuardLayerMetadata {
        GuardLayerMetadata {
            buildpack_version: version.to_string(),
            arch: arch.to_string(),
        }
    }

    #[test]
    fn replace_reasons() {
        let layer_dir = ScratchDir::with_files("guard-layer", &[]);
        let layer = layer_dir.path();
        let binary = layer.join("bin").join(BINARY_NAME);
        let wanted = metadata("0.1.0", "amd64");

        assert_eq!(
            replace_reason(&wanted, &wanted, layer).as_deref(),
            Some("binary missing from the cached layer")
        );
        std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
        std::fs::write(&binary, "").unwrap();
        assert_eq!(replace_reason(&wanted, &wanted, layer), None);
        assert_eq!(
            replace_reason(&metadata("0.0.9", "amd64"), &wanted, layer).as_deref(),
            Some("buildpack version changed from 0.0.9 to 0.1.0")
        );
        assert_eq!(
            replace_reason(&metadata("0.1.0", "arm64"), &wanted, layer).as_deref(),
            Some("architecture changed from arm64 to amd64")
        );
    }
}
