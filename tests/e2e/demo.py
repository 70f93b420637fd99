"""Start and stop example/provider_demo for the end-to-end tests.

Standard library only. The demo binary comes from the command line
(``--demo-bin PATH``, see :func:`binary_from_argv`) or from the environment
variable ``PROAUTH2_DEMO_BIN``. Each :class:`Demo` runs one demo process on a
free loopback port with a fresh SQLite file and credentials file in its own
temporary directory, waits (bounded) until the demo has written its
credentials, and on :meth:`Demo.stop` sends SIGTERM, waits, and raises
:class:`DemoError` unless the demo exited with status 0.

Use as a context manager::

    with running() as creds:
        ...                      # creds is the parsed credentials JSON

or, in a unittest class::

    cls.demo = Demo()
    cls.creds = cls.demo.start()
    cls.addClassCleanup(cls.demo.stop)

Running this file starts a demo, prints its credentials and stops it.
"""

import atexit
import contextlib
import importlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ENV_VAR = "PROAUTH2_DEMO_BIN"
# PROAUTH2_E2E_BACKEND=mongodb runs the demo on MongoDB: the server
# MONGODB_URI names, else the mongo_server.py PROAUTH2_MONGO_SERVER names,
# started once for this process.
BACKEND_VAR = "PROAUTH2_E2E_BACKEND"
MONGO_SERVER_VAR = "PROAUTH2_MONGO_SERVER"
WRAPPER_ENV_VAR = "PROAUTH2_DEMO_WRAPPER"
STARTUP_TIMEOUT = float(os.environ.get("PROAUTH2_DEMO_STARTUP_TIMEOUT", "20"))
STOP_TIMEOUT = 10.0
LOG_TAIL = 4000

_CRED_KEYS = ("issuer", "port", "confidential", "public", "redirect_uri",
              "user", "password")


# What the e2e tests import, and the Debian package that has it.
CLIENT_MODULES = (("requests.auth", "python3-requests"),
                  ("oauthlib.oauth2", "python3-oauthlib"),
                  ("requests_oauthlib", "python3-requests-oauthlib"))
# What tests/mongodb/mongo_server.py imports (the MongoDB emulator).
EMULATOR_MODULES = (("bson.json_util", "python3-pymongo"),
                    ("mockupdb", "python3-mockupdb"),
                    ("mongomock.collection", "python3-mongomock"))


def skip_unless_importable(modules, hint=""):
    """Exit 77 (meson's SKIP), naming the package, if a module does not
    import; tools/run-tests.sh installs them and fails on any skip."""
    for module, package in modules:
        try:
            # A module without a file is an empty directory of that name.
            found = getattr(importlib.import_module(module), "__file__", None)
        except ImportError:
            found = None
        if found is None:
            print("SKIP: %s is not installed (apt-get install %s%s)"
                  % (package, package, hint), flush=True)
            sys.exit(77)


def skip_without_tools():
    """The clients' modules, and a MongoDB server when the backend needs one."""
    skip_unless_importable(CLIENT_MODULES)
    if (os.environ.get(BACKEND_VAR, "sqlite") == "mongodb"
            and not os.environ.get("MONGODB_URI")):
        skip_unless_importable(EMULATOR_MODULES, ", or set MONGODB_URI")


class DemoError(Exception):
    """The demo did not start, or did not stop cleanly."""


_mongo = {"uri": None, "proc": None, "databases": 0}


def _stop_mongo_server():
    proc = _mongo["proc"]
    if proc is not None and proc.poll() is None:
        proc.terminate()
        proc.wait(STOP_TIMEOUT)


def _mongodb_server():
    """mongodb://host[:port][,...] of the server to use, started if need be."""
    if _mongo["uri"] is None:
        uri = os.environ.get("MONGODB_URI")
        if not uri:
            script = os.environ.get(MONGO_SERVER_VAR)
            if not script:
                raise DemoError("%s=mongodb needs MONGODB_URI or %s"
                                % (BACKEND_VAR, MONGO_SERVER_VAR))
            proc = subprocess.Popen(["/usr/bin/python3", script, "--port", "0"],
                                    stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
            _mongo["proc"] = proc
            atexit.register(_stop_mongo_server)
            uri = proc.stdout.readline().decode().strip()
            if not uri.startswith("mongodb://"):
                raise DemoError("%s did not start" % script)
        _mongo["uri"] = uri
    return _mongo["uri"]


def database_option(tmpdir):
    """The demo's --db: an SQLite file in tmpdir, or a fresh MongoDB
    database when PROAUTH2_E2E_BACKEND=mongodb."""
    if os.environ.get(BACKEND_VAR, "sqlite") != "mongodb":
        return os.path.join(tmpdir, "demo.db")
    parts = urllib.parse.urlsplit(_mongodb_server())
    _mongo["databases"] += 1
    name = "proauth2_e2e_%d_%d" % (os.getpid(), _mongo["databases"])
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def binary_from_argv(argv):
    """Remove ``--demo-bin PATH`` / ``--demo-bin=PATH`` from argv (in place)
    and return PATH, or None when absent."""
    for i, arg in enumerate(argv):
        if arg == "--demo-bin" and i + 1 < len(argv):
            path = argv[i + 1]
            del argv[i:i + 2]
            return path
        if arg.startswith("--demo-bin="):
            del argv[i]
            return arg.split("=", 1)[1]
    return None


_binary_override = None


def set_binary(path):
    """Use this demo binary for every later Demo() without an explicit one."""
    global _binary_override
    _binary_override = path


def find_binary(binary=None):
    path = binary or _binary_override or os.environ.get(ENV_VAR)
    if not path:
        raise DemoError("no demo binary: pass --demo-bin PATH or set %s" % ENV_VAR)
    path = os.path.abspath(path)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise DemoError("demo binary %s is not an executable file" % path)
    return path


def free_port():
    """A loopback port free right now, for a demo whose --issuer must name
    its port before it starts (another process may take it in between:
    retry a start that fails to listen)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env():
    """The environment for the demo: ours without PROAUTH2_DEMO_* (the demo
    reads its settings from such variables; the flags alone decide here)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PROAUTH2_DEMO_")}


class Demo:
    """One provider_demo process."""

    def __init__(self, binary=None, grants=None, user=None, password=None,
                 startup_timeout=STARTUP_TIMEOUT, stop_timeout=STOP_TIMEOUT,
                 extra_args=()):
        self.binary = find_binary(binary)
        self.extra_args = list(extra_args)
        self.grants = grants
        self.user = user
        self.password = password
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.proc = None
        self.tmpdir = None
        self.creds = None
        self._log = None

    # -- paths -------------------------------------------------------------
    @property
    def credentials_path(self):
        return os.path.join(self.tmpdir, "credentials.json")

    @property
    def log_path(self):
        return os.path.join(self.tmpdir, "demo.log")

    def log_tail(self):
        """The end of what the demo printed (stdout and stderr)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - LOG_TAIL))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def command(self):
        # PROAUTH2_DEMO_WRAPPER, e.g. "valgrind --error-exitcode=1 -q", runs
        # the demo under a tool; its exit status is checked as the demo's.
        cmd = shlex.split(os.environ.get(WRAPPER_ENV_VAR, ""))
        cmd += [self.binary, "--port", "0", "--db", database_option(self.tmpdir),
               "--credentials-file", self.credentials_path]
        if self.grants is not None:
            cmd += ["--grants", self.grants]
        if self.user is not None:
            cmd += ["--user", self.user]
        if self.password is not None:
            cmd += ["--password", self.password]
        return cmd + self.extra_args

    # -- lifecycle ---------------------------------------------------------
    def start(self):
        """Start the demo and return its parsed credentials (a dict)."""
        if self.proc is not None:
            raise DemoError("demo already started")
        self.tmpdir = tempfile.mkdtemp(prefix="proauth2-e2e-")
        self._log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                stderr=subprocess.STDOUT, cwd=self.tmpdir, env=child_env())
            self.creds = self._wait_for_credentials()
        except BaseException:
            self._kill()
            self._cleanup()
            raise
        return self.creds

    def _wait_for_credentials(self):
        deadline = time.monotonic() + self.startup_timeout
        last_problem = "credentials file not written"
        while True:
            code = self.proc.poll()
            if code is not None:
                raise DemoError("demo exited with status %d before it was ready:\n%s"
                                % (code, self.log_tail()))
            if os.path.exists(self.credentials_path):
                try:
                    with open(self.credentials_path, encoding="utf-8") as f:
                        creds = json.load(f)
                    return self._check_credentials(creds)
                except (OSError, ValueError) as e:
                    # Written atomically by contract, so this is an error
                    # unless the file is still appearing; retry until the
                    # deadline and report the last problem.
                    last_problem = "credentials file unreadable: %s" % e
            if time.monotonic() >= deadline:
                raise DemoError("demo not ready after %.0f s (%s):\n%s"
                                % (self.startup_timeout, last_problem, self.log_tail()))
            time.sleep(0.05)

    def _check_credentials(self, creds):
        missing = [k for k in _CRED_KEYS if k not in creds]
        if missing:
            raise ValueError("credentials lack %s: %r" % (", ".join(missing), creds))
        issuer = urllib.parse.urlsplit(creds["issuer"])
        # Loopback only: never send test traffic anywhere else.
        if issuer.scheme != "http" or issuer.hostname != "127.0.0.1":
            raise DemoError("issuer %r is not http://127.0.0.1:<port>" % creds["issuer"])
        if issuer.port != int(creds["port"]) or int(creds["port"]) <= 0:
            raise DemoError("issuer %r does not carry port %r"
                            % (creds["issuer"], creds["port"]))
        return creds

    def stop(self):
        """SIGTERM, wait, and raise DemoError unless the exit status is 0."""
        if self.proc is None:
            return
        try:
            code = self.proc.poll()
            if code is not None:
                raise DemoError("demo had already exited with status %d:\n%s"
                                % (code, self.log_tail()))
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                raise DemoError("demo did not exit within %.0f s of SIGTERM:\n%s"
                                % (self.stop_timeout, self.log_tail()))
            if code != 0:
                raise DemoError("demo exited with status %d after SIGTERM (expected 0):\n%s"
                                % (code, self.log_tail()))
        finally:
            self.proc = None
            self._cleanup()

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def _cleanup(self):
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


@contextlib.contextmanager
def running(binary=None, **kwargs):
    """Run a demo for the duration of the with-block; yield its credentials.
    The demo is stopped (and its exit status checked) however the block ends."""
    demo = Demo(binary, **kwargs)
    creds = demo.start()
    try:
        yield creds
    finally:
        demo.stop()


def main(argv):
    binary = binary_from_argv(argv) or (argv[1] if len(argv) > 1 else None)
    with running(binary) as creds:
        print(json.dumps(creds, indent=2))
    print("demo stopped with status 0")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(list(sys.argv)))
    except DemoError as e:
        print("error: %s" % e, file=sys.stderr)
        sys.exit(1)
