//! Verify's client as the gate's window on the live site ([`LiveSite`], a core trait): the gate
//! asks through the trait and never imports verify; the command line hands this one in.

use super::client::{Client, ExtraRoots, load_roots};
use super::failure_reason;
use super::url::Url;
use crate::http_facts::{CaTrust, LiveSite, ResponseFacts};
use std::time::Instant;

/// One request per call, with the platform's CA bundle plus `SSL_CERT_FILE` / `SSL_CERT_DIR`,
/// answered before the deadline; redirects are not followed.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveClient;

impl LiveSite for LiveClient {
    fn get(&self, url: &str, trust: &CaTrust, deadline: Instant) -> Result<ResponseFacts, String> {
        let url = Url::parse_user_input(url)?;
        let roots = load_roots(&ExtraRoots {
            ssl_cert_file: trust.ssl_cert_file.as_deref(),
            ssl_cert_dirs: &trust.ssl_cert_dirs,
            cacerts: &[],
        })
        .map_err(|error| format!("{error}."))?;
        let now = Instant::now();
        let mut client = Client::new(roots, deadline.saturating_duration_since(now), now);
        let hop = client.fetch(&url).map_err(|error| failure_reason(&error))?;
        Ok(ResponseFacts {
            status: hop.status,
            location: hop.location,
            hsts: hop.sts,
            set_cookies: hop.set_cookies,
        })
    }
}
