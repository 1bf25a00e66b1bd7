//! Words of complaints, in both languages side by side: a missing translation is a
//! compile error.

use super::types::{
    ChainLink, ComplaintKind, ComplaintState, EvidenceKind, RootCause, Step, Visibility,
};
use crate::i18n::Locale;

crate::i18n::words! {
    ComplaintTexts;
    nav: ("隐私投诉", "Privacy complaints"),
    list_title: ("我的隐私投诉", "Your privacy complaints"),
    list_lead: ("如果您的个人信息或病历被泄露、被无关人员查看、被分享，或有人拍摄了您的照片，可以在这里投诉。提交后立即得到投诉编号，并可在这里跟踪每一步进展。", "Tell the hospital about a privacy problem: your data leaked, someone looked at your record without reason, your data was shared, photographs were taken, or a staff member behaved wrongly. You get a reference number at once and can follow every step here."),
    list_empty: ("您还没有提交过投诉。", "You have not filed a complaint."),
    new_link: ("提交新的投诉", "File a complaint"),
    new_title: ("提交隐私投诉", "File a privacy complaint"),
    new_lead: ("请用自己的话说明发生了什么。只有“发生了什么”是必填的，其他信息知道多少填多少。", "Tell us in your own words what happened. Only “what happened” is required; give the rest as far as you know it."),
    kind_legend: ("投诉的是什么？", "What is it about?"),
    account_label: ("发生了什么", "What happened"),
    account_hint: ("写下您知道的经过：谁、什么信息、如何发现的。不必使用专业用语。", "Write what you know: who, what information, how you found out. You need no special terms."),
    happened_on_label: ("发生日期（如果知道）", "When it happened (if you know)"),
    department_label: ("涉及的科室（如果知道）", "Which department (if you know)"),
    department_unknown: ("不清楚 / 不是某个科室", "I don't know / not a department"),
    place_label: ("地点或途径（如病房、窗口、网站、聊天群）", "Where or how (a ward, a desk, a website, a chat group…)"),
    entries_legend: ("与投诉有关的访问记录（可选）", "Accesses in your log it is about (optional)"),
    entries_hint: ("下面列出您的异常访问和最近的访问。勾选与这次投诉有关的记录。", "Your unusual and most recent accesses are listed. Tick the ones this complaint is about."),
    entries_none: ("您的访问记录中还没有条目。", "Your access log has no entries yet."),
    from_question: ("您是从一条“我不认识这次访问”的记录开始的：这条记录已勾选，您的问题已填入下方。", "You started from an access you asked about: it is ticked, and your question is filled in below."),
    files_after: ("提交后，您可以在投诉页面添加照片或文件（PDF、JPEG、PNG）。", "After filing, you can add photographs or documents (PDF, JPEG, PNG) on the complaint's page."),
    submit: ("提交投诉", "File the complaint"),
    reference: ("投诉编号", "Complaint"),
    kind: ("类型", "Kind"),
    filed: ("提交时间", "Filed"),
    state: ("进展", "Stage"),
    next_due: ("下一步的期限", "Next step due by"),
    next_due_none: ("目前没有等待医院完成的步骤", "No step is waiting on the hospital"),
    when: ("发生日期", "When"),
    department: ("科室", "Department"),
    place: ("地点或途径", "Where or how"),
    unknown: ("未说明", "Not given"),
    filed_notice: ("您的投诉已收到。投诉编号见本页标题，我们也已通过电子邮件发送给您。", "Your complaint was received. Its reference is the page's title; we also sent it to you by email."),
    timeline_heading: ("处理经过", "What has happened"),
    entries_heading: ("投诉涉及的访问记录", "Accesses it is about"),
    plan_patient_heading: ("医院将为您采取的措施", "What the hospital will do for you"),
    measures_heading: ("已采取的措施", "What was done"),
    outcome_heading: ("处理结果", "Outcome"),
    rejected_heading: ("投诉未被受理的理由", "Why the complaint was rejected"),
    rejected_next: ("如果您不同意，可以向卫生健康主管部门反映。", "If you disagree, you can take it to the health authority."),
    resolved_on_spot: ("事实清楚，已在初步核实时当场处理。", "The facts were clear: it was resolved at the preliminary check."),
    feedback_heading: ("您对投诉的处理满意吗？", "Are you satisfied with how your complaint was handled?"),
    feedback_yes: ("满意", "Yes, satisfied"),
    feedback_no: ("不满意", "No, not satisfied"),
    feedback_comment: ("想补充的话（可选）", "Anything to add (optional)"),
    feedback_submit: ("提交我的回答", "Send my answer"),
    feedback_yours: ("您的回答", "Your answer"),
    feedback_thanks: ("谢谢，您的回答已记录。", "Thank you: your answer was recorded."),
    withdraw_heading: ("撤回投诉", "Withdraw the complaint"),
    withdraw_lead: ("如果您不再希望医院处理这个投诉，可以撤回。撤回后不能恢复。", "If you no longer want the hospital to handle this complaint, you can withdraw it. This cannot be undone."),
    withdraw_reason: ("撤回原因（可选）", "Why (optional)"),
    withdraw_submit: ("撤回我的投诉", "Withdraw my complaint"),
    withdrawn_notice: ("您的投诉已撤回。", "Your complaint was withdrawn."),
    messages_heading: ("留言", "Messages"),
    messages_empty: ("还没有留言。", "No messages yet."),
    from_you: ("您", "You"),
    message_label: ("给处理投诉的工作人员留言", "Write to the staff handling your complaint"),
    message_send: ("发送", "Send"),
    message_sent: ("留言已发送。", "Message sent."),
    files_heading: ("文件", "Files"),
    files_empty: ("还没有文件。", "No files yet."),
    files_rules: ("PDF、JPEG 或 PNG，每个不超过 10 MB，最多 5 个。照片中的位置等元数据会在保存前删除。", "PDF, JPEG or PNG, up to 10 MB each, at most 5. Location and other metadata are removed from photographs before they are kept."),
    files_label: ("选择文件", "Choose files"),
    files_add: ("添加文件", "Add the files"),
    files_added: ("文件已添加。", "The files were added."),
    files_full: ("已达到文件数量上限。", "The complaint has as many files as it can hold."),
    file_empty: ("没有收到文件，请选择一个文件。", "No file arrived: choose a file."),
    file_too_large: ("文件太大：每个文件不超过 10 MB。", "The file is too large: at most 10 MB each."),
    file_not_allowed: ("只接受 PDF、JPEG 和 PNG 文件。", "Only PDF, JPEG and PNG files are taken."),
    file_damaged: ("文件无法读取，可能已损坏。", "The file could not be read; it may be damaged."),
    file_too_many: ("最多 5 个文件。", "At most 5 files."),
    back_to_list: ("我的全部投诉", "All your complaints"),
    bad_kind: ("请选择投诉类型。", "Choose what the complaint is about."),
    bad_account: ("请说明发生了什么（不超过 4000 字）。", "Say what happened (at most 4,000 characters)."),
    bad_happened_on: ("日期无效，或是将来的日期。", "The date is not a valid day, or it is still to come."),
    bad_department: ("请从列表中选择科室。", "Choose a department from the list."),
    bad_place: ("地点不超过 200 字。", "Where: at most 200 characters."),
    bad_entries: ("所选访问记录不在您的记录中。", "A chosen access is not in your log."),
    bad_body: ("请写下内容（不超过 4000 字）。", "Write something (at most 4,000 characters)."),
    bad_reason: ("请写明理由（不超过 4000 字）。", "Give a reason (at most 4,000 characters)."),
    bad_satisfied: ("请选择满意或不满意。", "Choose satisfied or not satisfied."),
    bad_comment: ("补充的话不超过 4000 字。", "At most 4,000 characters."),
    bad_stage: ("投诉已进入其他环节，此操作不再适用。请刷新页面查看。", "The complaint has moved on and this step no longer applies. Reload the page to see where it stands."),
    bad_file: ("文件未被接受。", "The file was not accepted."),
    bad_scope: ("请写明涉及病历的哪些部分。", "Say which part of the record is concerned."),
    bad_spread: ("请写明可能扩散的范围。", "Say how far it may have spread."),
    bad_outcome: ("请选择核实结果，并写明处理结果。", "Choose the outcome and write it."),
    bad_lead: ("请选择一名调查负责人。", "Choose a lead investigator."),
    bad_team: ("请至少选择一个涉及的科室。", "Choose at least one department concerned."),
    bad_resolution: ("请写明当场处理的理由和做法。", "Say why it can be resolved on the spot and what was done."),
    bad_title: ("请写一个标题（不超过 200 字）。", "Give a title (at most 200 characters)."),
    bad_from: ("请填写访问记录的开始日期。", "Give the first day of the log extract."),
    bad_to: ("请填写访问记录的结束日期（不早于开始日期）。", "Give the last day of the log extract (not before the first)."),
    bad_findings: ("请写明调查结论。", "Write the findings."),
    bad_patient: ("请写明为患者采取的措施。", "Write the measures for the patient."),
    bad_accountability: ("请写明责任追究。", "Write the accountability."),
    bad_improvement: ("请写明改进措施。", "Write the improvements."),
    bad_decision: ("请批准或退回。", "Approve or send back."),
    bad_measures: ("请写明已采取的措施。", "Write what was done."),
    bad_root_cause: ("请选择根本原因。", "Choose the root cause."),
    bad_chain_link: ("请选择泄露发生的环节。", "Choose the link in the chain."),
    bad_visibility: ("请选择谁可以阅读这条记录。", "Choose who may read the note."),
    bad_description: ("请写明整改措施。", "Describe the action."),
    bad_owner: ("请选择负责人。", "Choose an owner."),
    bad_due_on: ("请填写有效的期限日期。", "Give a valid due date."),
    bad_effect: ("请写明如何检查了效果。", "Say how the effect was checked."),
    queue_title: ("隐私投诉处理", "Privacy complaints"),
    queue_lead: ("逾期的环节在前，其余按期限排列。", "Overdue steps first, then by due date."),
    queue_empty: ("没有符合条件的投诉。", "No complaint matches."),
    filter_open: ("处理中", "Open"),
    filter_all: ("全部", "All"),
    filter_any: ("不限", "Any"),
    filter_me: ("由我处理", "Mine"),
    filter_unassigned: ("尚无人处理", "Nobody yet"),
    filter_apply: ("筛选", "Show"),
    assignee: ("处理人", "Handled by"),
    overdue: ("已逾期", "Overdue"),
    handler: ("隐私专员", "Privacy officer"),
    lead: ("调查负责人", "Lead investigator"),
    insights_link: ("经验教训与统计", "Lessons and figures"),
    patient: ("患者", "Patient"),
    team: ("调查小组（涉及科室）", "Investigation team (departments)"),
    scope_label: ("涉及病历的哪些部分", "Which part of the record"),
    spread_label: ("可能扩散的范围", "How far it may have spread"),
    findings_label: ("调查结论", "Findings"),
    plan_heading: ("处理方案", "Handling plan"),
    plan_patient_label: ("为患者采取的措施（患者可见）", "Measures for the patient (the patient reads them)"),
    plan_accountability_label: ("责任追究", "Accountability"),
    plan_improvement_label: ("改进措施", "Improvements"),
    history_heading: ("全部步骤", "Every step"),
    evidence_heading: ("证据", "Evidence"),
    evidence_empty: ("还没有记录证据。", "No evidence recorded yet."),
    evidence_add: ("记录证据", "Record evidence"),
    evidence_kind: ("证据类型", "Kind of evidence"),
    evidence_title: ("标题", "Title"),
    evidence_body: ("内容（访问记录摘录：可选的说明）", "Content (for a log extract: an optional note)"),
    evidence_from: ("访问记录开始日期", "Log extract from (day)"),
    evidence_to: ("访问记录结束日期", "Log extract to (day)"),
    evidence_hint: ("访问记录摘录直接从门户的访问日志中提取该患者在这些日期内的访问。", "A log extract pulls the patient's accesses of those days from the portal's own log."),
    evidence_submit: ("记录", "Record it"),
    begin_heading: ("初步核实", "Preliminary verification"),
    begin_lead: ("接手此投诉并开始初步核实：核实涉及病历的哪些部分、可能扩散的范围。", "Take the case and start the preliminary verification: which part of the record, how far it may have spread."),
    begin_submit: ("接手并开始核实", "Take it and start verifying"),
    verify_heading: ("记录初步核实结果", "Record the preliminary verification"),
    outcome_legend: ("核实结果", "Outcome"),
    outcome_investigate: ("成立调查小组深入调查", "Open an investigation"),
    outcome_resolve: ("事实清楚，当场处理", "Resolve on the spot (the facts are clear)"),
    choose: ("请选择…", "Choose…"),
    resolution_label: ("当场处理的理由和做法（患者可见）", "Why it is resolved on the spot and what was done (the patient reads it)"),
    verify_submit: ("记录核实结果", "Record the verification"),
    reject_heading: ("不予受理", "Reject the complaint"),
    reject_reason: ("理由（患者可见）", "Reason (the patient reads it)"),
    reject_submit: ("不予受理", "Reject"),
    conclude_heading: ("结束调查", "Conclude the investigation"),
    conclude_submit: ("记录结论，进入处理方案", "Record the findings"),
    plan_submit: ("提交审批", "Send the plan for approval"),
    sent_back_label: ("方案被退回的理由", "Sent back because"),
    approve_heading: ("审批处理方案", "Decide on the plan"),
    approve_submit: ("批准方案", "Approve the plan"),
    send_back_reason: ("退回理由", "Reason for sending it back"),
    send_back_submit: ("退回方案", "Send the plan back"),
    measures_label: ("已采取的措施（患者可见）", "What was done (the patient reads it)"),
    measures_submit: ("记录措施已落实", "Record the measures"),
    close_heading: ("结案", "Close the case"),
    outcome_label: ("处理结果（患者可见）", "Outcome (the patient reads it)"),
    root_cause_label: ("根本原因", "Root cause"),
    chain_link_label: ("泄露发生的环节", "Link in the chain where it happened"),
    close_submit: ("结案", "Close the case"),
    no_feedback: ("患者尚未回答是否满意。", "The patient has not said whether they are satisfied."),
    notes_heading: ("记录与留言", "Notes and messages"),
    notes_empty: ("还没有记录或留言。", "No notes or messages yet."),
    note_label: ("记录", "Note"),
    visibility_legend: ("谁可以阅读", "Who may read it"),
    note_submit: ("添加记录", "Add the note"),
    actions_heading: ("整改措施", "Improvement actions"),
    actions_empty: ("还没有整改措施。", "No improvement actions yet."),
    action_description: ("措施", "Action"),
    action_owner: ("负责人", "Owner"),
    action_due: ("期限", "Due by"),
    action_add: ("添加整改措施", "Add the action"),
    action_done: ("完成时间", "Done"),
    action_effect: ("如何检查了效果", "How its effect was checked"),
    action_complete: ("标记为完成", "Mark it done"),
    done_verifying: ("已接手，开始初步核实。", "You took the case; the preliminary verification has started."),
    done_verified: ("核实结果已记录。", "The verification was recorded."),
    done_rejected: ("投诉已不予受理，患者已收到通知。", "The complaint was rejected; the patient was told."),
    done_evidence: ("证据已记录。", "The evidence was recorded."),
    done_concluded: ("调查结论已记录。", "The findings were recorded."),
    done_planned: ("方案已提交审批。", "The plan was sent for approval."),
    done_decided: ("决定已记录。", "The decision was recorded."),
    done_measured: ("措施已记录，已请患者反馈。", "The measures were recorded; the patient was asked for feedback."),
    done_closed: ("已结案。", "The case was closed."),
    done_action_added: ("整改措施已添加，负责人已收到通知。", "The action was added; its owner was told."),
    done_action_done: ("整改措施已完成。", "The action was marked done."),
    done_noted: ("记录已添加。", "The note was added."),
    insights_title: ("投诉的经验教训与统计", "What complaints teach: lessons and figures"),
    insights_lead: ("最近十二个月的投诉：按月统计的类型、科室、根本原因和泄露环节，结案用时、逾期环节和尚未完成的整改措施。本页只有数字，不显示任何患者的姓名。", "The last twelve months of complaints: counts per month by kind, department, root cause and link in the chain; time to close; deadlines missed; improvement actions still open. Counts only: no patient is named on this page."),
    csv_link: ("下载 CSV", "Download as CSV"),
    days: ("天", "days"),
    filed_series: ("收到", "Filed"),
    closed_series: ("结案", "Closed"),
    closed_count: ("十二个月内结案", "Closed in twelve months"),
    median_close: ("结案用时（中位数）", "Time to close (median)"),
    p90_close: ("结案用时（第 90 百分位）", "Time to close (90th percentile)"),
    overview_heading: ("每月收到与结案", "Filed and closed per month"),
    by_kind_heading: ("每月收到的投诉：按类型", "Filed per month, by kind"),
    by_department_heading: ("每月收到的投诉：按科室", "Filed per month, by department"),
    by_cause_heading: ("每月结案：按根本原因", "Closed per month, by root cause"),
    by_link_heading: ("每月结案：按泄露环节", "Closed per month, by link in the chain"),
    missed_heading: ("逾期的环节", "Deadlines missed"),
    stage_column: ("环节", "Stage"),
    missed_column: ("逾期", "Missed"),
    of_column: ("总数", "Of"),
    month_column: ("月份", "Month"),
    open_actions_heading: ("尚未完成的整改措施", "Improvement actions still open"),
    no_cases: ("这段时间没有相关投诉。", "No cases in these months."),
    stage_verification: ("初步核实", "Preliminary verification"),
    stage_decision: ("作出决定", "Decision"),
    stage_measures: ("落实措施", "Measures"),
    change_lead_heading: ("更换调查负责人", "Change the lead investigator"),
    change_lead_submit: ("更换", "Change the lead"),
    done_lead_changed: ("调查负责人已更换，新的负责人已收到通知。", "The lead investigator was changed; the new lead was told."),
}

impl ComplaintTexts {
    #[must_use]
    pub fn of(locale: Locale) -> &'static ComplaintTexts {
        match locale {
            Locale::ZhHans => &ZH_HANS,
            Locale::En => &EN,
        }
    }

    /// The explanation of a refused file (`?file_error=…`), if the code is one.
    #[must_use]
    pub fn file_refusal(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "empty" => self.file_empty,
            "too_large" => self.file_too_large,
            "not_allowed" => self.file_not_allowed,
            "damaged" => self.file_damaged,
            "too_many" => self.file_too_many,
            "closed" => self.bad_stage,
            _ => return None,
        })
    }

    /// What a refused field of a complaint form means.
    #[must_use]
    pub fn refusal(&self, field: &str) -> Option<&'static str> {
        Some(match field {
            "kind" => self.bad_kind,
            "account" => self.bad_account,
            "happened_on" => self.bad_happened_on,
            "department" => self.bad_department,
            "place" => self.bad_place,
            "entries" => self.bad_entries,
            "body" => self.bad_body,
            "reason" => self.bad_reason,
            "satisfied" => self.bad_satisfied,
            "comment" => self.bad_comment,
            "stage" => self.bad_stage,
            "file" => self.bad_file,
            "scope" => self.bad_scope,
            "spread" => self.bad_spread,
            "outcome" => self.bad_outcome,
            "lead" => self.bad_lead,
            "team" => self.bad_team,
            "resolution" => self.bad_resolution,
            "title" => self.bad_title,
            "from" => self.bad_from,
            "to" => self.bad_to,
            "findings" => self.bad_findings,
            "patient" => self.bad_patient,
            "accountability" => self.bad_accountability,
            "improvement" => self.bad_improvement,
            "decision" => self.bad_decision,
            "measures" => self.bad_measures,
            "root_cause" => self.bad_root_cause,
            "chain_link" => self.bad_chain_link,
            "visibility" => self.bad_visibility,
            "description" => self.bad_description,
            "owner" => self.bad_owner,
            "due_on" => self.bad_due_on,
            "effect" => self.bad_effect,
            _ => return None,
        })
    }

    /// The name of a clock's stage (`verification`, `decision`, `measures`).
    #[must_use]
    pub fn stage_name(&self, stage: &str) -> &'static str {
        match stage {
            "verification" => self.stage_verification,
            "decision" => self.stage_decision,
            _ => self.stage_measures,
        }
    }

    /// What a staff step that just succeeded did (`?done=…`).
    #[must_use]
    pub fn staff_done(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "verifying" => self.done_verifying,
            "verified" => self.done_verified,
            "rejected" => self.done_rejected,
            "evidence" => self.done_evidence,
            "concluded" => self.done_concluded,
            "planned" => self.done_planned,
            "decided" => self.done_decided,
            "measured" => self.done_measured,
            "closed" => self.done_closed,
            "action_added" => self.done_action_added,
            "action_done" => self.done_action_done,
            "noted" => self.done_noted,
            "lead_changed" => self.done_lead_changed,
            _ => return None,
        })
    }
}

fn pick(locale: Locale, (zh, en): (&'static str, &'static str)) -> &'static str {
    match locale {
        Locale::ZhHans => zh,
        Locale::En => en,
    }
}

#[must_use]
pub fn kind_label(locale: Locale, kind: ComplaintKind) -> &'static str {
    pick(
        locale,
        match kind {
            ComplaintKind::Leak => ("我的信息被泄露", "My data leaked"),
            ComplaintKind::Looked => ("有人查看了我的病历", "Someone looked at my record"),
            ComplaintKind::Shared => ("我的信息被分享给他人", "My data was shared"),
            ComplaintKind::Images => ("照片或影像", "Photographs or images"),
            ComplaintKind::Conduct => ("工作人员的行为", "A staff member's conduct"),
            ComplaintKind::Other => ("其他", "Other"),
        },
    )
}

#[must_use]
pub fn state_label(locale: Locale, state: ComplaintState) -> &'static str {
    pick(
        locale,
        match state {
            ComplaintState::Received => ("已收到", "Received"),
            ComplaintState::Acknowledged => (
                "已受理，等待初步核实",
                "Acknowledged, waiting for a preliminary check",
            ),
            ComplaintState::Verification => ("初步核实中", "Preliminary check under way"),
            ComplaintState::Investigation => ("调查中", "Under investigation"),
            ComplaintState::Plan => ("制定处理方案", "Handling plan being drafted"),
            ComplaintState::Approval => ("处理方案审批中", "Handling plan waiting for approval"),
            ComplaintState::Measures => ("落实处理措施", "Measures being carried out"),
            ComplaintState::FollowUp => (
                "回访：请告诉我们您是否满意",
                "Follow-up: are you satisfied?",
            ),
            ComplaintState::Closed => ("已结案", "Closed"),
            ComplaintState::Rejected => ("不予受理", "Rejected"),
            ComplaintState::Withdrawn => ("已撤回", "Withdrawn"),
        },
    )
}

#[must_use]
pub fn step_label(locale: Locale, step: Step) -> &'static str {
    pick(
        locale,
        match step {
            Step::Received => ("投诉已提交", "Complaint filed"),
            Step::Acknowledged => ("已受理，投诉编号已发出", "Acknowledged, reference given"),
            Step::VerificationStarted => ("开始初步核实", "Preliminary check started"),
            Step::InvestigationOpened => {
                ("成立调查小组，开始调查", "Investigation opened with a team")
            }
            Step::ResolvedOnSpot => ("初步核实时当场处理", "Resolved at the preliminary check"),
            Step::Rejected => ("不予受理", "Rejected"),
            Step::Withdrawn => ("患者撤回投诉", "Withdrawn by the patient"),
            Step::EvidenceAdded => ("记录证据", "Evidence recorded"),
            Step::Concluded => ("调查结束", "Investigation concluded"),
            Step::PlanSubmitted => ("处理方案提交审批", "Handling plan sent for approval"),
            Step::SentBack => ("处理方案被退回", "Handling plan sent back"),
            Step::Approved => ("处理方案已批准", "Handling plan approved"),
            Step::MeasuresDone => ("处理措施已落实", "Measures carried out"),
            Step::Feedback => ("患者反馈", "Patient's feedback"),
            Step::Closed => ("结案", "Closed"),
            Step::ActionAdded => ("添加整改措施", "Improvement action added"),
            Step::ActionDone => ("整改措施完成", "Improvement action done"),
            Step::LeadChanged => ("更换调查负责人", "Lead investigator changed"),
        },
    )
}

#[must_use]
pub fn cause_label(locale: Locale, cause: RootCause) -> &'static str {
    pick(
        locale,
        match cause {
            RootCause::CyberAttack => ("网络攻击", "Cyber attack"),
            RootCause::Insider => ("内部人员", "Insider"),
            RootCause::ThirdParty => ("第三方合作机构", "Third party"),
            RootCause::ProcessGap => ("管理制度缺陷", "Process gap"),
            RootCause::TechnicalWeakness => ("技术防护不到位", "Technical weakness"),
            RootCause::StaffAwareness => ("安全意识薄弱", "Staff awareness"),
            RootCause::Other => ("其他", "Other"),
        },
    )
}

#[must_use]
pub fn link_label(locale: Locale, link: ChainLink) -> &'static str {
    pick(
        locale,
        match link {
            ChainLink::Collection => ("收集", "Collection"),
            ChainLink::Storage => ("存储", "Storage"),
            ChainLink::Use => ("使用", "Use"),
            ChainLink::Transmission => ("传输", "Transmission"),
            ChainLink::Sharing => ("提供给他人", "Sharing"),
            ChainLink::Disclosure => ("公开", "Disclosure"),
            ChainLink::Disposal => ("删除或销毁", "Disposal"),
            ChainLink::None => ("未发现泄露", "No leak found"),
        },
    )
}

#[must_use]
pub fn evidence_label(locale: Locale, kind: EvidenceKind) -> &'static str {
    pick(
        locale,
        match kind {
            EvidenceKind::Document => ("文件或记录", "Document"),
            EvidenceKind::LogExtract => ("访问记录摘录", "Access-log extract"),
            EvidenceKind::Interview => ("谈话记录", "Interview notes"),
        },
    )
}

#[must_use]
pub fn visibility_label(locale: Locale, visibility: Visibility) -> &'static str {
    pick(
        locale,
        match visibility {
            Visibility::Internal => ("仅工作人员（内部）", "Staff only (internal)"),
            Visibility::Patient => ("患者也可阅读", "The patient too"),
        },
    )
}
