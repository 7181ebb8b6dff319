"""A secret vote's open ballots, sealed: what reaches the database while the vote is open.

A secret ballot must be stored (an acknowledged ballot survives a crash) in the same
transaction that records who voted, so whoever reads the database can always tell which
stored row arrived with which voter. Sealing makes that row say nothing: the ballot's
choices and area are encrypted (AES-GCM) with a key derived from the server's SECRET_KEY
and the vote's id, which the database never holds, and padded to one length for the whole
vote, so neither the content nor the size tells one choice from another. When the vote
closes, the sealed ballots are opened, added up into the vote's tallies and deleted
(actions/votes.py), and the database's leftovers are cleared (database.py).

Changing SECRET_KEY while a secret vote is open makes its ballots unreadable: the close is
then refused with `vote.seal_unreadable` and the ballots are kept (docs/security.md).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from .errors import DomainError

NONCE_BYTES = 12
PAD_STEP = 64  # plaintext lengths are rounded up to this, past the vote's longest ballot
# The largest area a ballot can carry (a whole estate in hundredths of m²): sizes the padding.
LARGEST_AREA = 10 ** 15


def _key(vote_id: int, secret_key: str | bytes) -> bytes:
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    return hmac.new(secret_key, f"facilitator secret ballot key {vote_id}".encode(),
                    hashlib.sha256).digest()


def _plaintext(choices, area: int) -> bytes:
    return json.dumps({"c": list(choices), "a": area}, ensure_ascii=False,
                      separators=(",", ":")).encode()


def padded_length(option_keys) -> int:
    """One plaintext length for every ballot of a vote: past its longest possible ballot
    (every option chosen or ranked, the largest area)."""
    longest = len(_plaintext([*option_keys, "abstain"], LARGEST_AREA))
    return (longest // PAD_STEP + 1) * PAD_STEP


def seal(vote_id: int, choices, area: int, option_keys,
         secret_key: str | bytes | None = None) -> bytes:
    plain = _plaintext(choices, area)
    length = padded_length(option_keys)
    if len(plain) > length:
        raise ValueError("a ballot longer than its vote's options allow")
    nonce = os.urandom(NONCE_BYTES)
    box = AESGCM(_key(vote_id, secret_key or current_app.config["SECRET_KEY"]))
    return nonce + box.encrypt(nonce, plain.ljust(length), str(vote_id).encode())


def unseal(vote_id: int, sealed: bytes,
           secret_key: str | bytes | None = None) -> tuple[tuple, int]:
    """(choices, area) of a sealed ballot of this vote; `vote.seal_unreadable` when the key
    is not the one it was sealed with (SECRET_KEY changed) or the bytes were altered."""
    box = AESGCM(_key(vote_id, secret_key or current_app.config["SECRET_KEY"]))
    try:
        plain = box.decrypt(bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:]),
                            str(vote_id).encode())
    except InvalidTag:
        raise DomainError("vote.seal_unreadable") from None
    ballot = json.loads(plain)
    return tuple(ballot["c"]), ballot["a"]
