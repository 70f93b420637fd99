"""End-to-end: the requests dracoon-python-api (github.com/unbekanntes-pferd/
dracoon-python-api, dracoon/client/__init__.py: DRACOONClient.connect for
the password, authorization code and refresh flows, get_code_url,
logout) sends, byte for byte in their shape, with python3-requests against
provider_demo mounted as a DRACOON host mounts it (endpoints under /oauth).

What that library does that a strict server refuses:
- its default app is public with client_secret "", so the password flow
  sends ``Authorization: Basic base64("<id>:")`` (RFC 6749 §2.3.1: an empty
  secret is no secret; the client is identified, as with ``none``);
- the code, refresh and revocation requests carry ``client_secret=``
  (no value: omitted, RFC 6749 §3.1) and, once connected, the session's
  ``Authorization: Bearer <access token>``, which the token and revocation
  endpoints do not read;
- get_code_url() asks scope=all, with branding=full, an unencoded
  redirect_uri and no PKCE (its legacy scripting client): the host must
  let that one client off PKCE (proauth2_client_params.pkce_optional).

The flows that need the demo to pre-register DRACOON's clients (a public
client with the password grant; the legacy client without PKCE) and to
support scope "all" run when the demo has --client and --scopes, and are
skipped, naming the flag, when it lacks them.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_dracoon.py
"""

import base64
import os
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

demo.skip_unless_importable((("requests", "python3-requests"),))

import requests  # noqa: E402

import interop  # noqa: E402

TIMEOUT = interop.TIMEOUT
USER_AGENT = "dracoon-python-1.13.0"  # the library's USER_AGENT
LEGACY_ID = "dracoon_legacy_scripting"  # DRACOONClient's default client_id


def demo_help():
    r = subprocess.run([demo.find_binary(), "--help"], capture_output=True,
                       text=True, timeout=TIMEOUT)
    return r.stdout + r.stderr


class Dracoon:
    """DRACOONClient's requests, with its session headers: User-Agent
    always; Basic for the password flow, then Bearer once connected."""

    def __init__(self, base_url, client_id, redirect_uri, client_secret=""):
        self.base_url = base_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.http = requests.Session()
        self.http.headers = {"User-Agent": USER_AGENT}
        self.connection = None

    def close(self):
        self.http.close()

    def _connected(self, r):
        r.raise_for_status()
        self.connection = r.json()
        self.http.headers["Authorization"] = "Bearer " + self.connection["access_token"]
        return self.connection

    def password_flow(self, username, password):
        token_payload = base64.b64encode(
            bytes(self.client_id + ":" + self.client_secret, "ascii"))
        self.http.headers["Authorization"] = "Basic " + token_payload.decode("ascii")
        return self.http.post(self.base_url + "/oauth/token", timeout=TIMEOUT,
                              data={"grant_type": "password", "username": username,
                                    "password": password})

    def get_code_url(self):
        return (self.base_url + "/oauth/authorize?branding=full&response_type=code"
                "&client_id=%s&redirect_uri=%s&scope=all" % (self.client_id, self.redirect_uri))

    def auth_code(self, code):
        return self.http.post(self.base_url + "/oauth/token", timeout=TIMEOUT,
                              data={"grant_type": "authorization_code", "code": code,
                                    "client_id": self.client_id,
                                    "client_secret": self.client_secret,
                                    "redirect_uri": self.redirect_uri})

    def refresh(self):
        return self.http.post(self.base_url + "/oauth/token", timeout=TIMEOUT,
                              data={"grant_type": "refresh_token",
                                    "refresh_token": self.connection["refresh_token"],
                                    "client_id": self.client_id,
                                    "client_secret": self.client_secret})

    def logout(self):
        """logout(revoke_refresh_token=True): the access token, then the
        refresh token, each in its own request."""
        answers = []
        for hint in ("access_token", "refresh_token"):
            answers.append(self.http.post(
                self.base_url + "/oauth/revoke", timeout=TIMEOUT,
                data={"token": self.connection[hint], "token_type_hint": hint,
                      "client_id": self.client_id, "client_secret": self.client_secret}))
        return answers


class DracoonTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.help = demo_help()
        cls.demo, cls.first_creds, cls.first_shape = interop.start_shape("prefix-mount")

    @classmethod
    def tearDownClass(cls):
        cls.demo.stop()

    def setUp(self):
        self.creds, self.shape = self.first_creds, self.first_shape
        self.base_url = self.creds["issuer"]  # DRACOON's base_url; endpoints at /oauth

    def client(self, client_id, client_secret=""):
        c = Dracoon(self.base_url, client_id, self.creds["redirect_uri"], client_secret)
        self.addCleanup(c.close)
        return c

    def code_from(self, url):
        b = requests.Session()
        self.addCleanup(b.close)
        location = interop.browser_login(b, url, self.creds["user"], self.creds["password"])
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        self.assertIn("code", params, location)
        return params["code"]

    def assertError(self, r, status, code):
        self.assertEqual(r.status_code, status, r.text[:300])
        self.assertEqual(r.json().get("error"), code, r.text[:300])

    def assertLoggedOut(self, c):
        """Both tokens dead: the refresh is refused, the access token is
        inactive to the demo's resource server."""
        self.assertError(c.refresh(), 400, "invalid_grant")
        rs = self.creds["resource_server"]
        r = requests.post(self.shape["base"] + "/introspect", timeout=TIMEOUT,
                          auth=(rs["client_id"], rs["client_secret"]),
                          data={"token": c.connection["access_token"]})
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertEqual(r.json(), {"active": False})

    # -- what runs on the demo as it is --------------------------------------

    def test_empty_basic_password_identifies_the_public_client(self):
        # Before: 401 invalid_client. The demo's public client has no
        # password grant: identified, then refused for the grant.
        c = self.client(self.creds["public"]["client_id"])
        self.assertError(c.password_flow(self.creds["user"], self.creds["password"]),
                         400, "unauthorized_client")

    def test_empty_basic_password_never_authenticates_a_confidential_client(self):
        c = self.client(self.creds["confidential"]["client_id"])
        r = c.password_flow(self.creds["user"], self.creds["password"])
        self.assertError(r, 401, "invalid_client")
        self.assertIn("Basic", r.headers.get("WWW-Authenticate", ""))

    def test_refresh_and_logout_of_the_public_client(self):
        # Tokens by the demo's own code flow (with PKCE: this client needs
        # it); then DRACOON's refresh and logout, Bearer header and all.
        c = self.client(self.creds["public"]["client_id"])
        code = self.code_from(self.creds["authorization_url"].replace(
            self.base_url + "/authorize", self.shape["base"] + "/authorize"))
        r = requests.post(self.shape["base"] + "/token", timeout=TIMEOUT,
                          data={"grant_type": "authorization_code", "code": code,
                                "client_id": c.client_id, "redirect_uri": c.redirect_uri,
                                "code_verifier": self.creds["code_verifier"]})
        c._connected(r)
        c._connected(c.refresh())
        for answer in c.logout():
            self.assertEqual(answer.status_code, 200, answer.text[:300])
        self.assertLoggedOut(c)

    def test_code_flow_without_pkce_is_refused_to_a_client_not_let_off(self):
        c = self.client(self.creds["public"]["client_id"])
        url = c.get_code_url().replace("scope=all", "scope=profile")
        r = requests.get(url, timeout=TIMEOUT, allow_redirects=False)
        self.assertIn(r.status_code, (302, 303, 400), r.text[:300])
        where = r.headers.get("Location", "") + r.text
        self.assertIn("invalid_request", where)

    # -- DRACOON's own clients, pre-registered by the host -------------------

    def needs(self, *flags):
        missing = [f for f in flags if f not in self.help]
        if missing:
            self.skipTest("the demo has no %s (pre-registered clients and scopes)"
                          % ", ".join(missing))

    def test_password_flow_refresh_and_logout(self):
        self.needs("--client", "--scopes")
        c = self.client(self.use_dracoon_demo()["default"])
        c._connected(c.password_flow(self.creds["user"], self.creds["password"]))
        c._connected(c.refresh())
        for answer in c.logout():
            self.assertEqual(answer.status_code, 200, answer.text[:300])
        self.assertLoggedOut(c)

    def test_legacy_code_flow_scope_all_without_pkce(self):
        self.needs("--client", "--scopes", "pkce")
        c = self.client(self.use_dracoon_demo()["legacy"])
        code = self.code_from(c.get_code_url())
        tokens = c._connected(c.auth_code(code))
        self.assertEqual(tokens["scope"], "all")
        c._connected(c.refresh())
        for answer in c.logout():
            self.assertEqual(answer.status_code, 200, answer.text[:300])
        self.assertLoggedOut(c)

    def use_dracoon_demo(self):
        """A second demo with DRACOON's two clients: the default app
        (public, password and code) and the legacy scripting client
        (public, no PKCE), both with scope all; this test's requests go
        there. """
        shapes = []

        def args(port):
            shapes.append(interop.shape("prefix-mount", port))
            uri = "http://127.0.0.1:%d/callback" % port
            return shapes[-1]["args"] + [
                "--scopes", "all",
                "--client", "id=dracoon_default,type=public,"
                            "grants=password+authorization_code+refresh_token,"
                            "redirect=" + uri,
                "--client", "id=%s,type=public,grants=authorization_code+refresh_token,"
                            "redirect=%s,pkce=optional" % (LEGACY_ID, uri)]
        d, creds = demo.start_on_free_port(args)
        self.addCleanup(d.stop)
        self.creds, self.shape, self.base_url = creds, shapes[-1], creds["issuer"]
        return {"default": "dracoon_default", "legacy": LEGACY_ID}

if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
