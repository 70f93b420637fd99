#!/usr/bin/python3
"""Client ID Metadata Documents at provider_demo (--client-documents).

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_client_documents.py -v

The documents come from a local https server (documents.py). One demo
takes documents from loopback (the test option); the code flow runs with
nothing registered, the consent page naming the redirect host, and a
refresh. Documents that will not do (another client_id, too large, a
redirect, a client secret method, a server error) get the client's error,
never a 5xx. A second demo (--client-documents on) refuses to connect to
127.0.0.1, by address or by name: the server sees no request.
"""

import os
import shutil
import sys
import tempfile
import unittest
import urllib.parse

import test_clients  # noqa: F401  (sets up sys.path and skips without requests)
from test_clients import TIMEOUT, find_form, pkce_pair, submit_data

import demo
import documents as document_server
import requests


def setUpModule():
    global tmp, server
    tmp = tempfile.mkdtemp(prefix="proauth2-documents-")
    server = document_server.DocumentServer(tmp)


def tearDownModule():
    server.stop()
    shutil.rmtree(tmp, ignore_errors=True)


class DocumentsCase(unittest.TestCase):
    mode = "loopback"

    @classmethod
    def setUpClass(cls):
        cls.demo = demo.Demo(extra_args=["--client-documents", cls.mode,
                                         "--document-ca-file", server.cert])
        cls.creds = cls.demo.start()
        cls.addClassCleanup(cls.demo.stop)
        cls.issuer = cls.creds["issuer"].rstrip("/")
        cls.redirect_uri = cls.creds["redirect_uri"]

    def setUp(self):
        self.http = requests.Session()
        self.http.trust_env = False
        del server.fetched[:]

    def tearDown(self):
        self.http.close()

    def authorize(self, client_id):
        self.verifier, challenge = pkce_pair()
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": client_id,
            "redirect_uri": self.redirect_uri, "scope": "profile", "state": "s1",
            "code_challenge": challenge, "code_challenge_method": "S256"})
        return self.http.get(self.issuer + "/authorize?" + query,
                             timeout=TIMEOUT, allow_redirects=False)

    def token(self, **form):
        return self.http.post(self.issuer + "/token", data=form, timeout=TIMEOUT)

    def assertRefused(self, client_id, fetches):
        r = self.authorize(client_id)
        self.assertEqual(r.status_code, 400, r.text[:300])
        self.assertNotIn("Location", r.headers)
        r = self.token(grant_type="refresh_token", refresh_token="x", client_id=client_id)
        self.assertEqual(r.status_code, 401, r.text)
        self.assertEqual(r.json()["error"], "invalid_client")
        self.assertEqual(server.fetched, fetches)


class LoopbackDocuments(DocumentsCase):
    def test_metadata_advertises_documents(self):
        r = self.http.get(self.issuer + "/.well-known/oauth-authorization-server",
                          timeout=TIMEOUT)
        self.assertIs(r.json().get("client_id_metadata_document_supported"), True)

    def test_the_code_flow_with_nothing_registered(self):
        client_id = server.client("/flow.json", self.redirect_uri)
        r = self.authorize(client_id)
        self.assertEqual(r.status_code, 200, r.text[:300])
        form = find_form(r.text, "username")
        r = self.http.post(urllib.parse.urljoin(r.url, form["action"]),
                           data=submit_data(form, "login", {
                               "username": self.creds["user"],
                               "password": self.creds["password"]}),
                           timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 200, r.text[:300])
        # The consent page says where the answer goes.
        host = urllib.parse.urlsplit(self.redirect_uri).netloc
        self.assertIn('<b id="redirect-host">%s</b>' % host, r.text)
        self.assertIn("proauth2 e2e (metadata document)", r.text)
        form = find_form(r.text, "allow")
        r = self.http.post(urllib.parse.urljoin(r.url, form["action"]),
                           data=submit_data(form, "allow"), timeout=TIMEOUT,
                           allow_redirects=False)
        self.assertIn(r.status_code, (302, 303))
        back = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"]).query)
        r = self.token(grant_type="authorization_code", code=back["code"][0],
                       redirect_uri=self.redirect_uri, client_id=client_id,
                       code_verifier=self.verifier)
        self.assertEqual(r.status_code, 200, r.text)
        tokens = r.json()
        r = self.token(grant_type="refresh_token", client_id=client_id,
                       refresh_token=tokens["refresh_token"])
        self.assertEqual(r.status_code, 200, r.text)
        # One fetch: the answer's max-age=60 covered every later use.
        self.assertEqual(server.fetched, ["/flow.json"])

    def test_a_document_for_another_client_id(self):
        server.documents["/other.json"] = {"client_id": server.url("/else.json"),
                                           "redirect_uris": [self.redirect_uri]}
        self.assertRefused(server.url("/other.json"), ["/other.json"])

    def test_a_document_past_5_kib(self):
        server.client("/big.json", self.redirect_uri, padding="x" * 6000)
        self.assertRefused(server.url("/big.json"), ["/big.json"])

    def test_a_redirect_is_not_followed(self):
        server.client("/target.json", self.redirect_uri)
        server.documents["/moved.json"] = (302, {"Location": server.url("/target.json")}, b"")
        self.assertRefused(server.url("/moved.json"), ["/moved.json"])

    def test_a_client_secret_method(self):
        server.client("/secret.json", self.redirect_uri,
                      token_endpoint_auth_method="client_secret_basic")
        self.assertRefused(server.url("/secret.json"), ["/secret.json"])

    def test_a_server_error(self):
        server.documents["/broken.json"] = (500, {}, b"oops")
        self.assertRefused(server.url("/broken.json"), ["/broken.json"])

    def test_a_url_without_a_path_is_no_document(self):
        r = self.authorize(server.url("/"))
        self.assertEqual(r.status_code, 400, r.text[:300])
        self.assertEqual(server.fetched, [])


class PublicOnlyDocuments(DocumentsCase):
    mode = "on"

    def test_loopback_is_never_fetched(self):
        client_id = server.client("/private.json", self.redirect_uri)
        self.assertRefused(client_id, [])
        self.assertIn("refused", self.demo.log_tail())

    def test_a_name_for_loopback_is_never_fetched(self):
        # localhost resolves to 127.0.0.1 and ::1: the address is checked
        # where curl connects, not the name.
        server.client("/named.json", self.redirect_uri)
        port = server.httpd.server_address[1]
        self.assertRefused("https://localhost:%d/named.json" % port, [])


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
