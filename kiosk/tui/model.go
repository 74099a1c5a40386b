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
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/wedge"
)

// Checker is what the screen needs of the kiosk core.
type Checker interface {
	Check(ctx context.Context, payload, source string) (kiosk.Verdict, error)
	Undo(ctx context.Context) (kiosk.Verdict, error)
	Stats(ctx context.Context) (kiosk.Stats, error)
}

// Options configure the screen.
type Options struct {
	Checker Checker
	// Scans and Events come from serial sources; nil when there are none.
	Scans  <-chan scanner.Scan
	Events <-chan scanner.Event
	// Wedge configures the keyboard-wedge assembler.
	Wedge wedge.Options
	// Hold is how long a verdict stays on screen (default 4 s).
	Hold     time.Duration
	Location *time.Location
	Now      func() time.Time
	Title    string // venue and door, shown in the status bar
}

// Model is the root Bubble Tea model.
type Model struct {
	opt  Options
	ctx  context.Context
	keys keyMap
	help help.Model

	width, height int

	keyboard *wedge.Assembler
	manual   string

	queue    []scanner.Scan // scans waiting for the one check in flight
	checking bool

	last      *kiosk.Result // the verdict on screen, nil when idle
	lastUntil time.Time
	notice    string // one-line transient message (quit hint, undo refused…)
	noticeTil time.Time

	stats     kiosk.Stats
	statsErr  error
	scannerOK map[string]bool // serial source → connected
	showHelp  bool
	quitArmed time.Time
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
	return &Model{
		opt:       opt,
		ctx:       ctx,
		keys:      defaultKeys(),
		help:      help.New(),
		width:     80,
		height:    24,
		keyboard:  wedge.New(opt.Wedge),
		scannerOK: map[string]bool{},
	}
}

// Messages the model sends itself.
type (
	scanMsg    scanner.Scan
	eventMsg   scanner.Event
	checkedMsg kiosk.Result
	statsMsg   struct {
		stats kiosk.Stats
		err   error
	}
	tickMsg time.Time
)

const tickEvery = 25 * time.Millisecond

// Init starts listening to the serial sources and the clock.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.listenScans(), m.listenEvents(), m.refreshStats(), tick())
}

func tick() tea.Cmd {
	return tea.Tick(tickEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) listenScans() tea.Cmd {
	if m.opt.Scans == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case s, ok := <-m.opt.Scans:
			if !ok {
				return nil
			}
			return scanMsg(s)
		case <-m.ctx.Done():
			return nil
		}
	}
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
		return statsMsg{s, err}
	}
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	now := m.opt.Now()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil

	case tea.KeyPressMsg:
		return m, m.onKey(msg, now)

	case tickMsg:
		var cmds []tea.Cmd
		for _, out := range m.keyboard.Tick(now) {
			cmds = append(cmds, m.onWedge(out))
		}
		if m.last != nil && now.After(m.lastUntil) && !m.checking {
			m.last = nil
			cmds = append(cmds, m.refreshStats())
		}
		if m.notice != "" && now.After(m.noticeTil) {
			m.notice = ""
		}
		cmds = append(cmds, tick())
		return m, tea.Batch(cmds...)

	case scanMsg:
		return m, tea.Batch(m.enqueue(scanner.Scan(msg)), m.listenScans())

	case eventMsg:
		switch msg.Kind {
		case scanner.Connected:
			m.scannerOK[msg.Source] = true
		case scanner.Disconnected:
			m.scannerOK[msg.Source] = false
		case scanner.Dropped:
			m.flash(msg.Detail, now)
		}
		return m, m.listenEvents()

	case checkedMsg:
		r := kiosk.Result(msg)
		m.checking = false
		if errors.Is(r.Err, kiosk.ErrNothingToUndo) {
			m.flash(strNothingToUndo, now)
			return m, m.next()
		}
		m.last = &r
		m.lastUntil = now.Add(m.opt.Hold)
		return m, tea.Batch(m.next(), m.refreshStats())

	case statsMsg:
		m.stats, m.statsErr = msg.stats, msg.err
		return m, nil
	}
	return m, nil
}

// onKey routes a key press: the kiosk's own keys first, everything else
// to the wedge assembler, which tells scanner bursts from a person typing.
func (m *Model) onKey(k tea.KeyPressMsg, now time.Time) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Quit):
		if !m.quitArmed.IsZero() && now.Sub(m.quitArmed) < 3*time.Second {
			return tea.Quit
		}
		m.quitArmed = now
		m.flash(strQuitConfirm, now)
		return nil
	case k.String() == "ctrl+c":
		m.flash(strCtrlCHint, now)
		return nil
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
		return nil
	case key.Matches(k, m.keys.Undo):
		return m.undo()
	}
	var cmds []tea.Cmd
	for _, out := range m.keyboard.Feed(wedge.FromKeyPress(k), now) {
		cmds = append(cmds, m.onWedge(out))
	}
	return tea.Batch(cmds...)
}

// onWedge acts on one output of the wedge assembler.
func (m *Model) onWedge(out wedge.Output) tea.Cmd {
	switch out.Kind {
	case wedge.OutputPayload:
		return m.enqueue(scanner.Scan{Payload: out.Text, Source: out.Source, At: out.At})
	case wedge.OutputManual:
		m.manual = out.Text
	case wedge.OutputDropped:
		m.flash(out.Text, out.At)
	}
	return nil
}

// enqueue queues a scan; checks run one at a time, in arrival order.
func (m *Model) enqueue(s scanner.Scan) tea.Cmd {
	m.queue = append(m.queue, s)
	return m.next()
}

func (m *Model) next() tea.Cmd {
	if m.checking || len(m.queue) == 0 {
		return nil
	}
	s := m.queue[0]
	m.queue = m.queue[1:]
	m.checking = true
	return func() tea.Msg {
		v, err := m.opt.Checker.Check(m.ctx, s.Payload, s.Source)
		return checkedMsg(kiosk.Result{Source: s.Source, Verdict: v, Err: err})
	}
}

func (m *Model) undo() tea.Cmd {
	if m.checking {
		return nil
	}
	m.checking = true
	return func() tea.Msg {
		v, err := m.opt.Checker.Undo(m.ctx)
		return checkedMsg(kiosk.Result{Source: "undo", Verdict: v, Err: err})
	}
}

func (m *Model) flash(s string, now time.Time) {
	m.notice, m.noticeTil = s, now.Add(3*time.Second)
}
