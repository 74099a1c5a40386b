package hub_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/transfer"
	"github.com/doorcheck/doorcheck/sync/wire"
)

type fixture struct {
	d    hub.DataDir
	st   hub.Storage
	keys hub.Keys
	cfg  hub.Config
	now  time.Time
}

// newFixture makes a data directory with keys and a fresh storage of a
// backend (backends_test.go).
func newFixture(t *testing.T, backend string) *fixture {
	t.Helper()
	d := hub.DataDir(filepath.Join(t.TempDir(), "data"))
	cfg := hub.Config{Deployment: "test", IssuerName: "test issuer"}
	keys, err := hub.Keygen(d, cfg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	st := openStorage(t, backend, d)
	return &fixture{d: d, st: st, keys: keys, cfg: cfg, now: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)}
}

func (f *fixture) importText(t *testing.T, format hub.InputFormat, text string, runRows int) (*hub.ImportResult, error) {
	t.Helper()
	f.now = f.now.Add(time.Hour)
	return hub.Import(context.Background(), f.d, f.st, f.keys, f.cfg, strings.NewReader(text), hub.ImportOptions{
		Format: format, Now: func() time.Time { return f.now }, RunRows: runRows,
	})
}

// iins returns n checksum-valid IINs.
func iins(n int) []string {
	var out []string
	for p := 85010100000; len(out) < n; p += 7 {
		if iin, ok := pass.MakeIIN(fmt.Sprintf("%011d", p)); ok {
			out = append(out, iin)
		}
	}
	return out
}

type person struct {
	iin    string
	status wire.Status
	until  time.Time
}

func csvOf(people []person) string {
	var b strings.Builder
	b.WriteString("iin,status,valid_until\n")
	for _, p := range people {
		u := ""
		if !p.until.IsZero() {
			u = p.until.Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", p.iin, p.status, u)
	}
	return b.String()
}

func jsonlOf(people []person) string {
	var b strings.Builder
	for _, p := range people {
		if p.until.IsZero() {
			fmt.Fprintf(&b, "{\"iin\":%q,\"status\":%q}\n", p.iin, p.status)
		} else {
			fmt.Fprintf(&b, "{\"iin\":%q,\"status\":%q,\"valid_until\":%q}\n", p.iin, p.status, p.until.Format(time.RFC3339))
		}
	}
	return b.String()
}

// expected is what a kiosk must find: listed people's entries, sorted.
func expected(keys hub.Keys, people []person) []wire.Entry {
	h := wire.NewSubjectHasher(keys.SubjectHash)
	var out []wire.Entry
	for _, p := range people {
		if p.status == wire.Blue {
			continue
		}
		e := wire.Entry{Subject: h.IIN(p.iin), Status: p.status}
		if !p.until.IsZero() {
			e.Until = uint32(p.until.Unix())
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b wire.Entry) int { return wire.CompareSubjects(a.Subject, b.Subject) })
	return out
}

func people(ids []string, shift int) []person {
	statuses := []wire.Status{wire.Red, wire.Yellow, wire.Green, wire.Green, wire.Blue}
	until := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	var out []person
	for i, iin := range ids {
		p := person{iin: iin, status: statuses[(i+shift)%len(statuses)]}
		if i%3 == 0 {
			p.until = until.Add(time.Duration(i+shift) * time.Hour)
		}
		out = append(out, p)
	}
	return out
}

func readFull(t *testing.T, f *fixture, name string) (*wire.Manifest, []wire.Entry) {
	t.Helper()
	file, err := os.Open(filepath.Join(f.d.FilesDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, err := wire.Open(file, f.keys.HubPublic())
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return r.Manifest, out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

func readDelta(t *testing.T, f *fixture, name string) (*wire.Manifest, []wire.Change) {
	t.Helper()
	file, err := os.Open(filepath.Join(f.d.FilesDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, err := wire.Open(file, f.keys.HubPublic())
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.Change
	for {
		c, err := r.NextChange()
		if err == io.EOF {
			return r.Manifest, out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

func TestImportPublishesFullAndDelta(t *testing.T) {
	for _, tc := range []struct {
		name    string
		format  hub.InputFormat
		runRows int
	}{
		{"csv in memory", hub.CSV, 0},
		{"csv in runs on disk", hub.CSV, 7},
		{"jsonl", hub.JSONL, 0},
	} {
		for _, backend := range backends {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				f := newFixture(t, backend)
				ids := iins(100)
				v1 := people(ids[:80], 0)
				// 5 gone, 5 new, 3 changed status, 2 changed end.
				v2 := append(slices.Clone(v1[5:]), people(ids[80:85], 0)...)
				v2[0].status, v2[1].status, v2[2].status = wire.Green, wire.Red, wire.Blue
				v2[3].until, v2[4].until = time.Time{}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
				text := csvOf
				if tc.format == hub.JSONL {
					text = jsonlOf
				}
				res, err := f.importText(t, tc.format, text(v1), tc.runRows)
				if err != nil {
					t.Fatal(err)
				}
				want1 := expected(f.keys, v1)
				if res.Version.Version != 1 || res.Rows != 80 || res.Version.Entries != uint64(len(want1)) || res.Blue != 16 || res.Version.HasDelta() {
					t.Fatalf("first import: %+v", res)
				}
				if res.Version.Red+res.Version.Yellow+res.Version.Green != res.Version.Entries || res.Version.Red != 16 {
					t.Fatalf("counts: %+v", res.Version)
				}
				m, got := readFull(t, f, "full-1.dcsnap")
				if !slices.Equal(got, want1) {
					t.Fatal("full snapshot 1 does not hold the imported entries")
				}
				if m.Deployment != "test" || len(m.Issuers) != 1 || !bytes.Equal(m.Issuers[0].PublicKey, f.keys.IssuerPublic()) || !bytes.Equal(m.SubjectHashKey, f.keys.SubjectHash) {
					t.Fatalf("manifest: %+v", m)
				}

				res, err = f.importText(t, tc.format, text(v2), tc.runRows)
				if err != nil {
					t.Fatal(err)
				}
				want2 := expected(f.keys, v2)
				if res.Version.Version != 2 || !res.Version.HasDelta() || res.Version.Delta.Name != "delta-1-2.dcsnap" || res.DeltaRecords == 0 {
					t.Fatalf("second import: %+v", res)
				}
				if _, got := readFull(t, f, "full-2.dcsnap"); !slices.Equal(got, want2) {
					t.Fatal("full snapshot 2 does not hold the imported entries")
				}
				dm, changes := readDelta(t, f, "delta-1-2.dcsnap")
				if dm.BaseVersion != 1 || dm.ResultEntries != uint64(len(want2)) || uint64(len(changes)) != res.DeltaRecords {
					t.Fatalf("delta manifest: %+v", dm)
				}
				applied := slices.Collect(wire.Apply(slices.Values(want1), slices.Values(changes)))
				if !slices.Equal(applied, want2) {
					t.Fatal("snapshot 1 + delta 1→2 is not snapshot 2")
				}

				doc, err := os.ReadFile(f.d.ManifestFile())
				if err != nil {
					t.Fatal(err)
				}
				x, err := protocol.VerifyIndex(doc, f.keys.HubPublic())
				if err != nil {
					t.Fatal(err)
				}
				if x.Version != 2 || x.Full != res.Version.Full || len(x.Deltas) != 1 || x.Deltas[0] != res.Version.Delta {
					t.Fatalf("index: %+v", x)
				}
				// The transfer form decodes to exactly the full file.
				if x.Transfer == nil || x.Transfer.Name != "full-2.dcx" {
					t.Fatalf("index transfer: %+v", x.Transfer)
				}
				xf, _ := os.ReadFile(filepath.Join(f.d.FilesDir(), x.Transfer.Name))
				fullBytes, _ := os.ReadFile(filepath.Join(f.d.FilesDir(), x.Full.Name))
				var decoded bytes.Buffer
				if err := transfer.Decode(&decoded, bytes.NewReader(xf)); err != nil || !bytes.Equal(decoded.Bytes(), fullBytes) || int64(len(xf)) != x.Transfer.Size {
					t.Fatalf("transfer form does not decode to the full file: %v", err)
				}
				assertNoIIN(t, f.d, ids)
			})
		}
	}
}

// TestImportInRunsIsByteIdentical: sorting in runs on disk changes nothing
// in what is published.
func TestImportInRunsIsByteIdentical(t *testing.T) {
	ids := iins(300)
	var files [2][]byte
	for i, runRows := range []int{0, 13} {
		f := newFixture(t, "bbolt")
		f.keys = mustKeys(t, f.keys)
		if _, err := f.importText(t, hub.CSV, csvOf(people(ids, 0)), runRows); err != nil {
			t.Fatal(err)
		}
		_, entries := readFull(t, f, "full-1.dcsnap")
		var b bytes.Buffer
		for _, e := range entries {
			b.Write(wire.AppendEntry(nil, e))
		}
		files[i] = b.Bytes()
	}
	if !bytes.Equal(files[0], files[1]) || len(files[0]) == 0 {
		t.Fatal("in-memory and on-disk sorts published different entries")
	}
}

// mustKeys swaps in a fixed subject-hash key so two fixtures hash alike.
func mustKeys(t *testing.T, k hub.Keys) hub.Keys {
	k.SubjectHash = bytes.Repeat([]byte{7}, 32)
	return k
}

func TestImportHeaderOnlyIsAnEmptySnapshot(t *testing.T) {
	forBackends(t, testImportHeaderOnly)
}

func testImportHeaderOnly(t *testing.T, backend string) {
	f := newFixture(t, backend)
	res, err := f.importText(t, hub.CSV, "iin,status,valid_until\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version.Version != 1 || res.Version.Entries != 0 || res.Rows != 0 {
		t.Fatalf("%+v", res)
	}
	m, entries := readFull(t, f, "full-1.dcsnap")
	if len(entries) != 0 || m.Records != 0 {
		t.Fatal("empty snapshot has entries")
	}
	// Then people are listed, then everyone is blue again: both deltas work.
	ids := iins(10)
	if _, err := f.importText(t, hub.CSV, csvOf(people(ids, 0)), 0); err != nil {
		t.Fatal(err)
	}
	res, err = f.importText(t, hub.CSV, "\ufeffvalid_until,IIN,Status\r\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, changes := readDelta(t, f, "delta-2-3.dcsnap")
	if res.Version.Entries != 0 || len(changes) != 8 {
		t.Fatalf("emptying delta: %+v, %d changes", res, len(changes))
	}
	for _, c := range changes {
		if c.Op != wire.OpRemove {
			t.Fatalf("change %v", c)
		}
	}
}

func TestImportBadRowsAreAllReportedAndNothingIsPublished(t *testing.T) {
	forBackends(t, testImportBadRows)
}

func testImportBadRows(t *testing.T, backend string) {
	ids := iins(6)
	bad := ids[0][:11] + string(rune('0'+(ids[0][11]-'0'+1)%10)) // wrong check digit
	text := strings.Join([]string{
		"iin,status,valid_until",             // 1
		ids[0] + ",red,2026-12-20T00:00:00Z", // 2
		bad + ",red,",                        // 3 bad checksum
		ids[1] + ",purple,",                  // 4 unknown status
		ids[2] + ",green,tomorrow",           // 5 bad time
		ids[3] + ",green",                    // 6 field count
		"",                                   // 7 blank: skipped
		ids[0] + ",green,",                   // 8 duplicate of line 2
		"\"" + ids[4] + "\",\"yellow\",\"\"", // 9 quoted: fine
		ids[5] + "," + strings.Repeat("x", hub.MaxLineLength) + ",", // 10 too long
		"\"" + ids[5] + ",red,", // 11 unterminated quote
		"",
	}, "\n")
	f := newFixture(t, backend)
	_, err := f.importText(t, hub.CSV, text, 0)
	var re *hub.RowsError
	if !errors.As(err, &re) {
		t.Fatalf("want a RowsError, got %v", err)
	}
	var lines []int64
	for _, e := range re.Errors {
		lines = append(lines, e.Line)
	}
	if fmt.Sprint(lines) != "[3 4 5 6 8 10 11]" || re.Total != 7 {
		t.Fatalf("bad lines %v (total %d), want [3 4 5 6 8 10 11]:\n%v", lines, re.Total, err)
	}
	msg := err.Error()
	for _, want := range []string{"line 3: iin: bad_checksum", "line 4: status", "line 5: valid_until", "line 6: 2 fields", "line 8: the same IIN as line 2", "line 10: line longer", "line 11: unterminated"} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
	for _, iin := range append(ids, bad) {
		if strings.Contains(msg, iin) {
			t.Fatalf("the report holds an IIN:\n%s", msg)
		}
	}
	if _, err := f.st.LatestSnapshot(context.Background()); !errors.Is(err, hub.ErrNotFound) {
		t.Fatalf("something was published: %v", err)
	}
	if _, err := os.Stat(f.d.ManifestFile()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a manifest was written")
	}
	if entries, _ := os.ReadDir(f.d.FilesDir()); len(entries) != 0 {
		t.Fatalf("files were written: %v", entries)
	}
	if entries, _ := os.ReadDir(f.d.TmpDir()); len(entries) != 1 { // import.lock only
		t.Fatalf("scratch files left: %v", entries)
	}
}

func TestImportRowErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("iin,status,valid_until\n")
	for range 50 {
		b.WriteString("12345,red,\n")
	}
	f := newFixture(t, "bbolt") // parsing only: no storage is reached
	_, err := hub.Import(context.Background(), f.d, f.st, f.keys, f.cfg, strings.NewReader(b.String()), hub.ImportOptions{MaxReportedErrors: 10})
	var re *hub.RowsError
	if !errors.As(err, &re) || re.Total != 50 || len(re.Errors) != 10 || re.Errors[0].Line != 2 || !strings.Contains(err.Error(), "and 40 more") {
		t.Fatalf("%v", err)
	}
}

func TestImportHeaderProblems(t *testing.T) {
	for _, text := range []string{"", "iin,status\n", "iin,status,valid_until,extra\n", "iin,iin,status\n"} {
		f := newFixture(t, "bbolt") // parsing only: no storage is reached
		_, err := f.importText(t, hub.CSV, text, 0)
		var re *hub.RowsError
		if !errors.As(err, &re) || re.Errors[0].Line != 1 {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestImportJSONLProblems(t *testing.T) {
	ids := iins(3)
	text := strings.Join([]string{
		`{"iin":"` + ids[0] + `","status":"red"}`,
		`{"iin":"` + ids[1] + `","status":"red","extra":1}`,
		`{"iin":` + ids[2][:5] + `,"status":"red"}`,
		`not json`,
		`{"status":"red"}`,
		`{"iin":"` + ids[2] + `","status":"green"} {}`,
	}, "\n")
	f := newFixture(t, "bbolt") // parsing only: no storage is reached
	_, err := f.importText(t, hub.JSONL, text, 0)
	var re *hub.RowsError
	if !errors.As(err, &re) || re.Total != 5 || re.Errors[0].Line != 2 {
		t.Fatalf("%v", err)
	}
	for _, iin := range ids {
		if strings.Contains(err.Error(), iin[:5]) {
			t.Fatalf("the report quotes input:\n%v", err)
		}
	}
}

// assertNoIIN reads every file under the data directory and fails if any
// holds a raw IIN, as ASCII digits.
func assertNoIIN(t *testing.T, d hub.DataDir, ids []string) {
	t.Helper()
	err := filepath.WalkDir(string(d), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, iin := range ids {
			if bytes.Contains(b, []byte(iin)) {
				t.Errorf("%s holds a raw IIN", path)
				return nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
