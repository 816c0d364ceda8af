#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter, a Go module) at the pinned release into
# tools/bin, like tools/pulumi.sh does for the engine. A second run checks the version and returns.
# An actionlint of the same version already on PATH is reused.
# Usage: tools/actionlint.sh            build (or reuse) tools/bin/actionlint
#        tools/actionlint.sh FILE...    then lint FILE...
set -euo pipefail
# The release `make test` lints with; bump it here (the Go module proxy must serve it).
version=v1.7.12
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/bin"
mkdir -p "$bin"

# `actionlint -version` prints the version on its first line.
have_version() { [ -x "$1" ] && [ "$("$1" -version 2>/dev/null | head -n 1)" = "$version" ]; }

if ! have_version "$bin/actionlint"; then
  on_path=$(command -v actionlint || true)
  if [ -n "$on_path" ] && [ "$on_path" != "$bin/actionlint" ] && have_version "$on_path"; then
    ln -sf "$on_path" "$bin/actionlint"
  else
    echo "actionlint $version: building from Go modules (first time: about a minute)" >&2
    # Module and build caches live in Go's defaults, shared with the engine's build.
    GOBIN="$bin" GOFLAGS="-mod=readonly ${GOFLAGS:-}" \
      go install -ldflags "-s -w -X github.com/rhysd/actionlint.version=$version" \
      "github.com/rhysd/actionlint/cmd/actionlint@$version"
  fi
  have_version "$bin/actionlint" || { echo "actionlint: tools/bin/actionlint is not $version" >&2; exit 1; }
fi

if [ "$#" -gt 0 ]; then
  exec "$bin/actionlint" "$@"
fi
echo "actionlint $version: ready in tools/bin" >&2
