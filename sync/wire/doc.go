// Package wire holds the formats that the hub and the kiosk share: subject
// keys, statuses, snapshot entries, the signed snapshot manifest, and the
// full and delta snapshot files. It is pure data and standard-library crypto;
// it knows nothing about bbolt, HTTP or screens.
//
// The byte-level specification, with test vectors, is docs/formats.md.
package wire
