#!/usr/bin/python3
"""README.rst's walkthrough, pasted in order, against the demo.

Extracts the shell block that follows "--credentials-file demo.json" in
README.rst, starts the demo (its credentials file copied to demo.json in a
fresh directory), and runs each step (its comment and the commands under
it) with sh, in order, the variables one step sets carried to the next.
The one thing a browser does, logging in and consenting at the printed
/authorize URL, is done here by posting the demo's forms; its code is what
the step's ``read`` gets on stdin. Each answer is checked against what the
comment above it says. The demo's banner must print the same steps.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_readme.py

The README's URL, http://127.0.0.1:8080, is replaced by the demo's (a free
port). Needs sh, curl and jq (apt-get install curl jq); a SKIP names what
is missing.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import demo  # noqa: E402

demo.skip_unless_importable((("requests", "python3-requests"),))
for tool, package in (("sh", "dash"), ("curl", "curl"), ("jq", "jq")):
    if shutil.which(tool) is None:
        print("SKIP: %s is not installed (apt-get install %s)" % (tool, package), flush=True)
        sys.exit(77)

import requests  # noqa: E402

README = os.path.join(HERE, "..", "..", "README.rst")
README_URL = "http://127.0.0.1:8080"
TIMEOUT = 10      # seconds, each HTTP request made here
STEP_TIMEOUT = 30  # seconds, each step run with sh


def walkthrough():
    """The README's walkthrough block as a list of steps, each a list of
    lines without the block's indentation."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    start = text.index("--credentials-file demo.json")
    start = text.index("::\n\n", start) + 4
    lines = []
    for line in text[start:].splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    while lines and not lines[-1]:
        lines.pop()
    return split_steps(lines)


def split_steps(lines):
    """A step: comment lines, then the command lines under them."""
    steps, cur = [], []
    for line in lines:
        if line.startswith("#") and cur and not cur[-1].startswith("#"):
            steps.append(cur)
            cur = []
        cur.append(line)
    if cur:
        steps.append(cur)
    return steps


def banner_steps(log):
    """The steps the demo printed under "Try it"."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Try it"):
            body = [l[2:] for l in lines[i + 1:] if l.startswith("  ")]
            return split_steps(body)
    raise AssertionError("no \"Try it\" in the banner:\n" + log)


class Shell:
    """Runs steps one by one with sh in one directory; what a step assigns
    (set -a exports it) is the environment of the next."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items()
                    if k in ("PATH", "LANG", "LC_ALL", "HOME")}
        self.env.update(http_proxy="", https_proxy="", HTTP_PROXY="", HTTPS_PROXY="",
                        no_proxy="*")

    def run(self, script, stdin=""):
        state = os.path.join(self.workdir, ".state")
        full = "set -a\n%s\nenv -0 > %s\n" % (script, state)
        r = subprocess.run(["sh", "-c", full], cwd=self.workdir, env=self.env,
                           input=stdin.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=STEP_TIMEOUT)
        with open(state, "rb") as f:
            pairs = [p.decode() for p in f.read().split(b"\0") if p]
        os.unlink(state)
        self.env = dict(p.split("=", 1) for p in pairs)
        self.env.pop("PWD", None)
        self.env.pop("OLDPWD", None)
        return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode(
            "utf-8", "replace")


class ReadmeWalkthroughTest(unittest.TestCase):

    def setUp(self):
        self.demo = demo.Demo()
        self.creds = self.demo.start()
        self.addCleanup(self.demo.stop)
        self.workdir = tempfile.mkdtemp(prefix="proauth2-readme-")
        self.addCleanup(shutil.rmtree, self.workdir, True)
        shutil.copy(self.demo.credentials_path, os.path.join(self.workdir, "demo.json"))
        self.base = self.creds["issuer"].rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False
        self.addCleanup(self.http.close)

    # -- what a browser does ------------------------------------------------
    def browser_code(self, authorization_url):
        """Log in and allow at the URL, as test_clients.py does; the code."""
        from test_clients import find_form, submit_data
        b = self.http
        r = b.get(authorization_url, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:500])
        form = find_form(r.text, "username")
        r = b.post(urllib.parse.urljoin(r.url, form["action"]), timeout=TIMEOUT,
                   data=submit_data(form, "login", {"username": self.creds["user"],
                                                    "password": self.creds["password"]}))
        self.assertEqual(r.status_code, 200, r.text[:500])
        form = find_form(r.text, "allow")
        r = b.post(urllib.parse.urljoin(r.url, form["action"]), data=submit_data(form, "allow"),
                   timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 303, r.text[:500])
        location = r.headers["Location"]
        self.assertTrue(location.startswith(self.creds["redirect_uri"] + "?"), location)
        return urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]

    # -- checks, one per step, in the README's order -------------------------
    def json_of(self, out):
        try:
            return json.loads(out)
        except ValueError:
            self.fail("not one JSON answer: %r" % out[:500])

    def error_of(self, out, error):
        body = self.json_of(out)
        self.assertEqual(body.get("error"), error, body)

    def check_variables(self, out, env):
        c = self.creds
        self.assertEqual(out, "")
        want = {"AS": self.base,
                "ID": c["confidential"]["client_id"],
                "SECRET": c["confidential"]["client_secret"],
                "PUBLIC_ID": c["public"]["client_id"],
                "VERIFIER": c["code_verifier"],
                "RS_ID": c.get("resource_server", {}).get("client_id"),
                "RS_SECRET": c.get("resource_server", {}).get("client_secret")}
        for name, value in want.items():
            self.assertIsNotNone(value, "the credentials file has no value for $%s: %s"
                                 % (name, sorted(c)))
            self.assertEqual(env.get(name), value, name)

    def check_client_token(self, out, env):
        body = self.json_of(out)
        self.assertTrue(body.get("access_token"), body)
        self.assertEqual(body.get("token_type"), "Bearer", body)
        self.assertEqual(body.get("scope"), "api", body)
        self.assertNotIn("refresh_token", body)

    def check_password_token(self, out, env):
        body = self.json_of(out)
        self.assertTrue(body.get("access_token"), body)
        self.assertTrue(body.get("refresh_token"), body)
        self.assertEqual(body.get("scope"), "profile", body)
        r = self.http.get(self.base + "/api/me", timeout=TIMEOUT,
                          headers={"Authorization": "Bearer " + body["access_token"]})
        self.assertEqual(r.json().get("sub"), "demo", r.text)

    def check_read_code(self, out, env):
        self.assertEqual(out, "")
        self.assertEqual(env.get("CODE"), self.code)

    def check_code_tokens(self, out, env):
        body = self.json_of(out)
        self.assertEqual(body.get("scope"), "profile email api", body)
        self.assertTrue(body.get("refresh_token"), body)
        self.assertEqual(env.get("ACCESS"), body.get("access_token"))
        self.assertEqual(env.get("REFRESH"), body.get("refresh_token"))

    def check_me(self, out, env):
        body = self.json_of(out)
        self.assertEqual(body.get("sub"), "demo", body)
        self.assertEqual(body.get("client_id"), self.creds["public"]["client_id"], body)

    def check_refresh(self, out, env):
        body = self.json_of(out)
        self.assertTrue(body.get("access_token"), body)
        self.assertTrue(body.get("refresh_token"), body)
        self.assertNotEqual(body["access_token"], self.before.get("ACCESS"))
        self.assertNotEqual(body["refresh_token"], self.before.get("REFRESH"))
        self.assertEqual(env.get("OLD_REFRESH"), self.before.get("REFRESH"))
        self.assertEqual(env.get("ACCESS"), body["access_token"])
        self.assertEqual(env.get("REFRESH"), body["refresh_token"])

    def check_rs_introspection(self, out, env):
        body = self.json_of(out)
        self.assertIs(body.get("active"), True, body)
        self.assertEqual(body.get("sub"), "demo", body)
        self.assertEqual(body.get("client_id"), self.creds["public"]["client_id"], body)

    def check_revoke(self, out, env):
        self.assertEqual(self.json_of(out), {})
        # Revoked indeed: the resource server's view.
        r = self.http.post(self.base + "/introspect", data={"token": env.get("ACCESS")},
                           auth=(self.creds["confidential"]["client_id"],
                                 self.creds["confidential"]["client_secret"]),
                           timeout=TIMEOUT)
        self.assertEqual(r.json(), {"active": False})

    def check_invalid_token(self, out, env):
        self.error_of(out, "invalid_token")

    def check_invalid_grant(self, out, env):
        self.error_of(out, "invalid_grant")

    def check_metadata(self, out, env):
        body = self.json_of(out)
        self.assertEqual(body.get("issuer"), self.creds["issuer"], body)
        for name, path in (("token_endpoint", "/token"), ("authorization_endpoint", "/authorize"),
                           ("revocation_endpoint", "/revoke"),
                           ("introspection_endpoint", "/introspect"),
                           ("registration_endpoint", "/register")):
            self.assertEqual(body.get(name), self.base + path, body)

    def check_registration(self, out, env):
        body = self.json_of(out)
        for field in ("client_id", "client_secret", "registration_access_token",
                      "registration_client_uri"):
            self.assertTrue(body.get(field), body)
        self.assertEqual(body.get("scope"), "api", body)
        self.registered = body

    def check_read_back(self, out, env):
        body = self.json_of(out)
        self.assertEqual(body.get("client_id"), self.registered["client_id"], body)
        self.assertNotIn("client_secret", body)
        self.assertNotIn("registration_access_token", body)

    # (a phrase of the step's comment, its check)
    STEPS = (
        ("the demo's issuer, its clients", check_variables),
        ("client_secret_basic: an access token with scope api", check_client_token),
        ("the same with client_secret_post", check_client_token),
        ("the password grant, for legacy clients: tokens for the user demo",
         check_password_token),
        ("paste here the code the /callback page shows", check_read_code),
        ("an access\n# token with scope \"profile email api\", and a refresh token",
         check_code_tokens),
        ("call the protected resource (it needs scope profile): the user, demo", check_me),
        ("refresh: a new access token and a new refresh token", check_refresh),
        ("the demo API introspects the token it was sent (RFC 7662): active",
         check_rs_introspection),
        ("the public client revokes its access token (RFC 7009): {}", check_revoke),
        ("the protected resource now refuses it: invalid_token", check_invalid_token),
        ("the old refresh token stopped working: invalid_grant", check_invalid_grant),
        ("so the newest refresh token is refused too: invalid_grant", check_invalid_grant),
        ("the metadata (RFC 8414)", check_metadata),
        ("dynamic registration (RFC 7591)", check_registration),
        ("read the registration back (RFC 7592)", check_read_back),
    )

    def test_walkthrough(self):
        steps = walkthrough()
        self.assertEqual(len(steps), len(self.STEPS),
                         "README steps: %s" % [s[0] for s in steps])
        shell = Shell(self.workdir)
        self.registered = {}
        failures = []
        for lines, (phrase, check) in zip(steps, self.STEPS):
            text = "\n".join(lines)
            comment = "\n".join(l for l in lines if l.startswith("#"))
            self.assertIn(phrase, comment, "the README's steps changed: %s" % text)
            script = text.replace(README_URL, self.base)
            stdin = ""
            if "read -r CODE" in script:
                with open(os.path.join(self.workdir, "demo.json")) as f:
                    self.code = self.browser_code(json.load(f)["authorization_url"])
                stdin = self.code + "\n"
            self.before = dict(shell.env)
            rc, out, err = shell.run(script, stdin)
            print("$ %s\n%s%s" % (script.replace("\n", "\n  "), out, err), flush=True)
            try:
                self.assertEqual(rc, 0, err)
                self.assertEqual(err, "")
                check(self, out.strip(), shell.env)
            except AssertionError as e:
                failures.append("step \"%s\": %s" % (comment.splitlines()[0], e))
        if failures:
            self.fail("%d of %d steps fail:\n%s" % (len(failures), len(steps),
                                                    "\n".join(failures)))

    def test_banner_prints_the_same_steps(self):
        readme = walkthrough()
        with open(self.demo.log_path, encoding="utf-8") as f:
            printed = banner_steps(f.read())
        self.assertEqual(printed[0][:2], readme[0][:2])
        # The first step sets the variables: the banner with this demo's
        # values, the README from the credentials file.
        names = [re.match(r"[A-Z_]+=", l).group(0) for l in readme[0][2:]]
        self.assertEqual([re.match(r"[A-Z_]+=", l).group(0) for l in printed[0][2:]], names)
        self.assertEqual(printed[1:], readme[1:])


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
