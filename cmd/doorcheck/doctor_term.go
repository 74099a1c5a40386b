package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// terminalInfo is the terminal doctor's output goes to: the kiosk TUI
// will have the same when started the same way.
type terminalInfo struct {
	Width, Height int
}

func stdoutTerminal(e *env) (terminalInfo, bool) {
	f, ok := e.stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return terminalInfo{}, false
	}
	w, h, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return terminalInfo{}, false
	}
	return terminalInfo{Width: w, Height: h}, true
}

// checkTerminal reports TERM, the colours it implies and the size, for
// the full-screen kiosk. The verdict colours carry meaning, so a
// terminal without colour is worth knowing about (the TUI also writes the
// verdict in words).
func checkTerminal(e *env, d doctorDeps) checkResult {
	t := e.getenv("TERM")
	colours := "no colour"
	switch ct := e.getenv("COLORTERM"); {
	case ct == "truecolor" || ct == "24bit":
		colours = "24-bit colour"
	case strings.Contains(t, "256color"):
		colours = "256 colours"
	case t == "linux" || strings.HasPrefix(t, "xterm") || strings.HasPrefix(t, "screen") || strings.HasPrefix(t, "tmux") || strings.HasPrefix(t, "vt220"):
		colours = "8 or 16 colours"
	}
	if e.getenv("NO_COLOR") != "" {
		colours += ", but NO_COLOR is set"
	}
	r := checkResult{Name: "terminal", Status: statusOK, Detail: fmt.Sprintf("TERM=%s, %s", t, colours)}
	if t == "" || t == "dumb" {
		r.Status = statusWarn
		r.Detail = fmt.Sprintf("TERM=%q: the TUI cannot draw", t)
		r.Fix = "run the kiosk from configs/doorcheck.service (TERM=linux on tty1), or export TERM=xterm-256color"
		return r
	}
	info, ok := d.terminal()
	if !ok {
		r.Detail += "; standard output is not a terminal (fine for doorcheck run --no-tui)"
		return r
	}
	r.Detail += fmt.Sprintf(", %dx%d", info.Width, info.Height)
	if info.Width < 80 || info.Height < 24 {
		r.Status = statusWarn
		r.Detail += ": under 80x24, the TUI uses its compact layout"
		r.Fix = "a larger console font size or screen, or accept the compact layout (handheld.yaml)"
	}
	return r
}
