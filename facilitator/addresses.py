"""Which addresses phones in the room can reach this server at.

A moderator usually opens the console on the laptop that runs the server, as
http://127.0.0.1:5000: an address that means "this computer" to every phone that scans it.
When the server listens on every interface, the join links and QR codes then use the
laptop's address on the local network instead; when there is none, the console says that
phones cannot reach the address (web/links.py).
"""
from __future__ import annotations

import ipaddress
import socket

ALL_INTERFACES = ("0.0.0.0", "::", "")


def is_this_computer_only(host: str) -> bool:
    """localhost, 127.x.x.x, ::1: reachable from this computer and nowhere else."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def reachable(candidates) -> list[str]:
    """The IPv4 addresses among candidates that other devices can reach (not loopback, not
    link-local, not unspecified), in order, each once."""
    found: list[str] = []
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if (address.version == 4 and not address.is_loopback and not address.is_link_local
                and not address.is_unspecified and str(address) not in found):
            found.append(str(address))
    return found


def _outgoing_address() -> str | None:
    """The address this computer would send from toward another network (a UDP socket only
    chooses its route: nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never answered, never needed
            return probe.getsockname()[0]
        except OSError:
            return None


def local_network_addresses() -> list[str]:
    """This computer's addresses on its networks, the one with the default route first."""
    candidates = [_outgoing_address()]
    try:
        candidates += [info[4][0] for info in socket.getaddrinfo(
            socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    return reachable(c for c in candidates if c)


def addresses_for_phones(listen_host: str) -> list[str]:
    """Where phones can reach a server listening on listen_host."""
    if listen_host in ALL_INTERFACES:
        return local_network_addresses()
    return [] if is_this_computer_only(listen_host) else [listen_host]
