#!/usr/bin/python3
"""Every C snippet in the docs compiles warning-free, runs and leaks nothing.

    check_snippets.py --cc CC --include DIR --lib LIB [--link HEADER=LIB ...]
                      [--without HEADER ...] [--skip-section TITLE ...]
                      [--sanitize OPTS] [--valgrind PATH] [--supp FILE] DOC...

A snippet is a ``.. code-block:: c`` block of an .rst file or a ```c fence
of a .md file. Each is a whole program: compiled with -std=c99 -Wall
-Wextra -pedantic -Werror against the public headers and LIB (plus the
library a --link names for each header the snippet includes, and the
pkg-config flags of the system headers below), then run in an empty
temporary directory with AddressSanitizer and UndefinedBehaviorSanitizer
(leaks included), or under valgrind where the compiler cannot build with
AddressSanitizer (the conformance snippet's 64-thread races take minutes
under valgrind on a loaded machine, seconds with ASan). A snippet whose first line is
``/* compile-only: <reason> */`` is compiled and linked, not run.

A DOC that does not exist fails the test. A snippet including a --without
header (a feature the build leaves out) is not compiled: a SKIP (77), as
when neither valgrind nor AddressSanitizer can run the snippets.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

COMPILE_ONLY = re.compile(r"\s*/\*\s*compile-only:\s*(.+?)\s*\*/")
# System headers a snippet may include, and their pkg-config names.
PKG_CONFIG = {"mongoc/mongoc.h": "libmongoc-1.0", "check.h": "check",
              "jansson.h": "jansson", "proauth2/conformance.h": "check"}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
RUN_TIMEOUT = 120  # seconds per snippet, valgrind included


def rst_snippets(text, skip_sections=()):
    """(line, code) of each '.. code-block:: c' block, but those of the
    sections titled in skip_sections (reported on stdout)."""
    lines = text.split("\n")
    i, section = 0, None
    while i < len(lines):
        if (i + 1 < len(lines) and lines[i].strip()
                and re.match(r"^([=~^-])\1{2,}\s*$", lines[i + 1])):
            section = lines[i].strip()
        if section in skip_sections and re.match(r"^\s*\.\. code-block::\s*c\s*$", lines[i]):
            print("not checked: the snippet at line %d, in section \"%s\" "
                  "(--skip-section in tests/meson.build)" % (i + 1, section))
            i += 1
        elif re.match(r"^\s*\.\. code-block::\s*c\s*$", lines[i]):
            start = i + 1
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i][:1] in " \t"):
                body.append(lines[i])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            indent = min(len(l) - len(l.lstrip()) for l in body if l.strip())
            yield start + 1, "\n".join(l[indent:] for l in body) + "\n"
        else:
            i += 1


def md_snippets(text):
    """(line, code) of each ```c fence."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+|~~~+)\s*c\s*$", lines[i])
        if m:
            fence, start, body = m.group(2), i + 2, []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            yield start, "\n".join(body) + "\n"
        i += 1


def libs_for(code, links):
    """Extra libraries and flags for what the snippet includes."""
    # As `pkg-config --libs proauth2`, whose Requires brings jansson.
    args, pkgs = [], ["jansson"]
    for header in INCLUDE.findall(code):
        args += links.get(header, [])
        if header in PKG_CONFIG and PKG_CONFIG[header] not in pkgs:
            pkgs.append(PKG_CONFIG[header])
    if pkgs:
        out = subprocess.run(["pkg-config", "--cflags", "--libs"] + pkgs,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("pkg-config %s: %s" % (" ".join(pkgs), out.stderr.strip()))
        # Their headers' own warnings under -std=c99 are not ours to fix.
        args += [("-isystem" + a[2:]) if a.startswith("-I") else a
                 for a in shlex.split(out.stdout)]
    return args


def check(name, code, opts, links, tmp):
    """None when the snippet passes, else what went wrong."""
    src = os.path.join(tmp, "snippet.c")
    exe = os.path.join(tmp, "snippet")
    with open(src, "w") as f:
        f.write(code)
    cmd = shlex.split(opts.cc) + [
        "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-g",
        src, "-o", exe]
    for d in opts.include:
        cmd += ["-I", d]
    if opts.sanitize:
        cmd.append("-fsanitize=" + opts.sanitize)
    cmd += libs_for(code, links) + [opts.lib, "-Wl,-rpath," + os.path.dirname(opts.lib)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return "does not compile:\n%s\n%s" % (" ".join(cmd), out.stderr)
    reason = COMPILE_ONLY.match(code)
    if reason:
        print("ok   %s (compiled and linked, not run: %s)" % (name, reason.group(1)))
        return None
    if not opts.sanitize and not opts.valgrind:
        print("ok   %s (compiled and linked; not run: no valgrind)" % name)
        return None
    run = [exe]
    env = dict(os.environ)
    if opts.sanitize:
        env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=1"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    else:
        run = [opts.valgrind, "--quiet", "--error-exitcode=1", "--leak-check=full",
               "--errors-for-leak-kinds=definite,indirect",
               "--show-leak-kinds=definite,indirect", "--track-origins=yes"]
        if opts.supp:
            run.append("--suppressions=" + opts.supp)
        run.append(exe)
    rundir = os.path.join(tmp, "run")
    os.mkdir(rundir)
    try:
        out = subprocess.run(run, cwd=rundir, env=env, capture_output=True,
                             text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "still running after %d s" % RUN_TIMEOUT
    if out.returncode != 0:
        return "exited with %d:\n%s%s" % (out.returncode, out.stdout, out.stderr)
    print("ok   %s (ran%s)" % (name, " with ASan" if opts.sanitize else " under valgrind"))
    return None


def asan_works(cc):
    """Whether cc builds and runs a program with -fsanitize=address."""
    with tempfile.TemporaryDirectory(prefix="proauth2-snippet-") as tmp:
        src, exe = os.path.join(tmp, "asan.c"), os.path.join(tmp, "asan")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        built = subprocess.run(shlex.split(cc) + ["-fsanitize=address", src, "-o", exe],
                               capture_output=True)
        return built.returncode == 0 and subprocess.run([exe]).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cc", required=True)
    ap.add_argument("--include", action="append", required=True,
                    help="a directory of public headers (repeat for several)")
    ap.add_argument("--lib", required=True, help="the built libproauth2")
    ap.add_argument("--link", action="append", default=[], metavar="HEADER=LIB",
                    help="link LIB (space-separated arguments) when a snippet includes HEADER")
    ap.add_argument("--without", action="append", default=[], metavar="HEADER",
                    help="a header this build lacks: its snippets are not compiled (a SKIP)")
    ap.add_argument("--skip-section", action="append", default=[], metavar="TITLE",
                    help="an .rst section whose snippets are not checked (said so)")
    ap.add_argument("--sanitize", default="", help="b_sanitize of the build ('none': off)")
    ap.add_argument("--valgrind", default="")
    ap.add_argument("--supp", default="")
    ap.add_argument("docs", nargs="+")
    opts = ap.parse_args()
    opts.lib = os.path.abspath(opts.lib)
    if opts.sanitize == "none":
        opts.sanitize = ""
    if not opts.sanitize and asan_works(opts.cc):
        opts.sanitize = "address,undefined"
    links = {}
    for item in opts.link:
        header, _, lib = item.partition("=")
        links[header] = shlex.split(lib)

    failures, not_built, count = [], [], 0
    for doc in opts.docs:
        if not os.path.exists(doc):
            failures.append("%s: listed in tests/meson.build but missing" % doc)
            continue
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        found = md_snippets(text) if doc.endswith(".md") else rst_snippets(text, opts.skip_section)
        for line, code in found:
            count += 1
            name = "%s:%d" % (os.path.basename(doc), line)
            lacking = [h for h in INCLUDE.findall(code) if h in opts.without]
            if lacking:
                print("SKIP %s: this build has no %s" % (name, ", ".join(lacking)))
                not_built.append(name)
                continue
            with tempfile.TemporaryDirectory(prefix="proauth2-snippet-") as tmp:
                problem = check(name, code, opts, links, tmp)
            if problem:
                print("FAIL %s %s" % (name, problem))
                failures.append(name)
    for f in failures:
        print("failed: " + f)
    if failures:
        return 1
    if count == 0:
        print("no C snippet found in " + " ".join(opts.docs))
        return 1
    if not_built:
        print("SKIP: %d snippets need what this build leaves out (%s)"
              % (len(not_built), ", ".join(opts.without)))
        return 77
    if not opts.sanitize and not opts.valgrind:
        print("SKIP: valgrind is not installed (apt-get install valgrind), nor does "
              "-fsanitize=address work: %d snippets compiled, none run" % count)
        return 77
    print("%d snippets: all compile, run and leak nothing" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
