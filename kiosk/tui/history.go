package tui

import (
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// historyEntry is one scan as the history page shows it. The visit log
// holds no IIN digits at all (subjects are keyed hashes), so the screen
// keeps what it showed, in memory only: the last four digits a guard
// compared with the card, never more.
type historyEntry struct {
	at        time.Time
	word      catalog.Key // the verdict word
	status    wire.Status // the status, when hasStatus
	hasStatus bool
	last4     string
	reason    reason.Code     // the first reason, "" when none
	details   catalog.Details // what its line says besides the code
	repeat    bool
	failed    bool // the visit could not be recorded
	override  bool
}

// historyLen is how many scans the history page keeps.
const historyLen = 100

// remember puts r at the head of the history.
func (m *Model) remember(r kiosk.Result) {
	v := r.Verdict
	e := historyEntry{at: v.At, word: decisionKey(v), status: v.Status, hasStatus: v.HasStatus, last4: v.IINLast4,
		repeat: v.Repeat, override: v.Decision == kiosk.Override}
	if len(v.Reasons) > 0 {
		e.reason, e.details = v.Reasons[0], m.details(v)
	}
	if failedToRecord(r) {
		e.failed, e.word = true, catalog.CannotRecord
	}
	if e.at.IsZero() {
		e.at = m.opt.Now()
	}
	m.history = append([]historyEntry{e}, m.history[:min(len(m.history), historyLen-1)]...)
}
