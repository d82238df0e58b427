#!/usr/bin/env bash
# Starts the Tandem server on its embedded defaults and opens the rep console
# signed in to it. Called by `make run` after the build.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=bin
data=${TANDEM_DATA:-data}
addr=${TANDEM_ADDR:-127.0.0.1:8443}
turn=${TANDEM_TURN_ADDR:-127.0.0.1:3478}
url="https://${addr}"
mkdir -p "$data"
# The server's output goes to the terminal and, for this run only, to a
# private file the script reads the first admin's password from; the
# password is never kept on disk after the run.
log=$(mktemp)
chmod 600 "$log"
# Fyne cannot parse the C locale; English is what C means to people.
case "${LANG:-C}" in C | C.* | POSIX) export LANG=en_US.UTF-8 ;; esac

fingerprint=$("$bin/tandem-server" -data "$data" -print-fingerprint)

"$bin/tandem-server" -addr "$addr" -turn-addr "$turn" -data "$data" > >(tee "$log") 2>&1 &
server=$!
rep=""
cleanup() {
	[ -n "$rep" ] && kill "$rep" 2>/dev/null || true
	kill "$server" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -f "$log"
}
trap cleanup EXIT INT TERM

for _ in $(seq 100); do
	curl -ksf --max-time 1 "$url/healthz" >/dev/null 2>&1 && break
	kill -0 "$server" 2>/dev/null || { echo "run: the server exited; its output is above" >&2; exit 1; }
	sleep 0.1
done

# On the first run the server prints the generated admin password once; take
# it from its output so the console can sign in without typing.
password=${TANDEM_ADMIN_PASSWORD:-}
if [ -z "$password" ]; then
	password=$(sed -n 's/^First admin account: admin \/ //p' "$log" | tail -n 1)
fi

cat <<TXT

Tandem is running.
  Server and portal: $url   (certificate fingerprint $fingerprint)
  TURN relay:        udp://$turn
  Data directory:    $data
To join as a customer, generate a session key in the console, then run:
  $bin/tandem-customer -join '<the key URL the console shows>'
Press Ctrl-C to stop.

TXT

if [ -z "$password" ]; then
	echo "run: not the first run, so the console asks for the admin password (printed on the first run)." >&2
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
	TANDEM_PASSWORD="$password" "$bin/tandem-rep" -server "$url" -user admin -fingerprint "$fingerprint" &
	rep=$!
else
	echo "run: no display (DISPLAY is not set), so the rep console cannot open; the server keeps running." >&2
fi
wait "$server"
