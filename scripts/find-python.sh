#!/bin/sh
# Prints the path of a Python >= 3.12 interpreter (Django 6.1 needs it), or fails with a message.
# Tries the usual names on PATH first, then any interpreter pyenv knows about.
ok() { "$1" -c 'import sys, sqlite3, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
for candidate in ${PYTHON:-} python3.13 python3.12 python3.14 python3; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if ok "$path"; then echo "$path"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for version in $(pyenv versions --bare 2>/dev/null | sort -r -V); do
        path="$root/versions/$version/bin/python3"
        if [ -x "$path" ] && ok "$path"; then echo "$path"; exit 0; fi
    done
fi
echo "cbrnet needs Python 3.12 or newer (with sqlite3 and venv); none was found. Install one and set PYTHON=/path/to/python3." >&2
exit 1
