"""Which addresses phones in the room can reach (facilitator/addresses.py)."""
from __future__ import annotations

import pytest

from facilitator.addresses import addresses_for_phones, is_this_computer_only, reachable


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST",
                                  "app.localhost", "::1", "[::1]"])
def test_loopback_names_and_addresses_mean_this_computer(host):
    assert is_this_computer_only(host)


@pytest.mark.parametrize("host", ["192.168.1.23", "10.0.0.5", "yishi.example.org", "", "0.0.0.0"])
def test_other_hosts_do_not(host):
    assert not is_this_computer_only(host)


def test_only_addresses_other_devices_can_reach_are_kept_once_in_order():
    assert reachable(["127.0.0.1", "192.168.1.23", "169.254.3.4", "0.0.0.0", "::1",
                      "fe80::1", "not an address", "10.0.0.5", "192.168.1.23"]) == [
        "192.168.1.23", "10.0.0.5"]


def test_a_server_bound_to_this_computer_only_is_reachable_by_no_phone():
    assert addresses_for_phones("127.0.0.1") == []
    assert addresses_for_phones("192.168.1.23") == ["192.168.1.23"]
