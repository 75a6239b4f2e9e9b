#!/usr/bin/env bash
# Chromium for the demo and the end-to-end tests: Debian's package, installed when absent
# (Playwright's own browser download cannot work on machines without internet access).
# CHROMIUM_PATH names another: Chromium or Chrome for Testing, 140 or later (branded Chrome
# ignores --load-extension, and the extension asks for Chrome 140).
set -euo pipefail
MIN_MAJOR=140
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium_path" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
    exit 1
  fi
  echo "Installing Debian's chromium (needs root)…"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  if [ ! -x "$chromium_path" ]; then
    echo "apt-get installed no $chromium_path (Ubuntu's chromium package is a snap stub): set CHROMIUM_PATH to a Chromium or Chrome for Testing, $MIN_MAJOR or later." >&2
    exit 1
  fi
fi
version="$("$chromium_path" --version 2>/dev/null)"
major="$(grep -oE '[0-9]+' <<<"$version" | head -n 1 || true)"
if [ -z "$major" ] || [ "$major" -lt "$MIN_MAJOR" ]; then
  echo "$chromium_path is \"$version\": the extension needs $MIN_MAJOR or later. Update it, or set CHROMIUM_PATH to a Chromium or Chrome for Testing, $MIN_MAJOR or later." >&2
  exit 1
fi
# Branded Chrome says "Google Chrome 150…"; Chrome for Testing "Google Chrome for Testing 150…".
if [[ "$version" == "Google Chrome "* && "$version" != *"for Testing"* ]]; then
  echo "$chromium_path is \"$version\": branded Chrome ignores --load-extension, so the extension would never load. Set CHROMIUM_PATH to a Chromium or Chrome for Testing, $MIN_MAJOR or later." >&2
  exit 1
fi
echo "$version"
