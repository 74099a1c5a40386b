package tui

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/adminpin"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// lockChecker is the core as the lock tests need it: it counts undos and
// overrides instead of recording them.
type lockChecker struct {
	undos     int
	overrides []kiosk.OverrideReason
	overErr   error
}

func (c *lockChecker) Undo(context.Context) (kiosk.Verdict, error) {
	c.undos++
	return kiosk.Verdict{Decision: kiosk.Undone, Recorded: true}, nil
}

func (c *lockChecker) Stats(context.Context) (kiosk.Stats, error) { return kiosk.Stats{}, nil }

func (c *lockChecker) Override(_ context.Context, denied kiosk.Verdict, why kiosk.OverrideReason) (kiosk.Verdict, error) {
	if c.overErr != nil {
		return kiosk.Verdict{}, c.overErr
	}
	c.overrides = append(c.overrides, why)
	v := denied
	v.Decision, v.VisitID = kiosk.Override, "override-1"
	return v, nil
}

// lockRig is a screen with a hand-moved clock: keys typed one per step
// are a person typing, keys sent at one instant a scanner's burst.
type lockRig struct {
	t     *testing.T
	m     *Model
	c     *lockChecker
	now   time.Time
	scans []scanner.Scan
	quit  bool
}

const rigPIN = "2580"

func newLockRig(t *testing.T, pin bool, demo bool) *lockRig {
	r := &lockRig{t: t, c: &lockChecker{}, now: demoNow}
	lock := LockOptions{
		Languages:       []catalog.Lang{catalog.EN},
		OverrideReasons: []kiosk.OverrideReason{"paper_test", "staff", "emergency_services"},
		Override:        r.c.Override,
		SetPINCommand:   "doorcheck admin-pin --config /etc/doorcheck/kiosk.yaml",
	}
	if pin {
		enc, err := adminpin.Hash(rigPIN, adminpin.Params{Memory: 64, Time: 1, Threads: 1}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := adminpin.Parse(enc)
		lock.PIN = &h
	}
	r.m = New(context.Background(), Options{
		Checker: r.c, Submit: func(s scanner.Scan) { r.scans = append(r.scans, s) },
		Now: func() time.Time { return r.now }, Location: time.UTC, Demo: demo, Lock: lock,
	})
	r.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return r
}

// send delivers msg and runs the commands it returns, as the program
// would, feeding their messages back.
func (r *lockRig) send(msg tea.Msg) {
	r.t.Helper()
	_, cmd := r.m.Update(msg)
	r.run(cmd)
}

func (r *lockRig) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			r.run(c)
		}
	case tea.QuitMsg:
		r.quit = true
	case tickMsg, statsMsg, hourlyMsg:
		// the clock and counters are not these tests' business
	default:
		r.send(msg)
	}
}

// typeSlowly types s as a person does, then Enter.
func (r *lockRig) typeSlowly(s string) {
	for _, c := range s {
		r.now = r.now.Add(300 * time.Millisecond)
		r.send(tea.KeyPressMsg{Code: c, Text: string(c)})
	}
	r.now = r.now.Add(300 * time.Millisecond)
	r.send(tea.KeyPressMsg{Code: tea.KeyEnter})
}

// burst types s as a scanner does: every key at one instant, then Enter.
func (r *lockRig) burst(s string) {
	r.now = r.now.Add(time.Second)
	for _, c := range s {
		r.send(tea.KeyPressMsg{Code: c, Text: string(c)})
	}
	r.send(tea.KeyPressMsg{Code: tea.KeyEnter})
	r.now = r.now.Add(time.Second)
	r.send(tickMsg(r.now))
}

func (r *lockRig) key(code rune, mod tea.KeyMod) { r.send(tea.KeyPressMsg{Code: code, Mod: mod}) }

func (r *lockRig) screen() string { return ansi.Strip(r.m.View().Content) }

func (r *lockRig) verdict(v kiosk.Verdict) {
	r.send(ResultMsg(kiosk.Result{Source: "wedge", Verdict: v}))
}

var (
	greenAdmit = kiosk.Verdict{At: demoNow, Decision: kiosk.Admit, HasStatus: true, Status: wire.Green, IINLast4: "0003", Recorded: true, VisitID: "a"}
	redDeny    = kiosk.Verdict{At: demoNow, Decision: kiosk.Deny, HasStatus: true, Status: wire.Red, IINLast4: "0002", Recorded: true, VisitID: "d",
		Reasons: []reason.Code{reason.Isolation}}
)

// TestPINRightWrongLocked: quitting needs the PIN; each wrong PIN says
// how many tries are left, the fifth locks the dialog for a minute with a
// countdown in which even the right PIN does nothing; closing and
// reopening the dialog does not reset the lock; after it the right PIN
// quits. The PIN is never drawn, only dots.
func TestPINRightWrongLocked(t *testing.T) {
	r := newLockRig(t, true, false)
	r.key('q', tea.ModCtrl)
	if _, ok := r.m.dialog.(*pinDialog); !ok || r.quit {
		t.Fatalf("Ctrl+Q: dialog %T, quit %v", r.m.dialog, r.quit)
	}
	if s := r.screen(); !strings.Contains(s, "ADMIN PIN") || !strings.Contains(s, "quit the kiosk") {
		t.Fatalf("PIN dialog:\n%s", s)
	}
	for i := 1; i <= 4; i++ {
		r.typeSlowly("1111")
		if s := r.screen(); !strings.Contains(s, "Wrong PIN: "+string(rune('0'+5-i))+" tries left") || strings.Contains(s, "1111") {
			t.Fatalf("wrong PIN %d:\n%s", i, s)
		}
	}
	r.typeSlowly("9999")
	if s := r.screen(); !strings.Contains(s, "Try again in 60 s") {
		t.Fatalf("fifth wrong PIN: not locked:\n%s", s)
	}
	r.typeSlowly(rigPIN)
	if r.quit {
		t.Fatal("the right PIN opened a locked dialog")
	}
	r.now = r.now.Add(25 * time.Second)
	if s := r.screen(); !strings.Contains(s, "Try again in 34 s") {
		t.Fatalf("countdown after 25 s (and 1.5 s typing, rounded up):\n%s", s)
	}
	r.key(0, 0) // nothing
	r.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	if r.m.dialog != nil {
		t.Fatal("Esc left the dialog open")
	}
	r.key('q', tea.ModCtrl)
	if s := r.screen(); !strings.Contains(s, "Try again in") {
		t.Fatalf("reopened: the lock was reset:\n%s", s)
	}
	r.now = r.now.Add(pinLockout)
	for _, c := range "123" { // dots while typing, never digits
		r.now = r.now.Add(300 * time.Millisecond)
		r.send(tea.KeyPressMsg{Code: c, Text: string(c)})
	}
	if s := r.screen(); strings.Contains(s, "123") || !strings.Contains(s, "●●●·") {
		t.Fatalf("typing the PIN:\n%s", s)
	}
	r.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	r.key('q', tea.ModCtrl)
	r.typeSlowly(rigPIN)
	if !r.quit {
		t.Fatal("the right PIN did not quit")
	}
}

// TestLockedKeysNeedPIN: quit, undo and override all ask for the PIN
// first; Ctrl+C does nothing and says nothing.
func TestLockedKeysNeedPIN(t *testing.T) {
	r := newLockRig(t, true, false)
	r.verdict(redDeny)
	before := r.screen()
	r.key('c', tea.ModCtrl)
	if r.m.dialog != nil || r.quit || r.screen() != before {
		t.Fatal("Ctrl+C did something")
	}
	for _, k := range []tea.KeyPressMsg{{Code: 'q', Mod: tea.ModCtrl}, {Code: tea.KeyF8}, {Code: 'z', Mod: tea.ModCtrl}, {Code: tea.KeyF6}} {
		r.send(k)
		d, ok := r.m.dialog.(*pinDialog)
		if !ok {
			t.Fatalf("%s opened %T, want the PIN dialog", k, r.m.dialog)
		}
		_ = d
		r.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	}
	if r.c.undos != 0 || len(r.c.overrides) != 0 || r.quit {
		t.Fatalf("something happened without the PIN: undos %d overrides %v quit %v", r.c.undos, r.c.overrides, r.quit)
	}
}

// TestNoPINAndDemoSayHowToUnlock: with no PIN the idle screen says how to
// set one and the keys work unlocked; a demo kiosk shows its demo PIN,
// which quits it; with a PIN set, the screen says nothing of quitting.
func TestNoPINAndDemoSayHowToUnlock(t *testing.T) {
	r := newLockRig(t, false, false)
	if s := r.screen(); !strings.Contains(s, "No admin PIN is set") || !strings.Contains(s, "doorcheck admin-pin --config /etc/doorcheck/kiosk.yaml") || strings.Contains(s, "Set one with") {
		t.Fatalf("no PIN, idle:\n%s", s)
	}
	r.key('q', tea.ModCtrl)
	if !r.quit {
		t.Fatal("no PIN set: Ctrl+Q did not quit")
	}

	d := newLockRig(t, false, true)
	if s := d.screen(); !strings.Contains(s, "Demo admin PIN: "+adminpin.DemoPIN) {
		t.Fatalf("demo idle:\n%s", s)
	}
	d.key('q', tea.ModCtrl)
	if _, ok := d.m.dialog.(*pinDialog); !ok {
		t.Fatal("demo: Ctrl+Q asked for no PIN")
	}
	d.typeSlowly(adminpin.DemoPIN)
	if !d.quit {
		t.Fatal("the demo PIN did not quit the demo")
	}

	p := newLockRig(t, true, false)
	s := strings.ToLower(p.screen())
	for _, no := range []string{"pin", "quit", "ctrl+q", "admin-pin"} {
		if strings.Contains(s, no) {
			t.Errorf("a locked kiosk's idle screen says %q:\n%s", no, s)
		}
	}
}

// TestUndoConfirm: after the PIN, undo shows what it undoes; Esc cancels
// it and undoes nothing; the undo key again confirms, once.
func TestUndoConfirm(t *testing.T) {
	r := newLockRig(t, true, false)
	r.verdict(greenAdmit)
	r.key(tea.KeyF8, 0)
	r.typeSlowly(rigPIN)
	if _, ok := r.m.dialog.(*confirmUndo); !ok {
		t.Fatalf("after the PIN: %T", r.m.dialog)
	}
	if s := r.screen(); !strings.Contains(s, "UNDO THE LAST DECISION?") || !strings.Contains(s, "ENTER · GREEN · 10:00:00 · …0003") {
		t.Fatalf("confirm dialog:\n%s", s)
	}
	r.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	if r.m.dialog != nil || r.c.undos != 0 {
		t.Fatalf("Esc: dialog %T, undos %d", r.m.dialog, r.c.undos)
	}
	r.key('z', tea.ModCtrl)
	r.typeSlowly(rigPIN)
	r.typeSlowly("") // Enter answers nothing
	if r.c.undos != 0 {
		t.Fatal("Enter confirmed the undo")
	}
	r.key('z', tea.ModCtrl)
	if r.c.undos != 1 || r.m.dialog != nil {
		t.Fatalf("confirm: undos %d, dialog %T", r.c.undos, r.m.dialog)
	}
	if r.m.last == nil || r.m.last.Verdict.Decision != kiosk.Undone {
		t.Fatal("the undo's verdict is not on screen")
	}
}

// TestScanWhileLockDialogOpen: a scanner's burst with a dialog open goes to
// the checker and never into the dialog; its verdict closes the undo
// confirmation and the override dialog (what they act on changed) but
// leaves the PIN dialog open.
func TestScanWhileLockDialogOpen(t *testing.T) {
	const iin = "900101400003"
	r := newLockRig(t, true, false)
	r.verdict(greenAdmit)
	r.key(tea.KeyF8, 0)
	r.burst(iin)
	if len(r.scans) != 1 || r.scans[0].Payload != iin {
		t.Fatalf("scans %v", r.scans)
	}
	if d, ok := r.m.dialog.(*pinDialog); !ok || d.typed != 0 || d.wrong {
		t.Fatalf("the burst reached the PIN dialog: %T %+v", r.m.dialog, r.m.dialog)
	}
	r.verdict(redDeny)
	if _, ok := r.m.dialog.(*pinDialog); !ok {
		t.Fatalf("a verdict closed the PIN dialog: %T", r.m.dialog)
	}
	r.typeSlowly(rigPIN)
	if _, ok := r.m.dialog.(*confirmUndo); !ok {
		t.Fatalf("after the PIN: %T", r.m.dialog)
	}
	if !strings.Contains(r.screen(), "STOP · RED") {
		t.Fatalf("the confirmation does not show the newest decision:\n%s", r.screen())
	}
	r.burst(iin)
	r.verdict(greenAdmit)
	if r.m.dialog != nil || r.c.undos != 0 {
		t.Fatalf("a new verdict left the confirmation open (%T) or undid (%d)", r.m.dialog, r.c.undos)
	}
	r.verdict(redDeny)
	r.key(tea.KeyF6, 0)
	r.typeSlowly(rigPIN)
	if _, ok := r.m.dialog.(*overrideDialog); !ok {
		t.Fatalf("override after PIN: %T", r.m.dialog)
	}
	r.burst(iin)
	r.verdict(greenAdmit)
	if r.m.dialog != nil || len(r.c.overrides) != 0 {
		t.Fatalf("a new verdict left the override open (%T) or overrode (%v)", r.m.dialog, r.c.overrides)
	}
}

// TestOverrideDialog: after a deny, F6 and the PIN list the configured
// reasons; a number and Enter admit the visitor anyway through the core;
// its verdict and history say so. Not after an admit; a refusal is a
// notice and admits nobody.
func TestOverrideDialog(t *testing.T) {
	r := newLockRig(t, true, false)
	r.verdict(greenAdmit)
	r.key(tea.KeyF6, 0)
	if r.m.dialog != nil || !strings.Contains(r.m.notice, "Only a denied visitor") {
		t.Fatalf("override after an admit: dialog %T notice %q", r.m.dialog, r.m.notice)
	}
	r.verdict(redDeny)
	r.key(tea.KeyF6, 0)
	r.typeSlowly(rigPIN)
	s := r.screen()
	for _, want := range []string{"ADMIT ANYWAY?", "Denied: RED · in isolation · …0002", "1  paper test certificate", "2  staff", "3  emergency services"} {
		if !strings.Contains(s, want) {
			t.Fatalf("override dialog lacks %q:\n%s", want, s)
		}
	}
	r.typeSlowly("7") // no such reason
	if _, ok := r.m.dialog.(*overrideDialog); !ok || len(r.c.overrides) != 0 {
		t.Fatal("reason 7 of 3 was taken")
	}
	r.typeSlowly("2")
	if len(r.c.overrides) != 1 || r.c.overrides[0] != "staff" || r.m.dialog != nil {
		t.Fatalf("overrides %v dialog %T", r.c.overrides, r.m.dialog)
	}
	if r.m.last == nil || r.m.last.Verdict.Decision != kiosk.Override || decisionKey(r.m.last.Verdict) != catalog.OverrideAdmitted {
		t.Fatalf("override verdict:\n%s", r.screen())
	}
	if !r.m.history[0].override {
		t.Error("history does not mark the override")
	}

	f := newLockRig(t, true, false)
	f.c.overErr = kiosk.ErrNotOverridable
	f.verdict(redDeny)
	f.key(tea.KeyF6, 0)
	f.typeSlowly(rigPIN)
	f.typeSlowly("1")
	if f.m.last.Verdict.Decision != kiosk.Deny || !strings.Contains(f.m.notice, "Only a denied visitor") {
		t.Fatalf("refused override: last %s notice %q", f.m.last.Verdict.Decision, f.m.notice)
	}
	f.c.overErr = errors.New("disk full")
	f.key(tea.KeyF6, 0)
	f.typeSlowly(rigPIN)
	f.typeSlowly("1")
	if !strings.Contains(f.m.notice, "NOT recorded") {
		t.Fatalf("failed override: notice %q", f.m.notice)
	}
}

// TestHelpNeverSaysHowToQuitALockedKiosk: F1 is for anyone at the door;
// with the admin's PIN set it lists no quit key. The demo, which shows
// its PIN anyway, and an unlocked kiosk do list it.
func TestHelpNeverSaysHowToQuitALockedKiosk(t *testing.T) {
	for _, tt := range []struct {
		name      string
		pin, demo bool
		wantQuit  bool
	}{
		{"admin PIN", true, false, false},
		{"no PIN", false, false, true},
		{"demo", false, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newLockRig(t, tt.pin, tt.demo)
			r.send(tea.KeyPressMsg{Code: tea.KeyF1})
			s := r.screen()
			if !strings.Contains(s, "digits + Enter") {
				t.Fatalf("help is not shown:\n%s", s)
			}
			if got := strings.Contains(s, "Ctrl+Q"); got != tt.wantQuit {
				t.Errorf("help lists Ctrl+Q: %v, want %v\n%s", got, tt.wantQuit, s)
			}
		})
	}
}
