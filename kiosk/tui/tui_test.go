package tui

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/layout"
	"github.com/doorcheck/doorcheck/scanner/wedge"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// updateGolden reports whether -update was given (the flag is registered by
// the golden package teatest uses).
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var demoNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func newChecker(t *testing.T) *kiosk.Checker { return openChecker(t, false) }

// openChecker is newChecker for tests and benchmarks; durable fsyncs every
// visit, as a kiosk does.
func openChecker(t testing.TB, durable bool) *kiosk.Checker {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "k.db"), store.Options{Create: true, NoSync: !durable})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	data, _ := demo.Snapshot(demoNow)
	r, err := wire.Open(bytes.NewReader(data), demo.HubPublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Import(context.Background(), r, nil); err != nil {
		t.Fatal(err)
	}
	return kiosk.New(st, kiosk.Settings{Kiosk: "k", Venue: "cinema", Door: "north",
		Rules: policy.Rules{Admitted: policy.Standard, MaxAge: 24 * time.Hour}, Location: time.UTC},
		kiosk.WithClock(func() time.Time { return demoNow }))
}

// newModel returns a screen wired as the kiosk wires it: wedge scans go
// into a channel that the checker's run loop reads, and start connects the
// loop's results to a running program.
func newModel(t *testing.T) (*Model, func(tm *teatest.TestModel)) {
	h := newHarness(t, func() time.Time { return demoNow })
	return h.m, func(tm *teatest.TestModel) { h.start(tm.Send) }
}

// harness is a screen with the kiosk's run loop behind it: results go to
// the screen and, for tests to wait on, to results.
type harness struct {
	m       *Model
	c       *kiosk.Checker
	ctx     context.Context
	scans   chan scanner.Scan
	results chan kiosk.Result
}

// newHarness returns a screen whose clock is now.
func newHarness(t *testing.T, now func() time.Time) *harness {
	c := newChecker(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{c: c, ctx: ctx, scans: make(chan scanner.Scan, 16), results: make(chan kiosk.Result, 1024)}
	h.m = New(ctx, Options{
		Checker:  c,
		Submit:   func(s scanner.Scan) { h.scans <- s },
		Wedge:    wedge.Options{Valid: pass.Recognised, Layouts: []layout.Layout{layout.Russian(), layout.Kazakh()}},
		Location: time.UTC,
		Now:      now,
		Title:    "cinema · north · entry",
		Lock:     enLock(),
	})
	return h
}

// enLock is the English-only screen most tests run with: their texts are
// English. The kk and ru screens have goldens of their own.
func enLock() LockOptions { return LockOptions{Languages: []catalog.Lang{catalog.EN}} }

// english is key k in English.
func english(k catalog.Key, args ...any) string { return catalog.New(catalog.EN).Text(k, args...) }

// start runs the loop, sending each result to the screen with send.
func (h *harness) start(send func(tea.Msg)) {
	go h.c.Run(h.ctx, h.scans, func(r kiosk.Result) {
		send(ResultMsg(r))
		h.results <- r
	})
}

// typeBurst sends s as a keyboard-wedge scanner would: one key message per
// character, back to back, then Enter.
func typeBurst(tm *teatest.TestModel, s string) {
	for _, r := range s {
		tm.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
}

// waitFor waits until the screen output holds every text. Output is a
// stream that reading consumes, so all texts are awaited in one pass.
func waitFor(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, text := range texts {
			if !bytes.Contains(b, []byte(text)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func TestScanShowsVerdict(t *testing.T) {
	tests := []struct {
		payload string
		want    []string
	}{
		{demo.People()[0].IIN, []string{"ENTER", "GREEN"}},
		{demo.People()[3].IIN, []string{"STOP", "RED", "in isolation"}},
		{"ұққ\"қ\"ңққққі", []string{"ENTER", "BLUE"}}, // 900101400003 typed through the Kazakh layout
		{"\x1b]0;pwned\x07", []string{"NOT VERIFIED", "not a pass or an IIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.want[0], func(t *testing.T) {
			m, start := newModel(t)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
			start(tm)
			typeBurst(tm, tt.payload)
			waitFor(t, tm, tt.want...)
			tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
			tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
			tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		})
	}
}

// TestUndoKey: F8 asks first (confirm.go, tested in full by
// TestUndoAsksFirst) and F8 again undoes.
func TestUndoKey(t *testing.T) {
	m, start := newModel(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	start(tm)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyF8})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyF8})
	waitFor(t, tm, "Nothing to undo")
	typeBurst(tm, demo.People()[0].IIN)
	waitFor(t, tm, "ENTER")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyF8})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyF8})
	waitFor(t, tm, "UNDONE")
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestCtrlCDoesNotQuit: Ctrl+C neither quits nor tells whoever pressed it
// how to quit; the screen goes on checking scans.
func TestCtrlCDoesNotQuit(t *testing.T) {
	m, start := newModel(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	start(tm)
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	typeBurst(tm, demo.People()[0].IIN)
	var out []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		out = append(out, b...)
		return bytes.Contains(b, []byte("ENTER"))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	if bytes.Contains(out, []byte("Ctrl+Q")) || bytes.Contains(out, []byte("does not quit")) {
		t.Error("the screen told a visitor how to quit")
	}
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func hasBackground(s, code string) bool {
	return strings.Contains(s, "["+code+"m") || strings.Contains(s, ";"+code+"m") || strings.Contains(s, ";"+code+";") || strings.Contains(s, "["+code+";")
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if updateGolden() {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./kiosk/tui -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
