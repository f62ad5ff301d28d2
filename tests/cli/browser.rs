//! The HTML report in a real browser: headless Chromium renders the example page (with a hostile
//! service name added) to a PNG and to its DOM, 1200 and 390 pixels wide. The five charts must be
//! laid out with a real size and text of 10 pixels or more at both widths, nothing may stick out
//! of a phone's width outside a scroll box, the hostile `<script>` must not run, and the page
//! must load nothing.
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

/// A page that loads the report in two frames, 1200 and 390 pixels wide (a desktop and a phone),
/// and writes what it measured in each into its own DOM: the page title, the charts that are
/// shown, what was loaded, and at 390 pixels, whatever sticks out of the viewport outside a
/// scroll box and the smallest chart text as drawn on the screen.
const PROBE: &str = r#"<!DOCTYPE html>
<html><head><title>probe</title></head><body>
<iframe id="desktop" src="report.html" style="width:1200px;height:900px"></iframe>
<iframe id="phone" src="report.html" style="width:390px;height:900px"></iframe>
<pre id="result">pending</pre>
<script>
var measured = {};
function measure(frame) {
  var doc = frame.contentDocument, win = frame.contentWindow;
  // Open every <details>, so the tables inside them are laid out and checked too.
  Array.prototype.forEach.call(doc.querySelectorAll('details'), function (d) { d.open = true; });
  var viewport = doc.documentElement.clientWidth;
  var shown = Array.prototype.filter.call(doc.querySelectorAll('svg'), function (svg) {
    return svg.getClientRects().length > 0;
  });
  var svgs = shown.map(function (svg) {
    var box = svg.getBoundingClientRect();
    return [Math.round(box.width), Math.round(box.height)];
  });
  // The smallest text of a shown chart, in screen pixels: its font size times the scale of its
  // SVG, unless the box around the chart scrolls (then the reader scrolls instead of squinting).
  var smallest = null, smallestText = '';
  shown.forEach(function (svg) {
    var box = svg.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) { return; }
    var scale = svg.getScreenCTM().a;
    Array.prototype.forEach.call(svg.querySelectorAll('text'), function (text) {
      if (!text.textContent.trim()) { return; }
      var px = parseFloat(win.getComputedStyle(text).fontSize) * scale;
      if (smallest === null || px < smallest) { smallest = px; smallestText = text.textContent.trim(); }
    });
  });
  // Elements that stick out of the viewport sideways, unless a scroll box holds them.
  function inScrollBox(element) {
    for (var a = element.parentElement; a && a !== doc.body; a = a.parentElement) {
      var overflow = win.getComputedStyle(a).overflowX;
      if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') { return true; }
    }
    return false;
  }
  var outside = [];
  Array.prototype.forEach.call(doc.body.querySelectorAll('*'), function (element) {
    if (element.closest('svg') && element.tagName.toLowerCase() !== 'svg') { return; }
    if (element.getClientRects().length === 0) { return; }
    var box = element.getBoundingClientRect();
    if ((box.right > viewport + 0.5 || box.left < -0.5) && !inScrollBox(element)) {
      outside.push(element.tagName.toLowerCase() + '.' + element.className + ': ' +
        Math.round(box.left) + '..' + Math.round(box.right) + ' ' +
        (element.textContent || '').trim().slice(0, 40));
    }
  });
  var scrolling = Array.prototype.filter.call(doc.querySelectorAll('.table-scroll'), function (box) {
    return box.scrollWidth > box.clientWidth + 1;
  }).length;
  var resources = win.performance.getEntriesByType('resource').map(function (r) { return r.name; });
  return {
    title: doc.title, viewport: viewport, page_width: doc.documentElement.scrollWidth,
    svgs: svgs, smallest_chart_text: smallest, smallest_text: smallestText, outside: outside,
    scrolling_tables: scrolling, resources: resources,
    injected: doc.querySelectorAll('script, img').length
  };
}
['desktop', 'phone'].forEach(function (id) {
  document.getElementById(id).addEventListener('load', function () {
    measured[id] = measure(this);
    if (measured.desktop && measured.phone) {
      document.getElementById('result').textContent = JSON.stringify(measured);
    }
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
    for device in ["desktop", "phone"] {
        let measured = &measured[device];
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
            "{device}: four charts and the decomposition, each shown once: {measured}"
        );
        for size in svgs {
            assert!(
                size[0].as_i64().unwrap() > 300 && size[1].as_i64().unwrap() > 150,
                "{device}: {measured}"
            );
        }
        assert_eq!(
            measured["resources"],
            serde_json::json!([]),
            "the page loaded nothing"
        );
        // Chart text as drawn on the screen: 10 pixels or more on a phone as on a desktop.
        let smallest = measured["smallest_chart_text"]
            .as_f64()
            .unwrap_or(f64::INFINITY);
        assert!(
            smallest >= 10.0,
            "{device}: chart text drawn at {smallest:.1} px ({}): {measured}",
            measured["smallest_text"]
        );
    }
    let phone = &measured["phone"];
    assert!(
        phone["viewport"].as_i64().unwrap() <= 390,
        "the phone frame is a phone: {phone}"
    );
    assert_eq!(
        phone["outside"],
        serde_json::json!([]),
        "at 390 px nothing sticks out of the page outside a scroll box: {phone}"
    );
    assert!(
        phone["page_width"].as_i64() <= phone["viewport"].as_i64(),
        "the page itself does not scroll sideways at 390 px: {phone}"
    );
    assert!(
        phone["scrolling_tables"].as_i64().unwrap() >= 1,
        "the service table scrolls inside its box at 390 px: {phone}"
    );
    assert_eq!(
        measured["desktop"]["outside"],
        serde_json::json!([]),
        "{measured}"
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
    let phone_png = dir.path().join("report-390.png");
    let shot = headless(&browser, profile.path())
        .arg(format!("--screenshot={}", phone_png.display()))
        .arg("--window-size=390,2400")
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&phone_png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "{} bytes", bytes.len());
}
