#!/usr/bin/python3
"""oauth4webapi, a strict JavaScript OAuth 2 client from npm, against the demo.

Starts the demo, the demo as an OpenID Provider (--openid on, which the
library checks as an OpenID relying party: the id_token's signature and
claims, UserInfo's subject, a refreshed id_token), and the demo in each
deployment shape (interop.py), writes
their credentials to a JSON file and runs js/oauth4webapi.test.mjs with
node --test, which drives every flow through the library. A shape whose
demo does not start is passed on as an error, which fails its test alone.
SKIP (exit 77) naming what is missing: node, or oauth4webapi
(tests/e2e/js/install.sh).

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_oauth4webapi.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
JS = os.path.join(HERE, "js")
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
    if not os.path.isfile(os.path.join(JS, "node_modules", "oauth4webapi", "package.json")):
        skip("oauth4webapi", "run tests/e2e/js/install.sh")
    # test_clients.py's form parser, used by interop.browser_login.
    demo.skip_unless_importable((("requests", "python3-requests"),))

    running = []
    tmp = tempfile.mkdtemp(prefix="proauth2-js-")
    try:
        d = demo.Demo()
        demos = {"default": d.start(), "shapes": {}}
        running.append(d)
        # OpenID Connect: its own demo, --openid on.
        d = demo.Demo(extra_args=["--openid", "on", "--backchannel-logout", "loopback"])
        demos["openid"] = d.start()
        running.append(d)
        for name in interop.SHAPES:
            try:
                sd, creds, shape = interop.start_shape(name)
            except demo.DemoError as e:
                demos["shapes"][name] = {"error": str(e).strip()}
                continue
            running.append(sd)
            demos["shapes"][name] = {"creds": creds, "shape": shape}
        path = os.path.join(tmp, "demos.json")
        with open(path, "w") as f:
            json.dump(demos, f)
        env = dict(os.environ, PROAUTH2_E2E_DEMOS=path, NO_PROXY="*")
        r = subprocess.run([node, "--test", "--test-reporter=spec", "oauth4webapi.test.mjs"],
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
