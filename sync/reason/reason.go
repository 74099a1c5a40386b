// Package reason defines the short machine-readable codes that explain a
// verdict. They appear in JSON output, visit records and upstream logs, so
// existing codes never change meaning; new ones may be added.
package reason

// Code is one machine-readable reason, such as "bad_checksum".
type Code string

// Reasons a payload is NOT VERIFIED: the kiosk could not establish who the
// visitor is, so no status colour is shown.
const (
	UnknownFormat      Code = "unknown_format"      // neither an IIN nor a known pass format
	Malformed          Code = "malformed"           // right prefix, broken structure or encoding
	BadChecksum        Code = "bad_checksum"        // IIN check digit does not match
	NeverIssued        Code = "never_issued"        // IIN whose check digit is 10 in both rounds
	BadSignature       Code = "bad_signature"       // pass signature does not verify
	UnknownIssuer      Code = "unknown_issuer"      // pass issuer not in the snapshot's trust list
	Expired            Code = "expired"             // pass window ended
	NotYetValid        Code = "not_yet_valid"       // pass window not started
	UntrustworthyClock Code = "untrustworthy_clock" // system time earlier than the latest time the kiosk trusts (snapshot creation, its last visit, the hub's time)
	NoSnapshot         Code = "no_snapshot"         // no status snapshot has been imported yet
	TooLong            Code = "too_long"            // payload over the length limit
	DataTooOld         Code = "data_too_old"        // snapshot older than the hard age limit: no colour from data this old
	StoreCorrupt       Code = "store_corrupt"       // the stored snapshot (or a store read) failed its integrity check
	StoreUnreadable    Code = "store_unreadable"    // a store read failed (I/O error, store closed): nothing to decide from
)

// Reasons a verified visitor is denied, or admitted with a warning.
const (
	Isolation         Code = "isolation"           // red status
	Contact           Code = "contact"             // yellow status
	TestRequired      Code = "test_required"       // blue at a venue that admits green only
	Schedule          Code = "schedule"            // a schedule rule excludes this status now
	StatusNotAdmitted Code = "status_not_admitted" // a custom admitted set excludes this status
	Full              Code = "full"                // venue at capacity
	Reentry           Code = "reentry"             // already entered, no exit recorded
	StaleSnapshot     Code = "stale_snapshot"      // snapshot older than the configured maximum age
	ClockJumped       Code = "clock_jumped"        // wall clock moved implausibly against the monotonic clock
)

// Reasons an EU Digital COVID Certificate (sync/dcc) is NOT VERIFIED.
// Separate from the pass codes because a DCC's signer, times and rules are
// the issuing country's, not this system's.
const (
	DCCExpired       Code = "dcc_expired"        // certificate (CWT expiry) or its validity under the venue rules ended
	DCCBadSignature  Code = "dcc_bad_signature"  // no candidate signer's key verifies the signature
	DCCUnknownSigner Code = "dcc_unknown_signer" // no trusted signer has the key id (or may sign this type)
	DCCNotYetValid   Code = "dcc_not_yet_valid"  // issued in the future, or the rule's validity has not started
	DCCRuleFailed    Code = "dcc_rule_failed"    // verified, but no venue rule admits it
)

// Describe returns a short English sentence for a code, for screens and
// logs. Unknown codes describe themselves.
func Describe(c Code) string {
	switch c {
	case UnknownFormat:
		return "not a pass or an IIN"
	case Malformed:
		return "damaged pass"
	case BadChecksum:
		return "IIN check digit is wrong"
	case NeverIssued:
		return "IIN is never issued"
	case BadSignature:
		return "pass signature is invalid"
	case UnknownIssuer:
		return "pass issuer is not trusted"
	case Expired:
		return "pass has expired"
	case NotYetValid:
		return "pass is not valid yet"
	case UntrustworthyClock:
		return "device clock is wrong"
	case NoSnapshot:
		return "no status data on this device"
	case TooLong:
		return "input too long"
	case DataTooOld:
		return "status data is too old to decide"
	case StoreCorrupt:
		return "status data on this device is damaged"
	case StoreUnreadable:
		return "status data on this device cannot be read"
	case Isolation:
		return "in isolation"
	case Contact:
		return "contact of a case"
	case TestRequired:
		return "test or vaccination required"
	case Schedule:
		return "not admitted at this time"
	case StatusNotAdmitted:
		return "status not admitted here"
	case Full:
		return "venue is full"
	case Reentry:
		return "already inside"
	case StaleSnapshot:
		return "status data is out of date"
	case ClockJumped:
		return "device clock jumped"
	case DCCExpired:
		return "COVID certificate has expired"
	case DCCBadSignature:
		return "COVID certificate signature is invalid"
	case DCCUnknownSigner:
		return "COVID certificate signer is not trusted"
	case DCCNotYetValid:
		return "COVID certificate is not valid yet"
	case DCCRuleFailed:
		return "COVID certificate does not meet this venue's rules"
	}
	return string(c)
}
