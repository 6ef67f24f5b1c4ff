#!/usr/bin/env bash
# Runs every test, as CI does (.ci/run calls this): installs what the integration tests need and is missing, then
# ./mvnw -B verify. Arguments go to Maven (./test.sh -DskipITs skips the integration tests and needs none of this).
#
# Needs a JDK 21 or newer (found by .ci/find-jdk) and Maven Central. The integration tests also need Debian's mosquitto
# (MosquittoIT and DeviceFaultsIT run it as a process of their own), Debian's chromium (GraphiqlBrowserIT drives it
# headless), openssl (MosquittoTlsIT makes its certificates), Node.js 18+ with npm (NodeClientsIT and the AWS
# specification check in src/test/node) and git with the full history (RollingDeployIT builds the previous release).
# Missing packages are installed with apt-get when this runs as root (or with sudo when it needs no password);
# otherwise the script names them and stops before anything runs.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
need() { # need <path or command> <Debian package>
  if [[ "$1" == /* ]]; then [ -x "$1" ] || missing+=("$2"); else command -v "$1" >/dev/null 2>&1 || missing+=("$2"); fi
}

skip_its=false
for arg in "$@"; do
  case "$arg" in -DskipITs | -DskipITs=true | -DskipTests | -DskipTests=true) skip_its=true ;; esac
done

if [ "$skip_its" = false ]; then
  need /usr/sbin/mosquitto mosquitto
  need /usr/bin/chromium chromium
  need /usr/bin/openssl openssl
  need node nodejs
  need npm npm
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    echo "The integration tests need Debian packages that are not installed: ${missing[*]}" >&2
    echo "Install them as root:  apt-get install -y ${missing[*]}" >&2
    echo "or run only the unit and API tests:  ./test.sh -DskipITs" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} (needed by the integration tests)"
  export DEBIAN_FRONTEND=noninteractive
  ${as_root[@]+"${as_root[@]}"} apt-get update
  ${as_root[@]+"${as_root[@]}"} apt-get install -y "${missing[@]}"
fi

if [ "$skip_its" = false ] && [ "$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)" = true ]; then
  # Not fatal: RollingDeployIT skips itself with this reason, and everything else still runs.
  echo "This clone is shallow, so RollingDeployIT (it builds the previous release from the history) will be skipped." >&2
  echo "For the full suite run: git fetch --unshallow" >&2
fi

JAVA_HOME=$(.ci/find-jdk)
export JAVA_HOME
echo "Using JDK at $JAVA_HOME"
exec ./mvnw -B verify "$@"
