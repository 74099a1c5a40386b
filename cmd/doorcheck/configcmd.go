package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// runConfig is `doorcheck config check`: IT staff check a file before
// they install it, or after editing it on a kiosk, without starting the
// kiosk (which would take the terminal and the store lock).
func runConfig(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "config", []subcommand{
		{"check", "list every problem of a kiosk config, each with its field and line: --config FILE [--json]", runConfigCheck},
	}, args)
}

// configProblem is one problem as --json writes it, for fleet tooling.
type configProblem struct {
	File  string `json:"file"`
	Field string `json:"field,omitempty"`
	Line  int    `json:"line,omitempty"`
	Text  string `json:"problem"`
}

// runConfigCheck loads the file as the kiosk would (environment overrides
// included) and prints every problem, one per line as FILE:LINE: field:
// problem, so editors jump to it. The exit status is 1 when there is any.
func runConfigCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "config check")
	path := fs.String("config", "", "kiosk config `file` (default "+defaultConfigPath+", or $DOORCHECK_CONFIG)")
	asJSON := fs.Bool("json", false, "one JSON object: {file, ok, problems: [{field, line, problem}]}")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	file := *path
	if file == "" {
		file = e.getenv("DOORCHECK_CONFIG")
	}
	if file == "" {
		file = defaultConfigPath
	}
	problems := checkConfigFile(file, e.getenv)
	if *asJSON {
		out := struct {
			File     string          `json:"file"`
			OK       bool            `json:"ok"`
			Problems []configProblem `json:"problems"`
		}{file, len(problems) == 0, problems}
		if out.Problems == nil {
			out.Problems = []configProblem{}
		}
		b, _ := json.Marshal(out)
		fmt.Fprintf(e.stdout, "%s\n", b)
	} else {
		for _, p := range problems {
			fmt.Fprintln(e.stdout, sanitize.EscapeLimit(p.String(), maxErrorLine))
		}
		if len(problems) == 0 {
			fmt.Fprintf(e.stdout, "%s: ok\n", sanitize.Escape(file))
		} else {
			noun := "problems"
			if len(problems) == 1 {
				noun = "problem"
			}
			fmt.Fprintf(e.stdout, "%s: %d %s\n", sanitize.Escape(file), len(problems), noun)
		}
	}
	if len(problems) > 0 {
		return exitError{exitFailure}
	}
	return nil
}

func (p configProblem) String() string {
	s := p.File
	if p.Line > 0 {
		s += fmt.Sprintf(":%d", p.Line)
	}
	s += ": "
	if p.Field != "" {
		s += p.Field + ": "
	}
	return s + p.Text
}

// checkConfigFile returns every problem of the file, none when it is a
// valid kiosk config.
func checkConfigFile(file string, getenv func(string) string) []configProblem {
	_, err := config.LoadEnv(file, getenv)
	var out []configProblem
	for _, p := range config.Problems(err) {
		// The file is named once per line already.
		text := strings.TrimPrefix(p.Text, "config "+file+": ")
		out = append(out, configProblem{File: file, Field: p.Field, Line: p.Line, Text: text})
	}
	return out
}
