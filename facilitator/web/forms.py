"""Form handling shared by the page blueprints: validate with the same schemas as commands."""
from __future__ import annotations

from flask import request

from ..errors import DomainError
from ..i18n import current_locale, describe_error
from ..validation import validate


def form_values() -> dict:
    """The submitted form without the CSRF token; empty strings become missing values."""
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


def validate_form(schema) -> tuple[dict | None, dict]:
    """(clean values, {}) or (None, {field: message}) with the message in the user's language."""
    values = {k: v for k, v in form_values().items() if k in schema}
    try:
        return validate(schema, {k: v for k, v in values.items() if v != ""}), {}
    except DomainError as error:
        return None, {error.params.get("field", "_"): error_message(error)}


def error_message(error: DomainError) -> str:
    return describe_error(error, current_locale())
