"""EPO Open Patent Services: worldwide publications and INPADOC legal events."""
