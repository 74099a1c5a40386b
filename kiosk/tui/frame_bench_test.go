package tui

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/layout"
	"github.com/doorcheck/doorcheck/scanner/wedge"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// titleWatch reads a terminal's output and reports when the window title
// becomes one that starts with prefix. The title names the verdict on
// screen (view.go), and Bubble Tea writes it in the same frame as the
// verdict, so its arrival is the verdict frame's.
type titleWatch struct {
	mu   sync.Mutex
	tail []byte
	subs []titleSub
}

type titleSub struct {
	after, want []byte // want, after after when after is set
	ch          chan time.Time
}

func (s titleSub) matches(b []byte) bool {
	if s.after != nil {
		i := bytes.Index(b, s.after)
		return i >= 0 && bytes.Contains(b[i:], s.want)
	}
	return bytes.Contains(b, s.want)
}

func (w *titleWatch) Write(p []byte) (int, error) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tail = append(w.tail, p...)
	w.subs = slices.DeleteFunc(w.subs, func(s titleSub) bool {
		if s.matches(w.tail) {
			s.ch <- now
			return true
		}
		return false
	})
	if len(w.subs) == 0 {
		w.tail = w.tail[:0]
	}
	return len(p), nil
}

// await returns a channel that gets the time the title starts with s;
// with after, the first time it does after a title starting with after.
// What came before is forgotten.
func (w *titleWatch) await(s string, after ...string) <-chan time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan time.Time, 1)
	sub := titleSub{want: []byte("]2;" + s), ch: ch}
	if len(after) > 0 {
		sub.after = []byte("]2;" + after[0])
	}
	if len(w.subs) == 0 {
		w.tail = w.tail[:0]
	}
	w.subs = append(w.subs, sub)
	return ch
}

// BenchmarkVerdictFrame: from the scanner's terminator (Enter after a
// burst of 12 digits) written into a pseudo-terminal to the verdict's
// frame read back off it, through the real Bubble Tea program with the
// kiosk's options (ProgramOptions), the wedge assembler, the kiosk's run
// loop and a durable store: every scan is a new visit, fsynced before its
// verdict is shown (the benchmark fails on a scan that was not recorded).
// At 80x24 and on a 200x60 wall screen. Reports p50 and p99 over b.N
// scans (-benchtime=200x), the median of each part of the way (keys: the
// terminal to the scan handed to the run loop; check: the run loop's
// check and durable record; frame: the result to its frame on the
// terminal, which is View, Bubble Tea's wait for its next frame tick and
// the write), and a raw fdatasync on the same disk for reference.
func BenchmarkVerdictFrame(b *testing.B) {
	for _, size := range []struct{ cols, rows uint16 }{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size.cols, size.rows), func(b *testing.B) {
			benchVerdictFrame(b, size.cols, size.rows)
		})
	}
}

func benchVerdictFrame(b *testing.B, cols, rows uint16) {
	ptm, pts, err := pty.Open()
	if err != nil {
		b.Skip(err)
	}
	defer ptm.Close()
	pty.Setsize(ptm, &pty.Winsize{Rows: rows, Cols: cols})
	dir := latency.BenchDir(b)
	c := openBenchChecker(b, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	scans := make(chan scanner.Scan, 16)
	var submitted, checked atomic.Int64 // when the last scan reached the loop, and its result left it
	m := New(ctx, Options{
		Checker: c,
		Submit: func(s scanner.Scan) {
			submitted.Store(time.Now().UnixNano())
			scans <- s
		},
		Wedge:    wedge.Options{Valid: pass.Recognised, Layouts: []layout.Layout{layout.Russian()}},
		Location: time.UTC, Title: "cinema · north · entry", Venue: "cinema", Door: "north", Direction: "entry",
		// Long enough for the renderer to draw the verdict before the
		// tick takes it away; short, so the next scan comes soon.
		Hold: 40 * time.Millisecond,
	})
	p := tea.NewProgram(m, append(ProgramOptions(), tea.WithContext(ctx), tea.WithInput(pts), tea.WithOutput(pts),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithoutSignals())...)
	var unrecorded atomic.Int64
	go c.Run(ctx, scans, func(r kiosk.Result) {
		checked.Store(time.Now().UnixNano())
		if !r.Verdict.Recorded || r.Verdict.Repeat {
			unrecorded.Add(1)
		}
		p.Send(ResultMsg(r))
	})
	done := make(chan struct{})
	go func() { p.Run(); close(done) }()
	watch := &titleWatch{}
	idle := watch.await("doorcheck\a")
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := ptm.Read(buf)
			if n > 0 {
				watch.Write(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	<-idle
	time.Sleep(100 * time.Millisecond) // raw mode is on once the first frame is out
	people := demo.People()
	var lat, keys, check, frame latency.Sample
	at := func(a *atomic.Int64) time.Time { return time.Unix(0, a.Load()) }
	i := 0
	for b.Loop() {
		ptm.Write([]byte(people[i%len(people)].IIN))
		i++
		time.Sleep(3 * time.Millisecond) // the scanner's terminator, within the burst gap
		verdict := watch.await("doorcheck: ")
		idle := watch.await("doorcheck\a", "doorcheck: ")
		t0 := time.Now()
		ptm.Write([]byte("\r"))
		select {
		case t1 := <-verdict:
			lat.Add(t1.Sub(t0))
			keys.Add(at(&submitted).Sub(t0))
			check.Add(at(&checked).Sub(at(&submitted)))
			frame.Add(t1.Sub(at(&checked)))
		case <-time.After(5 * time.Second):
			b.Fatal("no verdict frame")
		}
		b.StopTimer()
		select {
		case <-idle:
		case <-time.After(5 * time.Second):
			b.Fatalf("no idle frame after scan %d (%s)", i, m.View().WindowTitle)
		}
		b.StartTimer()
	}
	cancel()
	<-done
	pts.Close()
	if n := unrecorded.Load(); n > 0 {
		b.Fatalf("%d of %d scans were not recorded as new visits", n, i)
	}
	raw, err := latency.RawFsync(dir, 50)
	if err != nil {
		b.Fatal(err)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat.Percentile(50)), "p50-ms")
	b.ReportMetric(ms(lat.Percentile(99)), "p99-ms")
	b.ReportMetric(ms(keys.Percentile(50)), "keys-p50-ms")
	b.ReportMetric(ms(check.Percentile(50)), "check-p50-ms")
	b.ReportMetric(ms(frame.Percentile(50)), "frame-p50-ms")
	b.ReportMetric(ms(raw.Percentile(50)), "fsync-p50-ms")
}

// openBenchChecker is a durable kiosk on the demo snapshot whose clock
// runs (from demoNow) and whose debounce is a millisecond, so that every
// scan of the benchmark, the same person again included, is a new visit
// with its fsync, as at a door: a stopped clock makes every repeat a
// debounced one, which records nothing.
func openBenchChecker(b *testing.B, dir string) *kiosk.Checker {
	b.Helper()
	st, err := store.Open(filepath.Join(dir, "k.db"), store.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	data, _ := demo.Snapshot(demoNow)
	r, err := wire.Open(bytes.NewReader(data), demo.HubPublicKey())
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Import(context.Background(), r, nil); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	return kiosk.New(st, kiosk.Settings{Kiosk: "k", Venue: "cinema", Door: "north",
		Rules:    policy.Rules{Admitted: policy.Standard, MaxAge: 24 * time.Hour},
		Location: time.UTC, Debounce: time.Millisecond},
		kiosk.WithClock(func() time.Time { return demoNow.Add(time.Since(start)) }))
}

// BenchmarkFrame200x60 is one View of each screen on a wall screen: what
// Bubble Tea pays per frame before it diffs and writes. The plain names
// are a changed screen, laid out anew (the memo emptied first); "-unchanged"
// is the same screen once more, as Bubble Tea asks for it after a key or
// a clock tick that changed nothing on it (memo.go).
func BenchmarkFrame200x60(b *testing.B) {
	s := newScreenTB(b)
	r := s.checkTB(b, demo.People()[4].IIN)
	for _, sc := range []struct {
		name string
		set  func()
	}{
		{"idle", func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, nil }},
		{"verdict", func() { s.m.last, s.m.page, s.m.dialog = &r, pageMain, nil }},
		{"history", func() { s.m.last, s.m.page, s.m.dialog = nil, pageHistory, nil }},
		{"stats", func() { s.m.last, s.m.page, s.m.dialog = nil, pageStats, nil }},
		{"help", func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, newHelpDialog(s.m) }},
	} {
		b.Run(sc.name, func(b *testing.B) {
			sc.set()
			s.m.width, s.m.height = 200, 60
			for b.Loop() {
				s.m.memo.reset()
				s.m.View()
			}
		})
		b.Run(sc.name+"-unchanged", func(b *testing.B) {
			sc.set()
			s.m.width, s.m.height = 200, 60
			s.m.View()
			for b.Loop() {
				s.m.View()
			}
		})
	}
}
