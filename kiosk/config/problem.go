package config

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one thing wrong in a config file: the field it is about, the
// line it is written on, and what is wrong. Parse and Load return every
// problem of a file joined (errors.Join), so `doorcheck config check` and
// the kiosk's start-up message list them all; Problems takes them apart
// again for tools that want the fields rather than the text.
type Problem struct {
	// Field is the dotted field path ("policy.schedule[0].days"); empty
	// for a problem with the file as a whole (two YAML documents).
	Field string
	// Line is the 1-based line the field (or, for a field left out, the
	// nearest section written) is on; 0 when the file does not say, as
	// for a required field in an empty file.
	Line int
	Text string
}

// Error reads "field: line N: text", the form every config message has
// had, so people and scripts find the field first.
func (p *Problem) Error() string {
	var b strings.Builder
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	b.WriteString(p.Text)
	return b.String()
}

// Problems returns the problems an error from Parse, Load or Validate
// holds, in order; an error that is not about the file's content (it
// could not be read or is not YAML) comes back as one Problem with no
// field.
func Problems(err error) []*Problem {
	if err == nil {
		return nil
	}
	var out []*Problem
	var walk func(error)
	walk = func(e error) {
		if p, ok := e.(*Problem); ok {
			out = append(out, p)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
			return
		}
		// Load prefixes the file name: look through it.
		var p *Problem
		if u := errors.Unwrap(e); u != nil && errors.As(u, &p) {
			walk(u)
			return
		}
		out = append(out, &Problem{Text: e.Error()})
	}
	walk(err)
	return out
}

// fieldProblem splits a validation message "field: text" into a Problem.
// Validate's messages all start with their field path.
func fieldProblem(err error) *Problem {
	if p, ok := err.(*Problem); ok {
		return p
	}
	msg := err.Error()
	i := strings.Index(msg, ": ")
	if i <= 0 || strings.ContainsAny(msg[:i], " \t") {
		return &Problem{Text: msg}
	}
	return &Problem{Field: msg[:i], Text: msg[i+2:]}
}
