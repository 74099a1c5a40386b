package tui

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/layout"
	"github.com/doorcheck/doorcheck/scanner/wedge"
	"github.com/doorcheck/doorcheck/sync/pass"
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
// frame read back off it, through the real Bubble Tea program, the
// wedge assembler, the kiosk's run loop and a durable store (fsync per
// visit). Reports p50 and p99 over b.N scans (-benchtime=300x).
func BenchmarkVerdictFrame(b *testing.B) {
	ptm, pts, err := pty.Open()
	if err != nil {
		b.Skip(err)
	}
	defer ptm.Close()
	pty.Setsize(ptm, &pty.Winsize{Rows: 24, Cols: 80})
	c := openChecker(b, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	scans := make(chan scanner.Scan, 16)
	m := New(ctx, Options{
		Checker: c, Submit: func(s scanner.Scan) { scans <- s },
		Wedge:    wedge.Options{Valid: pass.Recognised, Layouts: []layout.Layout{layout.Russian()}},
		Location: time.UTC, Title: "cinema · north · entry", Venue: "cinema", Door: "north", Direction: "entry",
		// Long enough for the renderer (60 fps) to draw the verdict before
		// the tick takes it away; short, so the next scan comes soon.
		Hold: 100 * time.Millisecond,
	})
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(pts), tea.WithOutput(pts),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithoutSignals())
	go c.Run(ctx, scans, func(r kiosk.Result) { p.Send(ResultMsg(r)) })
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
	var lat []time.Duration
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
			lat = append(lat, t1.Sub(t0))
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
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}

// BenchmarkFrame200x60 is one View of each screen on a wall screen: what
// Bubble Tea pays per frame before it diffs and writes.
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
				s.m.View()
			}
		})
	}
}
