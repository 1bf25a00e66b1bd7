//! `portal seed-demo`: a demo hospital a newcomer can explore at once, and that later
//! features extend (access histories, consents, requests). Running it again refreshes the
//! same records instead of duplicating them. Addresses use the reserved example.org domain.

use app::accounts::server::service::{upsert_patient, upsert_staff, NewPatient, NewStaff};
use app::accounts::types::{
    EmailAddress, MedicalRecordNumber, PersonName, StaffNumber, ValueError,
};
use app::hospital::server::service::{upsert_department, NewDepartment};
use app::i18n::Locale;
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use time::OffsetDateTime;

/// Departments: code, Chinese name, English name.
const DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("CARD", "心血管内科", "Cardiology"),
    ("RAD", "放射科", "Radiology"),
    ("ONC", "肿瘤科", "Oncology"),
    ("EMER", "急诊科", "Emergency"),
    ("PSY", "精神心理科", "Psychiatry"),
    ("LAB", "检验科", "Laboratory"),
    ("REC", "病案管理科", "Medical Records"),
    ("PRIV", "隐私保护办公室", "Privacy Office"),
];

/// Staff: number, name, department code, job title, language.
const STAFF: &[(&str, &str, &str, &str, Locale)] = &[
    (
        "S1001",
        "李明",
        "CARD",
        "attending_physician",
        Locale::ZhHans,
    ),
    ("S1002", "王芳", "CARD", "nurse", Locale::ZhHans),
    ("S2001", "赵强", "RAD", "radiologist", Locale::ZhHans),
    (
        "S3001",
        "陈静",
        "ONC",
        "attending_physician",
        Locale::ZhHans,
    ),
    (
        "S4001",
        "刘洋",
        "EMER",
        "emergency_physician",
        Locale::ZhHans,
    ),
    ("S5001", "孙丽", "PSY", "psychiatrist", Locale::ZhHans),
    ("S6001", "黄磊", "LAB", "lab_technician", Locale::ZhHans),
    ("S7001", "周婷", "REC", "records_officer", Locale::ZhHans),
    ("S8001", "吴刚", "PRIV", "privacy_officer", Locale::ZhHans),
    (
        "S8002",
        "Daniel Brooks",
        "PRIV",
        "administrator",
        Locale::En,
    ),
];

/// Patients: medical record number, name, email, language.
const PATIENTS: &[(&str, &str, &str, Locale)] = &[
    ("P000001", "张伟", "zhang.wei@example.org", Locale::ZhHans),
    (
        "P000002",
        "王秀英",
        "wang.xiuying@example.org",
        Locale::ZhHans,
    ),
    (
        "P000003",
        "Emily Carter",
        "emily.carter@example.org",
        Locale::En,
    ),
    ("P000004", "李娜", "li.na@example.org", Locale::ZhHans),
    (
        "P000005",
        "刘建国",
        "liu.jianguo@example.org",
        Locale::ZhHans,
    ),
];

/// What the demo seed created or refreshed.
#[derive(Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub departments: usize,
    pub staff: usize,
    pub patients: usize,
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("demo data is invalid ({0}): {1}")]
    Invalid(&'static str, ValueError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

fn valid<T>(what: &'static str, parsed: Result<T, ValueError>) -> Result<T, SeedError> {
    parsed.map_err(|e| SeedError::Invalid(what, e))
}

/// Writes the demo hospital in one transaction.
pub async fn seed(db: &DatabaseConnection, now: OffsetDateTime) -> Result<DemoSummary, SeedError> {
    let txn = db.begin().await?;
    let mut department_ids = Vec::new();
    for (code, zh, en) in DEPARTMENTS {
        let new = NewDepartment {
            code: (*code).to_owned(),
            name_zh_hans: (*zh).to_owned(),
            name_en: (*en).to_owned(),
        };
        department_ids.push((*code, upsert_department(&txn, &new, now).await?));
    }
    for (number, name, department, job_title, locale) in STAFF {
        let department_id = department_ids
            .iter()
            .find_map(|(code, id)| (code == department).then_some(*id));
        let new = NewStaff {
            staff_number: valid("staff number", StaffNumber::parse(number))?,
            name: valid("staff name", PersonName::parse(name))?,
            email: Some(valid(
                "staff email",
                EmailAddress::parse(&format!("{}@example.org", number.to_ascii_lowercase())),
            )?),
            locale: *locale,
            department_id,
            job_title: (*job_title).to_owned(),
        };
        upsert_staff(&txn, &new, now).await?;
    }
    for (mrn, name, email, locale) in PATIENTS {
        let new = NewPatient {
            mrn: valid("medical record number", MedicalRecordNumber::parse(mrn))?,
            name: valid("patient name", PersonName::parse(name))?,
            email: Some(valid("patient email", EmailAddress::parse(email))?),
            locale: *locale,
        };
        upsert_patient(&txn, &new, now).await?;
    }
    txn.commit().await?;
    Ok(DemoSummary {
        departments: DEPARTMENTS.len(),
        staff: STAFF.len(),
        patients: PATIENTS.len(),
    })
}
