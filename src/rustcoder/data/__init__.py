"""Mine Rust code from real crates: sources and licences, extraction, dedup, decontamination, examples."""
