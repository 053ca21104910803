//! The Python environments the tests run real Django in, made by `scripts/setup-venvs`.

use std::path::{Path, PathBuf};

/// One venv: Django 4.2 and 5.2 on Python 3.11, Django 6.0 and 6.1 on Python 3.12.
#[derive(Debug, Clone)]
pub(crate) struct Venv {
    pub(crate) name: &'static str,
    pub(crate) dir: PathBuf,
}

impl Venv {
    pub(crate) fn bin_dir(&self) -> PathBuf {
        self.dir.join("bin")
    }

    pub(crate) fn python(&self) -> PathBuf {
        self.bin_dir().join("python")
    }
}

pub(crate) const VENV_NAMES: [&str; 4] = ["django42", "django52", "django60", "django61"];

/// `$RELEASE_GUARD_VENVS`, default `<repo>/target/venvs`.
pub(crate) fn venvs_dir() -> PathBuf {
    std::env::var_os("RELEASE_GUARD_VENVS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/venvs"),
        PathBuf::from,
    )
}

/// Every venv; panics (failing the test) when one is missing, so a skipped setup never
/// passes as green.
pub(crate) fn venvs() -> Vec<Venv> {
    VENV_NAMES.iter().map(|name| venv(name)).collect()
}

pub(crate) fn venv(name: &'static str) -> Venv {
    let venv = Venv {
        name,
        dir: venvs_dir().join(name),
    };
    assert!(
        venv.python().exists(),
        "missing Python venv {}: run scripts/setup-venvs first",
        venv.dir.display()
    );
    venv
}

/// The default venv for tests that need just one Django (5.2 LTS).
pub(crate) fn default_venv() -> Venv {
    venv("django52")
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The tutorial fixture's required config vars: a strong `SECRET_KEY` (60 characters, many
/// distinct, so W009 stays quiet) and the Heroku host it serves.
pub(crate) const TUTORIAL_CONFIG_VARS: [(&str, &str); 2] = [
    (
        "SECRET_KEY",
        "tutorial-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ",
    ),
    ("ALLOWED_HOSTS", r#"["guard-demo.herokuapp.com"]"#),
];

/// What Django's deploy checks report for the tutorial without `USE_SSL`: the four settings
/// that `USE_SSL` switches on.
pub(crate) const TUTORIAL_WITHOUT_SSL_IDS: [&str; 4] = [
    "security.W004",
    "security.W008",
    "security.W012",
    "security.W016",
];
