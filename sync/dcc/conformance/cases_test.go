package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/scanner/qrimage"
)

// casesDir is the shared copy of the EU test cases (../shared from the
// repository root, as CI lays it out).
const casesDir = "../../../../shared/testdata/dcc"

// knownDisagreements are the cases where our result differs from the
// expected one, each with its reason; docs/formats.md lists the same.
var knownDisagreements = map[string]string{
	"FR/2DCode/raw/test_pcr_ok.json " + Decode: "upstream known issue 141: the JSON's test times are two hours off the signed CBOR's",
}

func casePaths(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(casesDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no cases under %s", casesDir)
	}
	sort.Strings(files)
	return files
}

func qrDecoder(ctx context.Context, png []byte) ([]string, error) {
	return qrimage.Decode(ctx, bytes.NewReader(png))
}

// TestConformanceCases runs all 424 shared cases and compares our computed
// results with their expected ones: every disagreement must be a known one,
// and every known one must still occur (so the list stays current).
func TestConformanceCases(t *testing.T) {
	files := casePaths(t)
	if len(files) != 424 {
		t.Errorf("%d cases, want the 424 of the shared set", len(files))
	}
	seen := map[string]bool{}
	compared, uncomputable := 0, 0
	for _, f := range files {
		rel, _ := filepath.Rel(casesDir, f)
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Read(fh)
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		got := Run(context.Background(), c, qrDecoder)
		for k := range got {
			if _, ok := c.Expected[k]; ok {
				compared++
			}
		}
		for _, d := range Compare(c, got) {
			if d.Uncomputable(c) {
				uncomputable++
				continue
			}
			key := rel + " " + d.Check
			seen[key] = true
			if _, ok := knownDisagreements[key]; !ok {
				g := "nothing"
				if d.Computed != nil {
					g = fmt.Sprint(*d.Computed)
				}
				t.Errorf("%s: %s expected %v, computed %s", rel, d.Check, d.Expected, g)
			}
		}
	}
	for k := range knownDisagreements {
		if !seen[k] {
			t.Errorf("known disagreement %s no longer occurs: remove it here and in docs/formats.md", k)
		}
	}
	t.Logf("%d cases, %d expected results compared, %d picture checks without a picture", len(files), compared, uncomputable)
}
