package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// TestImportKilledAtEveryStage SIGKILLs an import at each stage, from
// reading the input to rewriting the index: the published state (storage,
// index, files named by the index) is the old version or, once storage has
// recorded the new one, repaired to the new one by the next serve; the next
// import succeeds with the right version, and no scratch file survives it.
func TestImportKilledAtEveryStage(t *testing.T) { forBackends(t, testImportKilledAtEveryStage) }

func testImportKilledAtEveryStage(t *testing.T, backend string) {
	iins := testIINs(300)
	for _, tc := range []struct {
		stage     hub.ImportStage
		published bool // the killed import's version is recorded
	}{
		{hub.StageReading, false},
		{hub.StageRows, false}, // PostgreSQL only: the rows are loaded, not committed
		{hub.StageFull, false},
		{hub.StageTransfer, false},
		{hub.StageDelta, false},
		{hub.StagePublish, false},
		{hub.StageIndex, true},
	} {
		if tc.stage == hub.StageRows && backend != "postgres" {
			continue // bbolt keeps no rows: the stage never comes
		}
		t.Run(strings.ReplaceAll(string(tc.stage), " ", "_"), func(t *testing.T) {
			useBackend(t, backend)
			data := keygen(t)
			dir := t.TempDir()
			mustRun(t, "import", "--data", data, writeCSV(t, dir, "v1.csv", iins[:200], 0))
			before, _ := os.ReadFile(filepath.Join(data, "public", "v1", "manifest"))

			cmd := exec.Command(os.Args[0], "import", "--data", data, writeCSV(t, dir, "v2.csv", iins[:250], 0))
			cmd.Env = append(os.Environ(), childEnv+"=1", killAtEnv+"="+string(tc.stage))
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stderr).ReadString('\n')
			if err != nil || !strings.Contains(line, "stopped at") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child did not reach %s: %q %v", tc.stage, line, err)
			}
			cmd.Process.Kill()
			cmd.Wait()

			after, _ := os.ReadFile(filepath.Join(data, "public", "v1", "manifest"))
			if string(after) != string(before) {
				t.Fatal("a killed import changed the served index")
			}
			// serve repairs the index from storage: version 2 only if it
			// was recorded before the kill.
			h := startHub(t, data, "--public-snapshots")
			resp, doc := get(t, noRedirect(""), h.url+"/v1/manifest")
			x, err := protocol.VerifyIndex(doc, hubKey(t, data))
			if resp.StatusCode != 200 || err != nil {
				t.Fatalf("index after the kill: %d %v", resp.StatusCode, err)
			}
			want := uint64(1)
			if tc.published {
				want = 2
			}
			if x.Version != want {
				t.Fatalf("served version %d after a kill at %s, want %d", x.Version, tc.stage, want)
			}
			for _, f := range append(x.Deltas, x.Full) {
				resp, body := get(t, noRedirect(""), h.url+protocol.FileURL(f.Name))
				if resp.StatusCode != 200 || int64(len(body)) != f.Size {
					t.Fatalf("%s: %d, %d bytes", f.Name, resp.StatusCode, len(body))
				}
			}
			if err := h.stop(t); err != nil {
				t.Fatal(err)
			}
			out := mustRun(t, "import", "--data", data, writeCSV(t, dir, "v3.csv", iins[:260], 0))
			if !strings.Contains(out, "published snapshot version "+map[bool]string{false: "2", true: "3"}[tc.published]) {
				t.Fatalf("the import after the kill:\n%s", out)
			}
			if left, _ := filepath.Glob(filepath.Join(data, "tmp", "import-*")); len(left) != 0 {
				t.Fatalf("scratch left after the next import: %v", left)
			}
			if left, _ := filepath.Glob(filepath.Join(data, "public", ".staging", "import-*")); len(left) != 0 {
				t.Fatalf("staged files left after the next import: %v", left)
			}
			assertNoIIN(t, data, iins)
		})
	}
}
