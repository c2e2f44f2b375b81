"""Sources: each office format is a plugin with a network `fetch` and a pure `parse`."""
