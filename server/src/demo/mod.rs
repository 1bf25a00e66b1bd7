//! `portal seed-demo`: a demo hospital a newcomer can explore at once, and that later
//! features extend (access histories, consents, requests). Running it again refreshes the
//! same records instead of duplicating them. Addresses use the reserved example.org domain.

use app::access_log::server::ingest::IngestContext;
use app::accounts::server::service::{upsert_staff, NewPatient, NewStaff};
use app::accounts::types::{
    EmailAddress, MedicalRecordNumber, PersonName, StaffNumber, ValueError,
};
use app::complaints::server::ComplaintsConfig;
use app::directory::server::service::{
    sync_department, sync_patient, sync_staff, DirectoryDepartment, DirectoryError,
    DirectoryPatient, DirectoryStaff,
};
use app::directory::types::{parse_clock, OpeningPeriod, WorkingHours};
use app::i18n::Locale;
use app::identity::server::invite::{invite_patient, invite_staff, InviteSettings};
use app::identity::types::Role;
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

mod complaints;
pub mod feeds;
mod history;
mod record;
pub mod reports;

/// Opening hours: days (0 = Monday), opening and closing time.
type Hours = &'static [(&'static [u8], &'static str, &'static str)];
const WEEKDAYS: &[u8] = &[0, 1, 2, 3, 4];
const EVERY_DAY: &[u8] = &[0, 1, 2, 3, 4, 5, 6];

/// Departments: code, Chinese name, English name, opening hours.
const DEPARTMENTS: &[(&str, &str, &str, Hours)] = &[
    (
        "CARD",
        "心血管内科",
        "Cardiology",
        &[(WEEKDAYS, "08:00", "18:00")],
    ),
    (
        "RAD",
        "放射科",
        "Radiology",
        &[(&[0, 1, 2, 3, 4, 5], "07:30", "20:00")],
    ),
    ("ONC", "肿瘤科", "Oncology", &[(WEEKDAYS, "08:00", "17:30")]),
    (
        "EMER",
        "急诊科",
        "Emergency",
        &[(EVERY_DAY, "00:00", "24:00")],
    ),
    (
        "PSY",
        "精神心理科",
        "Psychiatry",
        &[(WEEKDAYS, "08:30", "17:00")],
    ),
    (
        "LAB",
        "检验科",
        "Laboratory",
        &[(EVERY_DAY, "00:00", "24:00")],
    ),
    (
        "REC",
        "病案管理科",
        "Medical Records",
        &[(WEEKDAYS, "08:30", "17:00")],
    ),
    (
        "PRIV",
        "隐私保护办公室",
        "Privacy Office",
        &[(WEEKDAYS, "09:00", "17:00")],
    ),
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
    // In the directory only; the access history needs them.
    ("S1003", "张敏", "CARD", "nurse", Locale::ZhHans, None),
    ("S2002", "陈伟", "RAD", "radiographer", Locale::ZhHans, None),
    ("S9001", "钱涛", "RAD", "radiographer", Locale::ZhHans, None),
];

/// What else the staff directory says about some of them: staff number, home address,
/// still employed, own medical record number here.
const STAFF_FACTS: &[(&str, Option<&str>, bool, Option<&str>)] = &[
    // The same home as patient 王秀英, written differently.
    (
        "S2002",
        Some("上海市 静安区 南京西路 1200 弄 5 号"),
        true,
        None,
    ),
    ("S9001", None, false, None),
    ("S6001", None, true, Some(history::STAFF_OWN_MRN)),
];

/// Medical record number, name, email, language, home address, under special protection.
type PatientRow = (
    &'static str,
    &'static str,
    &'static str,
    Locale,
    &'static str,
    bool,
);

/// Patients who use the portal.
const PATIENTS: &[PatientRow] = &[
    (
        "P000001",
        "张伟",
        "zhang.wei@example.org",
        Locale::ZhHans,
        "上海市徐汇区漕溪北路100号3室",
        false,
    ),
    (
        "P000002",
        "王秀英",
        "wang.xiuying@example.org",
        Locale::ZhHans,
        "上海市静安区南京西路1200弄5号",
        false,
    ),
    (
        "P000003",
        "Emily Carter",
        "emily.carter@example.org",
        Locale::En,
        "88 Century Avenue, Pudong, Shanghai",
        false,
    ),
    (
        "P000004",
        "李娜",
        "li.na@example.org",
        Locale::ZhHans,
        "上海市浦东新区张杨路500号",
        false,
    ),
    (
        "P000005",
        "刘建国",
        "liu.jianguo@example.org",
        Locale::ZhHans,
        "上海市黄浦区中山东一路1号",
        true,
    ),
];

/// A family name as the directory would send it: the first character of a Chinese name,
/// the last word of a Western one.
fn family_name(name: &str) -> String {
    if name.is_ascii() {
        name.split_whitespace().last().unwrap_or(name).to_owned()
    } else {
        name.chars().take(1).collect()
    }
}

fn working_hours(hours: Hours) -> WorkingHours {
    WorkingHours {
        periods: hours
            .iter()
            .map(|(days, open, close)| OpeningPeriod {
                days: days.to_vec(),
                open: parse_clock(open).unwrap_or(0),
                close: parse_clock(close).unwrap_or(24 * 60),
            })
            .collect(),
    }
}

/// What the demo seed created or refreshed.
#[derive(Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub departments: usize,
    pub staff: usize,
    pub patients: usize,
    /// Access events written into the demo patients' logs (0 when they were already there).
    pub accesses: usize,
    /// Entries of the demo patients' records written (demographics, allergies,
    /// conditions, medicines, documents; 0 when they were already there).
    pub record_entries: usize,
    /// Past complaints written (a year of them; 0 when they were already there).
    pub complaints: usize,
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
    #[error("directory: {0}")]
    Directory(#[from] DirectoryError),
    #[error("demo record: {0}")]
    Record(String),
}

fn valid<T>(what: &'static str, parsed: Result<T, ValueError>) -> Result<T, SeedError> {
    parsed.map_err(|e| SeedError::Invalid(what, e))
}

/// Writes the demo hospital (directory in one transaction), then invites the demo people
/// who use the portal, printing-ready links included.
pub async fn seed(
    db: &DatabaseConnection,
    invite: &InviteSettings<'_>,
    access: &IngestContext,
    complaints: (&ComplaintsConfig, &str),
) -> Result<DemoSummary, SeedError> {
    let now = invite.now;
    let txn = db.begin().await?;
    let mut department_ids = Vec::new();
    for (code, zh, en, hours) in DEPARTMENTS {
        let new = DirectoryDepartment {
            code: (*code).to_owned(),
            name_zh_hans: (*zh).to_owned(),
            name_en: (*en).to_owned(),
            hours: Some(working_hours(hours)),
        };
        department_ids.push((*code, sync_department(&txn, &new, now).await?));
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
        let facts = STAFF_FACTS.iter().find(|facts| facts.0 == *number);
        let directory = DirectoryStaff {
            staff_number: (*number).to_owned(),
            name: (*name).to_owned(),
            family_name: Some(family_name(name)),
            email: new.email.as_ref().map(|e| e.as_str().to_owned()),
            address: facts.and_then(|f| f.1).map(str::to_owned),
            active: facts.is_none_or(|f| f.2),
            own_mrn: facts.and_then(|f| f.3).map(str::to_owned),
        };
        sync_staff(&txn, &directory, *locale, now).await?;
        if let Some(role) = role {
            to_invite.push((new, *role));
        }
    }
    txn.commit().await?;

    let mut links = Vec::new();
    for (mrn, name, email, locale, address, vip) in PATIENTS {
        let new = NewPatient {
            mrn: valid("medical record number", MedicalRecordNumber::parse(mrn))?,
            name: valid("patient name", PersonName::parse(name))?,
            email: Some(valid("patient email", EmailAddress::parse(email))?),
            locale: *locale,
        };
        let invitation = invite_patient(db, &new, invite).await?;
        links.push(((*name).to_owned(), Role::Patient, invitation.link));
        let directory = DirectoryPatient {
            mrn: (*mrn).to_owned(),
            name: (*name).to_owned(),
            family_name: Some(family_name(name)),
            email: Some((*email).to_owned()),
            address: Some((*address).to_owned()),
            vip: *vip,
        };
        sync_patient(db, &directory, history::DEMO_SOURCE, *locale, now).await?;
    }
    let accesses = history::seed(db, access, now).await?;
    let record_entries = record::seed(db, now).await?;
    let (timing, time_zone) = complaints;
    let complaints = complaints::seed(db, timing, time_zone, now).await?;
    for (staff, role) in to_invite {
        let invitation = invite_staff(db, &staff, &[role], invite).await?;
        links.push((staff.name.as_str().to_owned(), role, invitation.link));
    }
    Ok(DemoSummary {
        departments: DEPARTMENTS.len(),
        staff: STAFF.len(),
        patients: PATIENTS.len(),
        accesses,
        record_entries,
        complaints,
        links,
    })
}
