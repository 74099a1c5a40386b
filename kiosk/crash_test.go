package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// The durability promise: a verdict is returned only after its visit is
// fsynced, so a SIGKILL at any moment loses no returned verdict's record.
// The child checks payloads in a burst and prints each visit id after
// Check returns; the parent kills it mid-burst and looks every printed id
// up in the reopened store.

const checksChildEnv = "DOORCHECK_CHECKS_CRASH_DIR"

func TestCrashChecksChild(t *testing.T) {
	dir := os.Getenv(checksChildEnv)
	if dir == "" {
		t.Skip("only runs as a crash-test child")
	}
	st, err := store.Open(filepath.Join(dir, "k.db"), store.Options{Create: true})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	clk := newClock(demoDay)
	c := New(st, Settings{Kiosk: "k1", Venue: "v1", Door: "d1", Rules: policy.Rules{Admitted: policy.Standard}}, WithClock(func() time.Time {
		clk.add(2 * time.Second) // past the debounce window each time
		return clk.now()
	}))
	samples, _ := demo.Samples(demoDay)
	for i := 0; ; i++ {
		v, err := c.Check(context.Background(), samples[i%len(samples)].Payload, "crash")
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("visit", v.VisitID)
	}
}

func TestCrashDuringCheckBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	for _, killAfter := range []int{1, 17, 60} {
		t.Run(fmt.Sprint(killAfter), func(t *testing.T) {
			dir := t.TempDir()
			st, err := store.Open(filepath.Join(dir, "k.db"), store.Options{Create: true, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			data, _ := demo.Snapshot(demoDay)
			r, _ := wire.Open(bytes.NewReader(data), demo.HubPublicKey())
			if err := st.Import(context.Background(), r, nil); err != nil {
				t.Fatal(err)
			}
			st.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChecksChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), checksChildEnv+"="+dir)
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var ids []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				if strings.HasPrefix(line, "error") {
					t.Fatalf("child: %s", line)
				}
				if id, ok := strings.CutPrefix(line, "visit "); ok {
					ids = append(ids, id)
				}
				if len(ids) == killAfter {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
			cmd.Wait()
			if len(ids) < killAfter {
				t.Fatalf("child printed %d ids before dying", len(ids))
			}

			st, err = store.Open(filepath.Join(dir, "k.db"), store.Options{Create: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for _, s := range ids {
				var id store.VisitID
				if err := id.UnmarshalText([]byte(s)); err != nil {
					t.Fatal(err)
				}
				if _, ok, err := st.Visit(id); !ok || err != nil {
					t.Fatalf("verdict %s was returned but its visit is lost (%v)", s, err)
				}
			}
		})
	}
}
