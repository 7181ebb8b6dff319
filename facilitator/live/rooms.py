"""Where the live layer sends: the Socket.IO namespace and a meeting's room per role."""

NAMESPACE = "/live"


def room(meeting_id: int, role: str) -> str:
    return f"meeting:{meeting_id}:{role}"
