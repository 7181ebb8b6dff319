"""Who may see and act on what, for signed-in staff and API tokens: decided here only.

* Administrators see and act on everything.
* A case is seen, and acted on, by its members (moderators and clerks an administrator or
  the case's creator assigned; the creator is the first member). To everybody else it does
  not exist: pages and the API answer 404, never 403, so case numbers and meeting ids
  cannot be probed.
* A meeting's console (its commands, its join code, its draft minutes) is for the meeting's
  moderator and clerk, who are members of its case, and for administrators.
* Members are managed by administrators and by the case's creator. A member who runs a
  meeting of the case that has not ended cannot be removed (reassign the meeting first).

Phones and the projector are not staff: they hold tokens of their own (facilitator/joining.py,
the projector link) and see what live/redaction.py gives their role.
"""
from __future__ import annotations

from .extensions import db
from .models import Case, CaseMember, Meeting, User


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == "admin"


def is_member(user: User | None, case_id: int) -> bool:
    if user is None:
        return False
    return db.session.execute(db.select(CaseMember.id).filter_by(
        case_id=case_id, user_id=user.id)).first() is not None


def sees_case(user: User | None, case_id: int) -> bool:
    return is_admin(user) or is_member(user, case_id)


def visible_cases(user: User | None):
    """A select of the cases `user` sees (add ordering and filters to it)."""
    query = db.select(Case)
    if is_admin(user):
        return query
    member_of = db.select(CaseMember.case_id).where(
        CaseMember.user_id == (user.id if user else -1))
    return query.where(Case.id.in_(member_of))


def chairs_meeting(user: User | None, meeting: Meeting) -> bool:
    """Whether `user` may run the meeting's console (moderator or clerk of it, or admin)."""
    if is_admin(user):
        return True
    return user is not None and meeting.run_by(user.id) and is_member(user, meeting.case_id)


def manages_members(user: User | None, case: Case) -> bool:
    return is_admin(user) or (user is not None and case.created_by_id == user.id)


def members_of(case_id: int) -> list[CaseMember]:
    return list(db.session.execute(db.select(CaseMember).filter_by(case_id=case_id)
                                   .order_by(CaseMember.id)).scalars())
