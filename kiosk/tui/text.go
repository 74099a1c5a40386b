package tui

import "fmt"

// textKey names one string of the pages and dialogs. Every such string
// is looked up through t, so the catalogue (kiosk/tui/catalog, three
// languages) plugs in at one place; english is the fallback table.
type textKey string

const (
	keyHelpHelp    textKey = "help.help"
	keyHelpManual  textKey = "help.manual"
	keyHelpHistory textKey = "help.history"
	keyHelpStats   textKey = "help.stats"
	keyHelpBack    textKey = "help.back"
	keyHelpUndo    textKey = "help.undo"
	keyHelpQuit    textKey = "help.quit"
	keyHelpClose   textKey = "help.close"
	keyHelpTitle   textKey = "help.title"
	keyHelpScan    textKey = "help.scan"
	keyHelpType    textKey = "help.type"
	keyHelpUpDown  textKey = "help.updown"
	keyHelpDemo    textKey = "help.demo"

	keyIdleScan    textKey = "idle.scan"
	keyIdleQR      textKey = "idle.qr"
	keyDemoBanner  textKey = "demo.banner"
	keyDemoSamples textKey = "demo.samples"
	keyDemoMore    textKey = "demo.more"
	keyEntry       textKey = "direction.entry"
	keyExit        textKey = "direction.exit"

	keyManualTitle    textKey = "manual.title"
	keyManualCount    textKey = "manual.count"
	keyManualGood     textKey = "manual.good"
	keyManualBad      textKey = "manual.bad"
	keyManualLetters  textKey = "manual.letters"
	keyManualEnter    textKey = "manual.enter"
	keyManualTooLong  textKey = "manual.toolong"
	keyManualHintKeys textKey = "manual.keys"

	keyHistoryTitle textKey = "history.title"
	keyHistoryEmpty textKey = "history.empty"
	keyHistoryHead  textKey = "history.head"

	keyStatsTitle       textKey = "stats.title"
	keyStatsEntries     textKey = "stats.entries"
	keyStatsExits       textKey = "stats.exits"
	keyStatsInside      textKey = "stats.inside"
	keyStatsInsideCap   textKey = "stats.insidecap"
	keyStatsDenied      textKey = "stats.denied"
	keyStatsNotVerified textKey = "stats.notverified"
	keyStatsOverrides   textKey = "stats.overrides"
	keyStatsUndos       textKey = "stats.undos"
	keyStatsHourly      textKey = "stats.hourly"
	keyStatsNoCounters  textKey = "stats.nocounters"
	keyStatsNone        textKey = "stats.none"

	keyVerdictIIN    textKey = "verdict.iin"
	keyVerdictWindow textKey = "verdict.window"
	keyVerdictUntil  textKey = "verdict.until"
	keyVerdictData   textKey = "verdict.data"
)

// t returns the English string of k formatted with args: the single
// lookup the pages use.
func t(k textKey, args ...any) string {
	s := english(k)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// english is the fallback table. A switch, not a map: no package state.
func english(k textKey) string {
	switch k {
	case keyHelpHelp:
		return "help"
	case keyHelpManual:
		return "type an IIN"
	case keyHelpHistory:
		return "last scans"
	case keyHelpStats:
		return "today's counts"
	case keyHelpBack:
		return "back / clear"
	case keyHelpUndo:
		return "undo last"
	case keyHelpQuit:
		return "quit"
	case keyHelpClose:
		return "close"
	case keyHelpTitle:
		return "KEYS"
	case keyHelpScan:
		return "scan a pass or ID card at any time, on any page"
	case keyHelpType:
		return "digits + Enter: check an IIN by hand"
	case keyHelpUpDown:
		return "scroll"
	case keyHelpDemo:
		return "demo sample passes"
	case keyIdleScan:
		return "SCAN YOUR PASS"
	case keyIdleQR:
		return "check in by phone"
	case keyDemoBanner:
		return "DEMO — NOT A REAL DOOR"
	case keyDemoSamples:
		return "Sample passes — type or paste, then Enter:"
	case keyDemoMore:
		return "F5: all sample passes"
	case keyEntry:
		return "ENTRY"
	case keyExit:
		return "EXIT"
	case keyManualTitle:
		return "TYPE AN IIN"
	case keyManualCount:
		return "%d of 12 digits"
	case keyManualGood:
		return "✓ check digit right — press Enter"
	case keyManualBad:
		return "✗ check digit wrong — a digit is mistyped"
	case keyManualLetters:
		return "digits only"
	case keyManualEnter:
		return "Enter checks it · Backspace deletes · Esc clears"
	case keyManualTooLong:
		return "more than 12 digits: Esc and start again"
	case keyManualHintKeys:
		return "F2 or Esc: back"
	case keyHistoryTitle:
		return "LAST SCANS"
	case keyHistoryEmpty:
		return "no scans yet"
	case keyHistoryHead:
		return "time     verdict        status  IIN   reason"
	case keyStatsTitle:
		return "TODAY %s"
	case keyStatsEntries:
		return "entries"
	case keyStatsExits:
		return "exits"
	case keyStatsInside:
		return "inside now"
	case keyStatsInsideCap:
		return "%d / %d"
	case keyStatsDenied:
		return "denied"
	case keyStatsNotVerified:
		return "not verified"
	case keyStatsOverrides:
		return "overrides"
	case keyStatsUndos:
		return "undone"
	case keyStatsHourly:
		return "entries by hour"
	case keyStatsNoCounters:
		return "CANNOT READ COUNTERS"
	case keyStatsNone:
		return "none"
	case keyVerdictIIN:
		return "IIN …%s"
	case keyVerdictWindow:
		return "pass valid %s – %s"
	case keyVerdictUntil:
		return "status until %s"
	case keyVerdictData:
		return "data v%d"
	}
	return string(k)
}
