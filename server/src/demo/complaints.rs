//! The demo hospital's year of privacy complaints, so the insights page tells a story:
//! curious insiders in the first months until the cardiology training (fewer after it), a
//! misdirected laboratory letter, a photo from the emergency room, an imaging vendor, a
//! break-in through an outpatient system, and a few cases still open at each stage, one
//! of them late. Written once: when the demo patients already have complaints, nothing.

use app::accounts::server::query::by_reference;
use app::complaints::server::register::{count_of, import, Closing, PastCase, PastEnd};
use app::complaints::server::ComplaintsConfig;
use app::complaints::types::{ChainLink, ComplaintKind, ComplaintState, RootCause};
use app::hospital::server::service::department_by_code;
use sea_orm::{DatabaseConnection, TransactionTrait};
use time::{Duration, OffsetDateTime};

use super::SeedError;

/// What a closed case was: kind, department, the patient's words, cause, link, whether it
/// was resolved on the spot, days to close, and the improvement action it led to.
struct Template {
    kind: ComplaintKind,
    department: &'static str,
    account: &'static str,
    cause: RootCause,
    link: ChainLink,
    on_spot: bool,
    days: i64,
    action: Option<&'static str>,
}

const TEMPLATES: &[Template] = &[
    Template {
        kind: ComplaintKind::Looked,
        department: "CARD",
        account: "心内科一位我不认识的医生在深夜打开了我的病历。",
        cause: RootCause::Insider,
        link: ChainLink::Use,
        on_spot: false,
        days: 24,
        action: Some("心内科全员隐私培训，签署保密承诺"),
    },
    Template {
        kind: ComplaintKind::Leak,
        department: "LAB",
        account: "我的检验报告被寄到了邻居家。",
        cause: RootCause::ProcessGap,
        link: ChainLink::Transmission,
        on_spot: false,
        days: 20,
        action: Some("检验报告寄送前双人核对地址"),
    },
    Template {
        kind: ComplaintKind::Images,
        department: "EMER",
        account: "急诊有人拍了我在抢救室的照片，发到了微信群里。",
        cause: RootCause::StaffAwareness,
        link: ChainLink::Disclosure,
        on_spot: false,
        days: 27,
        action: None,
    },
    Template {
        kind: ComplaintKind::Shared,
        department: "RAD",
        account: "A company I have never heard of called me about my CT scan.",
        cause: RootCause::ThirdParty,
        link: ChainLink::Sharing,
        on_spot: false,
        days: 29,
        action: Some("影像外包合同加入数据保护条款"),
    },
    Template {
        kind: ComplaintKind::Looked,
        department: "PSY",
        account: "以前的同事查看了我在心理科的就诊记录。",
        cause: RootCause::Insider,
        link: ChainLink::Use,
        on_spot: false,
        days: 26,
        action: None,
    },
    Template {
        kind: ComplaintKind::Conduct,
        department: "REC",
        account: "病案室工作人员在走廊里大声念出了我的诊断。",
        cause: RootCause::StaffAwareness,
        link: ChainLink::Disclosure,
        on_spot: true,
        days: 6,
        action: None,
    },
    Template {
        kind: ComplaintKind::Leak,
        department: "ONC",
        account: "有人打电话推销保健品，知道我的肿瘤诊断。",
        cause: RootCause::CyberAttack,
        link: ChainLink::Storage,
        on_spot: false,
        days: 30,
        action: Some("修补门诊系统漏洞并做渗透测试"),
    },
    Template {
        kind: ComplaintKind::Other,
        department: "CARD",
        account: "门诊叫号屏显示了我的全名。",
        cause: RootCause::TechnicalWeakness,
        link: ChainLink::Disclosure,
        on_spot: true,
        days: 4,
        action: Some("叫号屏只显示姓氏和号码"),
    },
];

/// Cases still open: days since filing, the stage, what the patient wrote.
const OPEN: &[(i64, ComplaintState, ComplaintKind, &str)] = &[
    (
        2,
        ComplaintState::Acknowledged,
        ComplaintKind::Looked,
        "我收到提醒：放射科有人查看了我的病历，我那天没有做检查。",
    ),
    (
        5,
        ComplaintState::Verification,
        ComplaintKind::Shared,
        "体检中心把我的结果发给了我的单位。",
    ),
    (
        12,
        ComplaintState::Investigation,
        ComplaintKind::Looked,
        "急诊的一位护士查看了我的精神科记录。",
    ),
    (
        20,
        ComplaintState::Approval,
        ComplaintKind::Images,
        "Someone filmed me in the waiting room and posted it.",
    ),
    (
        26,
        ComplaintState::Measures,
        ComplaintKind::Leak,
        "我的出院小结出现在了别人的邮箱里。",
    ),
    // Past its 30 days and still investigated: a deadline missed.
    (
        41,
        ComplaintState::Investigation,
        ComplaintKind::Leak,
        "医院的一台笔记本电脑丢了，里面有我的资料。",
    ),
];

const PATIENTS: &[&str] = &["P000001", "P000002", "P000003", "P000004", "P000005"];

async fn id_of(db: &DatabaseConnection, reference: &str) -> Result<i64, SeedError> {
    by_reference(db, reference)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| SeedError::Record(format!("demo account {reference} missing")))
}

/// Writes the year of cases; returns how many (0 when they were there already).
pub async fn seed(
    db: &DatabaseConnection,
    config: &ComplaintsConfig,
    time_zone: &str,
    now: OffsetDateTime,
) -> Result<usize, SeedError> {
    let mut patients = Vec::new();
    for mrn in PATIENTS {
        patients.push(id_of(db, mrn).await?);
    }
    if count_of(db, &patients).await? > 0 {
        return Ok(0);
    }
    let (handler, lead, approver) = (
        id_of(db, "S8001").await?,
        id_of(db, "S1001").await?,
        id_of(db, "S3001").await?,
    );
    let mut cases = Vec::new();
    // A year back, about every ten days; the cardiology training (four months in) ends
    // the run of curious insiders: after it, none is closed as one.
    for i in 0..34_usize {
        let days_ago = 365 - i64::try_from(i).unwrap_or(0) * 10;
        let template = &TEMPLATES[(i * 3) % TEMPLATES.len()];
        if template.cause == RootCause::Insider && days_ago < 240 {
            continue;
        }
        let closing = Closing {
            after: template.days + i64::try_from(i % 4).unwrap_or(0),
            cause: template.cause,
            link: template.link,
            outcome: "投诉属实，已按处理方案落实。 / Upheld; the plan was carried out.".to_owned(),
            satisfied: i % 5 != 0,
            action: template.action.map(|what| {
                (
                    what.to_owned(),
                    if i % 2 == 0 { lead } else { handler },
                    30,
                    days_ago > 90,
                )
            }),
        };
        // Now and then the preliminary verification ran late.
        let verified_after = if i % 9 == 4 { 9 } else { 2 };
        let end = if i % 11 == 7 {
            PastEnd::Rejected("不属于隐私投诉，已转医务处。 / Not a privacy matter: passed to the medical affairs office.".to_owned())
        } else if template.on_spot {
            PastEnd::OnTheSpot {
                resolution:
                    "当场核实并向患者说明。 / Checked on the spot and explained to the patient."
                        .to_owned(),
                closed: closing,
            }
        } else {
            PastEnd::Investigated {
                approved_after: (closing.after - 8).max(verified_after + 6),
                closed: closing,
            }
        };
        cases.push((
            days_ago,
            template.kind,
            template.department,
            template.account,
            end,
            i,
            verified_after,
        ));
    }
    for (n, (days_ago, stage, kind, account)) in OPEN.iter().enumerate() {
        cases.push((
            *days_ago,
            *kind,
            "RAD",
            account,
            PastEnd::Open(*stage),
            n,
            2,
        ));
    }
    let txn = db.begin().await?;
    let mut written = 0;
    for (days_ago, kind, department, account, end, i, verified_after) in cases {
        let case = PastCase {
            patient: patients[i % patients.len()],
            kind,
            account: account.to_owned(),
            department: department_by_code(&txn, department).await?,
            filed_at: now - Duration::days(days_ago) - Duration::hours(5),
            handler,
            lead,
            approver,
            verified_after,
            end,
        };
        import(&txn, &case, config, time_zone).await?;
        written += 1;
    }
    txn.commit().await?;
    Ok(written)
}
