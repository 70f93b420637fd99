#!/usr/bin/python3
"""End-to-end: the demo where its issuer has a trailing slash or a path, and
where its endpoints live under a prefix (--endpoint-base).

For each: discovery at the RFC 8414 §3.1 location computed here from the
issuer (not the demo's word for it), then client_credentials, introspection
and revocation at the advertised endpoints, and the code flow through the
demo's login and consent pages at the advertised authorization endpoint.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_urls.py -v
"""

import os
import secrets
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402
import test_clients as tc  # noqa: E402  (skips without the client modules)

from requests.auth import HTTPBasicAuth  # noqa: E402

TIMEOUT = tc.TIMEOUT
WELL_KNOWN = "/.well-known/oauth-authorization-server"
STARTS = 3  # tries, each on a port free when picked


def rfc8414_location(issuer):
    """RFC 8414 §3.1: the well-known suffix between host and path, the
    path's terminating slash removed."""
    parts = urllib.parse.urlsplit(issuer)
    return "%s://%s%s%s" % (parts.scheme, parts.netloc, WELL_KNOWN,
                            parts.path.rstrip("/"))


def start_demo(issuer_path, base_path=None):
    """A demo whose issuer is http://127.0.0.1:<port><issuer_path> (and
    endpoint base ...<base_path>); returns (Demo, credentials)."""
    last = None
    for _ in range(STARTS):
        port = demo.free_port()
        root = "http://127.0.0.1:%d" % port
        args = ["--port", str(port), "--issuer", root + issuer_path]
        if base_path is not None:
            args += ["--endpoint-base", root + base_path]
        d = demo.Demo(extra_args=args)
        try:
            return d, d.start()
        except demo.DemoError as e:
            last = e
            if "cannot listen" not in str(e):
                raise
    raise last


class UrlShapes:
    """Mixed into a TestCase per shape: ISSUER_PATH, BASE_PATH, PREFIX
    (where the endpoints must be)."""

    ISSUER_PATH = ""
    BASE_PATH = None
    PREFIX = ""

    @classmethod
    def setUpClass(cls):
        cls.demo, cls.creds = start_demo(cls.ISSUER_PATH, cls.BASE_PATH)
        cls.addClassCleanup(cls.demo.stop)
        cls.root = "http://127.0.0.1:%d" % cls.creds["port"]

    def setUp(self):
        self.http = tc._session()
        self.addCleanup(self.http.close)

    def metadata(self):
        issuer = self.creds["issuer"]
        self.assertEqual(issuer, self.root + self.ISSUER_PATH)
        r = self.http.get(rfc8414_location(issuer), timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:300])
        doc = r.json()
        # Byte for byte as configured (RFC 8414 §3.3).
        self.assertEqual(doc["issuer"], issuer)
        return doc

    def test_the_credentials_name_the_metadata_url(self):
        self.assertEqual(self.creds.get("metadata_url"),
                         rfc8414_location(self.creds["issuer"]))

    def test_discovery_advertises_the_endpoints_where_they_are(self):
        doc = self.metadata()
        for name, path in (("authorization_endpoint", "/authorize"),
                           ("token_endpoint", "/token"),
                           ("revocation_endpoint", "/revoke"),
                           ("introspection_endpoint", "/introspect"),
                           ("registration_endpoint", "/register")):
            self.assertEqual(doc[name], self.root + self.PREFIX + path)
        for name in ("token_endpoint", "revocation_endpoint",
                     "introspection_endpoint", "registration_endpoint"):
            r = self.http.post(doc[name], data={}, timeout=TIMEOUT)
            self.assertNotEqual(r.status_code, 404, "%s %s" % (name, doc[name]))

    def test_client_credentials_at_the_advertised_token_endpoint(self):
        doc = self.metadata()
        conf = self.creds["confidential"]
        auth = HTTPBasicAuth(conf["client_id"], conf["client_secret"])
        r = self.http.post(doc["token_endpoint"], auth=auth,
                           data={"grant_type": "client_credentials"}, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:300])
        token = r.json()["access_token"]
        r = self.http.post(doc["introspection_endpoint"], auth=auth,
                           data={"token": token}, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertTrue(r.json()["active"])
        self.assertEqual(r.json()["iss"], self.creds["issuer"])
        r = self.http.post(doc["revocation_endpoint"], auth=auth,
                           data={"token": token}, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:300])

    def test_code_flow_through_the_pages_beside_the_authorization_endpoint(self):
        doc = self.metadata()
        verifier, challenge = tc.pkce_pair()
        state = secrets.token_urlsafe(16)
        r = self.http.get(doc["authorization_endpoint"], timeout=TIMEOUT, params={
            "response_type": "code", "client_id": self.creds["public"]["client_id"],
            "redirect_uri": self.creds["redirect_uri"], "scope": "profile",
            "state": state, "code_challenge": challenge,
            "code_challenge_method": "S256"})
        self.assertEqual(r.status_code, 200, r.text[:300])
        form = tc.find_form(r.text, "username")
        action = urllib.parse.urljoin(r.url, form["action"])
        self.assertEqual(action, self.root + self.PREFIX + "/login")
        r = self.http.post(action, timeout=TIMEOUT, data=tc.submit_data(
            form, "login", {"username": self.creds["user"],
                            "password": self.creds["password"]}))
        self.assertEqual(r.status_code, 200, r.text[:300])
        form = tc.find_form(r.text, "allow")
        r = self.http.post(urllib.parse.urljoin(r.url, form["action"]),
                           data=tc.submit_data(form, "allow"), timeout=TIMEOUT,
                           allow_redirects=False)
        self.assertEqual(r.status_code, 303, r.text[:300])
        location, _, query = r.headers["Location"].partition("?")
        self.assertEqual(location, self.creds["redirect_uri"])
        params = dict(urllib.parse.parse_qsl(query))
        self.assertEqual(params["state"], state)
        self.assertEqual(params["iss"], self.creds["issuer"])
        r = self.http.post(doc["token_endpoint"], timeout=TIMEOUT, data={
            "grant_type": "authorization_code", "code": params["code"],
            "client_id": self.creds["public"]["client_id"],
            "redirect_uri": self.creds["redirect_uri"], "code_verifier": verifier})
        self.assertEqual(r.status_code, 200, r.text[:300])
        # The demo's resource, under the issuer's path.
        r = self.http.get(self.creds["issuer"].rstrip("/") + "/api/me", timeout=TIMEOUT,
                          headers={"Authorization": "Bearer " + r.json()["access_token"]})
        self.assertEqual(r.status_code, 200, r.text[:300])


class TrailingSlashIssuerTest(UrlShapes, unittest.TestCase):
    """--issuer http://127.0.0.1:P/ (before: .../P//token, answered 404)."""
    ISSUER_PATH = "/"


class PathIssuerTest(UrlShapes, unittest.TestCase):
    """--issuer http://127.0.0.1:P/tenant (before: the metadata's RFC 8414
    location and /tenant/token answered 404)."""
    ISSUER_PATH = "/tenant"
    PREFIX = "/tenant"

    def test_metadata_also_where_openid_discovery_looks(self):
        r = self.http.get(self.root + "/tenant" + WELL_KNOWN, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertEqual(r.json()["issuer"], self.creds["issuer"])


class EndpointBaseTest(UrlShapes, unittest.TestCase):
    """--endpoint-base http://127.0.0.1:P/oauth (before: no such option;
    POST /oauth/token answered 404)."""
    BASE_PATH = "/oauth"
    PREFIX = "/oauth"

    def test_the_root_paths_are_not_endpoints(self):
        r = self.http.post(self.root + "/token", data={}, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 404)


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
