// Package client is the kiosk's sync client: it drains the visit outbox to
// the hub (POST /v1/visits, exactly once by visit id) and keeps the
// snapshot current (the signed index, then deltas or the full file),
// following docs/protocol.md.
//
// Invariants:
//   - Upload first, then snapshot; a failure of one never blocks the other.
//   - A visit leaves the outbox only when the hub answered "new" or
//     "duplicate" for its id. A refused visit stays in the outbox (it is
//     never deleted) but is not sent again by this client.
//   - Nothing from a download becomes visible before it verified: the
//     index signature against the pinned key, the file's size and SHA-256
//     against the index, and the file's own signed manifest (wire.Open).
//     The store applies it in one transaction or not at all; a rollback is
//     refused and a delta on the wrong base falls back to the full file.
//   - A "kiosk_revoked" answer stops syncing for good; nothing is deleted.
//   - Every request has a context and a timeout; transient failures (5xx,
//     408, 429, timeouts, network errors) are retried with exponential
//     backoff and full jitter, honouring Retry-After; other 4xx are not.
package client
