#!/bin/sh
# An SQLite-only program, and libproauth2 itself, load no libmongoc (nor
# its libbson): the MongoDB backend is a library of its own.
#   check_linkage.sh SQLITE_ONLY_PROGRAM LIBPROAUTH2 [LIBPROAUTH2_MONGODB]
# The MongoDB library, when given, must list libmongoc: the pattern is then
# known to match what ldd prints.
set -eu
program=$1
lib=$2
mongo='libmongoc|libbson'

"$program"
out=$(ldd "$program")
printf 'ldd %s:\n%s\n' "$program" "$out"
if ! printf '%s\n' "$out" | grep -q 'libproauth2\.so'; then
	echo "FAIL: $program does not load libproauth2.so"
	exit 1
fi
if printf '%s\n' "$out" | grep -Eq "$mongo"; then
	echo "FAIL: an SQLite-only program loads libmongoc"
	exit 1
fi
out=$(ldd "$lib")
printf 'ldd %s:\n%s\n' "$lib" "$out"
if printf '%s\n' "$out" | grep -Eq "$mongo"; then
	echo "FAIL: libproauth2 loads libmongoc"
	exit 1
fi
if [ $# -ge 3 ]; then
	if ! ldd "$3" | grep -q libmongoc; then
		echo "FAIL: $3 does not list libmongoc: the check above proves nothing"
		exit 1
	fi
	echo "$3 lists libmongoc, as it should"
fi
echo "linkage: no libmongoc without the MongoDB backend"
