// Package conformance runs test cases in the format of the public EU DCC
// test-data repository against this project's own verifier (sync/dcc):
// TESTCTX.CERTIFICATE is the only trusted signer and
// TESTCTX.VALIDATIONCLOCK is now. It reports what our code computed for
// each check and never looks at the case's expected results to decide;
// the expected results are read only by Compare, for tests and reports.
package conformance

import (
	"encoding/json"
	"fmt"
	"io"
)

// MaxCaseBytes bounds one case file (the largest upstream case, PNG
// included, is about 30 KB).
const MaxCaseBytes = 4 << 20

// Case is one test case file. Hex and base64 fields are as upstream.
type Case struct {
	JSON       json.RawMessage `json:"JSON"`
	CBOR       string          `json:"CBOR"`       // hex
	COSE       string          `json:"COSE"`       // hex
	Compressed string          `json:"COMPRESSED"` // hex
	Base45     string          `json:"BASE45"`
	Prefix     string          `json:"PREFIX"`
	Picture    string          `json:"2DCODE"` // base64 PNG
	Context    struct {
		Certificate     string `json:"CERTIFICATE"`     // base64 DER
		ValidationClock string `json:"VALIDATIONCLOCK"` // RFC 3339
	} `json:"TESTCTX"`
	// Expected is kept apart and read only by Compare.
	Expected map[string]bool `json:"EXPECTEDRESULTS"`
}

// Read decodes one case.
func Read(r io.Reader) (*Case, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxCaseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxCaseBytes {
		return nil, fmt.Errorf("case over %d bytes", MaxCaseBytes)
	}
	var c Case
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("case: %w", err)
	}
	return &c, nil
}
