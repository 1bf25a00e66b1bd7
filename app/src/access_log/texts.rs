//! The access log's words, in both languages. Each vocabulary item has a label (and each
//! rule a plain explanation), so a missing translation is a compile error.

use super::types::{
    Action, AgentKind, Category, FeedNoticeView, FeedProblem, NotifyChoice, Purpose, Reason,
    ReviewState, Rule,
};
use crate::directory::types::CareKind;
use crate::i18n::Locale;
use crate::vocabulary::consent_check::{ConsentCheckOutcome, DecisionReason};

/// Words for one language.
pub struct AccessTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub filter_heading: &'static str,
    pub filter_from: &'static str,
    pub filter_to: &'static str,
    pub filter_category: &'static str,
    pub filter_department: &'static str,
    pub filter_any: &'static str,
    pub filter_unusual_only: &'static str,
    pub filter_apply: &'static str,
    pub filter_bad_date: &'static str,
    pub empty: &'static str,
    pub older: &'static str,
    /// Name of the paging links' navigation.
    pub pages: &'static str,
    pub newest: &'static str,
    pub unusual_badge: &'static str,
    pub why_unusual: &'static str,
    pub why_normal: &'static str,
    pub who: &'static str,
    pub what: &'static str,
    pub action: &'static str,
    pub purpose: &'static str,
    pub when: &'static str,
    pub system: &'static str,
    pub workstation: &'static str,
    pub outside_organisation: &'static str,
    pub unknown_department: &'static str,
    pub question_button: &'static str,
    pub question_label: &'static str,
    pub question_hint: &'static str,
    pub question_submit: &'static str,
    pub question_invalid: &'static str,
    pub question_sent: &'static str,
    pub question_yours: &'static str,
    /// The link that turns the question into a complaint with the entry linked.
    pub question_complain: &'static str,
    pub chart_heading: &'static str,
    pub chart_by_month: &'static str,
    pub chart_by_department: &'static str,
    pub chart_total: &'static str,
    pub download_heading: &'static str,
    pub download_csv: &'static str,
    pub download_fhir: &'static str,
    pub download_note: &'static str,
    pub settings_title: &'static str,
    pub settings_link: &'static str,
    pub notify_heading: &'static str,
    pub notify_no_email: &'static str,
    pub notify_save: &'static str,
    pub notify_saved: &'static str,
    pub watch_heading: &'static str,
    pub watch_lead: &'static str,
    pub watch_person: &'static str,
    pub watch_department: &'static str,
    pub watch_add: &'static str,
    pub watch_no_department: &'static str,
    pub watch_remove: &'static str,
    pub watch_empty: &'static str,
    pub watch_invalid: &'static str,
    pub watch_full: &'static str,
    pub reviews_title: &'static str,
    pub reviews_lead: &'static str,
    pub reviews_empty: &'static str,
    pub reviews_patient: &'static str,
    pub reviews_question: &'static str,
    pub reviews_note: &'static str,
    pub reviews_explain: &'static str,
    pub reviews_escalate: &'static str,
    pub reviews_note_invalid: &'static str,
    pub reviews_done: &'static str,
    pub reviews_paging: &'static str,
    /// Above the patient's notices of source systems not reporting as usual.
    pub feeds_heading: &'static str,
    /// Above the same on the privacy officer's queue.
    pub feeds_staff_heading: &'static str,
    pub reviews_previous: &'static str,
    pub reviews_next: &'static str,
    /// `{page}`, `{pages}`, `{open}` and `{to_read}` are filled in.
    pub reviews_position: &'static str,
    pub reviews_opened_by: &'static str,
    pub reviews_day: &'static str,
    /// `{score}` is filled in.
    pub reviews_priority: &'static str,
    pub reviews_to_read: &'static str,
    pub reviews_below_line: &'static str,
    /// `{count}` is filled in.
    pub reviews_unexplained: &'static str,
    pub reviews_out_of_care: &'static str,
    pub reviews_follows_out_of_care: &'static str,
    /// `{count}` is filled in.
    pub reviews_night_unnamed: &'static str,
    pub reviews_vip_by_department: &'static str,
    pub csv_header: [&'static str; 12],
}

impl AccessTexts {
    /// The words for `locale`.
    #[must_use]
    pub fn of(locale: Locale) -> &'static AccessTexts {
        match locale {
            Locale::ZhHans => &ZH_HANS,
            Locale::En => &EN,
        }
    }
}

/// Label of a record category.
#[must_use]
pub fn category_label(locale: Locale, category: Category) -> &'static str {
    let (zh, en) = match category {
        Category::Demographics => ("基本信息", "Personal details"),
        Category::Diagnoses => ("诊断", "Diagnoses"),
        Category::ClinicalNotes => ("病程记录", "Clinical notes"),
        Category::Imaging => ("影像检查", "Imaging"),
        Category::Lab => ("化验结果", "Lab results"),
        Category::Prescriptions => ("处方用药", "Prescriptions"),
        Category::Billing => ("费用结算", "Billing"),
        Category::Genetic => ("基因信息", "Genetic information"),
        Category::MentalHealth => ("精神心理健康", "Mental health"),
        Category::SexualHealth => ("性健康", "Sexual health"),
        Category::Photographs => ("临床照片", "Clinical photographs"),
        Category::AccessLog => ("您的访问记录", "Your access log"),
        Category::Consent => ("您的研究与教学同意", "Your research and teaching consent"),
        Category::Account => ("您的门户账户", "Your portal account"),
        Category::CorrectionRequest => ("您的病历更正申请", "Your request to correct your record"),
        Category::Complaint => ("您的隐私投诉", "Your privacy complaint"),
        Category::Other => ("其他", "Other"),
    };
    pick(locale, zh, en)
}

/// Label of an action.
#[must_use]
pub fn action_label(locale: Locale, action: Action) -> &'static str {
    let (zh, en) = match action {
        Action::View => ("查看", "Viewed"),
        Action::Create => ("新建", "Created"),
        Action::Update => ("修改", "Changed"),
        Action::Delete => ("删除", "Deleted"),
        Action::Print => ("打印", "Printed"),
        Action::Export => ("导出", "Exported"),
        Action::Transmit => ("发送给他人", "Sent elsewhere"),
        Action::Other => ("其他操作", "Other action"),
    };
    pick(locale, zh, en)
}

/// Label of a purpose of use, in plain words.
#[must_use]
pub fn purpose_label(locale: Locale, purpose: Purpose) -> &'static str {
    let (zh, en) = match purpose {
        Purpose::Treatment => ("为您诊疗", "Your care and treatment"),
        Purpose::Payment => ("费用与医保结算", "Billing and insurance"),
        Purpose::Operations => (
            "医院管理与质量控制",
            "Running the hospital (quality, administration)",
        ),
        Purpose::Research => ("科研", "Research"),
        Purpose::Teaching => ("教学", "Teaching"),
        Purpose::Legal => ("法律要求", "A legal requirement"),
        Purpose::PublicHealth => ("公共卫生", "Public health"),
        Purpose::PatientRequest => ("应您本人要求", "At your request"),
        Purpose::Unspecified => ("未说明", "Not stated"),
        Purpose::Other => ("其他", "Other"),
    };
    pick(locale, zh, en)
}

/// Label of who acted.
#[must_use]
pub fn agent_kind_label(locale: Locale, kind: AgentKind) -> &'static str {
    let (zh, en) = match kind {
        AgentKind::Staff => ("医院工作人员", "Hospital staff"),
        AgentKind::Organisation => ("外部机构", "Outside organisation"),
        AgentKind::System => ("系统", "A system"),
    };
    pick(locale, zh, en)
}

/// A kind of care, as it fits in a sentence.
#[must_use]
pub fn care_kind_label(locale: Locale, kind: CareKind) -> &'static str {
    let (zh, en) = match kind {
        CareKind::Encounter => ("就诊", "visit"),
        CareKind::Admission => ("住院", "stay in hospital"),
        CareKind::Appointment => ("预约", "appointment"),
        CareKind::Referral => ("转诊", "referral"),
        CareKind::Order => ("检查或治疗申请", "order for a test or treatment"),
        CareKind::Result => ("检查结果", "test result"),
        CareKind::CareTeam => ("医疗团队", "care team"),
    };
    pick(locale, zh, en)
}

/// Why an access was normal, in one sentence: `person` acted, for `reason`, resting on a
/// care of `kind` at `department` that began on `since` (each may be unknown).
#[must_use]
pub fn explanation_sentence(
    locale: Locale,
    reason: Reason,
    person: &str,
    care: (Option<CareKind>, Option<&str>, Option<&str>),
) -> String {
    let (kind, department, since) = care;
    let kind = kind.map_or_else(
        || pick(locale, "诊疗", "care"),
        |kind| care_kind_label(locale, kind),
    );
    let department = department.unwrap_or(pick(locale, "医院", "the hospital"));
    let since = since.unwrap_or_default();
    match (locale, reason) {
        (Locale::ZhHans, Reason::OwnRequest) => "这是为了办理您本人提出的申请。".to_owned(),
        (Locale::En, Reason::OwnRequest) => "It was done to handle a request you made.".to_owned(),
        (Locale::ZhHans, Reason::CareByPerson) => {
            format!("{person}是您{since}在{department}的{kind}中登记的医务人员。")
        }
        (Locale::En, Reason::CareByPerson) => {
            format!("{person} was named in your {kind} at {department} on {since}.")
        }
        (Locale::ZhHans, Reason::CareTeam) => {
            format!("{person}是您在{department}的医疗团队成员（自{since}起）。")
        }
        (Locale::En, Reason::CareTeam) => {
            format!("{person} is on your care team at {department} (since {since}).")
        }
        (Locale::ZhHans, Reason::CareByDepartment) => {
            format!("{department}当时在诊治您：{since}开始的{kind}。")
        }
        (Locale::En, Reason::CareByDepartment) => {
            format!("{department} was caring for you: your {kind} from {since}.")
        }
        (Locale::ZhHans, Reason::Billing) => {
            format!("这是为您{since}在{department}的{kind}办理结算。")
        }
        (Locale::En, Reason::Billing) => {
            format!("It was billing for your {kind} at {department} on {since}.")
        }
    }
}

/// The plain explanation of why an access was flagged.
#[must_use]
pub fn rule_reason(locale: Locale, rule: Rule) -> &'static str {
    let (zh, en) = match rule {
        Rule::OutsideWorkingHours => (
            "发生在该科室的工作时间以外。",
            "It happened outside that department's working hours.",
        ),
        Rule::NoCareRelationship => (
            "这段时间前后您在该科室没有就诊或预约记录。",
            "You had no visit or appointment with that department around that time.",
        ),
        Rule::SameSurname => (
            "这位工作人员与您同姓，可能是您的亲属。",
            "This member of staff has the same surname as you and may be a relative.",
        ),
        Rule::SameAddress => (
            "这位工作人员登记的住址与您相同。",
            "This member of staff has the same registered address as you.",
        ),
        Rule::OwnRecord => (
            "这位工作人员打开的是其本人的病历。",
            "The member of staff opened their own record.",
        ),
        Rule::ManyRecords => (
            "这位工作人员在短时间内打开了大量患者的病历。",
            "This member of staff opened an unusually large number of patients' records in a short time.",
        ),
        Rule::SensitiveCategory => (
            "涉及敏感信息（如基因、精神心理、性健康或照片）。",
            "It involved sensitive information (such as genetic, mental health, sexual health or photographs).",
        ),
        Rule::DeactivatedAccount => (
            "使用的是已停用的工作人员账号。",
            "It was made with a staff account that had been deactivated.",
        ),
        Rule::VipRecord => (
            "您的病历受到特别保护。",
            "Your record is under special protection.",
        ),
        Rule::WatchList => (
            "您要求对这位人员或这个科室的访问进行提醒。",
            "You asked to be alerted about this person or department.",
        ),
    };
    pick(locale, zh, en)
}

/// Label of a notification choice.
#[must_use]
pub fn notify_label(locale: Locale, choice: NotifyChoice) -> &'static str {
    let (zh, en) = match choice {
        NotifyChoice::Immediate => (
            "有异常访问时立即发邮件",
            "Email me at once about an unusual access",
        ),
        NotifyChoice::Weekly => ("每周发一封汇总邮件", "Send me a weekly summary"),
        NotifyChoice::None => ("不发邮件", "No emails"),
    };
    pick(locale, zh, en)
}

/// Label of a review state.
#[must_use]
pub fn review_state_label(locale: Locale, state: ReviewState) -> &'static str {
    let (zh, en) = match state {
        ReviewState::Open => ("待隐私保护专员处理", "Waiting for the privacy officer"),
        ReviewState::Explained => ("已核实并说明", "Checked and explained"),
        ReviewState::Escalated => ("已上报调查", "Passed on for investigation"),
    };
    pick(locale, zh, en)
}

/// What a source system's problem means: for the patient (their log may miss accesses)
/// or for the privacy officer.
#[must_use]
pub fn feed_notice(locale: Locale, notice: &FeedNoticeView, staff: bool) -> String {
    let (system, since) = (&notice.system, &notice.since_local);
    match (locale, notice.problem, staff) {
        (Locale::ZhHans, FeedProblem::Silent, false) => format!("系统 {system} 自 {since} 起未再报送访问记录：此后的访问可能暂未显示在这里，恢复报送后会补上。"),
        (Locale::ZhHans, FeedProblem::Silent, true) => format!("系统 {system} 自 {since} 起未再报送访问记录，间隔远长于平常。"),
        (Locale::ZhHans, FeedProblem::Late, false) => format!("系统 {system} 报送访问记录比平常慢：{since} 以来的访问可能稍后才显示在这里。"),
        (Locale::ZhHans, FeedProblem::Late, true) => format!("系统 {system} 报送访问记录比平常晚得多（自 {since} 起的访问）。"),
        (Locale::ZhHans, FeedProblem::Quiet, _) => format!("系统 {system} 在 {since} 开始的一小时内报送的访问记录远少于平常该时段。"),
        (Locale::En, FeedProblem::Silent, false) => format!("System {system} has not reported since {since}: accesses since then may be missing here until it does."),
        (Locale::En, FeedProblem::Silent, true) => format!("System {system} has sent no access events since {since}, far longer than its usual gap."),
        (Locale::En, FeedProblem::Late, false) => format!("System {system} is reporting late: accesses since {since} may appear here later."),
        (Locale::En, FeedProblem::Late, true) => format!("System {system} is sending access events much later than usual (accesses since {since})."),
        (Locale::En, FeedProblem::Quiet, _) => format!("System {system} sent far fewer access events than usual in the hour from {since}."),
    }
}

const fn pick(locale: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::ZhHans => zh,
        Locale::En => en,
    }
}

static EN: AccessTexts = AccessTexts {
    nav: "Who opened my record",
    title: "Who opened my record",
    lead: "Every access your hospital's systems reported, newest first. Unusual ones are marked and explained.",
    filter_heading: "Filter",
    filter_from: "From (date)",
    filter_to: "To (date)",
    filter_category: "Part of the record",
    filter_department: "Department",
    filter_any: "Any",
    filter_unusual_only: "Only unusual accesses",
    filter_apply: "Show",
    filter_bad_date: "Enter a date as YYYY-MM-DD, with the end not before the start.",
    empty: "No accesses match.",
    older: "Older accesses",
    pages: "Pages of your log",
    newest: "Back to the newest",
    unusual_badge: "Unusual",
    why_unusual: "Why this is marked unusual",
    why_normal: "Why this was normal",
    who: "Who",
    what: "What",
    action: "Action",
    purpose: "Purpose",
    when: "When",
    system: "System",
    workstation: "Workstation",
    outside_organisation: "Outside organisation",
    unknown_department: "Department not stated",
    question_button: "I don't recognise this",
    question_label: "What would you like the privacy officer to check?",
    question_hint: "For example: I was not at the hospital that day. Up to 2000 characters.",
    question_submit: "Send to the privacy officer",
    question_invalid: "Please write your question (up to 2000 characters).",
    question_sent: "Your question has been sent. The privacy officer will look into it.",
    question_yours: "Your question",
    question_complain: "Make this a complaint",
    chart_heading: "Accesses over time and by department",
    chart_by_month: "Accesses per month",
    chart_by_department: "Accesses per department",
    chart_total: "accesses in all, of which unusual:",
    download_heading: "Download your whole log",
    download_csv: "Spreadsheet (CSV)",
    download_fhir: "FHIR Bundle (JSON), with signatures",
    download_note: "The JSON download can be checked offline with the command portal verify --download FILE: it proves that none of your entries were changed or removed.",
    settings_title: "Alerts and watch list",
    settings_link: "Alerts and watch list",
    notify_heading: "Email alerts",
    notify_no_email: "The hospital has no email address for you, so no emails can be sent.",
    notify_save: "Save",
    notify_saved: "Saved.",
    watch_heading: "Watch list",
    watch_lead: "Name a person or a department: every access by them will be marked unusual, and you will be alerted.",
    watch_person: "Person's name",
    watch_department: "Department",
    watch_add: "Add to watch list",
    watch_no_department: "No department",
    watch_remove: "Remove",
    watch_empty: "Your watch list is empty.",
    watch_invalid: "Enter a name (up to 100 characters) or choose a department.",
    watch_full: "Your watch list holds 20 entries, the most it can. Remove one to add another.",
    reviews_title: "Access reviews",
    reviews_lead: "Accesses that need a look, one case per person, patient and day: flagged by a rule, or with nothing in the patient's care to explain them. Cases a patient asked about come first, then the highest priority. Your decision applies to every access of the case.",
    reviews_empty: "No case is waiting for review.",
    reviews_patient: "Patient",
    reviews_question: "Patient's question",
    reviews_note: "Your note",
    reviews_explain: "Mark explained",
    reviews_escalate: "Escalate",
    reviews_note_invalid: "Write a note (up to 2000 characters).",
    reviews_done: "Recorded.",
    reviews_paging: "Pages of the review queue",
    feeds_heading: "This log may be incomplete",
    feeds_staff_heading: "Hospital systems not reporting as usual",
    reviews_previous: "Previous page",
    reviews_next: "Next page",
    reviews_position: "Page {page} of {pages} ({open} open cases, {to_read} to read now)",
    reviews_opened_by: "Opened by",
    reviews_day: "Day",
    reviews_priority: "Priority {score}",
    reviews_to_read: "To read now",
    reviews_below_line: "Below the review line",
    reviews_unexplained: "Accesses nothing in the patient's care explains: {count}.",
    reviews_out_of_care: "The patient was in no department's care within a day of it.",
    reviews_follows_out_of_care: "In the week before, this person opened, with nothing to explain them, the records of two or more other patients in no department's care.",
    reviews_night_unnamed: "Accesses in the night by someone the department's roster for this patient did not name: {count}.",
    reviews_vip_by_department: "Accesses to this protected (VIP) record that only the department's care explains, not care naming this person: {count}.",
    csv_header: [
        "Time", "Who", "Role", "Department", "Part of the record", "Action", "Purpose", "System",
        "Workstation", "Unusual because", "Why this was normal", "Entry id",
    ],
};

static ZH_HANS: AccessTexts = AccessTexts {
    nav: "谁看了我的病历",
    title: "谁看了我的病历",
    lead: "医院系统报告的每一次访问，最新的在前。异常访问会被标出并说明原因。",
    filter_heading: "筛选",
    filter_from: "开始日期",
    filter_to: "结束日期",
    filter_category: "病历内容",
    filter_department: "科室",
    filter_any: "全部",
    filter_unusual_only: "只看异常访问",
    filter_apply: "显示",
    filter_bad_date: "请按 YYYY-MM-DD 填写日期，结束日期不能早于开始日期。",
    empty: "没有符合条件的访问。",
    older: "更早的访问",
    pages: "日志分页",
    newest: "回到最新",
    unusual_badge: "异常",
    why_unusual: "为什么标为异常",
    why_normal: "为什么这是正常的",
    who: "访问者",
    what: "内容",
    action: "操作",
    purpose: "目的",
    when: "时间",
    system: "系统",
    workstation: "终端",
    outside_organisation: "外部机构",
    unknown_department: "未注明科室",
    question_button: "我不认识这次访问",
    question_label: "您希望隐私保护专员核实什么？",
    question_hint: "例如：那天我没有去医院。最多 2000 字。",
    question_submit: "发送给隐私保护专员",
    question_invalid: "请填写您的问题（最多 2000 字）。",
    question_sent: "您的问题已发送，隐私保护专员会进行核实。",
    question_yours: "您的问题",
    question_complain: "把它变成投诉",
    chart_heading: "按时间和科室统计",
    chart_by_month: "每月访问次数",
    chart_by_department: "各科室访问次数",
    chart_total: "次访问，其中异常：",
    download_heading: "下载完整记录",
    download_csv: "表格（CSV）",
    download_fhir: "FHIR Bundle（JSON，含签名）",
    download_note:
        "JSON 文件可以用命令 portal verify --download 文件 离线核验，证明您的记录没有被改动或删除。",
    settings_title: "提醒与关注名单",
    settings_link: "提醒与关注名单",
    notify_heading: "邮件提醒",
    notify_no_email: "医院没有登记您的电子邮箱，因此无法发送邮件。",
    notify_save: "保存",
    notify_saved: "已保存。",
    watch_heading: "关注名单",
    watch_lead: "填写一个人或选择一个科室：他们的每次访问都会标为异常并提醒您。",
    watch_person: "姓名",
    watch_department: "科室",
    watch_add: "加入关注名单",
    watch_no_department: "不指定科室",
    watch_remove: "移除",
    watch_empty: "您的关注名单是空的。",
    watch_invalid: "请填写姓名（最多 100 字）或选择科室。",
    watch_full: "您的关注名单已有 20 项，已达上限。请先删除一项再添加。",
    reviews_title: "访问审核",
    reviews_lead: "需要审核的访问，按访问者、患者和日期归为一个案例：被规则标记的，或在患者的诊疗记录中找不到原因的。患者提出疑问的案例排在最前，其余按优先级排列。您的处理适用于案例中的每一次访问。",
    reviews_empty: "目前没有待审核的案例。",
    reviews_patient: "患者",
    reviews_question: "患者的疑问",
    reviews_note: "处理说明",
    reviews_explain: "标为已说明",
    reviews_escalate: "上报调查",
    reviews_note_invalid: "请填写处理说明（最多 2000 字）。",
    reviews_done: "已记录。",
    reviews_paging: "审核队列分页",
    feeds_heading: "此记录可能不完整",
    feeds_staff_heading: "报送异常的医院系统",
    reviews_previous: "上一页",
    reviews_next: "下一页",
    reviews_position: "第 {page} 页，共 {pages} 页（{open} 个待处理案例，其中 {to_read} 个需要现在审阅）",
    reviews_opened_by: "访问者",
    reviews_day: "日期",
    reviews_priority: "优先级 {score}",
    reviews_to_read: "需要现在审阅",
    reviews_below_line: "低于审阅线",
    reviews_unexplained: "在患者的诊疗记录中找不到原因的访问：{count} 次。",
    reviews_out_of_care: "访问前后一天内，患者不在任何科室的诊疗中。",
    reviews_follows_out_of_care: "此前一周内，此人曾在无任何理由的情况下查看两位或更多不在任何科室诊疗中的其他患者的病历。",
    reviews_night_unnamed: "夜间由该科室为这位患者排班名单以外的人员访问：{count} 次。",
    reviews_vip_by_department: "对这份受保护（VIP）病历的访问，仅能由科室的诊疗关系解释、没有指明此人的诊疗记录：{count} 次。",
    csv_header: [
        "时间",
        "访问者",
        "职务",
        "科室",
        "病历内容",
        "操作",
        "目的",
        "系统",
        "终端",
        "异常原因",
        "为什么这是正常的",
        "记录编号",
    ],
};

/// What a hospital system did with the patient's consent and was told (their access log).
#[must_use]
pub fn check_outcome_label(locale: Locale, outcome: ConsentCheckOutcome) -> String {
    let (zh, en) = match outcome {
        ConsentCheckOutcome::Permitted => ("答复：允许使用", "Answer: permitted"),
        ConsentCheckOutcome::Denied(reason) => match reason {
            DecisionReason::NotGranted => (
                "答复：不允许（您没有同意）",
                "Answer: not permitted (you have not consented)",
            ),
            DecisionReason::Revoked => (
                "答复：不允许（您已撤回同意）",
                "Answer: not permitted (you withdrew consent)",
            ),
            DecisionReason::Expired => (
                "答复：不允许（您的同意已到期）",
                "Answer: not permitted (your consent has ended)",
            ),
            DecisionReason::AwaitingConfirmation => (
                "答复：不允许（等待您确认新版本说明）",
                "Answer: not permitted (waiting for you to confirm the new version)",
            ),
            DecisionReason::CategoryExcluded => (
                "答复：不允许（涉及您排除的信息类别）",
                "Answer: not permitted (it includes information you left out)",
            ),
            // A "deny" never carries this reason; shown plainly if it ever does.
            DecisionReason::Granted => ("答复：不允许", "Answer: not permitted"),
        },
        ConsentCheckOutcome::Searched(found) => {
            return match locale {
                Locale::ZhHans => format!("查阅了您的同意记录（{found} 条）"),
                Locale::En => format!("Looked up your consent records ({found} found)"),
            };
        }
        ConsentCheckOutcome::Read => ("查阅了您的一条同意记录", "Read one of your consent records"),
    };
    pick(locale, zh, en).to_owned()
}
