//! Consent's words, in both languages. Each state, action and rule has a label, so a
//! missing translation is a compile error.

use super::types::{ChangeAction, ConsentState, EarlierGrants, PolicyView, PurposeView};
use crate::access_log::texts::category_label;
use crate::access_log::types::Category;
use crate::i18n::Locale;

/// Words for one language.
pub struct ConsentTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub default_note: &'static str,
    pub state_label: &'static str,
    pub since: &'static str,
    pub until: &'static str,
    pub last_day: &'static str,
    pub granted_version: &'static str,
    pub excluded_label: &'static str,
    pub nothing_excluded: &'static str,
    pub read_policy: &'static str,
    pub policy_version: &'static str,
    pub published: &'static str,
    pub what_changed: &'static str,
    pub confirm_lead: &'static str,
    pub grant_heading: &'static str,
    pub change_heading: &'static str,
    pub exclude_legend: &'static str,
    pub exclude_hint: &'static str,
    pub expires_label: &'static str,
    pub expires_hint: &'static str,
    pub grant_button: &'static str,
    pub confirm_button: &'static str,
    pub save_button: &'static str,
    pub revoke_button: &'static str,
    pub revoke_note: &'static str,
    pub recorded: &'static str,
    pub view_receipt: &'static str,
    pub history_heading: &'static str,
    pub history_empty: &'static str,
    pub by_you: &'static str,
    pub version_short: &'static str,
    pub bad_date: &'static str,
    pub stale_version: &'static str,
    pub nothing_to_revoke: &'static str,
    pub receipt_title: &'static str,
    pub receipt_lead: &'static str,
    pub receipt_id: &'static str,
    pub receipt_time: &'static str,
    pub receipt_controller: &'static str,
    pub receipt_contact: &'static str,
    pub receipt_purpose: &'static str,
    pub receipt_choice: &'static str,
    pub receipt_policy: &'static str,
    pub receipt_jurisdiction: &'static str,
    pub receipt_method: &'static str,
    pub receipt_signature: &'static str,
    pub receipt_download: &'static str,
    pub receipt_print: &'static str,
    pub receipt_back: &'static str,
    pub until_revoked: &'static str,
    pub policy_title: &'static str,
    pub stats_title: &'static str,
    pub stats_lead: &'static str,
    pub stats_version: &'static str,
    pub stats_recent: &'static str,
    pub stats_month: &'static str,
    pub stats_chart_label: &'static str,
}

impl ConsentTexts {
    #[must_use]
    pub fn of(locale: Locale) -> &'static ConsentTexts {
        match locale {
            Locale::ZhHans => &ZH_HANS,
            Locale::En => &EN,
        }
    }
}

/// Label of a state.
#[must_use]
pub fn state_label(locale: Locale, state: ConsentState) -> &'static str {
    let (zh, en) = match state {
        ConsentState::NotGranted => ("未同意", "Not given"),
        ConsentState::Granted => ("已同意", "Given"),
        ConsentState::AwaitingConfirmation => (
            "已同意，请确认新版本",
            "Given — please confirm the new version",
        ),
        ConsentState::Suspended => (
            "已暂停，等待您确认新版本",
            "Paused until you confirm the new version",
        ),
        ConsentState::Expired => ("已到期", "Ended (date passed)"),
        ConsentState::Revoked => ("已撤回", "Withdrawn"),
    };
    pick(locale, zh, en)
}

/// A state in a word or two (table columns).
#[must_use]
pub fn state_short(locale: Locale, state: ConsentState) -> &'static str {
    let (zh, en) = match state {
        ConsentState::NotGranted => ("未同意", "Not given"),
        ConsentState::Granted => ("已同意", "Given"),
        ConsentState::AwaitingConfirmation => ("待确认", "To confirm"),
        ConsentState::Suspended => ("已暂停", "Paused"),
        ConsentState::Expired => ("已到期", "Ended"),
        ConsentState::Revoked => ("已撤回", "Withdrawn"),
    };
    pick(locale, zh, en)
}

/// Label of a change.
#[must_use]
pub fn action_label(locale: Locale, action: ChangeAction) -> &'static str {
    let (zh, en) = match action {
        ChangeAction::Grant => ("同意", "Consent given"),
        ChangeAction::Revoke => ("撤回", "Consent withdrawn"),
    };
    pick(locale, zh, en)
}

/// Record categories as one list in `locale` ("基因信息、精神心理", "genetic, mental health").
#[must_use]
pub fn category_list(locale: Locale, categories: &[Category]) -> String {
    let separator = pick(locale, "、", ", ");
    categories
        .iter()
        .map(|c| category_label(locale, *c))
        .collect::<Vec<_>>()
        .join(separator)
}

/// What a new version does to earlier grants, as the policy states it.
#[must_use]
pub fn earlier_grants_rule(locale: Locale, rule: EarlierGrants) -> &'static str {
    let (zh, en) = match rule {
        EarlierGrants::Keep => (
            "在您确认本版本之前，您根据旧版本作出的同意继续有效。",
            "Until you confirm this version, the consent you gave under the earlier version stays in force.",
        ),
        EarlierGrants::Suspend => (
            "在您确认本版本之前，您根据旧版本作出的同意暂停：医院系统查询时将得到“不允许”。",
            "Until you confirm this version, the consent you gave under the earlier version is paused: hospital systems are told \"not permitted\".",
        ),
    };
    pick(locale, zh, en)
}

/// A purpose's name.
#[must_use]
pub fn purpose_name(locale: Locale, purpose: &PurposeView) -> &str {
    match locale {
        Locale::ZhHans => &purpose.name_zh_hans,
        Locale::En => &purpose.name_en,
    }
}

/// A policy's summary, text and changes in `locale`.
#[must_use]
pub fn policy_texts(locale: Locale, policy: &PolicyView) -> (&str, &str, Option<&str>) {
    match locale {
        Locale::ZhHans => (
            &policy.summary_zh_hans,
            &policy.text_zh_hans,
            policy.changes_zh_hans.as_deref(),
        ),
        Locale::En => (
            &policy.summary_en,
            &policy.text_en,
            policy.changes_en.as_deref(),
        ),
    }
}

const fn pick(locale: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::ZhHans => zh,
        Locale::En => en,
    }
}

static ZH_HANS: ConsentTexts = ConsentTexts {
    nav: "研究与教学同意",
    title: "研究与教学同意",
    lead: "医院在医学研究和教学中使用您的信息，需要您单独同意。您可以随时作出、修改或撤回选择，立即生效。",
    default_note: "在您同意之前，默认为不同意。",
    state_label: "当前状态",
    since: "自",
    until: "有效至",
    last_day: "截止日期",
    granted_version: "您同意的版本",
    excluded_label: "已排除",
    nothing_excluded: "未排除任何类别",
    read_policy: "阅读说明",
    policy_version: "第 {} 版",
    published: "发布于",
    what_changed: "本版本的变化",
    confirm_lead: "说明已更新。请阅读变化并确认，或撤回同意。",
    grant_heading: "同意",
    change_heading: "修改或确认",
    exclude_legend: "排除以下敏感信息（可选）",
    exclude_hint: "勾选的类别不会用于此目的。",
    expires_label: "截止日期（可选）",
    expires_hint: "格式 年-月-日，例如 2027-12-31。留空表示直到您撤回。",
    grant_button: "我同意",
    confirm_button: "确认新版本",
    save_button: "保存修改",
    revoke_button: "撤回同意",
    revoke_note: "撤回立即生效。",
    recorded: "已记录。",
    view_receipt: "查看回执",
    history_heading: "变更记录",
    history_empty: "您还没有作出过选择。",
    by_you: "您本人",
    version_short: "版本",
    bad_date: "请按 年-月-日 填写今天或以后的日期，例如 2027-12-31。",
    stale_version: "说明刚刚更新了。请阅读新版本后再确认。",
    nothing_to_revoke: "此目的目前没有可撤回的同意。",
    receipt_title: "同意回执",
    receipt_lead: "这是您的选择的记录，由医院门户签名。请保存或打印。",
    receipt_id: "回执编号",
    receipt_time: "时间",
    receipt_controller: "个人信息处理者",
    receipt_contact: "联系方式",
    receipt_purpose: "目的",
    receipt_choice: "您的选择",
    receipt_policy: "说明版本",
    receipt_jurisdiction: "适用法域",
    receipt_method: "收集方式",
    receipt_signature: "签名（Ed25519）",
    receipt_download: "下载带签名的回执（JSON）",
    receipt_print: "打印",
    receipt_back: "返回研究与教学同意",
    until_revoked: "直到您撤回",
    policy_title: "说明",
    stats_title: "研究与教学同意统计",
    stats_lead: "各目的在每月末的患者人数（按状态）。此页只显示人数，不显示任何患者的选择。",
    stats_version: "当前说明版本",
    stats_recent: "最近 30 天：同意 {g} 次，撤回 {r} 次",
    stats_month: "月份",
    stats_chart_label: "每月末各状态的患者人数",
};

static EN: ConsentTexts = ConsentTexts {
    nav: "Research and teaching consent",
    title: "Research and teaching consent",
    lead: "The hospital needs your separate consent to use your information in medical research and teaching. You can give, change or withdraw it at any time; it takes effect at once.",
    default_note: "Until you give consent, the answer is no.",
    state_label: "Current choice",
    since: "since",
    until: "until",
    last_day: "Last day",
    granted_version: "Version you agreed to",
    excluded_label: "Excluded",
    nothing_excluded: "Nothing excluded",
    read_policy: "Read the explanation",
    policy_version: "version {}",
    published: "published",
    what_changed: "What changed in this version",
    confirm_lead: "The explanation was updated. Please read what changed and confirm, or withdraw.",
    grant_heading: "Give consent",
    change_heading: "Change or confirm",
    exclude_legend: "Leave out these sensitive kinds of information (optional)",
    exclude_hint: "Ticked kinds are never used for this purpose.",
    expires_label: "Last day (optional)",
    expires_hint: "As year-month-day, e.g. 2027-12-31. Leave empty for \"until I withdraw\".",
    grant_button: "I agree",
    confirm_button: "Confirm the new version",
    save_button: "Save changes",
    revoke_button: "Withdraw consent",
    revoke_note: "Withdrawal takes effect at once.",
    recorded: "Recorded.",
    view_receipt: "See the receipt",
    history_heading: "History",
    history_empty: "You have not made a choice yet.",
    by_you: "you",
    version_short: "version",
    bad_date: "Enter today or a later day as year-month-day, e.g. 2027-12-31.",
    stale_version: "The explanation was just updated. Please read the new version before you agree.",
    nothing_to_revoke: "There is no consent to withdraw for this purpose.",
    receipt_title: "Consent receipt",
    receipt_lead: "This records your choice and is signed by the hospital's portal. Keep or print it.",
    receipt_id: "Receipt number",
    receipt_time: "Time",
    receipt_controller: "Controller",
    receipt_contact: "Contact",
    receipt_purpose: "Purpose",
    receipt_choice: "Your choice",
    receipt_policy: "Explanation version",
    receipt_jurisdiction: "Jurisdiction",
    receipt_method: "How it was collected",
    receipt_signature: "Signature (Ed25519)",
    receipt_download: "Download the signed receipt (JSON)",
    receipt_print: "Print",
    receipt_back: "Back to research and teaching consent",
    until_revoked: "until you withdraw",
    policy_title: "Explanation",
    stats_title: "Research and teaching consent: counts",
    stats_lead: "Patients per state at the end of each month, per purpose. This page shows counts only, never a patient's choice.",
    stats_version: "Current explanation version",
    stats_recent: "Last 30 days: {g} given, {r} withdrawn",
    stats_month: "Month",
    stats_chart_label: "Patients per state at the end of each month",
};
