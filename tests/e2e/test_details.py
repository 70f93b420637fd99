"""End-to-end: the RFC details strict clients check, against provider_demo
over real HTTP (python3-requests and http.client).

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_details.py
"""

import html.parser
import http.client
import os
import re
import secrets
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402
import test_clients as tc  # noqa: E402  (skips without the client modules)

TIMEOUT = tc.TIMEOUT
# RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
DESCRIPTION = re.compile(r'^[\x20\x21\x23-\x5b\x5d-\x7e]*$')


class _HiddenInputs(html.parser.HTMLParser):
    """The form_post page's form: its action and hidden inputs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action = None
        self.method = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action, self.method = a.get("action"), a.get("method")
        elif tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")


class DetailsTest(tc.DemoTestCase):

    def raw(self, method, path, headers, body=b""):
        """One request with headers exactly as given (names may repeat)."""
        parts = urllib.parse.urlsplit(self.issuer)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        self.addCleanup(conn.close)
        conn.putrequest(method, path)
        for name, value in headers:
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()

    def test_error_description_stays_in_the_charset(self):
        r = self.post("/token", {"grant_type": 'x"y\\z\u00e9'}, auth=self.basic())
        body = self.assertOAuthError(r, 400, "unsupported_grant_type")
        self.assertRegex(body.get("error_description", ""), DESCRIPTION)
        self.assertNotIn('x"y', body.get("error_description", ""))

    def test_wrong_posted_secret_is_401_with_the_challenge(self):
        for path in ("/token", "/revoke", "/introspect"):
            r = self.post(path, {"grant_type": "client_credentials", "token": "t",
                                 "client_id": self.conf_id, "client_secret": "wrong"})
            self.assertOAuthError(r, 401, "invalid_client")
            www = r.headers.get("WWW-Authenticate", "")
            self.assertTrue(www.startswith('Basic realm="'), www)
            self.assertIn('error="invalid_client"', www)

    def test_two_authorization_headers_are_invalid_request(self):
        basic = self.basic()
        prepared = self.http.prepare_request(
            tc.requests.Request("POST", self.token_url, auth=basic))
        value = prepared.headers["Authorization"]
        status, headers, body = self.raw("POST", "/token", [
            ("Host", urllib.parse.urlsplit(self.issuer).netloc),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", value), ("Authorization", value)],
            b"grant_type=client_credentials")
        self.assertEqual(status, 400, body)
        self.assertIn(b'"invalid_request"', body)

    def test_challenge_without_method_is_refused(self):
        b = tc._session()
        self.addCleanup(b.close)
        r = b.get(self.url("/authorize"), timeout=TIMEOUT, allow_redirects=False,
                  params={"response_type": "code", "client_id": self.pub_id,
                          "redirect_uri": self.redirect_uri, "scope": "profile",
                          "state": "s1", "code_challenge": tc.pkce_pair()[1]})
        params = self.redirect_params(r)
        self.assertEqual(params.get("error"), "invalid_request", params)
        self.assertIn("code_challenge_method", params.get("error_description", ""))
        self.assertEqual(params.get("state"), "s1")

    def test_redirect_uri_omitted_then_sent(self):
        verifier, challenge = tc.pkce_pair()
        b, page, state = self.authorize(challenge=challenge, redirect_uri=None)
        params = self.redirect_params(self.click(b, page, "allow"))
        r = self.post("/token", {"grant_type": "authorization_code",
                                 "code": params["code"], "client_id": self.pub_id,
                                 "redirect_uri": self.redirect_uri,
                                 "code_verifier": verifier})
        self.assertEqual(r.status_code, 200, r.text)

    def test_form_post_through_login_and_consent(self):
        verifier, challenge = tc.pkce_pair()
        b, page, state = self.authorize(challenge=challenge, response_mode="form_post")
        r = self.click(b, page, "allow")
        self.assertEqual(r.status_code, 200, r.text[:500])
        self.assertNotIn("Location", r.headers)
        self.assertEqual(r.headers.get("Content-Type"), "text/html; charset=utf-8")
        self.assertNoStore(r)
        csp = r.headers.get("Content-Security-Policy", "")
        origin = "%s://%s" % urllib.parse.urlsplit(self.redirect_uri)[:2]
        self.assertIn("form-action " + origin, csp)
        self.assertIn("default-src 'none'", csp)
        form = _HiddenInputs()
        form.feed(r.text)
        self.assertEqual(form.method, "post")
        self.assertEqual(form.action, self.redirect_uri)
        self.assertEqual(form.fields.get("state"), state)
        self.assertEqual(form.fields.get("iss"), self.issuer)
        # What the browser then posts, the demo's callback page shows.
        shown = b.post(form.action, data=form.fields, timeout=TIMEOUT)
        self.assertEqual(shown.status_code, 200, shown.text[:500])
        self.assertIn(form.fields["code"], shown.text)
        r = self.post("/token", {"grant_type": "authorization_code",
                                 "code": form.fields["code"], "client_id": self.pub_id,
                                 "redirect_uri": self.redirect_uri,
                                 "code_verifier": verifier})
        self.assertEqual(r.status_code, 200, r.text)

    def test_unsupported_response_modes_are_refused(self):
        for mode in ("fragment", "web_message"):
            b = tc._session()
            self.addCleanup(b.close)
            r = b.get(self.url("/authorize"), timeout=TIMEOUT, allow_redirects=False,
                      params={"response_type": "code", "client_id": self.pub_id,
                              "redirect_uri": self.redirect_uri, "scope": "profile",
                              "state": "s1", "response_mode": mode,
                              "code_challenge": tc.pkce_pair()[1],
                              "code_challenge_method": "S256"})
            params = self.redirect_params(r)
            self.assertEqual(params.get("error"), "invalid_request", params)
        m = self.get("/.well-known/oauth-authorization-server").json()
        self.assertEqual(m["response_modes_supported"], ["query", "form_post"])
        self.assertIn("none", m["revocation_endpoint_auth_methods_supported"])
        self.assertIn("none", m["introspection_endpoint_auth_methods_supported"])

    def test_405_with_allow(self):
        for path in ("/token", "/revoke", "/introspect"):
            r = self.get(path)
            self.assertEqual(r.status_code, 405, r.text[:300])
            self.assertEqual(r.headers.get("Allow"), "POST")
        r = self.post("/.well-known/oauth-authorization-server", {})
        self.assertEqual(r.status_code, 405, r.text[:300])
        self.assertEqual(r.headers.get("Allow"), "GET, HEAD")


class RefreshGraceTest(tc.DemoTestCase):
    """--refresh-grace 30: a retried refresh gets a fresh pair; the default
    demo (DetailsTest's) revokes, as test_clients.py checks."""

    demo_kwargs = {"extra_args": ["--refresh-grace", "30"]}

    def refresh(self, token):
        return self.post("/token", {"grant_type": "refresh_token", "refresh_token": token},
                         auth=self.basic())

    def test_a_retried_refresh_gets_a_fresh_pair(self):
        r = self.post("/token", {"grant_type": "password", "username": self.user,
                                 "password": self.password, "scope": "profile"},
                      auth=self.basic())
        self.assertEqual(r.status_code, 200, r.text)
        first = r.json()["refresh_token"]
        lost = self.refresh(first)  # its answer "lost"
        self.assertEqual(lost.status_code, 200, lost.text)
        retry = self.refresh(first)
        self.assertEqual(retry.status_code, 200, retry.text)
        self.assertNotEqual(retry.json()["refresh_token"], lost.json()["refresh_token"])
        # Only the newest stays live: the lost answer's token is spent.
        self.assertEqual(self.refresh(retry.json()["refresh_token"]).status_code, 200)
        self.assertIn("refresh_retry", self.demo.log_tail())

    def test_the_grace_is_bounded(self):
        r = subprocess.run([demo.find_binary(), "--refresh-grace", "301"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("0 to 300", r.stderr)


class ClientCacheTest(tc.DemoTestCase):
    """--client-cache-lifetime 60: the demo's own changes to a client (RFC
    7592 update and delete) apply to the next request, not a minute later."""

    demo_kwargs = {"extra_args": ["--client-cache-lifetime", "60"]}

    def token(self, client_id, secret, scope):
        return self.post("/token", {"grant_type": "client_credentials", "scope": scope},
                         auth=self.basic(client_id, secret))

    def test_update_and_delete_apply_at_once(self):
        r = self.post("/register", json={"redirect_uris": ["http://127.0.0.1:9000/cb"],
                                         "grant_types": ["client_credentials"],
                                         "scope": "api profile"})
        self.assertEqual(r.status_code, 201, r.text)
        reg = r.json()
        cid, secret = reg["client_id"], reg["client_secret"]
        manage = {"Authorization": "Bearer " + reg["registration_access_token"]}
        # Twice: the second is answered from the cached client.
        for _ in range(2):
            self.assertEqual(self.token(cid, secret, "api").status_code, 200)
        update = dict(reg)
        for member in ("registration_access_token", "registration_client_uri",
                       "client_secret_expires_at", "client_id_issued_at"):
            update.pop(member, None)
        update["scope"] = "profile"
        r = self.http.put(reg["registration_client_uri"], json=update, headers=manage,
                          timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        r = self.token(cid, secret, "api")
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["error"], "invalid_scope")
        self.assertEqual(self.token(cid, secret, "profile").status_code, 200)
        r = self.http.delete(reg["registration_client_uri"], headers=manage, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 204, r.text)
        r = self.token(cid, secret, "profile")
        self.assertEqual(r.status_code, 401, r.text)
        self.assertEqual(r.json()["error"], "invalid_client")

    def test_the_lifetime_is_bounded(self):
        r = subprocess.run([demo.find_binary(), "--client-cache-lifetime", "61"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("0 to 60", r.stderr)


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
