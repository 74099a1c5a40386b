package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/pass"
)

// The durability promise, proven on the whole kiosk: a headless kiosk
// (`doorcheck run --no-tui --serial PTY`, the demo and a provisioned kiosk
// with its own config and hub key in turn) is fed by a scanner on a
// pseudo-terminal and killed with SIGKILL at random moments — during
// start-up, while it waits, while a visit is being committed, while a
// verdict is being written. After every kill the store must reopen, and
// every verdict line the kiosk printed with "recorded": true must have its
// visit in the store. Kill points are drawn from a seeded generator (the
// seed is logged; DOORCHECK_KILL_SEED replays a run) and synchronised on
// the kiosk's own output: "after k verdict lines, plus a random number of
// microseconds".
//
// CI runs 100 kills (about 6 s). More:
//
//	go test ./cmd/doorcheck -run Crash -count=1 -args -kills=1000
//	DOORCHECK_KILLS=1000 go test ./cmd/doorcheck -run Crash -count=1

var killsFlag = flag.Int("kills", 0, "SIGKILL loop: number of kills (default 100, or $DOORCHECK_KILLS)")

const defaultKills = 100

func killCount(t *testing.T) int {
	t.Helper()
	if *killsFlag > 0 {
		return *killsFlag
	}
	if s := os.Getenv("DOORCHECK_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("DOORCHECK_KILLS=%q: want a positive number", s)
		}
		return n
	}
	return defaultKills
}

func killSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("DOORCHECK_KILL_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("DOORCHECK_KILL_SEED=%q: %v", s, err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// killPlan is one iteration's draw.
type killPlan struct {
	iteration int
	kiosk     string
	startup   bool          // kill during start-up, before the scanner is connected
	afterLine int           // otherwise: kill after this many verdict lines (0: once connected)
	delay     time.Duration // … plus this much
	window    int           // scans in flight: sent but not yet answered
	payloads  []string
}

func (p killPlan) String() string {
	if p.startup {
		return fmt.Sprintf("kill %d (%s kiosk): during start-up, %v after exec", p.iteration, p.kiosk, p.delay)
	}
	return fmt.Sprintf("kill %d (%s kiosk): %v after verdict line %d, %d scans in flight", p.iteration, p.kiosk, p.delay, p.afterLine, p.window)
}

// killResult is what one iteration saw.
type killResult struct {
	lines     int      // verdict lines the kiosk printed before it died
	recorded  []string // visit ids of the lines that said "recorded": true
	admits    int      // recorded admits among them
	cannot    int      // cannot_record lines
	signalled bool     // the kiosk died of the SIGKILL (not on its own)
	stderr    string
}

// iinSeq hands out valid IINs no demo person has, never the same twice, so
// no scan is a debounced repeat.
type iinSeq struct{ n int }

func (s *iinSeq) next() string {
	for {
		s.n++
		if iin, ok := pass.MakeIIN(fmt.Sprintf("71%09d", s.n)); ok {
			return iin
		}
	}
}

// killKiosk is one of the kiosks the loop kills in turn, with its tallies.
type killKiosk struct {
	name     string
	vars     map[string]string
	flags    []string // how `doorcheck run` names the kiosk
	db       string   // its visit file
	kills    int
	recorded int // lines shown as recorded
}

func TestCrashKioskSIGKILLLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	kills, seed := killCount(t), killSeed(t)
	t.Logf("%d kills, seed %d (DOORCHECK_KILL_SEED=%d replays this run)", kills, seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x6b696c6c))
	// Two kiosks, killed in turn: the demo (which may create its store) and
	// a provisioned kiosk with its own hub key (which never may).
	demoDB := filepath.Join(t.TempDir(), "demo.db")
	cfg, cfgDB := configuredKiosk(t)
	kiosks := []*killKiosk{
		{name: "demo", vars: map[string]string{"DOORCHECK_DEMO_DB": demoDB}, flags: []string{"--demo"}, db: demoDB},
		{name: "configured", flags: []string{"--config", cfg}, db: cfgDB},
	}
	passes := []string{sample(t, "pass, green"), sample(t, "pass, red"), sample(t, "pass, expired")}

	used := map[string]bool{} // every IIN scanned, for the privacy scan at the end
	var (
		iins                               iinSeq
		lines, recorded, cannot, startups  int
		admits                             int // recorded admits shown
		lost, reopenFailures, notSignalled int
		start                              = time.Now()
	)
	for i := range kills {
		k := kiosks[i%len(kiosks)]
		plan := killPlan{
			iteration: i,
			kiosk:     k.name,
			startup:   rng.IntN(10) == 0,
			afterLine: rng.IntN(16),
			delay:     time.Duration(rng.IntN(20_000)) * time.Microsecond,
			window:    1 + rng.IntN(8),
		}
		for range 40 {
			if rng.IntN(8) == 0 {
				plan.payloads = append(plan.payloads, passes[rng.IntN(len(passes))])
			} else {
				iin := iins.next()
				used[iin] = true
				plan.payloads = append(plan.payloads, iin)
			}
		}
		if plan.startup {
			startups++
			plan.delay = time.Duration(rng.IntN(150_000)) * time.Microsecond
		}

		k.kills++
		res, err := killOnce(k, plan)
		if err != nil {
			reopenFailures++
			t.Errorf("%s: the kiosk did not come up after the previous kill: %v\nstderr: %s", plan, err, res.stderr)
			if reopenFailures > 3 {
				t.FailNow()
			}
			continue
		}
		if !res.signalled {
			notSignalled++
			t.Errorf("%s: the kiosk exited on its own\nstderr: %s", plan, res.stderr)
		}
		lines += res.lines
		admits += res.admits
		recorded += len(res.recorded)
		k.recorded += len(res.recorded)
		cannot += res.cannot
		missing, err := visitsMissing(k.db, res.recorded)
		if err != nil {
			reopenFailures++
			t.Errorf("%s: the store does not reopen: %v", plan, err)
			continue
		}
		lost += len(missing)
		for _, id := range missing {
			t.Errorf("%s: verdict with visit %s was shown as recorded, but the visit is not in the store", plan, id)
		}
	}
	elapsed := time.Since(start)

	// The counters are committed in the visit's transaction: the day's
	// entries plus denials count every visit shown as recorded, plus at
	// most one per kill (committed, killed before its line was written).
	// The day is local time; a run across midnight is not compared.
	counted := 0
	for _, k := range kiosks {
		r := runChild(t, k.vars, nil, append([]string{"stats"}, k.flags...)...)
		noCrash(t, k.name+" stats after the kills", r)
		n, ok := countedVisits(r.stdout)
		counted += n
		if r.code != exitOK || !ok {
			t.Errorf("%s stats after the kills:\n%s", k.name, r)
		} else if start.Format(time.DateOnly) == time.Now().Format(time.DateOnly) && (n < k.recorded || n > k.recorded+k.kills) {
			t.Errorf("%s stats after the kills: %d visits counted for %d shown as recorded and %d kills\n%s", k.name, n, k.recorded, k.kills, r.stdout)
		}
		assertNoInputAtRest(t, k.db, used)
	}
	t.Logf("SIGKILL loop: %d kills (%d during start-up), %d verdicts shown (%d recorded, %d of them admits, %d cannot_record), %d recorded verdicts lost, %d reopen failures, %d exits not by the kill, %d visits counted; %s",
		kills, startups, lines, recorded, admits, cannot, lost, reopenFailures, notSignalled, counted, elapsed.Round(time.Millisecond))
}

// killOnce starts kiosk k on a fresh pty, scans plan's payloads and kills
// it as planned. err is set when the kiosk never came up.
func killOnce(k *killKiosk, plan killPlan) (killResult, error) {
	var res killResult
	m, s, err := pty.Open()
	if err != nil {
		return res, fmt.Errorf("open pty: %w", err)
	}
	defer m.Close()
	defer s.Close() // held open so the kiosk's closes never hang up the line
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	args := append(append([]string{"run"}, k.flags...), "--no-tui", "--serial", s.Name(), "--baud", "115200")
	cmd := proofCommand(ctx, k.vars, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return res, err
	}
	if err := cmd.Start(); err != nil {
		return res, err
	}
	var once sync.Once
	kill := func() { once.Do(func() { cmd.Process.Signal(syscall.SIGKILL) }) }
	defer kill()

	// Standard error: the log, and the moment the port is open in raw mode
	// (before that, the pty's line discipline would cook the bytes).
	var errLog bytes.Buffer
	connected, errDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(errDone)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		seen := false
		for sc.Scan() {
			errLog.Write(append(sc.Bytes(), '\n'))
			if !seen && bytes.Contains(sc.Bytes(), []byte("event=connected")) {
				seen = true
				close(connected)
			}
		}
		io.Copy(&errLog, stderr)
	}()
	if plan.startup {
		time.AfterFunc(plan.delay, kill)
	}
	select {
	case <-connected:
	case <-errDone:
	case <-ctx.Done():
	}
	up := false
	select {
	case <-connected:
		up = true
	default:
	}

	tokens, stop := make(chan struct{}, len(plan.payloads)), make(chan struct{})
	for range plan.window {
		tokens <- struct{}{}
	}
	if up {
		if plan.afterLine == 0 && !plan.startup {
			time.AfterFunc(plan.delay, kill)
		}
		go func() {
			for _, p := range plan.payloads {
				select {
				case <-tokens:
				case <-stop:
					return
				}
				if _, err := m.Write([]byte(p + "\r")); err != nil {
					return
				}
			}
		}()
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var v proofVerdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			// A line is one write(2) of less than PIPE_BUF: never torn.
			res.stderr = fmt.Sprintf("torn or foreign stdout line %q", sc.Bytes())
			continue
		}
		res.lines++
		if v.Recorded {
			res.recorded = append(res.recorded, v.VisitID)
			if v.Verdict == "admit" {
				res.admits++
			}
		}
		if v.Verdict == "cannot_record" {
			res.cannot++
		}
		select {
		case tokens <- struct{}{}:
		default:
		}
		switch {
		case plan.startup:
		case res.lines == plan.afterLine:
			time.AfterFunc(plan.delay, kill)
		case res.lines >= len(plan.payloads):
			kill() // every scan answered: nothing left to interrupt
		}
	}
	close(stop)
	<-errDone
	cmd.Wait()
	res.stderr += errLog.String()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		res.signalled = ws.Signaled() && ws.Signal() == syscall.SIGKILL
	}
	if !up && !plan.startup {
		return res, fmt.Errorf("no scanner connection (exit %v)", cmd.ProcessState)
	}
	return res, nil
}

// countedVisits adds up the entries and the denials of every reason that
// `doorcheck stats` prints for the day: every visit recorded but undos.
func countedVisits(stats []byte) (int, bool) {
	m := regexp.MustCompile(`entries (\d+)`).FindSubmatch(stats)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(string(m[1]))
	for _, d := range regexp.MustCompile(`(?m)^\s+denied \S+\s+(\d+)$`).FindAllSubmatch(stats, -1) {
		k, _ := strconv.Atoi(string(d[1]))
		n += k
	}
	return n, true
}

// assertNoInputAtRest scans every byte of every store file for the IINs
// that were scanned (any run of 12 digits) and for a pass payload's
// prefix: neither may ever be at rest.
func assertNoInputAtRest(t *testing.T, db string, iins map[string]bool) {
	t.Helper()
	for _, f := range storeFiles(t, db) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(pass.Prefix)) {
			t.Errorf("privacy: %s holds a raw pass payload", filepath.Base(f))
		}
		run := 0
		for i, c := range data {
			if c < '0' || c > '9' {
				run = 0
				continue
			}
			if run++; run >= pass.IINLength && iins[string(data[i+1-pass.IINLength:i+1])] {
				t.Errorf("privacy: %s holds a raw IIN at byte %d", filepath.Base(f), i+1-pass.IINLength)
				return
			}
		}
	}
}

// visitsMissing reopens the store read-only, as `doorcheck stats` does, and
// returns the ids it does not hold.
func visitsMissing(db string, ids []string) ([]string, error) {
	st, err := store.Open(db, store.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var missing []string
	for _, s := range ids {
		var id store.VisitID
		if err := id.UnmarshalText([]byte(s)); err != nil {
			missing = append(missing, fmt.Sprintf("%q (not a visit id: %v)", s, err))
			continue
		}
		if _, ok, err := st.Visit(id); !ok || err != nil {
			missing = append(missing, fmt.Sprintf("%s (%v)", s, err))
		}
	}
	return missing, nil
}
