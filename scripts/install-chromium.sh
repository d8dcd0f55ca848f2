#!/usr/bin/env bash
# Installs Debian's Chromium (for `iccsim report --pdf` and for CI's check of
# the report in a real browser), if it is not there yet. Run as root.
# Recipe and the flags that work headless here: ../shared/notes/environment.md,
# section 4.
set -euo pipefail
if command -v chromium >/dev/null; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
