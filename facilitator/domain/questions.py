"""Written questions from phones: the words the record uses for them (pure; no database).

The commands are in facilitator/actions/questions.py; the minutes list the questions with
how each was taken up (facilitator/minutes/builder.py).
"""
from __future__ import annotations

# Why the chair set a question aside. The question stays in the record; the minutes count
# the dismissed ones by reason and do not reproduce their text.
DISMISS_REASONS = ("duplicate", "off_topic", "abusive", "other")

# How a question asked in the meeting ended, as the minutes say it: answered (aloud or in
# writing), said aloud by its asker from the speakers' list, still on that list when the
# meeting ended, or not taken up at all.
OUTCOMES = ("answered", "asked_aloud", "on_list", "not_taken_up")
