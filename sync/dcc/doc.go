// Package dcc verifies EU Digital COVID Certificates (the "HC1:" QR codes)
// offline: prefix, base45, zlib, COSE_Sign1, CWT claims, signature by a
// trusted document signer found by key id, times and key usage.
//
// It lives under sync/ rather than kiosk/ because the hub publishes the
// trust list in its snapshots and must parse the same format; it imports
// nothing of kiosk/. Nothing here stores or logs a certificate: callers
// get the decoded certificate back and decide what to keep (the kiosk keeps
// only a keyed hash of its identifier).
package dcc
