package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Demo returns the settings of `--demo`: a standard entry door with demo
// identity, pinned to the built-in demo hub key. The caller sets the store
// path.
func Demo() *Config {
	c := Defaults()
	c.Kiosk = Kiosk{ID: "demo-kiosk", Venue: "demo-venue", Door: "main", Direction: policy.Entry}
	c.Policy.Capacity = 50
	key := demo.HubPublicKey()
	c.Hub = Hub{KeyID: wire.KeyIDOf(key).String(), PublicKey: base64.StdEncoding.EncodeToString(key)}
	c.demo = true
	return c
}

// Rules returns the venue policy.
func (c *Config) Rules() (policy.Rules, error) {
	admitted, err := c.Policy.Admitted.Set()
	if err != nil {
		return policy.Rules{}, fmt.Errorf("policy.admitted: %w", err)
	}
	r := policy.Rules{Admitted: admitted, Capacity: c.Policy.Capacity, MaxAge: c.Policy.MaxAge.Duration,
		MaxDataAge: c.Policy.MaxDataAge.Duration}
	if r.Reentry, err = policy.ParseMode(c.Policy.Reentry); err != nil {
		return policy.Rules{}, fmt.Errorf("policy.reentry: %w", err)
	}
	if r.Stale, err = policy.ParseMode(c.Policy.Stale); err != nil {
		return policy.Rules{}, fmt.Errorf("policy.stale: %w", err)
	}
	for i, s := range c.Policy.Schedule {
		rule, err := s.rule()
		if err != nil {
			return policy.Rules{}, fmt.Errorf("policy.schedule[%d].%w", i, err)
		}
		r.Schedule = append(r.Schedule, rule)
	}
	return r, nil
}

// Location returns the venue's time zone. "Local" (or empty) is the
// system's zone.
func (c *Config) Location() (*time.Location, error) {
	if c.Policy.TimeZone == "" || c.Policy.TimeZone == "Local" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(c.Policy.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: want an IANA name like Asia/Almaty, or Local", c.Policy.TimeZone)
	}
	return loc, nil
}

// HubKey returns the pinned hub key. A kiosk without one cannot import
// snapshots.
func (c *Config) HubKey() (ed25519.PublicKey, error) {
	if strings.TrimSpace(c.Hub.PublicKey) == "" {
		return nil, errors.New("hub.public_key: no hub key pinned; snapshots cannot be verified")
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.Hub.PublicKey))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("hub.public_key: want %d bytes of base64 (an Ed25519 public key)", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// HubKeyID is the id of the pinned hub key, for display; empty when no
// valid key is pinned.
func (c *Config) HubKeyID() string {
	k, err := c.HubKey()
	if err != nil {
		return ""
	}
	return wire.KeyIDOf(k).String()
}

// rule converts the rule. Its errors start with the field they are about
// (days, from, to, admitted), for the caller to prefix with the rule's
// path.
func (s ScheduleRule) rule() (policy.ScheduleRule, error) {
	r := policy.ScheduleRule{Name: s.Name}
	var err error
	if r.Admitted, err = s.Admitted.Set(); err != nil {
		return r, fmt.Errorf("admitted: %w", err)
	}
	for _, d := range s.Days {
		days, ok := weekdays(d)
		if !ok {
			return r, fmt.Errorf("days: %q is not a day (want mon … sun, monday … sunday, weekdays or weekend)", d)
		}
		r.Days = append(r.Days, days...)
	}
	switch {
	case s.From != "" && s.To == "":
		return r, errors.New("to: required with from (leave both out for all day)")
	case s.From == "" && s.To != "":
		return r, errors.New("from: required with to (leave both out for all day)")
	}
	if s.From != "" {
		if r.From, err = policy.ParseClockTime(s.From); err != nil {
			return r, fmt.Errorf("from: %w", err)
		}
		if r.To, err = policy.ParseClockTime(s.To); err != nil {
			return r, fmt.Errorf("to: %w", err)
		}
		if r.From == r.To {
			return r, fmt.Errorf("to: equal to from (%s); leave both out for all day", s.From)
		}
	}
	return r, nil
}

// weekdays parses a day name, case-insensitively: a three-letter or full
// English name, or "weekdays" (Monday to Friday) or "weekend".
func weekdays(name string) ([]time.Weekday, bool) {
	key := strings.ToLower(strings.TrimSpace(name))
	switch key {
	case "weekdays":
		return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, true
	case "weekend", "weekends":
		return []time.Weekday{time.Saturday, time.Sunday}, true
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		full := strings.ToLower(d.String())
		if key == full || key == full[:3] {
			return []time.Weekday{d}, true
		}
	}
	return nil, false
}
