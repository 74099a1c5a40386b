package tui

import (
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/sync/reason"
)

// historyEntry is one scan as the history page shows it. The visit log
// holds no IIN digits at all (subjects are keyed hashes), so the screen
// keeps what it showed, in memory only: the last four digits a guard
// compared with the card, never more.
type historyEntry struct {
	at       time.Time
	word     string // the verdict word
	status   string // the status name, "" when none was earned
	last4    string
	reason   reason.Code // the first reason, "" when none
	repeat   bool
	failed   bool // the visit could not be recorded
	override bool
}

// historyLen is how many scans the history page keeps.
const historyLen = 100

// remember puts r at the head of the history.
func (m *Model) remember(r kiosk.Result) {
	v := r.Verdict
	e := historyEntry{at: v.At, word: decisionWord(v), last4: v.IINLast4, repeat: v.Repeat, override: v.Decision == kiosk.Override}
	if v.HasStatus {
		e.status = v.StatusName()
	}
	if len(v.Reasons) > 0 {
		e.reason = v.Reasons[0]
	}
	if r.Err != nil && !v.Recorded && v.Decision != "" && r.Source != "undo" {
		e.failed, e.word = true, strCannotRecord
	}
	if e.at.IsZero() {
		e.at = m.opt.Now()
	}
	m.history = append([]historyEntry{e}, m.history[:min(len(m.history), historyLen-1)]...)
}
