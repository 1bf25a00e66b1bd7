//! FHIR R4 `AuditEvent` → an access for the log.
//!
//! What the portal reads (see the README for a full example):
//! - `id`: the source's own identifier of the event (required; a resend with the same id
//!   is recognised);
//! - `recorded`: when (required);
//! - `action` (C/R/U/D/E), refined by `subtype` codes `print`, `export`, `transmit`;
//! - `purposeOfEvent` (v3 `PurposeOfUse` / `ActReason`: TREAT, HPAYMT, HOPERAT, HRESCH, TRAIN,
//!   HLEGAL, PUBHLTH, PATRQT, …);
//! - the requesting `agent` (or the first): `who.identifier.value` is the staff number,
//!   `who.display` the name; a `who` referring to an `Organization` is an outside
//!   organisation; `role`/`type` text is the job role; `location.identifier.value` the
//!   department code; `network.address` the workstation;
//! - `source.observer.display` (or identifier) names the system, `source.site` the site;
//! - the patient: the `entity` whose `what` refers to a `Patient` (or whose `role` is 1),
//!   by `what.identifier.value` (the medical record number) or the id in `what.reference`;
//! - the category: a code of the portal's record-category system in an entity's `type`,
//!   else a sensitivity `securityLabel` (GDIS, PSY, ETH, SDV, STD, HIV, …), else the
//!   resource type of the other entity's `what` (`Observation` → lab results, …).

use app::access_log::server::ingest::NewAccess;
use app::access_log::types::{Action, AgentKind, Category, Purpose};
use serde_json::Value;

use super::elements::{
    array, child, codings, concept_text, concepts, instant, item, object, opt_bool, opt_str,
    reference_key, reference_type, req_str,
};
use super::outcome::Invalid;

/// The portal's code system for record categories (codes as in `Category`).
pub const CATEGORY_SYSTEM: &str =
    "https://patient-privacy-portal.org/fhir/CodeSystem/record-category";

/// Longest text kept from any one element (names, roles, identifiers).
const MAX_TEXT: usize = 200;

fn bounded(text: &str, path: &str) -> Result<String, Invalid> {
    if text.chars().count() > MAX_TEXT {
        return Err(Invalid::new(
            path,
            format!("is longer than {MAX_TEXT} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Parses one `AuditEvent` resource; `path` is its location (e.g. `Bundle.entry[3].resource`).
pub fn parse(resource: &Value, path: &str) -> Result<NewAccess, Invalid> {
    if !resource.is_object() {
        return Err(Invalid::new(path, "must be a JSON object"));
    }
    match resource.get("resourceType").and_then(Value::as_str) {
        Some("AuditEvent") => {}
        _ => {
            return Err(Invalid::new(
                child(path, "resourceType"),
                "must be AuditEvent",
            ))
        }
    }
    let id = bounded(req_str(resource, path, "id")?, &child(path, "id"))?;
    let occurred_at = instant(resource, path, "recorded", true)?
        .ok_or_else(|| Invalid::new(child(path, "recorded"), "is required"))?;
    let action = parse_action(resource, path)?;
    let (purpose, purpose_code) = parse_purpose(resource, path)?;
    let agent = parse_agent(resource, path)?;
    let (patient_mrn, category, detail) = parse_entities(resource, path)?;
    let source = object(resource, path, "source")?;
    let source_path = child(path, "source");
    let (system, site) = match source {
        Some(source) => {
            let observer = object(source, &source_path, "observer")?;
            let system = observer.and_then(|o| {
                o.get("display")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| reference_key(o))
            });
            let site = opt_str(source, &source_path, "site")?.map(str::to_owned);
            (system, site)
        }
        None => (None, None),
    };
    Ok(NewAccess {
        source_event_id: id,
        patient_mrn,
        occurred_at,
        category,
        action,
        purpose,
        purpose_code,
        agent_kind: agent.kind,
        agent_ref: agent.reference,
        agent_name: agent.name,
        agent_role: agent.role,
        department_code: agent.department,
        system: system.map(|s| s.chars().take(MAX_TEXT).collect()),
        site: site.map(|s| s.chars().take(MAX_TEXT).collect()),
        workstation: agent.workstation,
        detail,
    })
}

fn parse_action(resource: &Value, path: &str) -> Result<Action, Invalid> {
    let base = match opt_str(resource, path, "action")? {
        None | Some("R") => Action::View,
        Some("C") => Action::Create,
        Some("U") => Action::Update,
        Some("D") => Action::Delete,
        Some("E") => Action::Other,
        Some(_) => {
            return Err(Invalid::new(
                child(path, "action"),
                "must be one of C, R, U, D, E",
            ))
        }
    };
    for (index, subtype) in array(resource, path, "subtype")?.iter().enumerate() {
        if !subtype.is_object() {
            return Err(Invalid::new(
                item(&child(path, "subtype"), index),
                "must be a Coding",
            ));
        }
        for (_, code) in codings(subtype) {
            match code.to_ascii_lowercase().as_str() {
                "print" => return Ok(Action::Print),
                "export" | "110106" => return Ok(Action::Export),
                "transmit" | "disclose" | "110104" => return Ok(Action::Transmit),
                _ => {}
            }
        }
    }
    Ok(base)
}

fn parse_purpose(resource: &Value, path: &str) -> Result<(Purpose, Option<String>), Invalid> {
    let purposes = array(resource, path, "purposeOfEvent")?;
    for (index, concept) in purposes.iter().enumerate() {
        if !concept.is_object() {
            return Err(Invalid::new(
                item(&child(path, "purposeOfEvent"), index),
                "must be a CodeableConcept",
            ));
        }
        if let Some((_, code)) = codings(concept).into_iter().next() {
            let purpose = match code.to_ascii_uppercase().as_str() {
                "TREAT" | "ETREAT" | "CAREMGT" | "POPHLTH" | "BTG" => Purpose::Treatment,
                "HPAYMT" | "CLMATTCH" | "COVAUTH" | "COVERAGE" | "ELIGDTRM" | "PMTDEBIT" => {
                    Purpose::Payment
                }
                "HOPERAT" | "HQUALIMP" | "HSYSADMIN" | "HACCRED" | "HCOMPL" | "HDM" | "HMARKT"
                | "HOUTCOMS" | "HPRGRP" | "HRESCH_OPS" | "METAMGT" | "SYSDEV" => {
                    Purpose::Operations
                }
                "HRESCH" | "CLINTRCH" | "CLINTRCHNPC" | "CLINTRCHPC" | "BIORCH" | "PRCSRCH" => {
                    Purpose::Research
                }
                "TRAIN" | "HTRAIN" | "EDU" => Purpose::Teaching,
                "HLEGAL" | "LEGAL" | "JUDIC" | "LABOR" | "FRAUD" => Purpose::Legal,
                "PUBHLTH" | "HSURVL" | "DISASTER" | "THREAT" => Purpose::PublicHealth,
                "PATRQT" | "FAMRQT" | "PWATRNY" | "SUPNWK" => Purpose::PatientRequest,
                _ => Purpose::Other,
            };
            return Ok((purpose, Some(code.chars().take(MAX_TEXT).collect())));
        }
    }
    Ok((Purpose::Unspecified, None))
}

struct Agent {
    kind: AgentKind,
    reference: Option<String>,
    name: String,
    role: Option<String>,
    department: Option<String>,
    workstation: Option<String>,
}

fn parse_agent(resource: &Value, path: &str) -> Result<Agent, Invalid> {
    let agents = array(resource, path, "agent")?;
    if agents.is_empty() {
        return Err(Invalid::new(
            child(path, "agent"),
            "at least one agent is required",
        ));
    }
    let mut chosen = 0;
    for (index, agent) in agents.iter().enumerate() {
        let agent_path = item(&child(path, "agent"), index);
        if !agent.is_object() {
            return Err(Invalid::new(agent_path, "must be an object"));
        }
        if opt_bool(agent, &agent_path, "requestor")? == Some(true) {
            chosen = index;
            break;
        }
    }
    let agent = &agents[chosen];
    let agent_path = item(&child(path, "agent"), chosen);
    let who = object(agent, &agent_path, "who")?
        .ok_or_else(|| Invalid::new(child(&agent_path, "who"), "is required"))?;
    let who_path = child(&agent_path, "who");
    let reference = reference_key(who);
    let display = opt_str(who, &who_path, "display")?;
    let name = match (display, &reference) {
        (Some(name), _) => bounded(name, &child(&who_path, "display"))?,
        (None, Some(reference)) => reference.clone(),
        (None, None) => {
            return Err(Invalid::new(
                who_path,
                "must name the person or organisation (display, identifier or reference)",
            ))
        }
    };
    let kind = match reference_type(who) {
        Some("Organization") => AgentKind::Organisation,
        Some("Device") => AgentKind::System,
        _ => AgentKind::Staff,
    };
    let mut role = concepts(agent, &agent_path, "role")?
        .iter()
        .find_map(concept_text);
    if role.is_none() {
        role = object(agent, &agent_path, "type")?.and_then(concept_text);
    }
    let department = object(agent, &agent_path, "location")?.and_then(reference_key);
    let workstation = match object(agent, &agent_path, "network")? {
        Some(network) => {
            opt_str(network, &child(&agent_path, "network"), "address")?.map(str::to_owned)
        }
        None => None,
    };
    Ok(Agent {
        kind,
        reference: reference.map(|r| r.chars().take(MAX_TEXT).collect()),
        name,
        role: role.map(|r| r.chars().take(MAX_TEXT).collect()),
        department,
        workstation: workstation.map(|w| w.chars().take(MAX_TEXT).collect()),
    })
}

fn is_patient_entity(entity: &Value) -> bool {
    let what_is_patient = entity
        .get("what")
        .and_then(reference_type)
        .is_some_and(|t| t == "Patient");
    let role_is_patient = entity
        .get("role")
        .is_some_and(|role| codings(role).iter().any(|(_, code)| *code == "1"));
    what_is_patient || role_is_patient
}

fn category_from_security(code: &str) -> Option<Category> {
    match code.to_ascii_uppercase().as_str() {
        "GDIS" | "GENETIC" => Some(Category::Genetic),
        "PSY" | "PSYTHPN" | "MH" | "ETH" | "SUD" | "SDV" => Some(Category::MentalHealth),
        "STD" | "HIV" | "SEX" | "SEXUAL" => Some(Category::SexualHealth),
        _ => None,
    }
}

fn category_from_resource(resource_type: &str) -> Category {
    match resource_type {
        "Patient" | "RelatedPerson" | "Person" => Category::Demographics,
        "Condition" | "Encounter" | "EpisodeOfCare" | "AllergyIntolerance" | "Procedure" => {
            Category::Diagnoses
        }
        "DocumentReference" | "Composition" | "ClinicalImpression" | "CarePlan" => {
            Category::ClinicalNotes
        }
        "ImagingStudy" => Category::Imaging,
        "Observation" | "DiagnosticReport" | "Specimen" => Category::Lab,
        "MedicationRequest"
        | "MedicationStatement"
        | "MedicationDispense"
        | "MedicationAdministration"
        | "Immunization" => Category::Prescriptions,
        "Claim" | "Account" | "Invoice" | "Coverage" | "ExplanationOfBenefit" | "ChargeItem" => {
            Category::Billing
        }
        "MolecularSequence" => Category::Genetic,
        "Media" => Category::Photographs,
        _ => Category::Other,
    }
}

fn parse_entities(
    resource: &Value,
    path: &str,
) -> Result<(String, Category, Option<String>), Invalid> {
    let entities = array(resource, path, "entity")?;
    let mut patient = None;
    let mut explicit = None;
    let mut sensitive = None;
    let mut by_resource = None;
    let mut detail = None;
    for (index, entity) in entities.iter().enumerate() {
        let entity_path = item(&child(path, "entity"), index);
        if !entity.is_object() {
            return Err(Invalid::new(entity_path, "must be an object"));
        }
        let what = object(entity, &entity_path, "what")?;
        if is_patient_entity(entity) && patient.is_none() {
            let key = what.and_then(reference_key).ok_or_else(|| {
                Invalid::new(
                    child(&child(&entity_path, "what"), "identifier"),
                    "the patient's medical record number is required",
                )
            })?;
            patient = Some(bounded(&key, &child(&entity_path, "what"))?);
        } else if let Some(what) = what {
            if let Some(kind) = reference_type(what) {
                by_resource = by_resource.or(Some(category_from_resource(kind)));
            }
            detail = detail.or_else(|| {
                what.get("reference")
                    .and_then(Value::as_str)
                    .map(|r| r.chars().take(MAX_TEXT).collect())
            });
        }
        if let Some(kind) = object(entity, &entity_path, "type")? {
            for (system, code) in codings(kind) {
                if system == Some(CATEGORY_SYSTEM) {
                    let category = Category::from_code(code).ok_or_else(|| {
                        Invalid::new(
                            child(&entity_path, "type"),
                            format!("unknown record category {code:?}"),
                        )
                    })?;
                    explicit = explicit.or(Some(category));
                }
            }
        }
        for label in array(entity, &entity_path, "securityLabel")? {
            for (_, code) in codings(label) {
                sensitive = sensitive.or_else(|| category_from_security(code));
            }
        }
    }
    let patient = patient.ok_or_else(|| {
        Invalid::new(
            child(path, "entity"),
            "an entity for the patient (what: Patient with the medical record number) is required",
        )
    })?;
    let category = explicit
        .or(sensitive)
        .or(by_resource)
        .unwrap_or(Category::Other);
    Ok((patient, category, detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "resourceType": "AuditEvent",
            "id": "his-1",
            "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110"},
            "action": "R",
            "recorded": "2026-11-20T08:15:00.123456+08:00",
            "purposeOfEvent": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "TREAT"}]}],
            "agent": [
                {"who": {"display": "HIS"}, "requestor": false},
                {"who": {"identifier": {"value": "S1001"}, "display": "王医生"}, "requestor": true,
                 "role": [{"text": "主治医师"}], "location": {"identifier": {"value": "CARD"}},
                 "network": {"address": "WS-CARD-07", "type": "2"}}
            ],
            "source": {"site": "Main", "observer": {"display": "HIS"}},
            "entity": [
                {"what": {"reference": "Patient/M0001", "identifier": {"value": "M0001"}}, "role": {"code": "1"}},
                {"what": {"reference": "DiagnosticReport/77"}, "securityLabel": [{"code": "GDIS"}]}
            ]
        })
    }

    #[test]
    fn reads_a_typical_event() {
        let access = parse(&sample(), "AuditEvent").unwrap();
        assert_eq!(access.source_event_id, "his-1");
        assert_eq!(access.patient_mrn, "M0001");
        assert_eq!(access.agent_ref.as_deref(), Some("S1001"));
        assert_eq!(access.agent_name, "王医生");
        assert_eq!(access.agent_role.as_deref(), Some("主治医师"));
        assert_eq!(access.department_code.as_deref(), Some("CARD"));
        assert_eq!(access.workstation.as_deref(), Some("WS-CARD-07"));
        assert_eq!(access.category, Category::Genetic);
        assert_eq!(access.purpose, Purpose::Treatment);
        assert_eq!(access.action, Action::View);
        assert_eq!(access.occurred_at.unix_timestamp(), 1_795_133_700);
        assert_eq!(access.occurred_at.millisecond(), 123);
        assert_eq!(access.detail.as_deref(), Some("DiagnosticReport/77"));
    }

    #[test]
    fn errors_name_the_field() {
        let mut event = sample();
        event["recorded"] = json!("yesterday");
        assert_eq!(
            parse(&event, "AuditEvent").unwrap_err().path,
            "AuditEvent.recorded"
        );
        let mut event = sample();
        event["agent"][1]["who"] = json!({});
        assert_eq!(
            parse(&event, "AuditEvent").unwrap_err().path,
            "AuditEvent.agent[1].who"
        );
        let mut event = sample();
        event["entity"] = json!([{"what": {"reference": "Observation/1"}}]);
        assert_eq!(
            parse(&event, "AuditEvent").unwrap_err().path,
            "AuditEvent.entity"
        );
        let mut event = sample();
        event.as_object_mut().unwrap().remove("id");
        assert_eq!(parse(&event, "X").unwrap_err().path, "X.id");
        let mut event = sample();
        event["action"] = json!("Q");
        assert_eq!(
            parse(&event, "AuditEvent").unwrap_err().path,
            "AuditEvent.action"
        );
    }

    #[test]
    fn organisations_and_categories() {
        let mut event = sample();
        event["agent"] = json!([{"who": {"reference": "Organization/insurer-9", "display": "某保险公司"}, "requestor": true}]);
        event["entity"][1] = json!({"what": {"reference": "Claim/5"}});
        event["subtype"] = json!([{"code": "export"}]);
        let access = parse(&event, "AuditEvent").unwrap();
        assert_eq!(access.agent_kind, AgentKind::Organisation);
        assert_eq!(access.category, Category::Billing);
        assert_eq!(access.action, Action::Export);
        event["entity"][1]["type"] = json!({"system": CATEGORY_SYSTEM, "code": "photographs"});
        assert_eq!(
            parse(&event, "AuditEvent").unwrap().category,
            Category::Photographs
        );
    }
}
