package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// component is one page or dialog of the screen, the way soft-serve and
// crush grow theirs: it takes the messages routed to it, draws itself in
// the area it is given (so it owns its layout at every size, and a resize
// is just the next View), and lists its keys for the help overlay.
//
// The root model (router.go) owns everything shared — the wedge
// assembler, the verdict on screen, the counters, the status bar — and a
// component reads it through the *Model it was made with. A component
// never sees raw scanner input: see routeKey for what a dialog is given.
type component interface {
	// Update handles one message routed to the component. A dialog
	// returns nil to close itself.
	Update(msg tea.Msg) (component, tea.Cmd)
	// View draws the component in width×height cells.
	View(width, height int) string
	// Keys lists the component's own keys, for help.
	Keys() []key.Binding
}

// Messages a dialog is sent instead of raw keys (see routeKey).
type (
	// dialogTextMsg says what a person has typed into the dialog's field
	// so far: the wedge assembler's manual field, which only typing that
	// is not a scanner burst reaches.
	dialogTextMsg string
	// dialogSubmitMsg is Enter on that field: Text is what was typed.
	dialogSubmitMsg string
	// dialogKeyMsg is a key that types no character (Esc, arrows, Tab,
	// F-keys…). Scanners do not send those, so they go to the dialog
	// as they are.
	dialogKeyMsg tea.KeyPressMsg
)

// pageID names a page of the router.
type pageID int

const (
	pageMain     pageID = iota // idle, or the verdict on screen
	pageManual                 // manual IIN entry with live feedback
	pageHistory                // the last scans
	pageStats                  // today's counters and hourly entries
	pageSettings               // the admin's settings, behind the PIN (settings.go)
	pageCount
)
