"""What the client-library tests share: the deployment shapes the demo is
started in, and the browser's part of the code flow (login and consent,
the demo's forms posted over HTTP, redirects followed by hand).

A shape is a dict: name, the demo's extra flags (built for a port chosen
here, since the issuer must carry it), and where the clients should find
the metadata and the endpoints.
"""

import urllib.parse

import demo

TIMEOUT = 10  # seconds, every HTTP request


def shape(name, port):
    """The flags and URLs of one deployment shape on this port."""
    root = "http://127.0.0.1:%d" % port
    if name == "trailing-slash":
        # A common way to write an issuer; endpoints at /token etc.
        issuer, base, metadata = root + "/", root, root + "/.well-known/oauth-authorization-server"
        args = ["--issuer", issuer]
    elif name == "path-issuer":
        # RFC 8414 §3.1: the well-known segment goes between host and path.
        issuer = base = root + "/tenant"
        metadata = root + "/.well-known/oauth-authorization-server/tenant"
        args = ["--issuer", issuer]
    elif name == "prefix-mount":
        # The issuer at the root, its endpoints under /oauth.
        issuer, base = root, root + "/oauth"
        metadata = root + "/.well-known/oauth-authorization-server"
        args = ["--endpoint-base", base]
    else:
        raise ValueError(name)
    return {"name": name, "issuer": issuer, "base": base, "metadata": metadata,
            "args": ["--port", str(port)] + args}


SHAPES = ("trailing-slash", "path-issuer", "prefix-mount")


def start_shape(name):
    """Start a demo in this shape; (Demo, credentials, shape). The caller stops it."""
    shapes = []

    def args(port):
        shapes.append(shape(name, port))
        return shapes[-1]["args"]

    d, creds = demo.start_on_free_port(args)
    return d, creds, shapes[-1]


def browser_login(http, authorization_url, user, password):
    """What a user does in a browser at the authorization URL: log in and
    allow. Returns the redirect back to the client (its Location)."""
    from test_clients import find_form, submit_data
    r = http.get(authorization_url, timeout=TIMEOUT, allow_redirects=False)
    if r.status_code != 200:
        raise AssertionError("GET %s: %d %s" % (authorization_url, r.status_code, r.text[:300]))
    form = find_form(r.text, "username")
    r = http.post(urllib.parse.urljoin(r.url, form["action"]), timeout=TIMEOUT,
                  allow_redirects=False,
                  data=submit_data(form, "login", {"username": user, "password": password}))
    if r.status_code != 200:
        raise AssertionError("login: %d %s" % (r.status_code, r.text[:300]))
    form = find_form(r.text, "allow")
    r = http.post(urllib.parse.urljoin(r.url, form["action"]), data=submit_data(form, "allow"),
                  timeout=TIMEOUT, allow_redirects=False)
    if r.status_code not in (302, 303):
        raise AssertionError("consent: %d %s" % (r.status_code, r.text[:300]))
    return r.headers["Location"]
