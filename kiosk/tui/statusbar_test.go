package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// fakeSync is a SyncStatus with a fixed state.
type fakeSync kiosk.SyncState

func (f fakeSync) SyncState() kiosk.SyncState { return kiosk.SyncState(f) }

// TestStatusBarKeepsWhatMatters: at every size from a handheld to a wall
// screen, the bar shows each thing a guard must act on and the inside
// count and upload backlog, in at most two lines (more only for critical
// items that do not fit otherwise), no line wider than the screen. The
// old one-line bar cut SCANNER DISCONNECTED and the uploads at 80
// columns and the inside count at 40.
func TestStatusBarKeepsWhatMatters(t *testing.T) {
	snap := kiosk.SnapshotStatus{Present: true, Version: 20782, Age: 10 * time.Hour}
	tests := []struct {
		name  string
		set   func(m *Model)
		must  [][]string // for each item, its long or its short form
		lines int        // most lines allowed at 40 columns and up
	}{
		{"all well, no hub", func(m *Model) {}, [][]string{{"inside 7"}, {"3 to upload", "3 unsent"}, {english(catalog.NoHub), english(catalog.NoHubShort)}}, 2},
		{"scanner unplugged", func(m *Model) { m.scannerOK["serial:/dev/ttyACM0"] = false },
			[][]string{{english(catalog.ScannerDown), english(catalog.ScannerDownShort)}, {"inside 7"}, {"3 to upload", "3 unsent"}}, 2},
		{"everything wrong", func(m *Model) {
			m.scannerOK["serial:/dev/ttyACM0"] = false
			m.stats.Snapshot.Stale = true
			m.clock.Behind = true
			m.sync = kiosk.SyncState{Connectivity: kiosk.Offline}
			m.opt.Demo = true
		}, [][]string{{english(catalog.ScannerDown), english(catalog.ScannerDownShort)}, {english(catalog.ClockWrong)}, {"DATA STALE", "STALE"}, {english(catalog.Offline)}, {english(catalog.Demo)}, {"inside 7"}}, 3},
		{"data too old, uploads overdue", func(m *Model) {
			m.stats.Snapshot.TooOld = true
			m.sync = kiosk.SyncState{Connectivity: kiosk.Online, UploadOverdue: true}
		}, [][]string{{"DATA TOO OLD", "TOO OLD"}, {"UPLOADS OVERDUE", "UNSENT!"}, {"inside 7"}}, 2},
		{"no data", func(m *Model) { m.stats.Snapshot = kiosk.SnapshotStatus{} }, [][]string{{english(catalog.NoData), english(catalog.NoDataShort)}, {"inside 7"}}, 2},
		{"clock jumped", func(m *Model) { m.clock.Jumped = true }, [][]string{{english(catalog.ClockJumped)}, {"inside 7"}}, 2},
	}
	for _, tt := range tests {
		for _, sz := range [][2]int{{32, 10}, {40, 12}, {80, 24}, {120, 40}, {200, 60}} {
			m := New(context.Background(), Options{Lock: enLock(), Title: "cinema · north · entry", Sync: kiosk.NoSyncStatus{}})
			m.width, m.height = sz[0], sz[1]
			m.stats = kiosk.Stats{Snapshot: snap, Counters: store.Counters{Inside: 7, Entries: 9, Exits: 2}, Pending: 3}
			tt.set(m)
			bar := m.statusBar()
			text := strings.Join(bar, "\n")
			for _, forms := range tt.must {
				found := false
				for _, f := range forms {
					found = found || strings.Contains(text, f)
				}
				if !found {
					t.Errorf("%s %dx%d: %q missing from the bar:\n%s", tt.name, sz[0], sz[1], forms[0], text)
				}
			}
			if sz[0] >= 40 && len(bar) > tt.lines {
				t.Errorf("%s %dx%d: %d lines:\n%s", tt.name, sz[0], sz[1], len(bar), text)
			}
			for _, l := range bar {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%s %dx%d: a line %d wide: %q", tt.name, sz[0], sz[1], w, l)
				}
			}
			if sz[0] >= 120 && len(bar) != 1 && tt.name != "everything wrong" {
				t.Errorf("%s %dx%d: %d lines where one fits:\n%s", tt.name, sz[0], sz[1], len(bar), text)
			}
			// The whole screen keeps its size with the taller bar.
			if got := strings.Count(ansi.Strip(m.View().Content), "\n") + 1; got != sz[1] {
				t.Errorf("%s %dx%d: screen has %d lines", tt.name, sz[0], sz[1], got)
			}
		}
	}
}

// TestStatusBarReadsSync: the sync state comes through Options.Sync and
// is read on the clock tick.
func TestStatusBarReadsSync(t *testing.T) {
	m := New(context.Background(), Options{Lock: enLock(), Sync: fakeSync{Connectivity: kiosk.Revoked}})
	m.width = 80
	if text := strings.Join(m.statusBar(), "\n"); !strings.Contains(text, english(catalog.Revoked)) {
		t.Errorf("revoked kiosk: bar says %q", text)
	}
	m2 := New(context.Background(), Options{Lock: enLock()})
	m2.width = 80
	if text := strings.Join(m2.statusBar(), "\n"); !strings.Contains(text, english(catalog.NoHub)) {
		t.Errorf("no sync client: bar says %q", text)
	}
}
