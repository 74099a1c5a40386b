package latency

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var s Sample
	for i := 1; i <= 100; i++ {
		s.Add(time.Duration(i) * time.Millisecond)
	}
	if s.Percentile(50) != 50*time.Millisecond || s.Percentile(99) != 99*time.Millisecond || s.Percentile(100) != 100*time.Millisecond {
		t.Fatalf("p50 %v p99 %v", s.Percentile(50), s.Percentile(99))
	}
	var empty Sample
	if empty.Percentile(50) != 0 {
		t.Fatal("empty sample")
	}
}

func TestRawFsync(t *testing.T) {
	s, err := RawFsync(t.TempDir(), 3)
	if err != nil || s.Len() != 3 {
		t.Fatal(s, err)
	}
}
