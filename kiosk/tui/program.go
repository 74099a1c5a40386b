package tui

import tea "charm.land/bubbletea/v2"

// FPS is the rate the kiosk's program draws frames at. Bubble Tea v2 writes
// a frame on a ticker, never as soon as View changes, so a verdict waits
// for the next tick: up to 8.3 ms at 120 (Bubble Tea's most), 16.7 ms at
// its default 60, which alone spent the 16 ms a scan's verdict has.
// Between scans nothing changes and a tick writes nothing.
const FPS = 120

// ProgramOptions are the Bubble Tea options every kiosk program takes
// (doorcheck run, and the benchmarks that measure it).
func ProgramOptions() []tea.ProgramOption {
	return []tea.ProgramOption{tea.WithFPS(FPS)}
}
