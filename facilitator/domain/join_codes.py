"""Join codes: six digits, easy to read aloud and type on a phone keypad."""
import secrets
import string

JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    # No leading zero: some people (and spreadsheets) drop it.
    return str(secrets.choice("123456789")) + "".join(
        secrets.choice(string.digits) for _ in range(JOIN_CODE_LENGTH - 1))


def normalise_join_code(text: str) -> str | None:
    """What a person typed → the code, or None. Spaces and dashes are allowed ("123 456")."""
    digits = "".join(ch for ch in str(text) if not ch.isspace() and ch != "-")
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))  # full-width
    if len(digits) == JOIN_CODE_LENGTH and digits.isascii() and digits.isdigit():
        return digits
    return None
