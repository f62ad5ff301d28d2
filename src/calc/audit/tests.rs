//! The audit rules on Dockerfiles: hadolint's own spec cases for the codes fleetsave shares
//! (hadolint/hadolint `test/Hadolint/Rule/DL*Spec.hs`, every `ruleCatches`/`ruleCatchesNot`
//! case; the `onBuildRuleCatches` variants are left out: an `ONBUILD` trigger runs in the images
//! built FROM this one, not in this one), then fleetsave's own rules.

#![cfg(test)]

use super::rules::{Context, Hit, audit};
use super::{Severity, bundled};
use crate::calc::{leftovers, techniques};
use crate::input::dockerfile::parse::parse;

fn hits(text: &str, context: &Context) -> Vec<Hit> {
    let dockerfile = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
    audit(&dockerfile, &bundled().unwrap(), context)
}

fn fires(code_or_id: &str, text: &str) -> bool {
    let rules = bundled().unwrap();
    let rule = rules
        .iter()
        .find(|r| r.hadolint.as_deref() == Some(code_or_id) || r.id == code_or_id)
        .unwrap_or_else(|| panic!("no rule {code_or_id}"));
    hits(text, &Context::default())
        .iter()
        .any(|hit| hit.rule == rule.id)
}

/// (code, Dockerfile, whether it fires) from hadolint's spec files.
const HADOLINT: &[(&str, &str, bool)] = &[
    // DL3009Spec.hs
    (
        "DL3009",
        "FROM scratch\nRUN apt-get update && apt-get install python\n",
        true,
    ),
    (
        "DL3009",
        "FROM ubuntu as foo\nRUN apt-get update && apt-get install python\nFROM scratch\nRUN echo hey!\n",
        false,
    ),
    (
        "DL3009",
        "FROM ubuntu as foo\nRUN hey!\nFROM scratch\nRUN apt-get update && apt-get install python\n",
        true,
    ),
    (
        "DL3009",
        "FROM ubuntu as foo\nRUN apt-get update && apt-get install python\nFROM foo\nRUN hey!\n",
        true,
    ),
    (
        "DL3009",
        "FROM ubuntu as foo\nRUN apt-get update && apt-get install python && rm -rf /var/lib/apt/lists/*\nFROM foo\nRUN hey!\n",
        false,
    ),
    (
        "DL3009",
        "FROM ubuntu as foo\nRUN apt-get update && apt-get install python\nFROM scratch\nRUN hey!\n",
        false,
    ),
    (
        "DL3009",
        "FROM scratch\nRUN apt-get update && apt-get install python && rm -rf /var/lib/apt/lists/*\n",
        false,
    ),
    (
        "DL3009",
        "RUN --mount=type=cache,target=/var/lib/apt/lists \\\n    apt-get update && apt-get install python",
        false,
    ),
    (
        "DL3009",
        "RUN --mount=type=cache,target=/var/lib/apt \\\n    --mount=type=cache,target=/var/cache/apt \\\n    rm -f /etc/apt/apt.conf.d/docker-clean && \\\n    apt-get update && apt-get install python",
        false,
    ),
    (
        "DL3009",
        "RUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/cache/apt \\\n    --mount=type=cache,target=/var/lib/apt \\\n    apt-get update && apt-get install foo\n",
        false,
    ),
    (
        "DL3009",
        "RUN --mount=type=cache,target=/var/cache/apt \\\n    rm -f /etc/apt/apt.conf.d/docker-clean && \\\n    apt-get update && apt-get install python\n",
        true,
    ),
    (
        "DL3009",
        "RUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/lib/apt \\\n    apt-get update && apt-get install python\n",
        true,
    ),
    (
        "DL3009",
        "RUN \\\n  --mount=type=tmpfs,target=/var/cache/apt \\\n  --mount=type=tmpfs,target=/var/lib/apt \\\n  apt-get update\n",
        false,
    ),
    (
        "DL3009",
        "RUN \\\n  --mount=type=tmpfs,target=/var/cache/apt \\\n  --mount=type=cache,target=/var/lib/apt \\\n  apt-get update\n",
        false,
    ),
    (
        "DL3009",
        "RUN \\\n  --mount=type=cache,target=/var/cache/apt \\\n  --mount=type=tmpfs,target=/var/lib/apt \\\n  apt-get update\n",
        false,
    ),
    (
        "DL3009",
        "RUN \\\n  --mount=type=cache,target=/var/cache/apt \\\n  --mount=type=cache,target=/var/lib/apt \\\n  apt-get update\n",
        false,
    ),
    (
        "DL3009",
        "FROM scratch\nRUN apt update && apt install python\n",
        true,
    ),
    (
        "DL3009",
        "FROM scratch\nRUN apt update && apt install python && rm -rf /var/lib/apt/lists/*\n",
        false,
    ),
    (
        "DL3009",
        "FROM scratch\nRUN aptitude update && aptitude install python\n",
        true,
    ),
    (
        "DL3009",
        "FROM scratch\nRUN aptitude update && aptitude install python && rm -rf /var/lib/apt/lists/*\n",
        false,
    ),
    // DL3015Spec.hs
    (
        "DL3015",
        "RUN apt-get install --no-install-recommends python",
        false,
    ),
    ("DL3015", "RUN apt-get install python", true),
    ("DL3015", "RUN apt-get -y install python", true),
    (
        "DL3015",
        "RUN apt-get -o APT::Install-Recommends=false install python",
        false,
    ),
    // DL3019Spec.hs
    ("DL3019", "RUN apk add flex=2.6.4-r1", true),
    ("DL3019", "RUN apk add --no-cache flex=2.6.4-r1", false),
    (
        "DL3019",
        "RUN --mount=type=cache,target=/var/cache/apk apk add -U curl=7.77.0",
        false,
    ),
    (
        "DL3019",
        "RUN --mount=type=tmpfs,target=/var/cache/apk apk add -U curl=7.77.0",
        false,
    ),
    (
        "DL3019",
        "RUN --mount=type=cache,target=/var/cache/foo apk add --no-cache -U curl=7.77.0",
        false,
    ),
    (
        "DL3019",
        "RUN --mount=type=cache,target=/var/cache/foo apk add -U curl=7.77.0",
        true,
    ),
    (
        "DL3019",
        "RUN --mount=type=tmpfs,target=/var/cache/foo apk add -U curl=7.77.0",
        true,
    ),
    // DL3032Spec.hs
    ("DL3032", "RUN yum install -y mariadb-10.4", true),
    (
        "DL3032",
        "RUN yum install -y mariadb-10.4 && yum clean all",
        false,
    ),
    ("DL3032", "RUN bash -c `# not even a yum command`", false),
    (
        "DL3032",
        "RUN yum install -y mariadb-10.4 && rm -rf /var/cache/yum/*",
        false,
    ),
    ("DL3032", "RUN yum clean all && yum install -y", true),
    // DL3036Spec.hs
    ("DL3036", "RUN zypper install -y mariadb=10.4", true),
    (
        "DL3036",
        "RUN zypper install -y mariadb=10.4 && zypper clean",
        false,
    ),
    (
        "DL3036",
        "RUN zypper install -y mariadb=10.4 && zypper cc",
        false,
    ),
    (
        "DL3036",
        "RUN zypper clean && zypper install -y mariadb=10.4",
        true,
    ),
    (
        "DL3036",
        "RUN --mount=type=cache,target=/var/cache/zypp zypper install -y mariadb",
        false,
    ),
    (
        "DL3036",
        "RUN --mount=type=tmpfs,target=/var/cache/zypp zypper install -y mariadb",
        false,
    ),
    // DL3040Spec.hs
    ("DL3040", "RUN dnf install -y mariadb-10.4", true),
    ("DL3040", "RUN microdnf install -y mariadb-10.4", true),
    ("DL3040", "RUN dnf in -y mariadb-10.4", true),
    (
        "DL3040",
        "RUN dnf install -y mariadb-10.4 && dnf clean all",
        false,
    ),
    (
        "DL3040",
        "RUN dnf in -y mariadb-10.4 && dnf clean all",
        false,
    ),
    (
        "DL3040",
        "RUN microdnf install -y mariadb-10.4 && microdnf clean all",
        false,
    ),
    ("DL3040", "RUN notdnf install mariadb", false),
    (
        "DL3040",
        "RUN dnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*",
        false,
    ),
    (
        "DL3040",
        "RUN dnf in -y mariadb-10.4 && rm -rf /var/cache/yum/*",
        false,
    ),
    (
        "DL3040",
        "RUN microdnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*",
        false,
    ),
    (
        "DL3040",
        "RUN microdnf clean all && dnf install -y mariadb-10.4",
        true,
    ),
    (
        "DL3040",
        "RUN microdnf clean all && dnf in -y mariadb-10.4",
        true,
    ),
    (
        "DL3040",
        "RUN rm -rf /var/cache/libdnf5 && dnf install -y mariadb-10.4",
        true,
    ),
    (
        "DL3040",
        "RUN rm -rf /var/cache/libdnf5 && dnf in -y mariadb-10.4",
        true,
    ),
    (
        "DL3040",
        "RUN rm -rf /var/cache/libdnf5 && microdnf install -y mariadb-10.4",
        true,
    ),
    (
        "DL3040",
        "RUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y mariadb-10.4",
        false,
    ),
    (
        "DL3040",
        "RUN --mount=type=cache,target=/var/cache/libdnf5 dnf in -y mariadb-10.4",
        false,
    ),
    (
        "DL3040",
        "RUN --mount=type=cache,target=/var/cache/libdnf5 microdnf install -y mariadb-10.4",
        false,
    ),
    (
        "DL3040",
        "RUN --mount=type=tmpfs,target=/var/cache/libdnf5 dnf install -y mariadb-10.4",
        false,
    ),
    (
        "DL3040",
        "RUN --mount=type=tmpfs,target=/var/cache/libdnf5 dnf in -y mariadb-10.4",
        false,
    ),
    (
        "DL3040",
        "RUN --mount=type=tmpfs,target=/var/cache/libdnf5 microdnf install -y mariadb-10.4",
        false,
    ),
    ("DL3040", "RUN dnf -y upgrade", true),
    ("DL3040", "RUN dnf -y up", true),
    ("DL3040", "RUN dnf -y install", true),
    ("DL3040", "RUN dnf -y in", true),
    ("DL3040", "RUN dnf -y upgrade-minimal", true),
    ("DL3040", "RUN dnf -y up-min", true),
    ("DL3040", "RUN dnf -y reinstall", true),
    ("DL3040", "RUN dnf -y rei", true),
    ("DL3040", "RUN dnf -y install && dnf clean all", false),
    ("DL3040", "RUN dnf -y in && dnf clean all", false),
    ("DL3040", "RUN dnf -y upgrade && dnf clean all", false),
    ("DL3040", "RUN dnf -y up && dnf clean all", false),
    (
        "DL3040",
        "RUN dnf -y upgrade-minimal && dnf clean all",
        false,
    ),
    ("DL3040", "RUN dnf -y up-min && dnf clean all", false),
    ("DL3040", "RUN dnf -y reinstall && dnf clean all", false),
    ("DL3040", "RUN dnf -y rei && dnf clean all", false),
    // DL3042Spec.hs
    ("DL3042", "RUN pip2 install MySQL_python", true),
    ("DL3042", "RUN pip3 install MySQL_python", true),
    ("DL3042", "RUN pip install MySQL_python", true),
    (
        "DL3042",
        "RUN pip2 install MySQL_python --no-cache-dir",
        false,
    ),
    (
        "DL3042",
        "RUN pip3 install --no-cache-dir MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN pip install MySQL_python --no-cache-dir",
        false,
    ),
    ("DL3042", "RUN pipx install software", false),
    ("DL3042", "RUN pipenv install library", false),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=1\nRUN pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=on\nRUN pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=yes\nRUN pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=true\nRUN pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=1 pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=on pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=yes pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=true pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=1 && pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=on && pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=yes && pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=true && pip install MySQL_python",
        false,
    ),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=0\nRUN pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=off\nRUN pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=no\nRUN pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "ENV PIP_NO_CACHE_DIR=false\nRUN pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=0 pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=off pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=no pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN PIP_NO_CACHE_DIR=false pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=0 && pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=off && pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=no && pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "RUN export PIP_NO_CACHE_DIR=false && pip install MySQL_python",
        true,
    ),
    (
        "DL3042",
        "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six\n",
        false,
    ),
    (
        "DL3042",
        "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM debian:buster\nRUN pip install six\n",
        true,
    ),
    (
        "DL3042",
        "RUN --mount=type=cache,target=/root/.cache/pip pip install foobar",
        false,
    ),
    (
        "DL3042",
        "RUN --mount=type=tmpfs,target=/root/.cache/pip pip install foobar",
        false,
    ),
    // DL3059Spec.hs
    ("DL3059", "FROM debian:10", false),
    ("DL3059", "RUN /foo.sh", false),
    ("DL3059", "RUN /foo.sh\nWORKDIR /\nRUN /bar.sh", false),
    ("DL3059", "RUN /foo.sh\nRUN /bar.sh", true),
    ("DL3059", "RUN /foo.sh\n# a comment\nRUN /bar.sh", true),
    (
        "DL3059",
        "RUN /foo.sh\n# a comment\n# another comment\nRUN /bar.sh",
        true,
    ),
    ("DL3059", "# a comment\nRUN /foo.sh", false),
    (
        "DL3059",
        "RUN --mount=type=secret,id=foo /foo.sh\nRUN /bar.sh",
        false,
    ),
    (
        "DL3059",
        "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=bar /bar.sh\n",
        false,
    ),
    (
        "DL3059",
        "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=foo /bar.sh\n",
        true,
    ),
    ("DL3059", "RUN foo && bar\nRUN foobar\n", false),
    ("DL3059", "RUN foo; bar\nRUN foobar\n", false),
    ("DL3059", "RUN foobar\nRUN foo && bar\n", false),
    ("DL3059", "RUN foobar\nRUN foo; bar\n", false),
    ("DL3059", "RUN foo && bar\nRUN foo; bar\n", false),
    ("DL3059", "RUN foo && bar\nRUN foo\nRUN bar\n", true),
    // DL3060Spec.hs
    ("DL3060", "RUN foo", false),
    ("DL3060", "RUN yarn install foo", true),
    ("DL3060", "RUN yarn install bar && yarn cache clean", false),
    ("DL3060", "RUN yarn cache clean && yarn install foo", true),
    (
        "DL3060",
        "RUN --mount=type=cache,target=/root/.cache/yarn yarn install foobar",
        false,
    ),
    (
        "DL3060",
        "RUN --mount=type=tmpfs,target=/root/.cache/yarn yarn install foobar",
        false,
    ),
    (
        "DL3060",
        "RUN --mount=type=cache,target=/var/lib/foobar yarn install foobar",
        true,
    ),
    (
        "DL3060",
        "RUN --mount=type=tmpfs,target=/var/lib/foobar yarn install foobar",
        true,
    ),
    (
        "DL3060",
        "FROM node:lts-alpine as foo\nRUN hey!\nFROM scratch\nRUN yarn install\n",
        true,
    ),
    (
        "DL3060",
        "FROM node:lts-alpine as foo\nRUN yarn install\nFROM foo\nRUN hey!\n",
        true,
    ),
    (
        "DL3060",
        "FROM node:lts-alpine as foo\nRUN yarn install && yarn cache clean\nFROM foo\nRUN hey!\n",
        false,
    ),
    (
        "DL3060",
        "FROM node:lts-alpine as foo\nRUN yarn install foo\nFROM scratch\nRUN hey!\n",
        false,
    ),
];

#[test]
fn hadolints_spec_cases_pass() {
    let mut wrong = Vec::new();
    for (code, text, expected) in HADOLINT {
        if fires(code, text) != *expected {
            wrong.push(format!("{code} expected {expected}: {text:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for code in [
        "DL3009", "DL3015", "DL3019", "DL3032", "DL3036", "DL3040", "DL3042", "DL3059", "DL3060",
    ] {
        assert!(HADOLINT.iter().any(|(c, _, f)| c == &code && *f), "{code}");
        assert!(HADOLINT.iter().any(|(c, _, f)| c == &code && !*f), "{code}");
    }
}

#[test]
fn the_table_is_consistent() {
    let rules = bundled().unwrap();
    let checklist = techniques::bundled().unwrap();
    let leftover_rules = leftovers::bundled().unwrap();
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules.len(), "ids are unique");
    for rule in &rules {
        assert!(
            rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{} is not kebab-case",
            rule.id
        );
        assert!(
            checklist.iter().any(|t| t.priority == rule.technique),
            "{}",
            rule.id
        );
        for id in rule.leftover_ids() {
            assert!(
                leftover_rules.iter().any(|l| l.rule == id),
                "{}: {id}",
                rule.id
            );
        }
        if let Some(code) = &rule.hadolint {
            assert!(code.starts_with("DL"), "{code}");
        }
    }
    assert_eq!(
        rules
            .iter()
            .find(|r| r.id == "multi-stage")
            .unwrap()
            .severity,
        Severity::Error
    );
}

const BUILDER: &str = "\
FROM golang:1.22 AS build
RUN apt-get update && apt-get install -y build-essential
RUN pip install tool
WORKDIR /src
COPY . .
RUN go build -o /app .
FROM gcr.io/distroless/static
COPY --from=build /app /app
ENTRYPOINT [\"/app\"]
";

const FLAT: &str = "\
FROM golang:1.22
RUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN go build -o /app .
ENTRYPOINT [\"/app\"]
";

fn ids(text: &str, context: &Context) -> Vec<String> {
    hits(text, context).into_iter().map(|h| h.rule).collect()
}

#[test]
fn a_clean_final_stage_hides_the_builders_caches() {
    let context = Context {
        has_dockerignore: true,
    };
    assert_eq!(ids(BUILDER, &context), Vec::<String>::new());
    let flat = ids(FLAT, &context);
    assert!(flat.contains(&"multi-stage".to_string()), "{flat:?}");
    assert!(flat.contains(&"slim-base".to_string()), "{flat:?}");
    let multi = hits(FLAT, &context)
        .into_iter()
        .find(|h| h.rule == "multi-stage")
        .unwrap();
    assert_eq!(multi.instruction, 1);
    assert_eq!(multi.detail, "installs build-essential");
}

#[test]
fn slim_bases_and_dockerignore() {
    assert!(fires("slim-base", "FROM python:3.12\n"));
    assert!(!fires("slim-base", "FROM python:3.12-slim\n"));
    assert!(fires("slim-base", "ARG V=22\nFROM node:${V}\n"));
    assert!(!fires(
        "slim-base",
        "FROM node:22 AS b\nFROM node:22-alpine\n"
    ));
    assert!(fires("slim-base", "FROM node:22 AS b\nFROM b\n"));
    assert!(fires("slim-base", "FROM eclipse-temurin:21-jdk\n"));
    assert!(!fires("slim-base", "FROM eclipse-temurin:21-jre\n"));
    assert!(fires("dockerignore", "FROM a\nCOPY . /app\n"));
    assert!(!fires("dockerignore", "FROM a\nCOPY src /app\n"));
    assert!(!fires(
        "dockerignore",
        "FROM a AS b\nFROM c\nCOPY --from=b . /app\n"
    ));
    let context = Context {
        has_dockerignore: true,
    };
    assert!(ids("FROM a\nCOPY . /app\n", &context).is_empty());
}

#[test]
fn files_removed_in_a_later_run_are_found() {
    let text = "FROM alpine:3.20\nRUN wget -O /tmp/big.tar.gz https://x/big.tar.gz\nRUN tar -xzf /tmp/big.tar.gz -C /opt\nRUN rm /tmp/big.tar.gz\n";
    let found: Vec<Hit> = hits(text, &Context::default())
        .into_iter()
        .filter(|h| h.rule == "deleted-later")
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].instruction, 3);
    assert_eq!(found[0].layer_instruction, Some(1));
    assert_eq!(found[0].paths, ["/tmp/big.tar.gz"]);
    // Removed in the same RUN: nothing ships.
    assert!(!fires(
        "deleted-later",
        "FROM a\nRUN wget -O /tmp/x u && rm /tmp/x\n"
    ));
    // COPY then rm with a glob, relative to WORKDIR.
    assert!(fires(
        "deleted-later",
        "FROM a\nWORKDIR /app\nCOPY dist/ ./build/\nRUN rm -rf build/*\n"
    ));
    // Packages purged later.
    assert!(fires(
        "deleted-later",
        "FROM debian:12-slim\nRUN apt-get install -y gcc\nRUN apt-get purge -y gcc\n"
    ));
}

#[test]
fn heredocs_and_exec_form_are_read_as_commands() {
    assert!(fires(
        "DL3019",
        "FROM alpine\nRUN <<EOF\nset -e\napk add curl\nEOF\n"
    ));
    assert!(!fires(
        "DL3019",
        "FROM alpine\nRUN <<EOF\napk add --no-cache curl\nEOF\n"
    ));
    assert!(fires(
        "DL3042",
        "FROM python:3.12-slim\nRUN [\"pip\", \"install\", \"x\"]\n"
    ));
    assert!(fires(
        "DL3042",
        "FROM python:3.12-slim\nRUN [\"sh\", \"-c\", \"pip install x && echo\"]\n"
    ));
    assert!(fires(
        "npm-dev-dependencies",
        "FROM node:22-slim\nRUN npm ci\n"
    ));
    assert!(!fires(
        "npm-dev-dependencies",
        "FROM node:22-slim\nRUN npm ci --omit=dev\n"
    ));
    assert!(!fires(
        "npm-dev-dependencies",
        "FROM node:22-slim\nENV NODE_ENV=production\nRUN npm ci\n"
    ));
}

proptest::proptest! {
    /// Any text either parses or is refused with a place; what parses is audited without a
    /// panic. Pieces of Dockerfile syntax make the strings reach the parser's corners.
    #[test]
    fn any_text_parses_or_is_refused_and_audits_without_panic(
        pieces in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("FROM a AS b\n".to_string()),
                proptest::strategy::Just("RUN ".to_string()),
                proptest::strategy::Just("<<EOF".to_string()),
                proptest::strategy::Just("EOF\n".to_string()),
                proptest::strategy::Just("\\\n".to_string()),
                proptest::strategy::Just("# escape=`\n".to_string()),
                proptest::strategy::Just("--mount=type=cache,target=/x ".to_string()),
                proptest::strategy::Just(" && rm -rf /* ; ".to_string()),
                proptest::strategy::Just("apt-get update ".to_string()),
                proptest::strategy::Just("COPY . /\n".to_string()),
                proptest::strategy::Just("[\"sh\", \"-c\"]".to_string()),
                proptest::strategy::Just("'\"`$(".to_string()),
                "[ -~\n\t]{0,12}",
                "\\PC{0,4}",
            ],
            0..40,
        )
    ) {
        let text: String = pieces.concat();
        match parse(&text) {
            Ok(dockerfile) => {
                let _ = audit(&dockerfile, &bundled().unwrap(), &Context::default());
            }
            Err(e) => {
                proptest::prop_assert!(e.line >= 1 && e.column >= 1);
            }
        }
    }
}
