//! Pages of the record: the patient's own record.

pub mod page;

use super::texts::RecordTexts;

/// The record's words in the page's language.
#[must_use]
pub fn record_texts() -> &'static RecordTexts {
    RecordTexts::of(crate::ui::locale::locale())
}
