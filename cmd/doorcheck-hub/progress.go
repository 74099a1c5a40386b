package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
)

// importBar draws one self-overwriting progress line on a terminal; it
// draws nothing otherwise, so logs and pipes stay clean.
type importBar struct {
	w     io.Writer
	on    bool
	total int64
	start time.Time
	drawn time.Time
	width int
	stage hub.ImportStage
}

func newImportBar(w io.Writer, on bool, totalBytes int64) *importBar {
	return &importBar{w: w, on: on, total: totalBytes, start: time.Now()}
}

func (b *importBar) update(p hub.ImportProgress) {
	if !b.on {
		return
	}
	now := time.Now()
	if p.Stage == b.stage && now.Sub(b.drawn) < 100*time.Millisecond {
		return
	}
	b.stage, b.drawn = p.Stage, now
	var line string
	switch {
	case p.Stage == hub.StageReading && b.total > 0:
		frac := min(1, float64(p.Bytes)/float64(b.total))
		const width = 24
		filled := int(frac * width)
		line = fmt.Sprintf("\r%s [%s%s] %5.1f%%  %d rows  %.0f MB", p.Stage,
			strings.Repeat("█", filled), strings.Repeat("░", width-filled), frac*100, p.Rows, float64(p.Bytes)/1e6)
	case p.Rows > 0:
		line = fmt.Sprintf("\r%s  %d rows", p.Stage, p.Rows)
	default:
		line = fmt.Sprintf("\r%s", p.Stage)
	}
	line += fmt.Sprintf("  %s", now.Sub(b.start).Round(time.Second))
	pad := max(0, b.width-len(line))
	b.width = len(line)
	fmt.Fprint(b.w, line+strings.Repeat(" ", pad))
}

func (b *importBar) done() {
	if b.on && !b.drawn.IsZero() {
		fmt.Fprintln(b.w)
	}
}
