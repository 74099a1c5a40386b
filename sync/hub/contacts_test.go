package hub

import (
	"testing"
	"time"
)

func TestContactBufferMergesAndBatches(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	var b contactBuffer
	b.flushed = t0
	b.add(Contact{Kiosk: "k-a", At: t0.Add(time.Second), SnapshotVersion: 4, Backlog: 9, HasBacklog: true})
	b.add(Contact{Kiosk: "k-a", At: t0.Add(2 * time.Second)}) // a poll: knows neither
	b.add(Contact{Kiosk: "k-b", At: t0.Add(3 * time.Second), SnapshotVersion: 2})
	b.add(Contact{Kiosk: "k-b", At: t0.Add(time.Second), SnapshotVersion: 3}) // late arrival, older time
	if got := b.take(t0.Add(contactFlushEvery-time.Millisecond), false); got != nil {
		t.Fatalf("flushed before due: %v", got)
	}
	got := b.take(t0.Add(contactFlushEvery), false)
	if len(got) != 2 {
		t.Fatalf("batch %v", got)
	}
	by := map[string]Contact{}
	for _, c := range got {
		by[c.Kiosk] = c
	}
	if a := by["k-a"]; !a.At.Equal(t0.Add(2*time.Second)) || a.SnapshotVersion != 4 || !a.HasBacklog || a.Backlog != 9 {
		t.Errorf("k-a merged to %+v", a)
	}
	if b := by["k-b"]; !b.At.Equal(t0.Add(3*time.Second)) || b.SnapshotVersion != 2 {
		t.Errorf("k-b merged to %+v", b)
	}
	if got := b.take(t0.Add(time.Hour), true); got != nil {
		t.Fatalf("buffer not emptied: %v", got)
	}
	b.add(Contact{Kiosk: "k-c", At: t0})
	if got := b.take(t0.Add(contactFlushEvery+time.Second), true); len(got) != 1 {
		t.Fatalf("forced flush: %v", got)
	}
}
