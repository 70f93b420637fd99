#!/usr/bin/python3
"""The official MCP TypeScript SDK's client against the demo's /mcp.

Starts the demo, and the demo in each deployment shape (interop.py),
writes their credentials to a JSON file and runs
js/mcp_sdk.test.mjs with node --test: the SDK's client, given only the
/mcp URL, finds its way through the 401, the resource and authorization
server metadata, registration, the authorization (login and consent
answered by the test), the exchange, the tool and a refresh. The default
demo also takes Client ID Metadata Documents (--client-documents loopback):
the test serves one over https on 127.0.0.1 (a self-signed certificate the
demo is told to trust) and hands its URL to the SDK. SKIP (exit
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
import documents as document_server  # noqa: E402
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
        documents = document_server.DocumentServer(tmp)
        d = demo.Demo(extra_args=["--client-documents", "loopback",
                                  "--document-ca-file", documents.cert])
        demos = {"default": d.start(), "shapes": {}}
        running.append(d)
        cimd_url = documents.client("/mcp-client.json",
                                    demos["default"]["redirect_uri"])
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
        env = dict(os.environ, PROAUTH2_E2E_DEMOS=path, NO_PROXY="*",
                   PROAUTH2_E2E_CIMD_URL=cimd_url)
        r = subprocess.run([node, "--test", "--test-reporter=spec", "mcp_sdk.test.mjs"],
                           cwd=JS, env=env, timeout=RUN_TIMEOUT)
        status = r.returncode
        # The demo fetched the document (the SDK only names its URL), once:
        # its max-age=60 covered the authorization and the token requests.
        print("document fetches by the demo: %s" % documents.fetched, flush=True)
        if documents.fetched != ["/mcp-client.json"]:
            print("error: expected one fetch of /mcp-client.json", flush=True)
            status = 1
        documents.stop()
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
