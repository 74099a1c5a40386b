package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Storage faults through the command line, as a kiosk meets them: a
// read-only file system, a store deleted while the kiosk runs, truncated
// and bit-flipped store files, and a full disk. Whatever happens, the
// kiosk never crashes (no exit 2, no stack trace), never shows a colour it
// did not earn from sound data, and never drops a scan silently: each one
// is a clear "cannot record" or "store corrupt".
//
// The read-only and full-disk tests need a file system of their own: they
// mount a small tmpfs, which needs root (CAP_SYS_ADMIN). Where that is not
// allowed they say so and skip; the store's and the command's injected
// write errors (kiosk/store, cmd/doorcheck) cover the same paths there.

// faultScan is a payload a corrupted store is asked about and the status
// the demo snapshot gives its visitor.
type faultScan struct {
	payload string
	status  string
}

// faultScans are visitors the demo snapshot lists red or yellow. No fault
// may ever turn one into an admit, or show any colour but their own: rot
// reads as NOT VERIFIED or "cannot record", never as a status.
func faultScans(t *testing.T) []faultScan {
	t.Helper()
	people := demo.People()
	return []faultScan{
		{people[3].IIN, "red"}, {sample(t, "pass, red"), "red"},
		{people[4].IIN, "yellow"}, {sample(t, "pass, yellow"), "yellow"},
	}
}

func faultPayloads(t *testing.T) []string {
	t.Helper()
	var ps []string
	for _, s := range faultScans(t) {
		ps = append(ps, s.payload)
	}
	return ps
}

// demoStore creates a demo store in dir holding one admit and the given
// number of other visits, and returns the environment that points the
// demo at it. The other visits are unknown payloads, recorded as not
// verified: they grow the visit log without filling the demo venue (its
// capacity, 50, would deny everyone "full" and hide a wrong admit).
func demoStore(t *testing.T, dir string, visits int) map[string]string {
	t.Helper()
	vars := map[string]string{"DOORCHECK_DEMO_DB": filepath.Join(dir, "demo.db")}
	args := []string{"check", "--demo", "--json", demo.People()[0].IIN}
	for i := range visits {
		args = append(args, fmt.Sprintf("not-a-pass-%d", i))
	}
	if out, errOut, code := run(t, vars, "", args...); code != exitOK && code != exitNotAdmit {
		t.Fatalf("create demo store: exit %d\n%s\n%s", code, out, errOut)
	}
	return vars
}

// mountTmpfs mounts a tmpfs of the given size on a fresh directory and
// unmounts it when the test ends. The error says why where mounting is
// not allowed (not root, no CAP_SYS_ADMIN, a container without mounts).
func mountTmpfs(t *testing.T, size string) (dir string, err error) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0750"); err != nil {
		return "", fmt.Errorf("mount -t tmpfs: %w", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir, nil
}

func TestFaultReadOnlyStore(t *testing.T) {
	dir, err := mountTmpfs(t, "64m")
	if err != nil {
		t.Skipf("no file system of our own to make read-only (%v); the injected EROFS tests cover this path", err)
	}
	vars := demoStore(t, dir, 3)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("remount read-only: %v", err)
	}
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatal("the read-only remount still takes writes")
	}

	// Reading works: stats and snapshot info open the store read-only.
	for _, args := range [][]string{{"stats", "--demo"}, {"snapshot", "info", "--demo"}} {
		r := runChild(t, vars, nil, args...)
		noCrash(t, quoteArgs(args), r)
		assertChildNoRaw(t, quoteArgs(args), r)
		if r.code != exitOK || len(r.stdout) == 0 {
			t.Errorf("%s on a read-only store: want it to work\n%s", quoteArgs(args), r)
		}
	}

	// Checking cannot record: exit 1, and every scan says so on stdout.
	payloads := append(faultPayloads(t), demo.People()[0].IIN)
	r := runChild(t, vars, nil, append([]string{"check", "--demo", "--json"}, payloads...)...)
	noCrash(t, "check --json", r)
	assertChildNoRaw(t, "check --json", r)
	assertCannotRecord(t, "check --json on a read-only store", r, len(payloads), "read_only")

	r = runChild(t, vars, nil, "check", "--demo", demo.People()[0].IIN)
	noCrash(t, "check", r)
	assertChildNoRaw(t, "check", r)
	if r.code != exitFailure || !strings.Contains(strings.ToLower(string(r.stdout)+string(r.stderr)), "cannot record") {
		t.Errorf("check on a read-only store: want exit 1 and \"cannot record\"\n%s", r)
	}

	in := strings.Join(payloads, "\n") + "\n"
	r = runChild(t, vars, []byte(in), "run", "--demo", "--no-tui")
	noCrash(t, "run --no-tui", r)
	assertChildNoRaw(t, "run --no-tui", r)
	assertCannotRecord(t, "run --no-tui on a read-only store", r, len(payloads), "read_only")
}

// assertCannotRecord wants exit 1 and exactly n JSON lines, each a
// cannot_record verdict (with the given failure code) that was not
// recorded and shows no colour.
func assertCannotRecord(t *testing.T, what string, r childResult, n int, failure string) {
	t.Helper()
	if r.code != exitFailure {
		t.Errorf("%s: exit %d, want %d\n%s", what, r.code, exitFailure, r)
	}
	vs := parseVerdictLines(t, what, r.stdout)
	if len(vs) != n {
		t.Errorf("%s: %d verdict lines for %d scans\n%s", what, len(vs), n, r)
	}
	for i, v := range vs {
		if v.Verdict != "cannot_record" || v.Recorded || v.Status != "" || v.colour() || (failure != "" && v.Failure != failure) {
			t.Errorf("%s: line %d = %+v, want cannot_record (%s), not recorded, no colour", what, i, v, failure)
		}
	}
}

// configuredKiosk provisions a kiosk with its own hub key: a config file
// and a store made by `snapshot import`. It returns the config path and the
// store's visit file.
func configuredKiosk(t *testing.T) (cfg, db string) {
	t.Helper()
	dir := t.TempDir()
	snap := filepath.Join(dir, "s.snap")
	if _, errOut, code := run(t, nil, "", "snapshot", "gen", "--subjects", "100", "--out", snap); code != exitOK {
		t.Fatalf("gen: %s", errOut)
	}
	key, err := os.ReadFile(snap + ".hubkey")
	if err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "store", "k.db")
	cfg = filepath.Join(dir, "kiosk.yaml")
	yaml := "kiosk: {id: k, venue: v, door: d}\nstore: {path: " + db + "}\nhub: {public_key: " + strings.TrimSpace(string(key)) + "}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", cfg, snap); code != exitOK {
		t.Fatalf("import: %s", errOut)
	}
	return cfg, db
}

// headlessKiosk is `doorcheck run --no-tui` reading scans from a pipe.
type headlessKiosk struct {
	t      *testing.T
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stdout bytes.Buffer
	stderr *syncBuffer
}

func startHeadless(t *testing.T, vars map[string]string, args ...string) *headlessKiosk {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	t.Cleanup(cancel)
	cmd := proofCommand(ctx, vars, append([]string{"run", "--no-tui"}, args...)...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &headlessKiosk{t: t, cmd: cmd, in: in, stderr: &syncBuffer{}}
	cmd.Stderr = h.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.out = bufio.NewReader(io.TeeReader(out, &h.stdout))
	return h
}

// scan sends one payload and returns the one verdict line it produced.
func (h *headlessKiosk) scan(payload string) proofVerdict {
	h.t.Helper()
	if _, err := io.WriteString(h.in, payload+"\n"); err != nil {
		h.t.Fatalf("write scan: %v (stderr %s)", err, h.stderr.String())
	}
	line, err := h.out.ReadBytes('\n')
	if err != nil {
		h.t.Fatalf("no verdict line for a scan: %v (stderr %s)", err, h.stderr.String())
	}
	var v proofVerdict
	if err := json.Unmarshal(line, &v); err != nil {
		h.t.Fatalf("not a JSON verdict line %q: %v", line, err)
	}
	return v
}

// stop closes standard input and waits for the kiosk to end.
func (h *headlessKiosk) stop() childResult {
	h.t.Helper()
	h.in.Close()
	io.Copy(io.Discard, h.out) // the tee keeps every byte read in h.stdout
	h.cmd.Wait()
	return childResult{args: h.cmd.Args, stdout: h.stdout.Bytes(), stderr: []byte(h.stderr.String()), code: h.cmd.ProcessState.ExitCode()}
}

func TestFaultStoreDeletedWhileRunning(t *testing.T) {
	for _, c := range []struct {
		name   string
		remove func(t *testing.T, db string)
	}{
		{"visit file removed", func(t *testing.T, db string) {
			if err := os.Remove(db); err != nil {
				t.Fatal(err)
			}
		}},
		{"every store file removed", func(t *testing.T, db string) {
			for _, f := range storeFiles(t, db) {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"visit file replaced", func(t *testing.T, db string) {
			data, err := os.ReadFile(db)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(db+".new", data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(db+".new", db); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, db := configuredKiosk(t)
			var iins iinSeq
			iins.n = 600_000_000
			h := startHeadless(t, nil, "--config", cfg)
			if v := h.scan(iins.next()); !v.Recorded || v.VisitID == "" {
				t.Fatalf("first scan, store intact: %+v (stderr %s)", v, h.stderr.String())
			}
			c.remove(t, db)
			for i := range 10 {
				if v := h.scan(iins.next()); v.Recorded || v.Verdict != "cannot_record" {
					t.Errorf("scan %d after the store went: %+v, want cannot_record", i, v)
				}
			}
			r := h.stop()
			noCrash(t, "run after the store went", r)
			assertChildNoRaw(t, "run after the store went", r)
			if r.code != exitFailure {
				t.Errorf("run after the store went: exit %d, want %d\n%s", r.code, exitFailure, r)
			}
		})
	}

	// A configured kiosk never starts a fresh store silently: not when the
	// store is missing, not when its file is empty.
	for _, c := range []struct {
		name  string
		spoil func(db string) error
	}{
		{"missing", os.Remove},
		{"empty", func(db string) error { return os.Truncate(db, 0) }},
	} {
		t.Run("restart with the store "+c.name, func(t *testing.T) {
			cfg, db := configuredKiosk(t)
			if err := c.spoil(db); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(db)
			for _, args := range [][]string{
				{"check", "--config", cfg, "--json", demo.People()[0].IIN},
				{"run", "--config", cfg, "--no-tui"},
			} {
				r := runChild(t, nil, []byte(demo.People()[0].IIN+"\n"), args...)
				noCrash(t, quoteArgs(args), r)
				assertChildNoRaw(t, quoteArgs(args), r)
				if r.code != exitStore || bytes.Contains(r.stdout, []byte(`"recorded":true`)) || len(r.stderr) == 0 {
					t.Errorf("%s with the store %s: want exit %d, nothing recorded and a message\n%s", quoteArgs(args), c.name, exitStore, r)
				}
				after, err := os.Stat(db)
				if (before == nil) != errors.Is(err, os.ErrNotExist) || (after != nil && after.Size() != 0) {
					t.Errorf("%s with the store %s: a store was created silently (%v)", quoteArgs(args), c.name, err)
				}
			}
		})
	}
}

// pristineDemoStore is a demo store with enough visits that its visit
// file has branch pages, leaf pages, a freelist and both meta pages.
func pristineDemoStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pristine")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	demoStore(t, dir, 120)
	return dir
}

// faultCheck runs check on the corrupted store in dir and asserts the
// promise: no crash, no colour for the red and yellow visitors, and a
// failure is said, on stdout or stderr. It returns the outcome's name.
func faultCheck(t *testing.T, what, dir string) string {
	t.Helper()
	vars := map[string]string{"DOORCHECK_DEMO_DB": filepath.Join(dir, "demo.db")}
	scans := faultScans(t)
	r := runChild(t, vars, nil, append([]string{"check", "--demo", "--json"}, faultPayloads(t)...)...)
	noCrash(t, what, r)
	assertChildNoRaw(t, what, r)
	vs := parseVerdictLines(t, what, r.stdout)
	for i, v := range vs {
		if i < len(scans) && (v.colour() || v.Status != "" && v.Status != scans[i].status) {
			t.Errorf("%s: a %s visitor earned %+v\n%s", what, scans[i].status, v, r)
		}
	}
	switch {
	case r.code == exitOK:
		t.Errorf("%s: exit 0 means a red or yellow visitor was admitted\n%s", what, r)
	case (r.code == exitFailure || r.code == exitStore) && len(vs) == 0 && len(bytes.TrimSpace(r.stderr)) == 0:
		t.Errorf("%s: failed without a word\n%s", what, r)
	}
	outcome := "refused at open"
	if len(vs) > 0 {
		outcome = vs[0].Verdict
		if len(vs[0].Reasons) > 0 {
			outcome += " " + vs[0].Reasons[0]
		}
	}
	return outcome
}

// envInt reads a positive count from the environment, or returns def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

func faultSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("DOORCHECK_FAULT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (DOORCHECK_FAULT_SEED=%d picks the same faults again)", seed, seed)
	return seed
}

// TestFaultTruncatedStore cuts each store file to 8192 bytes (where bbolt
// once faulted in its freelist load), to other page boundaries, and to
// random lengths. DOORCHECK_TRUNCATIONS sets the random ones per file.
func TestFaultTruncatedStore(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the binary for each fault")
	}
	pristine := pristineDemoStore(t)
	rng := rand.New(rand.NewPCG(faultSeed(t), 1))
	random := envInt(t, "DOORCHECK_TRUNCATIONS", 4)
	outcomes := map[string]int{}
	trials := 0
	for _, f := range storeFiles(t, filepath.Join(pristine, "demo.db")) {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		size := fi.Size()
		lengths := []int64{8192, 4096, 1, 12288, size / 2, size - 1}
		for range random {
			lengths = append(lengths, 1+rng.Int64N(size-1))
		}
		for _, n := range lengths {
			if n <= 0 || n >= size {
				continue
			}
			trial := filepath.Join(t.TempDir(), "trial")
			copyStoreDir(t, pristine, trial)
			target := filepath.Join(trial, filepath.Base(f))
			if err := os.Truncate(target, n); err != nil {
				t.Fatal(err)
			}
			outcomes[faultCheck(t, fmt.Sprintf("%s cut to %d of %d bytes", filepath.Base(f), n, size), trial)]++
			trials++
		}
	}
	t.Logf("%d truncations: %v", trials, outcomes)
}

// bbolt page types, from the flags in each page's header.
func pageType(page []byte) string {
	if len(page) < 16 {
		return "short"
	}
	switch flags := uint16(page[8]) | uint16(page[9])<<8; flags {
	case 0x01:
		return "branch"
	case 0x02:
		return "leaf"
	case 0x04:
		return "meta"
	case 0x10:
		return "freelist"
	default:
		if bytes.Count(page, []byte{0}) == len(page) {
			return "zero"
		}
		return "overflow/data"
	}
}

// TestFaultBitFlips flips one random bit in every page of every store file
// that holds anything (and in a few all-zero pages), in turn, and checks
// the red and yellow visitors each time. DOORCHECK_FLIPS sets the flips per
// page (default 2).
func TestFaultBitFlips(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the binary for each fault")
	}
	pristine := pristineDemoStore(t)
	rng := rand.New(rand.NewPCG(faultSeed(t), 2))
	perPage := envInt(t, "DOORCHECK_FLIPS", 2)
	const pageSize = 4096 // bbolt's page size is the OS page size: 4 KiB here
	byType := map[string]int{}
	outcomes := map[string]int{}
	for _, f := range storeFiles(t, filepath.Join(pristine, "demo.db")) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var pages []int
		zeroPages := 0
		for p := 0; p*pageSize < len(data); p++ {
			page := data[p*pageSize : min(len(data), (p+1)*pageSize)]
			if pageType(page) == "zero" {
				if zeroPages++; zeroPages > 2 {
					continue // a sparse file's holes: two of them stand for the rest
				}
			}
			pages = append(pages, p)
		}
		for _, p := range pages {
			page := data[p*pageSize : min(len(data), (p+1)*pageSize)]
			typ := pageType(page)
			var used []int // offsets of the page's non-zero bytes
			for i, b := range page {
				if b != 0 {
					used = append(used, i)
				}
			}
			for n := range perPage {
				// Half the flips land anywhere in the page, half on bytes
				// that hold something (a page is mostly unused space).
				in := rng.IntN(len(page))
				if n%2 == 1 && len(used) > 0 {
					in = used[rng.IntN(len(used))]
				}
				off := p*pageSize + in
				bit := byte(1) << rng.IntN(8)
				trial := filepath.Join(t.TempDir(), "trial")
				copyStoreDir(t, pristine, trial)
				patchByte(t, filepath.Join(trial, filepath.Base(f)), int64(off), data[off]^bit)
				what := fmt.Sprintf("%s page %d (%s) byte %d bit %#02x", filepath.Base(f), p, typ, off, bit)
				outcomes[faultCheck(t, what, trial)]++
				byType[filepath.Base(f)+" "+typ]++
			}
		}
	}
	t.Logf("flips by page: %v; outcomes: %v", byType, outcomes)
}

// patchByte writes one byte of a file in place.
func patchByte(t *testing.T, path string, off int64, b byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{b}, off); err != nil {
		t.Fatal(err)
	}
}

// patchAfterEach finds every occurrence of needle in the files and, at
// the byte skip bytes from the start of each, writes what change makes of
// it when change says so. It returns how many bytes it changed.
func patchAfterEach(t *testing.T, files []string, needle []byte, skip int, change func(old byte) (byte, bool)) int {
	t.Helper()
	hits := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; {
			j := bytes.Index(data[i:], needle)
			if j < 0 {
				break
			}
			at := i + j + skip
			if at >= len(data) {
				break
			}
			if b, ok := change(data[at]); ok {
				patchByte(t, f, int64(at), b)
				hits++
			}
			i = at
		}
	}
	return hits
}

// TestFaultSnapshotStatusByte is the attack of defect 4 through the
// command line: the status byte after a red or yellow subject's key in the
// stored snapshot is changed — to green, to blue, to a value no status has
// — and the visitor is checked. Rot must never read as a colour: the
// answer is NOT VERIFIED (store_corrupt) or a refusal, never an admit.
func TestFaultSnapshotStatusByte(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the binary for each fault")
	}
	pristine := pristineDemoStore(t)
	h := demo.Hasher()
	for _, who := range []demo.Person{demo.People()[3], demo.People()[4]} {
		key := h.IIN(who.IIN)
		for _, to := range []wire.Status{wire.Green, wire.Blue, wire.Red, wire.Yellow, 0x7f} {
			if to == who.Status {
				continue
			}
			t.Run(fmt.Sprintf("%s to %#02x", who.Status, byte(to)), func(t *testing.T) {
				trial := filepath.Join(t.TempDir(), "trial")
				copyStoreDir(t, pristine, trial)
				hits := patchAfterEach(t, storeFiles(t, filepath.Join(trial, "demo.db")), key[:], wire.SubjectKeySize, func(old byte) (byte, bool) {
					return byte(to), old == byte(who.Status)
				})
				if hits == 0 {
					t.Fatalf("the %s subject's entry is not in the store files", who.Status)
				}
				vars := map[string]string{"DOORCHECK_DEMO_DB": filepath.Join(trial, "demo.db")}
				r := runChild(t, vars, nil, "check", "--demo", "--json", who.IIN)
				noCrash(t, "check", r)
				for _, v := range parseVerdictLines(t, "check", r.stdout) {
					if v.colour() || v.Verdict == "deny" && v.Status != who.Status.String() {
						t.Errorf("%s visitor with the status byte rotted to %#02x: %+v, want not_verified store_corrupt", who.Status, byte(to), v)
					}
				}
				if r.code == exitOK {
					t.Errorf("exit 0: admitted\n%s", r)
				}
			})
		}
	}
}

// TestFaultSnapshotManifestRot rots the stored manifest of the current
// snapshot, which sits in the snapshot file beside the blocks: one
// character of a field changed to another that keeps the JSON and the
// base64 valid, so only an integrity check can tell. The subject hash key
// is the dangerous one: with it changed, every IIN hashes to a key the
// snapshot does not hold, and a red visitor would read as "not listed",
// blue, admitted. Rot must read as NOT VERIFIED or a refusal instead.
func TestFaultSnapshotManifestRot(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the binary for each fault")
	}
	pristine := pristineDemoStore(t)
	for _, field := range []string{`"subject_hash_key":"`, `"public_key":"`, `"created_at":"`, `"hub_key_id":"`} {
		t.Run(strings.Trim(field, `":`), func(t *testing.T) {
			trial := filepath.Join(t.TempDir(), "trial")
			copyStoreDir(t, pristine, trial)
			// A few characters into the value.
			hits := patchAfterEach(t, storeFiles(t, filepath.Join(trial, "demo.db")), []byte(field), len(field)+2, func(old byte) (byte, bool) {
				return rotChar(old), true
			})
			if hits == 0 {
				t.Fatalf("no %s in the store files: the manifest is stored another way; update this test", field)
			}
			outcome := faultCheck(t, "manifest field "+field+" rotted", trial)
			t.Logf("%s rotted in %d place(s): %s", field, hits, outcome)
		})
	}
}

// rotChar returns another character of the same class (digit, letter),
// so the rotted text still parses.
func rotChar(c byte) byte {
	switch {
	case c >= '0' && c < '9', c >= 'a' && c < 'z', c >= 'A' && c < 'Z':
		return c + 1
	case c == '9' || c == 'z' || c == 'Z':
		return c - 1
	}
	return c ^ 1
}

// TestFaultDiskFull fills a small tmpfs under a running kiosk: every scan
// still gets exactly one JSON line — recorded, or cannot_record with
// disk_full — and each line that said recorded is on disk once there is
// room again.
func TestFaultDiskFull(t *testing.T) {
	dir, err := mountTmpfs(t, "2m")
	if err != nil {
		t.Skipf("no small file system of our own to fill (%v); the injected ENOSPC tests cover this path", err)
	}
	vars := demoStore(t, dir, 3)
	filler := filepath.Join(dir, "filler")
	fill(t, filler)

	var iins iinSeq
	iins.n = 700_000_000
	const scans = 400
	var in strings.Builder
	for range scans {
		in.WriteString(iins.next() + "\n")
	}
	r := runChild(t, vars, []byte(in.String()), "run", "--demo", "--no-tui")
	noCrash(t, "run on a full disk", r)
	assertChildNoRaw(t, "run on a full disk", r)
	vs := parseVerdictLines(t, "run on a full disk", r.stdout)
	var recorded []string
	cannot := 0
	for i, v := range vs {
		switch {
		case v.Recorded:
			recorded = append(recorded, v.VisitID)
		case v.Verdict == "cannot_record" && v.Failure == "disk_full" && !v.colour():
			cannot++
		default:
			t.Errorf("line %d on a full disk: %+v, want recorded or cannot_record (disk_full)", i, v)
		}
	}
	if len(vs) != scans || cannot == 0 || r.code != exitFailure {
		t.Errorf("full disk: %d lines for %d scans, %d cannot_record, exit %d: want one line per scan, some cannot_record, exit 1\nstderr: %s",
			len(vs), scans, cannot, r.code, clipOutput(r.stderr))
	}

	r = runChild(t, vars, nil, "check", "--demo", "--json", iins.next())
	noCrash(t, "check on a full disk", r)
	assertCannotRecord(t, "check on a full disk", r, 1, "disk_full")

	// Room again: the store reopens, holds what it said it recorded, and
	// records again.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	missing, err := visitsMissing(vars["DOORCHECK_DEMO_DB"], recorded)
	if err != nil {
		t.Fatalf("store does not reopen after the disk was full: %v", err)
	}
	for _, id := range missing {
		t.Errorf("visit %s was shown as recorded on the full disk but is not in the store", id)
	}
	r = runChild(t, vars, nil, "check", "--demo", "--json", iins.next())
	if vs := parseVerdictLines(t, "check with room again", r.stdout); r.code != exitOK || len(vs) != 1 || !vs[0].Recorded {
		t.Errorf("check with room again:\n%s", r)
	}
	t.Logf("full disk: %d scans, %d recorded before the disk filled, %d cannot_record", scans, len(recorded), cannot)
}
