#!/usr/bin/env bash
# Installs the Debian packages Tandem builds, tests and runs with, only those
# missing, as root or through sudo. Then installs the pinned Go tools into ./bin.
set -euo pipefail

packages=(
	# build: cgo for Fyne (GLFW/GL), robotgo (X11, XTest), libvpx, libyuv
	gcc pkg-config libgl1-mesa-dev xorg-dev libx11-dev libxtst-dev libxext-dev
	libxfixes-dev libxdamage-dev libxrandr-dev libxinerama-dev libxcursor-dev libxi-dev
	libxkbcommon-dev libvpx-dev libyuv-dev
	# run and test: X servers, screenshots, a screen locker, a browser, fonts
	xvfb x11-utils xdotool imagemagick i3lock chromium fonts-dejavu-core openssl curl ca-certificates
	# a window manager and a session bus for the window placement and notification tests
	openbox dbus-daemon
	# elevation tests relaunch through sudo -n
	sudo
	# the service tests run a private systemd user manager (unshare is util-linux)
	systemd util-linux
	# a real SMTP server for the mail tests
	python3 python3-aiosmtpd
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}" >&2
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Pinned Go tools, built into ./bin so that nothing outside the tree changes.
bin="$(cd "$(dirname "$0")/.." && pwd)/bin"
mkdir -p "$bin"
if [ ! -x "$bin/staticcheck" ]; then
	echo "deps: installing staticcheck" >&2
	GOBIN="$bin" go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
