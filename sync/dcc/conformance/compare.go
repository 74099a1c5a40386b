package conformance

import "sort"

// Disagreement is one check where our computed result differs from the
// case's expected one (or we computed nothing for an expected check).
type Disagreement struct {
	Check    string
	Expected bool
	Computed *bool // nil: not computed
}

// Compare lists the disagreements between computed results and the case's
// EXPECTEDRESULTS, for the checks this runner covers. An expected check we
// could not compute (a case without the 2DCODE picture to decode) is a
// disagreement with Computed nil.
func Compare(c *Case, got Computed) []Disagreement {
	var out []Disagreement
	for _, k := range Checks {
		want, ok := c.Expected[k]
		if !ok {
			continue
		}
		g, have := got[k]
		switch {
		case !have:
			out = append(out, Disagreement{Check: k, Expected: want})
		case g != want:
			out = append(out, Disagreement{Check: k, Expected: want, Computed: &g})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Check < out[j].Check })
	return out
}

// Uncomputable tells whether a disagreement is only the absence of the
// input a check needs (the case has no picture), not a different answer.
func (d Disagreement) Uncomputable(c *Case) bool {
	return d.Computed == nil && d.Check == PictureDecode && c.Picture == ""
}
