//! The shape of the app crate, checked from its sources: the shared core (`ssr`, `ui`,
//! `i18n`, `audit`, `vocabulary`, `error` and the small shared files) imports no feature,
//! and no two features import each other. `pages` and `state` compose the features and
//! are imported by none of them except through `state::AppState`.

// Test code states its expectations by unwrapping; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules every feature may use; they import no feature.
const SHARED: &[&str] = &[
    "ssr",
    "ui",
    "i18n",
    "audit",
    "vocabulary",
    "error",
    "navigation",
    "widgets",
];
/// The composition root: it puts the features together.
const COMPOSITION: &[&str] = &["pages", "state"];

fn sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate's top-level modules, each with its files.
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(sources()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let mut files = Vec::new();
            rust_files(&path, &mut files);
            modules.insert(name, files);
        } else if name != "lib" && path.extension().is_some_and(|e| e == "rs") {
            modules.insert(name, vec![path]);
        }
    }
    modules
}

/// The top-level modules a source text names through `crate::…` (also inside
/// `use crate::{a, b::c}` groups), comments left out.
fn imports(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            for item in top_level_items(group) {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if known.contains(&name) {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if known.contains(&name) {
                found.insert(name);
            }
        }
    }
    found
}

/// The comma-separated items of a `{…}` group (its opening brace already read), nested
/// groups kept whole.
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0_usize, 0_usize);
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..at]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, files)| {
            let mut uses = BTreeSet::new();
            for file in files {
                uses.extend(imports(&std::fs::read_to_string(file).unwrap(), &known));
            }
            uses.remove(name);
            (name.clone(), uses)
        })
        .collect()
}

fn is_feature(name: &str) -> bool {
    !SHARED.contains(&name) && !COMPOSITION.contains(&name)
}

#[test]
fn the_import_scanner_sees_paths_and_groups() {
    let known: BTreeSet<String> = ["consent", "identity", "ssr"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let found = imports(
        "use crate::{ssr::{a, b}, consent::types::X};\n// crate::identity in a comment\nlet a = crate::identity::x();",
        &known,
    );
    assert_eq!(found, known);
    assert!(imports("use super::types;", &known).is_empty());
}

#[test]
fn the_shared_core_imports_no_feature() {
    let graph = graph();
    assert!(
        graph.contains_key("ssr") && graph.contains_key("consent"),
        "{graph:?}"
    );
    let mut wrong = Vec::new();
    for shared in SHARED {
        for used in graph.get(*shared).into_iter().flatten() {
            if is_feature(used) || COMPOSITION.contains(&used.as_str()) {
                wrong.push(format!("{shared} imports {used}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "shared modules importing features: {wrong:?}"
    );
}

#[test]
fn no_two_features_import_each_other() {
    let graph = graph();
    let mut pairs = Vec::new();
    for (name, uses) in &graph {
        for used in uses {
            if is_feature(name)
                && is_feature(used)
                && name < used
                && graph.get(used).is_some_and(|back| back.contains(name))
            {
                pairs.push(format!("{name} <-> {used}"));
            }
        }
    }
    assert!(pairs.is_empty(), "features importing each other: {pairs:?}");
}

#[test]
fn features_do_not_import_the_page_frame() {
    let graph = graph();
    let wrong: Vec<String> = graph
        .iter()
        .filter(|(name, uses)| is_feature(name) && uses.contains("pages"))
        .map(|(name, _)| name.clone())
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn tables_are_private_to_their_feature() {
    // A feature's entity module is declared `mod entity;` (never `pub`), so other code
    // cannot query or write its tables and reads the views its services return.
    let mut declared = 0;
    let mut public = Vec::new();
    for (name, files) in modules() {
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for line in text.lines().map(str::trim) {
                let Some(rest) = line
                    .strip_suffix(';')
                    .and_then(|l| l.rsplit_once("mod "))
                    .filter(|(_, module)| *module == "entity")
                else {
                    continue;
                };
                declared += 1;
                if !rest.0.is_empty() {
                    public.push(format!("{name}: {}", file.display()));
                }
            }
        }
    }
    assert!(declared >= 6, "entity modules found: {declared}");
    assert!(
        public.is_empty(),
        "tables visible outside their feature: {public:?}"
    );
}
