//! The HTML report in a real browser: headless Chromium renders the example page (with a hostile
//! service name added) to a PNG and to its DOM. The four charts must be laid out with a real
//! size, the hostile `<script>` must not run, and the page must load nothing.
//!
//! Ignored unless asked for (`cargo test -- --include-ignored`): it needs Chromium, and fails
//! when there is none.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// The Chromium binary; panics, saying what to install, when there is none.
fn chromium() -> String {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    let found = candidates.iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    });
    match found {
        Some(name) => name.to_string(),
        None => panic!("needs Chromium: apt-get install chromium"),
    }
}

fn headless(browser: &str, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--allow-file-access-from-files",
        "--virtual-time-budget=5000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// A page that loads the report in a frame and writes what it measured into its own DOM.
const PROBE: &str = r#"<!DOCTYPE html>
<html><head><title>probe</title></head><body>
<iframe id="report" src="report.html" style="width:1200px;height:900px"></iframe>
<pre id="result">pending</pre>
<script>
document.getElementById('report').addEventListener('load', function () {
  var doc = this.contentDocument;
  var sizes = Array.prototype.map.call(doc.querySelectorAll('svg'), function (svg) {
    var box = svg.getBoundingClientRect();
    return [Math.round(box.width), Math.round(box.height)];
  });
  var resources = this.contentWindow.performance.getEntriesByType('resource').map(function (r) { return r.name; });
  document.getElementById('result').textContent = JSON.stringify({
    title: doc.title, svgs: sizes, resources: resources,
    injected: doc.querySelectorAll('script, img').length
  });
});
</script>
</body></html>"#;

#[test]
#[ignore = "needs Chromium"]
fn the_example_report_renders_in_chromium() {
    let browser = chromium();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = std::fs::read_to_string(project_file("data/examples/fleet.csv")).unwrap();
    csv.push_str("\"<script>document.title='pwned'</script>\",python,900MB,300MB,,2,2,,,\n");
    let inventory = write_file(dir.path(), "fleet.csv", &csv);
    let report = dir.path().join("report.html");
    fleetsave()
        .args([
            "report",
            inventory.to_str().unwrap(),
            "--format",
            "html",
            "-o",
        ])
        .arg(&report)
        .assert()
        .success();
    write_file(dir.path(), "probe.html", PROBE);
    let profile = tempfile::tempdir().unwrap();

    let dom = headless(&browser, profile.path())
        .arg("--dump-dom")
        .arg(format!(
            "file://{}",
            dir.path().join("probe.html").display()
        ))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    let result = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .expect("the probe wrote its result");
    let result = result.replace("&quot;", "\"").replace("&amp;", "&");
    let measured: serde_json::Value =
        serde_json::from_str(&result).unwrap_or_else(|e| panic!("{e}: {result}"));
    assert_eq!(
        measured["title"], "fleetsave: image savings across the fleet",
        "the hostile script must not run: {measured}"
    );
    assert_eq!(
        measured["injected"], 0,
        "no script or img element in the page: {measured}"
    );
    let svgs = measured["svgs"].as_array().unwrap();
    assert_eq!(
        svgs.len(),
        5,
        "four charts and the decomposition: {measured}"
    );
    for size in svgs {
        assert!(
            size[0].as_i64().unwrap() > 300 && size[1].as_i64().unwrap() > 150,
            "{measured}"
        );
    }
    assert_eq!(
        measured["resources"],
        serde_json::json!([]),
        "the page loaded nothing"
    );

    let png = dir.path().join("report.png");
    let shot = headless(&browser, profile.path())
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1200,2000")
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 50_000,
        "{} bytes",
        bytes.len()
    );
}
