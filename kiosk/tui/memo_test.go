package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk/demo"
)

// TestMemoFrames: a screen drawn again from the memo is the frame laid out
// anew, byte for byte, on every screen and size; an unchanged screen comes
// from the memo; a change (a key in the manual field, a verdict, the
// clock, a dialog, a resize) is drawn anew.
func TestMemoFrames(t *testing.T) {
	s := newScreen(t, true)
	fresh := func() string {
		t.Helper()
		saved := s.m.memo
		s.m.memo = renderMemo{}
		v := s.m.View().Content
		s.m.memo = saved
		return v
	}
	same := func(what string) string {
		t.Helper()
		first := s.m.View().Content
		if want := fresh(); first != want {
			t.Fatalf("%s: the frame differs from one laid out anew", what)
		}
		hits := s.m.memo.hits
		if again := s.m.View().Content; again != first {
			t.Fatalf("%s: the same screen drew a different frame", what)
		}
		if s.m.memo.hits == hits {
			t.Fatalf("%s: the unchanged screen was laid out again", what)
		}
		return first
	}
	for _, size := range [][2]int{{32, 10}, {80, 24}, {200, 60}} {
		s.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		idle := same("idle")
		s.now = s.now.Add(150 * time.Millisecond)
		s.key('9')
		if typed := same("a key in the manual field"); typed == idle {
			t.Fatalf("%v: the key changed nothing on screen", size)
		}
		s.key(tea.KeyEscape)
		s.now = s.now.Add(time.Second)
		if tick := same("the clock a second on"); tick == idle && size[1] >= 24 { // a handheld may have no room for it
			t.Fatalf("%v: the clock did not move", size)
		}
		s.check(t, demo.People()[3].IIN)
		same("a verdict")
		s.key(tea.KeyF1)
		same("help over the verdict")
		s.key(tea.KeyEscape)
		s.now = s.now.Add(time.Minute)
		s.send(tickMsg(s.now))
	}
}
