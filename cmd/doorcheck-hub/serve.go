package main

import "context"

// runServe is the next increment; it already refuses bad key files.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	data := fs.String("data", "", "hub data `directory` (required)")
	fs.String("addr", "", "listen address")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, _, _, err := openData(*data); err != nil {
		return err
	}
	return usagef("serve is not built yet")
}
