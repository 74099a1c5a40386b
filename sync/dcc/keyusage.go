package dcc

import (
	"crypto/x509"
	"encoding/asn1"
)

// Extended-key-usage OIDs by which a document signer may be limited to
// some certificate types (EU DCC technical specification, volume 1). Two
// arcs are in use: the specified one and the one some issuers shipped.
func keyUsageOIDs(t Type) []asn1.ObjectIdentifier {
	n := map[Type]int{TypeTest: 1, TypeVaccination: 2, TypeRecovery: 3}[t]
	if n == 0 {
		return nil
	}
	return []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 1847, 2021, 1, n}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, n}}
}

// KeyUsageAllows tells whether a signer certificate may sign type t: a
// certificate without an extended-key-usage extension may sign every type;
// one that declares extended key usages may sign only the types whose OIDs
// it lists (so a signer limited to other purposes signs no DCC). This is
// the reading of the EU test data, where a signer with only an ICAO OID
// fails the key-usage check.
func KeyUsageAllows(c *x509.Certificate, t Type) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, oid := range c.UnknownExtKeyUsage {
		for _, o := range keyUsageOIDs(t) {
			if oid.Equal(o) {
				return true
			}
		}
	}
	return false
}
