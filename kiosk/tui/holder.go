package tui

import (
	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// holderPart is what the verdict footer says of a verified DCC's holder,
// "" for none: the name and date of birth a guard compares with the
// passport, escaped like any scanned text. It is shown for the verdict's
// seconds only; the history keeps none of it (history.go copies the
// fields it shows, and the holder is not one of them).
func (m *Model) holderPart(v kiosk.Verdict) string {
	if v.Holder == nil {
		return ""
	}
	return m.tx(catalog.Holder, sanitize.EscapeLimit(v.Holder.Name, 80), sanitize.EscapeLimit(v.Holder.DateOfBirth, 16))
}

// showResult puts r on screen. A verdict that named a DCC holder takes its
// laid-out frames with it when it is replaced: the memo must not keep the
// name past the verdict.
func (m *Model) showResult(r *kiosk.Result) {
	if m.last != nil && m.last.Verdict.Holder != nil {
		m.memo.reset()
	}
	m.last = r
}
