package wire

import "iter"

// Diff merges two ascending entry sequences and yields the changes that turn
// old into new, in ascending order: a put for every added or changed entry
// and a remove for every entry that is gone.
func Diff(old, new iter.Seq[Entry]) iter.Seq[Change] {
	return func(yield func(Change) bool) {
		nextOld, stopOld := iter.Pull(old)
		defer stopOld()
		nextNew, stopNew := iter.Pull(new)
		defer stopNew()
		o, okO := nextOld()
		n, okN := nextNew()
		for okO || okN {
			var c Change
			emit := true
			switch {
			case !okN || (okO && CompareSubjects(o.Subject, n.Subject) < 0):
				c = Change{Op: OpRemove, Entry: Entry{Subject: o.Subject}}
				o, okO = nextOld()
			case !okO || CompareSubjects(o.Subject, n.Subject) > 0:
				c = Change{Op: OpPut, Entry: n}
				n, okN = nextNew()
			default:
				c, emit = Change{Op: OpPut, Entry: n}, o != n
				o, okO = nextOld()
				n, okN = nextNew()
			}
			if emit && !yield(c) {
				return
			}
		}
	}
}

// Apply merges ascending changes into ascending entries and yields the
// result. It is the reference the kiosk's store is tested against; the
// store applies deltas block by block instead.
func Apply(entries iter.Seq[Entry], changes iter.Seq[Change]) iter.Seq[Entry] {
	return func(yield func(Entry) bool) {
		nextE, stopE := iter.Pull(entries)
		defer stopE()
		nextC, stopC := iter.Pull(changes)
		defer stopC()
		e, okE := nextE()
		c, okC := nextC()
		for okE || okC {
			switch {
			case !okC || (okE && CompareSubjects(e.Subject, c.Entry.Subject) < 0):
				if !yield(e) {
					return
				}
				e, okE = nextE()
			default:
				if okE && e.Subject == c.Entry.Subject {
					e, okE = nextE()
				}
				if c.Op == OpPut && !yield(c.Entry) {
					return
				}
				c, okC = nextC()
			}
		}
	}
}
