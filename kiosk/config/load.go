package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/doorcheck/doorcheck/kiosk/policy"
)

// Load reads and validates a config file. A relative store path is taken
// relative to the file's directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates config text over Defaults; dir resolves a
// relative store path. The error joins every problem found (see
// errors.Join), each starting with the field path it is about.
func Parse(data []byte, dir string) (*Config, error) {
	// A first pass into a node tree finds syntax errors and gives each
	// line the field path written on it, for the decoder's messages,
	// which only know line numbers.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	paths := linePaths(&root)

	c := Defaults()
	f := file{Policy: c.Policy, Store: c.Store, Hub: c.Hub, Scanner: c.Scanner, DCC: c.DCC, UI: c.UI, Log: c.Log}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var problems []error
	duplicate := false
	err := dec.Decode(&f)
	var typeErr *yaml.TypeError
	switch {
	case err == nil || errors.Is(err, io.EOF): // an empty file is all defaults
	case errors.As(err, &typeErr):
		for _, msg := range typeErr.Errors {
			problems = append(problems, decodeProblem(msg, paths))
			// A repeated key makes the decoder skip its whole mapping,
			// so the fields read would not be the ones written, and
			// validating them would only report phantom problems.
			duplicate = duplicate || duplicateRe.MatchString(msg)
		}
	default:
		return nil, fmt.Errorf("decode YAML: %w", err)
	}
	if err == nil && dec.Decode(new(yaml.Node)) != io.EOF {
		problems = append(problems, &Problem{Text: "more than one YAML document: a config file holds one"})
	}

	c.Kiosk = Kiosk{ID: f.Kiosk.ID, Venue: f.Kiosk.Venue, Door: f.Kiosk.Door, Direction: policy.Entry}
	if d := f.Kiosk.Direction; d.Kind != 0 {
		dir, err := policy.ParseDirection(d.Value)
		if d.Kind != yaml.ScalarNode || err != nil {
			problems = append(problems, &Problem{Field: "kiosk.direction", Line: d.Line, Text: fmt.Sprintf("want entry or exit, got %q", d.Value)})
		}
		c.Kiosk.Direction = dir
	}
	c.Policy, c.Store, c.Hub, c.Scanner, c.DCC, c.UI, c.Log = f.Policy, f.Store, f.Hub, f.Scanner, f.DCC, f.UI, f.Log
	if c.Log.File != "" && !filepath.IsAbs(c.Log.File) {
		c.Log.File = filepath.Join(dir, c.Log.File)
	}
	if c.UI.AdminPINFile != "" && !filepath.IsAbs(c.UI.AdminPINFile) {
		c.UI.AdminPINFile = filepath.Join(dir, c.UI.AdminPINFile)
	}
	if c.DCC.TrustFile != "" && !filepath.IsAbs(c.DCC.TrustFile) {
		c.DCC.TrustFile = filepath.Join(dir, c.DCC.TrustFile)
	}
	if c.Store.Path != "" && !filepath.IsAbs(c.Store.Path) {
		c.Store.Path = filepath.Join(dir, c.Store.Path)
	}
	if c.Store.SnapshotPath != "" && !filepath.IsAbs(c.Store.SnapshotPath) {
		c.Store.SnapshotPath = filepath.Join(dir, c.Store.SnapshotPath)
	}
	if c.Hub.CredentialFile != "" && !filepath.IsAbs(c.Hub.CredentialFile) {
		c.Hub.CredentialFile = filepath.Join(dir, c.Hub.CredentialFile)
	}
	if duplicate {
		return nil, errors.Join(problems...)
	}
	if err := c.Validate(); err != nil {
		lines := fieldLines(&root)
		for _, p := range Problems(err) {
			p.Line = lineOf(lines, p.Field)
			problems = append(problems, p)
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return c, nil
}

// file is Config as the decoder fills it. The direction is kept as its
// node so that a bad value is reported with its line among the other
// problems, instead of stopping the decoder (policy.Direction's text
// unmarshaler fails hard, without a line).
type file struct {
	Kiosk struct {
		ID        string    `yaml:"id"`
		Venue     string    `yaml:"venue"`
		Door      string    `yaml:"door"`
		Direction yaml.Node `yaml:"direction"`
	} `yaml:"kiosk"`
	Policy  Policy  `yaml:"policy"`
	Store   Store   `yaml:"store"`
	Hub     Hub     `yaml:"hub"`
	Scanner Scanner `yaml:"scanner"`
	DCC     DCC     `yaml:"dcc"`
	UI      UI      `yaml:"ui"`
	Log     Log     `yaml:"log"`
}

// linePaths maps each line to the field path of what is written on it. A
// line holding several fields ({id: k, venue: v}) gets their common
// prefix (kiosk).
func linePaths(root *yaml.Node) map[int]string {
	elems := make(map[int][]string)
	note := func(line int, path []string) {
		old, ok := elems[line]
		if !ok {
			elems[line] = path
			return
		}
		n := 0
		for n < len(old) && n < len(path) && old[n] == path[n] {
			n++
		}
		elems[line] = old[:n]
	}
	var walk func(n *yaml.Node, path []string)
	walk = func(n *yaml.Node, path []string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := append(path[:len(path):len(path)], n.Content[i].Value)
				note(n.Content[i].Line, p)
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, append(path[:len(path):len(path)], "["+strconv.Itoa(i)+"]"))
			}
		case yaml.ScalarNode:
			note(n.Line, path)
		}
	}
	walk(root, nil)
	paths := make(map[int]string, len(elems))
	for line, p := range elems {
		var b strings.Builder
		for i, e := range p {
			if i > 0 && !strings.HasPrefix(e, "[") {
				b.WriteByte('.')
			}
			b.WriteString(e)
		}
		paths[line] = b.String()
	}
	return paths
}

var (
	lineRe      = regexp.MustCompile(`^line (\d+): (.*)$`)
	notFoundRe  = regexp.MustCompile(`^field (.*) not found in type .*$`)
	duplicateRe = regexp.MustCompile(`^line \d+: mapping key (.*) already defined at line (\d+)$`)
)

// decodeProblem turns one of the decoder's "line N: …" messages into a
// problem that starts with its field path.
func decodeProblem(msg string, paths map[int]string) *Problem {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return &Problem{Text: msg}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if nf := notFoundRe.FindStringSubmatch(text); nf != nil {
		text = fmt.Sprintf("unknown field %q", nf[1])
	}
	if dup := duplicateRe.FindStringSubmatch(msg); dup != nil {
		text = fmt.Sprintf("%s given twice (first at line %s)", dup[1], dup[2])
	}
	return &Problem{Field: paths[line], Line: line, Text: text}
}
