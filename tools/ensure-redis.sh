#!/usr/bin/env bash
# The Redis rate-limiter tests need a real redis-server (Debian package). Install it when missing.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server: $(redis-server --version | awk '{print $3}')"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "redis-server: installing the Debian package"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
echo "redis-server: $(redis-server --version | awk '{print $3}')"
