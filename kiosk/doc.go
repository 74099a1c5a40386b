// Package kiosk is the door checker's core: one payload in, one verdict
// out, decided offline from the locally cached status snapshot, with the
// visit recorded durably before the verdict is returned.
//
// Everything that shows verdicts — the TUI, the headless run loop, the
// one-shot CLI — goes through Checker.Check. A Verdict is a value: screens
// and JSON render it, they never recompute it.
//
// The core never imports screens, networks or hardware drivers. Its
// collaborators are the pass parser (sync/pass), the pure venue policy
// (kiosk/policy) and the bbolt store (kiosk/store).
package kiosk
