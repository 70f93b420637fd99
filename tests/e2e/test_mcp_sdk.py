#!/usr/bin/python3
"""The official MCP TypeScript SDK's client against the demo's /mcp.

Starts the demo, and the demo in each deployment shape (interop.py),
writes their credentials to a JSON file and runs
js/mcp_sdk.test.mjs with node --test: the SDK's client, given only the
/mcp URL, finds its way through the 401, the resource and authorization
server metadata, registration, the authorization (login and consent
answered by the test), the exchange, the tool and a refresh. SKIP (exit
77) naming what is missing: node, or @modelcontextprotocol/sdk
(tests/e2e/js/install.sh).

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_mcp_sdk.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
JS = os.path.join(HERE, "js")
SDK = os.path.join(JS, "node_modules", "@modelcontextprotocol", "sdk", "package.json")
sys.path.insert(0, HERE)

import demo  # noqa: E402
import interop  # noqa: E402

RUN_TIMEOUT = 120  # seconds, the whole node run


def skip(what, how):
    print("SKIP: %s is not installed (%s)" % (what, how), flush=True)
    sys.exit(77)


def main():
    node = shutil.which("node")
    if node is None:
        skip("node", "apt-get install nodejs, or run tests/e2e/js/install.sh")
    if not os.path.isfile(SDK):
        skip("@modelcontextprotocol/sdk", "run tests/e2e/js/install.sh")

    running = []
    tmp = tempfile.mkdtemp(prefix="proauth2-mcp-")
    status = 1
    try:
        d = demo.Demo()
        demos = {"default": d.start(), "shapes": {}}
        running.append(d)
        for name in interop.SHAPES:
            try:
                sd, creds, shape = interop.start_shape(name)
            except demo.DemoError as e:
                demos["shapes"][name] = {"error": str(e).strip()}
                continue
            running.append(sd)
            demos["shapes"][name] = {"creds": creds, "shape": shape}
        # The demo with signing keys: /mcp's access tokens are JWTs.
        kek = os.path.join(tmp, "demo.kek")
        jd, creds = demo.start_on_free_port(
            lambda port: ["--port", str(port), "--key-file", kek])
        running.append(jd)
        demos["shapes"]["jwt-tokens"] = {"creds": creds, "shape": {"name": "jwt-tokens"}}
        path = os.path.join(tmp, "demos.json")
        with open(path, "w") as f:
            json.dump(demos, f)
        env = dict(os.environ, PROAUTH2_E2E_DEMOS=path, NO_PROXY="*")
        r = subprocess.run([node, "--test", "--test-reporter=spec", "mcp_sdk.test.mjs"],
                           cwd=JS, env=env, timeout=RUN_TIMEOUT)
        status = r.returncode
    finally:
        for d in running:
            try:
                d.stop()
            except demo.DemoError as e:
                print("error: %s" % e, flush=True)
                status = 1
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if status else 0


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    sys.exit(main())
