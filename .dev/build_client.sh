#!/usr/bin/env bash
# Regenerate the prebuilt browser client shipped inside the template:
#   {{cookiecutter.project_slug}}/{{cookiecutter.package_name}}/static/
#
# The client sources ({{cookiecutter.project_slug}}/client/) contain Jinja in
# vite.config.js and index.html. This script copies the client to a scratch
# directory, fills in the default answers (package "chat", port 8080, project
# name "Chat"), runs `npm ci && npm run build` there, copies the output back
# into the template and puts the Jinja title back into static/index.html.
# The build is reproducible, so running this again changes nothing unless the
# client sources changed. Nothing is written inside the repository except the
# static directory (no node_modules).
#
# Usage: .dev/build_client.sh          rebuild and update the shipped bundle
#        .dev/build_client.sh --check  rebuild and only compare; exit 1 if the
#                                      shipped bundle is out of date
set -euo pipefail

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
template="$root/{{cookiecutter.project_slug}}"
client="$template/client"
static="$template/{{cookiecutter.package_name}}/static"

PACKAGE=chat
PORT=8080
NAME=Chat
JINJA_TITLE='<title>{{ cookiecutter.project_name | e }}</title>'
BUILT_TITLE="<title>$NAME</title>"

work="$(mktemp -d "${TMPDIR:-/tmp}/clientbuild.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Scratch copy of the client sources (never its node_modules or a stray dist).
mkdir -p "$work/client"
(cd "$client" && tar --exclude=./node_modules --exclude=./dist -cf - .) | (cd "$work/client" && tar -xf -)

# Render the two Jinja files with the default answers (literal replacements).
python3 - "$work/client" "$PACKAGE" "$PORT" "$NAME" <<'PY'
import sys
client, package, port, name = sys.argv[1:]
for fname, pairs in (
    ("vite.config.js", [("{{ cookiecutter.package_name }}", package), ("{{ cookiecutter.port }}", port)]),
    ("index.html", [("{{ cookiecutter.project_name | e }}", name)]),
):
    path = client + "/" + fname
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    for old, new in pairs:
        if old not in text:
            sys.exit("build_client.sh: %r not found in client/%s" % (old, fname))
        text = text.replace(old, new)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
PY
for f in vite.config.js index.html; do
  if grep -nE '\{\{|\{%|\{#' "$work/client/$f"; then
    echo "build_client.sh: unrendered Jinja left in client/$f" >&2
    exit 1
  fi
done

(
  cd "$work/client"
  npm ci --no-audit --no-fund --loglevel=error
  npm run build
)

out="$work/$PACKAGE/static"
index="$out/index.html"
if [ "$(grep -cF "$BUILT_TITLE" "$index")" != 1 ]; then
  echo "build_client.sh: expected exactly one $BUILT_TITLE in the built index.html" >&2
  exit 1
fi
# Put the Jinja title back (static/index.html is rendered by cookiecutter).
python3 - "$index" "$BUILT_TITLE" "$JINJA_TITLE" <<'PY'
import sys
path, old, new = sys.argv[1:]
with open(path, encoding="utf-8", newline="") as f:
    text = f.read()
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write(text.replace(old, new, 1))
PY

if [ "$check" = 1 ]; then
  if diff -r "$out" "$static"; then
    echo "shipped client bundle is up to date"
  else
    echo "build_client.sh: shipped client bundle is out of date; run .dev/build_client.sh" >&2
    exit 1
  fi
  exit 0
fi

rm -rf "$static"
mkdir -p "$static"
cp -R "$out/." "$static/"
echo "client bundle written to $static:"
(cd "$static" && find . -type f | LC_ALL=C sort | xargs wc -c)
