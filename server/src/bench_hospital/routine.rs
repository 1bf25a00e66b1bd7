//! A day of routine work in the synthetic hospital, written as its systems would report
//! it: the care first (visits, admissions, orders, results, referrals, care teams), then
//! the accesses that care led to. Some routine work leaves no record of its reason (a
//! corridor consultation, a colleague covering from another department): those accesses
//! are routine and yet unexplained, as in a real hospital.

use app::access_log::server::ingest::NewAccess;
use app::access_log::types::{Action, AgentKind, Category, Purpose};
use app::directory::server::service::CareRelationship;
use app::directory::types::CareKind;
use rand::rngs::StdRng;
use rand::Rng;
use time::{Duration, OffsetDateTime};

use super::people::{department_code, Member, CLINICAL, FINANCE, LAB, RADIOLOGY, WARDS};

/// Kinds of routine access, as the generator labels them (in the event identifier; the
/// portal never reads the label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routine {
    Visit,
    Ward,
    Service,
    Result,
    Billing,
    Consult,
    Team,
    /// Routine work whose reason no system recorded.
    Unrecorded,
}

impl Routine {
    pub const ALL: [Routine; 8] = [
        Routine::Visit,
        Routine::Ward,
        Routine::Service,
        Routine::Result,
        Routine::Billing,
        Routine::Consult,
        Routine::Team,
        Routine::Unrecorded,
    ];

    /// Two letters, in the event identifier.
    pub fn code(self) -> &'static str {
        match self {
            Routine::Visit => "vi",
            Routine::Ward => "wa",
            Routine::Service => "sv",
            Routine::Result => "re",
            Routine::Billing => "bi",
            Routine::Consult => "co",
            Routine::Team => "te",
            Routine::Unrecorded => "un",
        }
    }
}

/// A patient staying on a ward.
#[derive(Clone, Debug)]
pub struct Stay {
    pub mrn: String,
    pub ward: usize,
    pub attending: usize,
    pub until_day: u32,
}

/// A chronic patient's care team.
#[derive(Clone, Debug)]
pub struct Team {
    pub mrn: String,
    pub members: Vec<usize>,
}

/// What one day produced.
#[derive(Default)]
pub struct Day {
    pub care: Vec<CareRelationship>,
    pub accesses: Vec<NewAccess>,
}

/// The hospital's routine: who works where, who is in, and what happens each day.
pub struct Routines<'a> {
    pub rng: &'a mut StdRng,
    pub staff: &'a [Member],
    /// Staff indexes per department: doctors, then everyone.
    pub doctors: &'a [Vec<usize>],
    pub everyone: &'a [Vec<usize>],
    pub stays: &'a mut Vec<Stay>,
    pub teams: &'a [Team],
    pub patients: u32,
    pub day: Day,
    pub serial: &'a mut u64,
}

impl Routines<'_> {
    /// A doctor of `department`, at random.
    fn doctor(&mut self, department: usize) -> usize {
        let doctors = self.doctors;
        let list = &doctors[department];
        list[self.rng.gen_range(0..list.len())]
    }

    /// Anyone of `department`, at random.
    pub fn anyone(&mut self, department: usize) -> usize {
        let everyone = self.everyone;
        let list = &everyone[department];
        list[self.rng.gen_range(0..list.len())]
    }

    fn patient(&mut self) -> String {
        format!("Y-P{:07}", self.rng.gen_range(0..self.patients))
    }

    /// One access by staff member `who`.
    pub fn access(
        &mut self,
        label: String,
        who: usize,
        mrn: &str,
        at: OffsetDateTime,
        (category, purpose): (Category, Purpose),
    ) {
        let member = &self.staff[who];
        self.day.accesses.push(NewAccess {
            source_event_id: label,
            patient_mrn: mrn.to_owned(),
            occurred_at: at,
            category,
            action: Action::View,
            purpose,
            purpose_code: None,
            agent_kind: AgentKind::Staff,
            agent_ref: Some(member.number.clone()),
            agent_name: member.name.clone(),
            agent_role: Some(if member.doctor { "doctor" } else { "nurse" }.to_owned()),
            department_code: Some(department_code(member.department)),
            system: Some("HIS".into()),
            site: None,
            workstation: None,
            detail: None,
        });
    }

    fn routine(
        &mut self,
        kind: Routine,
        who: usize,
        mrn: &str,
        at: OffsetDateTime,
        category: Category,
    ) {
        *self.serial += 1;
        let label = format!("y-r-{}-{:09}", kind.code(), self.serial);
        let purpose = if kind == Routine::Billing {
            Purpose::Payment
        } else {
            Purpose::Treatment
        };
        self.access(label, who, mrn, at, (category, purpose));
    }

    /// Care of `kind` by `department` naming `members`, as its system sends it.
    pub fn care(
        &mut self,
        kind: CareKind,
        mrn: &str,
        (department, members): (usize, &[usize]),
        starts_at: OffsetDateTime,
        ends_at: Option<OffsetDateTime>,
    ) {
        *self.serial += 1;
        self.day.care.push(CareRelationship {
            key: format!("y-care-{}", self.serial),
            kind,
            patient_mrn: mrn.to_owned(),
            department_code: department_code(department),
            members: members
                .iter()
                .map(|i| self.staff[*i].number.clone())
                .collect(),
            starts_at,
            status: fhir_status(kind, ends_at.is_some()).into(),
            ends_at,
        });
    }

    /// An outpatient visit from `at`: the nurse checks the patient in and takes vital
    /// signs, the doctor reads, diagnoses, writes and prescribes; often a laboratory test, sometimes imaging, now and then a
    /// referral to another clinic or a colleague asked without a referral; the cashier
    /// settles the bill.
    pub fn visit(&mut self, at: OffsetDateTime) {
        let clinic = self.rng.gen_range(WARDS..CLINICAL);
        let mrn = self.patient();
        let doctor = self.doctor(clinic);
        let nurse = self.anyone(clinic);
        let later = |minutes: i64| at + Duration::minutes(minutes);
        let seen_by = [doctor, nurse];
        self.care(
            CareKind::Encounter,
            &mrn,
            (clinic, &seen_by),
            at,
            Some(later(60)),
        );
        let mut steps = vec![
            (Routine::Visit, nurse, 5, Category::Demographics),
            (Routine::Visit, nurse, 8, Category::ClinicalNotes),
            (Routine::Visit, doctor, 10, Category::ClinicalNotes),
            (Routine::Visit, doctor, 18, Category::Diagnoses),
            (Routine::Visit, doctor, 20, Category::ClinicalNotes),
            (Routine::Visit, doctor, 25, Category::Prescriptions),
            (
                Routine::Billing,
                self.anyone(FINANCE),
                45,
                Category::Billing,
            ),
        ];
        if self.rng.gen_bool(0.5) {
            self.care(CareKind::Order, &mrn, (LAB, &[doctor]), later(30), None);
            self.care(CareKind::Result, &mrn, (LAB, &[doctor]), later(90), None);
            steps.push((Routine::Service, self.anyone(LAB), 70, Category::Lab));
            steps.push((Routine::Result, doctor, 100, Category::Lab));
        }
        if self.rng.gen_bool(0.2) {
            self.care(
                CareKind::Order,
                &mrn,
                (RADIOLOGY, &[doctor]),
                later(30),
                None,
            );
            steps.push((
                Routine::Service,
                self.anyone(RADIOLOGY),
                60,
                Category::Imaging,
            ));
            steps.push((Routine::Result, doctor, 110, Category::Imaging));
        }
        if self.rng.gen_bool(0.06) {
            let other = self.rng.gen_range(WARDS..CLINICAL);
            let consultant = self.doctor(other);
            let asked = [doctor, consultant];
            self.care(CareKind::Referral, &mrn, (other, &asked), later(40), None);
            steps.push((Routine::Consult, consultant, 120, Category::ClinicalNotes));
        }
        // Published audits leave about 2 % of accesses unexplained (Mackenzie Health:
        // 1.91 %): about one visit in eight, and one ward day in seven, has such work.
        if self.rng.gen_bool(0.12) {
            let other = self.rng.gen_range(0..CLINICAL);
            let colleague = self.doctor(other);
            steps.push((Routine::Unrecorded, colleague, 50, Category::ClinicalNotes));
        }
        for (kind, who, after, category) in steps {
            self.routine(kind, who, &mrn, later(after), category);
        }
    }

    /// A day on the wards for everyone staying, from `midnight`: three nurses of the ward
    /// on their shifts, each assigned to the patient for it (notes, medicines given), the attending doctor on rounds, a laboratory test most days, the doctor on
    /// call some nights; a colleague from another ward covering without a record, rarely.
    pub fn ward_day(&mut self, day: u32, midnight: OffsetDateTime) {
        let stays = self.stays.clone();
        for stay in stays.iter().filter(|stay| stay.until_day >= day) {
            let mrn = stay.mrn.as_str();
            for shift in [7, 15, 23] {
                let nurse = self.anyone(stay.ward);
                // The nursing system records who looks after each patient on each shift
                // (the responsible nurse, 责任护士).
                let from = midnight + Duration::hours(shift);
                let until = from + Duration::hours(8);
                self.care(
                    CareKind::CareTeam,
                    mrn,
                    (stay.ward, &[nurse]),
                    from,
                    Some(until),
                );
                let at = midnight
                    + Duration::hours(shift)
                    + Duration::minutes(self.rng.gen_range(10..400));
                self.routine(Routine::Ward, nurse, mrn, at, Category::ClinicalNotes);
                let given = at + Duration::minutes(30);
                self.routine(Routine::Ward, nurse, mrn, given, Category::Prescriptions);
            }
            let rounds =
                midnight + Duration::hours(9) + Duration::minutes(self.rng.gen_range(0..120));
            let notes = [
                (0, Category::ClinicalNotes),
                (10, Category::Diagnoses),
                (20, Category::Prescriptions),
            ];
            for (after, category) in notes {
                let at = rounds + Duration::minutes(after);
                self.routine(Routine::Ward, stay.attending, mrn, at, category);
            }
            if self.rng.gen_bool(0.6) {
                self.care(CareKind::Order, mrn, (LAB, &[stay.attending]), rounds, None);
                let technician = self.anyone(LAB);
                self.routine(
                    Routine::Service,
                    technician,
                    mrn,
                    rounds + Duration::hours(2),
                    Category::Lab,
                );
                self.routine(
                    Routine::Result,
                    stay.attending,
                    mrn,
                    rounds + Duration::hours(4),
                    Category::Lab,
                );
            }
            if self.rng.gen_bool(0.2) {
                let on_call = self.doctor(stay.ward);
                let night = midnight + Duration::hours(self.rng.gen_range(20..24));
                self.routine(Routine::Ward, on_call, mrn, night, Category::ClinicalNotes);
            }
            if self.rng.gen_bool(0.15) {
                let other = self.rng.gen_range(0..WARDS);
                let covering = self.doctor(other);
                self.routine(
                    Routine::Unrecorded,
                    covering,
                    mrn,
                    rounds + Duration::hours(5),
                    Category::ClinicalNotes,
                );
            }
        }
    }

    /// New stays on the wards today, each with its admission (its planned end known).
    pub fn admit(&mut self, day: u32, midnight: OffsetDateTime, count: u32) {
        for _ in 0..count {
            let ward = self.rng.gen_range(0..WARDS);
            let attending = self.doctor(ward);
            let mrn = self.patient();
            let length = self.rng.gen_range(2..10);
            let at = midnight + Duration::hours(10);
            self.care(
                CareKind::Admission,
                &mrn,
                (ward, &[attending]),
                at,
                Some(at + Duration::days(i64::from(length))),
            );
            self.stays.push(Stay {
                mrn,
                ward,
                attending,
                until_day: day + length,
            });
        }
    }

    /// Care-team members reading their chronic patients' notes in the day.
    pub fn teams_day(&mut self, midnight: OffsetDateTime) {
        let teams = self.teams;
        for team in teams {
            if self.rng.gen_bool(0.3) {
                let who = team.members[self.rng.gen_range(0..team.members.len())];
                let at = midnight + Duration::hours(self.rng.gen_range(9..17));
                self.routine(Routine::Team, who, &team.mrn, at, Category::ClinicalNotes);
            }
        }
    }
}

/// The FHIR status a system sends for care of `kind`, `ended` or not: a visit, a stay or
/// a care team sent without its end is still going on.
fn fhir_status(kind: CareKind, ended: bool) -> &'static str {
    match (kind, ended) {
        (CareKind::Encounter | CareKind::Admission, false) => "in-progress",
        (CareKind::Encounter | CareKind::Admission, true) => "finished",
        (CareKind::CareTeam, false) => "active",
        (CareKind::CareTeam, true) => "inactive",
        (CareKind::Appointment, _) => "fulfilled",
        (CareKind::Referral | CareKind::Order, _) => "completed",
        (CareKind::Result, _) => "final",
    }
}
