"""Domain errors with stable codes.

Every refusal the app gives a user is a ``DomainError``: a stable ``code`` (used by
clients, tests and the protocol docs) plus ``params`` to fill the message. The message
text itself lives in the catalog (``facilitator.i18n``), in Chinese and English, so
the same error reads right in either language.
"""


class DomainError(Exception):
    """A command or form was refused; nothing was changed."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self):
        return f"DomainError({self.code!r}, {self.params!r})"
