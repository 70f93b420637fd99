#!/usr/bin/python3
"""The demo's MCP endpoint (<issuer>/mcp) over real HTTP, without an MCP SDK.

JSON-RPC over one POST (initialize, notifications/initialized, ping,
tools/list, tools/call whoami, batches of 2025-03-26, the errors), the
bearer check for the /mcp resource (401 naming its RFC 9728 metadata, a
token for no resource or another refused), 405 on GET and DELETE, 403
for a foreign Origin. Tokens come from the demo itself: client
credentials, and the code flow through the login and consent pages.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_mcp.py
"""

import json
import sys
import unittest
import urllib.parse

import test_clients  # noqa: F401  (sets up sys.path and skips without requests)
from test_clients import DemoTestCase, TIMEOUT, pkce_pair

import demo
import interop

LATEST = "2025-11-25"


class MCPTest(DemoTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mcp = cls.creds["mcp"]
        cls.mcp_path = urllib.parse.urlsplit(cls.mcp).path

    # -- helpers -----------------------------------------------------------
    def token(self, resource=True, scope="profile"):
        data = {"grant_type": "client_credentials", "scope": scope}
        if resource:
            data["resource"] = self.mcp if resource is True else resource
        r = self.post("/token", data=data, auth=self.basic())
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["access_token"]

    def code_flow_token(self):
        verifier, challenge = pkce_pair()
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": self.pub_id,
            "redirect_uri": self.redirect_uri, "scope": "profile", "state": "s",
            "code_challenge": challenge, "code_challenge_method": "S256",
            "resource": self.mcp})
        back = interop.browser_login(self.http, self.url("/authorize?" + query),
                                     self.user, self.password)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(back).query)["code"][0]
        r = self.post("/token", data={
            "grant_type": "authorization_code", "code": code, "client_id": self.pub_id,
            "redirect_uri": self.redirect_uri, "code_verifier": verifier,
            "resource": self.mcp})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def rpc(self, body, token=None, headers=None, raw=False):
        h = {"Content-Type": "application/json",
             "Accept": "application/json, text/event-stream"}
        if token is not False:
            h["Authorization"] = "Bearer " + (token or self.token())
        h.update(headers or {})
        data = body if raw else json.dumps(body)
        return self.http.post(self.mcp, data=data, headers=h, timeout=TIMEOUT,
                              allow_redirects=False)

    def request(self, method, params=None, id_=1, **kw):
        msg = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            msg["params"] = params
        return self.rpc(msg, **kw)

    def assertResult(self, r, id_=1):
        self.assertEqual(r.status_code, 200, r.text)
        body = self.assertJSON(r)
        self.assertEqual(body.get("jsonrpc"), "2.0", body)
        self.assertEqual(body.get("id"), id_, body)
        self.assertIn("result", body, body)
        return body["result"]

    def assertRPCError(self, r, status, code, id_=None):
        self.assertEqual(r.status_code, status, r.text)
        body = self.assertJSON(r)
        self.assertEqual(body.get("id"), id_, body)
        self.assertEqual(body["error"]["code"], code, body)
        return body["error"]

    def initialize(self, version, **kw):
        return self.request("initialize", {
            "protocolVersion": version, "capabilities": {},
            "clientInfo": {"name": "test_mcp.py", "version": "0"}}, **kw)

    # -- the protocol ------------------------------------------------------
    def test_initialize_answers_the_clients_version(self):
        for version in (LATEST, "2025-06-18", "2025-03-26"):
            result = self.assertResult(self.initialize(version))
            self.assertEqual(result["protocolVersion"], version)
            self.assertEqual(result["capabilities"], {"tools": {}})
            self.assertEqual(result["serverInfo"]["name"], "proauth2 provider_demo")
            self.assertTrue(result["serverInfo"]["version"])

    def test_initialize_with_an_unknown_version_gets_the_latest(self):
        for version in ("2024-11-05", "1999-01-01", 7):
            result = self.assertResult(self.initialize(version))
            self.assertEqual(result["protocolVersion"], LATEST)

    def test_notifications_are_202_without_a_body(self):
        for method in ("notifications/initialized", "notifications/cancelled"):
            r = self.rpc({"jsonrpc": "2.0", "method": method})
            self.assertEqual(r.status_code, 202, r.text)
            self.assertEqual(r.content, b"")

    def test_a_response_from_the_client_is_202(self):
        r = self.rpc({"jsonrpc": "2.0", "id": 9, "result": {}})
        self.assertEqual(r.status_code, 202, r.text)

    def test_ping(self):
        self.assertEqual(self.assertResult(self.request("ping", id_="p"), id_="p"), {})

    def test_tools_list_has_whoami(self):
        result = self.assertResult(self.request("tools/list", {},
                                                headers={"MCP-Protocol-Version": LATEST}))
        self.assertEqual([t["name"] for t in result["tools"]], ["whoami"])
        self.assertEqual(result["tools"][0]["inputSchema"]["type"], "object")

    def whoami(self, token):
        result = self.assertResult(self.request(
            "tools/call", {"name": "whoami", "arguments": {}}, token=token))
        self.assertFalse(result.get("isError"), result)
        self.assertEqual(result["content"][0]["type"], "text")
        return json.loads(result["content"][0]["text"])

    def test_whoami_of_a_client_credentials_token(self):
        who = self.whoami(self.token())
        self.assertEqual(who, {"sub": None, "client_id": self.conf_id,
                               "scope": "profile", "aud": self.mcp})

    def test_whoami_of_a_users_token(self):
        tokens = self.code_flow_token()
        who = self.whoami(tokens["access_token"])
        self.assertEqual(who, {"sub": self.user, "client_id": self.pub_id,
                               "scope": "profile", "aud": self.mcp})

    def test_unknown_tool_is_invalid_params(self):
        for params in ({"name": "rm"}, {}, None):
            self.assertRPCError(self.request("tools/call", params, id_=3), 200, -32602, 3)

    def test_unknown_method_is_32601(self):
        self.assertRPCError(self.request("resources/list", {}, id_=4), 200, -32601, 4)

    def test_params_not_an_object_is_invalid_params(self):
        self.assertRPCError(self.request("tools/list", [1], id_=5), 200, -32602, 5)

    def test_malformed_json_is_a_parse_error_with_400(self):
        for body in ('{"jsonrpc": "2.0", "id": 1', "", "\xff",
                     '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}'):
            self.assertRPCError(self.rpc(body, raw=True), 400, -32700)

    def test_not_a_message_is_invalid_request_with_400(self):
        for body in ({"id": None, "method": "ping"},
                     {"jsonrpc": "2.0", "id": None, "method": "ping"},
                     {"jsonrpc": "2.0", "id": 1.5, "method": "ping"},
                     "ping", 3):
            self.assertRPCError(self.rpc(body), 400, -32600)
        for body in ({"id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 1},
                     {"jsonrpc": "1.0", "id": 1, "method": "ping"}):
            self.assertRPCError(self.rpc(body), 400, -32600, 1)

    def test_batches_of_2025_03_26(self):
        batch = [{"jsonrpc": "2.0", "id": 1, "method": "ping"},
                 {"jsonrpc": "2.0", "method": "notifications/initialized"},
                 {"jsonrpc": "2.0", "id": 2, "method": "nope"}]
        for headers in ({}, {"MCP-Protocol-Version": "2025-03-26"}):
            r = self.rpc(batch, headers=headers)
            self.assertEqual(r.status_code, 200, r.text)
            answers = self.assertJSON(r)
            self.assertEqual([a["id"] for a in answers], [1, 2])
            self.assertEqual(answers[0]["result"], {})
            self.assertEqual(answers[1]["error"]["code"], -32601)
        r = self.rpc([{"jsonrpc": "2.0", "method": "notifications/initialized"}])
        self.assertEqual(r.status_code, 202, r.text)
        self.assertRPCError(self.rpc([]), 400, -32600)
        self.assertRPCError(self.rpc([{"jsonrpc": "2.0", "method": "x"}] * 17), 400, -32600)

    def test_no_batches_after_2025_03_26(self):
        for version in ("2025-06-18", LATEST):
            self.assertRPCError(self.rpc([{"jsonrpc": "2.0", "id": 1, "method": "ping"}],
                                         headers={"MCP-Protocol-Version": version}),
                                400, -32600)

    def test_unsupported_protocol_version_header_is_400(self):
        self.assertRPCError(self.request("ping", headers={"MCP-Protocol-Version": "2024-11-05"}),
                            400, -32600)

    def test_a_body_not_json_is_415(self):
        r = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "ping"},
                     headers={"Content-Type": "text/plain"})
        self.assertRPCError(r, 415, -32600)

    def test_a_large_body_is_413(self):
        r = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "ping",
                      "params": {"x": "a" * (65 * 1024)}})
        self.assertEqual(r.status_code, 413, r.text[:200])

    # -- HTTP --------------------------------------------------------------
    def test_get_and_delete_are_405(self):
        for method in ("GET", "DELETE", "PUT"):
            r = self.http.request(method, self.mcp, timeout=TIMEOUT,
                                  headers={"Authorization": "Bearer " + self.token(),
                                           "Accept": "text/event-stream"})
            self.assertEqual(r.status_code, 405, r.text)
            self.assertEqual(r.headers.get("Allow"), "POST")

    def test_a_foreign_origin_is_403(self):
        for origin in ("http://evil.example", "null", self.issuer + ".evil.example",
                       "http://localhost:%d" % self.creds["port"]):
            r = self.request("ping", headers={"Origin": origin})
            self.assertRPCError(r, 403, -32000)

    def test_our_own_origin_is_served(self):
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(self.issuer))
        self.assertResult(self.request("ping", headers={"Origin": origin}))

    # -- the bearer check for the resource -----------------------------------
    def test_without_a_token_401_names_the_resource_metadata(self):
        r = self.request("initialize", {}, token=False)
        self.assertEqual(r.status_code, 401, r.text)
        challenge = r.headers.get("WWW-Authenticate", "")
        parts = urllib.parse.urlsplit(self.mcp)
        metadata_url = "%s://%s/.well-known/oauth-protected-resource%s" % (
            parts.scheme, parts.netloc, parts.path)
        self.assertTrue(challenge.startswith("Bearer "), challenge)
        self.assertIn('resource_metadata="%s"' % metadata_url, challenge)
        r = self.http.get(metadata_url, timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        doc = self.assertJSON(r)
        self.assertEqual(doc["resource"], self.mcp)
        self.assertEqual(doc["authorization_servers"], [self.creds["issuer"]])
        self.assertEqual(doc["scopes_supported"], ["profile"])

    def test_a_token_for_no_resource_is_refused(self):
        r = self.request("ping", token=self.token(resource=False))
        self.assertEqual(r.status_code, 401, r.text)
        self.assertIn("invalid_token", r.headers.get("WWW-Authenticate", ""))

    def test_a_token_without_the_scope_is_403(self):
        r = self.request("ping", token=self.token(scope="email"))
        self.assertEqual(r.status_code, 403, r.text)
        challenge = r.headers.get("WWW-Authenticate", "")
        self.assertIn('error="insufficient_scope"', challenge)
        self.assertIn("resource_metadata=", r.headers.get("WWW-Authenticate", ""))

    def test_a_bad_token_is_401(self):
        r = self.request("ping", token="not-a-token")
        self.assertEqual(r.status_code, 401, r.text)
        self.assertIn("invalid_token", r.headers.get("WWW-Authenticate", ""))


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
