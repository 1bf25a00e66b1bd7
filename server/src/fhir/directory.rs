//! FHIR R4 directory resources → the portal's directory.
//!
//! - `Patient`: `identifier[].value` (the medical record number: the identifier whose
//!   `type` is MR, else the first), `name[0]` (`text`, or `family` + `given`),
//!   `telecom` (email), `address[0]`, `meta.security` code `VIP`/`CEL` for a protected record.
//! - `Practitioner`: `identifier[0].value` (staff number), `name`, `telecom` (email),
//!   `address[0]`, `active`; an identifier of type MR is their own record number.
//! - `PractitionerRole`: `practitioner` (staff number), `location[0]` or `organization`
//!   (department code), `code[0]` (job role).
//! - `Location` (a department): `identifier[0].value` (code), `name`, `alias[0]` (English
//!   name), `hoursOfOperation` (`daysOfWeek`, `allDay`, `openingTime`, `closingTime`).
//! - Care relationships, each with `id` or `identifier[0].value`, the `subject` Patient
//!   (record number), every `Practitioner` it names (staff numbers), a department
//!   (an `Organization`, `Location` or `HealthcareService` code), a time, and `status`:
//!   - `Encounter` (of class `IMP`, `ACUTE` or `NONAC`: an admission) and `Appointment`:
//!     `participant[].individual`/`actor`, `serviceProvider` or `location[0]`,
//!     `period` or `start`–`end`;
//!   - `ServiceRequest` (a referral when `category` is SNOMED CT 3457005, else an order):
//!     `requester`, `performer[]` (the department carrying it out), `occurrencePeriod`,
//!     `occurrenceDateTime` or `authoredOn`;
//!   - `DiagnosticReport` (a result): `performer[]`, `resultsInterpreter[]`,
//!     `effectivePeriod`, `effectiveDateTime` or `issued`;
//!   - `CareTeam`: `participant[].member`, `managingOrganization[0]`, `period`.
//!
//!   A visit, a stay or a care team without an end is going on unless its `status` says
//!   it is over (`finished`, `inactive`); care `cancelled` or `entered-in-error` counts for
//!   nothing.

use app::directory::server::service::{
    CareRelationship, DirectoryDepartment, DirectoryPatient, DirectoryStaff,
};
use app::directory::types::{parse_clock, weekday_index, CareKind, OpeningPeriod, WorkingHours};
use serde_json::Value;
use time::OffsetDateTime;

use super::elements::{
    array, child, codings, concept_text, concepts, instant, item, object, opt_bool, opt_str,
    reference_key, reference_type,
};
use super::outcome::Invalid;

/// A directory resource, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectoryEntry {
    Patient(DirectoryPatient),
    Staff(DirectoryStaff),
    StaffRole {
        staff_number: String,
        department_code: Option<String>,
        job_title: Option<String>,
    },
    Department(DirectoryDepartment),
    Care(CareRelationship),
}

/// Resource types the directory accepts.
pub const DIRECTORY_TYPES: [&str; 9] = [
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Location",
    "Encounter",
    "Appointment",
    "ServiceRequest",
    "DiagnosticReport",
    "CareTeam",
];

/// Parses a directory resource of any accepted type.
pub fn parse(resource: &Value, path: &str) -> Result<DirectoryEntry, Invalid> {
    match resource.get("resourceType").and_then(Value::as_str) {
        Some("Patient") => patient(resource, path).map(DirectoryEntry::Patient),
        Some("Practitioner") => practitioner(resource, path).map(DirectoryEntry::Staff),
        Some("PractitionerRole") => practitioner_role(resource, path),
        Some("Location") => location(resource, path).map(DirectoryEntry::Department),
        Some("Encounter" | "Appointment" | "ServiceRequest" | "DiagnosticReport" | "CareTeam") => {
            care(resource, path).map(DirectoryEntry::Care)
        }
        _ => Err(Invalid::new(
            child(path, "resourceType"),
            format!("must be one of {}", DIRECTORY_TYPES.join(", ")),
        )),
    }
}

/// The main identifier: the one typed `MR` (or the one named `preferred`), else the first.
fn identifier(resource: &Value, path: &str, want_mr: bool) -> Result<Option<String>, Invalid> {
    let identifiers = array(resource, path, "identifier")?;
    let mut first = None;
    for (index, id) in identifiers.iter().enumerate() {
        let id_path = item(&child(path, "identifier"), index);
        let Some(value) = opt_str(id, &id_path, "value")? else {
            return Err(Invalid::new(child(&id_path, "value"), "is required"));
        };
        let is_mr = id
            .get("type")
            .is_some_and(|t| codings(t).iter().any(|(_, code)| *code == "MR"));
        if want_mr && is_mr {
            return Ok(Some(value.to_owned()));
        }
        if !want_mr && is_mr {
            continue;
        }
        first = first.or(Some(value.to_owned()));
    }
    Ok(first)
}

fn own_record_number(resource: &Value) -> Option<String> {
    resource
        .get("identifier")?
        .as_array()?
        .iter()
        .find_map(|id| {
            let is_mr = id
                .get("type")
                .is_some_and(|t| codings(t).iter().any(|(_, code)| *code == "MR"));
            is_mr
                .then(|| id.get("value").and_then(Value::as_str).map(str::to_owned))
                .flatten()
        })
}

pub(super) fn require_identifier(
    resource: &Value,
    path: &str,
    want_mr: bool,
) -> Result<String, Invalid> {
    identifier(resource, path, want_mr)?.ok_or_else(|| {
        Invalid::new(
            child(path, "identifier"),
            "an identifier with a value is required",
        )
    })
}

/// `(display name, family name)` from `name[0]`.
pub(super) fn human_name(
    resource: &Value,
    path: &str,
) -> Result<(String, Option<String>), Invalid> {
    let names = array(resource, path, "name")?;
    let Some(name) = names.first() else {
        return Err(Invalid::new(child(path, "name"), "is required"));
    };
    let name_path = item(&child(path, "name"), 0);
    let family = opt_str(name, &name_path, "family")?.map(str::to_owned);
    let given: Vec<&str> = array(name, &name_path, "given")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let text = if let Some(text) = opt_str(name, &name_path, "text")? {
        text.to_owned()
    } else {
        let family_text = family.clone().unwrap_or_default();
        // Chinese names are written family name first, without a space.
        let cjk = family_text.chars().any(|c| c > '\u{2e80}');
        if cjk {
            format!("{family_text}{}", given.join(""))
        } else {
            let mut parts: Vec<&str> = given.clone();
            if !family_text.is_empty() {
                parts.push(&family_text);
            }
            parts.join(" ")
        }
    };
    let text = text.trim().to_owned();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(Invalid::new(
            name_path,
            "must give a name of 1 to 200 characters",
        ));
    }
    Ok((text, family))
}

fn email(resource: &Value, path: &str) -> Result<Option<String>, Invalid> {
    for (index, telecom) in array(resource, path, "telecom")?.iter().enumerate() {
        let telecom_path = item(&child(path, "telecom"), index);
        if telecom.get("system").and_then(Value::as_str) == Some("email") {
            let value = opt_str(telecom, &telecom_path, "value")?
                .ok_or_else(|| Invalid::new(child(&telecom_path, "value"), "is required"))?;
            let parsed = app::accounts::types::EmailAddress::parse(value).map_err(|_| {
                Invalid::new(child(&telecom_path, "value"), "is not an email address")
            })?;
            return Ok(Some(parsed.as_str().to_owned()));
        }
    }
    Ok(None)
}

pub(super) fn address(resource: &Value, path: &str) -> Result<Option<String>, Invalid> {
    let Some(address) = array(resource, path, "address")?.first() else {
        return Ok(None);
    };
    let address_path = item(&child(path, "address"), 0);
    if let Some(text) = opt_str(address, &address_path, "text")? {
        return Ok(Some(text.to_owned()));
    }
    let mut parts: Vec<String> = Vec::new();
    for name in ["country", "state", "city", "district"] {
        if let Some(part) = opt_str(address, &address_path, name)? {
            parts.push(part.to_owned());
        }
    }
    for line in array(address, &address_path, "line")?
        .iter()
        .filter_map(Value::as_str)
    {
        parts.push(line.to_owned());
    }
    Ok((!parts.is_empty()).then(|| parts.join(" ")))
}

fn patient(resource: &Value, path: &str) -> Result<DirectoryPatient, Invalid> {
    let mrn = require_identifier(resource, path, true)?;
    let (name, family_name) = human_name(resource, path)?;
    let vip = resource
        .get("meta")
        .and_then(|meta| meta.get("security"))
        .and_then(Value::as_array)
        .is_some_and(|labels| {
            labels.iter().any(|label| {
                codings(label)
                    .iter()
                    .any(|(_, code)| matches!(*code, "VIP" | "CEL"))
            })
        });
    Ok(DirectoryPatient {
        mrn,
        name,
        family_name,
        email: email(resource, path)?,
        address: address(resource, path)?,
        vip,
    })
}

fn practitioner(resource: &Value, path: &str) -> Result<DirectoryStaff, Invalid> {
    let staff_number = require_identifier(resource, path, false)?;
    let (name, family_name) = human_name(resource, path)?;
    Ok(DirectoryStaff {
        staff_number,
        name,
        family_name,
        email: email(resource, path)?,
        address: address(resource, path)?,
        active: opt_bool(resource, path, "active")?.unwrap_or(true),
        own_mrn: own_record_number(resource),
    })
}

fn practitioner_role(resource: &Value, path: &str) -> Result<DirectoryEntry, Invalid> {
    let practitioner = object(resource, path, "practitioner")?
        .and_then(reference_key)
        .ok_or_else(|| {
            Invalid::new(
                child(path, "practitioner"),
                "must identify the member of staff",
            )
        })?;
    let department_code = array(resource, path, "location")?
        .first()
        .and_then(reference_key)
        .or(object(resource, path, "organization")?.and_then(reference_key));
    let job_title = concepts(resource, path, "code")?
        .iter()
        .find_map(concept_text);
    Ok(DirectoryEntry::StaffRole {
        staff_number: practitioner,
        department_code,
        job_title,
    })
}

fn location(resource: &Value, path: &str) -> Result<DirectoryDepartment, Invalid> {
    let code = require_identifier(resource, path, false)?;
    let name = opt_str(resource, path, "name")?
        .ok_or_else(|| Invalid::new(child(path, "name"), "is required"))?
        .to_owned();
    let name_en = array(resource, path, "alias")?
        .iter()
        .find_map(Value::as_str)
        .map_or_else(|| name.clone(), str::to_owned);
    let hours_list = array(resource, path, "hoursOfOperation")?;
    let hours = if hours_list.is_empty() {
        None
    } else {
        let mut periods = Vec::new();
        for (index, entry) in hours_list.iter().enumerate() {
            let entry_path = item(&child(path, "hoursOfOperation"), index);
            let mut days = Vec::new();
            for (day_index, day) in array(entry, &entry_path, "daysOfWeek")?.iter().enumerate() {
                let day = day.as_str().and_then(weekday_index).ok_or_else(|| {
                    Invalid::new(
                        item(&child(&entry_path, "daysOfWeek"), day_index),
                        "must be one of mon, tue, wed, thu, fri, sat, sun",
                    )
                })?;
                days.push(day);
            }
            if days.is_empty() {
                days = (0..7).collect();
            }
            let (open, close) = if opt_bool(entry, &entry_path, "allDay")? == Some(true) {
                (0, 24 * 60)
            } else {
                let clock = |name: &str| -> Result<u16, Invalid> {
                    opt_str(entry, &entry_path, name)?
                        .and_then(parse_clock)
                        .ok_or_else(|| {
                            Invalid::new(child(&entry_path, name), "must be a time like 08:00:00")
                        })
                };
                (clock("openingTime")?, clock("closingTime")?)
            };
            periods.push(OpeningPeriod { days, open, close });
        }
        Some(WorkingHours { periods })
    };
    Ok(DirectoryDepartment {
        code,
        name_zh_hans: name,
        name_en,
        hours,
    })
}

/// What a reference without a type names, in the field it is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Untyped {
    Patient,
    Member,
    Department,
    Nothing,
}

/// The people and departments a care resource names.
#[derive(Default)]
struct Named {
    patient: Option<String>,
    members: Vec<String>,
    departments: Vec<String>,
}

impl Named {
    /// Sorts a `Reference` by the type it names; one without a type by what its field
    /// holds (`untyped`).
    fn note(&mut self, reference: &Value, untyped: Untyped) {
        let Some(key) = reference_key(reference) else {
            return;
        };
        let names = match reference_type(reference) {
            Some("Patient") => Untyped::Patient,
            Some("Practitioner" | "PractitionerRole") => Untyped::Member,
            Some("Organization" | "Location" | "HealthcareService") => Untyped::Department,
            Some(_) => Untyped::Nothing,
            None => untyped,
        };
        match names {
            Untyped::Patient => {
                self.patient.get_or_insert(key);
            }
            Untyped::Member if !self.members.contains(&key) => self.members.push(key),
            Untyped::Department => self.departments.push(key),
            Untyped::Member | Untyped::Nothing => {}
        }
    }

    /// Every reference in `name` (one or a list); in a list, each item's `inner` field
    /// when the items are wrappers (`participant[].member`).
    fn note_all(
        &mut self,
        resource: &Value,
        path: &str,
        name: &str,
        inner: &[&str],
        untyped: Untyped,
    ) -> Result<(), Invalid> {
        match resource.get(name) {
            Some(Value::Array(_)) => {
                for (index, entry) in array(resource, path, name)?.iter().enumerate() {
                    let entry_path = item(&child(path, name), index);
                    let mut found = inner.is_empty().then_some(entry);
                    for field in inner {
                        found = found.or(object(entry, &entry_path, field)?);
                    }
                    if let Some(reference) = found {
                        self.note(reference, untyped);
                    }
                }
            }
            Some(_) => {
                if let Some(reference) = object(resource, path, name)? {
                    self.note(reference, untyped);
                }
            }
            None => {}
        }
        Ok(())
    }
}

/// An `Encounter` of class inpatient, acute or non-acute is a stay on a ward.
fn is_admission(resource: &Value) -> bool {
    resource.get("class").is_some_and(|class| {
        codings(class)
            .iter()
            .any(|(_, code)| matches!(*code, "IMP" | "ACUTE" | "NONAC"))
    })
}

/// A `ServiceRequest` whose category is a referral (SNOMED CT 3457005, or the word).
fn is_referral(resource: &Value) -> bool {
    resource
        .get("category")
        .and_then(Value::as_array)
        .is_some_and(|categories| {
            categories.iter().any(|category| {
                codings(category).iter().any(|(_, code)| *code == "3457005")
                    || concept_text(category).is_some_and(|text| {
                        text.to_lowercase().contains("referral") || text.contains("转诊")
                    })
            })
        })
}

/// A period (`start`, `end`) or a single time, the first of `names` present.
fn care_times(
    resource: &Value,
    path: &str,
    period: &str,
    instants: &[&str],
) -> Result<(Option<OffsetDateTime>, Option<OffsetDateTime>), Invalid> {
    if let Some(found) = object(resource, path, period)? {
        let period_path = child(path, period);
        return Ok((
            instant(found, &period_path, "start", true)?,
            instant(found, &period_path, "end", false)?,
        ));
    }
    for name in instants {
        if resource.get(*name).is_some() {
            return Ok((instant(resource, path, name, true)?, None));
        }
    }
    Ok((None, None))
}

/// Times of a care resource: (start, end) and the field a missing start is named by.
type CareTimes = (
    (Option<OffsetDateTime>, Option<OffsetDateTime>),
    &'static str,
);

/// What a care resource of `resource_type` names, its kind, the field holding its
/// department, and its times.
fn named_in(
    resource: &Value,
    path: &str,
    resource_type: &str,
) -> Result<(Named, CareKind, &'static str, CareTimes), Invalid> {
    let mut named = Named::default();
    named.note_all(resource, path, "subject", &[], Untyped::Patient)?;
    let (kind, department_field, times) = match resource_type {
        "ServiceRequest" => {
            named.note_all(resource, path, "requester", &[], Untyped::Member)?;
            named.note_all(resource, path, "performer", &[], Untyped::Department)?;
            let kind = if is_referral(resource) {
                CareKind::Referral
            } else {
                CareKind::Order
            };
            let times = care_times(
                resource,
                path,
                "occurrencePeriod",
                &["occurrenceDateTime", "authoredOn"],
            )?;
            (kind, "performer", (times, "authoredOn"))
        }
        "DiagnosticReport" => {
            named.note_all(resource, path, "performer", &[], Untyped::Department)?;
            named.note_all(resource, path, "resultsInterpreter", &[], Untyped::Member)?;
            let times = care_times(
                resource,
                path,
                "effectivePeriod",
                &["effectiveDateTime", "issued"],
            )?;
            (CareKind::Result, "performer", (times, "issued"))
        }
        "CareTeam" => {
            named.note_all(resource, path, "participant", &["member"], Untyped::Member)?;
            named.note_all(
                resource,
                path,
                "managingOrganization",
                &[],
                Untyped::Department,
            )?;
            let times = care_times(resource, path, "period", &[])?;
            (
                CareKind::CareTeam,
                "managingOrganization",
                (times, "period.start"),
            )
        }
        _ => {
            named.note_all(
                resource,
                path,
                "participant",
                &["individual", "actor"],
                Untyped::Nothing,
            )?;
            // The department: the service provider, else the first location.
            let mut departments = Named::default();
            departments.note_all(resource, path, "serviceProvider", &[], Untyped::Department)?;
            departments.note_all(
                resource,
                path,
                "location",
                &["location"],
                Untyped::Department,
            )?;
            departments.departments.append(&mut named.departments);
            named.departments = departments.departments;
            let kind = match resource_type {
                "Appointment" => CareKind::Appointment,
                _ if is_admission(resource) => CareKind::Admission,
                _ => CareKind::Encounter,
            };
            let times = care_times(resource, path, "period", &["start"])?;
            (kind, "serviceProvider", (times, "start"))
        }
    };
    Ok((named, kind, department_field, times))
}

fn care(resource: &Value, path: &str) -> Result<CareRelationship, Invalid> {
    let resource_type = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key = opt_str(resource, path, "id")?
        .map(str::to_owned)
        .or(identifier(resource, path, false)?)
        .ok_or_else(|| Invalid::new(child(path, "id"), "an id or identifier is required"))?;
    let (named, kind, department_field, times) = named_in(resource, path, resource_type)?;
    let patient = named.patient.ok_or_else(|| {
        Invalid::new(
            child(path, "subject"),
            "must identify the patient (medical record number)",
        )
    })?;
    let department = named.departments.into_iter().next().ok_or_else(|| {
        Invalid::new(
            child(path, department_field),
            "must identify the department",
        )
    })?;
    let ((starts_at, ends_at), start_field) = times;
    let starts_at =
        starts_at.ok_or_else(|| Invalid::new(child(path, start_field), "is required"))?;
    let status = opt_str(resource, path, "status")?
        .unwrap_or("unknown")
        .to_owned();
    Ok(CareRelationship {
        key,
        kind,
        patient_mrn: patient,
        department_code: department,
        members: named.members,
        starts_at,
        ends_at,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patient_and_staff() {
        let entry = parse(
            &json!({
                "resourceType": "Patient",
                "identifier": [{"system": "urn:oid:1.2", "value": "ID-9"},
                               {"type": {"coding": [{"code": "MR"}]}, "value": "M0001"}],
                "name": [{"family": "李", "given": ["雷"]}],
                "telecom": [{"system": "email", "value": "li@example.org"}],
                "address": [{"text": "上海市徐汇区1号"}],
                "meta": {"security": [{"code": "VIP"}]}
            }),
            "Patient",
        )
        .unwrap();
        let DirectoryEntry::Patient(p) = entry else {
            panic!("patient")
        };
        assert_eq!(
            (p.mrn.as_str(), p.name.as_str(), p.family_name.as_deref()),
            ("M0001", "李雷", Some("李"))
        );
        assert!(p.vip);
        let entry = parse(&json!({
            "resourceType": "Practitioner", "active": false,
            "identifier": [{"value": "S1"}, {"type": {"coding": [{"code": "MR"}]}, "value": "M9"}],
            "name": [{"text": "Ann Lee", "family": "Lee"}]
        }), "Practitioner").unwrap();
        let DirectoryEntry::Staff(s) = entry else {
            panic!("staff")
        };
        assert_eq!(
            (s.staff_number.as_str(), s.active, s.own_mrn.as_deref()),
            ("S1", false, Some("M9"))
        );
    }

    #[test]
    fn department_hours_and_encounters() {
        let DirectoryEntry::Department(d) = parse(&json!({
            "resourceType": "Location", "identifier": [{"value": "CARD"}], "name": "心内科", "alias": ["Cardiology"],
            "hoursOfOperation": [{"daysOfWeek": ["mon", "fri"], "openingTime": "08:00:00", "closingTime": "17:30:00"}]
        }), "Location").unwrap() else { panic!("department") };
        let hours = d.hours.unwrap();
        assert!(hours.is_open(4, 9 * 60) && !hours.is_open(1, 9 * 60));
        let DirectoryEntry::Care(c) = parse(
            &json!({
                "resourceType": "Encounter", "id": "enc-1", "status": "finished",
                "subject": {"identifier": {"value": "M0001"}},
                "serviceProvider": {"identifier": {"value": "CARD"}},
                "participant": [{"individual": {"reference": "Practitioner/S1"}}],
                "period": {"start": "2026-11-01T09:00:00+08:00", "end": "2026-11-01T10:00:00+08:00"}
            }),
            "Encounter",
        )
        .unwrap() else {
            panic!("care")
        };
        assert_eq!(
            (
                c.patient_mrn.as_str(),
                c.department_code.as_str(),
                c.members.as_slice(),
                c.kind
            ),
            (
                "M0001",
                "CARD",
                ["S1".to_owned()].as_slice(),
                CareKind::Encounter
            )
        );
        let bad = parse(
            &json!({"resourceType": "Location", "identifier": [{"value": "X"}], "name": "X",
            "hoursOfOperation": [{"daysOfWeek": ["someday"]}]}),
            "Location",
        )
        .unwrap_err();
        assert_eq!(bad.path, "Location.hoursOfOperation[0].daysOfWeek[0]");
        let bad = parse(&json!({"resourceType": "Encounter", "id": "e", "subject": {"identifier": {"value": "M"}},
            "serviceProvider": {"identifier": {"value": "C"}}}), "Encounter").unwrap_err();
        assert_eq!(bad.path, "Encounter.start");
    }
}
