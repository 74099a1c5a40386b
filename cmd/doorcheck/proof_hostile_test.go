package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/scanner/qrimage"
	"github.com/doorcheck/doorcheck/sync/pass"
)

// Hostile input through every input path that does not go through the
// TUI (the TUI's own check lives in kiosk/tui): command arguments, check
// --json, standard input to the headless kiosk, a serial scanner on a
// pty, QR images and the scanner simulator. Each child's stdout and
// stderr go through the raw-output check, no hostile payload ever earns a
// colour, and no IIN or pass payload the test used appears in any output
// or in the store's files.

// privacySecrets are the raw IINs and payloads a test fed in that must
// never be written anywhere: the demo IINs (the hostile corpus carries
// one), and the valid pass the stdin test checks.
func privacySecrets(t *testing.T, extra ...string) []string {
	t.Helper()
	var s []string
	for _, p := range demo.People() {
		s = append(s, p.IIN)
	}
	return append(s, extra...)
}

// assertPrivate fails when any secret occurs in the outputs or in any file
// of the store whose visit file is dbPath.
func assertPrivate(t *testing.T, dbPath string, secrets []string, outputs ...[]byte) {
	t.Helper()
	blobs := map[string][]byte{}
	for i, o := range outputs {
		blobs["output "+string(rune('A'+i))] = o
	}
	for _, f := range storeFiles(t, dbPath) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blobs[filepath.Base(f)] = data
	}
	for name, b := range blobs {
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("privacy: %s holds the raw input %.16q…", name, s)
			}
		}
	}
}

// freshIIN is a valid IIN no demo person has: a blue admit on the demo.
func freshIIN(t *testing.T, serial int) string {
	t.Helper()
	for n := serial; n < serial+10; n++ {
		first := fmt.Sprintf("700101%05d", n%100000)
		if iin, ok := pass.MakeIIN(first); ok {
			return iin
		}
	}
	t.Fatalf("no valid IIN near serial %d", serial)
	return ""
}

// argCorpus is the corpus an argv can carry: no NUL.
func argCorpus() []string {
	var ps []string
	for _, h := range hostileCorpus() {
		if !strings.ContainsRune(h.payload, 0) {
			ps = append(ps, h.payload)
		}
	}
	return ps
}

func TestHostileCheckArguments(t *testing.T) {
	vars := demoEnv(t)
	db := vars["DOORCHECK_DEMO_DB"]
	payloads := argCorpus()
	for _, mode := range [][]string{{"check", "--demo"}, {"check", "--demo", "--json"}} {
		r := runChild(t, vars, nil, append(mode, payloads...)...)
		what := strings.Join(mode, " ")
		noCrash(t, what, r)
		assertChildNoRaw(t, what, r)
		if r.code != exitNotAdmit {
			t.Errorf("%s: exit %d, want %d (nothing hostile is admitted)\n%s", what, r.code, exitNotAdmit, r)
		}
		if lines := bytes.Count(r.stdout, []byte("\n")); lines != len(payloads) {
			t.Errorf("%s: %d lines for %d payloads", what, lines, len(payloads))
		}
		if len(mode) == 3 {
			for i, v := range parseVerdictLines(t, what, r.stdout) {
				if v.colour() || !v.Recorded {
					t.Errorf("%s: payload %d earned %+v", what, i, v)
				}
			}
		} else if bytes.Contains(r.stdout, []byte("ADMIT")) {
			t.Errorf("%s: a hostile payload was admitted: %s", what, clipOutput(r.stdout))
		}
		assertPrivate(t, db, privacySecrets(t), r.stdout, r.stderr)
	}

	// Hostile text in flags, file names and command names reaches the
	// error messages: those are escaped too.
	evil := "\x1b]0;pwned\x07\u202e\x9b2J"
	for _, args := range [][]string{
		{evil},
		{"check", "--config", filepath.Join(t.TempDir(), evil+".yaml"), "1"},
		{"check", "--demo", "--" + evil, "1"},
		{"check", "--demo", "--json=" + evil, "1"},
		{"snapshot", evil},
		{"snapshot", "import", "--demo", filepath.Join(t.TempDir(), evil)},
		{"qr", evil},
		{"qr", "decode", filepath.Join(t.TempDir(), evil+".png")},
		{"sim", "--port", "/nonexistent/" + evil, "x"},
		{"sim", "--port", "/dev/null", "--terminator", evil, "x"},
		{"sim", "--port", "/dev/null", "--file", filepath.Join(t.TempDir(), evil)},
		{"run", "--demo", "--no-tui", "--serial", "/dev/null", "--terminator", evil},
		{"qr", "encode", "--out", filepath.Join(t.TempDir(), evil, "x.png"), "x"},
		{"qr", "encode", strings.Repeat(evil, 2000)}, // too big for a code
	} {
		r := runChild(t, vars, nil, args...)
		// Exit 2 is right here (bad arguments); a crash shows in stderr.
		noCrashSigns(t, quoteArgs(args), r)
		assertChildNoRaw(t, quoteArgs(args), r)
		if r.code != exitUsage && r.code != exitFailure {
			t.Errorf("%s: want a usage error or a failure\n%s", quoteArgs(args), r)
		}
	}
}

// TestHostileQREncode: a hostile payload drawn as a QR code in the
// terminal is only blocks; nothing of it reaches the terminal raw.
func TestHostileQREncode(t *testing.T) {
	for _, h := range qrCorpus() {
		if strings.ContainsRune(h.payload, 0) || len(h.payload) > 1000 {
			continue // argv cannot carry NUL; long ones are in TestHostileCheckArguments
		}
		r := runChild(t, nil, nil, "qr", "encode", h.payload)
		noCrash(t, "qr encode "+h.name, r)
		assertChildNoRaw(t, "qr encode "+h.name, r)
		if r.code != exitOK {
			t.Errorf("qr encode %s: exit %d\n%s", h.name, r.code, r)
		}
	}
}

func TestHostileStdin(t *testing.T) {
	vars := demoEnv(t)
	db := vars["DOORCHECK_DEMO_DB"]
	greenPass := sample(t, "pass, green")
	var in bytes.Buffer
	scans := 0
	for _, h := range hostileCorpus() {
		in.WriteString(h.payload + "\n")
		scans++
	}
	// A real pass and a real IIN after the attack: the kiosk still reads,
	// and neither is written anywhere raw.
	sentinel := freshIIN(t, 4242)
	in.WriteString(greenPass + "\n" + sentinel + "\n")
	r := runChild(t, vars, in.Bytes(), "run", "--demo", "--no-tui")
	noCrash(t, "run --no-tui < hostile", r)
	assertChildNoRaw(t, "run --no-tui < hostile", r)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	vs := parseVerdictLines(t, "stdin", r.stdout)
	if len(vs) < 2 {
		t.Fatalf("%d verdict lines\n%s", len(vs), r)
	}
	for i, v := range vs[:len(vs)-2] {
		if v.colour() {
			t.Errorf("hostile line %d earned %+v", i, v)
		}
	}
	if last := vs[len(vs)-2:]; last[0].Status != "green" || last[1].Status != "blue" {
		t.Errorf("the valid pass and IIN after the attack: %+v", last)
	}
	// The two 100 KB lines exceed the payload bound: each is either one
	// not-verified verdict or dropped with a log line, never several.
	if len(vs) > scans+2 {
		t.Errorf("%d verdicts for %d lines: a line was split", len(vs), scans+2)
	}
	assertPrivate(t, db, privacySecrets(t, greenPass, sentinel), r.stdout, r.stderr)
}

func TestHostileSerial(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer m.Close()
	defer s.Close()
	vars := demoEnv(t)
	db := vars["DOORCHECK_DEMO_DB"]
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := proofCommand(ctx, vars, "run", "--demo", "--no-tui", "--serial", s.Name(), "--baud", "115200")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	errLog := &syncBuffer{}
	connected := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		once := false
		for sc.Scan() {
			errLog.Write(append(sc.Bytes(), '\n'))
			if !once && bytes.Contains(sc.Bytes(), []byte("event=connected")) {
				once = true
				close(connected)
			}
		}
		io.Copy(errLog, stderr)
	}()
	select {
	case <-connected:
	case <-ctx.Done():
		t.Fatalf("kiosk never connected to the pty: %s", errLog.String())
	}

	sentinel := freshIIN(t, 777)
	go func() {
		// The scanner sends the whole corpus, CR-terminated as configured,
		// then one real IIN. The writes block while the kiosk is behind.
		for _, h := range hostileCorpus() {
			m.Write([]byte(h.payload + "\r"))
		}
		m.Write([]byte(sentinel + "\r"))
	}()
	var out bytes.Buffer
	sc := bufio.NewScanner(io.TeeReader(stdout, &out))
	var vs []proofVerdict
	for sc.Scan() {
		var v proofVerdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("not a JSON line %q: %v", sc.Bytes(), err)
		}
		vs = append(vs, v)
		if v.Status == "blue" && v.Kind == "iin" {
			break // the sentinel: everything before it has been read
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	io.Copy(&out, stdout)
	cmd.Wait()
	r := childResult{args: cmd.Args, stdout: out.Bytes(), stderr: []byte(errLog.String()), code: cmd.ProcessState.ExitCode()}
	if len(vs) == 0 || vs[len(vs)-1].Status != "blue" {
		t.Fatalf("the IIN sent after the corpus never came back\n%s", r)
	}
	for i, v := range vs[:len(vs)-1] {
		if v.colour() {
			t.Errorf("hostile scan %d earned %+v", i, v)
		}
	}
	noCrash(t, "run --serial", r)
	assertChildNoRaw(t, "run --serial", r)
	assertPrivate(t, db, privacySecrets(t, sentinel), r.stdout, r.stderr)
}

// qrCorpus is the corpus a QR code can carry: the long lines cut to 2 KB.
func qrCorpus() []hostileInput {
	var out []hostileInput
	for _, h := range hostileCorpus() {
		if len(h.payload) > 2048 {
			h.payload = h.payload[:2048]
		}
		out = append(out, h)
	}
	return out
}

func TestHostileQRDecode(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, h := range qrCorpus() {
		name := filepath.Join(dir, fmt.Sprintf("code-%d.png", i))
		if i%5 == 0 {
			name = filepath.Join(dir, fmt.Sprintf("evil\x1b]0;x\x07\u202e-%d.png", i)) // file names are input too
		}
		var png bytes.Buffer
		if err := qrimage.EncodePNG(&png, h.payload, 600); err != nil {
			t.Logf("%s: cannot be encoded as a QR code (%v); not tried", h.name, err)
			continue
		}
		if err := os.WriteFile(name, png.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	if len(files) < len(qrCorpus())/2 {
		t.Fatalf("only %d of %d hostile payloads could be encoded", len(files), len(qrCorpus()))
	}
	r := runChild(t, nil, nil, append([]string{"qr", "decode"}, files...)...)
	noCrash(t, "qr decode", r)
	assertChildNoRaw(t, "qr decode", r)
	if r.code != exitOK || bytes.Count(r.stdout, []byte("\n")) < len(files) {
		t.Errorf("qr decode of %d files: exit %d, %d lines\n%s", len(files), r.code, bytes.Count(r.stdout, []byte("\n")), r)
	}
	for _, f := range files[:3] {
		r := runChild(t, nil, nil, "qr", "decode", f)
		noCrash(t, "qr decode one", r)
		assertChildNoRaw(t, "qr decode one", r)
	}
}

func TestHostileSim(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer m.Close()
	defer s.Close()
	var payloads []string
	for _, p := range argCorpus() {
		if len(p) <= 4096 {
			payloads = append(payloads, p)
		}
	}
	file := filepath.Join(t.TempDir(), "payloads\x1b[2J.txt")
	var content bytes.Buffer
	var lines []string
	for _, h := range hostileCorpus() {
		if len(h.payload) <= 4096 && !strings.ContainsAny(h.payload, "\r\n") {
			content.WriteString(h.payload + "\n")
			lines = append(lines, h.payload)
		}
	}
	if err := os.WriteFile(file, content.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	const prefix = "\x1b]0;x\x07"
	for _, c := range []struct {
		args []string
		last string // what the scanner's last bytes on the wire must be
	}{
		{append([]string{"sim", "--port", s.Name(), "--baud", "0", "--gap", "1", "--prefix", prefix}, payloads...), prefix + payloads[len(payloads)-1] + "\r"},
		{[]string{"sim", "--port", s.Name(), "--baud", "0", "--gap", "1", "--file", file}, lines[len(lines)-1] + "\r"},
	} {
		r := runChild(t, nil, nil, c.args...)
		noCrash(t, "sim", r)
		assertChildNoRaw(t, "sim", r)
		if r.code != exitOK {
			t.Errorf("sim: exit %d\n%s", r.code, r)
			continue
		}
		// The simulator is a scanner: it sends the bytes it was given, raw.
		if wire := readUntil(t, m, c.last); !bytes.HasSuffix(wire, []byte(c.last)) {
			t.Errorf("sim did not send its payloads raw: the wire ends %q", clipOutput(wire[max(0, len(wire)-200):]))
		}
	}
}

// readUntil reads the pty master until what was read ends with want, or
// nothing more comes for a few seconds.
func readUntil(t *testing.T, m *os.File, want string) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 64<<10)
	for !bytes.HasSuffix(got, []byte(want)) {
		m.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := m.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	return got
}
