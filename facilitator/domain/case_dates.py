"""The dates of a case's story, checked against each other and against today.

A date a user types must fit the story the case record tells, or the timeline shows the case
out of order (a progress report on work agreed a week later, feedback before the complaint):

* what already happened (the first report, the complaint received, completion acceptance,
  delivery, a progress report, the complainants told the outcome) is not in the future;
* completion acceptance comes first: delivery and the end of the warranty are not before it;
  the first report of the problem is not after the complaint that made it a case;
* the complaint was received no later than the first meeting and the first feedback on it;
* a meeting is not scheduled before the case was received;
* an agreed item is not due before the meeting that agreed it;
* a progress report is not dated before its item was agreed;
* feedback to the complainants is not dated before the case was received.

Pure functions over dates; "today" is the caller's (facilitator.clock, in the app's zone).
Each refusal is a DomainError naming the field and the date it may not cross.
"""
from __future__ import annotations

from datetime import date

from ..errors import DomainError

# Facts of the past among a case's dates.
CASE_PAST_FIELDS = ("first_report_on", "received_on", "completion_accepted_on", "delivered_on")
# (field, the field it may not come before).
CASE_ORDER = (("delivered_on", "completion_accepted_on"),
              ("warranty_end_on", "completion_accepted_on"),
              ("received_on", "first_report_on"))


def not_in_future(field: str, day: date, today: date) -> None:
    if day > today:
        raise DomainError("validation.future_date", field=field)


def check_case_dates(dates: dict, today: date, first_recorded_on: date | None = None) -> None:
    """A case's own dates (any of them may be None). ``first_recorded_on``: the earliest day
    the record already holds after the complaint (a meeting, feedback), if any."""
    for field in CASE_PAST_FIELDS:
        if dates.get(field) is not None:
            not_in_future(field, dates[field], today)
    for field, earlier in CASE_ORDER:
        if dates.get(field) is not None and dates.get(earlier) is not None \
                and dates[field] < dates[earlier]:
            raise DomainError("date.before_other", field=field, other=earlier,
                              date=dates[earlier].isoformat())
    received = dates.get("received_on")
    if received is not None and first_recorded_on is not None and received > first_recorded_on:
        raise DomainError("date.received_after_record", field="received_on",
                          date=first_recorded_on.isoformat())


def check_meeting_start(field: str, day: date, received_on: date) -> None:
    if day < received_on:
        raise DomainError("date.before_received", field=field, date=received_on.isoformat())


def check_due(field: str, day: date, meeting_on: date) -> None:
    if day < meeting_on:
        raise DomainError("date.before_meeting", field=field, date=meeting_on.isoformat())


def check_report(field: str, day: date, agreed_on: date, today: date) -> None:
    not_in_future(field, day, today)
    if day < agreed_on:
        raise DomainError("date.before_agreed", field=field, date=agreed_on.isoformat())


def check_feedback(field: str, day: date, received_on: date, today: date) -> None:
    not_in_future(field, day, today)
    if day < received_on:
        raise DomainError("date.before_received", field=field, date=received_on.isoformat())
