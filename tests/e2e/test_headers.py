#!/usr/bin/python3
"""Large request heads against provider_demo, over a raw loopback socket.

    PROAUTH2_DEMO_BIN=build/example/provider_demo /usr/bin/python3 tests/e2e/test_headers.py -v

Heads from 1 to 38 KiB, as one large Cookie and as many small headers, on
GET and POST to several paths: every request gets a whole HTTP answer, never
a reset, an empty read or a 5xx. A head up to the demo's bound is served as
usual; a larger one is answered 431, by the demo (JSON) or, past
libmicrohttpd's memory pool, by libmicrohttpd itself. Standard library only.
"""

import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import demo  # noqa: E402

TIMEOUT = 10
KIB = 1024
# SERVER_MAX_HEAD (example/provider_demo/server.h): the target and every
# header's name and value, counted together.
HEAD_BOUND = 8 * KIB
# POOL_SIZE (example/provider_demo/server.c): libmicrohttpd's memory per
# connection; a larger head gets libmicrohttpd's own 431.
POOL = 80 * KIB
PATHS = ("/", "/authorize", "/consent", "/token", "/no-such-page")
# Every 64 bytes: libmicrohttpd 0.9.75 answers nothing in bands about 100
# bytes wide, where the head leaves its pool too little room for the
# answer's own head (with the default 32 KiB pool: near 13, 16 and 32 KiB;
# with the demo's 80 KiB, from some 39 KiB on).
SIZES = range(1 * KIB, 38 * KIB + 1, 64)
BODY = b"a=b"


def cookie_head(size):
    """One Cookie header whose name and value come to size bytes."""
    return [("Cookie", "c=" + "x" * (size - len("Cookie") - 2))]


def many_headers(size):
    """Headers of 64 bytes (name and value) coming to size bytes."""
    headers, left, i = [], size, 0
    while left > 0:
        name = "X-Filler-%05d" % i
        value = "v" * max(0, min(64, left) - len(name))
        headers.append((name, value))
        left -= len(name) + len(value)
        i += 1
    return headers


SHAPES = (("cookie", cookie_head), ("many headers", many_headers))


def all_headers(method, headers):
    """headers, after the ones every request of this test carries."""
    sent = [("Host", "127.0.0.1"), ("Connection", "close")]
    if method == "POST":
        sent += [("Content-Type", "application/x-www-form-urlencoded"),
                 ("Content-Length", str(len(BODY)))]
    return sent + headers


def head_size(method, target, headers):
    """What the demo counts: the target, and every name and value."""
    return len(target) + sum(len(n) + len(v) for n, v in all_headers(method, headers))


def exchange(port, method, target, headers):
    """Send one request (Connection: close) and read until the server closes.
    Returns the bytes read; a reset after some bytes keeps them, a reset
    before any is b"". """
    lines = ["%s %s HTTP/1.1" % (method, target)]
    lines += ["%s: %s" % h for h in all_headers(method, headers)]
    body = BODY if method == "POST" else b""
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered and closed before the head was all sent: read on
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except ConnectionResetError:
            pass
    return got


def parse(raw):
    """(status, headers with lower-case names, body) of a whole answer, or
    raise AssertionError saying what is missing."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError("no complete response head in %d bytes: %r"
                             % (len(raw), raw[:40]))
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise AssertionError("not a status line: %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise AssertionError("no Content-Length: %r" % head)
    if len(body) != int(headers["content-length"]):
        raise AssertionError("body of %d bytes, Content-Length %s"
                             % (len(body), headers["content-length"]))
    return int(rest[:3]), headers, body


class LargeHeadTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.demo = demo.Demo()
        cls.port = int(cls.demo.start()["port"])
        cls.addClassCleanup(cls.demo.stop)

    def problem(self, method, path, headers):
        """What is wrong with the answer to this request; None if nothing."""
        raw = exchange(self.port, method, path, headers)
        try:
            status, hdrs, body = parse(raw)
        except AssertionError as e:
            return str(e)
        counted = head_size(method, path, headers)
        if status >= 500:
            return "status %d" % status
        if counted <= HEAD_BOUND:
            return "refused under the bound" if status == 431 else None
        if status != 431:
            return "status %d over the bound" % status
        if len(body) >= 1024:
            return "a 431 of %d bytes" % len(body)
        if counted <= 2 * HEAD_BOUND:
            # Well inside libmicrohttpd's pool: the demo's own answer.
            try:
                ok = (hdrs.get("content-type") == "application/json"
                      and isinstance(json.loads(body).get("error"), str))
            except ValueError:
                ok = False
            if not ok:
                return "not the demo's JSON 431: %r" % body[:100]
        return None

    def test_every_head_size_gets_a_whole_answer(self):
        for shape, make in SHAPES:
            for method in ("GET", "POST"):
                for path in PATHS:
                    with self.subTest(shape=shape, method=method, path=path):
                        problems = []
                        for size in SIZES:
                            p = self.problem(method, path, make(size))
                            if p is not None:
                                problems.append("%d bytes: %s" % (size, p))
                        if problems:
                            self.fail("%d of %d sizes:\n%s" % (len(problems),
                                      len(SIZES), "\n".join(problems)))

    def test_a_long_target_counts_toward_the_bound(self):
        for size in (4 * KIB, HEAD_BOUND + 1, 12 * KIB):
            target = "/authorize?state=" + "s" * (size - len("/authorize?state="))
            raw = exchange(self.port, "GET", target, [])
            status, hdrs, body = parse(raw)
            if size <= HEAD_BOUND:
                self.assertNotEqual(status, 431)
                self.assertLess(status, 500)
            else:
                self.assertEqual(status, 431, raw[:300])
                self.assertEqual(json.loads(body)["error"],
                                 "request_header_fields_too_large")

    def test_a_head_larger_than_the_pool_gets_libmicrohttpds_431(self):
        for method in ("GET", "POST"):
            for size in (POOL + 4 * KIB, 2 * POOL):
                with self.subTest(method=method, size=size):
                    status, _, body = parse(exchange(self.port, method, "/token",
                                                     cookie_head(size)))
                    self.assertEqual(status, 431)
                    self.assertLess(len(body), 1024)

    def test_the_demo_still_serves_after_large_heads(self):
        exchange(self.port, "GET", "/", cookie_head(40 * KIB))
        status, _, _ = parse(exchange(self.port, "GET",
                                      "/.well-known/oauth-authorization-server", []))
        self.assertEqual(status, 200)


if __name__ == "__main__":
    path = demo.binary_from_argv(sys.argv)
    if path:
        demo.set_binary(path)
    unittest.main()
