#!/usr/bin/env bash
# Builds the Pulumi engine (CLI + Python language host) from Go modules at the release pinned in
# tools/pulumi-build/go.mod, into tools/bin. A second run is a no-op when the binaries are there
# and report the pinned version. A `pulumi` of the same version already on PATH is reused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build="$here/pulumi-build"
bin="$here/bin"
version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" {print $2}' "$build/go.mod")
mkdir -p "$bin"
# Dynamic providers run in didww-iac's own host (a wider worker pool than Pulumi's): the
# launcher is ours, so it is (re)installed on every run.
install -m 0755 "$here/pulumi-resource-pulumi-python" "$bin/pulumi-resource-pulumi-python"

have_version() { [ -x "$1" ] && [ "$("$1" version 2>/dev/null)" = "$version" ]; }

# The language host is ours (langhost/): rebuilt when its source is newer than the binary.
if have_version "$bin/pulumi" && [ -x "$bin/pulumi-language-python" ] \
   && [ "$bin/pulumi-language-python" -nt "$build/langhost/main.go" ] \
   && [ -x "$bin/pulumi-resource-pulumi-python" ] && [ -f "$bin/pulumi-language-python-exec" ]; then
  echo "pulumi $version: ready in tools/bin"
  exit 0
fi

cd "$build"
# Module and build caches live in Go's defaults, so a later run (or CI on the same machine) reuses them.
export GOFLAGS="-mod=readonly ${GOFLAGS:-}"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"

on_path=$(command -v pulumi || true)
if [ -n "$on_path" ] && have_version "$on_path"; then
  echo "pulumi $version: using $on_path"
  ln -sf "$on_path" "$bin/pulumi"
else
  echo "pulumi $version: building the engine from Go modules (first time: several minutes)"
  start=$(date +%s)
  go build -ldflags "$ldflags" -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  echo "pulumi $version: engine built in $(( $(date +%s) - start ))s"
fi

go build -ldflags "-s -w -X main.version=${version#v}" -o "$bin/pulumi-language-python" ./langhost

# The program launcher ships as a file of the sdk/v3 module at the same release.
sdk=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
echo "pulumi $version: ready in tools/bin ($("$bin/pulumi" version))"
