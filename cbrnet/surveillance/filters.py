"""List filters of One Health surveillance (shared by UI, API and export)."""

# --- data: diseases, sector authorities, datasets, series ---------------------------------------

# --- triage: signals and alerts -----------------------------------------------------------------
