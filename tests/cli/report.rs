//! `fleetsave report`: inventories in CSV and TOML, plans, targets, totals and errors.

use crate::common::*;
use sha2::Digest as _;

const CSV: &str = "data/examples/fleet.csv";
const TOML: &str = "data/examples/fleet.toml";

#[test]
fn csv_and_toml_examples_give_byte_identical_json() {
    let from_csv = stdout_of(&["report", CSV, "--format", "json"]);
    let from_toml = stdout_of(&["report", TOML, "--format", "json"]);
    assert_eq!(from_csv, from_toml);
    let text_csv = stdout_of(&["report", CSV]);
    assert_eq!(text_csv, stdout_of(&["report", TOML]));
}

#[test]
fn the_example_fleet_has_committed_plans_growth_and_targets() {
    let json = json_of(&["report", CSV, "--format", "json"]);
    let services = json["services"].as_array().unwrap();
    assert_eq!(services.len(), 15);
    let by_name = |name: &str| {
        services
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let recommendations = by_name("recommendations");
    assert_eq!(recommendations["target"]["status"], "above");
    assert_eq!(
        int(&recommendations["target"]["recoverable_disk_bytes"]),
        190_000_000
    );
    let auth = by_name("auth");
    assert_eq!(auth["target"]["status"], "within");
    assert_eq!(int(&auth["target"]["recoverable_disk_bytes"]), 0);
    assert_eq!(by_name("reporting")["growth"], true);
    let search = by_name("search");
    assert_eq!(search["projected"], true);
    assert!(search["after"].is_null());
    // search: 710 MB → 180–250 MB on 10 nodes × 3 deploys = 30 pulls a day (disk basis).
    assert_eq!(
        int(&search["saved_per_day"]["low"]["disk_bytes"]),
        30 * 460_000_000
    );
    assert_eq!(
        int(&search["saved_per_day"]["high"]["disk_bytes"]),
        30 * 530_000_000
    );
    assert!(by_name("legacy-billing, v1")["target"].is_null());
    // committed rows come first, sorted by saving per day; plans after.
    let projected: Vec<bool> = services.iter().map(|s| s["projected"] == true).collect();
    assert_eq!(projected.iter().filter(|p| **p).count(), 3);
    assert!(
        projected.windows(2).all(|w| !w[0] || w[1]),
        "plans come last"
    );
    let committed_savings: Vec<i128> = services
        .iter()
        .filter(|s| s["projected"] == false)
        .map(|s| int(&s["saved_per_day"]["wire_bytes"]))
        .collect();
    assert!(committed_savings.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn totals_are_the_sum_of_committed_rows_and_plans_stay_separate() {
    let json = json_of(&["report", CSV, "--format", "json"]);
    let services = json["services"].as_array().unwrap();
    let committed = services.iter().filter(|s| s["projected"] == false);
    let (mut disk, mut wire, mut pulls) = (0i128, 0i128, 0i128);
    for s in committed {
        disk += int(&s["saved_per_day"]["disk_bytes"]);
        wire += int(&s["saved_per_day"]["wire_bytes"]);
        pulls += int(&s["pulls_per_day"]);
    }
    let totals = &json["totals"];
    assert_eq!(int(&totals["per_day"]["saved"]["disk_bytes"]), disk);
    assert_eq!(int(&totals["per_day"]["saved"]["wire_bytes"]), wire);
    assert_eq!(int(&totals["pulls_per_day"]), pulls);
    assert_eq!(totals["rows"], 12);
    let plans = services.iter().filter(|s| s["projected"] == true);
    let (mut low, mut high) = (0i128, 0i128);
    for s in plans {
        low += int(&s["saved_per_day"]["low"]["wire_bytes"]);
        high += int(&s["saved_per_day"]["high"]["wire_bytes"]);
    }
    let projected = &json["projected_totals"];
    assert_eq!(int(&projected["per_day"]["low"]["wire_bytes"]), low);
    assert_eq!(int(&projected["per_day"]["high"]["wire_bytes"]), high);
    assert_eq!(projected["rows"], 3);
    let text = stdout_of(&["report", CSV]);
    assert!(text.contains("projected, not included above"), "{text}");
}

#[test]
fn next_steps_add_what_reaching_the_targets_would_save() {
    let json = json_of(&["report", CSV, "--format", "json"]);
    let next = &json["next_steps"];
    // recommendations: 190 MB over × 24 pulls; reporting: 35 MB over × 8 pulls.
    assert_eq!(next["services_above_target"], 2);
    assert_eq!(
        int(&next["recoverable_per_day"]["disk_bytes"]),
        190_000_000 * 24 + 35_000_000 * 8
    );
    assert_eq!(
        int(&next["recoverable_per_day"]["wire_bytes"]),
        70_300_000 * 24 + 12_950_000 * 8
    );
    assert_eq!(next["techniques"].as_array().unwrap().len(), 7);
    assert_eq!(next["techniques"][0]["priority"], 1);
    let calc = json_of(&[
        "calc",
        "--before",
        "1GB",
        "--after",
        "100MB",
        "--runtime",
        "python",
        "--format",
        "json",
    ]);
    assert!(calc["next_steps"].is_null());
}

#[test]
fn a_messy_real_world_csv_is_read_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "\u{feff}Service,Before,After,Nodes,deploys_per_day,runtime\r\n\
               \"checkout, eu\",1.1GB,850 MiB,3,,\r\n\
               zürich-api,43188023,20000000,,2,python\r\n\
               \"日本語-svc\",850 MiB,0.5GB,2,1,\r\n";
    let path = write_file(dir.path(), "fleet.csv", csv);
    let json = json_of(&["report", path.to_str().unwrap(), "--format", "json"]);
    let services = json["services"].as_array().unwrap();
    let by_name = |name: &str| services.iter().find(|s| s["name"] == name).unwrap();
    let checkout = by_name("checkout, eu");
    assert_eq!(int(&checkout["before"]["disk_bytes"]), 1_100_000_000);
    assert_eq!(int(&checkout["after"]["disk_bytes"]), 850 * 1_048_576);
    assert_eq!(int(&checkout["pulls_per_day"]), 3);
    let zurich = by_name("zürich-api");
    assert_eq!(int(&zurich["before"]["disk_bytes"]), 43_188_023);
    assert_eq!(int(&zurich["pulls_per_day"]), 2);
    assert_eq!(zurich["runtime"], "python");
    let japanese = by_name("日本語-svc");
    assert_eq!(int(&japanese["before"]["disk_bytes"]), 891_289_600);
    assert_eq!(int(&japanese["after"]["disk_bytes"]), 500_000_000);
    let sum: i128 = services
        .iter()
        .map(|s| int(&s["saved_per_day"]["disk_bytes"]))
        .sum();
    assert_eq!(int(&json["totals"]["per_day"]["saved"]["disk_bytes"]), sum);
    assert_eq!(
        sum,
        3 * (1_100_000_000 - 891_289_600)
            + 2 * (43_188_023 - 20_000_000)
            + 2 * (891_289_600 - 500_000_000)
    );
}

#[test]
fn stdin_and_flags_as_defaults() {
    let output = fleetsave()
        .args(["report", "-", "--nodes", "5", "--format", "json"])
        .write_stdin("service,before,after,nodes\na,100MB,50MB,\nb,100MB,50MB,2\n")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // a takes --nodes 5; b's cell wins.
    assert_eq!(int(&json["totals"]["pulls_per_day"]), 7);
}

#[test]
fn toml_defaults_and_assumptions_apply_under_flags() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "[defaults]\nnodes = 4\ndeploys_per_day = 2\n\n[assumptions]\npricing = \"internet\"\n\n\
                [[service]]\nservice = \"a\"\nbefore = \"300MB\"\nafter = \"100MB\"\n";
    let path = write_file(dir.path(), "fleet.toml", toml);
    let json = json_of(&["report", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(int(&json["totals"]["pulls_per_day"]), 8);
    assert_eq!(json["assumptions"]["pricing"]["value"], "internet");
    assert_eq!(json["assumptions"]["pricing"]["origin"], "file");
    let json = json_of(&[
        "report",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--nodes",
        "1",
        "--pricing",
        "same-region",
    ]);
    assert_eq!(int(&json["totals"]["pulls_per_day"]), 2);
    assert_eq!(json["assumptions"]["pricing"]["value"], "same-region");
}

/// Runs `report` on an inventory that must be refused; returns the first line of stderr.
fn refused(name: &str, content: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), name, content);
    let (code, stderr) = failure_of(&["report", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.lines().next().unwrap_or_default().to_string()
}

#[test]
fn bad_inventories_name_line_and_column() {
    let line = refused("fleet.csv", "api,500MB,80MB\nweb,400MB,90MB\n");
    assert!(
        line.contains("fleet.csv line 1") && line.contains("header row"),
        "{line}"
    );

    let line = refused(
        "fleet.csv",
        "service,before,after,colour\napi,500MB,80MB,red\n",
    );
    assert!(
        line.contains("fleet.csv line 1, colour: unknown column 'colour'"),
        "{line}"
    );
    assert!(
        line.contains("before_image"),
        "lists the known columns: {line}"
    );

    let rows: String = (1..=5).map(|i| format!("svc{i},500MB,80MB\n")).collect();
    let line = refused(
        "fleet.csv",
        &format!("service,before,after\n{rows}svc6,5OOMB,80MB\n"),
    );
    assert!(line.contains("fleet.csv line 7, before: '5OOMB'"), "{line}");

    let line = refused(
        "fleet.csv",
        "service,before,after,nodes\napi,500MB,80MB,-3\n",
    );
    assert!(
        line.contains("fleet.csv line 2, nodes: '-3' is negative"),
        "{line}"
    );
    // A CSV user is shown a cell's value, not TOML syntax.
    assert!(line.ends_with("e.g. 10"), "{line}");

    let line = refused(
        "fleet.csv",
        "service,before,after\napi,500MB,80MB\nweb,1GB,1MB\napi,1MB,1MB\n",
    );
    assert!(
        line.contains("fleet.csv line 4, service: 'api' is a duplicate"),
        "{line}"
    );
    assert!(line.contains("line 2"), "{line}");

    let line = refused("fleet.csv", "");
    assert!(
        line.contains("fleet.csv") && line.contains("is empty"),
        "{line}"
    );

    let line = refused("fleet.csv", "service,before,after\n");
    assert!(line.contains("has no services"), "{line}");

    let line = refused("fleet.csv", "service,before,after\napi,500MB,80MB,extra\n");
    assert!(
        line.contains("fleet.csv line 2") && line.contains("cells"),
        "{line}"
    );

    let line = refused(
        "fleet.csv",
        "service,runtime,before,after\nlegacy,other,500MB,\n",
    );
    assert!(
        line.contains("line 2, after") && line.contains("no size target"),
        "{line}"
    );

    let line = refused("fleet.csv", "service,before,after\napi,,80MB\n");
    assert!(line.contains("line 2, before"), "{line}");

    let line = refused(
        "fleet.csv",
        "service,before,after,runtime\napi,1GB,80MB,cobol\n",
    );
    assert!(line.contains("line 2, runtime: 'cobol'"), "{line}");

    let line = refused(
        "fleet.toml",
        "[[service]]\nservice = \"a\"\nbefore = \"1GB\"\ncolour = \"red\"\n",
    );
    assert!(
        line.contains("fleet.toml line 4, colour: unknown key 'colour'"),
        "{line}"
    );

    let line = refused(
        "fleet.toml",
        "[[service]]\nservice = \"a\"\nbefore = \"1GB\"\nafter = \"x\"\n",
    );
    assert!(line.contains("fleet.toml line 4, after: 'x'"), "{line}");

    let line = refused("fleet.toml", "[[service]]\nservice = \"a\"\nbefore = [1]\n");
    assert!(line.contains("fleet.toml line 3, before"), "{line}");

    let line = refused(
        "fleet.toml",
        "[defaults]\nnodes = 0\n[[service]]\nservice = \"a\"\nbefore = \"1GB\"\nafter = \"1MB\"\n",
    );
    assert!(
        line.contains("fleet.toml line 2, nodes: '0' is zero"),
        "{line}"
    );
    assert!(line.ends_with("e.g. nodes = 10"), "{line}");

    let line = refused("fleet.toml", "[[service]\n");
    assert!(line.contains("fleet.toml line 1"), "{line}");

    let line = refused(
        "fleet.toml",
        "[assumptions]\nbandwidth = \"fast\"\n[[service]]\nservice = \"a\"\nbefore = \"1GB\"\nafter = \"1MB\"\n",
    );
    assert!(
        line.contains("fleet.toml line 2, bandwidth: 'fast'"),
        "{line}"
    );
}

#[test]
fn a_missing_inventory_is_exit_2_naming_it() {
    let (code, stderr) = failure_of(&["report", "no/such/fleet.csv"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/fleet.csv"), "{stderr}");
}

#[test]
fn text_stays_within_80_columns_and_truncates_long_names() {
    let dir = tempfile::tempdir().unwrap();
    let long = "a-very-long-service-name-that-goes-on-and-on";
    let path = write_file(
        dir.path(),
        "fleet.csv",
        &format!("service,runtime,before,after\n{long},python,1.4GB,310MB\nb,go,1GB,\n"),
    );
    let text = stdout_of(&["report", path.to_str().unwrap()]);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(text.contains("a-very-long-servic…"), "{text}");
    let example = stdout_of(&["report", CSV]);
    for line in example.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
}

#[test]
fn snapshots_of_the_example_fleet() {
    insta::assert_snapshot!("report_example_text", stdout_of(&["report", CSV]));
    insta::assert_snapshot!(
        "report_example_json",
        stdout_of(&["report", CSV, "--format", "json"])
    );
}

#[test]
fn large_reports_are_written_as_compact_json_with_the_same_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("service,before,after\n");
    for i in 0..1001 {
        csv.push_str(&format!("s{i},{}MB,{}MB\n", 100 + i, 50 + i % 7));
    }
    let path = write_file(dir.path(), "big.csv", &csv);
    let compact = stdout_of(&["report", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(compact.lines().count(), 1, "one line beyond 1,000 services");
    let json: serde_json::Value = serde_json::from_str(&compact).unwrap();
    assert_eq!(json["services"].as_array().unwrap().len(), 1001);
    let small = stdout_of(&["report", CSV, "--format", "json"]);
    assert!(
        small.lines().count() > 100,
        "indented for reports people read"
    );
}

/// Fleet flags fill empty cells only; when rows set their own value, one warning per flag says
/// so, with the count, and the figures keep the rows' values.
#[test]
fn fleet_flags_that_rows_override_are_named_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_file(
        dir.path(),
        "fleet.csv",
        "service,before,after,nodes\na,1GB,100MB,4\nb,1GB,100MB,\nc,1GB,100MB,2\n",
    );
    let output = fleetsave()
        .args([
            "report",
            csv.to_str().unwrap(),
            "--nodes",
            "120",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        "warning: --nodes 120 is a default for empty 'nodes' cells: 2 of 3 rows set their own \
         and keep it (--scale-nodes FACTOR multiplies every row's)"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // 4 + 120 + 2 nodes, one deploy a day each.
    assert_eq!(int(&json["totals"]["pulls_per_day"]), 126);
    // A flag no row overrides says nothing.
    let quiet = fleetsave()
        .args(["report", csv.to_str().unwrap(), "--services", "2"])
        .output()
        .unwrap();
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

/// Wide characters take two terminal columns: every row's columns still line up.
#[test]
fn text_tables_line_up_with_wide_characters() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_file(
        dir.path(),
        "fleet.csv",
        "service,runtime,before,after\n支付服务-网关,go,800MB,20MB\napi,go,700MB,20MB\n",
    );
    let text = stdout_of(&["report", csv.to_str().unwrap()]);
    let columns_to = |line: &str, needle: &str| {
        let end = line.find(needle).expect("the cell is on the line");
        unicode_width::UnicodeWidthStr::width(&line[..end])
    };
    let wide = text.lines().find(|l| l.starts_with("支付服务")).unwrap();
    let ascii = text.lines().find(|l| l.starts_with("api ")).unwrap();
    assert_eq!(
        columns_to(wide, " go "),
        columns_to(ascii, " go "),
        "{text}"
    );
    assert_eq!(
        columns_to(wide, "within"),
        columns_to(ascii, "within"),
        "{text}"
    );
}

/// An error quotes at most 200 characters of a bad value, wherever it was.
#[test]
fn errors_quote_bad_values_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    for (name, content) in [
        ("header.csv", format!("service,{long}\na,1\n")),
        ("cell.csv", format!("service,before\na,{long}\n")),
        ("key.toml", format!("[[service]]\n{long} = 1\n")),
    ] {
        let path = write_file(dir.path(), name, &content);
        let (code, stderr) = failure_of(&["report", path.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}");
        assert!(stderr.len() < 1_000, "{name}: {} bytes", stderr.len());
        assert!(stderr.contains("(100000 characters)"), "{name}: {stderr}");
    }
}

/// The inventory `scripts/gen-inventory.sh N` writes (the benchmarks' input), made here without a
/// shell: all five runtimes, mixed units, one row in ten a plan, one in fifty grown.
fn generated_inventory(n: u64) -> String {
    let runtimes = ["go", "python", "node", "java", "java-jlink"];
    let mut csv = String::from("service,runtime,before,after,services,nodes,deploys_per_day\n");
    for i in 1..=n {
        let runtime = runtimes[(i % 5) as usize];
        let before = 200 + (i * 37) % 1800;
        let after = if i % 10 == 0 {
            String::new()
        } else if i % 50 == 1 {
            format!("{}MB", before + 15)
        } else {
            format!("{}MB", 40 + (i * 13) % 260)
        };
        csv += &format!(
            "svc-{i:06},{runtime},{before} MB,{after},{},{},{}\n",
            1 + i % 3,
            1 + i % 40,
            1 + i % 12
        );
    }
    csv
}

/// The JSON report of a generated inventory (compact, beyond 1,000 services) is byte for byte
/// the committed expectation, written to a file and to stdout alike: performance work on the
/// JSON writer, the inventory reader or the model may not change one byte. When the report
/// changes on purpose, update the digest and length from the message.
#[test]
fn the_json_of_a_generated_inventory_is_byte_identical_to_the_committed_one() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "inv.csv", &generated_inventory(3000));
    let run = |args: &[&str]| {
        let output = fleetsave()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        output.stdout
    };
    let stdout = run(&["report", "inv.csv", "--format", "json"]);
    run(&["report", "inv.csv", "--format", "json", "-o", "out.json"]);
    let file = std::fs::read(dir.path().join("out.json")).unwrap();
    assert!(stdout == file, "stdout and the file differ");
    let digest: String = sha2::Sha256::digest(&file)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(
        (digest.as_str(), file.len()),
        (GENERATED_3000_SHA256, GENERATED_3000_BYTES),
        "the JSON report of 3,000 generated services changed"
    );
}

/// A large inventory (1 MiB or more) runs with huge pages for its heap: the process starts
/// itself again with glibc's `hugetlb` tunable, and writes the bytes a run without it writes.
/// The report goes to a FIFO, so the run is seen (its environment read) while it writes.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn a_large_inventory_runs_with_huge_pages_and_the_same_bytes() {
    use std::io::Read as _;
    let dir = tempfile::tempdir().unwrap();
    let inventory = generated_inventory(30_000);
    assert!(inventory.len() >= 1 << 20, "{}", inventory.len());
    write_file(dir.path(), "inv.csv", &inventory);
    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fleetsave"))
        .current_dir(dir.path())
        .env_remove("GLIBC_TUNABLES")
        .args(["report", "inv.csv", "--format", "json", "-o", "report.fifo"])
        .spawn()
        .unwrap();
    // Opened for reading once the run opens it to write: it has started again by then.
    let mut reader = std::fs::File::open(&fifo).unwrap();
    let environment = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap();
    let mut written = Vec::new();
    reader.read_to_end(&mut written).unwrap();
    assert!(child.wait().unwrap().success());
    let variables: Vec<&[u8]> = environment.split(|&byte| byte == 0).collect();
    assert!(
        variables.contains(&&b"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"[..]),
        "{}",
        String::from_utf8_lossy(&environment)
    );
    // Without the restart (the tunable set already, to 0): the same bytes.
    let plain = fleetsave()
        .current_dir(dir.path())
        .env("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0")
        .args(["report", "inv.csv", "--format", "json"])
        .output()
        .unwrap();
    assert!(plain.status.success());
    assert!(
        written == plain.stdout,
        "the report differs with huge pages"
    );
}

const GENERATED_3000_SHA256: &str =
    "ac23b5d24b3f176ff63efe618edbd679161dd4253ddb34bb9a1635ae63fda9c2";
const GENERATED_3000_BYTES: usize = 2_692_632;

/// The example fleet's JSON written to a file is the bytes written to stdout (whose text the
/// `report_example_json` snapshot holds).
#[test]
fn the_example_fleet_json_is_the_same_in_a_file_and_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fleet.json");
    let stdout = stdout_of(&["report", CSV, "--format", "json"]);
    let status = fleetsave()
        .args(["report", CSV, "--format", "json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout);
}

#[test]
fn three_deploys_a_week_on_ten_nodes_are_thirty_sevenths_of_a_pull_a_day_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_file(
        dir.path(),
        "fleet.csv",
        "service,before,after,nodes,deploys_per_day\nweekly,700MB,70MB,10,3/week\n\
         monthly,1GB,1GB,1,20/month\nhalf,1GB,0.5GB,1,0.5\n",
    );
    let path = csv.to_str().unwrap();
    let json = json_of(&["report", path, "--format", "json"]);
    let row = |name: &str| {
        json["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    let weekly = row("weekly");
    assert_eq!(weekly["pulls_per_day"].as_f64(), Some(4.285714285714286));
    assert_eq!(weekly["deploys_per_day"].as_f64(), Some(3.0 / 7.0));
    // 630 MB × 30/7 = 2.7 GB a day exactly; a year of 365 days: 630 MB × 10950/7 pulls,
    // rounded once to the byte (no float drift).
    assert_eq!(int(&weekly["saved_per_day"]["disk_bytes"]), 2_700_000_000);
    assert_eq!(
        int(&weekly["saved_per_year"]["disk_bytes"]),
        985_500_000_000
    );
    // 20 a month on 1 node: 240 pulls a year, whatever days_per_year says.
    let monthly = row("monthly");
    assert_eq!(monthly["pulls_per_day"].as_f64(), Some(240.0 / 365.0));
    assert_eq!(row("half")["pulls_per_day"].as_f64(), Some(0.5));
    // Text rounds: 4.3 + 0.66 + 0.5 pulls a day.
    let text = stdout_of(&["report", path]);
    assert!(text.contains("5.4 pulls a day"), "{text}");
    // The flag takes the same forms.
    let json = json_of(&[
        "calc",
        "--before",
        "700MB",
        "--after",
        "70MB",
        "--nodes",
        "10",
        "--deploys-per-day",
        "3/week",
        "--format",
        "json",
    ]);
    assert_eq!(
        json["totals"]["pulls_per_day"].as_f64(),
        Some(4.285714285714286)
    );
}

/// `--scale-nodes` and `--scale-deploys` multiply every row's value, and the title says so.
#[test]
fn scenario_flags_multiply_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_file(
        dir.path(),
        "fleet.csv",
        "service,before,after,nodes,deploys_per_day\na,1GB,100MB,4,2\nb,1GB,100MB,,3/week\n",
    );
    let path = csv.to_str().unwrap();
    let output = fleetsave()
        .args([
            "report",
            path,
            "--nodes",
            "7",
            "--deploys-per-day",
            "1",
            "--scale-nodes",
            "3",
            "--scale-deploys",
            "2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Every flag a row overrides is named.
    assert!(
        stderr.contains("warning: --nodes 7 is a default"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: --deploys-per-day 1 is a default"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // a: 4 × 3 nodes × 2 × 2 deploys = 48; b (empty cells take nothing: it sets deploys, not
    // nodes): 7 × 3 nodes × 6/week = 18 pulls a day.
    assert_eq!(int(&json["totals"]["pulls_per_day"]), 48 + 18);
    assert_eq!(
        json["title"],
        "fleetsave: image savings across the fleet (scenario: nodes × 3, deploys × 2)"
    );
    let json = json_of(&[
        "calc",
        "--before",
        "900MB",
        "--after",
        "250MB",
        "--nodes",
        "40",
        "--deploys-per-day",
        "4",
        "--scale-nodes",
        "3",
        "--scale-deploys",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(int(&json["totals"]["pulls_per_day"]), 960);
}
