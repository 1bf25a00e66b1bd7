//! `GET /fhir/r4/metadata`: what this server accepts, as a FHIR `CapabilityStatement`.

use axum::response::Response;
use http::StatusCode;
use serde_json::json;

use super::outcome::fhir_response;

pub async fn capability_statement() -> Response {
    let directory = |kind: &str, doc: &str| {
        json!({
            "type": kind,
            "interaction": [{"code": "create"}, {"code": "update"}],
            "documentation": doc,
        })
    };
    let record = |kind: &str, doc: &str| {
        json!({
            "type": kind,
            "interaction": [{"code": "create"}, {"code": "update"}, {"code": "delete"}],
            "documentation": doc,
        })
    };
    fhir_response(
        StatusCode::OK,
        &json!({
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-22",
            "publisher": "Patient Privacy Portal",
            "kind": "instance",
            "software": { "name": "Patient Privacy Portal", "version": env!("CARGO_PKG_VERSION") },
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json"],
            "rest": [{
                "mode": "server",
                "documentation": "Every interaction but this one needs `Authorization: Bearer <token>` of a source system (`portal add-source --name NAME --scope SCOPE`), checked before the body is read; a token does only what its scopes name: `events` (AuditEvent, batch entries of it, $import), `directory` (Patient, Practitioner, PractitionerRole, Location, Encounter, Appointment, ServiceRequest, DiagnosticReport, CareTeam), `consent-read` (Consent, $decide), `record` (Patient demographics, AllergyIntolerance, Condition, MedicationStatement, MedicationRequest, DocumentReference; Task). A batch holds at most 10000 entries. Answers are sent after the data is committed.",
                "security": {
                    "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "OAuth"}], "text": "Bearer token per source system"}]
                },
                "resource": [
                    {
                        "type": "AuditEvent",
                        "interaction": [{"code": "create"}],
                        "documentation": "One access to a patient's record. `id` is the source's own identifier: resending it changes nothing. The patient is the entity whose `what` is a Patient (medical record number).",
                        "operation": [{"name": "import", "definition": "AuditEvent/$import", "documentation": "POST application/fhir+ndjson: one AuditEvent per line, for back-fills."}]
                    },
                    directory("Patient", "Upsert by the identifier of type MR (medical record number). With the `record` scope its name, birth date, sex, phone and address also become the patient's demographics in their record."),
                    directory("Practitioner", "Upsert by the first identifier (staff number); `active: false` deactivates."),
                    directory("PractitionerRole", "Department (`location`) and job role (`code`) of a member of staff."),
                    directory("Location", "A department: code, names, `hoursOfOperation`."),
                    directory("Encounter", "A care relationship (a visit; an admission when `class` is IMP, ACUTE or NONAC): patient, department (`serviceProvider` or `location`), every Practitioner participant, period (without an end it is going on unless `status` is finished). Accesses it covers are explained to the patient; a late one explains accesses already logged."),
                    directory("Appointment", "A care relationship: patient, department, staff, start and end."),
                    directory("ServiceRequest", "A referral (`category` SNOMED CT 3457005) or an order: patient, `requester`, `performer` (the department carrying it out, and staff), `occurrence[x]` or `authoredOn`."),
                    directory("DiagnosticReport", "A result routed to staff: patient, `performer` (department), `resultsInterpreter`, `effective[x]` or `issued`."),
                    directory("CareTeam", "The patient's care team: `participant[].member` (staff), `managingOrganization` (department), `period` (without an end it is going on unless `status` is inactive)."),
                    record("AllergyIntolerance", "An allergy in the patient's record (`patient`: Patient/<MRN>). `id` is the source's own: a later version with the same id updates it; `verificationStatus` entered-in-error or a delete takes it out of the patient's view, its history kept."),
                    record("Condition", "A diagnosis or health problem (`subject`: Patient/<MRN>); upserted by `id` like AllergyIntolerance."),
                    record("MedicationStatement", "A medicine the patient takes (`subject`: Patient/<MRN>); upserted by `id`."),
                    record("MedicationRequest", "A prescription (`subject`: Patient/<MRN>); upserted by `id`."),
                    record("DocumentReference", "An index entry for a document (title, type, date, author, department); document bodies are not accepted. Upserted by `id`."),
                    {
                        "type": "Task",
                        "interaction": [{"code": "read"}, {"code": "search-type"}, {"code": "update"}, {"code": "patch"}],
                        "searchParam": [
                            {"name": "status", "type": "token", "documentation": "requested (not yet applied) or completed."},
                            {"name": "_lastUpdated", "type": "date", "documentation": "ge<instant>: changed since."}
                        ],
                        "documentation": "A correction the hospital accepted (id = the request's reference), for the record system to apply (`record` scope): `focus` is the resource to change, `input` holds the field, the value then and the corrected value. Set `status` to completed (PUT, or PATCH with a JSON Patch) once applied; the patient then sees it applied. Each read is written into the patient's access log."
                    },
                    {
                        "type": "Consent",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "patient", "type": "reference", "documentation": "Required: Patient/<medical record number>."},
                            {"name": "purpose", "type": "token", "documentation": "v3 ActReason code (HRESCH research, TRAIN teaching) or the portal's purpose code."},
                            {"name": "status", "type": "token", "documentation": "active or inactive."}
                        ],
                        "documentation": "One Consent per change a patient made (id = receipt id); the newest of a purpose is active while it holds. Each read or search is written into the patient's access log.",
                        "operation": [{"name": "decide", "definition": "Consent/$decide", "documentation": "GET ?patient=&purpose=&category=&time= or POST Parameters: permit or deny with the reason. Each request is written into the patient's access log."}]
                    },
                ],
                "interaction": [{"code": "batch", "documentation": "Bundle of type batch: each entry succeeds or fails on its own."}]
            }]
        }),
    )
}
