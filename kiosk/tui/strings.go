package tui

import (
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/sync/reason"
)

// The strings catalogue: every word the kiosk shows, in one place, so a
// translation or a wording change touches one file.
const (
	strIdleHint       = "Hold the QR pass or ID card to the scanner, or type an IIN and press Enter"
	strAdmit          = "ENTER"
	strExitRecorded   = "EXIT RECORDED"
	strDeny           = "STOP"
	strNotVerified    = "NOT VERIFIED"
	strUndone         = "UNDONE"
	strOverride       = "ADMITTED BY ADMIN"
	strCannotRecord   = "CANNOT RECORD VISIT"
	strCannotRecordHn = "The visit was not saved. Do not admit on this screen; call IT."
	strRepeat         = "same pass scanned again — not counted twice"
	strQuitConfirm    = "Press Ctrl+Q again within 3 seconds to quit the kiosk"
	strCtrlCHint      = "This is a kiosk: Ctrl+C does not quit. Use Ctrl+Q twice."
	strNothingToUndo  = "Nothing to undo (only the last decision, within the undo window)"
	strManualPrompt   = "IIN: "

	// The status bar, long and short forms.
	strDemo                  = "DEMO"
	strScannerDown           = "SCANNER DISCONNECTED"
	strScannersDown          = "%d SCANNERS DISCONNECTED"
	strScannerDownShort      = "NO SCANNER"
	strStatsUnavailable      = "CANNOT READ COUNTERS"
	strStatsUnavailableShort = "NO COUNTERS"
	strClockWrong            = "CLOCK WRONG"
	strClockJumped           = "CLOCK JUMPED"
	strNoData                = "NO STATUS DATA"
	strNoDataShort           = "NO DATA"
	strDataTooOld            = "DATA TOO OLD v%d (%s old)"
	strDataTooOldShort       = "TOO OLD %s"
	strDataStale             = "DATA STALE v%d (%s old)"
	strDataStaleShort        = "STALE %s"
	strDataOK                = "data v%d (%s old)"
	strDataOKShort           = "data %s"
	strRevoked               = "KIOSK REVOKED"
	strOffline               = "OFFLINE"
	strUploadsOverdue        = "UPLOADS OVERDUE: %d waiting"
	strUploadsOverdueShort   = "%d UNSENT!"
	strInside                = "inside %d"
	strPending               = "%d to upload"
	strPendingShort          = "%d unsent"
	strNoHub                 = "offline — no hub configured"
	strNoHubShort            = "no hub"
	strOnline                = "online"
	strInOut                 = "in %d out %d"
	strHelpHint              = "F1 help"
	strHelpHintShort         = "F1"
)

func decisionWord(v kiosk.Verdict) string {
	switch v.Decision {
	case kiosk.Admit:
		if v.Direction.String() == "exit" {
			return strExitRecorded
		}
		return strAdmit
	case kiosk.Deny:
		return strDeny
	case kiosk.Undone:
		return strUndone
	case kiosk.Override:
		return strOverride
	}
	return strNotVerified
}

// reasonLine explains one reason, with the detail a guard needs.
func reasonLine(v kiosk.Verdict, r reason.Code, loc *time.Location) string {
	s := reason.Describe(r)
	switch r {
	case reason.Expired:
		return fmt.Sprintf("%s %s ago", s, human(v.ExpiredAgo))
	case reason.NotYetValid:
		return fmt.Sprintf("%s: starts in %s", s, human(v.ValidIn))
	case reason.Reentry:
		return fmt.Sprintf("%s: entered at %s, no exit recorded", s, v.FirstEntryAt.In(loc).Format("15:04"))
	}
	return s
}

// human renders a duration the way people say it: "3 days", "2 h 5 min".
func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%d s", int(d/time.Second))
}
