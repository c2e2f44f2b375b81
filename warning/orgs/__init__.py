"""Organisations, people and sharing (issue 13): the config's declarations applied to the store,
subscribers read back from it, and the rules of who may share what. All SQL is in `warning.store`."""
