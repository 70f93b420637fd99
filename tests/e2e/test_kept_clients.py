#!/usr/bin/python3
"""End-to-end: the demo with --scopes and clients kept under chosen ids
(--client), as DRACOON's legacy scripting client and a Domain Connect
service provider (client_id = its providerId) need them.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_kept_clients.py -v
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402
import test_clients as tc  # noqa: E402  (skips without the client modules)

from requests.auth import HTTPBasicAuth  # noqa: E402

TIMEOUT = tc.TIMEOUT
DRACOON_ID = "dracoon_legacy_scripting"
DRACOON_REDIRECT = "http://127.0.0.1:9000/cb"
PROVIDER_ID = "exampleservice.domainconnect.org"


def kept_args(db):
    return ["--db", db, "--scopes", "all,profile email api",
            "--client", "id=%s,type=public,grants=authorization_code+refresh_token,"
                        "redirect=%s,scope=all" % (DRACOON_ID, DRACOON_REDIRECT),
            "--client", "id=%s,grants=client_credentials,scope=api" % PROVIDER_ID]


def kept(creds, client_id):
    return next(c for c in creds["clients"] if c["client_id"] == client_id)


class KeptClientsTest(tc.DemoTestCase):

    @classmethod
    def setUpClass(cls):
        cls.dbdir = tempfile.mkdtemp(prefix="proauth2-kept-")
        cls.addClassCleanup(shutil.rmtree, cls.dbdir, True)
        cls.demo_kwargs = {"extra_args": kept_args(os.path.join(cls.dbdir, "kept.db"))}
        super().setUpClass()
        cls.redirect_uri = DRACOON_REDIRECT

    def test_scopes_are_the_chosen_ones(self):
        m = self.assertJSON(self.get("/.well-known/oauth-authorization-server"))
        self.assertEqual(sorted(m["scopes_supported"]), ["all", "api", "email", "profile"])

    def test_client_credentials_under_the_provider_id(self):
        secret = kept(self.creds, PROVIDER_ID)["client_secret"]
        r = self.post("/token", {"grant_type": "client_credentials"},
                      auth=HTTPBasicAuth(PROVIDER_ID, secret))
        body = self.assertJSON(r)
        self.assertEqual(r.status_code, 200, body)
        self.assertEqual(body["scope"], "api")
        info = self.introspect(body["access_token"], auth=HTTPBasicAuth(PROVIDER_ID, secret))
        self.assertEqual(info.get("client_id"), PROVIDER_ID, info)

    def test_code_flow_with_scope_all_under_the_fixed_id(self):
        self.assertNotIn("client_secret", kept(self.creds, DRACOON_ID))
        verifier, challenge = tc.pkce_pair()
        b, page, state = self.authorize(client_id=DRACOON_ID, scope="all",
                                        challenge=challenge)
        params = self.redirect_params(self.click(b, page, "allow"))
        self.assertEqual(params.get("state"), state, params)
        r = self.post("/token", {"grant_type": "authorization_code", "code": params["code"],
                                 "redirect_uri": DRACOON_REDIRECT, "client_id": DRACOON_ID,
                                 "code_verifier": verifier})
        body = self.assertJSON(r)
        self.assertEqual(r.status_code, 200, body)
        self.assertEqual(body["scope"], "all")
        r = self.post("/token", {"grant_type": "refresh_token", "client_id": DRACOON_ID,
                                 "refresh_token": body["refresh_token"]})
        self.assertEqual(r.status_code, 200, r.text)

    def test_a_presented_id_cannot_forge_a_log_field(self):
        r = self.post("/token", {"grant_type": "client_credentials"},
                      auth=HTTPBasicAuth('x" forged="1', "secret"))
        self.assertOAuthError(r, 401, "invalid_client")
        log = self.demo.log_tail()
        self.assertIn('client_id="x? forged=?1"', log)
        self.assertNotIn('forged="1"', log)


class RestartTest(unittest.TestCase):

    def test_a_second_start_on_the_database_keeps_the_clients(self):
        dbdir = tempfile.mkdtemp(prefix="proauth2-kept-")
        self.addCleanup(shutil.rmtree, dbdir, True)
        db = os.path.join(dbdir, "kept.db")
        with demo.running(extra_args=kept_args(db)) as first:
            secret = kept(first, PROVIDER_ID)["client_secret"]
        # Changed scope, same ids: updated in place, the secret kept.
        args = kept_args(db)
        args[-1] = "id=%s,grants=client_credentials,scope=api+email" % PROVIDER_ID
        with demo.running(extra_args=args) as second:
            self.assertNotIn("client_secret", kept(second, PROVIDER_ID))
            with tc._session() as http:
                r = http.post(second["issuer"] + "/token", timeout=TIMEOUT,
                              auth=HTTPBasicAuth(PROVIDER_ID, secret),
                              data={"grant_type": "client_credentials"})
                self.assertEqual(r.status_code, 200, r.text)
                self.assertEqual(sorted(r.json()["scope"].split()), ["api", "email"])

    def test_bad_scopes_and_clients_stop_the_demo(self):
        dbdir = tempfile.mkdtemp(prefix="proauth2-kept-")
        self.addCleanup(shutil.rmtree, dbdir, True)
        binary = demo.find_binary()
        for args, said in ((["--scopes", 'a"b'], "scope tokens"),
                           (["--client", "type=public"], "needs one id="),
                           (["--client", "id=x,secret=s"], "takes no secret"),
                           (["--client", "id=a:b"], "client_id may hold only")):
            p = subprocess.run([binary, "--port", "0", "--db",
                                os.path.join(dbdir, "bad.db")] + args,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=20, cwd=dbdir, env=demo.child_env())
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn(said, p.stderr.decode(), args)


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
