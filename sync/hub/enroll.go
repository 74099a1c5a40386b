package hub

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// EnrollOptions say what one enrollment code is for.
type EnrollOptions struct {
	Venue, Door string
	Direction   visit.Direction
	// URL is the hub's base URL the kiosk will talk to.
	URL string
	// TTL is how long the code can be redeemed (default 24 h).
	TTL  time.Duration
	Now  time.Time
	Rand io.Reader // default crypto/rand
}

// ValidateName checks a venue or door name: 1..64 of A-Z a-z 0-9 . _ : -,
// so names are safe on every screen and log they reach.
func ValidateName(what, s string) error {
	if s == "" || len(s) > visit.MaxNameLen {
		return fmt.Errorf("%s must be 1..%d characters", what, visit.MaxNameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return fmt.Errorf("%s may hold only letters, digits and . _ : -", what)
		}
	}
	return nil
}

// Enroll makes a one-time enrollment code and stores its token's hash. The
// token itself exists only in the returned code.
func Enroll(ctx context.Context, st Storage, keys Keys, o EnrollOptions) (protocol.EnrollCode, Enrollment, error) {
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.TTL == 0 {
		o.TTL = 24 * time.Hour
	}
	var errs []error
	for what, v := range map[string]string{"venue": o.Venue, "door": o.Door} {
		if err := ValidateName(what, v); err != nil {
			errs = append(errs, err)
		}
	}
	if !o.Direction.Valid() {
		errs = append(errs, errors.New("direction must be entry or exit"))
	}
	if o.TTL < 0 {
		errs = append(errs, errors.New("expiry must be positive"))
	}
	code := protocol.EnrollCode{Handshake: protocol.Handshake, KeyFingerprint: protocol.Fingerprint(keys.HubPublic()), URL: strings.TrimSuffix(o.URL, "/")}
	if err := code.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return protocol.EnrollCode{}, Enrollment{}, err
	}
	if _, err := io.ReadFull(o.Rand, code.Token[:]); err != nil {
		return protocol.EnrollCode{}, Enrollment{}, fmt.Errorf("enrollment token: %w", err)
	}
	now := o.Now.UTC()
	e := Enrollment{
		Token: HashToken(code.Token[:]), Venue: o.Venue, Door: o.Door, Direction: o.Direction,
		CreatedAt: now, ExpiresAt: now.Add(o.TTL),
	}
	if err := st.CreateEnrollment(ctx, e); err != nil {
		return protocol.EnrollCode{}, Enrollment{}, err
	}
	return code, e, nil
}

// kioskIDEncoding spells kiosk ids in lowercase base32 without padding.
var kioskIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newKioskID returns "k-" and 16 base32 characters (80 random bits).
func newKioskID(r io.Reader) (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("kiosk id: %w", err)
	}
	return "k-" + kioskIDEncoding.EncodeToString(b[:]), nil
}
