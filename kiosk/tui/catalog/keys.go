package catalog

// Every screen string. A key ending in Short is the abbreviation the status
// bar uses when the long form does not fit; a key with arguments says so.
const (
	// Verdict words, drawn in block letters.
	Admit        Key = "admit"
	ExitRecorded Key = "exit_recorded"
	Deny         Key = "deny"
	NotVerified  Key = "not_verified"
	Undone       Key = "undone"
	CannotRecord Key = "cannot_record"
	// CannotRecordHint tells the guard what to do when the visit was not saved.
	CannotRecordHint Key = "cannot_record_hint"
	// OverrideAdmitted is the verdict word of an override.
	OverrideAdmitted Key = "override_admitted"
	Repeat           Key = "repeat"

	// Status names.
	StatusGreen  Key = "status_green"
	StatusYellow Key = "status_yellow"
	StatusBlue   Key = "status_blue"
	StatusRed    Key = "status_red"

	// Verdict details: args in comments.
	Subject  Key = "subject"   // last four digits (string)
	Holder   Key = "holder"    // a verified DCC's name, date of birth (strings, sanitized): what the guard compares with the passport
	PassTill Key = "pass_till" // window end (string, already formatted)
	DataVer  Key = "data_ver"  // snapshot version (int)
	At       Key = "at"        // time (string)

	// Idle screen.
	ScanPass  Key = "scan_pass"
	IdleHint  Key = "idle_hint"
	Entry     Key = "entry"
	Exit      Key = "exit"
	PhoneHint Key = "phone_hint"

	// Demo and first run.
	Demo         Key = "demo"
	DemoSamples  Key = "demo_samples"
	DemoPIN      Key = "demo_pin" // the demo PIN (string)
	NoPINSet     Key = "no_pin_set"
	NoPINSetHint Key = "no_pin_set_hint" // the command (string)

	// Status bar.
	ScannerDown           Key = "scanner_down"
	ScannersDown          Key = "scanners_down" // count (int)
	ScannerDownShort      Key = "scanner_down_short"
	StatsUnavailable      Key = "stats_unavailable"
	StatsUnavailableShort Key = "stats_unavailable_short"
	ClockWrong            Key = "clock_wrong"
	ClockJumped           Key = "clock_jumped"
	NoData                Key = "no_data"
	NoDataShort           Key = "no_data_short"
	DataTooOld            Key = "data_too_old"       // version (int), age (string)
	DataTooOldShort       Key = "data_too_old_short" // age (string)
	DataStale             Key = "data_stale"         // version (int), age (string)
	DataStaleShort        Key = "data_stale_short"   // age (string)
	DataOK                Key = "data_ok"            // version (int), age (string)
	DataOKShort           Key = "data_ok_short"      // age (string)
	Revoked               Key = "revoked"
	Offline               Key = "offline"
	UploadsOverdue        Key = "uploads_overdue"       // count (int)
	UploadsOverdueShort   Key = "uploads_overdue_short" // count (int)
	Inside                Key = "inside"                // count (int)
	InsideOf              Key = "inside_of"             // count, capacity (int, int)
	Pending               Key = "pending"               // count (int)
	PendingShort          Key = "pending_short"         // count (int)
	NoHub                 Key = "no_hub"
	NoHubShort            Key = "no_hub_short"
	Online                Key = "online"
	LastSync              Key = "last_sync" // time (string)
	InOut                 Key = "in_out"    // entries, exits (int, int)
	HelpHint              Key = "help_hint"
	HelpHintShort         Key = "help_hint_short"

	// Manual IIN entry.
	ManualPrompt      Key = "manual_prompt"
	ManualCount       Key = "manual_count" // digits typed (int)
	ManualChecksumOK  Key = "manual_checksum_ok"
	ManualChecksumBad Key = "manual_checksum_bad"
	ManualDigitsOnly  Key = "manual_digits_only"

	// History.
	HistoryTitle   Key = "history_title"
	HistoryEmpty   Key = "history_empty"
	HistoryTime    Key = "history_time"
	HistoryVerdict Key = "history_verdict"
	HistoryStatus  Key = "history_status"
	HistoryLast4   Key = "history_last4"
	HistoryReason  Key = "history_reason"
	OverrideMark   Key = "override_mark"

	// Today's stats.
	StatsTitle       Key = "stats_title"
	StatsEntries     Key = "stats_entries"
	StatsExits       Key = "stats_exits"
	StatsInside      Key = "stats_inside"
	StatsDenied      Key = "stats_denied"
	StatsNotVerified Key = "stats_not_verified"
	StatsOverrides   Key = "stats_overrides"
	StatsHourly      Key = "stats_hourly"

	// Help overlay and key descriptions.
	HelpTitle      Key = "help_title"
	KeyHelp        Key = "key_help"
	KeyUndo        Key = "key_undo"
	KeyQuit        Key = "key_quit"
	KeyManual      Key = "key_manual"
	KeyHistory     Key = "key_history"
	KeyStats       Key = "key_stats"
	KeySettings    Key = "key_settings"
	KeyOverride    Key = "key_override"
	KeyDirection   Key = "key_direction"
	KeyClose       Key = "key_close"
	KeyConfirm     Key = "key_confirm"
	KeyCancel      Key = "key_cancel"
	KeyChoose      Key = "key_choose"
	KeyBackspace   Key = "key_backspace"
	SettingsTitle  Key = "settings_title"
	DirectionNowIs Key = "direction_now_is" // direction word (string)

	// PIN dialog (kiosk lock).
	PINTitle         Key = "pin_title"
	PINPrompt        Key = "pin_prompt" // action (string, one of the Action keys)
	PINWrong         Key = "pin_wrong"  // tries left (int)
	PINLocked        Key = "pin_locked" // seconds left (int)
	PINNotConfigured Key = "pin_not_configured"
	ActionQuit       Key = "action_quit"
	ActionDirection  Key = "action_direction"
	ActionUndo       Key = "action_undo"
	ActionOverride   Key = "action_override"
	ActionSettings   Key = "action_settings"
	Locked           Key = "locked"

	// Undo confirmation.
	UndoTitle      Key = "undo_title"
	UndoUnknown    Key = "undo_unknown"
	UndoConfirmKey Key = "undo_confirm_key"
	UndoCancelled  Key = "undo_cancelled"
	NothingToUndo  Key = "nothing_to_undo"

	// Override after a deny.
	OverrideTitle      Key = "override_title"
	OverrideWhat       Key = "override_what" // the denied verdict (string)
	OverridePick       Key = "override_pick"
	OverrideCancelled  Key = "override_cancelled"
	OverrideNotAllowed Key = "override_not_allowed"
	OverrideFailed     Key = "override_failed"
	OverridePaperTest  Key = "override_paper_test"
	OverrideStaff      Key = "override_staff"
	OverrideEmergency  Key = "override_emergency"

	// Durations, as people say them.
	DurDays    Key = "dur_days"    // days (int)
	DurHoursM  Key = "dur_hours_m" // hours, minutes (int, int)
	DurMinutes Key = "dur_minutes" // minutes (int)
	DurSeconds Key = "dur_seconds" // seconds (int)

	// Added with the screens wired to the catalogue.
	HelpScan             Key = "help_scan"
	HelpType             Key = "help_type"
	KeyBack              Key = "key_back"
	KeySamples           Key = "key_samples"
	KeyLangOrder         Key = "key_lang_order"
	DemoBanner           Key = "demo_banner"
	DemoMore             Key = "demo_more"
	ManualTitle          Key = "manual_title"
	ManualKeys           Key = "manual_keys"
	ManualTooLong        Key = "manual_too_long"
	ManualBack           Key = "manual_back"
	ManualRefusedLetters Key = "manual_refused_letters"
	ManualRefusedLong    Key = "manual_refused_long"
	ManualDiscarded      Key = "manual_discarded"
	ScanDiscarded        Key = "scan_discarded"
	StatsUndos           Key = "stats_undos"
	PassWindow           Key = "pass_window"
	StatusUntil          Key = "status_until"
	SettingsVenue        Key = "settings_venue"
	SettingsDoor         Key = "settings_door"
	SettingsDirection    Key = "settings_direction"
	SettingsLanguages    Key = "settings_languages"
	SettingsSnapshot     Key = "settings_snapshot"
	SettingsStore        Key = "settings_store"
	SettingsHub          Key = "settings_hub"
	SettingsNotSet       Key = "settings_not_set"
	SettingsSessionOnly  Key = "settings_session_only"
	DirectionFixed       Key = "direction_fixed"
	DirectionFailed      Key = "direction_failed"

	// First start: a kiosk with no config offers to be set up by
	// scanning a hub enrollment code.
	EnrollOffer      Key = "enroll_offer"
	EnrollTitle      Key = "enroll_title"
	EnrollHub        Key = "enroll_hub"     // hub URL (string, escaped)
	EnrollKey        Key = "enroll_key"     // key fingerprint (string)
	EnrollCompare    Key = "enroll_compare" // compare the key with the one enroll printed
	EnrollConfirmKey Key = "enroll_confirm_key"
	EnrollWorking    Key = "enroll_working"
	EnrollFailed     Key = "enroll_failed" // why (string, escaped)
	EnrollBack       Key = "enroll_back"
	EnrollDone       Key = "enroll_done" // venue · door (string, escaped)
	EnrollNoData     Key = "enroll_no_data"
	EnrollStarting   Key = "enroll_starting"
)
