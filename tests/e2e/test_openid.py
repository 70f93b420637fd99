#!/usr/bin/python3
"""OpenID Connect at provider_demo (--openid on), checked by Debian's
python3-authlib as a relying party.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_openid.py -v

Discovery at /.well-known/openid-configuration (the RFC 8414 document,
with the OpenID members); the code flow through the demo's login and
consent pages with a nonce; the id_token's signature through the JWKS
and its claims by authlib's CodeIDToken (iss, aud, exp, iat, nonce,
at_hash), auth_time, amr, sid; UserInfo over GET and POST, its claims as
far as the scopes reach, 403 without openid; a refresh returning an
id_token of the same subject and login without nonce; a tampered
id_token refused; prompt=none without a session (login_required), with
one and the consent remembered (a code of the same login), with more
scope (consent_required); id_token_hint; prompt=consent and max_age=0
showing their pages; bad prompt, max_age and hint redirected as
invalid_request; the demo with a path issuer finds its discovery document
where OpenID Connect Discovery §4 puts it.
"""

import json
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

demo.skip_unless_importable((("requests", "python3-requests"),
                             ("authlib.integrations.requests_client", "python3-authlib")))

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.jose.errors import BadSignatureError  # noqa: E402
from authlib.oidc.core import CodeIDToken, IDToken  # noqa: E402

import interop  # noqa: E402
from interop import TIMEOUT  # noqa: E402

LEEWAY = 60


def plain_session():
    s = requests.Session()
    s.trust_env = False
    return s


class OpenIDCase(unittest.TestCase):
    extra_args = ["--openid", "on"]

    @classmethod
    def setUpClass(cls):
        cls.demo = demo.Demo(extra_args=cls.extra_args)
        cls.creds = cls.demo.start()
        cls.addClassCleanup(cls.demo.stop)
        cls.issuer = cls.creds["issuer"]
        http = plain_session()
        try:
            cls.discovery = http.get(cls.discovery_url(), timeout=TIMEOUT).json()
        finally:
            http.close()

    @classmethod
    def discovery_url(cls):
        return cls.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def jwks(self):
        http = plain_session()
        self.addCleanup(http.close)
        return JsonWebKey.import_key_set(
            http.get(self.discovery["jwks_uri"], timeout=TIMEOUT).json())

    def client(self, which="confidential", scope="openid profile email"):
        c = self.creds[which]
        s = OAuth2Session(client_id=c["client_id"], client_secret=c.get("client_secret"),
                          token_endpoint_auth_method="client_secret_basic"
                          if which == "confidential" else "none",
                          scope=scope, redirect_uri=self.creds["redirect_uri"],
                          code_challenge_method="S256")
        s.trust_env = False
        self.addCleanup(s.close)
        return s

    def sign_in(self, session, nonce, user=None, password=None, **params):
        """The code flow through the demo's pages, as user (the demo user
        by default): the token response."""
        verifier = generate_token(48)
        url, state = session.create_authorization_url(
            self.discovery["authorization_endpoint"], code_verifier=verifier,
            nonce=nonce, **params)
        browser = plain_session()
        self.addCleanup(browser.close)
        location = interop.browser_login(browser, url, user or self.creds["user"],
                                         password or self.creds["password"])
        return session.fetch_token(self.discovery["token_endpoint"],
                                   authorization_response=location, state=state,
                                   code_verifier=verifier)

    def register(self, **metadata):
        """Dynamic registration of a code-flow client with metadata."""
        http = plain_session()
        self.addCleanup(http.close)
        body = dict({"redirect_uris": [self.creds["redirect_uri"]],
                     "grant_types": ["authorization_code"], "scope": "openid"},
                    **metadata)
        return http.post(self.discovery["registration_endpoint"], json=body,
                         timeout=TIMEOUT)

    def id_claims(self, token, client_id, nonce=None, cls=CodeIDToken):
        claims = jwt.decode(token["id_token"], self.jwks(), claims_cls=cls,
                            claims_options={"iss": {"essential": True,
                                                    "value": self.issuer}},
                            claims_params={"nonce": nonce, "client_id": client_id,
                                           "access_token": token["access_token"]})
        claims.validate(leeway=LEEWAY)
        return claims


class DiscoveryTest(OpenIDCase):

    def test_discovery_is_the_authorization_server_metadata(self):
        http = plain_session()
        self.addCleanup(http.close)
        r = http.get(self.creds["metadata"] if "metadata" in self.creds else
                     self.issuer.rstrip("/") + "/.well-known/oauth-authorization-server",
                     timeout=TIMEOUT)
        self.assertEqual(r.json(), self.discovery)
        d = self.discovery
        self.assertEqual(d["issuer"], self.issuer)
        for member in ("authorization_endpoint", "token_endpoint", "jwks_uri",
                       "userinfo_endpoint", "response_types_supported",
                       "subject_types_supported", "id_token_signing_alg_values_supported"):
            self.assertIn(member, d)
        self.assertIn("RS256", d["id_token_signing_alg_values_supported"])
        self.assertIn("openid", d["scopes_supported"])
        self.assertEqual(d["response_types_supported"], ["code"])
        self.assertIs(d["request_uri_parameter_supported"], False)
        keys = http.get(d["jwks_uri"], timeout=TIMEOUT).json()["keys"]
        self.assertIn("RS256", [k["alg"] for k in keys])


class CodeFlowTest(OpenIDCase):

    def test_confidential_client_id_token_userinfo_refresh(self):
        s = self.client()
        nonce = generate_token(20)
        token = self.sign_in(s, nonce)
        client_id = self.creds["confidential"]["client_id"]
        claims = self.id_claims(token, client_id, nonce)
        self.assertEqual(claims["sub"], self.creds["user"])
        self.assertEqual(claims["aud"], client_id)
        self.assertEqual(claims["nonce"], nonce)
        self.assertEqual(claims["amr"], ["pwd"])
        self.assertTrue(claims["sid"])
        self.assertLessEqual(claims["auth_time"], claims["iat"])
        self.assertEqual(jwt.decode(token["id_token"], self.jwks()).header["alg"], "RS256")

        # UserInfo, GET and POST: profile and email reach name and email.
        for method in ("GET", "POST"):
            r = s.request(method, self.discovery["userinfo_endpoint"], timeout=TIMEOUT)
            self.assertEqual(r.status_code, 200, r.text)
            info = r.json()
            self.assertEqual(info["sub"], claims["sub"])
            self.assertEqual(info["email"], self.creds["user"] + "@example.com")
            self.assertIs(info["email_verified"], True)
            self.assertEqual(info["preferred_username"], self.creds["user"])

        # Core §12.2: a refresh returns an id_token of the same login.
        refreshed = s.refresh_token(self.discovery["token_endpoint"],
                                    refresh_token=token["refresh_token"])
        again = self.id_claims(refreshed, client_id, cls=IDToken)
        for name in ("iss", "sub", "aud", "auth_time", "sid", "amr"):
            self.assertEqual(again[name], claims[name], name)
        self.assertNotIn("nonce", again)
        self.assertGreaterEqual(again["iat"], claims["iat"])

    def test_public_client_and_scopes(self):
        s = self.client("public", scope="openid")
        token = self.sign_in(s, "n-1")
        self.id_claims(token, self.creds["public"]["client_id"], "n-1")
        r = s.get(self.discovery["userinfo_endpoint"], timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        # openid alone: sub and nothing the profile or email scopes hold.
        self.assertEqual(r.json(), {"sub": self.creds["user"]})

    def test_tampered_id_token_is_refused(self):
        token = self.sign_in(self.client(), "n-2")
        head, body, sig = token["id_token"].split(".")
        forged = dict(token, id_token=".".join(
            (head, body, sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB"))))
        with self.assertRaises(BadSignatureError):
            self.id_claims(forged, self.creds["confidential"]["client_id"], "n-2")

    def test_userinfo_token_in_a_post_body(self):
        # RFC 6750 2.2, which Core 5.3.1 allows: access_token in the form.
        token = self.sign_in(self.client(), "n-13")
        http = plain_session()
        self.addCleanup(http.close)
        r = http.post(self.discovery["userinfo_endpoint"],
                      data={"access_token": token["access_token"]}, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["sub"], self.creds["user"])
        # Both ways at once is no request.
        r = http.post(self.discovery["userinfo_endpoint"],
                      data={"access_token": token["access_token"]},
                      headers={"Authorization": "Bearer " + token["access_token"]},
                      timeout=TIMEOUT)
        self.assertNotEqual(r.status_code, 200)

    def test_claims_parameter_names_claims_beyond_the_scopes(self):
        # The Basic OP plan's oidcc-claims-essential: scope openid alone,
        # name asked for at UserInfo; and email in the id_token.
        self.assertIs(self.discovery["claims_parameter_supported"], True)
        s = self.client("public", scope="openid")
        asked = {"userinfo": {"name": {"essential": True}},
                 "id_token": {"email": None}}
        token = self.sign_in(s, "n-14", claims=json.dumps(asked))
        claims = self.id_claims(token, self.creds["public"]["client_id"], "n-14")
        self.assertEqual(claims["email"], self.creds["user"] + "@example.com")
        self.assertNotIn("name", claims)
        r = s.get(self.discovery["userinfo_endpoint"], timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {"sub": self.creds["user"],
                                    "name": self.creds["user"]})

    def test_the_second_user_is_another_subject(self):
        s = self.client("public")
        user = self.creds["second_user"]
        token = self.sign_in(s, "n-16", user=user,
                             password=self.creds["second_password"])
        claims = self.id_claims(token, self.creds["public"]["client_id"], "n-16")
        self.assertEqual(claims["sub"], user)
        self.assertNotEqual(user, self.creds["user"])
        info = s.get(self.discovery["userinfo_endpoint"], timeout=TIMEOUT).json()
        self.assertEqual(info["sub"], user)
        self.assertEqual(info["email"], user + "@example.com")
        self.assertEqual(info["preferred_username"], user)
        # One user's password is not the other's.
        with self.assertRaisesRegex(AssertionError, "login: 401"):
            self.sign_in(s, "n-17", user=user, password=self.creds["password"])

    def test_userinfo_refuses_tokens_without_openid(self):
        s = self.client(scope="profile")
        token = self.sign_in(s, None)
        self.assertNotIn("id_token", token)
        r = s.get(self.discovery["userinfo_endpoint"], timeout=TIMEOUT)
        self.assertEqual(r.status_code, 403)
        self.assertIn('error="insufficient_scope"', r.headers["WWW-Authenticate"])
        http = plain_session()
        self.addCleanup(http.close)
        r = http.get(self.discovery["userinfo_endpoint"], timeout=TIMEOUT)
        self.assertEqual(r.status_code, 401)


class RegistrationTest(OpenIDCase):
    """OpenID Connect Registration: a client chooses its id_tokens' alg."""

    def test_es256_id_tokens_for_a_registered_client(self):
        r = self.register(id_token_signed_response_alg="ES256")
        self.assertEqual(r.status_code, 201, r.text)
        reg = r.json()
        self.assertEqual(reg["id_token_signed_response_alg"], "ES256")
        s = OAuth2Session(client_id=reg["client_id"], client_secret=reg["client_secret"],
                          token_endpoint_auth_method="client_secret_basic",
                          scope="openid", redirect_uri=self.creds["redirect_uri"],
                          code_challenge_method="S256")
        s.trust_env = False
        self.addCleanup(s.close)
        token = self.sign_in(s, "n-es")
        # authlib verifies the ES256 signature with the JWKS's EC key.
        self.id_claims(token, reg["client_id"], "n-es")
        self.assertEqual(jwt.decode(token["id_token"], self.jwks()).header["alg"], "ES256")

    def test_pairwise_subjects_need_a_sector_of_their_own(self):
        # Core 8.1: pairwise subjects are offered, but a loopback http
        # redirect URI is no sector (every native app may claim it): such a
        # client needs a sector_identifier_uri, which the demo cannot fetch.
        # tests/check_pairwise.c runs the flow with https clients.
        self.assertIn("pairwise", self.discovery["subject_types_supported"])
        r = self.register(subject_type="pairwise")
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["error"], "invalid_client_metadata")
        self.assertIn("sector_identifier_uri", r.json()["error_description"])
        r = self.register(subject_type="pairwise",
                          sector_identifier_uri="https://sector.example/uris")
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["error"], "invalid_client_metadata")

    def test_unsupported_alg_is_invalid_client_metadata(self):
        for alg in ("HS256", "none", 256):
            r = self.register(id_token_signed_response_alg=alg)
            self.assertEqual(r.status_code, 400, r.text)
            self.assertEqual(r.json()["error"], "invalid_client_metadata")


class PromptTest(OpenIDCase):
    """prompt, max_age and id_token_hint with the browser's session and the
    consent the demo remembers."""

    def authorize_url(self, session, nonce, **params):
        self.verifier = generate_token(48)
        url, self.state = session.create_authorization_url(
            self.discovery["authorization_endpoint"], code_verifier=self.verifier,
            nonce=nonce, **params)
        return url

    def silent(self, browser, session, nonce, **params):
        """GET /authorize expecting no page: the redirect's query."""
        r = browser.get(self.authorize_url(session, nonce, **params),
                        timeout=TIMEOUT, allow_redirects=False)
        self.assertIn(r.status_code, (302, 303), r.text[:300])
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            r.headers["Location"]).query))
        self.assertEqual(query["state"], self.state)
        return r.headers["Location"], query

    def exchange(self, session, location):
        return session.fetch_token(self.discovery["token_endpoint"],
                                   authorization_response=location, state=self.state,
                                   code_verifier=self.verifier)

    def test_prompt_none_session_and_remembered_consent(self):
        browser = plain_session()
        self.addCleanup(browser.close)
        s = self.client(scope="openid profile")
        client_id = self.creds["confidential"]["client_id"]
        # No session yet: login_required, back at the client.
        _, query = self.silent(browser, s, "n-3", prompt="none")
        self.assertEqual(query["error"], "login_required")
        # Signed in, consented: remembered.
        location = interop.browser_login(browser, self.authorize_url(s, "n-4"),
                                         self.creds["user"], self.creds["password"])
        first = self.id_claims(self.exchange(s, location), client_id, "n-4")
        # prompt=none now answers with a code, of the same login.
        location, query = self.silent(browser, s, "n-5", prompt="none")
        self.assertIn("code", query)
        token = self.exchange(s, location)
        again = self.id_claims(token, client_id, "n-5")
        self.assertEqual(again["sid"], first["sid"])
        self.assertEqual(again["auth_time"], first["auth_time"])
        # The user's own id_token as the hint: still silent.
        _, query = self.silent(browser, s, "n-6", prompt="none",
                               id_token_hint=token["id_token"])
        self.assertIn("code", query)
        # No prompt: the remembered consent spares the page too.
        _, query = self.silent(browser, s, "n-7")
        self.assertIn("code", query)
        # More scope than consented to: consent_required.
        _, query = self.silent(browser, self.client(scope="openid email"), "n-8",
                               prompt="none")
        self.assertEqual(query["error"], "consent_required")
        # prompt=consent asks again; max_age=0 asks for a fresh login.
        r = browser.get(self.authorize_url(s, "n-9", prompt="consent"),
                        timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 200)
        self.assertIn('id="allow"', r.text)
        r = browser.get(self.authorize_url(s, "n-10", max_age="0"),
                        timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 200)
        self.assertIn('id="username"', r.text)
        _, query = self.silent(browser, s, "n-11", prompt="none", max_age="0")
        self.assertEqual(query["error"], "login_required")

    def test_max_age_login_gives_a_fresh_auth_time(self):
        browser = plain_session()
        self.addCleanup(browser.close)
        s = self.client(scope="openid")
        client_id = self.creds["confidential"]["client_id"]
        token = self.exchange(s, interop.browser_login(
            browser, self.authorize_url(s, "n-12", max_age="600"),
            self.creds["user"], self.creds["password"]))
        # authlib checks auth_time against max_age (Core 3.1.2.1).
        claims = jwt.decode(token["id_token"], self.jwks(), claims_cls=CodeIDToken,
                            claims_options={"iss": {"value": self.issuer}},
                            claims_params={"nonce": "n-12", "client_id": client_id,
                                           "max_age": 600,
                                           "access_token": token["access_token"]})
        claims.validate(leeway=LEEWAY)
        self.assertIn("auth_time", claims)

    def test_hints_and_locales_are_the_hosts(self):
        # login_hint, ui_locales, claims_locales, acr_values, display: passed
        # to the host, no error (the demo ignores them).
        browser = plain_session()
        self.addCleanup(browser.close)
        s = self.client(scope="openid")
        url = self.authorize_url(s, "n-14", login_hint=self.creds["user"],
                                 ui_locales="de en", claims_locales="de",
                                 acr_values="urn:mace:incommon:iap:silver",
                                 display="page")
        token = self.exchange(s, interop.browser_login(
            browser, url, self.creds["user"], self.creds["password"]))
        self.id_claims(token, self.creds["confidential"]["client_id"], "n-14")

    def test_request_objects_are_refused_as_unsupported(self):
        browser = plain_session()
        self.addCleanup(browser.close)
        s = self.client()
        for name, error in (("request", "request_not_supported"),
                            ("request_uri", "request_uri_not_supported"),
                            ("registration", "registration_not_supported")):
            _, query = self.silent(browser, s, "n", **{name: "eyJhbGciOiJub25lIn0.e30."})
            self.assertEqual(query["error"], error)

    def test_response_type_missing_is_redirected(self):
        browser = plain_session()
        self.addCleanup(browser.close)
        url = self.authorize_url(self.client(), "n-15")
        parts = urllib.parse.urlsplit(url)
        query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query)
                 if k != "response_type"]
        r = browser.get(parts._replace(query=urllib.parse.urlencode(query)).geturl(),
                        timeout=TIMEOUT, allow_redirects=False)
        self.assertIn(r.status_code, (302, 303), r.text[:300])
        back = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            r.headers["Location"]).query))
        self.assertEqual(back["error"], "invalid_request")
        self.assertEqual(back["state"], self.state)

    def test_authorization_request_by_post_and_any_scope_order(self):
        browser = plain_session()
        self.addCleanup(browser.close)
        s = self.client(scope="profile openid")
        parts = urllib.parse.urlsplit(self.authorize_url(s, "n-16"))
        # The form a relying party posts (Core 3.1.2.1: GET and POST).
        r = browser.post(parts._replace(query="").geturl(),
                         data=dict(urllib.parse.parse_qsl(parts.query)),
                         timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertIn('id="username"', r.text)
        location = interop.browser_login(browser, parts.geturl(), self.creds["user"],
                                         self.creds["password"])
        self.id_claims(self.exchange(s, location),
                       self.creds["confidential"]["client_id"], "n-16")

    def test_bad_parameters_are_the_clients_error(self):
        browser = plain_session()
        self.addCleanup(browser.close)
        s = self.client()
        for params in ({"prompt": "none login"}, {"max_age": "soon"},
                       {"id_token_hint": "a.b.c"}, {"claims": "name"},
                       {"claims": '{"userinfo": {"name": true}}'}):
            _, query = self.silent(browser, s, "n", **params)
            self.assertEqual(query["error"], "invalid_request", params)


class PathIssuerTest(OpenIDCase):
    """Discovery §4.1: the well-known suffix after the issuer's path."""

    @classmethod
    def setUpClass(cls):
        port = demo.free_port()
        cls.extra_args = ["--openid", "on", "--port", str(port),
                          "--issuer", "http://127.0.0.1:%d/tenant" % port]
        super().setUpClass()

    def test_discovery_after_the_path(self):
        self.assertTrue(self.discovery_url().endswith("/tenant/.well-known/openid-configuration"))
        self.assertEqual(self.discovery["issuer"], self.issuer)
        self.assertEqual(self.discovery["userinfo_endpoint"], self.issuer + "/userinfo")
        nonce = generate_token(20)
        token = self.sign_in(self.client(), nonce)
        self.id_claims(token, self.creds["confidential"]["client_id"], nonce)


if __name__ == "__main__":
    demo.binary_from_argv(sys.argv)
    unittest.main()
