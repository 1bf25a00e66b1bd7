//! The directory's own tables: care relationships and the staff each one names.

pub mod care;
pub mod member;
