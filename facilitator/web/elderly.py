"""The phone's elderly mode (长辈模式) as the server sees it: static/js/elderly.js remembers the
choice in this cookie (as well as in the phone's storage), so that a phone page is drawn large
from its first frame, before any script has run."""
from flask import request

ELDERLY_COOKIE = "elderly-mode"


def elderly_mode() -> bool:
    return request.cookies.get(ELDERLY_COOKIE) == "on"
