"""Written questions from phones: the words the record uses for them (pure; no database).

The commands are in facilitator/actions/questions.py; the minutes list the questions with
how each was taken up (facilitator/minutes/builder.py).
"""
from __future__ import annotations

import re
import unicodedata

# Why the chair set a question aside. The question stays in the record; the minutes count
# the dismissed ones by reason and do not reproduce their text.
DISMISS_REASONS = ("duplicate", "off_topic", "abusive", "other")

# How a question asked in the meeting ended, as the minutes say it: answered (aloud or in
# writing), said aloud by its asker from the speakers' list, still on that list when the
# meeting ended, or not taken up at all.
OUTCOMES = ("answered", "asked_aloud", "on_list", "not_taken_up")

# A question reaches every phone, the console and the room's screen the moment it is asked,
# before the chair has read it: what would turn its words around or draw over the questions
# beside it is left out (tidy_text), and the record keeps it as the room saw it.
MAX_MARKS = 4  # combining marks on one character: Vietnamese takes two, a keycap two
MAX_LINES = 10  # beyond, a line break becomes a space
# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): "\u202e" shows the
# words after it the wrong way round; a question on a phone has no use for them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+\n")


def tidy_text(text: str) -> str:
    """A question's text as the screens show it and the record keeps it: no bidirectional
    formatting characters, at most MAX_MARKS combining marks on a character, at most one
    empty line in a row and MAX_LINES lines."""
    text = _BIDI_CONTROLS.sub("", text)
    kept, marks = [], 0
    for ch in text:
        if unicodedata.category(ch).startswith("M"):
            marks += 1
            if marks > MAX_MARKS:
                continue
        else:
            marks = 0
        kept.append(ch)
    text = _BLANK_LINES.sub("\n\n", "".join(kept))
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        text = "\n".join(lines[:MAX_LINES]) + " " + " ".join(lines[MAX_LINES:])
    return text
