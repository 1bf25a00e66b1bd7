//! What an access-log entry says: which part of the record, what was done, why, and by
//! what kind of agent. Shared by every feature that writes or reads the log.

use serde::{Deserialize, Serialize};

use super::vocabulary;

vocabulary! {
    /// What part of the record was opened.
    Category {
        Demographics = "demographics",
        Diagnoses = "diagnoses",
        ClinicalNotes = "clinical_notes",
        Imaging = "imaging",
        Lab = "lab",
        Prescriptions = "prescriptions",
        Billing = "billing",
        Genetic = "genetic",
        MentalHealth = "mental_health",
        SexualHealth = "sexual_health",
        Photographs = "photographs",
        /// The patient's own access log (staff reading it inside the portal).
        AccessLog = "access_log",
        /// The patient's consent choices (hospital systems checking them).
        Consent = "consent",
        /// The patient's portal account (staff issuing a recovery link for it).
        Account = "account",
        /// The patient's request to correct their record (staff or a hospital system
        /// reading or answering it).
        CorrectionRequest = "correction_request",
        /// The patient's privacy complaint (staff handling it).
        Complaint = "complaint",
        Other = "other",
    }
}

vocabulary! {
    /// What was done with it.
    Action {
        View = "view",
        Create = "create",
        Update = "update",
        Delete = "delete",
        Print = "print",
        Export = "export",
        Transmit = "transmit",
        Other = "other",
    }
}

vocabulary! {
    /// Why, as the hospital's system declared it.
    Purpose {
        Treatment = "treatment",
        Payment = "payment",
        Operations = "operations",
        Research = "research",
        Teaching = "teaching",
        Legal = "legal",
        PublicHealth = "public_health",
        PatientRequest = "patient_request",
        Unspecified = "unspecified",
        Other = "other",
    }
}

vocabulary! {
    /// Who acted: a member of staff, an outside organisation or a system.
    AgentKind {
        Staff = "staff",
        Organisation = "organisation",
        System = "system",
    }
}
