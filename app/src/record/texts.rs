//! The record's words, in both languages. Each section and field has a label, so a missing
//! translation is a compile error; FHIR codes the hospital sends are translated when known
//! and shown as sent otherwise.

use super::types::{Field, Section};
use crate::i18n::Locale;

/// Words for one language.
pub struct RecordTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub section_empty: &'static str,
    pub source: &'static str,
    pub dated: &'static str,
    pub updated: &'static str,
    pub version: &'static str,
    pub nothing_shared: &'static str,
    /// The links into correction requests.
    pub requests_link: &'static str,
    pub ask_link: &'static str,
    pub missing_link: &'static str,
    pub amended_to: &'static str,
    /// `{author}`, `{noted}` and `{reference}` are filled in.
    pub noted_by: &'static str,
    pub applied_on: &'static str,
    pub disagreement: &'static str,
    pub rebuttal: &'static str,
}

impl RecordTexts {
    #[must_use]
    pub fn of(locale: Locale) -> &'static RecordTexts {
        match locale {
            Locale::ZhHans => &ZH_HANS,
            Locale::En => &EN,
        }
    }
}

const fn pick(locale: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::ZhHans => zh,
        Locale::En => en,
    }
}

/// A section's heading.
#[must_use]
pub fn section_label(locale: Locale, section: Section) -> &'static str {
    let (zh, en) = match section {
        Section::Demographics => ("基本信息", "About you"),
        Section::Allergies => ("过敏", "Allergies"),
        Section::Conditions => ("诊断与健康问题", "Diagnoses and health problems"),
        Section::Medications => ("用药", "Medicines"),
        Section::Documents => ("文书目录", "Documents (list)"),
    };
    pick(locale, zh, en)
}

/// A field's label.
#[must_use]
pub fn field_label(locale: Locale, field: Field) -> &'static str {
    let (zh, en) = match field {
        Field::Name => ("姓名", "Name"),
        Field::BirthDate => ("出生日期", "Date of birth"),
        Field::Gender => ("性别", "Sex"),
        Field::Phone => ("电话", "Phone"),
        Field::Address => ("地址", "Address"),
        Field::Substance => ("过敏原", "Allergic to"),
        Field::Reaction => ("反应", "Reaction"),
        Field::Criticality => ("危险程度", "Risk"),
        Field::ClinicalStatus => ("目前情况", "Currently"),
        Field::Verification => ("核实情况", "Confirmed?"),
        Field::Diagnosis => ("诊断", "Diagnosis"),
        Field::Onset => ("开始时间", "Since"),
        Field::Medication => ("药品", "Medicine"),
        Field::Dosage => ("用法用量", "How to take it"),
        Field::Status => ("状态", "Status"),
        Field::Title => ("标题", "Title"),
        Field::DocumentKind => ("类型", "Kind"),
        Field::Date => ("日期", "Date"),
        Field::Author => ("作者", "Written by"),
        Field::Department => ("科室", "Department"),
        Field::Note => ("备注", "Note"),
    };
    pick(locale, zh, en)
}

/// The words for a FHIR code in a coded field, if the portal knows it.
fn code_label(locale: Locale, field: Field, code: &str) -> Option<&'static str> {
    let (zh, en) = match (field, code) {
        (Field::Gender, "male") => ("男", "Male"),
        (Field::Gender, "female") => ("女", "Female"),
        (Field::Gender, "other") => ("其他", "Other"),
        (Field::Gender | Field::Status, "unknown") => ("未知", "Unknown"),
        (Field::Criticality, "low") => ("低", "Low"),
        (Field::Criticality, "high") => ("高", "High"),
        (Field::Criticality, "unable-to-assess") => ("无法评估", "Cannot be assessed"),
        (Field::ClinicalStatus, "active") => ("存在", "Current"),
        (Field::ClinicalStatus, "recurrence") => ("复发", "Came back"),
        (Field::ClinicalStatus, "relapse") => ("复发", "Relapse"),
        (Field::ClinicalStatus, "inactive") => ("不活动", "Inactive"),
        (Field::ClinicalStatus, "remission") => ("缓解", "In remission"),
        (Field::ClinicalStatus, "resolved") => ("已痊愈", "Resolved"),
        (Field::Verification, "unconfirmed") => ("未确认", "Not confirmed"),
        (Field::Verification, "provisional") => ("初步", "Provisional"),
        (Field::Verification, "differential") => ("待鉴别", "One of several possibilities"),
        (Field::Verification, "confirmed") => ("已确认", "Confirmed"),
        (Field::Verification, "refuted") => ("已排除", "Ruled out"),
        (Field::Status, "active") => ("正在使用", "Taking it"),
        (Field::Status, "completed") => ("已完成", "Finished"),
        (Field::Status, "intended") => ("计划使用", "Planned"),
        (Field::Status, "stopped") => ("已停用", "Stopped"),
        (Field::Status, "on-hold") => ("暂停", "On hold"),
        (Field::Status, "not-taken") => ("未服用", "Not taken"),
        (Field::Status, "cancelled") => ("已取消", "Cancelled"),
        (Field::Status, "draft") => ("草稿", "Draft"),
        _ => return None,
    };
    Some(pick(locale, zh, en))
}

/// A field's value as the patient reads it: a known code in words, anything else as sent.
#[must_use]
pub fn field_value(locale: Locale, field: Field, value: &str) -> String {
    field
        .is_coded()
        .then(|| code_label(locale, field, value))
        .flatten()
        .map_or_else(|| value.to_owned(), str::to_owned)
}

static ZH_HANS: RecordTexts = RecordTexts {
    nav: "我的病历",
    title: "我的病历",
    lead: "医院与您共享的病历内容：基本信息、过敏、诊断、用药和文书目录。每一条都注明来自哪个系统、记录日期和最后更新时间。",
    section_empty: "这一部分暂无内容。",
    source: "来源",
    dated: "记录日期",
    updated: "最后更新",
    version: "版本",
    nothing_shared: "医院还没有与您共享病历内容。医院系统发送后，会显示在这里。",
    requests_link: "我的更正申请",
    ask_link: "申请更正",
    missing_link: "这一部分缺少内容",
    amended_to: "已更正为",
    noted_by: "{author}，{noted}（申请编号 {reference}）",
    applied_on: "已写入医院病历系统：",
    disagreement: "患者的不同意声明",
    rebuttal: "医院的答复",
};

static EN: RecordTexts = RecordTexts {
    nav: "My record",
    title: "My record",
    lead: "The parts of your record the hospital shares with you: details about you, allergies, diagnoses, medicines and the list of documents. Each entry says which system it came from, its date and when it was last updated.",
    section_empty: "Nothing in this part yet.",
    source: "From",
    dated: "Dated",
    updated: "Last updated",
    version: "Version",
    nothing_shared: "The hospital has not shared any of your record yet. It appears here once the hospital's systems send it.",
    requests_link: "My correction requests",
    ask_link: "Ask for a correction",
    missing_link: "Something is missing here",
    amended_to: "Amended to",
    noted_by: "{author}, {noted} (request {reference})",
    applied_on: "Applied in the hospital's record on",
    disagreement: "The patient's statement of disagreement",
    rebuttal: "The hospital's answer",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_translated_and_other_values_kept() {
        assert_eq!(field_value(Locale::ZhHans, Field::Gender, "female"), "女");
        assert_eq!(field_value(Locale::En, Field::Criticality, "high"), "High");
        // A code the portal does not know, and free text in a field that is not coded.
        assert_eq!(field_value(Locale::En, Field::Status, "weird"), "weird");
        assert_eq!(
            field_value(Locale::En, Field::Substance, "active"),
            "active"
        );
    }
}
