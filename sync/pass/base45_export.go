package pass

// DecodeBase45 decodes RFC 9285 base45 strictly. Exported because the EU
// Digital COVID Certificate (sync/dcc) uses the same encoding, and one
// strict decoder is easier to trust than two.
func DecodeBase45(s string) ([]byte, error) { return decodeBase45(s) }

// EncodeBase45 encodes b as RFC 9285 base45 (for test fixtures and demo
// certificates in other packages).
func EncodeBase45(b []byte) string { return encodeBase45(b) }
