package wedge

import (
	"reflect"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		name string
		msg  tea.KeyPressMsg
		want []Key
	}{
		{"letter", tea.KeyPressMsg{Code: 'd', Text: "d"}, []Key{{Rune: 'd'}}},
		{"capital", tea.KeyPressMsg{Code: 'd', Text: "D", Mod: tea.ModShift}, []Key{{Rune: 'D'}}},
		{"caps lock reported", tea.KeyPressMsg{Code: 'd', Text: "D", Mod: tea.ModCapsLock}, []Key{{Rune: 'D'}}},
		{"cyrillic", tea.KeyPressMsg{Code: 'ж', Text: "Ж", Mod: tea.ModShift}, []Key{{Rune: 'Ж'}}},
		{"space", tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}, []Key{{Rune: ' '}}},
		{"cluster", tea.KeyPressMsg{Code: 'e', Text: "e\u0301"}, []Key{{Rune: 'e'}, {Rune: '\u0301'}}},
		{"enter", tea.KeyPressMsg{Code: tea.KeyEnter}, []Key{{Special: Enter}}},
		{"line feed", tea.KeyPressMsg{Code: 'j', Mod: tea.ModCtrl}, []Key{{Special: Enter}}},
		{"tab", tea.KeyPressMsg{Code: tea.KeyTab}, []Key{{Special: Tab}}},
		{"backspace", tea.KeyPressMsg{Code: tea.KeyBackspace}, []Key{{Special: Backspace}}},
		{"ctrl+h", tea.KeyPressMsg{Code: 'h', Mod: tea.ModCtrl}, []Key{{Special: Backspace}}},
		{"escape", tea.KeyPressMsg{Code: tea.KeyEscape}, []Key{{Special: Escape}}},
		{"arrow", tea.KeyPressMsg{Code: tea.KeyUp}, []Key{{Special: Other}}},
		{"ctrl+c", tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, []Key{{Special: Other}}},
		{"alt+enter", tea.KeyPressMsg{Code: tea.KeyEnter, Mod: tea.ModAlt}, []Key{{Special: Other}}},
		{"alt+x with text", tea.KeyPressMsg{Code: 'x', Text: "x", Mod: tea.ModAlt}, []Key{{Special: Other}}},
	}
	for _, tt := range tests {
		if got := Keys(tt.msg); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Keys = %+v, want %+v", tt.name, got, tt.want)
		}
		if got := FromKeyPress(tt.msg); got != tt.want[0] {
			t.Errorf("%s: FromKeyPress = %+v, want %+v", tt.name, got, tt.want[0])
		}
	}
}
