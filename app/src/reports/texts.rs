//! Words of anonymous reports, in both languages side by side.

use super::types::{MessageKind, ReportKind, ReportState, ReportStep};
use crate::i18n::Locale;

crate::i18n::words! {
    ReportTexts;
    nav: ("匿名举报", "Report anonymously"),
    title: ("匿名举报隐私违规", "Report a privacy violation anonymously"),
    lead: ("任何人都可以在这里举报：医院员工、访客、患者。您不需要账户，也不需要留下姓名。", "Anyone can report here: hospital staff, visitors, patients. You need no account and give no name."),
    promise_heading: ("本门户保存什么、不保存什么", "What this portal keeps and what it does not"),
    promise_not_kept: ("不保存：您的 IP 地址、浏览器信息、提交的具体时间（只保存日期），也不在提交前设置任何 Cookie。附件中的照片位置、作者等元数据在保存前删除。", "Not kept: your IP address, your browser, the time you send (only the day), and no cookie is set before you have your receipt. Locations, authors and other metadata are removed from files before they are stored."),
    promise_kept: ("保存：您写的内容和附件，加密保存；只有医院隐私办公室能阅读。举报结案 {days} 天后连同附件一起销毁。", "Kept: what you write and your files, encrypted; only the hospital's privacy office can read them. Closed reports and their files are destroyed {days} days after closing."),
    promise_careful: ("为了保护自己：不要写下能认出您的细节，除非您愿意；如担心被追踪，请使用不属于医院的设备和网络。", "To protect yourself: leave out details that identify you unless you want to give them; if you worry about being traced, use a device and network that are not the hospital's."),
    kind_legend: ("发生了什么类型的问题？", "What kind of problem was it?"),
    what_label: ("发生了什么", "What happened"),
    what_hint: ("用自己的话写下您看到或知道的情况。", "Describe in your own words what you saw or know."),
    place_label: ("地点（可选）", "Where (optional)"),
    when_label: ("时间（可选）", "When (optional)"),
    when_hint: ("例如：11 月 20 日下午、上周。", "For example: 20 November in the afternoon, last week."),
    who_label: ("涉及的人（可选）", "Who was involved (optional)"),
    files_label: ("附件（可选）：照片、PDF 或文本文件", "Files (optional): photographs, PDF or text files"),
    files_hint: ("最多 5 个，每个不超过 10 MB。照片的位置和拍摄设备、PDF 的作者等信息会在保存前删除。", "Up to 5, at most 10 MB each. Photo locations and camera details, PDF authors and similar information are removed before anything is stored."),
    files_again: ("出于安全原因，浏览器不会保留已选的文件：如需附件，请重新选择。", "For safety, browsers do not keep chosen files: choose your files again if you want to send them."),
    submit: ("提交举报", "Send the report"),
    working: ("正在准备提交（防止滥用的计算，通常不到 2 秒）……", "Preparing to send (a small computation against abuse, usually under 2 seconds)…"),
    receipt_title: ("举报已提交：请记下您的凭证码", "Your report was sent: write down your receipt code"),
    receipt_lead: ("这是查看医院回复、回答问题和补充材料的唯一方式。凭证码只显示这一次，本门户不保存它，丢失后无法找回。", "It is the only way to read the hospital's replies, answer questions and add information. It is shown only this once; the portal does not keep it and cannot recover it."),
    receipt_code: ("凭证码", "Receipt code"),
    receipt_files: ("已保存的附件数", "Files kept"),
    receipt_next: ("医院会在 7 天内确认收到，并在 3 个月内告诉您处理情况。请过几天用凭证码回来查看。", "The hospital will acknowledge receipt within 7 days and tell you what was done within 3 months. Come back with your code in a few days."),
    receipt_follow: ("用凭证码查看举报", "Follow up with your code"),
    follow_title: ("查看我的匿名举报", "Follow up on your anonymous report"),
    code_label: ("凭证码（16 位数字）", "Receipt code (16 digits)"),
    code_hint: ("空格可有可无。", "Spaces are optional."),
    open: ("查看", "Open"),
    left: ("您已退出。再次查看需要凭证码。", "You have left. You need your code to come back."),
    leave: ("退出", "Leave"),
    idle_note: ("15 分钟没有操作会自动退出。", "You are signed out after 15 minutes without activity."),
    sent: ("已发送给医院隐私办公室。", "Sent to the hospital's privacy office."),
    stage: ("进展", "Stage"),
    received_on: ("提交日期", "Received on"),
    kind: ("类型", "Kind"),
    acknowledge_by: ("医院确认收到的期限", "Acknowledgement due by"),
    feedback_by: ("医院反馈处理情况的期限", "Feedback due by"),
    your_report: ("您的举报", "Your report"),
    report_heading: ("举报内容", "The report"),
    place: ("地点", "Where"),
    when: ("时间", "When"),
    who: ("涉及的人", "Who"),
    conversation: ("与医院的往来", "Messages"),
    no_messages: ("还没有消息。", "No messages yet."),
    you: ("您", "You"),
    reporter: ("举报人", "Reporter"),
    office: ("医院隐私办公室", "Privacy office"),
    write_label: ("回答问题或补充信息", "Answer a question or add information"),
    write_hint: ("医院只能看到您写的内容，看不到您是谁。", "The hospital sees only what you write, never who you are."),
    send: ("发送", "Send"),
    files_heading: ("附件", "Files"),
    no_files: ("没有附件。", "No files."),
    add_files: ("添加附件", "Add files"),
    files_added: ("附件已添加。", "Files added."),
    closed_note: ("此举报已结案，不能再添加内容。", "This report is closed; nothing more can be added."),
    passkey_heading: ("用通行密钥代替凭证码（可选）", "Use a passkey instead of the code (optional)"),
    passkey_lead: ("如果您的设备支持，可以创建一个不属于任何账户的通行密钥：下次用指纹、面容或屏幕锁即可打开此举报。凭证码仍然有效。", "If your device supports it, create a passkey that belongs to no account: next time, your fingerprint, face or screen lock opens this report. Your code keeps working."),
    passkey_create: ("创建通行密钥", "Create a passkey"),
    passkey_open: ("用通行密钥打开", "Open with a passkey"),
    passkey_done: ("已创建：此举报也可用您的通行密钥打开。", "Done: your passkey opens this report too."),
    passkey_exists: ("此举报已有通行密钥。", "A passkey already opens this report."),
    passkey_unsupported: ("此设备或浏览器不支持这种通行密钥，请继续使用凭证码。", "This device or browser cannot do this; keep using your code."),
    passkey_failed: ("没有完成。请再试一次，或使用凭证码。", "That did not work. Try again, or use your code."),
    queue_title: ("匿名举报", "Anonymous reports"),
    queue_lead: ("逾期的排在最前，其余按期限排列。7 天内确认收到，3 个月内向举报人反馈。", "Overdue first, then by due date. Acknowledge within 7 days; give the reporter feedback within 3 months."),
    queue_empty: ("没有待处理的举报。", "No reports are waiting."),
    queue_closed: ("已结案、等待销毁的举报", "Closed reports awaiting destruction"),
    queue_open: ("处理中的举报", "Open reports"),
    reference: ("编号", "Reference"),
    due: ("期限", "Due by"),
    overdue: ("已逾期", "Overdue"),
    reporter_waiting: ("举报人有新留言", "The reporter wrote"),
    none: ("—", "—"),
    handler: ("经办人", "Handled by"),
    complaint: ("关联的投诉调查", "Linked complaint investigation"),
    steps_heading: ("处理经过", "Every step"),
    acknowledge: ("确认收到", "Acknowledge receipt"),
    acknowledge_message: ("给举报人的话（可选）", "A word to the reporter (optional)"),
    investigate: ("开始调查", "Start the investigation"),
    write_heading: ("写给举报人或内部备注", "Write to the reporter, or a note for staff"),
    write_kind: ("类型", "Kind"),
    text_label: ("内容", "Text"),
    feedback_heading: ("反馈处理情况", "Give feedback"),
    feedback_hint: ("告诉举报人做了什么、结果如何。这是 3 个月期限所要求的反馈。", "Tell the reporter what was done and found: the feedback the 3 months are for."),
    close_heading: ("结案", "Close the report"),
    close_hint: ("举报人会看到结案理由。结案后按保留期限销毁。", "The reporter reads the reason. Closed reports are destroyed after the retention period."),
    link_heading: ("关联到投诉调查", "Link to a complaint investigation"),
    link_hint: ("如果举报涉及某位患者的病历，可关联到该患者投诉的调查（如 CP-2026-00042）。投诉方面看不到任何举报人信息。", "When the report concerns a patient's record, link it to the investigation of that patient's complaint (e.g. CP-2026-00042). Nothing about the reporter reaches the complaint."),
    save: ("保存", "Save"),
    done: ("已完成。", "Done."),
    destructions_heading: ("销毁记录", "Destruction records"),
    destructions_none: ("还没有销毁过举报。", "No reports have been destroyed yet."),
    destroyed: ("销毁时间 · 规则 · 举报数 · 附件数 · 消息数", "When · rule · reports · files · messages"),
    bad_token: ("表单已过期或已提交过。请再点一次提交（您写的内容还在）。", "The form had expired or was already sent. Press send again (what you wrote is still here)."),
    bad_token_fresh: ("提交得太快了。请稍等几秒再提交。", "That was sent too quickly. Wait a few seconds and send again."),
    bad_kind: ("请选择问题的类型。", "Choose what kind of problem it was."),
    bad_what: ("请写下发生了什么（最多 8000 字）。", "Describe what happened (at most 8000 characters)."),
    bad_short: ("这一项最多 300 字。", "This field takes at most 300 characters."),
    bad_file_type: ("只能附加 PDF、JPEG、PNG 或文本文件。", "Only PDF, JPEG, PNG or text files can be added."),
    bad_file_size: ("文件太大：每个不超过 10 MB。", "A file is too large: at most 10 MB each."),
    bad_file_damaged: ("有个文件已损坏，无法读取。", "A file is damaged and cannot be read."),
    bad_file_count: ("附件太多：每次最多 5 个。", "Too many files: at most 5 at a time."),
    bad_code: ("这个凭证码打不开任何举报。请核对 16 位数字后重试。", "That code opens no report. Check the 16 digits and try again."),
    bad_message: ("请写下内容（最多 8000 字）。", "Write something (at most 8000 characters)."),
    bad_stage: ("此举报目前不能进行这一步。", "This step is not possible at the report's current stage."),
    bad_complaint: ("没有这个编号的投诉。", "No complaint has that reference."),
    bad_passkey: ("这个通行密钥打不开任何举报。", "That passkey opens no report."),
    bad_text: ("请写下内容（最多 8000 字）。", "Write the text (at most 8000 characters)."),
}

impl ReportTexts {
    #[must_use]
    pub fn of(locale: Locale) -> &'static ReportTexts {
        match locale {
            Locale::ZhHans => &ZH_HANS,
            Locale::En => &EN,
        }
    }

    /// What a refused field of a report form means.
    #[must_use]
    pub fn refusal(&self, field: &str) -> Option<&'static str> {
        Some(match field {
            "token" => self.bad_token,
            "token_fresh" => self.bad_token_fresh,
            "kind" => self.bad_kind,
            "what" => self.bad_what,
            "place" | "when" | "who" => self.bad_short,
            "file_type" => self.bad_file_type,
            "file_size" => self.bad_file_size,
            "file_damaged" => self.bad_file_damaged,
            "file_count" => self.bad_file_count,
            "code" => self.bad_code,
            "message" => self.bad_message,
            "stage" => self.bad_stage,
            "complaint" => self.bad_complaint,
            "passkey" => self.bad_passkey,
            "text" | "feedback" | "reason" => self.bad_text,
            _ => return None,
        })
    }
}

#[must_use]
pub fn kind_label(locale: Locale, kind: ReportKind) -> &'static str {
    let (zh, en) = match kind {
        ReportKind::Looked => ("病历被无故查看", "A record looked at without reason"),
        ReportKind::Shared => ("信息被分享或出售", "Data shared or sold"),
        ReportKind::Images => ("拍摄或传播照片、影像", "Photographs or images"),
        ReportKind::LeftVisible => ("纸质材料或屏幕无人看管", "Papers or screens left visible"),
        ReportKind::LostDevice => ("设备或存储介质丢失", "A lost device"),
        ReportKind::Other => ("其他", "Something else"),
    };
    pick(locale, zh, en)
}

#[must_use]
pub fn state_label(locale: Locale, state: ReportState) -> &'static str {
    let (zh, en) = match state {
        ReportState::Received => ("已收到，等待确认", "Received, awaiting acknowledgement"),
        ReportState::Acknowledged => ("已确认收到", "Acknowledged"),
        ReportState::Investigating => ("调查中", "Under investigation"),
        ReportState::FeedbackGiven => ("已反馈处理情况", "Feedback given"),
        ReportState::Closed => ("已结案", "Closed"),
    };
    pick(locale, zh, en)
}

#[must_use]
pub fn message_label(locale: Locale, kind: MessageKind) -> &'static str {
    let (zh, en) = match kind {
        MessageKind::Message => ("消息", "Message"),
        MessageKind::Question => ("问题", "Question"),
        MessageKind::Feedback => ("处理情况反馈", "Feedback"),
        MessageKind::Acknowledgement => ("确认收到", "Acknowledgement"),
        MessageKind::Closing => ("结案说明", "Why it was closed"),
        MessageKind::Note => (
            "内部备注（举报人看不到）",
            "Internal note (never shown to the reporter)",
        ),
    };
    pick(locale, zh, en)
}

#[must_use]
pub fn step_label(locale: Locale, step: ReportStep) -> &'static str {
    let (zh, en) = match step {
        ReportStep::Received => ("收到举报", "Report received"),
        ReportStep::Opened => ("查看举报", "Opened"),
        ReportStep::Acknowledged => ("确认收到", "Acknowledged"),
        ReportStep::Investigating => ("开始调查", "Investigation started"),
        ReportStep::Asked => ("向举报人提问", "Asked the reporter"),
        ReportStep::Replied => ("回复举报人", "Wrote to the reporter"),
        ReportStep::Noted => ("内部备注", "Internal note"),
        ReportStep::FeedbackGiven => ("反馈处理情况", "Feedback given"),
        ReportStep::Linked => ("关联到投诉调查", "Linked to a complaint"),
        ReportStep::Closed => ("结案", "Closed"),
        ReportStep::ReporterWrote => ("举报人留言", "The reporter wrote"),
        ReportStep::ReporterAddedFile => ("举报人添加附件", "The reporter added a file"),
        ReportStep::StaffAddedFile => ("工作人员添加附件", "Staff added a file"),
        ReportStep::PasskeyAdded => ("举报人设置了通行密钥", "The reporter added a passkey"),
    };
    pick(locale, zh, en)
}

const fn pick(locale: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::ZhHans => zh,
        Locale::En => en,
    }
}
