"""One error hierarchy for the whole service.

Library code raises these; only the CLI turns them into a readable line and an exit code.
"""


class WarningError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(WarningError):
    """The configuration or a watchlist file is invalid, or a named secret is missing."""


class SourceError(WarningError):
    """A source could not deliver publications."""


class SourceUnavailable(SourceError):
    """The office did not answer, refused (quota, throttling) or answered with an error."""


class ParseError(SourceError):
    """A document could not be trusted whole; it goes to quarantine with this reason."""


class ModelError(WarningError):
    """A classifier model is missing, corrupt or built by an incompatible featurizer."""


class NotEnoughExamples(ModelError):
    """A model cannot be trained yet: no examples, or only one class of them."""


class StoreError(WarningError):
    """The database is locked, corrupt or from a newer version of the service."""


class AccessDenied(WarningError):
    """The person acting may not do this (their role or organisation does not allow it)."""


class NotFound(WarningError):
    """No such object, or one the person acting may not see: both answer the same, so what another
    organisation owns is not revealed by the error."""
