#!/usr/bin/env bash
# Chromium for the demo and the end-to-end tests: Debian's package, installed when absent
# (Playwright's own browser download cannot work on machines without internet access).
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then exit 0; fi
echo "Installing Debian's chromium (needs root)…"
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
"$chromium_path" --version
