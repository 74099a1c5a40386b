// Package visit is the visit record that travels upstream, from a kiosk's
// outbox to the hub: typed fields (decision, direction, payload kind) and its
// own versioned wire encoding (Format), separate from the kiosk store's
// on-disk JSON. It never holds a raw IIN or payload: the subject is the
// keyed hash, absent when the payload was not verified.
//
// The kiosk store's record (kiosk/store/visit.go) moves onto these types in
// the shared-floor step of issue 7; until then the kiosk converts.
package visit
