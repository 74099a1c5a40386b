package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// pgHub prepares a data directory (keys) and a migrated database, and
// points every command of the test, in-process or child, at it through
// $DOORCHECK_HUB_DB.
func pgHub(t *testing.T, dsn string) (data string) {
	t.Helper()
	data = keygen(t)
	t.Setenv(dbEnv, dsn)
	if out := mustRun(t, "migrate"); !strings.Contains(out, "schema at version") {
		t.Fatalf("migrate: %s", out)
	}
	return data
}

// waitHealth waits until a hub's health answers want (200 or 503).
func waitHealth(t *testing.T, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + protocol.HealthPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s health never answered %d (last: %v %v)", url, want, resp, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// storedCounts returns how many visit rows the database holds and for how
// many distinct ids.
func storedCounts(t *testing.T, dsn string) (rows, ids int) {
	t.Helper()
	ctx := context.Background()
	st, err := pgstore.Open(ctx, dsn, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Pool().QueryRow(ctx, "SELECT count(*), count(DISTINCT id) FROM visits").Scan(&rows, &ids); err != nil {
		t.Fatal(err)
	}
	return rows, ids
}

// TestTwoHubsOneDatabase: two serve processes on one database behave as
// one hub — a batch uploaded to both (and retried across them) is stored
// once, a code enrolled for one is redeemed at the other, and a
// revocation is enforced by both on the kiosk's next request.
func TestTwoHubsOneDatabase(t *testing.T) {
	dsn := pg.Database(t)
	data := pgHub(t, dsn)
	a, b := startHub(t, data), startHub(t, data)
	waitHealth(t, a.url, 200)
	waitHealth(t, b.url, 200)
	if resp, body := get(t, http.DefaultClient, a.url+protocol.MetricsPath); resp.StatusCode != 200 ||
		!strings.Contains(string(body), "doorcheck_hub_db_up 1") || !strings.Contains(string(body), "doorcheck_hub_db_pool_max_connections 16") {
		t.Fatalf("metrics lack the pool figures: %d\n%s", resp.StatusCode, body)
	}

	// Enrolled with A's URL in the code, redeemed at B.
	k := enrollKiosk(t, data, b.url, "cinema-7", "north", "entry")
	if resp, body := whoami(t, a.url, k.cred); resp.StatusCode != 200 {
		t.Fatalf("the kiosk redeemed at B is unknown to A: %d %s", resp.StatusCode, body)
	}
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	var batch []visit.Record
	for i := range 300 {
		batch = append(batch, k.visit(t0.Add(time.Duration(i)*time.Millisecond), byte(i%250+1), visit.Entry, visit.Admit))
	}
	st, ans, body := upload(t, a.url, k.cred, protocol.UploadRequest{Format: 1, Visits: batch[:200]}, true)
	if st != 200 || strings.Count(resultsOf(ans), "new") != 200 {
		t.Fatalf("upload to A: %d %s", st, body)
	}
	// The retry (answer lost) goes to B with more visits on its end.
	st, ans, body = upload(t, b.url, k.cred, protocol.UploadRequest{Format: 1, Visits: batch[100:]}, true)
	if st != 200 || strings.Count(resultsOf(ans), "duplicate") != 100 || strings.Count(resultsOf(ans), "new") != 100 {
		t.Fatalf("retry at B: %d %s", st, resultsOf(ans))
	}
	if st, ans, _ = upload(t, a.url, k.cred, protocol.UploadRequest{Format: 1, Visits: batch}, false); st != 200 || strings.Count(resultsOf(ans), "duplicate") != 300 {
		t.Fatalf("the whole batch again at A: %d %s", st, resultsOf(ans))
	}
	if rows, ids := storedCounts(t, dsn); rows != 300 || ids != 300 {
		t.Fatalf("stored %d rows of %d ids, want 300 once each", rows, ids)
	}
	// A code is redeemable once across both instances.
	code, err := protocol.ParseEnrollCode(lastField(mustRun(t, "enroll", "--data", data, "--venue", "v", "--door", "d", "--direction", "exit", "--url", a.url)))
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := redeem(t, a.url, protocol.RedeemRequest{Handshake: 1, Token: code.Token[:]}, "application/json"); resp.StatusCode != 200 {
		t.Fatalf("redeem at A: %d %s", resp.StatusCode, body)
	}
	if resp, _ := redeem(t, b.url, protocol.RedeemRequest{Handshake: 1, Token: code.Token[:]}, "application/json"); resp.StatusCode == 200 {
		t.Fatal("the code redeemed at A was redeemed again at B")
	}
	// Revoked through the shared database (doorcheck-hub revoke --db):
	// both instances refuse the kiosk on its next request.
	mustRun(t, "revoke", "--data", data, k.id)
	for _, h := range []*hubProcess{a, b} {
		st, _, body := upload(t, h.url, k.cred, protocol.UploadRequest{Format: 1, Visits: batch[:1]}, false)
		if st != http.StatusForbidden || !strings.Contains(string(body), "kiosk_revoked") {
			t.Fatalf("revoked kiosk at %s: %d %s", h.url, st, body)
		}
	}
	if out := mustRun(t, "kiosks", "--data", data, "--json"); !strings.Contains(out, `"revoked_at"`) {
		t.Fatalf("kiosks: %s", out)
	}
}

// TestDatabaseKilledDuringUpload: the database is killed (pg_ctl stop -m
// immediate) while a kiosk uploads and restarted after a while; the hub
// stays up, answers unhealthy meanwhile and healthy after, and once the
// kiosk's retries are through every visit is stored exactly once.
func TestDatabaseKilledDuringUpload(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := pgtest.Start(ctx, pgtest.Options{})
	pgtest.Check(t, err)
	defer c.Stop()
	dsn, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data := pgHub(t, dsn)
	h := startHub(t, data, "--db-statement-timeout", "5s")
	waitHealth(t, h.url, 200)
	k := enrollKiosk(t, data, h.url, "v", "d", "entry")
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	var all []visit.Record
	for i := range 3000 {
		all = append(all, k.visit(t0.Add(time.Duration(i)*time.Millisecond), byte(i%250+1), visit.Entry, visit.Admit))
	}
	// The kiosk: each batch retried (with a pause) until it is answered
	// 200, the way sync/client does.
	failures := 0
	done := make(chan error, 1)
	progress := make(chan int, 100)
	go func() {
		for i := 0; i < len(all); i += 100 {
			for {
				body, _ := json.Marshal(protocol.UploadRequest{Format: 1, Visits: all[i : i+100]})
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url+protocol.VisitsPath, strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+k.cred)
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == 200 {
						break
					}
				}
				if ctx.Err() != nil {
					done <- ctx.Err()
					return
				}
				failures++
				time.Sleep(200 * time.Millisecond)
			}
			select {
			case progress <- i:
			default:
			}
		}
		done <- nil
	}()
	for i := range 3 { // let a few batches through
		<-progress
		_ = i
	}
	if err := c.Kill(ctx); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, h.url, http.StatusServiceUnavailable)
	time.Sleep(time.Second)
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, h.url, 200)
	if err := <-done; err != nil {
		t.Fatalf("uploads did not finish: %v\n%s", err, h.stderr)
	}
	if failures == 0 {
		t.Log("no upload failed while the database was down (the batches were all in before the kill)")
	}
	if rows, ids := storedCounts(t, dsn); rows != len(all) || ids != len(all) {
		t.Fatalf("stored %d rows of %d ids, want %d once each", rows, ids, len(all))
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
}
