#!/bin/sh
# doorcheck postinst: the doorcheck system user (in dialout, for serial
# scanners) and its directories; udev and systemd reloaded; on an upgrade,
# the services that were running restarted on the new binaries. Nothing is
# enabled or started on a first install: a kiosk is provisioned first
# (sudo -u doorcheck doorcheck provision --scan), then enabled by hand.
#
# Every step is idempotent (upgrade, reinstall, a configure that failed
# half-way), and nothing needs a running systemd or udev (a chroot, an
# image build). DPKG_ROOT, empty on a normal install, prefixes the paths
# this script checks and changes; the suite runs it against a scratch
# directory with stand-ins for the commands it calls.
set -e
root=${DPKG_ROOT:-}

case "$1" in
configure | abort-upgrade | abort-remove | abort-deconfigure) ;;
*) exit 0 ;;
esac

if ! getent passwd doorcheck >/dev/null; then
	adduser --system --group --home /var/lib/doorcheck --no-create-home \
		--shell /usr/sbin/nologin --gecos "doorcheck kiosk" doorcheck
fi
if getent group dialout >/dev/null; then
	adduser doorcheck dialout >/dev/null
else
	echo "doorcheck: no dialout group; a serial scanner needs a group that may open it (see /lib/udev/rules.d/99-doorcheck-scanner.rules)" >&2
fi
chown doorcheck:doorcheck "$root/var/lib/doorcheck" "$root/etc/doorcheck"
chmod 0750 "$root/var/lib/doorcheck" "$root/etc/doorcheck"

if command -v udevadm >/dev/null 2>&1 && [ -d "$root/run/udev" ]; then
	udevadm control --reload >/dev/null 2>&1 || true
	udevadm trigger --subsystem-match=tty >/dev/null 2>&1 || true
fi
if [ -d "$root/run/systemd/system" ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	# $2 is the version configured before: set on an upgrade (or a
	# reinstall), empty on a first install.
	if [ "$1" = configure ] && [ -n "${2:-}" ]; then
		systemctl try-restart doorcheck.service doorcheck-headless.service doorcheck-hub.service >/dev/null 2>&1 || true
	fi
fi
exit 0
