//! `portal seed-demo`: a demo hospital a newcomer can explore at once, and that later
//! features extend (access histories, consents, requests). Running it again refreshes the
//! same records instead of duplicating them. Addresses use the reserved example.org domain.

use app::accounts::server::service::{upsert_staff, NewPatient, NewStaff};
use app::accounts::types::{
    EmailAddress, MedicalRecordNumber, PersonName, StaffNumber, ValueError,
};
use app::hospital::server::service::{upsert_department, NewDepartment};
use app::i18n::Locale;
use app::identity::server::invite::{invite_patient, invite_staff, InviteSettings};
use app::identity::types::Role;
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

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

/// Number, name, department code, job title, language, portal role.
type StaffRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Locale,
    Option<Role>,
);

/// Staff: number, name, department code, job title, language, portal role (staff
/// without one are in the directory only and get no link).
const STAFF: &[StaffRow] = &[
    (
        "S1001",
        "李明",
        "CARD",
        "attending_physician",
        Locale::ZhHans,
        Some(Role::Investigator),
    ),
    ("S1002", "王芳", "CARD", "nurse", Locale::ZhHans, None),
    ("S2001", "赵强", "RAD", "radiologist", Locale::ZhHans, None),
    (
        "S3001",
        "陈静",
        "ONC",
        "attending_physician",
        Locale::ZhHans,
        Some(Role::Approver),
    ),
    (
        "S4001",
        "刘洋",
        "EMER",
        "emergency_physician",
        Locale::ZhHans,
        None,
    ),
    ("S5001", "孙丽", "PSY", "psychiatrist", Locale::ZhHans, None),
    (
        "S6001",
        "黄磊",
        "LAB",
        "lab_technician",
        Locale::ZhHans,
        None,
    ),
    (
        "S7001",
        "周婷",
        "REC",
        "records_officer",
        Locale::ZhHans,
        Some(Role::RecordsOfficer),
    ),
    (
        "S8001",
        "吴刚",
        "PRIV",
        "privacy_officer",
        Locale::ZhHans,
        Some(Role::PrivacyOfficer),
    ),
    (
        "S8002",
        "Daniel Brooks",
        "PRIV",
        "administrator",
        Locale::En,
        Some(Role::Admin),
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
    /// Who can sign in, with a fresh enrollment link each: (name, role, link).
    pub links: Vec<(String, Role, String)>,
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

/// Writes the demo hospital (directory in one transaction), then invites the demo people
/// who use the portal, printing-ready links included.
pub async fn seed(
    db: &DatabaseConnection,
    invite: &InviteSettings<'_>,
) -> Result<DemoSummary, SeedError> {
    let now = invite.now;
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
    let mut to_invite = Vec::new();
    for (number, name, department, job_title, locale, role) in STAFF {
        let department_id = department_ids
            .iter()
            .find_map(|(code, id)| (code == department).then_some(*id));
        let new = NewStaff {
            staff_number: Some(valid("staff number", StaffNumber::parse(number))?),
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
        if let Some(role) = role {
            to_invite.push((new, *role));
        }
    }
    txn.commit().await?;

    let mut links = Vec::new();
    for (mrn, name, email, locale) in PATIENTS {
        let new = NewPatient {
            mrn: valid("medical record number", MedicalRecordNumber::parse(mrn))?,
            name: valid("patient name", PersonName::parse(name))?,
            email: Some(valid("patient email", EmailAddress::parse(email))?),
            locale: *locale,
        };
        let invitation = invite_patient(db, &new, invite).await?;
        links.push(((*name).to_owned(), Role::Patient, invitation.link));
    }
    for (staff, role) in to_invite {
        let invitation = invite_staff(db, &staff, &[role], invite).await?;
        links.push((staff.name.as_str().to_owned(), role, invitation.link));
    }
    Ok(DemoSummary {
        departments: DEPARTMENTS.len(),
        staff: STAFF.len(),
        patients: PATIENTS.len(),
        links,
    })
}
