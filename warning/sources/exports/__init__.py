"""Result-list exports read from local files: PATENTSCOPE (XLS, CSV) and Lens (CSV, JSON Lines)."""
