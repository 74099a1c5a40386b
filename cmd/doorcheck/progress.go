package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"golang.org/x/term"
)

// progressBar draws one self-overwriting line on a terminal: entries,
// bytes, rate and time left. It draws nothing when the output is not a
// terminal, so logs and pipes stay clean.
type progressBar struct {
	w             io.Writer
	on            bool
	total, bytes  uint64
	start, drawn  time.Time
	lastLineWidth int
}

func newProgressBar(w io.Writer, quiet bool, totalRecords, totalBytes uint64) *progressBar {
	f, isFile := w.(*os.File)
	on := !quiet && isFile && term.IsTerminal(int(f.Fd()))
	return &progressBar{w: w, on: on, total: totalRecords, bytes: totalBytes, start: time.Now()}
}

// update is a store.Progress callback; it redraws at most ten times a second.
func (p *progressBar) update(pr store.Progress) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.drawn) < 100*time.Millisecond && pr.Entries < p.total {
		return
	}
	p.drawn = now
	elapsed := now.Sub(p.start).Seconds()
	frac := 0.0
	if p.total > 0 {
		frac = float64(pr.Entries) / float64(p.total)
	}
	rate := float64(pr.Entries) / max(elapsed, 1e-3)
	left := "?"
	if rate > 0 && p.total >= pr.Entries {
		left = (time.Duration(float64(p.total-pr.Entries)/rate) * time.Second).Round(time.Second).String()
	}
	const width = 24
	filled := int(frac * width)
	line := fmt.Sprintf("\r[%s%s] %5.1f%%  %d/%d entries  %.0f MB  %.1fM entries/s  %s left",
		strings.Repeat("█", filled), strings.Repeat("░", width-filled), frac*100,
		pr.Entries, p.total, float64(pr.Bytes)/1e6, rate/1e6, left)
	pad := max(0, p.lastLineWidth-len(line))
	p.lastLineWidth = len(line)
	fmt.Fprint(p.w, line+strings.Repeat(" ", pad))
}

// done ends the bar's line.
func (p *progressBar) done(ok bool) {
	if !p.on || p.drawn.IsZero() {
		return
	}
	fmt.Fprintln(p.w)
}
