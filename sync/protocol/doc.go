// Package protocol holds the types of the /v1 hub protocol that the kiosk's
// sync client and the hub share: the signed snapshot index served at
// /v1/manifest, the names of the immutable snapshot files, the JSON error
// body and its codes, and the health answer. It is pure data and
// standard-library crypto, like sync/wire; docs/protocol.md is its
// specification.
package protocol
