//! Pages of the access log.
