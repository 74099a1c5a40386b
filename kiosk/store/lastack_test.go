package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestLastAckDurable: the time of the last acknowledgement is zero
// before any, set by Ack (not by an empty one) and still there after the
// store is closed and opened again — doctor reads it from a stopped
// kiosk's store.
func TestLastAckDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	s, err := Open(path, Options{Create: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if at, err := s.LastAck(); err != nil || !at.IsZero() {
		t.Fatalf("fresh store: LastAck %v, %v", at, err)
	}
	v := visit(t, now, "entry", VerdictAdmit, 1)
	if _, err := s.Record(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := s.Ack(v.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := s.Ack(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	if at, err := s.LastAck(); err != nil || !at.Equal(want) {
		t.Fatalf("after reopening: LastAck %v, %v; want %v", at, err, want)
	}
}
