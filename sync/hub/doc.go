// Package hub is the upstream half of doorcheck: the storage interface the
// hub's backends implement, the hub's keys and data directory, the status
// import that publishes signed snapshots, and the /v1 HTTP server
// (docs/protocol.md).
//
// The hub shares only formats with the kiosk (sync/wire, sync/protocol,
// sync/visit). The IIN checksum and the reason codes still live under
// kiosk/ until the shared-floor move of issue 7; iin.go is the one file
// that reaches there.
package hub
