//! Numbers never overflow silently (issue 10): property tests over the whole `u64` range of
//! sizes and counts. Every figure is either exactly what arbitrary-precision arithmetic gives
//! (checked here against `u128`/`i128` oracles) or an overflow error — never a wrapped,
//! saturated or non-finite number. Covers the size parser, the compression-ratio estimates, the
//! full-pull model and its fleet totals, manifest totals, and `calc` end to end; plus the stable
//! (proptest) runs of every fuzz harness on random bytes.

use fleetsave::calc::full_pull::{self, ModelParameters, PullRates};
use fleetsave::model::rate::DeployRate;
use fleetsave::model::{FleetShape, ImageSize};
use fleetsave::units::{self, Ratio, UnitError};
use proptest::prelude::*;

use crate::common::fleetsave;
use crate::harness;

const UNITS: &[(&str, u128)] = &[
    ("", 1),
    ("B", 1),
    ("kB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("PB", 1_000_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("PiB", 1 << 50),
];

/// Any u64, with the edges (0, 1, 2^64 − 1, powers of two) well represented.
fn any_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        Just(0u64),
        Just(1u64),
        Just(u64::MAX),
        (0u32..64).prop_map(|shift| 1u64 << shift),
        (0u32..64).prop_map(|shift| (1u64 << shift).wrapping_sub(1)),
    ]
}

fn round_half_up(numerator: u128, denominator: u128) -> u128 {
    (numerator + denominator / 2) / denominator
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sizes_parse_exactly_or_overflow(value in any_u64(), unit in 0..UNITS.len(), space in any::<bool>()) {
        let (name, multiplier) = UNITS[unit];
        let text = format!("{value}{}{name}", if space { " " } else { "" });
        let exact = u128::from(value) * multiplier;
        match units::parse_size(&text) {
            Ok(bytes) => prop_assert_eq!(u128::from(bytes), exact),
            Err(UnitError::SizeOverflow(quoted)) => {
                prop_assert!(exact > u128::from(u64::MAX), "{} refused but fits", text);
                prop_assert_eq!(quoted, text);
            }
            Err(other) => prop_assert!(false, "{}: {}", text, other),
        }
    }

    #[test]
    fn fractions_round_to_the_nearest_byte_or_overflow(
        whole in 0u64..100_000_000,
        fraction in proptest::collection::vec(0u8..10, 1..16),
        unit in 0..UNITS.len(),
    ) {
        let (name, multiplier) = UNITS[unit];
        let digits: String = fraction.iter().map(|d| char::from(b'0' + d)).collect();
        let text = format!("{whole}.{digits}{name}");
        let scale = 10u128.pow(fraction.len() as u32);
        let numerator = (u128::from(whole) * scale + digits.parse::<u128>().unwrap()) * multiplier;
        let exact = round_half_up(numerator, scale);
        match units::parse_size(&text) {
            Ok(bytes) => prop_assert_eq!(u128::from(bytes), exact),
            Err(UnitError::SizeOverflow(_)) => prop_assert!(exact > u128::from(u64::MAX)),
            Err(other) => prop_assert!(false, "{}: {}", text, other),
        }
    }

    #[test]
    fn ratio_estimates_are_exact_or_refused(
        numerator in 1u64..=1000,
        bytes in any_u64(),
    ) {
        let ratio = Ratio::parse(&format!("{}", numerator as f64 / 1000.0)).unwrap();
        let (n, d) = {
            // The ratio as typed: numerator/1000 in lowest terms does not matter for rounding.
            (u128::from(numerator), 1000u128)
        };
        let wire = ratio.wire_from_disk(bytes);
        prop_assert_eq!(u128::from(wire), round_half_up(u128::from(bytes) * n, d));
        prop_assert!(wire <= bytes);
        let exact_disk = round_half_up(u128::from(bytes) * d, n);
        match ratio.disk_from_wire(bytes) {
            Some(disk) => prop_assert_eq!(u128::from(disk), exact_disk),
            None => prop_assert!(exact_disk > u128::from(u64::MAX)),
        }
        // A typed wire size the disk estimate cannot hold is refused, not saturated.
        let typed = ImageSize::typed(bytes, units::Basis::Wire, ratio);
        prop_assert_eq!(typed.is_some(), exact_disk <= u128::from(u64::MAX));
    }

    #[test]
    fn the_model_is_exact_or_overflows(
        before in any_u64(),
        after in any_u64(),
        services in any_u64().prop_map(|n| n.max(1)),
        nodes in any_u64().prop_map(|n| n.max(1)),
        deploys in any_u64().prop_map(|n| n.max(1)),
        days in prop_oneof![Just(365u64), any_u64().prop_map(|n| n.max(1))],
        tags in prop_oneof![Just(10u64), any_u64()],
    ) {
        let parameters = ModelParameters {
            rates: PullRates { bandwidth: 1, extract_rate: 1 },
            days_per_year: days,
            retained_tags: tags,
        };
        let shape = FleetShape { services, nodes, deploys_per_day: DeployRate::daily(deploys) };
        let size = |bytes| ImageSize::measured(bytes, bytes / 3);
        let result = full_pull::service_figures(&size(before), &size(after), shape, parameters);
        // The oracle: the same formulas in checked 128-bit arithmetic.
        let pulls = u128::from(services)
            .checked_mul(u128::from(deploys))
            .and_then(|p| p.checked_mul(u128::from(nodes)))
            .and_then(|p| i128::try_from(p).ok());
        let saved = i128::from(before) - i128::from(after);
        let times = |factor: Option<i128>, value: i128| factor.and_then(|f| value.checked_mul(f));
        let per_day = [i128::from(before), i128::from(after), saved].map(|v| times(pulls, v));
        let per_year = per_day.map(|d| d.and_then(|d| d.checked_mul(i128::from(days))));
        let storage = (i128::from(before / 3) - i128::from(after / 3))
            .checked_mul(i128::from(tags))
            .and_then(|s| s.checked_mul(i128::from(services)));
        let fits = pulls.is_some()
            && per_day.iter().all(Option::is_some)
            && per_year.iter().all(Option::is_some)
            && storage.is_some();
        match result {
            Ok(figures) => {
                prop_assert!(fits, "a figure that overflows was computed");
                let per_year_saved = per_year[2].unwrap();
                prop_assert_eq!(figures.pulls_per_day, pulls.unwrap() as u128);
                prop_assert_eq!(figures.per_day.saved.disk_bytes, per_day[2].unwrap());
                prop_assert_eq!(figures.per_day.before.disk_bytes, per_day[0].unwrap());
                prop_assert_eq!(figures.per_year.saved.disk_bytes, per_year_saved);
                prop_assert_eq!(figures.registry_storage_saved_wire_bytes, storage.unwrap());
                // per_month: per_year ÷ 12 rounded to the nearest byte, halves away from zero.
                let quotient = per_year_saved / 12;
                let remainder = (per_year_saved % 12).abs();
                let rounded = if remainder * 2 >= 12 { quotient + per_year_saved.signum() } else { quotient };
                prop_assert_eq!(figures.per_month.saved.disk_bytes, rounded);
                prop_assert!(figures.pull_seconds.before.is_finite());
                prop_assert!(figures.node_hours_saved_per_day.is_finite());
            }
            Err(_) => prop_assert!(!fits, "refused although every figure fits"),
        }
    }

    #[test]
    fn fleet_totals_are_exact_sums_or_overflow(
        rows in proptest::collection::vec((any_u64(), any_u64(), any_u64().prop_map(|n| n.max(1))), 1..6),
    ) {
        let parameters = ModelParameters {
            rates: PullRates { bandwidth: 125_000_000, extract_rate: 100_000_000 },
            days_per_year: 365,
            retained_tags: 10,
        };
        let figures: Vec<_> = rows
            .iter()
            .filter_map(|&(before, after, nodes)| {
                let shape = FleetShape { nodes, ..FleetShape::default() };
                full_pull::service_figures(
                    &ImageSize::measured(before, before),
                    &ImageSize::measured(after, after),
                    shape,
                    parameters,
                )
                .ok()
            })
            .collect();
        let sum = figures
            .iter()
            .try_fold(0i128, |total, f| total.checked_add(f.per_year.before.disk_bytes));
        match (full_pull::combine(&figures), sum) {
            (Ok(total), Some(sum)) => prop_assert_eq!(total.per_year.before.disk_bytes, sum),
            (Err(_), None) => {}
            (Ok(_), None) => prop_assert!(false, "a sum that overflows was computed"),
            (Err(_), Some(_)) => {} // another figure (saved, after) overflowed
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// `calc` end to end: exit 0 with exact, finite figures, or exit 2 naming the overflow.
    #[test]
    fn calc_never_wraps_or_prints_infinity(
        before in any_u64(),
        after in any_u64(),
        counts in proptest::collection::vec(any_u64().prop_map(|n| n.max(1)), 3),
        price in prop_oneof![Just("0.045".to_string()), Just("1e300".to_string()), (0u32..309).prop_map(|e| format!("1e{e}"))],
    ) {
        let output = fleetsave()
            .args(["calc", "--format", "json", "--before"])
            .arg(before.to_string())
            .arg("--after")
            .arg(after.to_string())
            .arg("--services")
            .arg(counts[0].to_string())
            .arg("--nodes")
            .arg(counts[1].to_string())
            .arg("--deploys-per-day")
            .arg(counts[2].to_string())
            .arg("--price-per-gb")
            .arg(&price)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0) => {
                let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
                let pulls = u128::from(counts[0]) * u128::from(counts[1]) * u128::from(counts[2]);
                let saved = i128::from(before) - i128::from(after);
                // serde_json's Value would turn integers beyond 64 bits into floats: compare
                // the text, which carries them exactly.
                let text = String::from_utf8_lossy(&output.stdout);
                let expected = format!("\"disk_bytes\": {}", saved * pulls as i128);
                prop_assert!(text.contains(&expected), "{} missing", expected);
                for money in ["per_day", "per_month", "per_year"] {
                    prop_assert!(json["totals"]["cost_saved"][money].is_number(), "{} is not a number", money);
                }
            }
            Some(2) => prop_assert!(
                stderr.contains("too large"),
                "exit 2 without an overflow message: {}", stderr
            ),
            other => prop_assert!(false, "exit {:?}: {}", other, stderr),
        }
    }

    /// A manifest's sizes: totalled exactly, or refused when they cannot add up.
    #[test]
    fn manifest_totals_are_exact_or_refused(config in any_u64(), layers in proptest::collection::vec(any_u64(), 0..4)) {
        let layer_json: Vec<String> = layers
            .iter()
            .enumerate()
            .map(|(i, size)| format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{}","size":{size}}}"#,
                format!("{i:x}").repeat(64).chars().take(64).collect::<String>()
            ))
            .collect();
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{config}}},"layers":[{}]}}"#,
            "f".repeat(64),
            layer_json.join(",")
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        std::fs::write(&path, manifest).unwrap();
        let exact: u128 = std::iter::once(config).chain(layers.iter().copied()).map(u128::from).sum();
        match fleetsave::input::image::read_image(&path, &Default::default()) {
            Ok(image) => {
                prop_assert!(exact <= u128::from(u64::MAX));
                // Distinct digests here, so the wire total is the plain sum.
                prop_assert_eq!(image.wire_bytes().map(u128::from), Some(exact));
            }
            Err(error) => {
                prop_assert!(exact > u128::from(u64::MAX), "{}", error);
                prop_assert!(error.to_string().contains("more than 2^64 bytes"));
            }
        }
    }
}

// The fuzz harnesses on stable Rust: random inputs through the same checks the fuzzers run
// (many fewer executions; docs/reliability.md has the libFuzzer figures).
proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fuzz_size_parser(text in "\\PC{0,24}|[0-9. ]{0,12}[kKmMgGtTpPiIbB/s]{0,5}") {
        harness::size_parser(text.as_bytes());
    }

    #[test]
    fn fuzz_inventory_csv(text in "(service|before|after|nodes|runtime|basis)(,(service|before|after|nodes|runtime|basis|budget)){0,4}\n([a-z0-9\"|<>@# .,\n]{0,40}\n){0,4}") {
        harness::inventory_csv(text.as_bytes());
    }

    #[test]
    fn fuzz_inventory_toml(text in "(\\[\\[service\\]\\]\n)?((service|before|after|nodes|runtime) = (\"[a-z0-9 .<>]{0,12}\"|[0-9]{1,22})\n){0,5}") {
        harness::inventory_toml(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fuzz_manifest_json(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut data = b"{\"schemaVersion\":2,".to_vec();
        data.extend(bytes);
        harness::manifest_json(&data);
    }

    #[test]
    fn fuzz_layer_blob(selector in any::<u8>(), body in proptest::collection::vec(any::<u8>(), 0..2048), gzip_it in any::<bool>()) {
        let mut data = vec![selector];
        if gzip_it {
            use std::io::Write;
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(&body).unwrap();
            data.extend(encoder.finish().unwrap());
        } else {
            data.extend(body);
        }
        harness::layer_blob(&data);
    }

    #[test]
    fn fuzz_archives(cut in 0usize..100_000, flips in proptest::collection::vec((0usize..100_000, any::<u8>()), 0..8)) {
        let mut data = std::fs::read(crate::common::project_file("tests/fixtures/images/v1.docker.tar")).unwrap();
        data.truncate(cut.max(512));
        for (at, byte) in flips {
            if let Some(slot) = data.get_mut(at) {
                *slot = byte;
            }
        }
        harness::docker_archive(&data);
        harness::oci_layout(&data);
    }
}
