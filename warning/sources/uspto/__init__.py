"""USPTO: the weekly full-text bulk files (Open Data Portal) and their XML in every version."""
