package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/doorcheck/doorcheck/scanner/qrimage"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/dcc/conformance"
)

func runDCC(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "dcc", dccSubcommands(), args)
}

func dccSubcommands() []subcommand {
	return []subcommand{
		{"test", "[--json] CASE.json...: run EU DCC test cases, print what our verifier computed", runDCCTest},
		{"trust", "trust import [--config FILE] TRUSTLIST.json: install DCC signing certificates", runDCCTrust},
	}
}

// runDCCTest runs conformance cases: the case's certificate is the only
// trusted signer and its validation clock is now. It prints what our code
// computed for each check the case's inputs allow, never the case's own
// expected results, so a reader compares the two; exit 1 only when a file
// cannot be read.
func runDCCTest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dcc test")
	asJSON := fs.Bool("json", false, "one JSON object per case")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no CASE.json given")
	}
	pic := func(ctx context.Context, png []byte) ([]string, error) {
		return qrimage.Decode(ctx, bytes.NewReader(png))
	}
	failed := 0
	enc := json.NewEncoder(e.stdout)
	for _, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		c, err := readCase(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %s\n", sanitize.Escape(path), errorText(err))
			failed++
			continue
		}
		got := conformance.Run(ctx, c, pic)
		if *asJSON {
			obj := map[string]any{"file": path}
			for k, v := range got {
				obj[k] = v
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
			continue
		}
		var parts []string
		for _, k := range conformance.Checks {
			if v, ok := got[k]; ok {
				parts = append(parts, fmt.Sprintf("%s=%v", strings.TrimPrefix(k, "EXPECTED"), v))
			}
		}
		fmt.Fprintf(e.stdout, "%s: %s\n", sanitize.Escape(path), strings.Join(parts, " "))
	}
	if failed > 0 {
		return exitError{exitFailure}
	}
	return nil
}

func readCase(path string) (*conformance.Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return conformance.Read(f)
}
