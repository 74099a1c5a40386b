#!/bin/sh
# doorcheck prerm: stop the services on removal. The store in
# /var/lib/doorcheck is never removed: it holds unsent visits.
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
	systemctl stop doorcheck.service doorcheck-headless.service doorcheck-hub.service >/dev/null 2>&1 || true
fi
exit 0
