//! The part of each demo patient's record the hospital shares, sent through the same FHIR
//! reading as a real system's push, with a mistake or two worth asking to correct: a wrong
//! allergy, a swapped birth date, a dose that is not what the doctor said, a diagnosis that
//! was only suspected, a letter from a department the patient never visited.

use app::record::server::service::{store, RecordError, Stored};
use app::ssr::sources::keyless_source;
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::history::DEMO_SOURCE;
use super::SeedError;
use crate::fhir::record::parse;

/// `(id, substance, reaction, criticality, recorded)`.
type Allergy = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);
/// `(id, diagnosis, onset, verification)`.
type Condition = (&'static str, &'static str, &'static str, &'static str);
/// `(id, medicine, dosage, since)`.
type Medication = (&'static str, &'static str, &'static str, &'static str);
/// `(id, title, kind, date, author, department)`.
type Document = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

struct DemoRecord {
    mrn: &'static str,
    name: &'static str,
    birth_date: &'static str,
    gender: &'static str,
    phone: &'static str,
    allergies: &'static [Allergy],
    conditions: &'static [Condition],
    medications: &'static [Medication],
    documents: &'static [Document],
}

const RECORDS: &[DemoRecord] = &[
    DemoRecord {
        mrn: "P000001",
        name: "张伟",
        birth_date: "1968-03-15",
        gender: "male",
        phone: "+86 21 5555 0101",
        // The mistake: he reacts to cephalosporins, not penicillin (a colleague's slip).
        allergies: &[("a1", "青霉素", "皮疹、瘙痒", "high", "2024-05-20")],
        conditions: &[
            ("c1", "原发性高血压", "2015-09-01", "confirmed"),
            ("c2", "2型糖尿病", "2019-06-12", "confirmed"),
        ],
        medications: &[
            ("m1", "氨氯地平片 5 mg", "每日一次，每次一片", "2015-09-03"),
            (
                "m2",
                "二甲双胍片 500 mg",
                "每日两次，每次一片，随餐",
                "2019-06-14",
            ),
        ],
        documents: &[
            (
                "d1",
                "门诊病历",
                "门诊记录",
                "2026-08-11",
                "陈医生",
                "心血管内科",
            ),
            (
                "d2",
                "血糖监测报告",
                "检验报告",
                "2026-09-02",
                "检验科",
                "检验科",
            ),
        ],
    },
    DemoRecord {
        mrn: "P000002",
        name: "王秀英",
        birth_date: "1955-11-02",
        gender: "female",
        phone: "+86 21 5555 0102",
        allergies: &[("a1", "磺胺类药物", "荨麻疹", "low", "2010-04-08")],
        conditions: &[("c1", "骨质疏松症", "2021-02-20", "confirmed")],
        // The mistake: the doctor said once a week, not once a day.
        medications: &[(
            "m1",
            "阿仑膦酸钠片 70 mg",
            "每日一次，每次一片",
            "2021-02-22",
        )],
        documents: &[(
            "d1",
            "骨密度检查报告",
            "影像报告",
            "2026-07-15",
            "周医生",
            "放射科",
        )],
    },
    DemoRecord {
        mrn: "P000003",
        name: "Emily Carter",
        // The mistake: day and month swapped (she was born on 4 November).
        birth_date: "1988-04-11",
        gender: "female",
        phone: "+86 21 5555 0103",
        allergies: &[(
            "a1",
            "Peanut",
            "Swelling of the lips, wheezing",
            "high",
            "2023-10-02",
        )],
        conditions: &[("c1", "Asthma", "2002-01-01", "confirmed")],
        medications: &[(
            "m1",
            "Salbutamol inhaler 100 micrograms",
            "Two puffs when needed",
            "2023-10-02",
        )],
        documents: &[(
            "d1",
            "Emergency department discharge summary",
            "Discharge summary",
            "2023-10-03",
            "Dr Zhou",
            "Emergency",
        )],
    },
    DemoRecord {
        mrn: "P000004",
        name: "李娜",
        birth_date: "1991-07-23",
        gender: "female",
        phone: "+86 21 5555 0104",
        allergies: &[],
        // The mistake: epilepsy was only suspected and ruled out; it reads as confirmed.
        conditions: &[
            ("c1", "癫痫", "2025-12-05", "confirmed"),
            ("c2", "偏头痛", "2018-03-01", "confirmed"),
        ],
        medications: &[(
            "m1",
            "布洛芬缓释胶囊 300 mg",
            "头痛时服用，每次一粒",
            "2018-03-01",
        )],
        documents: &[
            (
                "d1",
                "脑电图检查报告",
                "检查报告",
                "2025-12-09",
                "孙医生",
                "神经内科",
            ),
            (
                "d2",
                "神经内科门诊病历",
                "门诊记录",
                "2025-12-05",
                "孙医生",
                "神经内科",
            ),
        ],
    },
    DemoRecord {
        mrn: "P000005",
        name: "刘建国",
        birth_date: "1949-01-30",
        gender: "male",
        phone: "+86 21 5555 0105",
        allergies: &[("a1", "碘造影剂", "呼吸困难", "high", "2020-11-18")],
        conditions: &[("c1", "冠状动脉粥样硬化性心脏病", "2020-11-18", "confirmed")],
        medications: &[
            (
                "m1",
                "阿司匹林肠溶片 100 mg",
                "每日一次，每次一片",
                "2020-11-20",
            ),
            (
                "m2",
                "阿托伐他汀钙片 20 mg",
                "每晚一次，每次一片",
                "2020-11-20",
            ),
        ],
        // The mistake: he has never been seen by the dermatology department.
        documents: &[
            (
                "d1",
                "冠脉造影报告",
                "检查报告",
                "2020-11-19",
                "陈医生",
                "心血管内科",
            ),
            (
                "d2",
                "皮肤科门诊病历",
                "门诊记录",
                "2026-06-03",
                "吴医生",
                "皮肤科",
            ),
        ],
    },
];

/// The FHIR resources a record system would send for one demo patient.
fn resources(record: &DemoRecord) -> Vec<Value> {
    let patient = json!({"reference": format!("Patient/{}", record.mrn)});
    let id = |local: &str| format!("demo-{}-{local}", record.mrn);
    let mut list = vec![json!({
        "resourceType": "Patient", "id": record.mrn,
        "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": record.mrn}],
        "name": [{"text": record.name}], "birthDate": record.birth_date,
        "gender": record.gender,
        "telecom": [{"system": "phone", "value": record.phone}],
    })];
    for (local, substance, reaction, criticality, recorded) in record.allergies {
        list.push(json!({
            "resourceType": "AllergyIntolerance", "id": id(local), "patient": patient,
            "code": {"text": substance}, "criticality": criticality,
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "verificationStatus": {"coding": [{"code": "confirmed"}]},
            "reaction": [{"manifestation": [{"text": reaction}]}],
            "recordedDate": recorded,
        }));
    }
    for (local, diagnosis, onset, verification) in record.conditions {
        list.push(json!({
            "resourceType": "Condition", "id": id(local), "subject": patient,
            "code": {"text": diagnosis}, "onsetDateTime": onset,
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "verificationStatus": {"coding": [{"code": verification}]},
        }));
    }
    for (local, medicine, dosage, since) in record.medications {
        list.push(json!({
            "resourceType": "MedicationStatement", "id": id(local), "subject": patient,
            "status": "active", "medicationCodeableConcept": {"text": medicine},
            "dosage": [{"text": dosage}], "effectiveDateTime": since,
        }));
    }
    for (local, title, kind, date, author, department) in record.documents {
        list.push(json!({
            "resourceType": "DocumentReference", "id": id(local), "subject": patient,
            "status": "current", "description": title, "type": {"text": kind},
            "date": date, "author": [{"display": author}],
            "custodian": {"display": department},
            "content": [{"attachment": {"contentType": "application/pdf"}}],
        }));
    }
    list
}

/// Stores the demo patients' records; returns how many entries were new or changed (none
/// when seeding again).
pub async fn seed(db: &DatabaseConnection, now: OffsetDateTime) -> Result<usize, SeedError> {
    let source = keyless_source(db, DEMO_SOURCE, now).await?;
    let txn = db.begin().await?;
    let mut count = 0;
    for record in RECORDS {
        for resource in resources(record) {
            let parsed = parse(&resource, "demo").map_err(|invalid| {
                SeedError::Record(format!("{}: {}", invalid.path, invalid.message))
            })?;
            let stored =
                store(&txn, source.id, &parsed, now)
                    .await
                    .map_err(|error| match error {
                        RecordError::Database(error) => SeedError::Database(error),
                        other => SeedError::Record(other.to_string()),
                    })?;
            if !matches!(stored, Stored::Unchanged(_)) {
                count += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(count)
}
