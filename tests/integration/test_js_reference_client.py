"""The reference client in another language (clients/js, JavaScript with socket.io-client),
written from docs/protocol.md, docs/api.md and the OpenAPI document alone, plays a whole
meeting against the real server (`facilitator serve` with the demo): the console, the
projector and two phones, every event checked against the generated schemas and every
client's reduced state against a fresh snapshot. The steps are node's tests
(clients/js/meeting.test.mjs); this test starts the server and asks that they all pass."""
from __future__ import annotations

import re
import shutil
import subprocess

from tests.support import REPO_ROOT, demo_server, require_service, run_facilitator, service_env

NODE_TIMEOUT = 180


def node_ready() -> str:
    """The node binary, once node 20+ and the npm packages (`npm ci`, which ./dev runs) are
    there; skips on a developer's machine without them, fails under CI=true."""
    node = shutil.which("node")
    require_service(node is not None, "node is not installed (the reference client needs node 20+)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = re.match(r"v(\d+)", version)
    require_service(bool(major) and int(major.group(1)) >= 20,
                    f"node {version or '?'} is too old (the reference client needs node 20+)")
    for package in ("socket.io-client", "ajv"):
        require_service((REPO_ROOT / "node_modules" / package / "package.json").exists(),
                        f"node_modules/{package} is missing (run `npm ci`, as ./dev does)")
    return node


def test_the_reference_client_plays_a_whole_meeting():
    node = node_ready()
    with demo_server() as server:
        username, password = server.info["username"], server.info["password"]
        issued = run_facilitator("create-token", username, env=server.env)
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip().splitlines()[-1]
        # node runs on the machine's clock, not the suite's frozen one: it only measures
        # timeouts, and every time it checks comes from the server.
        env = {**service_env(), "FACILITATOR_URL": server.base_url,
               "FACILITATOR_MEETING_ID": str(server.info["meeting_id"]),
               "FACILITATOR_USERNAME": username, "FACILITATOR_PASSWORD": password,
               "FACILITATOR_API_TOKEN": token}
        run = subprocess.run([node, "--test", "--test-reporter=spec", "clients/js/"], cwd=REPO_ROOT,
                             env=env, capture_output=True, text=True, timeout=NODE_TIMEOUT)
        report = run.stdout + run.stderr
        assert run.returncode == 0, (f"the reference client failed (node exit {run.returncode}):\n"
                                     f"{report}\n--- server log ---\n{server.log_tail()}")
        assert re.search(r"ℹ pass (\d+)", report) and "ℹ fail 0" in report, report
