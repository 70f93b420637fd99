"""End-to-end: the token requests Lumos' connector SDK (connector-py,
github.com/teamlumos/connector-py) sends for a connector's OAuth settings,
in their exact shape, against provider_demo with ``--lenient-path``.

A connector's ``OAuthSettings`` choose ``client_auth`` (CLIENT_SECRET_POST,
the default, or CLIENT_SECRET_BASIC) and ``request_type``: method POST
(the default) or GET, data FORMDATA (the default), QUERY or JSON. The
module's requests (connector/oai/modules/oauth_module.py, class OAuthModule):

- ``register_get_authorization_url``: {authorization_url}?client_id=
  &response_type=code&scope=&redirect_uri=&state= (urlencode, quote_plus),
  then with ``pkce`` ``&code_challenge=...&code_challenge_method=S256``;
  the pair from ``_generate_code_challenge`` (a verifier of 32 random
  bytes, base64url without padding; the challenge its S256);
- ``handle_authorization_callback``: the code and the redirect URI taken
  from the URL the user came back to (connector/auth_helper.py,
  ``parse_auth_code_and_redirect_uri``: scheme, host and path, the query
  dropped), then ``_send_authorized_request`` with grant_type, code,
  redirect_uri and code_verifier;
- ``refresh_access_token``: grant_type, refresh_token;
- ``handle_client_credentials_request``: grant_type, scope (the scopes
  joined by spaces);
- ``_send_authorized_request``: client_id and client_secret appended to
  the data for CLIENT_SECRET_POST, or httpx ``BasicAuth(id, secret)`` for
  CLIENT_SECRET_BASIC; then the data as httpx ``params`` (QUERY: a POST
  with the query and no body), ``json`` (JSON) or ``data`` (FORMDATA),
  by ``client.request(method, url, params=, json=, data=, auth=)``; an
  answer of 300 or more is an error (``raise_for_oauth_status``), and
  token_type is lowercased.

The client is connector/httpx_rewrite.py's ``AsyncClient``: outside a
proxy context it is httpx.AsyncClient with a timeout, so the bytes are
httpx's, replayed here with http.client: its default headers, a POST
without content sends ``Content-Length: 0`` and no Content-Type, JSON is
compact UTF-8, forms and queries are urllib's urlencode.

connector-py revokes nothing: the revocations here, in the same three
shapes, test the lenient revocation mount, not a replay.

The demo runs as a path issuer (``/tenant``), so the lenient mounts live
under the issuer's path; the strict /token and /revoke beside them stay
strict.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_lumos.py
"""

import base64
import hashlib
import http.client
import json
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
MOUNT = "/lumos"
FORM = "application/x-www-form-urlencoded"
NOT_A_FORM = "the body must be application/x-www-form-urlencoded"

# OAuthSettings' choices (connector/oai/modules/oauth_module_types.py).
FORMDATA, QUERY, JSON = "FORMDATA", "QUERY", "JSON"
CLIENT_SECRET_POST, CLIENT_SECRET_BASIC = "CLIENT_SECRET_POST", "CLIENT_SECRET_BASIC"


def httpx_send(method, url, params=None, data=None, json_body=None, auth=None,
               headers=None):
    """httpx.AsyncClient.request(method, url, params=, data=, json=, auth=)
    on the wire, with http.client: (status, headers, parsed JSON or text)."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path
    if params is not None:
        target += "?" + urllib.parse.urlencode(params)
    elif parts.query:
        target += "?" + parts.query
    # httpx's default headers, in its order.
    fields = [("Accept", "*/*"), ("Accept-Encoding", "gzip, deflate"),
              ("Connection", "keep-alive"), ("User-Agent", "python-httpx/0.28.1")]
    body = b""
    if json_body is not None:
        body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
        fields += [("Content-Length", str(len(body))), ("Content-Type", "application/json")]
    elif data is not None:
        body = urllib.parse.urlencode(data).encode("ascii")
        fields += [("Content-Length", str(len(body))), ("Content-Type", FORM)]
    elif method in ("POST", "PUT", "PATCH"):
        fields.append(("Content-Length", "0"))
    if auth is not None:  # httpx.BasicAuth
        fields.append(("Authorization", "Basic " + base64.b64encode(
            ("%s:%s" % auth).encode("utf-8")).decode("ascii")))
    fields += list((headers or {}).items())
    connection = http.client.HTTPConnection(parts.netloc, timeout=TIMEOUT)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in fields:
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        try:
            answer = json.loads(text)
        except ValueError:
            answer = text
        return response.status, response.headers, answer
    finally:
        connection.close()


class OAuthModule:
    """connector-py's OAuthModule for one connector's OAuthSettings (pkce
    on, as a connector sets it)."""

    def __init__(self, authorization_url, token_url, data=FORMDATA,
                 client_auth=CLIENT_SECRET_POST, method="POST"):
        self.authorization_url = authorization_url
        self.token_url = token_url
        self.data = data
        self.client_auth = client_auth
        self.method = method

    @staticmethod
    def _generate_code_challenge():
        code_verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode("utf-8")
        code_challenge = (base64.urlsafe_b64encode(
            hashlib.sha256(code_verifier.encode("utf-8")).digest()).rstrip(b"=").decode("utf-8"))
        return code_verifier, code_challenge

    def get_authorization_url(self, client_id, redirect_uri, state, scopes):
        """register_get_authorization_url: (authorization_url, code_verifier)."""
        params = {"client_id": client_id, "response_type": "code",
                  "scope": " ".join(scopes), "redirect_uri": redirect_uri, "state": state}
        url = "%s?%s" % (self.authorization_url,
                         urllib.parse.urlencode(params, quote_via=urllib.parse.quote_plus))
        code_verifier, code_challenge = self._generate_code_challenge()
        url += "&code_challenge=%s" % urllib.parse.quote_plus(code_challenge)
        url += "&code_challenge_method=S256"
        return url, code_verifier

    def handle_authorization_callback(self, client_id, client_secret,
                                      redirect_uri_with_code, code_verifier):
        # auth_helper.parse_auth_code_and_redirect_uri
        parsed = urllib.parse.urlparse(redirect_uri_with_code)
        original_redirect_uri = urllib.parse.urljoin(
            "%s://%s" % (parsed.scheme, parsed.netloc), parsed.path)
        code = urllib.parse.parse_qs(parsed.query).get("code", [None])[0]
        data = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": original_redirect_uri}
        if code_verifier:
            data["code_verifier"] = code_verifier
        return self._send_authorized_request(data, client_id, client_secret)

    def refresh_access_token(self, client_id, client_secret, refresh_token):
        return self._send_authorized_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            client_id, client_secret)

    def handle_client_credentials_request(self, client_id, client_secret, scopes):
        data = {"grant_type": "client_credentials"}
        if scopes:
            data["scope"] = " ".join(scopes)
        return self._send_authorized_request(data, client_id, client_secret)

    def _send_authorized_request(self, data, client_id, client_secret):
        """(status, answer): the answer with token_type lowercased when 2xx."""
        status, _, answer = self.send(self.token_url, data, client_id, client_secret)
        if status < 300:
            answer["token_type"] = answer.get("token_type", "bearer").lower()
        return status, answer

    def send(self, url, data, client_id, client_secret):
        """The data and the client's credentials, distributed as the
        settings say (_send_authorized_request's second half)."""
        data = dict(data)
        auth = None
        if self.client_auth == CLIENT_SECRET_BASIC:
            auth = (client_id, client_secret)
        else:
            data.update({"client_id": client_id, "client_secret": client_secret})
        return httpx_send(self.method, url,
                          params=data if self.data == QUERY else None,
                          json_body=data if self.data == JSON else None,
                          data=data if self.data == FORMDATA else None, auth=auth)


class LumosTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        shapes = []

        def args(port):
            shapes.append(interop.shape("path-issuer", port))
            return shapes[-1]["args"] + ["--lenient-path", MOUNT]

        cls.demo, cls.creds = demo.start_on_free_port(args)
        cls.addClassCleanup(cls.demo.stop)
        cls.base = shapes[-1]["base"]
        cls.meta = requests.get(shapes[-1]["metadata"], timeout=TIMEOUT).json()
        cls.lenient_token = cls.base + MOUNT + "/token"
        cls.lenient_revoke = cls.base + MOUNT + "/revoke"
        cls.client = cls.creds["confidential"]

    def module(self, data, client_auth, token_url=None, method="POST"):
        return OAuthModule(self.meta["authorization_endpoint"],
                           token_url or self.lenient_token, data, client_auth, method)

    def credentials(self):
        return self.client["client_id"], self.client["client_secret"]

    def authorize(self, module, state="lumos-state"):
        """The authorization URL, the user's login and consent in the demo's
        pages: (redirect_uri_with_code, code_verifier)."""
        url, verifier = module.get_authorization_url(
            self.client["client_id"], self.creds["redirect_uri"], state, ["profile", "api"])
        browser = requests.Session()
        self.addCleanup(browser.close)
        location = interop.browser_login(browser, url, self.creds["user"],
                                         self.creds["password"])
        self.assertTrue(location.startswith(self.creds["redirect_uri"] + "?"), location)
        answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        self.assertEqual(answer.get("state"), state, answer)
        self.assertIn("code", answer)
        return location, verifier

    def introspect(self, token):
        r = requests.post(self.meta["introspection_endpoint"], timeout=TIMEOUT,
                          auth=self.credentials(), data={"token": token})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def me(self, access_token):
        return requests.get(self.base + "/api/me", timeout=TIMEOUT,
                            headers={"Authorization": "Bearer " + access_token})

    def assertTokens(self, status, answer, scope, refresh=True):
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["token_type"].lower(), "bearer", answer)
        self.assertEqual(answer["scope"], scope, answer)
        self.assertGreater(answer["expires_in"], 0)
        self.assertEqual("refresh_token" in answer, refresh, answer)

    def assertActive(self, access_token, scope, user):
        info = self.introspect(access_token)
        self.assertIs(info.get("active"), True, info)
        self.assertEqual(info["client_id"], self.client["client_id"], info)
        self.assertEqual(info["scope"], scope, info)
        self.assertEqual(info.get("sub"), user, info)
        r = self.me(access_token)
        if "profile" in scope.split():
            self.assertEqual(r.status_code, 200, r.text)
            self.assertEqual(r.json()["sub"], user, r.text)
        else:
            self.assertEqual(r.status_code, 403, r.text)

    def assertError(self, status, answer, expected_status, error, description=None):
        self.assertEqual(status, expected_status, answer)
        self.assertEqual(answer["error"], error, answer)
        if description is not None:
            self.assertEqual(answer["error_description"], description, answer)

    # -- connector-py's flows, in each request type ----------------------------

    def flow(self, data, client_auth, token_url=None):
        """Code (PKCE S256), refresh and client credentials as connector-py
        sends them; then revocation in the same shape at the lenient mount."""
        module = self.module(data, client_auth, token_url)
        client_id, client_secret = self.credentials()
        user = self.creds["user"]

        location, verifier = self.authorize(module)
        status, tokens = module.handle_authorization_callback(
            client_id, client_secret, location, verifier)
        self.assertTokens(status, tokens, "profile api")
        self.assertActive(tokens["access_token"], "profile api", user)

        status, refreshed = module.refresh_access_token(
            client_id, client_secret, tokens["refresh_token"])
        self.assertTokens(status, refreshed, "profile api")
        self.assertNotEqual(refreshed["refresh_token"], tokens["refresh_token"])
        self.assertActive(refreshed["access_token"], "profile api", user)
        # The code and the first refresh token are spent.
        self.assertError(*module.handle_authorization_callback(
            client_id, client_secret, location, verifier), 400, "invalid_grant")

        status, cc = module.handle_client_credentials_request(
            client_id, client_secret, ["api"])
        self.assertTokens(status, cc, "api", refresh=False)
        info = self.introspect(cc["access_token"])
        self.assertIs(info.get("active"), True, info)
        self.assertNotIn("sub", info)  # no user behind it

        # Revocation (RFC 7009) in the same shape: the access token, then
        # the refresh token, which takes the grant with it.
        for token, hint in ((cc["access_token"], "access_token"),
                            (refreshed["access_token"], "access_token"),
                            (refreshed["refresh_token"], "refresh_token")):
            status, _, answer = module.send(self.lenient_revoke, {
                "token": token, "token_type_hint": hint}, client_id, client_secret)
            self.assertEqual(status, 200, answer)
            self.assertEqual(self.introspect(token), {"active": False})
        self.assertEqual(self.me(refreshed["access_token"]).status_code, 401)
        self.assertError(*module.refresh_access_token(
            client_id, client_secret, refreshed["refresh_token"]), 400, "invalid_grant")

    def test_formdata_at_the_strict_token_endpoint(self):
        # connector-py's default request type, at the RFC 6749 endpoint.
        for client_auth in (CLIENT_SECRET_POST, CLIENT_SECRET_BASIC):
            with self.subTest(client_auth=client_auth):
                self.flow(FORMDATA, client_auth, token_url=self.meta["token_endpoint"])

    def test_formdata_at_the_lenient_mount(self):
        for client_auth in (CLIENT_SECRET_POST, CLIENT_SECRET_BASIC):
            with self.subTest(client_auth=client_auth):
                self.flow(FORMDATA, client_auth)

    def test_query(self):
        for client_auth in (CLIENT_SECRET_POST, CLIENT_SECRET_BASIC):
            with self.subTest(client_auth=client_auth):
                self.flow(QUERY, client_auth)

    def test_json(self):
        for client_auth in (CLIENT_SECRET_POST, CLIENT_SECRET_BASIC):
            with self.subTest(client_auth=client_auth):
                self.flow(JSON, client_auth)

    # -- what stays refused -------------------------------------------------------

    def test_the_strict_endpoints_refuse_query_and_json(self):
        client_id, client_secret = self.credentials()
        strict = self.meta["token_endpoint"]
        self.assertEqual(strict, self.base + "/token")
        for data in (QUERY, JSON):
            for client_auth in (CLIENT_SECRET_POST, CLIENT_SECRET_BASIC):
                with self.subTest(data=data, client_auth=client_auth):
                    module = self.module(data, client_auth, token_url=strict)
                    self.assertError(*module.handle_client_credentials_request(
                        client_id, client_secret, ["api"]), 400, "invalid_request",
                        NOT_A_FORM)
                    # The code is not spent by the refusal: the same
                    # request at the lenient mount redeems it.
                    location, verifier = self.authorize(module)
                    self.assertError(*module.handle_authorization_callback(
                        client_id, client_secret, location, verifier), 400,
                        "invalid_request", NOT_A_FORM)
                    module.token_url = self.lenient_token
                    status, tokens = module.handle_authorization_callback(
                        client_id, client_secret, location, verifier)
                    self.assertTokens(status, tokens, "profile api")
                    # The strict revocation endpoint refuses the shape too.
                    status, _, answer = module.send(
                        self.meta["revocation_endpoint"],
                        {"token": tokens["access_token"]}, client_id, client_secret)
                    self.assertError(status, answer, 400, "invalid_request", NOT_A_FORM)
                    self.assertIs(self.introspect(tokens["access_token"])["active"], True)

    def test_get_stays_405(self):
        # RequestMethod.GET with QUERY: a token request in a GET's URL.
        client_id, client_secret = self.credentials()
        module = self.module(QUERY, CLIENT_SECRET_POST, method="GET")
        location, verifier = self.authorize(module)
        status, answer = module.handle_authorization_callback(
            client_id, client_secret, location, verifier)
        self.assertError(status, answer, 405, "method_not_allowed")
        for url in (self.lenient_token, self.lenient_revoke):
            status, headers, answer = httpx_send("GET", url)
            self.assertEqual(status, 405, answer)
            self.assertEqual(headers["Allow"], "POST", url)
            self.assertEqual(answer["error"], "method_not_allowed", answer)
        # The GET spent nothing.
        module.method = "POST"
        self.assertTokens(*module.handle_authorization_callback(
            client_id, client_secret, location, verifier), "profile api")

    def test_a_parameter_in_query_and_body_must_agree(self):
        client_id, client_secret = self.credentials()
        query = {"grant_type": "client_credentials", "scope": "api"}
        body = {"grant_type": "client_credentials", "client_id": client_id,
                "client_secret": client_secret}
        for kind in (FORMDATA, JSON):
            with self.subTest(body=kind):
                def post(q, b):
                    status, _, answer = httpx_send(
                        "POST", self.lenient_token, params=q,
                        data=b if kind == FORMDATA else None,
                        json_body=b if kind == JSON else None)
                    return status, answer
                status, answer = post(query, body)
                self.assertTokens(status, answer, "api", refresh=False)
                self.assertIs(self.introspect(answer["access_token"])["active"], True)
                # The same value in both is one parameter.
                status, answer = post(dict(query, client_id=client_id), body)
                self.assertTokens(status, answer, "api", refresh=False)
                # Different values: refused, whichever is the client's.
                self.assertError(*post(dict(query, client_id="someone-else"), body), 400,
                                 "invalid_request",
                                 "parameter client_id differs between the query and the body")
                self.assertError(*post(dict(query, grant_type="password"), body), 400,
                                 "invalid_request",
                                 "parameter grant_type differs between the query and the body")

    def test_revocation_conflict_leaves_the_token(self):
        client_id, client_secret = self.credentials()
        module = self.module(QUERY, CLIENT_SECRET_BASIC)
        status, cc = module.handle_client_credentials_request(client_id, client_secret, ["api"])
        self.assertTokens(status, cc, "api", refresh=False)
        status, _, answer = httpx_send("POST", self.lenient_revoke,
                                       params={"token": cc["access_token"]},
                                       data={"token": "another"}, auth=(client_id, client_secret))
        self.assertError(status, answer, 400, "invalid_request",
                         "parameter token differs between the query and the body")
        self.assertIs(self.introspect(cc["access_token"])["active"], True)

    def test_the_mounts_are_off_by_default(self):
        with demo.running() as creds:
            status, _, answer = httpx_send("POST", creds["issuer"] + MOUNT + "/token",
                                           params={"grant_type": "client_credentials"})
            self.assertEqual(status, 404, answer)

    def test_a_bad_lenient_path_stops_the_start(self):
        for path in ("lumos", "/lumos/", "/a?b=c", "/a#b", "/a%2Fb", "//a", "/a/../b", "/"):
            with self.subTest(path=path):
                r = subprocess.run([demo.find_binary(), "--port", "0", "--db", ":memory:",
                                    "--lenient-path", path], capture_output=True,
                                   text=True, timeout=TIMEOUT, env=demo.child_env())
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("provider_demo: --lenient-path: '%s' is not a path" % path,
                              r.stderr)

    def test_the_banner_names_the_mounts(self):
        with open(self.demo.log_path, encoding="utf-8") as f:
            log = f.read()
        self.assertIn("  token           %s\n" % self.lenient_token, log)
        self.assertIn("  revocation      %s\n" % self.lenient_revoke, log)


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
