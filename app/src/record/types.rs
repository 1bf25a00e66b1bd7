//! What crosses the wire for the patient's record: the sections, the fields a patient can
//! point at when they ask for a correction, and the entries their page shows.

use serde::{Deserialize, Serialize};

/// A part of the record the hospital shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Name, birth date and contact details (FHIR `Patient`).
    Demographics,
    Allergies,
    Conditions,
    Medications,
    /// The index of documents (letters, reports): titles, not bodies.
    Documents,
}

impl Section {
    /// In the order the page shows them.
    pub const ALL: [Section; 5] = [
        Section::Demographics,
        Section::Allergies,
        Section::Conditions,
        Section::Medications,
        Section::Documents,
    ];

    /// The code stored with each entry and used in addresses.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Section::Demographics => "demographics",
            Section::Allergies => "allergies",
            Section::Conditions => "conditions",
            Section::Medications => "medications",
            Section::Documents => "documents",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One thing an entry says, which a patient can ask to have corrected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    BirthDate,
    Gender,
    Phone,
    Address,
    /// What the patient reacts to.
    Substance,
    Reaction,
    Criticality,
    /// Active, resolved… (a FHIR code).
    ClinicalStatus,
    /// Confirmed, suspected… (a FHIR code).
    Verification,
    Diagnosis,
    Onset,
    Medication,
    Dosage,
    /// A medication's status (a FHIR code).
    Status,
    Title,
    DocumentKind,
    Date,
    Author,
    Department,
    Note,
}

impl Field {
    pub const ALL: [Field; 21] = [
        Field::Name,
        Field::BirthDate,
        Field::Gender,
        Field::Phone,
        Field::Address,
        Field::Substance,
        Field::Reaction,
        Field::Criticality,
        Field::ClinicalStatus,
        Field::Verification,
        Field::Diagnosis,
        Field::Onset,
        Field::Medication,
        Field::Dosage,
        Field::Status,
        Field::Title,
        Field::DocumentKind,
        Field::Date,
        Field::Author,
        Field::Department,
        Field::Note,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::BirthDate => "birth_date",
            Field::Gender => "gender",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::Substance => "substance",
            Field::Reaction => "reaction",
            Field::Criticality => "criticality",
            Field::ClinicalStatus => "clinical_status",
            Field::Verification => "verification",
            Field::Diagnosis => "diagnosis",
            Field::Onset => "onset",
            Field::Medication => "medication",
            Field::Dosage => "dosage",
            Field::Status => "status",
            Field::Title => "title",
            Field::DocumentKind => "document_kind",
            Field::Date => "date",
            Field::Author => "author",
            Field::Department => "department",
            Field::Note => "note",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Whether the value is a FHIR code the page translates (`male`, `high`, `active`…)
    /// rather than the hospital's own words.
    #[must_use]
    pub const fn is_coded(self) -> bool {
        matches!(
            self,
            Field::Gender
                | Field::Criticality
                | Field::ClinicalStatus
                | Field::Verification
                | Field::Status
        )
    }
}

/// One field of an entry with the value the hospital sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    pub field: Field,
    pub value: String,
}

/// What a correction left on an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The hospital accepted a correction: the amended value, the original kept.
    Amendment,
    /// The patient's statement of disagreement after a denial.
    Disagreement,
    /// The hospital's answer to that statement.
    Rebuttal,
}

impl NoteKind {
    pub const ALL: [NoteKind; 3] = [
        NoteKind::Amendment,
        NoteKind::Disagreement,
        NoteKind::Rebuttal,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            NoteKind::Amendment => "amendment",
            NoteKind::Disagreement => "disagreement",
            NoteKind::Rebuttal => "rebuttal",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<NoteKind> {
        NoteKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// An amendment, statement or rebuttal shown with an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub kind: NoteKind,
    pub field: Option<Field>,
    /// What the entry said before an amendment.
    pub original: Option<String>,
    pub body: String,
    pub author: String,
    pub reference: String,
    pub noted: String,
    /// When the hospital's record system applied an amendment.
    pub applied: Option<String>,
}

/// One entry of the record as the patient sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: i64,
    pub section: Section,
    pub fields: Vec<FieldView>,
    /// The hospital system that sent it.
    pub source: String,
    /// The date of what it records (recorded, started, written), as the hospital gave it.
    pub dated: Option<String>,
    /// When the portal last received a change of it, in the hospital's time zone.
    pub updated: String,
    /// How many versions the portal has received.
    pub version: i64,
    /// Amendments, statements and rebuttals, oldest first.
    #[serde(default)]
    pub notes: Vec<NoteView>,
}

/// The patient's whole record, by section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub entries: Vec<EntryView>,
}

impl RecordView {
    /// The entries of one section, in the order received.
    pub fn of(&self, section: Section) -> impl Iterator<Item = &EntryView> {
        self.entries.iter().filter(move |e| e.section == section)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for section in Section::ALL {
            assert_eq!(Section::parse(section.code()), Some(section));
        }
        for field in Field::ALL {
            assert_eq!(Field::parse(field.code()), Some(field));
        }
        assert_eq!(Field::parse("Name"), None);
    }
}
