package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// mainPage is the idle screen (idle.go); a verdict on screen is drawn
// over every page by the router, so this page is only ever idle.
type mainPage struct{ m *Model }

func (p mainPage) Update(tea.Msg) (component, tea.Cmd) { return p, nil }
func (p mainPage) View(w, h int) string                { return p.m.idleView(w, h) }
func (p mainPage) Keys() []key.Binding                 { return nil }
