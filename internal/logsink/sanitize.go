package logsink

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// maxValue bounds one logged string, in input bytes.
const maxValue = 512

// Sanitized wraps h so that the message and every string (and anything
// else that is written as text: errors, Stringers) go through
// sanitize.EscapeLimit before h sees them. Call sites already escape what
// they know is untrusted; this makes a forgotten one harmless too: no
// log line can carry an escape sequence, a control character or more
// than a bounded amount of any one value.
func Sanitized(h slog.Handler) slog.Handler { return sanitized{h} }

type sanitized struct{ h slog.Handler }

func (s sanitized) Enabled(ctx context.Context, l slog.Level) bool { return s.h.Enabled(ctx, l) }

func (s sanitized) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, sanitize.EscapeLimit(r.Message, maxValue), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(clean(a))
		return true
	})
	return s.h.Handle(ctx, out)
}

func (s sanitized) WithAttrs(as []slog.Attr) slog.Handler {
	c := make([]slog.Attr, len(as))
	for i, a := range as {
		c[i] = clean(a)
	}
	return sanitized{s.h.WithAttrs(c)}
}

func (s sanitized) WithGroup(name string) slog.Handler {
	return sanitized{s.h.WithGroup(sanitize.EscapeLimit(name, maxValue))}
}

func clean(a slog.Attr) slog.Attr {
	a.Key = sanitize.EscapeLimit(a.Key, maxValue)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(sanitize.EscapeLimit(v.String(), maxValue))
	case slog.KindGroup:
		g := v.Group()
		c := make([]slog.Attr, len(g))
		for i, x := range g {
			c[i] = clean(x)
		}
		a.Value = slog.GroupValue(c...)
	case slog.KindAny:
		a.Value = slog.StringValue(sanitize.EscapeLimit(fmt.Sprint(v.Any()), maxValue))
	default:
		a.Value = v
	}
	return a
}
