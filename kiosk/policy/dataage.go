package policy

import "time"

// DefaultMaxDataAge is the hard data age limit when Rules.MaxDataAge is
// zero. A week covers a kiosk left offline over a long weekend with days to
// spare, yet a status list a week old no longer says who is in isolation
// today.
const DefaultMaxDataAge = 7 * 24 * time.Hour

// DataAgeLimit returns the hard age limit in force: MaxDataAge, or
// DefaultMaxDataAge when that is zero or negative. The limit cannot be
// turned off: a kiosk whose clock has run to the far future must not find
// every status ended and admit everyone as blue.
func (r Rules) DataAgeLimit() time.Duration {
	if r.MaxDataAge <= 0 {
		return DefaultMaxDataAge
	}
	return r.MaxDataAge
}

// DataTooOld reports whether snapshot data of this age (now minus the
// snapshot's creation) is beyond the hard limit. Data exactly at the limit
// still decides.
//
// Unlike staleness (MaxAge, Stale), which is the venue's choice to warn or
// deny, data too old is not a denial: the kiosk cannot tell what the
// visitor's status is today, so the checker gives no status at all (NOT
// VERIFIED data_too_old). That is why Decide does not apply this limit; it
// is checked before the status is looked up.
func (r Rules) DataTooOld(age time.Duration) bool { return age > r.DataAgeLimit() }
