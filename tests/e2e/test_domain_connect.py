"""End-to-end: provider_demo as a Domain Connect DNS provider
(``--domain-connect``), driven by the requests domainconnect_python
(github.com/Domain-Connect/domainconnect_python) sends as a service
provider, in their exact shape, with the same HTTP client it uses
(http.client, one connection per request):

- ``DomainConnect._get_domain_config_for_root``: GET {api}/v2/{root}/settings
  (the ``_domainconnect`` TXT lookup before it is DNS, not HTTP: the test
  starts from the settings URL);
- ``check_template_supported``: GET {urlAPI}/v2/domainTemplates/providers/{p}/services/{s};
- ``get_domain_connect_template_async_context``: the consent URL
  {urlAsyncUX}/v2/domainTemplates/providers/{p}?client_id={p}&scope={s1+s2}
  &domain={root}&host={host}&{sorted, urlencoded params} (client_id, scope,
  domain and host not encoded; no response_type; no PKCE), or with
  service_id_in_path .../providers/{p}/services/{s}?...;
- ``get_async_token``: POST {urlAPI}/v2/oauth/access_token?{sorted query:
  code, grant_type=authorization_code, redirect_uri} with
  ``Content-Type: application/json`` and body {"client_id", "client_secret"};
  once the token is about to expire, the query holds client_id,
  client_secret, grant_type=refresh_token, redirect_uri and refresh_token
  and the body client_id and client_secret again; 200 and 400 are answers
  it reads, and it needs access_token, expires_in and token_type bearer;
- ``apply_domain_connect_template_async``: POST {urlAPI}/v2/domainTemplates/
  providers/{p}/services/{s}/apply?domain={root}&host={host}&{sorted params,
  force=true when forced} with ``Authorization: Bearer``, no body; 200 or
  202 is applied, 409 a conflict, and the answer must be JSON.

The whole journey: settings, template check, consent in the demo's pages,
code, token, apply, refresh, apply again; and what must be refused: a
domain or host the user did not consent to, a template outside the token's
scope, another provider's token, and these lenient shapes at the strict
endpoints.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_domain_connect.py
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

demo.skip_unless_importable((("requests", "python3-requests"),))

import requests  # noqa: E402

import interop  # noqa: E402

TIMEOUT = interop.TIMEOUT
DNS_PROVIDER = "demo-dns"
PROVIDER_ID = "exampleservice.domainconnect.org"
OTHER_ID = "otherservice.example"
# Another provider: client_ids are case-sensitive.
UPPER_ID = "EXAMPLESERVICE.domainconnect.org"
REDIRECT = "https://exampleservice.domainconnect.org/async_oauth_response"
ROOT, HOST = "connect.domains", "async"
PARAMS = {"IP": "132.148.25.185", "RANDOMTEXT": "shm:1531371203:Hello world async"}


def kept_client(client_id, scope):
    return ("id=%s,type=confidential,grants=authorization_code+refresh_token,"
            "redirect=%s,scope=%s,name=%s,pkce=optional" % (client_id, REDIRECT, scope,
                                                          client_id))


def http_request(method, url, body=None, bearer=None, content_type=None):
    """network.http_request: one http.client connection, these headers
    only. (status, text)."""
    parts = re.match(r"(?i)(https?)://([^:/]+(?::\d+)?)(/.*)", url)
    connection = http.client.HTTPConnection(parts.group(2), timeout=TIMEOUT)
    header = {}
    if bearer is not None:
        header["Authorization"] = "Bearer " + bearer
    if content_type is not None:
        header["Content-Type"] = content_type
    try:
        connection.request(method, parts.group(3), body, header)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def sorted_query(params):
    return urllib.parse.urlencode(sorted(params.items(), key=lambda val: val[0]))


class ServiceProvider:
    """The library's calls for one service provider and its credentials
    (DomainConnectAsyncCredentials), keeping a DomainConnectAsyncContext."""

    def __init__(self, client_id, client_secret, api_url):
        self.client_id = client_id
        self.client_secret = client_secret
        self.api_url = api_url
        self.config = None
        self.context = {}

    def get_domain_config(self, settings_host, domain_root, host):
        status, text = http_request("GET", "%s/v2/%s/settings" % (settings_host, domain_root))
        if status != 200:
            raise AssertionError("settings: %d %s" % (status, text))
        self.config = dict(json.loads(text), domain_root=domain_root, host=host)
        return self.config

    def check_template_supported(self, service_id):
        return http_request("GET", "%s/v2/domainTemplates/providers/%s/services/%s" % (
            self.config["urlAPI"], self.client_id, service_id))

    def async_context(self, service_id, params, redirect_uri, state=None,
                      service_id_in_path=False):
        params = dict(params, redirect_uri=redirect_uri)
        if state is not None:
            params["state"] = state
        if service_id_in_path:
            fmt = ("{0}/v2/domainTemplates/providers/{1}/services/{2}"
                   "?client_id={1}&scope={2}&domain={3}&host={4}&{5}")
        else:
            if isinstance(service_id, list):
                service_id = "+".join(service_id)
            fmt = ("{0}/v2/domainTemplates/providers/{1}"
                   "?client_id={1}&scope={2}&domain={3}&host={4}&{5}")
        self.context = {"serviceId": service_id, "return_url": redirect_uri}
        return fmt.format(self.config["urlAsyncUX"], self.client_id, service_id,
                          self.config["domain_root"], self.config["host"],
                          sorted_query(params))

    def token_request(self, refresh=False):
        """get_async_token's request: (url, body)."""
        if refresh:
            params = {"refresh_token": self.context["refresh_token"],
                      "grant_type": "refresh_token", "client_id": self.client_id,
                      "client_secret": self.client_secret}
        else:
            params = {"code": self.context["code"], "grant_type": "authorization_code"}
        params["redirect_uri"] = self.context["return_url"]
        url = "%s/v2/oauth/access_token?%s" % (self.config["urlAPI"], sorted_query(params))
        return url, json.dumps({"client_id": self.client_id,
                                "client_secret": self.client_secret})

    def get_async_token(self):
        """The code, or the refresh token once the access token is about
        to expire (iat + expires_in < now + 60)."""
        c = self.context
        refresh = bool(c.get("iat") and c.get("access_token_expires_in") and
                       c.get("refresh_token") and
                       int(time.time()) + 60 > c["iat"] + c["access_token_expires_in"])
        url, body = self.token_request(refresh)
        status, text = http_request("POST", url, body=body, content_type="application/json")
        if status not in (200, 400):
            raise AssertionError("access_token: %d %s" % (status, text))
        data = json.loads(text)
        if status == 400:
            raise AssertionError("access_token refused: %s" % data)
        if ("access_token" not in data or "expires_in" not in data or
                data.get("token_type", "").lower() != "bearer"):
            raise AssertionError("token not complete: %s" % data)
        c["access_token"] = data["access_token"]
        c["access_token_expires_in"] = data["expires_in"]
        c["iat"] = int(time.time())
        if "refresh_token" in data:
            c["refresh_token"] = data["refresh_token"]
        return data

    def apply(self, service_id=None, host=None, params=None, force=False,
              domain=None, bearer=None):
        """apply_domain_connect_template_async: (status, JSON answer)."""
        params = dict(params or {})
        if force:
            params["force"] = "true"
        url = "%s/v2/domainTemplates/providers/%s/services/%s/apply?domain=%s&host=%s&%s" % (
            self.config["urlAPI"], self.client_id, service_id or self.context["serviceId"],
            domain or self.config["domain_root"],
            self.config["host"] if host is None else host, sorted_query(params))
        status, text = http_request("POST", url, bearer=bearer or self.context["access_token"])
        return status, json.loads(text)


class DomainConnectTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.demo = demo.Demo(extra_args=[
            "--domain-connect", DNS_PROVIDER,
            "--scopes", "profile template1 template2",
            "--client", kept_client(PROVIDER_ID, "template1+template2"),
            "--client", kept_client(OTHER_ID, "template1"),
            "--client", kept_client(UPPER_ID, "template1")])
        cls.creds = cls.demo.start()
        cls.addClassCleanup(cls.demo.stop)
        cls.secrets = {c["client_id"]: c["client_secret"] for c in cls.creds["clients"]}
        cls.base = cls.creds["issuer"]

    def provider(self, client_id=PROVIDER_ID):
        sp = ServiceProvider(client_id, self.secrets[client_id], self.base)
        config = sp.get_domain_config(self.base, ROOT, HOST)
        self.assertEqual(config["urlAPI"], sp.api_url)
        return sp

    def consent(self, sp, service_id, **kwargs):
        """The user at the consent URL: login, allow; the code, checked
        against the state."""
        url = sp.async_context(service_id, PARAMS, REDIRECT, state="st-1", **kwargs)
        browser = requests.Session()
        self.addCleanup(browser.close)
        location = interop.browser_login(browser, url, self.creds["user"],
                                         self.creds["password"])
        self.assertTrue(location.startswith(REDIRECT + "?"), location)
        answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        self.assertEqual(answer.get("state"), "st-1", answer)
        sp.context["code"] = answer["code"]
        return answer

    def zone(self):
        r = requests.get(self.base + "/zone", timeout=TIMEOUT)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["records"]

    def test_settings_name_the_async_endpoints(self):
        sp = self.provider()
        self.assertEqual(sp.config["providerName"], DNS_PROVIDER)
        self.assertEqual(sp.config["urlAsyncUX"], self.base + "/async")
        self.assertNotIn("urlSyncUX", sp.config)  # the sync flow is not offered
        status, _ = http_request("GET", self.base + "/v2/not_a_domain/settings")
        self.assertEqual(status, 404)

    def test_templates_are_the_providers_scopes(self):
        sp = self.provider()
        status, text = sp.check_template_supported("template1")
        self.assertEqual(status, 200, text)
        self.assertEqual(json.loads(text)["serviceId"], "template1")
        self.assertEqual(sp.check_template_supported("template9")[0], 404)
        self.assertEqual(self.provider(OTHER_ID).check_template_supported("template2")[0], 404)

    def test_consent_code_token_apply_refresh_apply(self):
        sp = self.provider()
        self.assertEqual(sp.check_template_supported("template1")[0], 200)
        self.assertEqual(sp.check_template_supported("template2")[0], 200)
        self.consent(sp, ["template1", "template2"])
        tokens = sp.get_async_token()
        self.assertIn("refresh_token", tokens)
        self.assertEqual(tokens["scope"], "template1 template2")

        status, answer = sp.apply(service_id="template1", params=PARAMS, force=True)
        self.assertEqual(status, 200, answer)
        record = {"domain": ROOT, "host": HOST, "type": "TXT",
                  "data": '%s/template1 IP="%s" RANDOMTEXT="%s"' % (
                      PROVIDER_ID, PARAMS["IP"], PARAMS["RANDOMTEXT"])}
        self.assertEqual(answer["applied"], record)
        self.assertIn(dict(record, name=HOST + "." + ROOT, providerId=PROVIDER_ID,
                           serviceId="template1"), self.zone())

        # The access token is about to expire: the library refreshes,
        # every parameter in the query and the credentials in the body too.
        first_access = sp.context["access_token"]
        sp.context["iat"] -= sp.context["access_token_expires_in"]
        refreshed = sp.get_async_token()
        self.assertNotEqual(refreshed["access_token"], first_access)
        self.assertEqual(refreshed["scope"], "template1 template2")

        # template2 at the same name: a conflict, then forced.
        status, answer = sp.apply(service_id="template2", params={"IP": "192.0.2.7"})
        self.assertEqual(status, 409, answer)
        self.assertEqual(answer["error"], "conflict")
        status, answer = sp.apply(service_id="template2", params={"IP": "192.0.2.7"},
                                  force=True)
        self.assertEqual(status, 200, answer)
        at_name = [r for r in self.zone() if r["domain"] == ROOT and r["host"] == HOST]
        self.assertEqual([r["serviceId"] for r in at_name], ["template2"], at_name)

        # The grant's attributes came through the refresh: another host
        # or domain is refused with the refreshed token as with the first.
        for host, domain in (("www", ROOT), (HOST, "other.domains"), ("", ROOT)):
            status, answer = sp.apply(service_id="template1", host=host, domain=domain)
            self.assertEqual((status, answer["error"]), (403, "access_denied"), answer)

    def test_service_id_in_path_and_the_apex(self):
        sp = self.provider()
        sp.config["host"] = ""
        self.consent(sp, "template1", service_id_in_path=True)
        tokens = sp.get_async_token()
        self.assertEqual(tokens["scope"], "template1")
        status, answer = sp.apply(params={"IP": "192.0.2.1"})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["applied"]["host"], "")
        # Only template1 was consented to.
        status, answer = sp.apply(service_id="template2")
        self.assertEqual(status, 403, answer)
        self.assertEqual(answer["error"], "insufficient_scope")

    def test_consent_page_shows_templates_zone_and_variables(self):
        from test_clients import find_form, submit_data
        sp = self.provider()
        url = sp.async_context(["template1", "template2"], PARAMS, REDIRECT)
        browser = requests.Session()
        self.addCleanup(browser.close)
        r = browser.get(url, timeout=TIMEOUT)
        form = find_form(r.text, "username")
        r = browser.post(urllib.parse.urljoin(r.url, form["action"]), timeout=TIMEOUT,
                         data=submit_data(form, "login", {"username": self.creds["user"],
                                                          "password": self.creds["password"]}))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn('<code id="templates">template1 template2</code>', r.text)
        self.assertIn('<code id="zone-name">async.connect.domains</code>', r.text)
        for name, value in PARAMS.items():
            self.assertIn("<tr><th>%s</th><td><code>%s</code>" % (name, value), r.text)

    def test_introspection_shows_the_consented_zone(self):
        sp = self.provider()
        self.consent(sp, "template1")
        sp.get_async_token()
        r = requests.post(self.base + "/introspect", timeout=TIMEOUT,
                          auth=(PROVIDER_ID, self.secrets[PROVIDER_ID]),
                          data={"token": sp.context["access_token"]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertTrue(r.json()["active"])
        self.assertEqual(r.json()["attributes"], {"domain": ROOT, "hosts": [HOST]})

    def test_another_providers_token_applies_nothing(self):
        other = self.provider(OTHER_ID)
        self.consent(other, "template1")
        other.get_async_token()
        sp = self.provider()
        status, answer = sp.apply(service_id="template1",
                                  bearer=other.context["access_token"])
        self.assertEqual((status, answer["error"]), (403, "access_denied"), answer)
        status, answer = sp.apply(service_id="template1", bearer="not-a-token")
        self.assertEqual(status, 401, answer)

    def test_bad_consent_requests_are_pages(self):
        sp = self.provider()
        good = sp.async_context("template1", PARAMS, REDIRECT)
        for wrong in (good.replace("client_id=" + PROVIDER_ID, "client_id=" + OTHER_ID),
                      good.replace("domain=" + ROOT, "domain=not_a_domain"),
                      good.replace("host=" + HOST, "host=a..b")):
            r = requests.get(wrong, timeout=TIMEOUT, allow_redirects=False)
            self.assertEqual(r.status_code, 400, wrong)
            self.assertIn("text/html", r.headers["Content-Type"])

    def test_lenient_shapes_are_refused_where_not_opted_in(self):
        sp = self.provider()
        # The consent URL at the strict authorization endpoint: no
        # response_type is an invalid_request there.
        url = sp.async_context("template1", PARAMS, REDIRECT).replace(
            sp.config["urlAsyncUX"] + "/v2/domainTemplates/providers/" + PROVIDER_ID,
            self.base + "/authorize")
        r = requests.get(url, timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 303, r.text)
        self.assertIn("error=invalid_request", r.headers["Location"])
        # The token request at the strict token endpoint: 400.
        self.consent(sp, "template1")
        url, body = sp.token_request()
        status, text = http_request("POST", url.replace("/v2/oauth/access_token", "/token"),
                                    body=body, content_type="application/json")
        self.assertEqual(status, 400, text)
        # A credential given twice, differently: invalid_request, and the
        # code is still good for the right request.
        status, text = http_request("POST", url + "&client_id=" + OTHER_ID, body=body,
                                    content_type="application/json")
        self.assertEqual((status, json.loads(text)["error"]), (400, "invalid_request"), text)
        self.assertIn("access_token", sp.get_async_token())

    def test_a_provider_differing_in_case_is_another_provider(self):
        sp, upper = self.provider(), self.provider(UPPER_ID)
        for p in (sp, upper):
            p.config["host"] = "case"
            self.consent(p, "template1")
            p.get_async_token()
        status, answer = sp.apply(params={"IP": "192.0.2.1"}, force=True)
        self.assertEqual(status, 200, answer)
        status, answer = upper.apply(params={"IP": "192.0.2.66"})
        self.assertEqual((status, answer["error"]), (409, "conflict"), answer)
        status, answer = sp.apply(params={"IP": "192.0.2.2"})
        self.assertEqual(status, 200, answer)  # its own record: no conflict

    def test_a_name_is_one_owner_however_it_is_split(self):
        sp, other = self.provider(), self.provider(OTHER_ID)
        sp.config["host"] = "split"
        self.consent(sp, "template1")
        sp.get_async_token()
        status, answer = sp.apply(force=True)
        self.assertEqual(status, 200, answer)
        # split.connect.domains again, as the apex of a domain of its own.
        other.config.update(domain_root="split." + ROOT, host="")
        self.consent(other, "template1")
        other.get_async_token()
        status, answer = other.apply()
        self.assertEqual((status, answer["error"]), (409, "conflict"), answer)
        names = [r["name"] for r in self.zone()]
        self.assertEqual(names.count("split." + ROOT), 1, names)

    def test_variables_cannot_forge_variables(self):
        sp = self.provider()
        sp.config["host"] = "vars"
        self.consent(sp, "template1")
        sp.get_async_token()
        # Values are quoted, as in a zone file (RFC 1035 §5.1).
        status, answer = sp.apply(params={"IP": '192.0.2.1" evil="1', "k_2": "a\\b"},
                                  force=True)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["applied"]["data"], PROVIDER_ID +
                         '/template1 IP="192.0.2.1\\" evil=\\"1" k_2="a\\\\b"')
        # Names are letters, digits, '-' and '_'; values hold no control
        # characters.
        for params in ({"a=b": "c"}, {"a b": "c"}, {"IP": "192.0.2.1\nx"}):
            status, answer = sp.apply(params=params, force=True)
            self.assertEqual((status, answer["error"]), (400, "invalid_request"), params)
        status, answer = sp.apply(params={"IP": "1%zz"}, force=True)
        self.assertEqual(status, 200, answer)  # sent encoded: a value of "1%zz"
        status, text = http_request("POST", "%s/v2/domainTemplates/providers/%s/services/"
                                    "template1/apply?domain=%s&host=vars&IP=1%%zz" % (
                                        self.base, PROVIDER_ID, ROOT),
                                    bearer=sp.context["access_token"])
        self.assertEqual(status, 400, text)
        self.assertIn("not a valid query", json.loads(text)["error_description"])

    def test_a_name_longer_than_dns_allows_is_refused(self):
        sp = self.provider()
        host = ".".join(["h" * 63] * 3)  # 191 characters
        domain = "d" * 63 + ".example"  # 72: 264 with the dot
        sp.config.update(domain_root=domain, host=host)
        r = requests.get(sp.async_context("template1", PARAMS, REDIRECT), timeout=TIMEOUT,
                         allow_redirects=False)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("longer than a DNS name", r.text)

    def test_consent_pages_only_for_service_providers_and_their_templates(self):
        sp = self.provider()
        # The template in the path must be asked for.
        url = sp.async_context("template1", PARAMS, REDIRECT, service_id_in_path=True)
        r = requests.get(url.replace("scope=template1", "scope=template2"),
                         timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("template in the path", r.text)
        # A client of the demo that is no service provider.
        confidential = self.creds["confidential"]["client_id"]
        r = requests.get(url.replace(PROVIDER_ID, confidential).replace(
            "/services/template1", ""), timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("service provider", r.text)

    def test_a_provider_name_must_be_utf8(self):
        dbdir = tempfile.mkdtemp(prefix="proauth2-dc-")
        self.addCleanup(shutil.rmtree, dbdir, True)
        p = subprocess.run([os.fsencode(demo.find_binary()), b"--port", b"0", b"--db",
                            os.fsencode(os.path.join(dbdir, "bad.db")),
                            b"--domain-connect", b"dns\xff"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=20, cwd=dbdir, env=demo.child_env())
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"printable", p.stderr)

    def test_methods(self):
        for method, path in (("POST", "/v2/%s/settings" % ROOT),
                             ("GET", "/v2/domainTemplates/providers/%s/services/template1/apply"
                              % PROVIDER_ID),
                             ("GET", "/v2/oauth/access_token")):
            status, text = http_request(method, self.base + path)
            self.assertEqual(status, 405, (method, path, text))


class RememberedConsentTest(unittest.TestCase):
    """With --openid on the demo remembers consent to a client's scopes,
    but a Domain Connect consent is also to a domain and host: a request
    for another zone shows its page again, whatever was allowed before."""

    @classmethod
    def setUpClass(cls):
        cls.demo = demo.Demo(extra_args=[
            "--openid", "on", "--domain-connect", DNS_PROVIDER,
            "--scopes", "profile template1 template2",
            "--client", kept_client(PROVIDER_ID, "template1+template2")])
        cls.creds = cls.demo.start()
        cls.addClassCleanup(cls.demo.stop)
        cls.secrets = {c["client_id"]: c["client_secret"] for c in cls.creds["clients"]}

    def test_another_zone_asks_again(self):
        base = self.creds["issuer"]
        sp = ServiceProvider(PROVIDER_ID, self.secrets[PROVIDER_ID], base)
        sp.get_domain_config(base, ROOT, HOST)
        browser = requests.Session()
        self.addCleanup(browser.close)
        interop.browser_login(browser, sp.async_context("template1", PARAMS, REDIRECT),
                              self.creds["user"], self.creds["password"])
        sp.get_domain_config(base, "victim.example", HOST)
        r = browser.get(sp.async_context("template1", PARAMS, REDIRECT),
                        timeout=TIMEOUT, allow_redirects=False)
        self.assertEqual(r.status_code, 200, r.headers.get("Location"))
        self.assertIn('id="allow"', r.text)
        self.assertIn("victim.example", r.text)


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
