//! The synthetic hospital of `portal bench`: a hospital of a given number of staff works
//! for a number of days (visits, stays on wards, tests, results, referrals, care teams,
//! billing), its systems report the care and the accesses, and snooping from a scenario
//! library is injected among them. Every access goes through the portal's ingestion; then
//! the benchmark reads back what the portal made of them, by the label each event carries
//! in its identifier (which the portal never reads): how much routine work was explained,
//! how much was left unexplained or flagged, and how many injected cases were caught.
//!
//! 3 000 staff make ≈ 50 000 accesses a day (fewer at weekends, when clinics close),
//! ≈ 18 M a year.

mod people;
mod routine;
mod scenarios;

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use app::access_log::server::cases::REVIEW_LINE;
use app::access_log::server::ingest::{ingest, IngestContext};
use app::access_log::server::settings::seed_watch;
use app::directory::server::service::sync_care;
use app::directory::types::CareKind;
use app::ssr::sources::{keyless_source, Source};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement, TransactionTrait};
use time::{Duration, OffsetDateTime};

use people::{Member, CLINICAL, WARDS};
use routine::{Day, Routine, Routines, Stay, Team};
pub use scenarios::Scenario;
use scenarios::Victims;

/// How big a hospital, for how long.
#[derive(Clone, Copy, Debug)]
pub struct HospitalOptions {
    pub staff: u32,
    pub days: u32,
    /// Events per ingestion call.
    pub batch: usize,
}

/// What the portal made of the hospital's days.
#[derive(Clone, Debug, Default)]
pub struct Detection {
    pub staff: u32,
    pub days: u32,
    /// Routine accesses: in all, explained, flagged by a rule, per kind of routine work.
    pub routine: BTreeMap<&'static str, (i64, i64, i64)>,
    /// Review cases holding routine accesses only: in all, and at or above the line.
    pub routine_cases: (usize, usize),
    /// Review cases at or above the line, injected ones included.
    pub cases_to_read: usize,
    /// Routine-only cases at or above the line by what put them there.
    pub routine_to_read_by: BTreeMap<String, usize>,
    /// Injected cases per scenario: (caught, in all). Caught: an access of the case is in
    /// a review case at or above the line.
    pub scenarios: BTreeMap<&'static str, (u32, u32)>,
}

/// Runs the hospital on `db` and reads back what the portal made of it.
pub async fn run(
    db: &DatabaseConnection,
    context: &IngestContext,
    options: HospitalOptions,
    now: OffsetDateTime,
    say: &dyn Fn(&str),
) -> Result<Detection, String> {
    let started = Instant::now();
    let text = |e: DbErr| e.to_string();
    let mut rng = StdRng::seed_from_u64(20_261_205);
    let staff_count = options.staff.max(100);
    let staff = people::staff(&mut rng, staff_count);
    let patient_count = staff_count * 10;
    let patients = people::patients(&mut rng, patient_count);
    let directory = keyless_source(db, "bench-hospital", now)
        .await
        .map_err(text)?;
    let txn = db.begin().await.map_err(text)?;
    people::write(&txn, &staff, &patients, now)
        .await
        .map_err(text)?;
    txn.commit().await.map_err(text)?;
    let (doctors, everyone) = by_department(&staff);
    let teams = care_teams(&mut rng, &staff, &everyone, patient_count);
    let serial_snoopers: Vec<usize> = (0..(staff_count / 1000).max(1))
        .map(|k| usize::try_from(k * 1000 + 17).unwrap_or(17) % staff.len())
        .collect();
    let today = jiff::Timestamp::from_second(now.unix_timestamp())
        .map_err(|e| e.to_string())?
        .to_zoned(context.time_zone.clone())
        .date();
    let mut stays: Vec<Stay> = Vec::new();
    let mut serial = 0_u64;
    let mut instance = 0_u64;
    let quiet = IngestContext {
        mail: None,
        ..context.clone()
    };
    let mut ingested = 0_usize;
    for day in 0..options.days {
        let date = today - jiff::Span::new().days(i64::from(options.days - day));
        let midnight = local_midnight(date, &context.time_zone)?;
        let mut routines = Routines {
            rng: &mut rng,
            staff: &staff,
            doctors: &doctors,
            everyone: &everyone,
            stays: &mut stays,
            teams: &teams,
            patients: patient_count,
            day: Day::default(),
            serial: &mut serial,
        };
        let weekday = date.weekday().to_monday_zero_offset() < 5;
        let victims = routines.work_day(
            (day, midnight, weekday),
            staff_count,
            &mut instance,
            &serial_snoopers,
        );
        let Day { care, mut accesses } = routines.day;
        write_day(db, &directory, &care, &victims, now)
            .await
            .map_err(text)?;
        accesses.sort_by_key(|access| access.occurred_at);
        for chunk in accesses.chunks(options.batch.max(1)) {
            ingest(db, &directory, chunk, &quiet, now)
                .await
                .map_err(text)?;
        }
        let before = ingested;
        ingested += accesses.len();
        // As autovacuum would. Without it, the planner kept the plans it chose for the
        // empty care members' table: by the year's 90th day, reading 1 500 care
        // relationships' members scanned the whole table, 48.7 ms against 2.2 ms.
        if ingested as u64 / crate::bench::STATISTICS_EVERY
            > before as u64 / crate::bench::STATISTICS_EVERY
        {
            crate::bench::refresh_statistics(db).await.map_err(text)?;
        }
    }
    say(&format!(
        "synthetic hospital: {} staff, {} days, {ingested} accesses ingested with their care \
         ({:.1} s)",
        staff.len(),
        options.days,
        started.elapsed().as_secs_f64()
    ));
    let mut detection = read_back(db, &directory).await.map_err(text)?;
    detection.staff = u32::try_from(staff.len()).unwrap_or(u32::MAX);
    detection.days = options.days;
    Ok(detection)
}

/// The instant a local day begins.
fn local_midnight(
    date: jiff::civil::Date,
    time_zone: &jiff::tz::TimeZone,
) -> Result<OffsetDateTime, String> {
    let start = date
        .to_zoned(time_zone.clone())
        .map_err(|e| e.to_string())?
        .timestamp()
        .as_second();
    OffsetDateTime::from_unix_timestamp(start).map_err(|e| e.to_string())
}

impl Routines<'_> {
    /// The routine work of one day (`when`: its number, start, whether a weekday) and
    /// the snooping injected in it; the people it needs written first.
    fn work_day(
        &mut self,
        (day, midnight, weekday): (u32, OffsetDateTime, bool),
        staff: u32,
        instance: &mut u64,
        serial_snoopers: &[usize],
    ) -> Victims {
        if day == 0 {
            // The wards are not empty on the first day, and last night had its roster.
            self.admit(day, midnight - Duration::days(3), staff / 10 * 4);
            let staying: Vec<(String, usize)> = self
                .stays
                .iter()
                .map(|stay| (stay.mrn.clone(), stay.ward))
                .collect();
            for (mrn, ward) in staying {
                let nurse = self.anyone(ward);
                let from = midnight - Duration::hours(1);
                let night = (ward, std::slice::from_ref(&nurse));
                self.care(
                    CareKind::CareTeam,
                    &mrn,
                    night,
                    from,
                    Some(from + Duration::hours(8)),
                );
            }
            let teams = self.teams;
            for team in teams {
                let department = self.staff[team.members[0]].department;
                let since = midnight - Duration::days(90);
                let members = (department, team.members.as_slice());
                self.care(CareKind::CareTeam, &team.mrn, members, since, None);
            }
        }
        let visits = if weekday { staff * 3 / 2 } else { staff / 10 };
        for _ in 0..visits {
            let at = midnight + Duration::minutes(self.rng.gen_range(8 * 60..16 * 60 + 30));
            self.visit(at);
        }
        self.admit(day, midnight, (staff / 10).max(1));
        self.ward_day(day, midnight);
        self.teams_day(midnight);
        let mut victims = Victims::default();
        for scenario in Scenario::ALL {
            for _ in 0..(staff / 1000).max(1) {
                *instance += 1;
                let when = (day, midnight);
                self.inject(scenario, *instance, when, &mut victims, serial_snoopers);
            }
        }
        victims
    }
}

/// Staff indexes per department: its doctors (everyone when it has none) and everyone.
fn by_department(staff: &[Member]) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let departments = CLINICAL + 4;
    let mut doctors = vec![Vec::new(); departments];
    let mut everyone = vec![Vec::new(); departments];
    for (index, member) in staff.iter().enumerate().filter(|(_, m)| m.active) {
        everyone[member.department].push(index);
        if member.doctor {
            doctors[member.department].push(index);
        }
    }
    let all: Vec<usize> = (0..staff.len()).collect();
    for department in 0..departments {
        if everyone[department].is_empty() {
            everyone[department].clone_from(&all);
        }
        if doctors[department].is_empty() {
            doctors[department].clone_from(&everyone[department]);
        }
    }
    (doctors, everyone)
}

/// One chronic patient in twenty staff has a care team: three of a clinic and one of a
/// ward.
fn care_teams(
    rng: &mut StdRng,
    staff: &[Member],
    everyone: &[Vec<usize>],
    patients: u32,
) -> Vec<Team> {
    let count = staff.len() / 20;
    (0..count)
        .map(|_| {
            let clinic = rng.gen_range(WARDS..CLINICAL);
            let ward = rng.gen_range(0..WARDS);
            let mut members: Vec<usize> = (0..3)
                .map(|_| everyone[clinic][rng.gen_range(0..everyone[clinic].len())])
                .collect();
            members.push(everyone[ward][rng.gen_range(0..everyone[ward].len())]);
            Team {
                mrn: format!("Y-P{:07}", rng.gen_range(0..patients)),
                members,
            }
        })
        .collect()
}

/// The day's care and new people, as the hospital's systems send them before the
/// accesses.
async fn write_day(
    db: &DatabaseConnection,
    source: &Source,
    care: &[app::directory::server::service::CareRelationship],
    victims: &Victims,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    for patient in &victims.patients {
        people::write_patient(&txn, patient, now).await?;
    }
    for (mrn, name) in &victims.watches {
        seed_watch(&txn, mrn, name, now).await?;
    }
    for relationship in care {
        sync_care(&txn, source.id, relationship)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    txn.commit().await
}

/// Reads back each labelled access: explained or not, flagged or not, and in which
/// review case.
async fn read_back(db: &DatabaseConnection, source: &Source) -> Result<Detection, DbErr> {
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let grouped = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT substr(source_event_id, 5, 2) AS kind, COUNT(*) AS total, \
             COUNT(explained_by) AS explained, \
             COALESCE(SUM(CASE WHEN unusual THEN 1 ELSE 0 END), 0) AS flagged \
             FROM access_event WHERE source_id = {placeholder} AND source_event_id LIKE 'y-r-%' \
             GROUP BY substr(source_event_id, 5, 2)"
        ),
        [source.id.into()],
    );
    let mut detection = Detection::default();
    for row in db.query_all(grouped).await? {
        let kind: String = row.try_get("", "kind")?;
        let Some(routine) = Routine::ALL.into_iter().find(|r| r.code() == kind) else {
            continue;
        };
        detection.routine.insert(
            routine.code(),
            (
                row.try_get("", "total")?,
                row.try_get("", "explained")?,
                row.try_get("", "flagged")?,
            ),
        );
    }
    // The accesses in review cases, and the injected ones, one by one.
    let caught = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT e.source_event_id, c.id AS case_id, COALESCE(c.score, -1) AS score, \
             c.rules, c.unexplained, c.out_of_care, c.night_unnamed, c.vip_by_department, \
             c.follows_out_of_care \
             FROM access_event e LEFT JOIN access_review r ON r.event_id = e.id \
             LEFT JOIN access_case c ON c.id = r.case_id \
             WHERE e.source_id = {placeholder} \
             AND (e.source_event_id LIKE 'y-s-%' OR r.case_id IS NOT NULL)"
        ),
        [source.id.into()],
    );
    let mut cases: BTreeMap<String, bool> = BTreeMap::new();
    let (mut routine, mut injected, mut to_read) = (HashSet::new(), HashSet::new(), HashSet::new());
    let mut signature: BTreeMap<i64, String> = BTreeMap::new();
    for row in db.query_all(caught).await? {
        let label: String = row.try_get("", "source_event_id")?;
        let case_id: Option<i64> = row.try_get("", "case_id")?;
        let score: i64 = row.try_get("", "score")?;
        let above = score >= REVIEW_LINE;
        if let Some(id) = case_id {
            if above {
                to_read.insert(id);
                signature.entry(id).or_insert(case_signature(&row)?);
            }
        }
        if let Some(case) = label.strip_prefix("y-s-") {
            let case = case
                .rsplit_once('-')
                .map_or(case, |(case, _)| case)
                .to_owned();
            *cases.entry(case).or_default() |= above;
            injected.extend(case_id);
        } else {
            routine.extend(case_id);
        }
    }
    let routine_only: HashSet<i64> = routine.difference(&injected).copied().collect();
    detection.routine_cases = (
        routine_only.len(),
        routine_only.intersection(&to_read).count(),
    );
    detection.cases_to_read = to_read.len();
    for id in routine_only.intersection(&to_read) {
        if let Some(what) = signature.get(id) {
            *detection
                .routine_to_read_by
                .entry(what.clone())
                .or_default() += 1;
        }
    }
    for (case, caught) in cases {
        let code = case.split('-').next().unwrap_or_default();
        if let Some(scenario) = Scenario::from_code(code) {
            let entry = detection.scenarios.entry(scenario.code()).or_default();
            entry.0 += u32::from(caught);
            entry.1 += 1;
        }
    }
    Ok(detection)
}

/// What put a case above the line, in a few words: its rules and other signals.
fn case_signature(row: &sea_orm::QueryResult) -> Result<String, DbErr> {
    let rules: String = row.try_get("", "rules")?;
    let unexplained: i64 = row.try_get("", "unexplained")?;
    let out_of_care: bool = row.try_get("", "out_of_care")?;
    let night: i64 = row.try_get("", "night_unnamed")?;
    let vip_by_department: i64 = row.try_get("", "vip_by_department")?;
    let follows: bool = row.try_get("", "follows_out_of_care")?;
    let mut parts: Vec<String> = rules
        .split(',')
        .filter(|rule| !rule.is_empty() && *rule != "no_care_relationship")
        .map(str::to_owned)
        .collect();
    if unexplained > 0 {
        parts.push(format!("unexplained×{unexplained}"));
    }
    if out_of_care {
        parts.push("out of care".to_owned());
    } else if follows {
        parts.push("after an out-of-care look".to_owned());
    }
    if night > 0 {
        parts.push(format!("night off the roster×{night}"));
    }
    if vip_by_department > 0 {
        parts.push(format!("VIP on department care only×{vip_by_department}"));
    }
    Ok(parts.join(" + "))
}

impl Detection {
    /// The figures, one line each.
    pub fn lines(&self) -> Vec<String> {
        let (total, explained, flagged) =
            self.routine.values().fold((0, 0, 0), |sum, (t, e, f)| {
                (sum.0 + t, sum.1 + e, sum.2 + f)
            });
        let share = |part: i64| percent(part, total);
        let mut lines = vec![format!(
            "routine accesses: {total}; explained {:.1} % (goal ≥ 95 %), unexplained {:.1} % \
             (goal ≤ 2 %), flagged by a rule {:.1} %",
            share(explained),
            share(total - explained),
            share(flagged)
        )];
        for routine in Routine::ALL {
            if let Some((t, e, f)) = self.routine.get(routine.code()) {
                lines.push(format!(
                    "  {:<11} {t:>9} accesses, {:.1} % explained, {:.1} % flagged",
                    format!("{routine:?}"),
                    percent(*e, *t),
                    percent(*f, *t)
                ));
            }
        }
        let staff_days = f64::from(self.staff) * f64::from(self.days.max(1)) / 1000.0;
        #[allow(clippy::cast_precision_loss)] // Far below 2^52.
        let per_staff_day = |count: usize| count as f64 / staff_days.max(1e-9);
        lines.push(format!(
            "review cases from routine work: {:.1} per 1 000 staff per day; at or above the \
             review line: {:.2} (goal ≤ 3); all cases to read, injected included: {:.2}",
            per_staff_day(self.routine_cases.0),
            per_staff_day(self.routine_cases.1),
            per_staff_day(self.cases_to_read),
        ));
        let mut causes: Vec<(&String, &usize)> = self.routine_to_read_by.iter().collect();
        causes.sort_by(|a, b| b.1.cmp(a.1));
        for (what, count) in causes.into_iter().take(6) {
            lines.push(format!(
                "  routine cases at or above the line: {count:>5} × {what}"
            ));
        }
        let (mut caught, mut all, mut defined_caught, mut defined_all) = (0, 0, 0, 0);
        for scenario in Scenario::ALL {
            let (c, a) = self
                .scenarios
                .get(scenario.code())
                .copied()
                .unwrap_or_default();
            caught += c;
            all += a;
            if scenario.definitional() {
                defined_caught += c;
                defined_all += a;
            }
            lines.push(format!(
                "  recall {:<27} {:.2} ({c}/{a})",
                scenario.name(),
                ratio(c, a)
            ));
        }
        lines.push(format!(
            "recall (caught: an access of the case in a review case at or above the line): \
             definitional rules \
             {:.2} (goal ≥ 0.99), overall {:.2} (goal ≥ 0.90)",
            ratio(defined_caught, defined_all),
            ratio(caught, all)
        ));
        lines
    }
}

#[allow(clippy::cast_precision_loss)] // Counts far below 2^52.
fn percent(part: i64, whole: i64) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn ratio(part: u32, whole: u32) -> f64 {
    f64::from(part) / f64::from(whole.max(1))
}
