// Package tui is the kiosk's full-screen terminal interface: a verdict a
// guard can read from two metres, today's counters, the snapshot's health
// and the scanner's, and a manual IIN field. It renders kiosk.Verdict
// values; it never decides anything itself.
package tui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/wedge"
)

// Checker is what the screen needs of the kiosk core besides the run
// loop: undo and the read side.
type Checker interface {
	Undo(ctx context.Context) (kiosk.Verdict, error)
	Stats(ctx context.Context) (kiosk.Stats, error)
}

// Options configure the screen.
//
// The screen does not check payloads itself. Keyboard-wedge scans go to
// Submit, into the same channel the serial scanners feed; the kiosk's run
// loop (kiosk.Checker.Run, the one the headless mode uses too) checks them
// one at a time and the caller hands each result back as a ResultMsg.
type Options struct {
	Checker Checker
	// Submit queues a scan for the run loop. It must not block for long.
	Submit func(scanner.Scan)
	// Events come from serial sources; nil when there are none.
	Events <-chan scanner.Event
	// Wedge configures the keyboard-wedge assembler.
	Wedge wedge.Options
	// Hold is how long a verdict stays on screen (default 4 s).
	Hold     time.Duration
	Location *time.Location
	Now      func() time.Time
	// Title names the venue and door in the status bar. It comes from the
	// config as it is; the screen escapes it.
	Title string
	// Sync is where the status bar reads the hub link from; nil means no
	// hub is configured (kiosk.NoSyncStatus).
	Sync kiosk.SyncStatus
	// Clock reports the kiosk's clock state for the status bar (a wrong
	// or jumped clock); nil when the caller has none (tests, benchmarks).
	// kiosk.Checker.ClockState fits.
	Clock func() kiosk.ClockState
	// Demo marks a demo kiosk: the screen shows a DEMO banner and, on the
	// idle screen, Samples, the demo payloads to type or paste.
	Demo    bool
	Samples []DemoSample
	// Venue, Door and Direction are drawn large on the idle screen, as
	// configured (escaped there). Title stays the status bar's.
	Venue, Door, Direction string
	// DoorQR is what the idle screen's QR code holds, for visitors who
	// check in by phone; empty means one made from venue and door
	// (doorQR). NoDoorQR turns the code off.
	DoorQR   string
	NoDoorQR bool
	// Capacity is the venue's maximum occupancy for the stats page (0:
	// unlimited).
	Capacity int
	// Lock is the admin PIN, languages and override (lock.go).
	Lock LockOptions
	// Bell is the terminal bell per verdict (ui.bell, bell.go); nil rings
	// DefaultBells.
	Bell *Bells
	// Admin is what the settings screen shows and may change (settings.go).
	Admin AdminOptions
	// Enroll, when set, offers to set up a kiosk with no config by
	// scanning a hub enrollment code (enroll.go).
	Enroll EnrollOptions
}

// DemoSample is one demo payload listed on the idle screen of a demo
// kiosk, and what a standard entry kiosk says to it.
type DemoSample struct {
	Label, Payload, Expect string
}

// Model is the root Bubble Tea model.
type Model struct {
	opt  Options
	ctx  context.Context
	cat  *catalog.Catalog // every word, in the configured languages (text.go)
	keys keyMap
	help help.Model

	width, height int
	theme         theme // chosen by TERM when the program reports it

	keyboard *wedge.Assembler
	// manual is the manual field's text, and manualHint why it can no
	// longer be submitted, if so; both come from the assembler, which
	// lets into the field only what an IIN can hold.
	manual     string
	manualHint string
	undoing    bool

	last      *kiosk.Result // the verdict on screen, nil when idle
	lastUntil time.Time
	notice    string // one-line transient message (quit hint, undo refused…)
	noticeTil time.Time

	stats     kiosk.Stats
	statsErr  error
	clock     kiosk.ClockState // read with the stats
	sync      kiosk.SyncState  // read on every tick
	statsAt   time.Time        // when stats were last asked for on the clock
	scannerOK map[string]bool  // serial source → connected
	quitArmed time.Time

	// The router (router.go): the page shown, the pages, and the modal
	// dialog over them, nil when none.
	page   pageID
	pages  [pageCount]component
	dialog component
	// history is the last scans this screen showed, newest first.
	history []historyEntry
	hourly  hourly     // today's entries by hour, read while stats show
	qr      string     // the door's QR code drawn once, "" for none
	gate    pinGate    // wrong PINs and the lockout, across PIN dialogs (pin.go)
	memo    renderMemo // laid-out blocks by what they came from (memo.go)
	bell    bellState  // the bell pattern still ringing (bell.go)
}

// New returns the model. ctx bounds every check it starts.
func New(ctx context.Context, opt Options) *Model {
	if opt.Hold == 0 {
		opt.Hold = 4 * time.Second
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sync == nil {
		opt.Sync = kiosk.NoSyncStatus{}
	}
	m := &Model{
		opt:       opt,
		sync:      opt.Sync.SyncState(),
		ctx:       ctx,
		cat:       catalog.New(opt.Lock.Languages...),
		help:      help.New(),
		width:     80,
		height:    24,
		theme:     xtermTheme(),
		keyboard:  wedge.New(opt.Wedge),
		scannerOK: map[string]bool{},
	}
	m.keys = defaultKeys(m)
	if !opt.NoDoorQR {
		q := opt.DoorQR
		if q == "" {
			q = doorQR(opt.Venue, opt.Door)
		}
		m.qr = renderQR(q)
	}
	m.pages = [pageCount]component{
		pageMain:     mainPage{m},
		pageManual:   manualPage{m},
		pageHistory:  historyPage{m},
		pageStats:    statsPage{m},
		pageSettings: settingsPage{m},
	}
	return m
}

// ResultMsg delivers one run-loop result to the screen.
type ResultMsg kiosk.Result

// Messages the model sends itself.
type (
	eventMsg scanner.Event
	statsMsg struct {
		stats kiosk.Stats
		err   error
		clock kiosk.ClockState
	}
	tickMsg time.Time
)

const (
	tickEvery  = 25 * time.Millisecond
	statsEvery = 30 * time.Second
)

// Init starts listening to scanner health events and the clock.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.listenEvents(), m.refreshStats(), tick())
}

func tick() tea.Cmd {
	return tea.Tick(tickEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) listenEvents() tea.Cmd {
	if m.opt.Events == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case e, ok := <-m.opt.Events:
			if !ok {
				return nil
			}
			return eventMsg(e)
		case <-m.ctx.Done():
			return nil
		}
	}
}

func (m *Model) refreshStats() tea.Cmd {
	return func() tea.Msg {
		s, err := m.opt.Checker.Stats(m.ctx)
		var clock kiosk.ClockState
		if m.opt.Clock != nil {
			clock = m.opt.Clock()
		}
		return statsMsg{s, err, clock}
	}
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	now := m.opt.Now()
	if cmd, ok := m.enrollUpdate(msg); ok { // enroll.go
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// Components draw in the size they are given at View: a resize
		// is the next frame, on every page and dialog.
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil

	case tea.EnvMsg:
		m.theme = themeFor(msg.Getenv("TERM"))
		return m, nil

	case tea.KeyPressMsg:
		return m, m.routeKey(msg, now)

	case tea.PasteMsg:
		// Pasting is typing into the manual field, by the same rules.
		return m, m.onWedge(m.keyboard.Paste(msg.Content, now)...)

	case tickMsg:
		m.sync = m.opt.Sync.SyncState()
		cmds := []tea.Cmd{m.onWedge(m.keyboard.Tick(now)...), m.ringDue(now)}
		if m.last != nil && now.After(m.lastUntil) {
			m.showResult(nil)
			cmds = append(cmds, m.refreshStats())
		}
		if m.notice != "" && now.After(m.noticeTil) {
			m.notice = ""
		}
		if now.Sub(m.statsAt) >= statsEvery {
			// Data age and staleness change with no scans at all.
			m.statsAt = now
			cmds = append(cmds, m.refreshStats())
		}
		cmds = append(cmds, tick())
		return m, tea.Batch(cmds...)

	case eventMsg:
		switch msg.Kind {
		case scanner.Connected:
			m.scannerOK[msg.Source] = true
		case scanner.Disconnected:
			m.scannerOK[msg.Source] = false
		case scanner.Dropped:
			m.flash(escapedDetail(msg.Detail), now)
		}
		return m, m.listenEvents()

	case ResultMsg:
		r := kiosk.Result(msg)
		if r.Source == "undo" {
			m.undoing = false
		}
		if errors.Is(r.Err, kiosk.ErrNothingToUndo) {
			m.flash(m.fit(m.width, catalog.NothingToUndo), now)
			return m, nil
		}
		m.showResult(&r)
		m.lastUntil = now.Add(m.opt.Hold)
		m.remember(r)
		if t, ok := m.dialog.(interface{ transient() bool }); ok && t.transient() {
			// Help is only information: the verdict matters more. Other
			// dialogs stay open with the verdict behind them (routeKey).
			m.closeDialog()
		}
		m.leaveSettingsOnScan(r)
		return m, tea.Batch(m.refreshStats(), m.ring(r, now))

	case statsMsg:
		m.stats, m.statsErr, m.clock = msg.stats, msg.err, msg.clock
		if m.page == pageStats {
			return m, m.refreshHourly()
		}
		return m, nil

	case hourlyMsg:
		m.hourly = hourly(msg)
		return m, nil

	case overrideFailedMsg:
		m.onOverrideFailed(msg)
		return m, nil
	}
	return m, nil
}

// submit hands a scan to the run loop.
func (m *Model) submit(s scanner.Scan) tea.Cmd {
	return func() tea.Msg {
		m.opt.Submit(s)
		return nil
	}
}

func (m *Model) undo() tea.Cmd {
	if m.undoing {
		return nil
	}
	m.undoing = true
	return func() tea.Msg {
		v, err := m.opt.Checker.Undo(m.ctx)
		return ResultMsg(kiosk.Result{Source: "undo", Verdict: v, Err: err})
	}
}

// flash shows s on the notice line for a while. s must be safe to show:
// the screen's own words, or text already escaped.
func (m *Model) flash(s string, now time.Time) {
	m.notice, m.noticeTil = s, now.Add(3*time.Second)
}
