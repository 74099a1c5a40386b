package dcctest

import (
	"encoding/base64"
	"strings"

	"github.com/doorcheck/doorcheck/sync/dcc"
)

// TrustList is the signers as a checked trust list in its canonical form:
// what `doorcheck-hub import-dsc` stores and the hub publishes. Every
// signer is listed under country DE.
func TrustList(signers ...*Signer) ([]byte, error) {
	var parts []string
	for _, s := range signers {
		parts = append(parts, `{"country":"DE","rawData":"`+base64.StdEncoding.EncodeToString(s.DER)+`"}`)
	}
	entries, err := dcc.CheckSigningCertificates([]byte("[" + strings.Join(parts, ",") + "]"))
	if err != nil {
		return nil, err
	}
	return dcc.EncodeSigningCertificates(entries)
}
