package frame

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// feed runs chunks through a framer, each chunk arriving step after the
// previous one, then idles long enough to end anything pending.
func feed(opt Options, step time.Duration, chunks ...string) []Result {
	f := New(opt)
	now := t0
	var out []Result
	for _, c := range chunks {
		out = append(out, f.Feed([]byte(c), now)...)
		now = now.Add(step)
	}
	return append(out, f.Idle(now.Add(time.Second))...)
}

func payloads(rs []Result) []string {
	var s []string
	for _, r := range rs {
		if r.Dropped != "" {
			s = append(s, "DROP")
		} else {
			s = append(s, r.Payload)
		}
	}
	return s
}

func TestFraming(t *testing.T) {
	ms := time.Millisecond
	q1 := []string{"]Q1"}
	tests := []struct {
		name   string
		opt    Options
		step   time.Duration
		chunks []string
		want   []string
	}{
		{"cr", Options{}, ms, []string{"ABC\r"}, []string{"ABC"}},
		{"cr split reads", Options{}, ms, []string{"A", "B", "C\rDE", "F\r"}, []string{"ABC", "DEF"}},
		{"cr then lf is one end", Options{}, ms, []string{"ABC\r\nDEF\r\n"}, []string{"ABC", "DEF"}},
		{"cr then lf split across reads", Options{}, ms, []string{"ABC\r", "\nDEF\r"}, []string{"ABC", "DEF"}},
		{"cr: lone lf is data", Options{}, ms, []string{"A\nB\r"}, []string{"A\nB"}},
		{"lf", Options{Terminator: LF}, ms, []string{"ABC\nDEF\n"}, []string{"ABC", "DEF"}},
		{"lf drops cr before it", Options{Terminator: LF}, ms, []string{"ABC\r\n"}, []string{"ABC"}},
		{"lf: cr split from lf", Options{Terminator: LF}, ms, []string{"ABC\r", "\n"}, []string{"ABC"}},
		{"lf: lone cr is data", Options{Terminator: LF}, ms, []string{"A\rB\n"}, []string{"A\rB"}},
		{"lf: two crs", Options{Terminator: LF}, ms, []string{"A\r\r\n"}, []string{"A\r"}},
		{"lf: trailing cr with no lf", Options{Terminator: LF}, ms, []string{"ABC\r"}, []string{"ABC"}},
		{"crlf", Options{Terminator: CRLF}, ms, []string{"ABC\r", "\nDEF\r\n"}, []string{"ABC", "DEF"}},
		{"crlf: lone cr or lf also ends", Options{Terminator: CRLF}, ms, []string{"A\rB\nC\r\n"}, []string{"A", "B", "C"}},
		{"empty lines ignored", Options{}, ms, []string{"\r\r\n\rABC\r"}, []string{"ABC"}},
		{"same code twice", Options{}, ms, []string{"ABC\rABC\r"}, []string{"ABC", "ABC"}},
		{"none: gap ends", Options{Terminator: None, Gap: 50 * ms}, 60 * ms, []string{"ABC", "DEF"}, []string{"ABC", "DEF"}},
		{"none: fast bytes join", Options{Terminator: None, Gap: 50 * ms}, 10 * ms, []string{"AB", "C"}, []string{"ABC"}},
		{"none: CR is data", Options{Terminator: None}, ms, []string{"A\rB\n"}, []string{"A\rB\n"}},
		{"cr: missing terminator flushed after idle", Options{}, ms, []string{"ABC"}, []string{"ABC"}},
		{"cr: idle limit is 200 ms", Options{}, 150 * ms, []string{"AB", "C\r"}, []string{"ABC"}},
		{"cr: a longer silence splits", Options{}, 250 * ms, []string{"AB", "C\r"}, []string{"AB", "C"}},
		{"prefix and suffix", Options{Prefix: "<", Suffix: ">"}, ms, []string{"<ABC>\r"}, []string{"ABC"}},
		{"prefix absent", Options{Prefix: "<"}, ms, []string{"ABC\r"}, []string{"ABC"}},
		{"aim stripped", Options{}, ms, []string{"]Q1DC1:XYZ\r"}, []string{"DC1:XYZ"}},
		{"aim after prefix", Options{Prefix: "@", Symbologies: q1}, ms, []string{"@]Q1ABC\r"}, []string{"ABC"}},
		{"aim before prefix", Options{Prefix: "@", Symbologies: q1}, ms, []string{"]Q1@ABC\r"}, []string{"ABC"}},
		{"aim allowed", Options{Symbologies: q1}, ms, []string{"]Q1ABC\r"}, []string{"ABC"}},
		{"aim any modifier", Options{Symbologies: []string{"]Q"}}, ms, []string{"]Q3ABC\r]E0123\r"}, []string{"ABC", "DROP"}},
		{"aim not allowed", Options{Symbologies: q1}, ms, []string{"]E04006381333931\r]Q1ABC\r"}, []string{"DROP", "ABC"}},
		{"aim missing", Options{Symbologies: q1}, ms, []string{"ABC\r"}, []string{"DROP"}},
		{"aim alone is empty", Options{Symbologies: q1}, ms, []string{"]Q1\r"}, nil},
		{"not aim: ] then digit", Options{Symbologies: q1}, ms, []string{"]12X\r"}, []string{"DROP"}},
		{"noise bytes kept", Options{}, ms, []string{"A\x00\x1bB\r"}, []string{"A\x00\x1bB"}},
		{"outer NULs trimmed", Options{}, ms, []string{"\x00\x00ABC\x00\r"}, []string{"ABC"}},
		{"NUL alone is nothing", Options{}, ms, []string{"\x00\r"}, nil},
		{"overlong dropped, resync", Options{Max: 8}, ms, []string{"0123456789ABC\rGOOD\r"}, []string{"DROP", "GOOD"}},
		{"overlong across reads", Options{Max: 4}, ms, []string{"01234", "56789\rOK\r"}, []string{"DROP", "OK"}},
		{"overlong without terminator", Options{Max: 4}, ms, []string{"0123456789"}, []string{"DROP"}},
		{"exactly max", Options{Max: 4}, ms, []string{"0123\r"}, []string{"0123"}},
		{"exactly max, lf mode with cr lf", Options{Terminator: LF, Max: 4}, ms, []string{"0123\r\n"}, []string{"0123"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opt.Validate(); err != nil {
				t.Fatal(err)
			}
			got := payloads(feed(tt.opt, tt.step, tt.chunks...))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	bad := []Options{
		{Terminator: 7},
		{Gap: -1},
		{Max: -1},
		{Symbologies: []string{"Q1"}},
		{Symbologies: []string{"]Q1x"}},
		{Symbologies: []string{"]1"}},
		{Prefix: "\r"},
		{Terminator: LF, Suffix: "x\n"},
	}
	for _, o := range bad {
		if o.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", o)
		}
	}
	good := []Options{{}, {Symbologies: []string{"]Q1", "]d2", "]Q"}}, {Terminator: None, Prefix: "\r"}}
	for _, o := range good {
		if err := o.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", o, err)
		}
	}
}

func TestTimes(t *testing.T) {
	f := New(Options{})
	// Two codes in one read still get distinct, increasing times.
	rs := f.Feed([]byte("ABC\rABC\r"), t0)
	if len(rs) != 2 || !rs[0].At.Equal(t0) || !rs[1].At.After(rs[0].At) {
		t.Fatalf("%+v", rs)
	}
	// An idle-ended payload is stamped with its last byte, not with when
	// the silence was noticed.
	f.Feed([]byte("X"), t0.Add(time.Second))
	rs = f.Idle(t0.Add(10 * time.Second))
	if len(rs) != 1 || !rs[0].At.Equal(t0.Add(time.Second)) {
		t.Fatalf("%+v", rs)
	}
}

func TestBytesAccounted(t *testing.T) {
	rs := feed(Options{Max: 5}, time.Millisecond, "]Q1AB\r", "0123456\r")
	if len(rs) != 2 || rs[0].Bytes != 5 || rs[0].Symbology != "]Q1" || rs[1].Bytes != 7 {
		t.Fatalf("%+v", rs)
	}
}

func TestBoundedMemory(t *testing.T) {
	f := New(Options{Max: 64})
	chunk := []byte(strings.Repeat("x", 4096))
	for i := 0; i < 1000; i++ {
		f.Feed(chunk, t0)
	}
	if cap(f.buf) > 512 {
		t.Fatalf("buffer grew to %d bytes", cap(f.buf))
	}
	rs := f.Feed([]byte("\r"), t0)
	if len(rs) != 1 || rs[0].Dropped == "" || rs[0].Bytes != 4096*1000 {
		t.Fatalf("results %+v", rs)
	}
}

func TestDeadlineAndFlush(t *testing.T) {
	f := New(Options{Terminator: None, Gap: 50 * time.Millisecond})
	if _, ok := f.Deadline(); ok {
		t.Fatal("deadline with nothing pending")
	}
	f.Feed([]byte("A"), t0)
	f.Feed(nil, t0.Add(40*time.Millisecond)) // no bytes: the gap keeps running
	d, ok := f.Deadline()
	if !ok || !d.Equal(t0.Add(50*time.Millisecond)) {
		t.Fatalf("deadline %v %v", d, ok)
	}
	if rs := f.Idle(t0.Add(49 * time.Millisecond)); len(rs) != 0 {
		t.Fatal("ended before the gap")
	}
	rs := f.Idle(t0.Add(50 * time.Millisecond))
	if len(rs) != 1 || rs[0].Payload != "A" || !rs[0].At.Equal(t0) {
		t.Fatalf("%+v", rs)
	}
	if rs := f.Flush(); rs != nil {
		t.Fatalf("flush with nothing pending: %+v", rs)
	}
	f.Feed([]byte("B"), t0.Add(time.Second))
	if rs := f.Flush(); len(rs) != 1 || rs[0].Payload != "B" {
		t.Fatalf("flush: %+v", rs)
	}
}

func TestParseTerminator(t *testing.T) {
	for _, term := range []Terminator{CR, LF, CRLF, None} {
		got, err := ParseTerminator(strings.ToUpper(term.String()))
		if err != nil || got != term {
			t.Errorf("ParseTerminator(%s) = %v, %v", term, got, err)
		}
	}
	if _, err := ParseTerminator("tab"); err == nil {
		t.Error("tab accepted")
	}
}

// FuzzFramer feeds arbitrary bytes in arbitrary splits and checks the
// invariants: no payload over the bound, no empty payload, memory
// bounded, every input byte accounted for at most once, and results in
// strictly increasing time.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("ABC\r\n]Q1X\r"), uint8(0), uint8(3), false)
	f.Add([]byte("\r\r\n\n"), uint8(2), uint8(1), true)
	f.Add([]byte("\x00]E0123\r\x00"), uint8(1), uint8(2), true)
	f.Add([]byte(strings.Repeat("Z", 100)+"\rok\r"), uint8(0), uint8(5), false)
	f.Fuzz(func(t *testing.T, data []byte, term, split uint8, allow bool) {
		opt := Options{Terminator: Terminator(term % 4), Max: 32, Prefix: "@"}
		if allow {
			opt.Symbologies = []string{"]Q1", "]d"}
		}
		fr := New(opt)
		now := t0
		n := int(split%7) + 1
		var results []Result
		for i := 0; i < len(data); i += n {
			end := min(i+n, len(data))
			results = append(results, fr.Feed(data[i:end], now)...)
			now = now.Add(time.Duration(split) * time.Millisecond)
			if (i/n+int(split))%3 == 0 {
				fr.Resume(now) // the reader was away, as behind a slow checker
			}
			results = append(results, fr.Idle(now)...)
		}
		results = append(results, fr.Flush()...)
		total := 0
		var last time.Time
		for _, r := range results {
			if len(r.Payload) > opt.Max {
				t.Fatalf("payload of %d bytes over the bound", len(r.Payload))
			}
			if r.Dropped == "" && r.Payload == "" {
				t.Fatal("empty payload delivered")
			}
			if !r.At.After(last) {
				t.Fatalf("result times not increasing: %v after %v", r.At, last)
			}
			last = r.At
			total += r.Bytes
		}
		if total > len(data) {
			t.Fatalf("results cover %d bytes of %d", total, len(data))
		}
		if cap(fr.buf) > 512 {
			t.Fatalf("buffer grew to %d", cap(fr.buf))
		}
	})
}
