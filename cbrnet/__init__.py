"""cbrnet: the platform of international CBRN risk-mitigation networks."""
