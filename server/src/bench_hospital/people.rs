//! The synthetic hospital's people: departments, staff and patients, with surnames drawn
//! as often as they occur in China (so two people often share one, as they do) and homes
//! on streets, buildings and flats (so neighbours share a building, and households a flat).

use app::directory::server::service::{
    sync_department, sync_patient, sync_staff, sync_staff_role, DirectoryDepartment,
    DirectoryError, DirectoryPatient, DirectoryStaff,
};
use app::directory::types::{OpeningPeriod, WorkingHours};
use app::i18n::Locale;
use rand::rngs::StdRng;
use rand::Rng;
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

/// Wards (open day and night) come first among the clinical departments; the rest are
/// clinics open on weekdays.
pub const WARDS: usize = 8;
pub const CLINICAL: usize = 24;
/// The service departments, after the clinical ones.
pub const LAB: usize = CLINICAL;
pub const RADIOLOGY: usize = CLINICAL + 1;
pub const FINANCE: usize = CLINICAL + 2;
pub const EMERGENCY: usize = CLINICAL + 3;
const DEPARTMENTS: usize = CLINICAL + 4;

/// The commonest surnames and their share of the population (per 1000); the rest of the
/// population shares many rarer ones.
const SURNAMES: [(&str, u32); 20] = [
    ("王", 71),
    ("李", 70),
    ("张", 67),
    ("刘", 55),
    ("陈", 45),
    ("杨", 31),
    ("黄", 22),
    ("赵", 20),
    ("吴", 19),
    ("周", 19),
    ("徐", 15),
    ("孙", 14),
    ("马", 13),
    ("朱", 12),
    ("胡", 11),
    ("郭", 11),
    ("何", 10),
    ("高", 10),
    ("林", 10),
    ("罗", 9),
];
const RARE_SURNAMES: u32 = 400;

/// A surname as often as it occurs.
pub fn surname(rng: &mut StdRng) -> String {
    let mut roll = rng.gen_range(0..1000);
    for (name, share) in SURNAMES {
        if roll < share {
            return name.to_owned();
        }
        roll -= share;
    }
    format!("姓{}", rng.gen_range(0..RARE_SURNAMES))
}

/// A home: street, building, flat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Home {
    pub street: u32,
    pub building: u32,
    pub flat: u32,
}

impl Home {
    pub fn random(rng: &mut StdRng) -> Home {
        Home {
            street: rng.gen_range(1..600),
            building: rng.gen_range(1..40),
            flat: rng.gen_range(101..1900),
        }
    }

    pub fn text(self) -> String {
        format!("合成市{}路{}号{}室", self.street, self.building, self.flat)
    }
}

pub fn department_code(index: usize) -> String {
    match index {
        LAB => "Y-LAB".to_owned(),
        RADIOLOGY => "Y-RAD".to_owned(),
        FINANCE => "Y-FIN".to_owned(),
        EMERGENCY => "Y-EMR".to_owned(),
        _ => format!("Y-C{index:02}"),
    }
}

/// A member of staff.
#[derive(Clone, Debug)]
pub struct Member {
    pub number: String,
    pub name: String,
    pub surname: String,
    pub home: Home,
    pub department: usize,
    pub doctor: bool,
    pub active: bool,
}

impl Member {
    /// Their own record, as a patient of the hospital.
    pub fn own_mrn(&self) -> String {
        format!("Y-O{}", &self.number[3..])
    }
}

/// Staff by department: a few per hundred in the laboratory, radiology, finance and
/// emergency, the rest spread over the clinical departments, a third of them doctors.
/// One account in five hundred, and the last, has been deactivated (people who left).
pub fn staff(rng: &mut StdRng, count: u32) -> Vec<Member> {
    (0..count)
        .map(|index| {
            let department = match index % 100 {
                0..=5 => LAB,
                6..=9 => RADIOLOGY,
                10..=12 => FINANCE,
                13..=14 => EMERGENCY,
                _ => index as usize % CLINICAL,
            };
            let surname = surname(rng);
            Member {
                number: format!("Y-S{index:05}"),
                name: format!("{surname}{index}"),
                surname,
                home: Home::random(rng),
                department,
                doctor: index % 3 == 0,
                active: !(index % 500 == 499 || index + 1 == count),
            }
        })
        .collect()
}

/// A patient: record number, surname, home; one in a thousand protected (VIP).
#[derive(Clone, Debug)]
pub struct Patient {
    pub mrn: String,
    pub surname: String,
    pub home: Home,
    pub vip: bool,
}

pub fn patients(rng: &mut StdRng, count: u32) -> Vec<Patient> {
    (0..count)
        .map(|index| Patient {
            mrn: format!("Y-P{index:07}"),
            surname: surname(rng),
            home: Home::random(rng),
            vip: index % 1000 == 500,
        })
        .collect()
}

/// Writes departments, staff (with their own records) and patients to the directory.
pub async fn write<C: ConnectionTrait>(
    conn: &C,
    staff: &[Member],
    patients: &[Patient],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let map = |e: DirectoryError| DbErr::Custom(e.to_string());
    let weekdays = WorkingHours {
        periods: vec![OpeningPeriod {
            days: vec![0, 1, 2, 3, 4],
            open: 8 * 60,
            close: 17 * 60 + 30,
        }],
    };
    for index in 0..DEPARTMENTS {
        let always = index < WARDS || matches!(index, LAB | RADIOLOGY | EMERGENCY);
        let department = DirectoryDepartment {
            code: department_code(index),
            name_zh_hans: format!("合成科室{index}"),
            name_en: format!("Synthetic department {index}"),
            hours: Some(if always {
                WorkingHours::always()
            } else {
                weekdays.clone()
            }),
        };
        sync_department(conn, &department, now).await.map_err(map)?;
    }
    for member in staff {
        let record = DirectoryStaff {
            staff_number: member.number.clone(),
            name: member.name.clone(),
            family_name: Some(member.surname.clone()),
            email: None,
            address: Some(member.home.text()),
            active: member.active,
            own_mrn: Some(member.own_mrn()),
        };
        sync_staff(conn, &record, Locale::ZhHans, now)
            .await
            .map_err(map)?;
        let title = if member.doctor { "doctor" } else { "nurse" };
        sync_staff_role(
            conn,
            &member.number,
            Some(&department_code(member.department)),
            Some(title),
            now,
        )
        .await
        .map_err(map)?;
        let own = Patient {
            mrn: member.own_mrn(),
            surname: member.surname.clone(),
            home: member.home,
            vip: false,
        };
        write_patient(conn, &own, now).await?;
    }
    for patient in patients {
        write_patient(conn, patient, now).await?;
    }
    Ok(())
}

pub async fn write_patient<C: ConnectionTrait>(
    conn: &C,
    patient: &Patient,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let record = DirectoryPatient {
        mrn: patient.mrn.clone(),
        name: format!("{}{}", patient.surname, &patient.mrn[3..]),
        family_name: Some(patient.surname.clone()),
        email: None,
        address: Some(patient.home.text()),
        vip: patient.vip,
    };
    sync_patient(conn, &record, "bench-hospital", Locale::ZhHans, now)
        .await
        .map(drop)
        .map_err(|e| DbErr::Custom(e.to_string()))
}
