//! The web process as the probe receives it with its request: the server and its words (for
//! the server's proxy trust), the module it loads and the environment it has (for the
//! simulation), read once in Rust ([`crate::web_process`]) so the probe parses no Procfile.

use super::Environment;
use crate::config::env;
use crate::web_process::{self, WebProcess, WebResolution};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ffi::OsString;

/// The probe's environment entry carrying the web process as JSON; the probe removes it before
/// any app code runs.
pub const WEB_PROCESS_ENV: &str = "RELEASE_GUARD_PROBE_WEB";

#[derive(Debug, Serialize)]
struct ProbeWebProcess<'a> {
    /// `gunicorn`, `uvicorn`, ...; `None` when the web process is unknown.
    server: Option<&'static str>,
    /// The server's words after its program name.
    args: &'a [String],
    module: Option<&'a str>,
    attribute: Option<&'a str>,
    /// The directory, relative to the app, the web process imports from (gunicorn's
    /// `--chdir`, `--pythonpath`, `cd dir &&`); `""` for the app directory itself.
    import_root: Option<String>,
    /// Set while the probe imports the web process's module, then restored: what the platform
    /// sets for web processes, and what the command itself sets.
    environ: BTreeMap<String, String>,
    /// Why the web process is unknown, for the simulation's own message.
    unknown_because: Option<String>,
}

/// The probe's environment entry for `web`, with what the platform sets for web processes
/// given the guard's own `environment`.
#[must_use]
pub fn probe_env(web: &WebResolution, environment: &Environment) -> (OsString, OsString) {
    let port = environment.get("PORT").and_then(|port| port.to_str());
    let mut environ: BTreeMap<String, String> =
        web_process::platform_environment(environment.get("DYNO").is_some(), port)
            .into_iter()
            .collect();
    let process = match web {
        WebResolution::Understood(process) => Some(process),
        _ => None,
    };
    if let Some(process) = process {
        // The settings module is the table's decision, already in the probe's environment.
        environ.extend(
            process
                .environment
                .iter()
                .filter(|(name, _)| name != env::DJANGO_SETTINGS_MODULE)
                .cloned(),
        );
    }
    let unknown_because = match web {
        WebResolution::Understood(_) => None,
        WebResolution::NoProcfile => Some("there is no Procfile".to_string()),
        WebResolution::NoWebCommand => Some("the Procfile has no web: command".to_string()),
        WebResolution::Unsure { reason, .. } => Some(reason.clone()),
    };
    let request = ProbeWebProcess {
        server: process.map(|process| process.server.name()),
        args: process.map_or(&[], |process| process.args.as_slice()),
        module: process
            .and_then(|process| process.app.as_ref())
            .map(|app| app.module.as_str()),
        attribute: process
            .and_then(|process| process.app.as_ref())
            .map(|app| app.attribute.as_str()),
        import_root: process
            .and_then(WebProcess::import_root)
            .map(|root| root.display().to_string()),
        environ,
        unknown_because,
    };
    let json = serde_json::to_string(&request).unwrap_or_else(|_| "{}".to_string());
    (WEB_PROCESS_ENV.into(), json.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(web: &WebResolution, vars: &[(&str, &str)]) -> serde_json::Value {
        let environment: Environment = vars
            .iter()
            .map(|(name, value)| (OsString::from(name), OsString::from(value)))
            .collect();
        let (name, value) = probe_env(web, &environment);
        assert_eq!(name, WEB_PROCESS_ENV);
        serde_json::from_str(value.to_str().unwrap()).unwrap()
    }

    #[test]
    fn the_probe_gets_the_server_module_and_web_environment() {
        let process = crate::web_process::understand(
            "DJANGO_SETTINGS_MODULE=a.b env SENTRY_ENV=web gunicorn --forwarded-allow-ips=* config.wsgi:application",
            &NoFiles,
            &|_| None,
        );
        let web = WebResolution::Understood(process.unwrap());
        assert_eq!(
            request(&web, &[("DYNO", "release.3")]),
            serde_json::json!({
                "server": "gunicorn",
                "args": ["--forwarded-allow-ips=*", "config.wsgi:application"],
                "module": "config.wsgi",
                "attribute": "application",
                "import_root": "",
                "environ": {"PORT": "5000", "DYNO": "web.1", "SENTRY_ENV": "web"},
                "unknown_because": null,
            })
        );
        assert_eq!(
            request(&WebResolution::NoProcfile, &[("PORT", "8080")]),
            serde_json::json!({
                "server": null,
                "args": [],
                "module": null,
                "attribute": null,
                "import_root": null,
                "environ": {"PORT": "8080"},
                "unknown_because": "there is no Procfile",
            })
        );
    }

    /// An app in which every module exists, and no file can be read.
    struct NoFiles;

    impl crate::web_process::AppFiles for NoFiles {
        fn read(&self, _: &std::path::Path) -> Result<Option<String>, String> {
            Ok(None)
        }

        fn exists(&self, path: &std::path::Path) -> bool {
            path.extension().is_some()
        }
    }
}
