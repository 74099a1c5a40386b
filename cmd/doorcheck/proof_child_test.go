package main

// The proof suite (issue 6) drives the whole kiosk from outside, as a
// turnstile controller, a serial scanner and an attacker do: every command
// runs in its own process — this test binary re-executed — so that a crash
// (a fault inside bbolt, a panic, a SIGKILL) is seen as the exit status and
// standard error it really produces, instead of taking the test binary
// down with it. This file holds the child entry point and the helpers that
// start children; proof_kill_test.go, proof_hostile_test.go and
// proof_faults_test.go hold the attacks.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proofChildEnv marks the re-executed test binary as a proof-suite child.
// Its doorcheck command line follows "--" on the test binary's own: argv,
// unlike the environment, carries a 100 KB argument as it is.
const proofChildEnv = "DOORCHECK_PROOF_CHILD"

// TestProofChild is the kiosk as a proof-suite child runs it: Main on the
// real process streams and environment, exiting with Main's code, exactly
// as main does.
func TestProofChild(t *testing.T) {
	if os.Getenv(proofChildEnv) == "" {
		t.Skip("only runs as a proof-suite child")
	}
	args := flag.Args() // after "--"
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, args)
	stop()
	os.Exit(code)
}

// childTimeout bounds one child command; a hang is a failure, not a wait.
const childTimeout = 60 * time.Second

// proofCommand returns the command that runs `doorcheck args...` in a
// child process with vars as its only DOORCHECK_* environment, so a
// developer's own DOORCHECK_CONFIG never leaks into a test.
func proofCommand(ctx context.Context, vars map[string]string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^TestProofChild$", "-test.count=1", "--"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DOORCHECK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, proofChildEnv+"=1")
	return cmd
}

// childResult is what one finished child left behind.
type childResult struct {
	args           []string
	stdout, stderr []byte
	code           int // exit status; -1 when killed by a signal
}

func (r childResult) String() string {
	return fmt.Sprintf("doorcheck %s: exit %d\nstdout: %s\nstderr: %s", quoteArgs(r.args), r.code, clipOutput(r.stdout), clipOutput(r.stderr))
}

// runChild runs `doorcheck args...` to completion with stdin as its input.
func runChild(t *testing.T, vars map[string]string, stdin []byte, args ...string) childResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := proofCommand(ctx, vars, args...)
	var out, errb bytes.Buffer
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := childResult{args: args, stdout: out.Bytes(), stderr: errb.Bytes(), code: cmd.ProcessState.ExitCode()}
	if ctx.Err() != nil {
		t.Fatalf("child hung for %s: %v\n%s", childTimeout, err, r)
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("start child: %v", err)
	}
	return r
}

// crashSign matches what the Go runtime prints when a process dies of an
// unrecovered panic or a fault: lines that start "panic: ", "fatal error: ",
// "unexpected fault address", "[signal ", or a goroutine trace header. A
// message that quotes a recovered panic mid-line is not a crash.
var crashSign = regexp.MustCompile(`(?m)^(panic: |fatal error: |unexpected fault address|\[signal |goroutine \d+ \[)`)

// noCrash fails the test when the child crashed rather than failing
// cleanly: the runtime's exit status 2 (also the usage code, which a valid
// command line never earns), a death by signal, or a stack trace.
func noCrash(t *testing.T, what string, r childResult) {
	t.Helper()
	if r.code == exitUsage || r.code < 0 || r.code > exitStore {
		t.Errorf("%s: crashed or unexpected exit status\n%s", what, r)
		return
	}
	noCrashSigns(t, what, r)
}

// noCrashSigns fails the test when the child's output shows a crash.
func noCrashSigns(t *testing.T, what string, r childResult) {
	t.Helper()
	for _, out := range [][]byte{r.stderr, r.stdout} {
		if m := crashSign.Find(out); m != nil {
			t.Errorf("%s: output carries a crash (%q)\n%s", what, m, r)
			return
		}
	}
}

// parseVerdictLines decodes a child's JSON lines; every line must be one
// verdict object.
func parseVerdictLines(t *testing.T, what string, out []byte) []proofVerdict {
	t.Helper()
	var vs []proofVerdict
	for _, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			if len(out) == 0 {
				break
			}
			t.Errorf("%s: empty line in JSON output %q", what, clipOutput(out))
			continue
		}
		var v proofVerdict
		if err := json.Unmarshal(line, &v); err != nil {
			t.Errorf("%s: not a JSON verdict line: %q (%v)", what, clipOutput(line), err)
			continue
		}
		vs = append(vs, v)
	}
	return vs
}

// proofVerdict is the part of a verdict line the proof suite reads.
type proofVerdict struct {
	Status   string   `json:"status"`
	Verdict  string   `json:"verdict"`
	Reasons  []string `json:"reasons"`
	Kind     string   `json:"kind"`
	VisitID  string   `json:"visit_id"`
	Recorded bool     `json:"recorded"`
	Repeat   bool     `json:"repeat"`
	Failure  string   `json:"failure"`
}

// colour reports whether the verdict let the visitor through or showed a
// status colour: what no rotten, unreadable or unrecorded data may earn.
func (v proofVerdict) colour() bool {
	return v.Verdict == "admit" || v.Status == "green" || v.Status == "blue"
}

// storeFiles lists the files of the store whose visit file is path: every
// regular file in its directory, so the suite follows the store's layout
// (one file or two, and whatever bbolt keeps beside them) without naming it.
func storeFiles(t *testing.T, path string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
	return files
}

// copyStoreDir copies the regular files of src into a new directory dst,
// keeping holes: a snapshot file is sparse (16 MB long, a few pages used),
// and the fault tests copy the store hundreds of times.
func copyStoreDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o750); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			copySparse(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
		}
	}
}

func copySparse(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const page = 4096
	for off := 0; off < len(data); off += page {
		chunk := data[off:min(len(data), off+page)]
		if bytes.Count(chunk, []byte{0}) == len(chunk) {
			continue
		}
		if _, err := f.WriteAt(chunk, int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		t.Fatal(err)
	}
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%.60q", a)
	}
	return strings.Join(q, " ")
}

// clipOutput shortens child output for a failure message, escaped.
func clipOutput(b []byte) string {
	const keep = 2000
	if len(b) > keep {
		return fmt.Sprintf("%q…(%d bytes)", b[:keep], len(b))
	}
	return fmt.Sprintf("%q", b)
}
