package snapgen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/sync/pass"
)

// TestStatusCSV: valid IINs under a header, and the changed list differs
// from the first in every 100th row only.
func TestStatusCSV(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteStatusCSV(&a, 7, 1000, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteStatusCSV(&b, 7, 1000, true); err != nil {
		t.Fatal(err)
	}
	la, lb := strings.Split(strings.TrimSpace(a.String()), "\n"), strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(la) != 1001 || len(lb) != 1001 || la[0] != "iin,status,valid_until" {
		t.Fatalf("%d and %d lines, header %q", len(la), len(lb), la[0])
	}
	diff := 0
	for i := 1; i < len(la); i++ {
		if _, err := pass.ParseIIN(strings.Split(la[i], ",")[0]); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if la[i] != lb[i] {
			diff++
			if (i-1)%100 != 0 {
				t.Errorf("row %d changed", i)
			}
		}
	}
	if diff != 10 {
		t.Errorf("%d rows changed, want 10", diff)
	}
}
