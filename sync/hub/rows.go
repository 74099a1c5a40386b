package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// InputFormat is the format of a status list.
type InputFormat int

const (
	// CSV: a header row naming the columns iin, status and valid_until (in
	// any order), then one row per person. Fields may be quoted.
	CSV InputFormat = iota
	// JSONL: one JSON object per line with the fields iin, status and
	// valid_until.
	JSONL
)

// ParseInputFormat parses "csv" or "jsonl".
func ParseInputFormat(s string) (InputFormat, error) {
	switch s {
	case "csv":
		return CSV, nil
	case "jsonl":
		return JSONL, nil
	}
	return 0, fmt.Errorf("format %q: want csv or jsonl", s)
}

func (f InputFormat) String() string {
	if f == JSONL {
		return "jsonl"
	}
	return "csv"
}

// MaxLineLength bounds one input line; a longer one is a row error.
const MaxLineLength = 4096

// RowError is one bad row. Msg never holds the row's IIN or any other
// field's value, so it can be printed and logged.
type RowError struct {
	Line int64
	Msg  string
}

func (e RowError) String() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// RowsError lists every bad row of an input that was therefore not
// published. Errors is capped (MaxReportedErrors); Total counts them all.
type RowsError struct {
	Errors []RowError
	Total  int
}

func (e *RowsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing published:", e.Total)
	for _, r := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(r.String())
	}
	if n := e.Total - len(e.Errors); n > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", n)
	}
	return b.String()
}

// row is one parsed, hashed row: blue rows are kept until duplicates have
// been found, then dropped (blue is the absence of an entry).
type row struct {
	entry wire.Entry
	line  int64
}

// rowParser turns one line into a row. It holds per-goroutine state.
type rowParser struct {
	format InputFormat
	hasher *subjectHasher
	// cols maps iin, status, valid_until to CSV column indexes.
	cols   [3]int
	ncols  int
	fields []string
}

const (
	colIIN = iota
	colStatus
	colUntil
)

var colNames = [3]string{"iin", "status", "valid_until"}

// parseHeader reads the CSV header row.
func parseHeader(line []byte) (cols [3]int, n int, err error) {
	fields, err := splitCSV(line, nil)
	if err != nil {
		return cols, 0, err
	}
	cols = [3]int{-1, -1, -1}
	for i, f := range fields {
		name := strings.ToLower(strings.TrimSpace(f))
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // a UTF-8 BOM from spreadsheet exports
		}
		found := false
		for c, want := range colNames {
			if name == want {
				if cols[c] >= 0 {
					return cols, 0, fmt.Errorf("header names column %s twice", want)
				}
				cols[c], found = i, true
			}
		}
		if !found {
			return cols, 0, fmt.Errorf("header column %d is not one of iin, status, valid_until", i+1)
		}
	}
	for c, i := range cols {
		if i < 0 {
			return cols, 0, fmt.Errorf("header lacks the column %s (want iin,status,valid_until)", colNames[c])
		}
	}
	return cols, len(fields), nil
}

// parse turns one line (without its newline) into a row.
func (p *rowParser) parse(line []byte, n int64) (row, error) {
	var iin, status, until string
	switch p.format {
	case CSV:
		var err error
		p.fields, err = splitCSV(line, p.fields[:0])
		if err != nil {
			return row{}, err
		}
		if len(p.fields) != p.ncols {
			return row{}, fmt.Errorf("%d fields, want %d", len(p.fields), p.ncols)
		}
		iin, status, until = p.fields[p.cols[colIIN]], p.fields[p.cols[colStatus]], p.fields[p.cols[colUntil]]
	case JSONL:
		var r struct {
			IIN        *string `json:"iin"`
			Status     *string `json:"status"`
			ValidUntil *string `json:"valid_until"`
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return row{}, errors.New(jsonProblem(err))
		}
		if dec.More() {
			return row{}, errors.New("more than one JSON value on the line")
		}
		if r.IIN == nil || r.Status == nil {
			return row{}, errors.New("object lacks iin or status")
		}
		iin, status = *r.IIN, *r.Status
		if r.ValidUntil != nil {
			until = *r.ValidUntil
		}
	}
	digits, err := parseIIN(iin)
	if err != nil {
		return row{}, fmt.Errorf("iin: %v", err)
	}
	st, err := parseStatus(status)
	if err != nil {
		return row{}, err
	}
	u, err := parseUntil(until)
	if err != nil {
		return row{}, err
	}
	return row{entry: wire.Entry{Subject: p.hasher.iin(digits), Status: st, Until: u}, line: n}, nil
}

// jsonProblem describes a JSON decoding error without quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s must be a string", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "unknown field (want iin, status, valid_until)"
	}
	return "not one JSON object"
}

func parseStatus(s string) (wire.Status, error) {
	st, err := wire.ParseStatus(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return 0, errors.New("status: want red, yellow, green or blue")
	}
	return st, nil
}

// parseUntil parses an RFC 3339 end time; empty means no set end.
// Fractions of a second are dropped.
func parseUntil(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, errors.New("valid_until: want an RFC 3339 time such as 2026-12-31T00:00:00Z, or nothing")
	}
	if u := t.Unix(); u <= 0 || u > math.MaxUint32 {
		return 0, errors.New("valid_until: outside 1970..2106")
	}
	return uint32(t.Unix()), nil
}

// splitCSV splits one CSV line into fields. A field may be quoted, with ""
// for a quote inside; a line holds no newline, so quoted newlines are not
// supported (no field of a status list has one).
func splitCSV(line []byte, fields []string) ([]string, error) {
	line = bytes.TrimSuffix(line, []byte("\r"))
	for {
		if len(line) > 0 && line[0] == '"' {
			var b strings.Builder
			i := 1
			for {
				j := bytes.IndexByte(line[i:], '"')
				if j < 0 {
					return nil, errors.New("unterminated quoted field")
				}
				b.Write(line[i : i+j])
				i += j + 1
				if i < len(line) && line[i] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			fields = append(fields, b.String())
			line = line[i:]
			if len(line) == 0 {
				return fields, nil
			}
			if line[0] != ',' {
				return nil, errors.New("text after a closing quote")
			}
			line = line[1:]
			continue
		}
		j := bytes.IndexByte(line, ',')
		if j < 0 {
			fields = append(fields, string(line))
			return fields, nil
		}
		fields = append(fields, string(line[:j]))
		line = line[j+1:]
	}
}

// rowErrors collects row errors up to a cap, counting all of them.
type rowErrors struct {
	max   int
	list  []RowError
	total int
}

func (r *rowErrors) add(line int64, err error) {
	r.total++
	r.list = append(r.list, RowError{Line: line, Msg: err.Error()})
	if len(r.list) > 2*r.max {
		r.trim()
	}
}

// trim keeps the errors of the lowest lines, so the report is the start of
// the file whatever order workers found them in.
func (r *rowErrors) trim() {
	sort.Slice(r.list, func(i, j int) bool { return r.list[i].Line < r.list[j].Line })
	if len(r.list) > r.max {
		r.list = r.list[:r.max]
	}
}

func (r *rowErrors) err() error {
	if r.total == 0 {
		return nil
	}
	r.trim()
	return &RowsError{Errors: r.list, Total: r.total}
}
