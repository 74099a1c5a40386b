#!/bin/sh
# doorcheck prerm: stop the services when the package is removed (not on
# an upgrade: postinst restarts them on the new binaries). The store in
# /var/lib/doorcheck and the config in /etc/doorcheck are never removed,
# not even on purge: they hold unsent visits and the kiosk's identity.
# No running systemd (a chroot): nothing to stop. DPKG_ROOT: see postinst.
set -e
root=${DPKG_ROOT:-}
if [ "$1" = remove ] && [ -d "$root/run/systemd/system" ]; then
	systemctl stop doorcheck.service doorcheck-headless.service doorcheck-hub.service >/dev/null 2>&1 || true
fi
exit 0
