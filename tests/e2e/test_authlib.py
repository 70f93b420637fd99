#!/usr/bin/python3
"""Debian's python3-authlib (its requests OAuth 2 client) against provider_demo.

Discovery, client_credentials (client_secret_basic and client_secret_post),
the code flow with PKCE through the demo's login and consent pages,
refresh with rotation, revocation, introspection (by the token's client
and by the demo API, a resource server), dynamic registration with RFC 7592
read-back; then the demo with a trailing-slash issuer, a path issuer and
its endpoints under a prefix: discovery and a token request each.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_authlib.py -v
"""

import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

demo.skip_unless_importable((("requests", "python3-requests"),
                             ("authlib.integrations.requests_client", "python3-authlib")))

import authlib  # noqa: E402
import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session, OAuthError  # noqa: E402

import interop  # noqa: E402
from interop import TIMEOUT  # noqa: E402

print("authlib %s" % authlib.__version__, flush=True)


def session(**kw):
    """authlib's client with these settings; without any, plain requests."""
    s = OAuth2Session(**kw) if kw else requests.Session()
    s.trust_env = False  # loopback only, never a proxy
    return s


class AuthlibCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.demo = demo.Demo()
        cls.creds = cls.demo.start()
        cls.addClassCleanup(cls.demo.stop)
        c = cls.creds
        http = session()
        try:
            r = http.get(c["issuer"].rstrip("/") + "/.well-known/oauth-authorization-server",
                         timeout=TIMEOUT)
        finally:
            http.close()
        cls.meta_response = r
        cls.meta = r.json()

    def client(self, **kw):
        s = session(**kw)
        self.addCleanup(s.close)
        # Every answer's status, for the checks authlib does not expose.
        self.statuses = []
        s.hooks["response"].append(lambda r, *a, **k: self.statuses.append(r.status_code))
        return s

    def confidential(self, method="client_secret_basic", secret=None, **kw):
        c = self.creds["confidential"]
        return self.client(client_id=c["client_id"], client_secret=secret or c["client_secret"],
                           token_endpoint_auth_method=method, **kw)

    def resource_server(self):
        rs = self.creds.get("resource_server")
        self.assertIsNotNone(rs, "no resource_server in the demo's credentials: %s"
                             % sorted(self.creds))
        return self.client(client_id=rs["client_id"], client_secret=rs["client_secret"],
                           token_endpoint_auth_method="client_secret_basic")

    def public(self):
        return self.client(client_id=self.creds["public"]["client_id"],
                           token_endpoint_auth_method="none",
                           redirect_uri=self.creds["redirect_uri"],
                           scope="profile email api", code_challenge_method="S256")

    def code_flow(self):
        """(session, token) from the code flow with PKCE, as authlib does it."""
        s = self.public()
        verifier = generate_token(48)
        url, state = s.create_authorization_url(self.meta["authorization_endpoint"],
                                                code_verifier=verifier)
        browser = session()
        self.addCleanup(browser.close)
        location = interop.browser_login(browser, url, self.creds["user"],
                                         self.creds["password"])
        self.assertTrue(location.startswith(self.creds["redirect_uri"] + "?"), location)
        token = s.fetch_token(self.meta["token_endpoint"], authorization_response=location,
                              code_verifier=verifier, state=state, timeout=TIMEOUT)
        return s, token

    def me(self, token):
        http = session()
        self.addCleanup(http.close)
        return http.get(self.creds["issuer"].rstrip("/") + "/api/me", timeout=TIMEOUT,
                        headers={"Authorization": "Bearer " + token})


class DiscoveryTest(AuthlibCase):
    def test_metadata(self):
        self.assertEqual(self.meta_response.status_code, 200)
        m = self.meta
        self.assertEqual(m["issuer"], self.creds["issuer"])
        base = self.creds["issuer"].rstrip("/")
        for name, path in (("authorization_endpoint", "/authorize"), ("token_endpoint", "/token"),
                           ("revocation_endpoint", "/revoke"),
                           ("introspection_endpoint", "/introspect"),
                           ("registration_endpoint", "/register")):
            self.assertEqual(m[name], base + path)
        self.assertIn("S256", m["code_challenge_methods_supported"])
        for method in ("client_secret_basic", "client_secret_post"):
            self.assertIn(method, m["token_endpoint_auth_methods_supported"])


class ClientCredentialsTest(AuthlibCase):
    def check(self, token, method):
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["scope"], "api")
        self.assertNotIn("refresh_token", token)
        info = self.confidential().introspect_token(self.meta["introspection_endpoint"],
                                                    token=token["access_token"], timeout=TIMEOUT)
        self.assertEqual(info.status_code, 200, info.text)
        self.assertIs(info.json()["active"], True, (method, info.text))

    def test_client_secret_basic(self):
        s = self.confidential("client_secret_basic", scope="api")
        self.check(s.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                                 timeout=TIMEOUT), "basic")

    def test_client_secret_post(self):
        s = self.confidential("client_secret_post", scope="api")
        self.check(s.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                                 timeout=TIMEOUT), "post")

    def test_wrong_secret_basic_is_401(self):
        s = self.confidential("client_secret_basic", secret="wrong", scope="api")
        with self.assertRaises(OAuthError) as e:
            s.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                          timeout=TIMEOUT)
        self.assertEqual(e.exception.error, "invalid_client")
        self.assertEqual(self.statuses, [401])

    def test_wrong_secret_post_is_401(self):
        # RFC 6749 §5.2: 401 for a failed client authentication, whatever
        # the method (the HTTP-details package).
        s = self.confidential("client_secret_post", secret="wrong", scope="api")
        with self.assertRaises(OAuthError) as e:
            s.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                          timeout=TIMEOUT)
        self.assertEqual(e.exception.error, "invalid_client")
        self.assertEqual(self.statuses, [401])


class CodeFlowTest(AuthlibCase):
    def test_code_pkce_refresh_rotation(self):
        s, token = self.code_flow()
        self.assertEqual(token["scope"], "profile email api")
        r = self.me(token["access_token"])
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["sub"], self.creds["user"])
        old = token["refresh_token"]
        new = s.refresh_token(self.meta["token_endpoint"], refresh_token=old, timeout=TIMEOUT)
        self.assertNotEqual(new["refresh_token"], old)
        self.assertNotEqual(new["access_token"], token["access_token"])
        self.assertEqual(self.me(new["access_token"]).status_code, 200)
        # The old refresh token is refused, and its reuse revokes the grant.
        with self.assertRaises(OAuthError) as e:
            s.refresh_token(self.meta["token_endpoint"], refresh_token=old, timeout=TIMEOUT)
        self.assertEqual(e.exception.error, "invalid_grant")
        self.assertEqual(self.me(new["access_token"]).status_code, 401)

    def test_public_client_revokes_and_introspects(self):
        s, token = self.code_flow()
        # RFC 7009/7662 as a public client: client_id in the body, no secret.
        info = s.introspect_token(self.meta["introspection_endpoint"],
                                  token=token["access_token"], timeout=TIMEOUT)
        self.assertIs(info.json().get("active"), True, info.text)
        r = s.revoke_token(self.meta["revocation_endpoint"], token=token["access_token"],
                           token_type_hint="access_token", timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.me(token["access_token"]).status_code, 401)
        info = s.introspect_token(self.meta["introspection_endpoint"],
                                  token=token["access_token"], timeout=TIMEOUT)
        self.assertEqual(info.json(), {"active": False})

    def test_another_client_sees_nothing(self):
        _, token = self.code_flow()
        info = self.confidential().introspect_token(self.meta["introspection_endpoint"],
                                                    token=token["access_token"],
                                                    timeout=TIMEOUT)
        self.assertEqual(info.json(), {"active": False})

    def test_resource_server_introspects(self):
        _, token = self.code_flow()
        rs = self.resource_server()
        info = rs.introspect_token(self.meta["introspection_endpoint"],
                                   token=token["access_token"], timeout=TIMEOUT)
        self.assertEqual(info.status_code, 200, info.text)
        body = info.json()
        self.assertIs(body.get("active"), True, body)
        self.assertEqual(body.get("sub"), self.creds["user"], body)
        self.assertEqual(body.get("client_id"), self.creds["public"]["client_id"], body)
        # A refresh token is none of the resource server's business.
        info = rs.introspect_token(self.meta["introspection_endpoint"],
                                   token=token["refresh_token"], timeout=TIMEOUT)
        self.assertEqual(info.json(), {"active": False})


class RegistrationTest(AuthlibCase):
    def register(self, method):
        http = session()
        self.addCleanup(http.close)
        r = http.post(self.meta["registration_endpoint"], timeout=TIMEOUT, json={
            "redirect_uris": ["http://127.0.0.1:9000/cb"],
            "grant_types": ["client_credentials"], "scope": "api",
            "token_endpoint_auth_method": method})
        self.assertEqual(r.status_code, 201, r.text)
        body = r.json()
        read = http.get(body["registration_client_uri"], timeout=TIMEOUT,
                        headers={"Authorization": "Bearer " + body["registration_access_token"]})
        self.assertEqual(read.status_code, 200, read.text)
        return body, read.json()

    def test_register_basic_and_use_it(self):
        reg, back = self.register("client_secret_basic")
        self.assertEqual(back["client_id"], reg["client_id"])
        self.assertEqual(back["token_endpoint_auth_method"], "client_secret_basic")
        s = self.client(client_id=reg["client_id"], client_secret=reg["client_secret"],
                        token_endpoint_auth_method="client_secret_basic", scope="api")
        token = s.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                              timeout=TIMEOUT)
        self.assertEqual(token["scope"], "api")

    def test_register_post_reflected_and_honoured(self):
        # RFC 7591 §2 / RFC 7592 §3: the method registered is the one read
        # back, and the one the token endpoint accepts.
        reg, back = self.register("client_secret_post")
        self.assertEqual(reg.get("token_endpoint_auth_method"), "client_secret_post", reg)
        self.assertEqual(back.get("token_endpoint_auth_method"), "client_secret_post", back)
        s = self.client(client_id=reg["client_id"], client_secret=reg["client_secret"],
                        token_endpoint_auth_method="client_secret_post", scope="api")
        token = s.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                              timeout=TIMEOUT)
        self.assertEqual(token["scope"], "api")
        s = self.client(client_id=reg["client_id"], client_secret=reg["client_secret"],
                        token_endpoint_auth_method="client_secret_basic", scope="api")
        with self.assertRaises(OAuthError) as e:
            s.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                          timeout=TIMEOUT)
        self.assertEqual(e.exception.error, "invalid_client")


class ShapesTest(unittest.TestCase):
    """Discovery at the RFC 8414 location, then a token from the endpoint it names."""

    def check_shape(self, name):
        d, creds, s = interop.start_shape(name)
        self.addCleanup(d.stop)
        http = session()
        self.addCleanup(http.close)
        r = http.get(s["metadata"], timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, "%s: %s" % (s["metadata"], r.text[:300]))
        meta = r.json()
        self.assertEqual(meta["issuer"].rstrip("/"), s["issuer"].rstrip("/"), meta)
        self.assertEqual(meta["token_endpoint"], s["base"] + "/token", meta)
        c = creds["confidential"]
        client = session(client_id=c["client_id"], client_secret=c["client_secret"],
                         token_endpoint_auth_method="client_secret_basic", scope="api")
        self.addCleanup(client.close)
        token = client.fetch_token(meta["token_endpoint"], grant_type="client_credentials",
                                   timeout=TIMEOUT)
        self.assertEqual(token["scope"], "api")
        info = client.introspect_token(meta["introspection_endpoint"],
                                       token=token["access_token"], timeout=TIMEOUT)
        self.assertIs(info.json().get("active"), True, info.text)
        self.assertTrue(urllib.parse.urlsplit(meta["authorization_endpoint"]).path
                        .startswith(urllib.parse.urlsplit(s["base"]).path + "/"), meta)

    def test_trailing_slash_issuer(self):
        self.check_shape("trailing-slash")

    def test_path_issuer(self):
        self.check_shape("path-issuer")

    def test_prefix_mount(self):
        self.check_shape("prefix-mount")


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
