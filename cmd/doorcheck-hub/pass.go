package main

import (
	"context"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
)

// runPass prints a pass signed by the hub as pass issuer. The last line is
// the pass alone (base45 may hold a space, so it is the whole line).
func runPass(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "pass")
	data := fs.String("data", "", "hub data `directory` (required)")
	iin := fs.String("iin", "", "the holder's `IIN` (required; hashed, never stored or printed)")
	valid := fs.Duration("valid", time.Hour, "how long the pass is valid")
	notBefore := fs.String("not-before", "", "start of the window, RFC 3339 (default: now)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *iin == "" || fs.NArg() != 0 {
		return usagef("want --data DIR --iin IIN")
	}
	if *valid <= 0 {
		return usagef("--valid must be positive")
	}
	now := e.now().UTC()
	start := now
	if *notBefore != "" {
		t, err := time.Parse(time.RFC3339, *notBefore)
		if err != nil {
			return usagef("--not-before must be an RFC 3339 time")
		}
		start = t
	}
	_, keys, _, err := openData(*data)
	if err != nil {
		return err
	}
	payload, p, err := hub.IssuePass(keys, *iin, now, start, *valid)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "pass for subject %s by issuer %s, valid %s to %s\n", p.Subject.Masked(), p.Issuer,
		p.NotBefore.UTC().Format(time.RFC3339), p.ExpiresAt.UTC().Format(time.RFC3339))
	fmt.Fprintln(e.stdout, payload)
	return nil
}
