#!/usr/bin/python3
"""OpenID Connect logout at provider_demo (--openid on), checked by
Debian's python3-authlib as the relying party's JOSE library.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_logout.py -v

A client registers post_logout_redirect_uris and a backchannel_logout_uri
(a test HTTP server on 127.0.0.1); the user signs in through the demo's
pages; RP-Initiated Logout with the id_token as hint shows the
confirmation page, and signing out there redirects to the registered URI
with state; the test server receives the logout token (a form POST),
whose signature authlib verifies through the JWKS and whose claims are
those Back-Channel Logout 1.0 §2.4 requires (iss, aud, iat, exp, jti,
the event, sub, the id_token's sid, no nonce, typ logout+jwt); the
session's refresh token is dead, and prompt=none then finds no session.
A URI the client did not register is a 400 page, never a redirect; the
start page's sign-out link is RP-Initiated Logout of the demo's client.
"""

import http.server
import os
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

demo.skip_unless_importable((("requests", "python3-requests"),
                             ("authlib.integrations.requests_client", "python3-authlib")))

from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import jwt  # noqa: E402

import interop  # noqa: E402
from interop import TIMEOUT  # noqa: E402
from test_clients import find_form, submit_data  # noqa: E402
from test_openid import OpenIDCase, plain_session  # noqa: E402

EVENT = "http://schemas.openid.net/event/backchannel-logout"
AFTER_LOGOUT = "http://127.0.0.1:9/signed-out"


class Receiver(http.server.BaseHTTPRequestHandler):
    """A client's back-channel logout endpoint: keeps what it is sent."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.received.append((self.path, self.headers.get("Content-Type"),
                                  urllib.parse.parse_qs(body.decode())))
        self.send_response(200)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class LogoutTest(OpenIDCase):
    extra_args = ["--openid", "on", "--backchannel-logout", "loopback"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=cls.receiver.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.receiver.server_close)
        cls.addClassCleanup(cls.receiver.shutdown)
        cls.backchannel = "http://127.0.0.1:%d/backchannel?rp=1" % cls.receiver.server_port

    def setUp(self):
        Receiver.received.clear()

    def logout_client(self):
        r = self.register(grant_types=["authorization_code", "refresh_token"],
                          scope="openid profile",
                          post_logout_redirect_uris=[AFTER_LOGOUT],
                          backchannel_logout_uri=self.backchannel,
                          backchannel_logout_session_required=True)
        self.assertEqual(r.status_code, 201, r.text)
        reg = r.json()
        self.assertEqual(reg["post_logout_redirect_uris"], [AFTER_LOGOUT])
        self.assertEqual(reg["backchannel_logout_uri"], self.backchannel)
        self.assertIs(reg["backchannel_logout_session_required"], True)
        s = OAuth2Session(client_id=reg["client_id"], client_secret=reg["client_secret"],
                          token_endpoint_auth_method="client_secret_basic",
                          scope="openid profile", redirect_uri=self.creds["redirect_uri"],
                          code_challenge_method="S256")
        s.trust_env = False
        self.addCleanup(s.close)
        return reg, s

    def sign_in_with(self, browser, session, nonce):
        verifier = generate_token(48)
        url, state = session.create_authorization_url(
            self.discovery["authorization_endpoint"], code_verifier=verifier,
            nonce=nonce)
        location = interop.browser_login(browser, url, self.creds["user"],
                                         self.creds["password"])
        return session.fetch_token(self.discovery["token_endpoint"],
                                   authorization_response=location, state=state,
                                   code_verifier=verifier)

    def test_discovery_offers_logout(self):
        self.assertEqual(self.discovery["end_session_endpoint"],
                         self.issuer.rstrip("/") + "/logout")
        self.assertIs(self.discovery["backchannel_logout_supported"], True)
        self.assertIs(self.discovery["backchannel_logout_session_supported"], True)

    def test_rp_initiated_and_back_channel_logout(self):
        reg, s = self.logout_client()
        browser = plain_session()
        self.addCleanup(browser.close)
        token = self.sign_in_with(browser, s, "n-logout")
        id_token = self.id_claims(token, reg["client_id"], "n-logout")
        # The client sends the user to the end-session endpoint.
        r = browser.get(self.discovery["end_session_endpoint"], timeout=TIMEOUT,
                        allow_redirects=False, params={
                            "id_token_hint": token["id_token"],
                            "post_logout_redirect_uri": AFTER_LOGOUT,
                            "state": "st-9", "ui_locales": "en"})
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertEqual(Receiver.received, [], "nothing before the user agrees")
        form = find_form(r.text, "sign-out")
        r = browser.post(urllib.parse.urljoin(r.url, form["action"]),
                         data=submit_data(form, "sign-out"), timeout=TIMEOUT,
                         allow_redirects=False)
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertEqual(r.headers["Location"], AFTER_LOGOUT + "?state=st-9")
        # The logout token reached the client's endpoint, as a form.
        self.assertEqual(len(Receiver.received), 1)
        path, content_type, form_body = Receiver.received[0]
        self.assertEqual(path, "/backchannel?rp=1")
        self.assertTrue(content_type.startswith("application/x-www-form-urlencoded"))
        logout_token = form_body["logout_token"][0]
        claims = jwt.decode(logout_token, self.jwks())
        self.assertEqual(claims.header["typ"], "logout+jwt")
        self.assertEqual(claims["iss"], self.issuer)
        self.assertEqual(claims["aud"], reg["client_id"])
        self.assertEqual(claims["sub"], id_token["sub"])
        self.assertEqual(claims["sid"], id_token["sid"])
        self.assertEqual(claims["events"], {EVENT: {}})
        self.assertTrue(claims["jti"])
        self.assertNotIn("nonce", claims)
        self.assertLessEqual(abs(claims["iat"] - time.time()), 60)
        self.assertLessEqual(claims["exp"] - claims["iat"], 300)
        # The session's grant ended: its refresh token is refused.
        r = s.post(self.discovery["token_endpoint"], timeout=TIMEOUT,
                   data={"grant_type": "refresh_token",
                         "refresh_token": token["refresh_token"]},
                   auth=(reg["client_id"], reg["client_secret"]))
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["error"], "invalid_grant")
        # The browser's session is gone: prompt=none finds nobody.
        url, _ = s.create_authorization_url(
            self.discovery["authorization_endpoint"], code_verifier=generate_token(48),
            nonce="n-after", prompt="none")
        r = browser.get(url, timeout=TIMEOUT, allow_redirects=False)
        self.assertIn(r.status_code, (302, 303), r.text[:300])
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            r.headers["Location"]).query))
        self.assertEqual(query["error"], "login_required")
        # A client that registered itself is sent back only with a hint
        # (else anyone's URI: an open redirector).
        r = browser.get(self.discovery["end_session_endpoint"], timeout=TIMEOUT,
                        allow_redirects=False, params={
                            "client_id": reg["client_id"],
                            "post_logout_redirect_uri": AFTER_LOGOUT})
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("Location", r.headers)
        # A second logout finds no session: straight back, without state.
        r = browser.get(self.discovery["end_session_endpoint"], timeout=TIMEOUT,
                        allow_redirects=False, params={
                            "id_token_hint": token["id_token"],
                            "post_logout_redirect_uri": AFTER_LOGOUT})
        self.assertEqual(r.status_code, 303)
        self.assertEqual(r.headers["Location"], AFTER_LOGOUT)
        self.assertEqual(len(Receiver.received), 1)

    def test_unregistered_uri_is_a_page_not_a_redirect(self):
        reg, _ = self.logout_client()
        http = plain_session()
        self.addCleanup(http.close)
        for params in ({"client_id": reg["client_id"],
                        "post_logout_redirect_uri": "https://evil.example/"},
                       {"post_logout_redirect_uri": AFTER_LOGOUT},
                       {"id_token_hint": "not.a.token"}):
            r = http.get(self.discovery["end_session_endpoint"], params=params,
                         timeout=TIMEOUT, allow_redirects=False)
            self.assertEqual(r.status_code, 400, params)
            self.assertNotIn("Location", r.headers)
            self.assertEqual(r.json()["error"], "invalid_request")

    def test_unsupported_logout_metadata_is_invalid_client_metadata(self):
        for metadata in ({"subject_type": "secret"},
                         {"backchannel_logout_uri": "https://rp.example/bc#f"},
                         {"backchannel_logout_session_required": True},
                         {"post_logout_redirect_uris": ["http://rp.example/bye"]},
                         {"default_max_age": "600"}):
            r = self.register(**metadata)
            self.assertEqual(r.status_code, 400, (metadata, r.text))
            self.assertIn(r.json()["error"], ("invalid_client_metadata",
                                              "invalid_redirect_uri"), metadata)

    def test_start_page_signs_out_the_demo_client(self):
        http = plain_session()
        self.addCleanup(http.close)
        page = http.get(self.issuer, timeout=TIMEOUT).text
        start = page.index('id="sign-out" href="') + len('id="sign-out" href="')
        link = page[start:page.index('"', start)].replace("&amp;", "&")
        r = http.get(link, timeout=TIMEOUT, allow_redirects=False)
        # Nobody signed in: straight back to the start page.
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertEqual(r.headers["Location"], self.issuer.rstrip("/") + "/")


if __name__ == "__main__":
    unittest.main()
