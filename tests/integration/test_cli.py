"""The `facilitator` command as an operator uses it."""
from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from facilitator import create_app
from facilitator.cli import cli
from facilitator.database import DatabaseNotMigrated

from tests.support import run_facilitator


def run_cli(tmp_path, *args, timeout=60):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "FACILITATOR_INSTANCE": str(tmp_path)}
    return run_facilitator(*args, env=env, timeout=timeout)


@pytest.mark.parametrize("command", [[], ["serve"], ["demo"], ["create-user"], ["create-token"],
                                     ["upgrade-db"], ["db", "upgrade"]])
def test_every_command_explains_itself(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output


def test_demo_migrates_an_empty_database_loads_the_case_and_says_how_to_start(tmp_path):
    first = run_cli(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "JH-YSHSL-2026-014" in first.stdout
    assert re.search(r"Console:\s+http://127\.0\.0\.1:5000/meetings/1/console", first.stdout)
    assert "zhengwentao / demo-2026" in first.stdout
    # Phones cannot open 127.0.0.1: the demo names an address on this network, or says so.
    assert re.search(r"Phones:\s+http://\d+\.\d+\.\d+\.\d+:5000/j/\d{6}\?k=", first.stdout) or \
        "Phones cannot open 127.0.0.1" in first.stdout
    code = re.search(r"Join code: (\d{6})", first.stdout).group(1)
    again = run_cli(tmp_path, "demo")  # a second run finds the same meeting, adds nothing
    assert again.returncode == 0 and f"Join code: {code}" in again.stdout


def test_create_user_then_sign_in_with_it(tmp_path):
    assert run_cli(tmp_path, "upgrade-db").returncode == 0
    made = run_cli(tmp_path, "create-user", "lihua", "--role", "clerk", "--name", "李华",
                   "--password", "a-long-password")
    assert made.returncode == 0 and "Created clerk 'lihua'" in made.stdout
    again = run_cli(tmp_path, "create-user", "lihua", "--password", "a-long-password")
    assert again.returncode != 0 and "already exists" in again.stderr
    short = run_cli(tmp_path, "create-user", "wang", "--password", "short")
    assert short.returncode != 0 and "at least 8" in short.stderr
    token = run_cli(tmp_path, "create-token", "lihua")
    assert token.returncode == 0 and token.stdout.strip().startswith("fct_")
    read_only = run_cli(tmp_path, "create-token", "lihua", "--read-only")
    assert read_only.returncode == 0 and read_only.stdout.strip().startswith("fct_")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}",
                      "ASYNC_MODE": "threading", "TESTING": True})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {read_only.stdout.strip()}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert client.post("/api/v1/cases", headers=headers, json={}).status_code == 403


def test_the_server_refuses_an_unmigrated_database_with_a_clear_message(tmp_path):
    result = run_cli(tmp_path, "serve", "--port", "0", timeout=60)
    assert result.returncode != 0
    assert "not migrated" in result.stderr and "facilitator db upgrade" in result.stderr


def test_the_app_factory_refuses_an_unmigrated_database(tmp_path):
    with pytest.raises(DatabaseNotMigrated):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
                    "ASYNC_MODE": "threading"})


def test_serve_says_where_phones_on_the_network_can_join(monkeypatch):
    from facilitator import addresses, cli as cli_module
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ASYNC_MODE": "threading",
                      "REQUIRE_MIGRATED_DATABASE": False, "PUBLIC_URL": None})
    monkeypatch.setattr(addresses, "local_network_addresses", lambda: ["192.168.1.23"])
    runner = CliRunner()
    with runner.isolation() as (out, _err, *_):
        cli_module._say_where_phones_join(app, "0.0.0.0", 5000)
    assert "phones on this network can join at http://192.168.1.23:5000" in out.getvalue().decode()
    assert app.config["LAN_ADDRESSES"] == ["192.168.1.23"]
