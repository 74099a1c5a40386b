package catalog

import "github.com/doorcheck/doorcheck/sync/reason"

func enReasons() reasonText {
	return reasonText{
		plain: map[reason.Code]string{
			reason.UnknownFormat:      "not a pass or an IIN",
			reason.Malformed:          "damaged pass",
			reason.BadChecksum:        "IIN check digit is wrong",
			reason.NeverIssued:        "IIN is never issued",
			reason.BadSignature:       "pass signature is invalid",
			reason.UnknownIssuer:      "pass issuer is not trusted",
			reason.Expired:            "pass has expired",
			reason.NotYetValid:        "pass is not valid yet",
			reason.UntrustworthyClock: "device clock is wrong",
			reason.NoSnapshot:         "no status data on this device",
			reason.TooLong:            "input too long",
			reason.DataTooOld:         "status data is too old to decide",
			reason.StoreCorrupt:       "status data on this device is damaged",
			reason.StoreUnreadable:    "status data on this device cannot be read",
			reason.Isolation:          "in isolation",
			reason.Contact:            "contact of a case",
			reason.TestRequired:       "test or vaccination required",
			reason.Schedule:           "not admitted at this time",
			reason.StatusNotAdmitted:  "status not admitted here",
			reason.Full:               "venue is full",
			reason.Reentry:            "already inside",
			reason.StaleSnapshot:      "status data is out of date",
			reason.ClockJumped:        "device clock jumped",
			reason.DCCExpired:         "COVID certificate has expired",
			reason.DCCBadSignature:    "COVID certificate signature is invalid",
			reason.DCCUnknownSigner:   "COVID certificate signer is not trusted",
			reason.DCCNotYetValid:     "COVID certificate is not valid yet",
			reason.DCCRuleFailed:      "COVID certificate does not meet this venue's rules",
		},
		detailed: map[reason.Code]string{
			reason.Expired:       "pass expired %s ago",
			reason.NotYetValid:   "pass is not valid yet: starts in %s",
			reason.Reentry:       "already inside: entered at %s, no exit recorded",
			reason.Full:          "venue is full %d/%d",
			reason.StaleSnapshot: "status data is out of date: %s old",
			reason.DataTooOld:    "status data is too old to decide: %s old",
		},
	}
}
