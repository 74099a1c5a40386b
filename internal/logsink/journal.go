package logsink

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// JournalSocket is journald's native socket.
const JournalSocket = "/run/systemd/journal/socket"

// Journal is a slog.Handler that sends each record to journald as one
// datagram: MESSAGE is the record in slog's text form (without the time,
// which the journal keeps), PRIORITY its level, SYSLOG_IDENTIFIER the
// given name. A record the journal does not take (journald restarting)
// is dropped: a log must never block a decision.
type Journal struct {
	inner slog.Handler
	s     *journalConn
}

type journalConn struct {
	ident string
	mu    sync.Mutex
	buf   bytes.Buffer // inner's output of the record in hand, under mu
	conn  *net.UnixConn
}

// DialJournal connects to the journal socket at path (JournalSocket on a
// systemd machine) and returns a handler for records at level and above.
func DialJournal(path, ident string, level slog.Leveler) (*Journal, error) {
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	s := &journalConn{ident: ident, conn: c}
	inner := slog.NewTextHandler(&s.buf, &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	return &Journal{inner: inner, s: s}, nil
}

// Enabled implements slog.Handler.
func (j *Journal) Enabled(ctx context.Context, l slog.Level) bool { return j.inner.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (j *Journal) Handle(ctx context.Context, r slog.Record) error {
	j.s.mu.Lock()
	defer j.s.mu.Unlock()
	j.s.buf.Reset()
	if err := j.inner.Handle(ctx, r); err != nil {
		return err
	}
	msg := strings.TrimRight(j.s.buf.String(), "\n")
	var d bytes.Buffer
	fmt.Fprintf(&d, "PRIORITY=%d\nSYSLOG_IDENTIFIER=%s\n", priority(r.Level), j.s.ident)
	if strings.Contains(msg, "\n") {
		// The binary field form; Sanitized leaves no newline, but a
		// handler used without it still reaches the journal whole.
		d.WriteString("MESSAGE\n")
		var n [8]byte
		for i := range n {
			n[i] = byte(uint64(len(msg)) >> (8 * i))
		}
		d.Write(n[:])
		d.WriteString(msg)
		d.WriteByte('\n')
	} else {
		fmt.Fprintf(&d, "MESSAGE=%s\n", msg)
	}
	j.s.conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	j.s.conn.Write(d.Bytes())
	return nil
}

// WithAttrs implements slog.Handler.
func (j *Journal) WithAttrs(as []slog.Attr) slog.Handler {
	return &Journal{inner: j.inner.WithAttrs(as), s: j.s}
}

// WithGroup implements slog.Handler.
func (j *Journal) WithGroup(name string) slog.Handler {
	return &Journal{inner: j.inner.WithGroup(name), s: j.s}
}

// Close closes the socket.
func (j *Journal) Close() error { return j.s.conn.Close() }

// priority is syslog's severity for a slog level.
func priority(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	}
	return 7
}
