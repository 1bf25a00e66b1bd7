//! Unusual-access rules, evaluated once when an event arrives. Pure functions over the
//! facts ingestion gathers, so each rule is tested on its case and its counter-case.

use time::Duration;

use crate::access_log::types::{AgentKind, Category, Rule};
use crate::directory::types::WorkingHours;

/// Thresholds, configurable by the operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSettings {
    /// More than this many distinct patients' records …
    pub many_records_threshold: usize,
    /// … opened by one person within this long is unusual.
    pub many_records_window: Duration,
    /// A care relationship counts if it began at most `care_after` after the access and
    /// ended at most `care_before` before it.
    pub care_before: Duration,
    pub care_after: Duration,
    /// Categories flagged on every access.
    pub sensitive: Vec<Category>,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            many_records_threshold: 30,
            many_records_window: Duration::minutes(60),
            care_before: Duration::days(30),
            care_after: Duration::days(1),
            sensitive: vec![
                Category::Genetic,
                Category::MentalHealth,
                Category::SexualHealth,
                Category::Photographs,
            ],
        }
    }
}

/// What the directory says about the person who acted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffFacts {
    pub active: bool,
    pub family_name: Option<String>,
    pub address_key: Option<String>,
    pub own_mrn: Option<String>,
    pub department_id: Option<i64>,
}

/// What the directory and the patient say about the patient.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatientFacts {
    pub family_name: Option<String>,
    pub address_key: Option<String>,
    pub vip: bool,
    /// Watched people (names, compared without spaces or case) and departments.
    pub watched_names: Vec<String>,
    pub watched_departments: Vec<i64>,
}

/// Everything the rules look at for one access.
#[derive(Clone, Debug)]
pub struct AccessFacts<'a> {
    pub patient_mrn: &'a str,
    pub category: Category,
    pub agent_kind: AgentKind,
    pub agent_name: &'a str,
    pub staff: Option<&'a StaffFacts>,
    pub patient: Option<&'a PatientFacts>,
    pub department_id: Option<i64>,
    pub department_hours: Option<&'a WorkingHours>,
    /// Local weekday (0 = Monday) and minute after midnight, in the hospital's zone.
    pub local_weekday: u8,
    pub local_minute: u16,
    /// Whether a care relationship with the department covers the access (`None` when
    /// there is no department to compare).
    pub has_care: Option<bool>,
    /// Distinct patients this person opened in the window ending at this access,
    /// including this one.
    pub distinct_patients_in_window: usize,
}

/// A person's name for comparison: no spaces, no case.
#[must_use]
pub fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '·' && *c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

fn same(a: Option<&String>, b: Option<&String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => !a.is_empty() && name_key(a) == name_key(b),
        _ => false,
    }
}

/// The rules that fire for `facts`, in the order of [`Rule::ALL`].
#[must_use]
pub fn evaluate(facts: &AccessFacts<'_>, settings: &RuleSettings) -> Vec<Rule> {
    let mut fired = Vec::new();
    let is_staff = facts.agent_kind == AgentKind::Staff;
    if is_staff {
        if let Some(hours) = facts.department_hours {
            if !hours.is_open(facts.local_weekday, facts.local_minute) {
                fired.push(Rule::OutsideWorkingHours);
            }
        }
        if facts.has_care == Some(false) {
            fired.push(Rule::NoCareRelationship);
        }
    }
    let own = facts
        .staff
        .and_then(|staff| staff.own_mrn.as_deref())
        .is_some_and(|mrn| mrn == facts.patient_mrn);
    if let (Some(staff), Some(patient)) = (facts.staff, facts.patient) {
        // A person sharing their own surname or address is the own-record rule's case.
        if !own {
            if same(staff.family_name.as_ref(), patient.family_name.as_ref()) {
                fired.push(Rule::SameSurname);
            }
            if staff.address_key.is_some() && staff.address_key == patient.address_key {
                fired.push(Rule::SameAddress);
            }
        }
    }
    if own {
        fired.push(Rule::OwnRecord);
    }
    if is_staff && facts.distinct_patients_in_window > settings.many_records_threshold {
        fired.push(Rule::ManyRecords);
    }
    if settings.sensitive.contains(&facts.category) {
        fired.push(Rule::SensitiveCategory);
    }
    if facts.staff.is_some_and(|staff| !staff.active) {
        fired.push(Rule::DeactivatedAccount);
    }
    if let Some(patient) = facts.patient {
        if patient.vip {
            fired.push(Rule::VipRecord);
        }
        let by_name = patient
            .watched_names
            .iter()
            .any(|name| name_key(name) == name_key(facts.agent_name));
        let by_department = facts
            .department_id
            .is_some_and(|id| patient.watched_departments.contains(&id));
        if by_name || by_department {
            fired.push(Rule::WatchList);
        }
    }
    fired
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::types::OpeningPeriod;

    fn office() -> WorkingHours {
        WorkingHours {
            periods: vec![OpeningPeriod {
                days: vec![0, 1, 2, 3, 4],
                open: 480,
                close: 1050,
            }],
        }
    }

    fn staff() -> StaffFacts {
        StaffFacts {
            active: true,
            family_name: Some("王".into()),
            address_key: Some("上海市徐汇区1号".into()),
            own_mrn: Some("M-STAFF".into()),
            department_id: Some(1),
        }
    }

    fn patient() -> PatientFacts {
        PatientFacts {
            family_name: Some("李".into()),
            address_key: Some("北京市朝阳区2号".into()),
            ..PatientFacts::default()
        }
    }

    fn check(
        edit: impl FnOnce(&mut AccessFacts<'_>),
        staff: &StaffFacts,
        patient: &PatientFacts,
    ) -> Vec<Rule> {
        let hours = office();
        let mut facts = AccessFacts {
            patient_mrn: "M1",
            category: Category::Lab,
            agent_kind: AgentKind::Staff,
            agent_name: "王医生",
            staff: Some(staff),
            patient: Some(patient),
            department_id: Some(1),
            department_hours: Some(&hours),
            local_weekday: 1,
            local_minute: 600,
            has_care: Some(true),
            distinct_patients_in_window: 1,
        };
        edit(&mut facts);
        evaluate(&facts, &RuleSettings::default())
    }

    #[test]
    fn an_ordinary_access_is_quiet() {
        assert!(check(|_| {}, &staff(), &patient()).is_empty());
    }

    #[test]
    fn each_rule_fires_on_its_case() {
        let (s, p) = (staff(), patient());
        assert_eq!(
            check(|f| f.local_minute = 23 * 60, &s, &p),
            [Rule::OutsideWorkingHours]
        );
        assert_eq!(
            check(|f| f.local_weekday = 6, &s, &p),
            [Rule::OutsideWorkingHours]
        );
        assert_eq!(
            check(|f| f.has_care = Some(false), &s, &p),
            [Rule::NoCareRelationship]
        );
        assert_eq!(check(|f| f.has_care = None, &s, &p), [] as [Rule; 0]);
        assert_eq!(
            check(|f| f.patient_mrn = "M-STAFF", &s, &p),
            [Rule::OwnRecord]
        );
        assert_eq!(
            check(|f| f.distinct_patients_in_window = 31, &s, &p),
            [Rule::ManyRecords]
        );
        assert_eq!(
            check(|f| f.distinct_patients_in_window = 30, &s, &p),
            [] as [Rule; 0]
        );
        assert_eq!(
            check(|f| f.category = Category::Genetic, &s, &p),
            [Rule::SensitiveCategory]
        );

        let relative = PatientFacts {
            family_name: Some(" 王 ".into()),
            ..patient()
        };
        assert_eq!(check(|_| {}, &s, &relative), [Rule::SameSurname]);
        let neighbour = PatientFacts {
            address_key: s.address_key.clone(),
            ..patient()
        };
        assert_eq!(check(|_| {}, &s, &neighbour), [Rule::SameAddress]);
        let vip = PatientFacts {
            vip: true,
            ..patient()
        };
        assert_eq!(check(|_| {}, &s, &vip), [Rule::VipRecord]);
        let watching_person = PatientFacts {
            watched_names: vec!["王 医生".into()],
            ..patient()
        };
        assert_eq!(check(|_| {}, &s, &watching_person), [Rule::WatchList]);
        let watching_department = PatientFacts {
            watched_departments: vec![1],
            ..patient()
        };
        assert_eq!(check(|_| {}, &s, &watching_department), [Rule::WatchList]);
        let other_department = PatientFacts {
            watched_departments: vec![2],
            ..patient()
        };
        assert!(check(|_| {}, &s, &other_department).is_empty());

        let gone = StaffFacts {
            active: false,
            ..staff()
        };
        assert_eq!(check(|_| {}, &gone, &p), [Rule::DeactivatedAccount]);
    }

    #[test]
    fn outside_organisations_are_not_held_to_department_rules() {
        let (s, p) = (staff(), patient());
        let rules = check(
            |f| {
                f.agent_kind = AgentKind::Organisation;
                f.staff = None;
                f.local_minute = 23 * 60;
                f.has_care = Some(false);
                f.distinct_patients_in_window = 100;
            },
            &s,
            &p,
        );
        assert!(rules.is_empty());
    }
}
