#!/usr/bin/env bash
# What headless pages need on this machine: Debian's chromium (the browser tests and the report PNGs drive it;
# Playwright's own browser download is never used) and fonts for the members' scripts (Khmer, Lao, Burmese, Thai,
# Chinese), without which their pages show empty boxes for the letters.
#
#   deploy/browser.sh install     installs what is missing with apt (as root); otherwise says what to install
set -euo pipefail

packages=(chromium fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-khmeros)

case ${1:-} in
  install)
    missing=()
    for p in "${packages[@]}"; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || exit 0
    if [[ $(id -u) -ne 0 ]]; then
      echo "missing for the browser and the members' scripts: apt-get install ${missing[*]} (as root)" >&2
      command -v chromium >/dev/null || exit 1
      exit 0
    fi
    echo "installing ${missing[*]}" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
    ;;
  *) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
