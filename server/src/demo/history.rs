//! The demo hospital's access history: half a year of ordinary care for each demo patient,
//! the encounters behind it, and accesses that trip each unusual-access rule, so that a
//! newcomer finds the log, its charts and the review queue filled in. Event identifiers are
//! fixed, so seeding again adds nothing; times count back from the first seeding.

use app::access_log::server::ingest::{ingest, IngestContext, NewAccess, Outcome};
use app::access_log::server::settings::seed_watch;
use app::access_log::types::{Action, AgentKind, Category, Purpose};
use app::directory::server::service::{
    sync_care, sync_patient, CareRelationship, DirectoryError, DirectoryPatient,
};
use app::directory::types::CareKind;
use app::i18n::Locale;
use app::ssr::sources::keyless_source;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use sea_orm::{DatabaseConnection, DbErr};
use time::OffsetDateTime;

/// The demo hospital information system the history comes from.
pub(super) const DEMO_SOURCE: &str = "demo-his";

/// The record of 黄磊, who works in the laboratory and is a patient here too.
pub const STAFF_OWN_MRN: &str = "P000006";

/// A member of staff as their accesses are reported.
#[derive(Clone, Copy)]
struct Staff {
    number: &'static str,
    name: &'static str,
    department: &'static str,
    role: &'static str,
}

const LI_MING: Staff = Staff {
    number: "S1001",
    name: "李明",
    department: "CARD",
    role: "主治医师",
};
const WANG_FANG: Staff = Staff {
    number: "S1002",
    name: "王芳",
    department: "CARD",
    role: "护士",
};
const ZHANG_MIN: Staff = Staff {
    number: "S1003",
    name: "张敏",
    department: "CARD",
    role: "护士",
};
const ZHAO_QIANG: Staff = Staff {
    number: "S2001",
    name: "赵强",
    department: "RAD",
    role: "放射科医师",
};
const CHEN_WEI: Staff = Staff {
    number: "S2002",
    name: "陈伟",
    department: "RAD",
    role: "放射技师",
};
const CHEN_JING: Staff = Staff {
    number: "S3001",
    name: "陈静",
    department: "ONC",
    role: "主治医师",
};
const LIU_YANG: Staff = Staff {
    number: "S4001",
    name: "刘洋",
    department: "EMER",
    role: "急诊科医师",
};
const SUN_LI: Staff = Staff {
    number: "S5001",
    name: "孙丽",
    department: "PSY",
    role: "精神科医师",
};
const HUANG_LEI: Staff = Staff {
    number: "S6001",
    name: "黄磊",
    department: "LAB",
    role: "检验技师",
};
const QIAN_TAO: Staff = Staff {
    number: "S9001",
    name: "钱涛",
    department: "RAD",
    role: "放射技师",
};

/// The history being written: encounters first, then accesses, in time order.
struct History {
    time_zone: TimeZone,
    today: Date,
    care: Vec<CareRelationship>,
    accesses: Vec<NewAccess>,
}

impl History {
    /// `days_ago` days before today, moved back to the Friday before when it falls on a
    /// weekend (clinics are closed then).
    fn workday(&self, days_ago: i64) -> Date {
        let mut date = self.today - jiff::Span::new().days(days_ago);
        while matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            date = date.yesterday().unwrap_or(date);
        }
        date
    }

    /// The instant of `hour:minute` on `date` in the hospital's time zone.
    fn at(&self, date: Date, hour: i8, minute: i8) -> OffsetDateTime {
        let seconds = date
            .at(hour, minute, 0, 0)
            .to_zoned(self.time_zone.clone())
            .map_or(0, |zoned| zoned.timestamp().as_second());
        OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// An encounter with `department` on `date`, from `from` to `to` o'clock.
    fn visit(&mut self, mrn: &str, department: &str, date: Date, from: i8, to: i8) {
        self.cared(
            CareKind::Encounter,
            mrn,
            (department, &[]),
            date,
            (from, to),
        );
    }

    /// Care of `kind` by `department` naming `staff`, on `date` from `hours.0` to
    /// `hours.1` o'clock.
    fn cared(
        &mut self,
        kind: CareKind,
        mrn: &str,
        (department, staff): (&str, &[Staff]),
        date: Date,
        (from, to): (i8, i8),
    ) {
        let key = format!("demo-care-{}", self.care.len() + 1);
        self.care.push(CareRelationship {
            key,
            kind,
            patient_mrn: mrn.to_owned(),
            department_code: department.to_owned(),
            members: staff.iter().map(|staff| staff.number.to_owned()).collect(),
            starts_at: self.at(date, from, 0),
            ends_at: Some(self.at(date, to, 0)),
            status: "finished".into(),
        });
    }

    /// `staff` did `action` on `category` of `mrn`'s record at `hour:minute` on `date`.
    #[allow(clippy::too_many_arguments)] // One line per access reads best in the plan below.
    fn open(
        &mut self,
        mrn: &str,
        staff: Staff,
        date: Date,
        (hour, minute): (i8, i8),
        category: Category,
        action: Action,
        purpose: Purpose,
    ) {
        let system = match staff.department {
            "RAD" => "PACS",
            "LAB" => "LIS",
            _ => "HIS",
        };
        self.accesses.push(NewAccess {
            source_event_id: String::new(),
            patient_mrn: mrn.to_owned(),
            occurred_at: self.at(date, hour, minute),
            category,
            action,
            purpose,
            purpose_code: None,
            agent_kind: AgentKind::Staff,
            agent_ref: Some(staff.number.to_owned()),
            agent_name: staff.name.to_owned(),
            agent_role: Some(staff.role.to_owned()),
            department_code: Some(staff.department.to_owned()),
            system: Some(system.to_owned()),
            site: None,
            workstation: Some(format!("WS-{}-{:02}", staff.department, hour % 7 + 1)),
            detail: None,
        });
    }

    /// The insurance settlement system reading the bill of a visit.
    fn settle(&mut self, mrn: &str, date: Date) {
        self.accesses.push(NewAccess {
            source_event_id: String::new(),
            patient_mrn: mrn.to_owned(),
            occurred_at: self.at(date, 17, 45),
            category: Category::Billing,
            action: Action::Transmit,
            purpose: Purpose::Payment,
            purpose_code: None,
            agent_kind: AgentKind::System,
            agent_ref: None,
            agent_name: "医保结算系统".into(),
            agent_role: None,
            department_code: None,
            system: Some("HIS".into()),
            site: None,
            workstation: None,
            detail: None,
        });
    }

    /// An outpatient visit: the nurse checks the patient in, the doctor reads and writes
    /// notes and prescribes; with `lab`, blood is drawn and the results read.
    fn clinic_visit(
        &mut self,
        mrn: &str,
        doctor: Staff,
        nurse: Option<Staff>,
        date: Date,
        lab: bool,
    ) {
        let mut seen_by = vec![doctor];
        seen_by.extend(nurse);
        self.cared(
            CareKind::Encounter,
            mrn,
            (doctor.department, &seen_by),
            date,
            (8, 12),
        );
        if let Some(nurse) = nurse {
            self.open(
                mrn,
                nurse,
                date,
                (8, 40),
                Category::Demographics,
                Action::View,
                Purpose::Treatment,
            );
        }
        self.open(
            mrn,
            doctor,
            date,
            (9, 10),
            Category::ClinicalNotes,
            Action::View,
            Purpose::Treatment,
        );
        self.open(
            mrn,
            doctor,
            date,
            (9, 25),
            Category::ClinicalNotes,
            Action::Update,
            Purpose::Treatment,
        );
        self.open(
            mrn,
            doctor,
            date,
            (9, 35),
            Category::Prescriptions,
            Action::Create,
            Purpose::Treatment,
        );
        if lab {
            self.cared(CareKind::Order, mrn, ("LAB", &[doctor]), date, (9, 12));
            self.open(
                mrn,
                HUANG_LEI,
                date,
                (10, 30),
                Category::Lab,
                Action::Create,
                Purpose::Treatment,
            );
            self.open(
                mrn,
                doctor,
                date,
                (11, 15),
                Category::Lab,
                Action::View,
                Purpose::Treatment,
            );
        }
        self.settle(mrn, date);
    }

    /// An imaging examination ordered by `doctor`.
    fn imaging(&mut self, mrn: &str, doctor: Staff, date: Date) {
        self.cared(CareKind::Order, mrn, ("RAD", &[doctor]), date, (13, 16));
        self.open(
            mrn,
            ZHAO_QIANG,
            date,
            (14, 0),
            Category::Imaging,
            Action::Create,
            Purpose::Treatment,
        );
        self.open(
            mrn,
            doctor,
            date,
            (15, 30),
            Category::Imaging,
            Action::View,
            Purpose::Treatment,
        );
    }
}

/// The plan: who was seen where and when, and who opened what. Each unusual access is
/// marked with the rule it trips.
fn plan(history: &mut History) {
    use Action::{Update, View};
    use Category::{ClinicalNotes, Demographics, Diagnoses, Imaging};
    use Purpose::Treatment;

    // 张伟: a cardiology patient seen every few weeks.
    let zhang = "P000001";
    for (n, days) in [170, 145, 120, 95, 70, 45, 20, 4].into_iter().enumerate() {
        let date = history.workday(days);
        history.clinic_visit(zhang, LI_MING, Some(WANG_FANG), date, n % 2 == 0);
    }
    let date = history.workday(120);
    history.imaging(zhang, LI_MING, date);
    // Outside the department's working hours.
    let date = history.workday(70);
    history.open(
        zhang,
        WANG_FANG,
        date,
        (23, 40),
        ClinicalNotes,
        View,
        Treatment,
    );
    // A nurse who shares his surname.
    let date = history.workday(30);
    history.open(
        zhang,
        ZHANG_MIN,
        date,
        (10, 15),
        Demographics,
        View,
        Treatment,
    );
    // Oncology, where he has never been seen, three times in a morning when he was in
    // no one's care: one review case, near the top of the privacy officer's queue.
    let date = history.workday(12);
    history.open(zhang, CHEN_JING, date, (10, 0), Diagnoses, View, Treatment);
    history.open(
        zhang,
        CHEN_JING,
        date,
        (10, 4),
        ClinicalNotes,
        View,
        Treatment,
    );
    history.open(zhang, CHEN_JING, date, (10, 11), Imaging, View, Treatment);

    // 王秀英: admitted to oncology, then followed up with imaging.
    let wang = "P000002";
    let admitted = history.workday(160);
    history.cared(
        CareKind::Admission,
        wang,
        ("ONC", &[CHEN_JING]),
        admitted,
        (8, 17),
    );
    history.open(
        wang,
        CHEN_JING,
        admitted,
        (8, 30),
        Diagnoses,
        Update,
        Treatment,
    );
    for days in [130, 100, 70, 40, 10] {
        let date = history.workday(days);
        history.clinic_visit(wang, CHEN_JING, None, date, true);
    }
    for days in [158, 100, 40] {
        let date = history.workday(days);
        history.imaging(wang, CHEN_JING, date);
    }
    // A radiographer registered at her address.
    let date = history.workday(100);
    history.open(wang, CHEN_WEI, date, (14, 20), Imaging, View, Treatment);
    // An account that had been deactivated.
    let date = history.workday(38);
    history.open(wang, QIAN_TAO, date, (11, 0), Imaging, View, Treatment);

    plan_carter(history);
    plan_later_patients(history);
}

/// The plan, continued: Emily Carter.
fn plan_carter(history: &mut History) {
    use Category::{ClinicalNotes, Demographics, Lab};
    use Purpose::Treatment;

    // Emily Carter: an emergency at night, then cardiology; she watches 王芳.
    let carter = "P000003";
    let night = history.workday(60);
    history.cared(
        CareKind::Encounter,
        carter,
        ("EMER", &[LIU_YANG]),
        night,
        (1, 6),
    );
    history.open(
        carter,
        LIU_YANG,
        night,
        (2, 10),
        Demographics,
        Action::View,
        Treatment,
    );
    history.open(
        carter,
        LIU_YANG,
        night,
        (2, 30),
        ClinicalNotes,
        Action::Update,
        Treatment,
    );
    history.cared(CareKind::Order, carter, ("LAB", &[LIU_YANG]), night, (2, 4));
    history.open(
        carter,
        HUANG_LEI,
        night,
        (3, 0),
        Lab,
        Action::Create,
        Treatment,
    );
    for days in [45, 15] {
        let date = history.workday(days);
        history.clinic_visit(carter, LI_MING, Some(WANG_FANG), date, false);
    }
}

/// The plan, continued: 李娜 and 刘建国.
fn plan_later_patients(history: &mut History) {
    use Action::{Update, View};
    use Category::{Imaging, Lab, MentalHealth};
    use Purpose::Treatment;

    // 李娜: seen in psychiatry; two assessments are mental-health records (sensitive).
    let li = "P000004";
    for (n, days) in [150, 120, 90, 60, 30, 7].into_iter().enumerate() {
        let date = history.workday(days);
        history.clinic_visit(li, SUN_LI, None, date, n == 2);
        if days == 120 || days == 30 {
            history.open(li, SUN_LI, date, (10, 0), MentalHealth, Update, Treatment);
        }
    }
    // A radiologist opening more than 30 patients' images within the hour, hers last.
    let busy = history.workday(25);
    for n in 1..=35_i8 {
        let other = format!("P2000{n:02}");
        history.visit(&other, "RAD", busy, 13, 16);
        history.open(&other, ZHAO_QIANG, busy, (14, n), Imaging, View, Treatment);
    }
    history.visit(li, "RAD", busy, 13, 16);
    history.open(li, ZHAO_QIANG, busy, (14, 59), Imaging, View, Treatment);

    // 刘建国: under special protection; every access is marked.
    let liu = "P000005";
    for days in [100, 40] {
        let date = history.workday(days);
        history.clinic_visit(liu, LI_MING, None, date, false);
    }

    // 黄磊 of the laboratory opening his own results.
    let date = history.workday(18);
    history.visit(STAFF_OWN_MRN, "LAB", date, 8, 17);
    history.open(
        STAFF_OWN_MRN,
        HUANG_LEI,
        date,
        (16, 0),
        Lab,
        View,
        Treatment,
    );
}

/// Writes the history (encounters, the watch list, accesses); returns how many accesses
/// were new.
pub async fn seed(
    db: &DatabaseConnection,
    context: &IngestContext,
    now: OffsetDateTime,
) -> Result<usize, DirectoryError> {
    let source = keyless_source(db, DEMO_SOURCE, now).await?;
    // Counted back from the first seeding, so seeding again on a later day finds the same
    // encounters and accesses.
    let first_seeded = source.created_at;
    let today = jiff::Timestamp::from_second(first_seeded.unix_timestamp())
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_zoned(context.time_zone.clone())
        .date();
    let mut history = History {
        time_zone: context.time_zone.clone(),
        today,
        care: Vec::new(),
        accesses: Vec::new(),
    };
    plan(&mut history);
    let History {
        care, mut accesses, ..
    } = history;

    sync_patient(
        db,
        &DirectoryPatient {
            mrn: STAFF_OWN_MRN.into(),
            name: "黄磊".into(),
            family_name: None,
            email: None,
            address: None,
            vip: false,
        },
        DEMO_SOURCE,
        Locale::ZhHans,
        now,
    )
    .await?;
    for relationship in &care {
        sync_care(db, source.id, relationship).await.map(drop)?;
    }
    seed_watch(db, "P000003", "王芳", now).await?;

    // Ingested in time order, as the hospital's system would have sent them; the
    // identifiers follow that order, so seeding again finds each one already there.
    accesses.sort_by_key(|access| access.occurred_at);
    for (n, access) in accesses.iter_mut().enumerate() {
        access.source_event_id = format!("demo-{:05}", n + 1);
    }
    // A back-fill: no emails about the past.
    let quiet = IngestContext {
        mail: None,
        ..context.clone()
    };
    let outcomes = ingest(db, &source, &accesses, &quiet, now).await?;
    Ok(outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Outcome::Created(_)))
        .count())
}
