//! `--format json`: the whole report as one document (see README "JSON output").

use super::Report;

/// The whole report as one pretty-printed JSON document (see README "JSON schema").
#[must_use]
pub fn render_json(report: &Report) -> String {
    // A Report holds only strings, numbers, maps and enums with string forms: serialising it
    // cannot fail, but fall back to a valid document rather than panic if that ever changes.
    serde_json::to_string_pretty(report).unwrap_or_else(|error| {
        serde_json::json!({
            "tool": report.tool,
            "verdict": "error",
            "error": {"title": "Could not render the report", "detail": error.to_string(), "fix": ""},
        })
        .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::report::testing::blocked_report;

    #[test]
    fn json_document_names_everything_in_lowercase() {
        let json: serde_json::Value =
            serde_json::from_str(&render_json(&blocked_report(Mode::Enforce))).unwrap();
        assert_eq!(json["verdict"], "block");
        assert_eq!(json["mode"], "enforce");
        assert_eq!(json["findings"][0]["id"], "security.W004");
        assert_eq!(json["findings"][0]["severity"], "block");
        assert_eq!(json["findings"][0]["source"], "django");
        assert_eq!(json["findings"][0]["fix"], "SECURE_HSTS_SECONDS = 3600");
        assert_eq!(
            json["silenced"][0],
            serde_json::json!({
                "id": "security.W021",
                "source": "SILENCED_SYSTEM_CHECKS",
                "reason": null,
                "until": null,
                "finding": json["silenced"][0]["finding"].clone(),
            })
        );
        assert_eq!(json["silenced"][0]["finding"]["severity"], "warn");
        // The build preview reads the document back.
        let mut report = blocked_report(Mode::Enforce);
        report.silenced[0].reason = Some("HSTS is added by our CDN".to_string());
        report.silenced[0].until = "2027-03-31".parse().ok();
        let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
        assert_eq!(json["silenced"][0]["until"], "2027-03-31");
        let read: Report = serde_json::from_value(json).unwrap();
        assert_eq!(read.silenced, report.silenced);
    }
}
