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
		{"lf", Options{Terminator: LF}, ms, []string{"ABC\nDEF\n"}, []string{"ABC", "DEF"}},
		{"lf drops cr before it", Options{Terminator: LF}, ms, []string{"ABC\r\n"}, []string{"ABC"}},
		{"crlf", Options{Terminator: CRLF}, ms, []string{"ABC\r", "\nDEF\r\n"}, []string{"ABC", "DEF"}},
		{"empty lines ignored", Options{}, ms, []string{"\r\r\n\rABC\r"}, []string{"ABC"}},
		{"same code twice", Options{}, ms, []string{"ABC\rABC\r"}, []string{"ABC", "ABC"}},
		{"none: gap ends", Options{Terminator: None, Gap: 50 * ms}, 60 * ms, []string{"ABC", "DEF"}, []string{"ABC", "DEF"}},
		{"none: fast bytes join", Options{Terminator: None, Gap: 50 * ms}, 10 * ms, []string{"AB", "C"}, []string{"ABC"}},
		{"none: CR is data", Options{Terminator: None}, ms, []string{"A\rB"}, []string{"A\rB"}},
		{"cr: missing terminator flushed after idle", Options{}, ms, []string{"ABC"}, []string{"ABC"}},
		{"prefix and suffix", Options{Prefix: "<", Suffix: ">"}, ms, []string{"<ABC>\r"}, []string{"ABC"}},
		{"aim stripped", Options{}, ms, []string{"]Q1DC1:XYZ\r"}, []string{"DC1:XYZ"}},
		{"aim allowed", Options{Symbologies: []string{"]Q1"}}, ms, []string{"]Q1ABC\r"}, []string{"ABC"}},
		{"aim not allowed", Options{Symbologies: []string{"]Q1"}}, ms, []string{"]E04006381333931\r]Q1ABC\r"}, []string{"DROP", "ABC"}},
		{"aim missing", Options{Symbologies: []string{"]Q1"}}, ms, []string{"ABC\r"}, []string{"DROP"}},
		{"noise bytes kept", Options{}, ms, []string{"A\x00\x1bB\r"}, []string{"A\x00\x1bB"}},
		{"overlong dropped, resync", Options{Max: 8}, ms, []string{"0123456789ABC\rGOOD\r"}, []string{"DROP", "GOOD"}},
		{"overlong across reads", Options{Max: 4}, ms, []string{"01234", "56789\rOK\r"}, []string{"DROP", "OK"}},
		{"exactly max", Options{Max: 4}, ms, []string{"0123\r"}, []string{"0123"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := payloads(feed(tt.opt, tt.step, tt.chunks...))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
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

func TestDeadline(t *testing.T) {
	f := New(Options{Terminator: None, Gap: 50 * time.Millisecond})
	if _, ok := f.Deadline(); ok {
		t.Fatal("deadline with nothing pending")
	}
	f.Feed([]byte("A"), t0)
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
}

func FuzzFramer(f *testing.F) {
	f.Add([]byte("ABC\r\n]Q1X\r"), uint8(0), uint8(3))
	f.Add([]byte("\r\r\n\n"), uint8(2), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, term, split uint8) {
		opt := Options{Terminator: Terminator(term % 4), Max: 32, Symbologies: nil}
		fr := New(opt)
		now := t0
		n := int(split%7) + 1
		total := 0
		for i := 0; i < len(data); i += n {
			end := min(i+n, len(data))
			for _, r := range fr.Feed(data[i:end], now) {
				if len(r.Payload) > opt.Max {
					t.Fatalf("payload of %d bytes over the bound", len(r.Payload))
				}
				total += r.Bytes
			}
			now = now.Add(time.Millisecond)
		}
		fr.Idle(now.Add(time.Hour))
		if cap(fr.buf) > 512 {
			t.Fatalf("buffer grew to %d", cap(fr.buf))
		}
	})
}
