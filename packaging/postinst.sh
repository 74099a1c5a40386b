#!/bin/sh
# doorcheck postinst: the doorcheck system user (in dialout, for serial
# scanners), its directories, udev and systemd reloaded. Nothing is
# started: a kiosk is provisioned first (doorcheck provision --scan).
set -e
if ! getent passwd doorcheck >/dev/null; then
	adduser --system --group --home /var/lib/doorcheck --no-create-home \
		--shell /usr/sbin/nologin --gecos "doorcheck kiosk" doorcheck
fi
if getent group dialout >/dev/null; then
	adduser doorcheck dialout >/dev/null
fi
chown doorcheck:doorcheck /var/lib/doorcheck
chmod 0750 /var/lib/doorcheck
chown root:doorcheck /etc/doorcheck
chmod 0750 /etc/doorcheck
if command -v udevadm >/dev/null 2>&1; then
	udevadm control --reload >/dev/null 2>&1 || true
	udevadm trigger --subsystem-match=tty >/dev/null 2>&1 || true
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
