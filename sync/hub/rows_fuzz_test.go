package hub

import (
	"regexp"
	"strings"
	"testing"
)

var digitRun = regexp.MustCompile(`[0-9]{6,}`)

// FuzzRowParser: no line makes the parser panic, and no error message
// repeats a run of digits from the input (an IIN must never reach a
// report or a log through an error).
func FuzzRowParser(f *testing.F) {
	for _, s := range []string{
		"900101400003,red,2026-12-20T00:00:00Z",
		`"900101400003","green",""`,
		"900101400004,red,",
		"9001 0140-0003,yellow,",
		`{"iin":"900101400003","status":"red","valid_until":"2026-12-20T00:00:00Z"}`,
		`{"iin":900101400003,"status":"red"}`,
		`"unterminated,red,`,
		"a,b,c,d",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, jsonl bool) {
		p := &rowParser{format: CSV, hasher: newSubjectHasher([]byte("0123456789abcdef")), cols: [3]int{0, 1, 2}, ncols: 3}
		if jsonl {
			p.format = JSONL
		}
		_, err := p.parse([]byte(line), 1)
		if err == nil {
			return
		}
		for _, run := range digitRun.FindAllString(line, -1) {
			if strings.Contains(err.Error(), run) {
				t.Fatalf("error %q repeats input digits %q", err, run)
			}
		}
	})
}

// FuzzHeader: no header line panics the header parser.
func FuzzHeader(f *testing.F) {
	f.Add("iin,status,valid_until")
	f.Add("\ufeffIIN , Status,valid_until\r")
	f.Fuzz(func(t *testing.T, line string) {
		cols, n, err := parseHeader([]byte(line))
		if err == nil && (n < 3 || cols[0] < 0 || cols[1] < 0 || cols[2] < 0) {
			t.Fatalf("accepted header %q: %v %d", line, cols, n)
		}
	})
}
