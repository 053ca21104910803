//! The docs hold together: every relative link and anchor in README.md and docs/ resolves, and
//! the README's two commands are the ones CI (`.ci/run`) and the demo run.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every Markdown file under docs/.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    if let Ok(entries) = fs::read_dir(repo().join("docs")) {
        let mut docs: Vec<PathBuf> = entries
            .map(|entry| entry.expect("docs/ is readable").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
            .collect();
        docs.sort();
        files.extend(docs);
    }
    files
}

/// The text outside fenced code blocks, where links are links.
fn prose(markdown: &str) -> String {
    let mut in_fence = false;
    let mut out = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The targets of inline links `[text](target)`, inline code spans left out.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose(markdown).lines() {
        let line: String = line
            .split('`')
            .enumerate()
            .filter(|(index, _)| index % 2 == 0)
            .map(|(_, part)| part)
            .collect();
        let mut rest = line.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// GitHub's anchor for a heading: lowercase, punctuation other than `-` and `_` dropped, spaces
/// to `-`, and `-1`, `-2`, ... for repeats.
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in prose(markdown).lines() {
        let Some(title) = line.strip_prefix('#') else {
            continue;
        };
        let title = title.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut anchor = slug.clone();
        let mut repeat = 0;
        while seen.contains(&anchor) {
            repeat += 1;
            anchor = format!("{slug}-{repeat}");
        }
        seen.insert(anchor);
    }
    seen
}

fn is_external(target: &str) -> bool {
    target.contains("://") || target.starts_with("mailto:")
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    for file in doc_files() {
        let text = fs::read_to_string(&file).expect("doc is readable");
        let dir = file.parent().expect("a file has a directory");
        for target in link_targets(&text) {
            if is_external(&target) {
                continue;
            }
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let linked = if path.is_empty() {
                file.clone()
            } else {
                dir.join(path)
            };
            let name = file
                .strip_prefix(repo())
                .unwrap_or(&file)
                .display()
                .to_string();
            if !linked.exists() {
                broken.push(format!("{name}: {target} (no such file)"));
                continue;
            }
            if !anchor.is_empty() {
                let linked_text = fs::read_to_string(&linked).unwrap_or_default();
                if !anchors(&linked_text).contains(anchor) {
                    broken.push(format!("{name}: {target} (no such heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The commands in the README's "Two commands" block.
fn readme_commands() -> Vec<String> {
    let readme = fs::read_to_string(repo().join("README.md")).expect("README is readable");
    let section = readme
        .split("\n## ")
        .find(|section| section.starts_with("Two commands"))
        .expect("README has a `Two commands` section");
    let block = section
        .split("```")
        .nth(1)
        .expect("the section has a code block");
    block
        .lines()
        .skip(1) // the fence's language
        .filter_map(|line| line.split('#').next())
        .map(str::trim)
        .filter(|command| !command.is_empty())
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_readme_commands_are_what_ci_and_the_demo_run() {
    assert_eq!(readme_commands(), ["scripts/demo", "scripts/test"]);
    let ci = fs::read_to_string(repo().join(".ci/run")).expect(".ci/run is readable");
    let ci_commands: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    assert_eq!(ci_commands.last(), Some(&"exec scripts/test"), "{ci}");
    for script in ["scripts/demo", "scripts/test"] {
        let mode = fs::metadata(repo().join(script))
            .map(|metadata| std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()));
        assert!(
            mode.is_ok_and(|mode| mode & 0o111 != 0),
            "{script} is not executable"
        );
    }
    let demo = fs::read_to_string(repo().join("scripts/demo")).expect("scripts/demo is readable");
    assert!(demo.contains("--example demo"), "{demo}");
}

#[test]
fn the_link_checker_sees_links_anchors_and_code() {
    let text = "# Two words\n## Two words\n[a](docs/x.md#y) `[b](no)`\n```\n[c](no)\n```\n";
    assert_eq!(link_targets(text), ["docs/x.md#y"]);
    assert_eq!(
        anchors(text),
        ["two-words".to_string(), "two-words-1".to_string()].into()
    );
    assert_eq!(
        anchors("## `release-guard verify`\n## Render, Fly.io, Railway and Dokku\n"),
        [
            "release-guard-verify".to_string(),
            "render-flyio-railway-and-dokku".to_string()
        ]
        .into()
    );
    assert!(Path::new(&repo()).join("README.md").exists());
}
