package hub

import (
	"context"
	"sync"
	"time"
)

// contactFlushEvery is how often buffered kiosk contacts are written.
const contactFlushEvery = 5 * time.Second

// contactBuffer collects the latest contact of each kiosk in memory and
// writes them in one RecordContacts batch at most every contactFlushEvery,
// so 20,000 kiosks polling do not cost a durable write each. Losing the
// buffer in a crash only ages "last contact" by seconds.
type contactBuffer struct {
	mu      sync.Mutex
	pending map[string]Contact
	flushed time.Time
}

// add records c, merging with what is pending for the kiosk: the newer
// contact wins, and what it does not know (a manifest poll reports no
// backlog) is taken from the older one.
func (b *contactBuffer) add(c Contact) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == nil {
		b.pending = make(map[string]Contact)
	}
	if old, ok := b.pending[c.Kiosk]; ok {
		newer, older := c, old
		if old.At.After(c.At) {
			newer, older = old, c
		}
		if newer.SnapshotVersion == 0 {
			newer.SnapshotVersion = older.SnapshotVersion
		}
		if !newer.HasBacklog {
			newer.Backlog, newer.HasBacklog = older.Backlog, older.HasBacklog
		}
		c = newer
	}
	b.pending[c.Kiosk] = c
}

// take returns the pending contacts when due (or when force), emptying the
// buffer.
func (b *contactBuffer) take(now time.Time, force bool) []Contact {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 || (!force && now.Sub(b.flushed) < contactFlushEvery) {
		return nil
	}
	out := make([]Contact, 0, len(b.pending))
	for _, c := range b.pending {
		out = append(out, c)
	}
	clear(b.pending)
	b.flushed = now
	return out
}

// noteContact buffers a kiosk's contact and writes the buffer when due.
func (s *Server) noteContact(ctx context.Context, c Contact) {
	s.contacts.add(c)
	s.flushContacts(ctx, false)
}

func (s *Server) flushContacts(ctx context.Context, force bool) {
	batch := s.contacts.take(s.opts.Now(), force)
	if len(batch) == 0 {
		return
	}
	if err := s.opts.Storage.RecordContacts(ctx, batch); err != nil {
		s.opts.Logger.Warn("record kiosk contacts", "kiosks", len(batch), "error", err.Error())
	}
}

// Close writes the contacts still buffered. Call it after the HTTP server
// has shut down.
func (s *Server) Close(ctx context.Context) { s.flushContacts(ctx, true) }
