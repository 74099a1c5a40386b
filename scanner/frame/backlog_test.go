package frame

import (
	"strings"
	"testing"
	"time"
)

// TestReaderAwayIsNotIdle: time the reader spends away from the line —
// blocked handing earlier results to a slow checker — is not idle time.
// The bytes that follow may have waited in the kernel's buffer all along,
// right behind the previous ones, so they continue the pending payload.
func TestReaderAwayIsNotIdle(t *testing.T) {
	ms := time.Millisecond
	for _, opt := range []Options{{}, {Terminator: LF}, {Terminator: CRLF}, {Terminator: None, Gap: 50 * ms}} {
		t.Run(opt.Terminator.String(), func(t *testing.T) {
			end := opt.Terminator.Bytes()
			f := New(opt)
			var got []Result
			got = append(got, f.Feed([]byte("FIRST"+end), t0.Add(-time.Second))...)
			got = append(got, f.Feed([]byte("90010140"), t0)...)
			// The reader was blocked for 10 s handing FIRST on; it
			// resumes, and the rest of the code is there at once.
			back := t0.Add(10 * time.Second)
			f.Resume(back)
			if rs := f.Idle(back); len(rs) != 0 {
				t.Fatalf("ended on resuming: %+v", rs)
			}
			if d, ok := f.Deadline(); !ok || !d.Equal(back.Add(f.idleLimit())) {
				t.Fatalf("deadline %v %v, want the idle limit after resuming", d, ok)
			}
			got = append(got, f.Feed([]byte("0003"+end), back.Add(ms))...)
			got = append(got, f.Idle(back.Add(time.Hour))...)
			if p := strings.Join(payloads(got), "|"); p != "FIRST|900101400003" {
				t.Fatalf("got %q", p)
			}
			if !got[1].At.Equal(back.Add(ms)) {
				t.Fatalf("stamped %v", got[1].At)
			}
		})
	}
}

// TestRealGapAfterResume: after resuming, a line that stays quiet for the
// idle limit still ends the pending payload (a scanner that sends no
// terminator), stamped with its last byte.
func TestRealGapAfterResume(t *testing.T) {
	f := New(Options{})
	f.Feed([]byte("900101400003"), t0)
	back := t0.Add(5 * time.Second)
	f.Resume(back)
	if rs := f.Idle(back.Add(199 * time.Millisecond)); len(rs) != 0 {
		t.Fatalf("ended before the idle limit after resuming: %+v", rs)
	}
	rs := f.Idle(back.Add(200 * time.Millisecond))
	if len(rs) != 1 || rs[0].Payload != "900101400003" || !rs[0].At.Equal(t0) {
		t.Fatalf("%+v", rs)
	}
}

// TestResumeWithNothingPending: a resume with nothing pending changes
// nothing; a resume older than the last byte does not shorten the gap.
func TestResumeWithNothingPending(t *testing.T) {
	f := New(Options{Terminator: None, Gap: 50 * time.Millisecond})
	f.Resume(t0)
	if _, ok := f.Deadline(); ok {
		t.Fatal("deadline with nothing pending")
	}
	f.Feed([]byte("A"), t0.Add(time.Second))
	f.Resume(t0.Add(500 * time.Millisecond)) // earlier than the byte
	if d, _ := f.Deadline(); !d.Equal(t0.Add(time.Second + 50*time.Millisecond)) {
		t.Fatalf("deadline %v", d)
	}
	if rs := f.Feed([]byte("B"), t0.Add(time.Second+60*time.Millisecond)); len(rs) != 1 || rs[0].Payload != "A" {
		t.Fatalf("a real gap after the byte must still end it: %+v", rs)
	}
}

// TestBacklogAnySplit: a backlog of terminated codes, cut into reads at
// every possible point, with the reader away for longer than the idle
// limit between each pair of reads, comes out as exactly those codes.
func TestBacklogAnySplit(t *testing.T) {
	const in = "900101400003\rDC1:ABC\r\n]Q1XYZ\r"
	for cut := 1; cut < len(in); cut++ {
		f := New(Options{})
		now := t0
		var got []Result
		for i := 0; i < len(in); i += cut {
			got = append(got, f.Feed([]byte(in[i:min(i+cut, len(in))]), now)...)
			now = now.Add(time.Minute) // handing results on took a minute
			f.Resume(now)
			got = append(got, f.Idle(now)...)
		}
		if p := strings.Join(payloads(got), "|"); p != "900101400003|DC1:ABC|XYZ" {
			t.Fatalf("reads of %d bytes: %q", cut, p)
		}
	}
}
