#!/usr/bin/python3
"""End-to-end tests: real third-party OAuth 2 clients against provider_demo.

Run with Debian's Python (python3-requests, python3-requests-oauthlib):

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_clients.py
    /usr/bin/python3 tests/e2e/test_clients.py --demo-bin build/example/provider_demo -v
    cd tests/e2e && PROAUTH2_DEMO_BIN=... /usr/bin/python3 -m unittest -v test_clients

Every request goes to the demo on 127.0.0.1 only, with a bounded timeout.
"""

import base64
import hashlib
import html.parser
import json
import os
import secrets
import sys
import time
import unittest
import urllib.parse

# The demo speaks plain HTTP on loopback; oauthlib refuses that unless told.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

demo.skip_without_tools()

import requests  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402
from oauthlib.oauth2 import (  # noqa: E402
    BackendApplicationClient, LegacyApplicationClient)
from requests_oauthlib import OAuth2Session  # noqa: E402

TIMEOUT = 10  # seconds, every HTTP request


def _session(s=None):
    """A requests session that ignores proxy settings from the environment."""
    s = s or requests.Session()
    s.trust_env = False
    return s


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")
    return verifier, challenge


# ---------------------------------------------------------------------------
# HTML forms


class _FormParser(html.parser.HTMLParser):
    """Collects every <form> with its <input>s and submit buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._button = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""),
                          "method": a.get("method", "get").lower(),
                          "inputs": [], "buttons": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            field = {"id": a.get("id"), "name": a.get("name"),
                     "value": a.get("value", ""), "type": kind}
            if kind in ("submit", "image"):
                self._form["buttons"].append(field)
            else:
                self._form["inputs"].append(field)
        elif tag == "button":
            self._button = {"id": a.get("id"), "name": a.get("name"),
                            "value": a.get("value", ""),
                            "type": a.get("type", "submit").lower()}
            self._form["buttons"].append(self._button)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._button = None


def find_form(page_html, element_id):
    """The form holding the input or button with this id."""
    p = _FormParser()
    p.feed(page_html)
    p.close()
    for form in p.forms:
        if any(f["id"] == element_id for f in form["inputs"] + form["buttons"]):
            return form
    raise AssertionError("no form with #%s in page:\n%s" % (element_id, page_html[:2000]))


def submit_data(form, button_id, fill=None):
    """The fields a browser submits when #button_id is clicked, as a list of
    pairs; fill maps input ids to the values typed into them."""
    fill = fill or {}
    data = []
    for f in form["inputs"]:
        if not f["name"]:
            continue
        if f["type"] in ("checkbox", "radio"):
            continue  # the demo's forms have none; a browser sends only checked ones
        value = fill.get(f["id"], f["value"])
        data.append((f["name"], value))
    for b in form["buttons"]:
        if b["id"] == button_id:
            if b["name"]:
                data.append((b["name"], b["value"]))
            break
    else:
        raise AssertionError("no button #%s in form" % button_id)
    return data


# ---------------------------------------------------------------------------


class DemoTestCase(unittest.TestCase):
    """Starts one demo for the class and stops it afterwards (exit 0 checked)."""

    demo_kwargs = {}

    @classmethod
    def setUpClass(cls):
        cls.demo = demo.Demo(**cls.demo_kwargs)
        cls.creds = cls.demo.start()
        cls.addClassCleanup(cls.demo.stop)
        c = cls.creds
        cls.issuer = c["issuer"].rstrip("/")
        cls.token_url = cls.issuer + "/token"
        cls.conf_id = c["confidential"]["client_id"]
        cls.conf_secret = c["confidential"]["client_secret"]
        cls.pub_id = c["public"]["client_id"]
        cls.redirect_uri = c["redirect_uri"]
        cls.user = c["user"]
        cls.password = c["password"]

    def setUp(self):
        self.http = _session()
        self.addCleanup(self.http.close)

    # -- helpers -----------------------------------------------------------
    def url(self, path):
        return self.issuer + path

    def basic(self, client_id=None, secret=None):
        return HTTPBasicAuth(client_id or self.conf_id, secret or self.conf_secret)

    def post(self, path, data=None, auth=None, **kw):
        return self.http.post(self.url(path), data=data, auth=auth,
                              timeout=TIMEOUT, allow_redirects=False, **kw)

    def get(self, path, **kw):
        return self.http.get(self.url(path), timeout=TIMEOUT, allow_redirects=False, **kw)

    def assertJSON(self, r):
        ctype = r.headers.get("Content-Type", "")
        self.assertTrue(ctype.startswith("application/json"),
                        "Content-Type %r, body %r" % (ctype, r.text[:500]))
        try:
            return r.json()
        except ValueError:
            self.fail("body is not JSON: %r" % r.text[:500])

    def assertOAuthError(self, r, status, error):
        """An RFC 6749 §5.2 error response; error may be a tuple of choices."""
        self.assertEqual(r.status_code, status,
                         "expected %s %s, got %s: %s" % (status, error, r.status_code, r.text[:500]))
        body = self.assertJSON(r)
        self.assertIn("error", body, body)
        choices = error if isinstance(error, tuple) else (error,)
        self.assertIn(body["error"], choices, body)
        return body

    def assertNoStore(self, r):
        self.assertIn("no-store", r.headers.get("Cache-Control", "").lower(),
                      "Cache-Control: %r" % r.headers.get("Cache-Control"))

    def me(self, access_token):
        return self.get("/api/me", headers={"Authorization": "Bearer " + access_token})

    def assertMe(self, access_token, sub, client_id):
        r = self.me(access_token)
        self.assertEqual(r.status_code, 200, r.text[:500])
        body = self.assertJSON(r)
        self.assertEqual(body.get("sub"), sub, body)
        self.assertEqual(body.get("client_id"), client_id, body)
        self.assertIn("profile", body.get("scope", "").split(), body)
        return body

    def assertInvalidToken(self, access_token):
        r = self.me(access_token)
        self.assertEqual(r.status_code, 401, "token still accepted: %s" % r.text[:300])
        www = r.headers.get("WWW-Authenticate", "")
        self.assertTrue(www.lower().startswith("bearer"), "WWW-Authenticate: %r" % www)
        self.assertIn('error="invalid_token"', www)

    def introspect(self, token, hint=None, auth=None):
        data = {"token": token}
        if hint:
            data["token_type_hint"] = hint
        r = self.post("/introspect", data, auth=auth or self.basic())
        self.assertEqual(r.status_code, 200, r.text[:500])
        return self.assertJSON(r)

    def revoke(self, token, hint=None, auth=None):
        data = {"token": token}
        if hint:
            data["token_type_hint"] = hint
        r = self.post("/revoke", data, auth=auth or self.basic())
        self.assertEqual(r.status_code, 200, r.text[:500])
        return r

    def password_session(self):
        """A requests_oauthlib session holding a password-grant token,
        client authenticated with an explicit HTTPBasicAuth."""
        s = _session(OAuth2Session(client=LegacyApplicationClient(client_id=self.conf_id)))
        self.addCleanup(s.close)
        s.fetch_token(token_url=self.token_url, username=self.user, password=self.password,
                      auth=self.basic(), timeout=TIMEOUT)
        return s

    # -- authorization endpoint through plain requests ----------------------
    def authorize(self, client_id=None, scope="profile email api", state=None,
                  challenge=None, browser=None, **extra):
        """GET /authorize, log in, and return (browser session, consent page
        response, state). The caller clicks #allow or #deny."""
        b = browser or _session()
        if browser is None:
            self.addCleanup(b.close)
        state = state or secrets.token_urlsafe(16)
        params = {"response_type": "code", "client_id": client_id or self.pub_id,
                  "redirect_uri": self.redirect_uri, "scope": scope, "state": state}
        if challenge is not None:
            params.update(code_challenge=challenge, code_challenge_method="S256")
        params.update(extra)
        r = b.get(self.url("/authorize"), params=params, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:500])
        form = find_form(r.text, "username")
        self.assertEqual(form["method"], "post")
        self.assertEqual(urllib.parse.urlsplit(urllib.parse.urljoin(r.url, form["action"])).path,
                         "/login")
        data = submit_data(form, "login", {"username": self.user, "password": self.password})
        r = b.post(urllib.parse.urljoin(r.url, form["action"]), data=data, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:500])
        return b, r, state

    def click(self, browser, page, button_id, drop=()):
        """Submit the consent page's form with #button_id; return the raw
        response (redirects not followed)."""
        form = find_form(page.text, button_id)
        self.assertEqual(form["method"], "post")
        action = urllib.parse.urljoin(page.url, form["action"])
        self.assertEqual(urllib.parse.urlsplit(action).path, "/consent")
        data = [(k, v) for k, v in submit_data(form, button_id) if k not in drop]
        return browser.post(action, data=data, timeout=TIMEOUT, allow_redirects=False)

    def redirect_params(self, r):
        """The query of a 303 back to the client's redirect_uri."""
        self.assertEqual(r.status_code, 303, r.text[:500])
        location = r.headers.get("Location", "")
        base, _, query = location.partition("?")
        self.assertEqual(base, self.redirect_uri, location)
        params = urllib.parse.parse_qs(query, keep_blank_values=True, strict_parsing=True)
        for k, v in params.items():
            self.assertEqual(len(v), 1, "parameter %s repeated in %s" % (k, location))
        return {k: v[0] for k, v in params.items()}


# ---------------------------------------------------------------------------


class PasswordGrantTest(DemoTestCase):
    """DRACOON-style: resource owner password credentials with requests_oauthlib."""

    def test_password_grant_refresh_rotation_and_reuse(self):
        s = _session(OAuth2Session(client=LegacyApplicationClient(client_id=self.conf_id)))
        self.addCleanup(s.close)
        # client_id + client_secret: requests_oauthlib sends them as HTTP Basic.
        token = s.fetch_token(token_url=self.token_url, username=self.user,
                              password=self.password, client_id=self.conf_id,
                              client_secret=self.conf_secret, timeout=TIMEOUT)
        self.assertTrue(token.get("access_token"))
        self.assertTrue(token.get("refresh_token"))
        self.assertEqual(token.get("token_type", "").lower(), "bearer")
        self.assertGreater(int(token.get("expires_in", 0)), 0)

        r = s.get(self.url("/api/me"), timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        me = r.json()
        self.assertEqual(me["sub"], self.user)
        self.assertEqual(me["client_id"], self.conf_id)

        old_access, old_refresh = token["access_token"], token["refresh_token"]
        new = s.refresh_token(self.token_url, auth=self.basic(), timeout=TIMEOUT)
        self.assertTrue(new.get("access_token"))
        self.assertNotEqual(new["access_token"], old_access)
        # requests_oauthlib keeps the old refresh token when none came back.
        self.assertNotEqual(new["refresh_token"], old_refresh, "refresh token not rotated")
        r = s.get(self.url("/api/me"), timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["sub"], self.user)

        # Reuse of the rotated-out refresh token: refused, and the grant is revoked.
        r = self.post("/token", {"grant_type": "refresh_token", "refresh_token": old_refresh},
                      auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_grant")
        self.assertInvalidToken(new["access_token"])
        r = self.post("/token", {"grant_type": "refresh_token",
                                 "refresh_token": new["refresh_token"]}, auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_grant")

    def test_password_grant_revoke_and_introspect(self):
        s = self.password_session()
        access, refresh = s.token["access_token"], s.token["refresh_token"]
        info = self.introspect(access, "access_token")
        self.assertIs(info.get("active"), True, info)
        self.assertEqual(info.get("client_id"), self.conf_id, info)
        self.assertEqual(info.get("sub", info.get("username")), self.user, info)

        self.revoke(access, "access_token")
        self.assertEqual(self.introspect(access), {"active": False})
        self.assertInvalidToken(access)

        self.assertIs(self.introspect(refresh, "refresh_token").get("active"), True)
        self.revoke(refresh, "refresh_token")
        self.assertEqual(self.introspect(refresh, "refresh_token"), {"active": False})
        r = self.post("/token", {"grant_type": "refresh_token", "refresh_token": refresh},
                      auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_grant")
        # RFC 7009 §2.2: an unknown or already revoked token is still a 200.
        self.revoke(refresh)
        self.revoke("not-a-token")

    def test_revoking_refresh_token_revokes_its_access_token(self):
        # RFC 7009 §2.1: revoking a refresh token SHOULD invalidate the
        # access tokens of the same grant; proauth2 revokes the grant.
        s = self.password_session()
        self.revoke(s.token["refresh_token"])
        self.assertEqual(self.introspect(s.token["access_token"]), {"active": False})

    def test_password_grant_wrong_password(self):
        r = self.post("/token", {"grant_type": "password", "username": self.user,
                                 "password": self.password + "x"}, auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_grant")

    def test_password_grant_public_client_refused(self):
        r = self.post("/token", {"grant_type": "password", "username": self.user,
                                 "password": self.password, "client_id": self.pub_id})
        self.assertOAuthError(r, 400, ("unauthorized_client", "invalid_client"))

    def test_introspect_requires_client_authentication(self):
        s = self.password_session()
        r = self.post("/introspect", {"token": s.token["access_token"]})
        # RFC 6749 §5.2: 400, or 401 with WWW-Authenticate.
        body = self.assertOAuthError(r, r.status_code, "invalid_client")
        self.assertIn(r.status_code, (400, 401), body)
        self.assertNotIn("active", body)
        r = self.post("/introspect", {"token": s.token["access_token"]},
                      auth=self.basic(secret=self.conf_secret + "x"))
        self.assertOAuthError(r, 401, "invalid_client")


class ClientCredentialsTest(DemoTestCase):
    """Lumos-style: client_credentials with BackendApplicationClient."""

    def session(self, scope=("api",)):
        # requests_oauthlib 1.3 sends no scope for a BackendApplicationClient
        # unless the client object carries it; the session's checks the reply.
        client = BackendApplicationClient(client_id=self.conf_id, scope=list(scope))
        s = _session(OAuth2Session(client=client, scope=list(scope)))
        self.addCleanup(s.close)
        return s

    def check_token(self, token):
        self.assertTrue(token.get("access_token"))
        self.assertEqual(token.get("token_type", "").lower(), "bearer")
        self.assertEqual(token.get("scope"), ["api"])
        # RFC 6749 §4.4.3: no refresh token for client credentials.
        self.assertNotIn("refresh_token", token)
        info = self.introspect(token["access_token"])
        self.assertIs(info.get("active"), True, info)
        self.assertEqual(info.get("scope"), "api", info)
        self.assertEqual(info.get("client_id"), self.conf_id, info)
        self.assertEqual(info.get("token_type", "Bearer").lower(), "bearer", info)
        self.assertGreater(info.get("exp", 0), info.get("iat", -1), info)

    def test_client_secret_basic(self):
        s = self.session()
        token = s.fetch_token(token_url=self.token_url, auth=self.basic(), timeout=TIMEOUT)
        self.check_token(token)

    def test_client_secret_post(self):
        s = self.session()
        token = s.fetch_token(token_url=self.token_url, client_id=self.conf_id,
                              client_secret=self.conf_secret, include_client_id=True,
                              timeout=TIMEOUT)
        self.check_token(token)

    def test_basic_credentials_are_form_urlencoded(self):
        # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic;
        # with these ids and secrets that changes nothing.
        enc = urllib.parse.quote_plus
        raw = "%s:%s" % (enc(self.conf_id), enc(self.conf_secret))
        header = "Basic " + base64.b64encode(raw.encode()).decode()
        r = self.post("/token", {"grant_type": "client_credentials", "scope": "api"},
                      headers={"Authorization": header})
        self.assertEqual(r.status_code, 200, r.text)

    def test_scope_beyond_client_refused(self):
        r = self.post("/token", {"grant_type": "client_credentials", "scope": "api admin"},
                      auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_scope")

    def test_api_scope_token_lacks_profile(self):
        # RFC 6750 §3.1: a valid token without the needed scope is a 403.
        token = self.session().fetch_token(token_url=self.token_url, auth=self.basic(),
                                           timeout=TIMEOUT)
        r = self.me(token["access_token"])
        self.assertEqual(r.status_code, 403, r.text)
        self.assertIn('error="insufficient_scope"', r.headers.get("WWW-Authenticate", ""))

    def test_public_client_refused(self):
        r = self.post("/token", {"grant_type": "client_credentials", "client_id": self.pub_id})
        self.assertOAuthError(r, 400, ("unauthorized_client", "invalid_client"))
        if r.status_code == 401:
            self.assertIn("WWW-Authenticate", r.headers)


class AuthorizationCodeTest(DemoTestCase):
    """Authorization code + PKCE, the browser's part played by requests."""

    def code_flow(self, scope="profile email api"):
        verifier, challenge = pkce_pair()
        b, page, state = self.authorize(scope=scope, challenge=challenge)
        r = self.click(b, page, "allow")
        params = self.redirect_params(r)
        self.assertEqual(params.get("state"), state, params)
        self.assertEqual(params.get("iss"), self.issuer, params)
        self.assertTrue(params.get("code"), params)
        self.assertNotIn("error", params)
        return b, r, params["code"], verifier

    def exchange(self, code, verifier, scope=("profile", "email", "api")):
        s = _session(OAuth2Session(self.pub_id, redirect_uri=self.redirect_uri,
                                   scope=list(scope)))
        self.addCleanup(s.close)
        # A public client: client_id in the body, no secret, no Basic header.
        # (Without include_client_id=True, requests_oauthlib sends
        # "Authorization: Basic base64(client_id:)" with an empty secret,
        # which proauth2 refuses as invalid_client.)
        token = s.fetch_token(self.token_url, code=code, code_verifier=verifier,
                              include_client_id=True, timeout=TIMEOUT)
        return s, token

    def test_code_flow_with_pkce(self):
        b, r, code, verifier = self.code_flow()
        # The demo's callback page shows the code.
        cb = b.get(r.headers["Location"], timeout=TIMEOUT)
        self.assertEqual(cb.status_code, 200)
        self.assertIn(code, cb.text)

        s, token = self.exchange(code, verifier)
        self.assertTrue(token.get("access_token"))
        self.assertTrue(token.get("refresh_token"))
        self.assertEqual(token.get("token_type", "").lower(), "bearer")
        self.assertEqual(sorted(token["scope"]), ["api", "email", "profile"])
        me = s.get(self.url("/api/me"), timeout=TIMEOUT)
        self.assertEqual(me.status_code, 200, me.text)
        self.assertEqual(me.json()["sub"], self.user)
        self.assertEqual(me.json()["client_id"], self.pub_id)

        # Public-client refresh: client_id in the body, rotated token.
        new = s.refresh_token(self.token_url, client_id=self.pub_id, timeout=TIMEOUT)
        self.assertNotEqual(new["refresh_token"], token["refresh_token"])
        self.assertMe(new["access_token"], self.user, self.pub_id)

    def test_resource_server_introspects_the_users_token(self):
        # The demo API (a resource server) asks about a token the public
        # client sent it; the confidential client, no resource server, learns
        # nothing, and the API nothing of the refresh token.
        api = self.creds["resource_server"]
        api_auth = self.basic(api["client_id"], api["client_secret"])
        _, _, code, verifier = self.code_flow()
        _, token = self.exchange(code, verifier)
        info = self.introspect(token["access_token"], auth=api_auth)
        self.assertIs(info.get("active"), True, info)
        self.assertNotIn("aud", info)  # none claimed before tokens carry one
        self.assertEqual(info.get("client_id"), self.pub_id, info)
        self.assertEqual(info.get("sub"), self.user, info)
        self.assertEqual(self.introspect(token["access_token"]), {"active": False})
        self.assertEqual(self.introspect(token["refresh_token"], auth=api_auth),
                         {"active": False})

    def test_code_replay_refused_and_revokes(self):
        _, _, code, verifier = self.code_flow()
        _, token = self.exchange(code, verifier)
        self.assertMe(token["access_token"], self.user, self.pub_id)
        r = self.post("/token", {"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": self.redirect_uri,
                                 "code_verifier": verifier, "client_id": self.pub_id})
        self.assertOAuthError(r, 400, "invalid_grant")
        # RFC 6749 §4.1.2 / RFC 9700: a replayed code revokes what it issued.
        self.assertInvalidToken(token["access_token"])
        r = self.post("/token", {"grant_type": "refresh_token", "client_id": self.pub_id,
                                 "refresh_token": token["refresh_token"]})
        self.assertOAuthError(r, 400, "invalid_grant")

    def test_wrong_verifier_refused_without_burning_code(self):
        _, _, code, verifier = self.code_flow()
        other, _ = pkce_pair()
        r = self.post("/token", {"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": self.redirect_uri,
                                 "code_verifier": other, "client_id": self.pub_id})
        self.assertOAuthError(r, 400, "invalid_grant")
        r = self.post("/token", {"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": self.redirect_uri, "client_id": self.pub_id})
        self.assertOAuthError(r, 400, ("invalid_grant", "invalid_request"))
        _, token = self.exchange(code, verifier)
        self.assertMe(token["access_token"], self.user, self.pub_id)

    def test_narrowed_scope(self):
        _, _, code, verifier = self.code_flow(scope="profile")
        _, token = self.exchange(code, verifier, scope=("profile",))
        self.assertEqual(token["scope"], ["profile"])
        me = self.assertMe(token["access_token"], self.user, self.pub_id)
        self.assertEqual(me.get("scope"), "profile", me)

    def test_deny(self):
        b, page, state = self.authorize(challenge=pkce_pair()[1])
        r = self.click(b, page, "deny")
        params = self.redirect_params(r)
        self.assertEqual(params.get("error"), "access_denied", params)
        self.assertEqual(params.get("state"), state, params)
        self.assertNotIn("code", params)

    def test_consent_ticket_is_single_use(self):
        b, page, _ = self.authorize(challenge=pkce_pair()[1])
        self.redirect_params(self.click(b, page, "allow"))
        again = self.click(b, page, "allow")
        self.assertNotIn("code=", again.headers.get("Location", ""),
                         "a spent consent ticket issued another code")
        self.assertTrue(400 <= again.status_code < 500, again.status_code)

    def test_consent_needs_csrf_token(self):
        b, page, _ = self.authorize(challenge=pkce_pair()[1])
        form = find_form(page.text, "allow")
        if not any(f["name"] == "csrf" for f in form["inputs"]):
            self.skipTest("consent form has no csrf field")
        r = self.click(b, page, "allow", drop=("csrf",))
        self.assertNotIn("code=", r.headers.get("Location", ""),
                         "consent without its csrf token issued a code")
        self.assertTrue(400 <= r.status_code < 500, r.status_code)
        with _session() as other:  # the right fields, but no cookies
            r = other.post(urllib.parse.urljoin(page.url, form["action"]),
                           data=submit_data(form, "allow"), timeout=TIMEOUT,
                           allow_redirects=False)
        if b.cookies:
            self.assertNotIn("code=", r.headers.get("Location", ""),
                             "consent from another browser (no session cookie) issued a code")
            self.assertTrue(400 <= r.status_code < 500, r.status_code)
        # The ticket survived both attempts: the real user can still consent.
        self.redirect_params(self.click(b, page, "allow"))

    def test_public_client_needs_pkce(self):
        b = _session()
        self.addCleanup(b.close)
        state = secrets.token_urlsafe(8)
        r = b.get(self.url("/authorize"), timeout=TIMEOUT, allow_redirects=False,
                  params={"response_type": "code", "client_id": self.pub_id,
                          "redirect_uri": self.redirect_uri, "scope": "profile",
                          "state": state})
        params = self.redirect_params(r)
        self.assertEqual(params.get("error"), "invalid_request", params)
        self.assertEqual(params.get("state"), state)

    def test_loopback_redirect_uri_port_may_vary(self):
        # RFC 8252 §7.3: the demo registered http://127.0.0.1:<port>/callback;
        # a native app on another port is sent its code there.
        parts = urllib.parse.urlsplit(self.redirect_uri)
        other = parts._replace(netloc="127.0.0.1:%d" % (parts.port % 60000 + 1024)).geturl()
        verifier, challenge = pkce_pair()
        b, page, state = self.authorize(challenge=challenge, redirect_uri=other)
        r = self.click(b, page, "allow")
        self.assertEqual(r.status_code, 303, r.text[:500])
        base, _, query = r.headers["Location"].partition("?")
        self.assertEqual(base, other)
        code = urllib.parse.parse_qs(query)["code"][0]
        r = self.post("/token", {"grant_type": "authorization_code", "code": code,
                                 "client_id": self.pub_id, "redirect_uri": other,
                                 "code_verifier": verifier})
        self.assertEqual(r.status_code, 200, r.text)

    def test_unregistered_redirect_uri_never_redirects(self):
        r = self.get("/authorize", params={
            "response_type": "code", "client_id": self.pub_id,
            "redirect_uri": "http://127.0.0.1:9/evil", "scope": "profile",
            "state": "s", "code_challenge": pkce_pair()[1], "code_challenge_method": "S256"})
        self.assertEqual(r.status_code, 400, r.text[:300])
        self.assertNotIn("Location", r.headers)

    def test_unknown_client_never_redirects(self):
        r = self.get("/authorize", params={
            "response_type": "code", "client_id": "no-such-client",
            "redirect_uri": self.redirect_uri, "scope": "profile", "state": "s",
            "code_challenge": pkce_pair()[1], "code_challenge_method": "S256"})
        self.assertEqual(r.status_code, 400, r.text[:300])
        self.assertNotIn("Location", r.headers)


class HTTPErrorsTest(DemoTestCase):
    """The token endpoint's error handling and the other endpoints."""

    def test_wrong_secret_basic(self):
        r = self.post("/token", {"grant_type": "client_credentials"},
                      auth=self.basic(secret=self.conf_secret + "x"))
        self.assertOAuthError(r, 401, "invalid_client")
        www = r.headers.get("WWW-Authenticate", "")
        self.assertTrue(www.lower().startswith("basic"), "WWW-Authenticate: %r" % www)

    def test_wrong_secret_post(self):
        r = self.post("/token", {"grant_type": "client_credentials", "client_id": self.conf_id,
                                 "client_secret": self.conf_secret + "x"})
        body = self.assertOAuthError(r, r.status_code, "invalid_client")
        self.assertIn(r.status_code, (400, 401), body)

    def test_failed_authentication_is_logged_without_the_secret(self):
        wrong = self.conf_secret + "wrong"
        r = self.post("/token", {"grant_type": "client_credentials"},
                      auth=self.basic(secret=wrong))
        self.assertOAuthError(r, 401, "invalid_client")
        expected = 'client_auth_failed: client authentication failed client_id="%s"' \
            % self.conf_id
        deadline = time.monotonic() + 10
        while expected not in self.demo.log_tail() and time.monotonic() < deadline:
            time.sleep(0.05)
        log = self.demo.log_tail()
        self.assertIn(expected, log)
        self.assertNotIn(wrong, log)

    def test_unknown_client(self):
        r = self.post("/token", {"grant_type": "client_credentials"},
                      auth=HTTPBasicAuth("no-such-client", "secret"))
        self.assertOAuthError(r, 401, "invalid_client")
        self.assertIn("WWW-Authenticate", r.headers)

    def test_duplicate_parameter(self):
        r = self.post("/token", [("grant_type", "client_credentials"),
                                 ("grant_type", "client_credentials")], auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_request")
        r = self.post("/token", [("grant_type", "client_credentials"), ("scope", "api"),
                                 ("scope", "profile")], auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_request")

    def test_two_authentication_methods(self):
        # RFC 6749 §2.3: a client MUST NOT use more than one method.
        r = self.post("/token", {"grant_type": "client_credentials",
                                 "client_id": self.conf_id, "client_secret": self.conf_secret},
                      auth=self.basic())
        self.assertOAuthError(r, r.status_code, ("invalid_request", "invalid_client"))
        self.assertIn(r.status_code, (400, 401))

    def test_unsupported_grant_type(self):
        r = self.post("/token", {"grant_type": "urn:example:no-such-grant"}, auth=self.basic())
        self.assertOAuthError(r, 400, "unsupported_grant_type")

    def test_missing_grant_type(self):
        r = self.post("/token", {"scope": "api"}, auth=self.basic())
        self.assertOAuthError(r, 400, "invalid_request")

    def test_get_token_is_405(self):
        r = self.get("/token", params={"grant_type": "client_credentials"}, auth=self.basic())
        self.assertEqual(r.status_code, 405, r.text[:300])
        self.assertIn("POST", r.headers.get("Allow", ""), "405 without Allow: POST")
        self.assertIn("error", self.assertJSON(r))

    def test_bad_percent_encoding(self):
        for body in ("grant_type=client_credentials&scope=%zz",
                     "grant_type=client_credentials&scope=api%",
                     "grant_type=client_credentials&scope=%4"):
            with self.subTest(body=body):
                r = self.post("/token", body, auth=self.basic(), headers={
                    "Content-Type": "application/x-www-form-urlencoded"})
                self.assertOAuthError(r, 400, "invalid_request")

    def test_wrong_content_type(self):
        r = self.post("/token", data=json.dumps({"grant_type": "client_credentials"}),
                      auth=self.basic(), headers={"Content-Type": "application/json"})
        self.assertOAuthError(r, 400, "invalid_request")

    def test_error_bodies_are_json(self):
        cases = [
            ("/token", {"grant_type": "authorization_code", "code": "nope",
                        "redirect_uri": self.redirect_uri}, self.basic()),
            ("/token", {"grant_type": "refresh_token", "refresh_token": "nope"}, self.basic()),
            ("/token", {"grant_type": "client_credentials"}, None),
            ("/revoke", {}, self.basic()),
            ("/introspect", {}, self.basic()),
        ]
        for path, data, auth in cases:
            with self.subTest(path=path, data=data):
                r = self.post(path, data, auth=auth)
                self.assertGreaterEqual(r.status_code, 400)
                self.assertLess(r.status_code, 500)
                self.assertIn("error", self.assertJSON(r))

    def test_token_response_not_cached(self):
        r = self.post("/token", {"grant_type": "client_credentials", "scope": "api"},
                      auth=self.basic())
        self.assertEqual(r.status_code, 200, r.text)
        self.assertNoStore(r)
        body = self.assertJSON(r)
        self.assertEqual(body.get("token_type", "").lower(), "bearer")
        self.assertIsInstance(body.get("expires_in"), int)

    def test_me_without_token(self):
        r = self.get("/api/me")
        self.assertEqual(r.status_code, 401)
        www = r.headers.get("WWW-Authenticate", "")
        self.assertTrue(www.lower().startswith("bearer"), www)
        # RFC 6750 §3.1: no error code when the request had no credentials.
        self.assertNotIn("error=", www)

    def test_me_with_bad_token(self):
        self.assertInvalidToken("not-a-token")

    def test_metadata(self):
        r = self.get("/.well-known/oauth-authorization-server")
        self.assertEqual(r.status_code, 200, r.text)
        m = self.assertJSON(r)
        self.assertEqual(m.get("issuer"), self.issuer, m)
        for key, path in (("authorization_endpoint", "/authorize"),
                          ("token_endpoint", "/token"),
                          ("revocation_endpoint", "/revoke"),
                          ("introspection_endpoint", "/introspect"),
                          ("registration_endpoint", "/register")):
            self.assertEqual(m.get(key), self.issuer + path, key)
        self.assertIn("code", m.get("response_types_supported", []))
        self.assertIn("S256", m.get("code_challenge_methods_supported", []))
        self.assertNotIn("plain", m.get("code_challenge_methods_supported", []))
        for g in ("authorization_code", "refresh_token", "client_credentials", "password"):
            self.assertIn(g, m.get("grant_types_supported", []), g)
        for method in ("client_secret_basic", "client_secret_post", "none"):
            self.assertIn(method, m.get("token_endpoint_auth_methods_supported", []), method)
        self.assertTrue(set("profile email api".split())
                        <= set(m.get("scopes_supported", "profile email api".split())))
        self.assertIs(m.get("authorization_response_iss_parameter_supported"), True, m)

    def test_dynamic_registration(self):
        r = self.post("/register", json={
            "redirect_uris": [self.issuer + "/callback"],
            "grant_types": ["client_credentials"],
            "token_endpoint_auth_method": "client_secret_basic",
            "scope": "api",
            "client_name": "e2e registered client"})
        self.assertEqual(r.status_code, 201, r.text)
        reg = self.assertJSON(r)
        self.assertNoStore(r)
        self.assertTrue(reg.get("client_id"), reg)
        self.assertTrue(reg.get("client_secret"), reg)
        self.assertEqual(reg.get("grant_types"), ["client_credentials"], reg)
        self.assertEqual(reg.get("token_endpoint_auth_method"), "client_secret_basic", reg)

        s = _session(OAuth2Session(client=BackendApplicationClient(
            client_id=reg["client_id"], scope=["api"]), scope=["api"]))
        self.addCleanup(s.close)
        token = s.fetch_token(self.token_url, timeout=TIMEOUT,
                              auth=HTTPBasicAuth(reg["client_id"], reg["client_secret"]))
        self.assertTrue(token.get("access_token"))
        info = self.introspect(token["access_token"],
                               auth=HTTPBasicAuth(reg["client_id"], reg["client_secret"]))
        self.assertIs(info.get("active"), True, info)
        self.assertEqual(info.get("client_id"), reg["client_id"], info)
        # It asked for client_credentials only.
        r = self.post("/token", {"grant_type": "password", "username": self.user,
                                 "password": self.password},
                      auth=HTTPBasicAuth(reg["client_id"], reg["client_secret"]))
        self.assertOAuthError(r, 400, ("unauthorized_client", "unsupported_grant_type"))

    def test_registration_refuses_unsafe_redirect_uris(self):
        for uri, why in (("javascript:alert(document.cookie)", "javascript:"),
                         ("data:text/html,<script>alert(1)</script>", "data:"),
                         ("http://evil.example/cb", "plain http"),
                         ("https://evil.example/cb#x", "fragment")):
            r = self.post("/register", json={"redirect_uris": [uri],
                                             "token_endpoint_auth_method": "none"})
            self.assertOAuthError(r, 400, ("invalid_redirect_uri",))
            self.assertIn(why, r.json().get("error_description", ""), uri)

    def test_registration_rejects_bad_metadata(self):
        r = self.post("/register", data="{not json", headers={"Content-Type": "application/json"})
        self.assertOAuthError(r, 400, ("invalid_client_metadata", "invalid_request"))
        r = self.post("/register", json={"redirect_uris": ["not a uri"],
                                         "grant_types": ["authorization_code"]})
        self.assertOAuthError(r, 400, ("invalid_redirect_uri", "invalid_client_metadata"))


class RegistrationFloodTest(DemoTestCase):
    """Open POST /register under an anonymous flood: bounded in what it
    stores (16 KiB bodies, 100 registrations an hour)."""

    FLOOD_SECONDS = 5

    def database_bytes(self):
        path = os.path.join(self.demo.tmpdir, "demo.db")
        return sum(os.path.getsize(p) for p in (path, path + "-wal")
                   if os.path.exists(p))

    def test_anonymous_registration_flood_is_bounded(self):
        # As much as the limits let one registration store: 7 URIs of 2 KB.
        uris = ["https://app.example/%d/%s" % (i, "x" * 2000) for i in range(7)]
        body = {"redirect_uris": uris, "client_name": "n" * 256,
                "token_endpoint_auth_method": "none"}
        r = self.post("/register", data=json.dumps(body) + " " * 50000,
                      headers={"Content-Type": "application/json"})
        self.assertIn(r.status_code, (400, 413), r.text[:300])
        sqlite = os.environ.get(demo.BACKEND_VAR, "sqlite") != "mongodb"
        before = self.database_bytes() if sqlite else 0
        counts, sizes = {}, []
        start = time.monotonic()
        while time.monotonic() - start < self.FLOOD_SECONDS:
            r = self.post("/register", json=body)
            counts[r.status_code] = counts.get(r.status_code, 0) + 1
            if r.status_code != 201:
                self.assertOAuthError(r, 429, ("temporarily_unavailable",))
                self.assertIn("anonymous registrations", r.json()["error_description"])
            if sqlite and time.monotonic() - start >= len(sizes) + 1:
                sizes.append(self.database_bytes())  # once a second
        print("\nregistration flood for %d s: %s; database %d -> %d bytes (%s)"
              % (self.FLOOD_SECONDS, counts, before,
                 self.database_bytes() if sqlite else 0, sizes), file=sys.stderr)
        self.assertEqual(set(counts) - {201, 429}, set(), counts)
        self.assertLessEqual(counts.get(201, 0), 100, counts)
        if sum(counts.values()) > 100:
            self.assertGreater(counts.get(429, 0), 0, counts)
        if sqlite:
            # 100 clients of ~15 KB, plus what the WAL keeps.
            self.assertLess(self.database_bytes() - before, 12 * 1024 * 1024)


class DemoOptionsTest(unittest.TestCase):
    """--user/--password and --grants."""

    def test_custom_user(self):
        with demo.running(user="alice", password="s3cret pass") as c:
            self.assertEqual((c["user"], c["password"]), ("alice", "s3cret pass"))
            with _session(OAuth2Session(client=LegacyApplicationClient(
                    client_id=c["confidential"]["client_id"]))) as s:
                s.fetch_token(token_url=c["issuer"] + "/token", username="alice",
                              password="s3cret pass", timeout=TIMEOUT,
                              auth=HTTPBasicAuth(c["confidential"]["client_id"],
                                                 c["confidential"]["client_secret"]))
                r = s.get(c["issuer"] + "/api/me", timeout=TIMEOUT)
                self.assertEqual(r.status_code, 200, r.text)
                self.assertEqual(r.json()["sub"], "alice")

    def test_registration_token(self):
        with demo.running(extra_args=["--registration-token", "e2e-initial-token"]) as c:
            body = {"redirect_uris": [c["redirect_uri"]], "token_endpoint_auth_method": "none"}
            with _session() as http:
                r = http.post(c["issuer"] + "/register", json=body, timeout=TIMEOUT)
                self.assertEqual(r.status_code, 401, r.text)
                self.assertEqual(r.json().get("error"), "invalid_token")
                r = http.post(c["issuer"] + "/register", json=body, timeout=TIMEOUT,
                              headers={"Authorization": "Bearer e2e-initial-token"})
                self.assertEqual(r.status_code, 201, r.text)

    def test_password_grant_disabled(self):
        with demo.running(grants="authorization_code,refresh_token,client_credentials") as c:
            auth = HTTPBasicAuth(c["confidential"]["client_id"],
                                 c["confidential"]["client_secret"])
            with _session() as http:
                r = http.post(c["issuer"] + "/token", auth=auth, timeout=TIMEOUT,
                              data={"grant_type": "password", "username": c["user"],
                                    "password": c["password"]})
                self.assertEqual(r.status_code, 400, r.text)
                self.assertIn(r.json().get("error"),
                              ("unsupported_grant_type", "unauthorized_client"))
                r = http.post(c["issuer"] + "/token", auth=auth, timeout=TIMEOUT,
                              data={"grant_type": "client_credentials"})
                self.assertEqual(r.status_code, 200, r.text)
                m = http.get(c["issuer"] + "/.well-known/oauth-authorization-server",
                             timeout=TIMEOUT).json()
                self.assertNotIn("password", m.get("grant_types_supported", []))


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
