"""Forms of One Health surveillance."""

# --- data: diseases, sector authorities, datasets, series, uploads -----------------------------

# --- triage: signals and alerts -----------------------------------------------------------------
