package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/client"
)

// defaultDrainTimeout bounds the upload `provision --force` tries before
// switching identity: long enough for a large backlog on a working link,
// short enough that an offline kiosk hears "not now" within a minute.
const defaultDrainTimeout = time.Minute

// drainAttempts is how often each upload batch is tried within the
// timeout before provision gives up and refuses.
const drainAttempts = 4

// drainUnsent uploads the old identity's unsent visits through the sync
// client — the same path as `doorcheck sync` — and returns nil only when
// the outbox is empty. The new identity cannot send them: the hub takes a
// kiosk's visits only for its own venue and door, and the visits carry
// the old ones. So a hub that cannot be reached, a revoked kiosk or
// refused visits all end in a refusal with the count, and nothing is
// dropped; there is deliberately no flag that discards.
func drainUnsent(ctx context.Context, e *env, cfgPath string, old *config.Config, timeout time.Duration) error {
	if !fileExists(old.Store.Path) {
		return nil
	}
	k, err := openKioskFor(ctx, e, kioskFlags{config: cfgPath}, false, storeUse)
	if err != nil {
		return fmt.Errorf("open the current store to upload its unsent visits: %w", err)
	}
	defer k.Close()
	n, err := k.store.PendingCount()
	if err != nil {
		return fmt.Errorf("count unsent visits: %w", err)
	}
	if n == 0 {
		return nil
	}
	refuse := func(why string) error {
		left, err := k.store.PendingCount()
		if err != nil {
			left = n
		}
		return fmt.Errorf("%d visits are not yet uploaded (%s): nothing was changed; run `doorcheck sync --once` when the hub is reachable, then provision again (--force never discards unsent visits, and no option does)", left, why)
	}
	if old.Hub.URL == "" {
		return refuse("this kiosk has no hub to upload them to")
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cl, err := newSyncClient(e, k, log)
	if err != nil {
		return refuse("the old identity cannot sync: " + sanitize.Escape(err.Error()))
	}
	fmt.Fprintf(e.stdout, "uploading %d unsent visits as kiosk %s before switching identity\n", n, sanitize.Escape(old.Kiosk.ID))
	uctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	up, err := cl.Upload(uctx, drainAttempts)
	switch {
	case errors.Is(err, client.ErrRevoked):
		return refuse("the hub revoked this kiosk; ask the hub operator")
	case err != nil && uctx.Err() != nil && ctx.Err() == nil:
		return refuse(fmt.Sprintf("the hub at %s did not take them within %s", sanitize.Escape(old.Hub.URL), timeout))
	case err != nil:
		return refuse(fmt.Sprintf("the hub at %s cannot be reached: %s", sanitize.Escape(old.Hub.URL), sanitize.Escape(err.Error())))
	}
	if left, err := k.store.PendingCount(); err != nil || left > 0 {
		return refuse(fmt.Sprintf("the hub refused %d of them", up.Refused))
	}
	fmt.Fprintf(e.stdout, "uploaded: %d new, %d duplicate; the outbox is empty\n", up.New, up.Duplicate)
	return nil
}
