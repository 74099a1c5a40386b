package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// testKiosk is an enrolled kiosk's identity, as a sync client keeps it.
type testKiosk struct {
	id, venue, door, cred string
}

func enrollKiosk(t *testing.T, data, url, venue, door, direction string) testKiosk {
	t.Helper()
	code, err := protocol.ParseEnrollCode(lastField(mustRun(t, "enroll", "--data", data, "--venue", venue, "--door", door, "--direction", direction, "--url", url)))
	if err != nil {
		t.Fatal(err)
	}
	resp, body := redeem(t, url, protocol.RedeemRequest{Handshake: 1, Token: code.Token[:]}, "application/json")
	if resp.StatusCode != 200 {
		t.Fatalf("redeem: %d %s", resp.StatusCode, body)
	}
	var ans protocol.RedeemResponse
	json.Unmarshal(body, &ans)
	return testKiosk{id: ans.Kiosk, venue: ans.Venue, door: ans.Door, cred: protocol.Credential(ans.Kiosk, ans.Secret)}
}

func (k testKiosk) visit(at time.Time, subject byte, dir visit.Direction, dec visit.Decision) visit.Record {
	var id visit.ID
	ms := uint64(at.UnixMilli())
	for i := 0; i < 6; i++ {
		id[i] = byte(ms >> (40 - 8*i))
	}
	id[6], id[8] = 0x70, 0x80
	rand.Read(id[9:])
	r := visit.Record{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: k.id, Venue: k.venue, Door: k.door,
		Direction: dir, Kind: visit.KindIIN, Status: wire.Green, Decision: dec, SnapshotVersion: 1}
	if subject != 0 {
		r.Subject = visit.Subject{subject, 0xaa}
	}
	return r
}

// upload posts a batch (gzip when zip) and returns the status and answer.
func upload(t *testing.T, url, cred string, req protocol.UploadRequest, zip bool) (int, protocol.UploadResponse, []byte) {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if zip {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		b = z.Bytes()
	}
	hr, _ := http.NewRequest(http.MethodPost, url+protocol.VisitsPath, bytes.NewReader(b))
	hr.Header.Set("Content-Type", "application/json")
	if zip {
		hr.Header.Set("Content-Encoding", "gzip")
	}
	if cred != "" {
		hr.Header.Set("Authorization", "Bearer "+cred)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw bytes.Buffer
	raw.ReadFrom(resp.Body)
	var ans protocol.UploadResponse
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw.Bytes(), &ans); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, ans, raw.Bytes()
}

func resultsOf(ans protocol.UploadResponse) string {
	var out []string
	for _, r := range ans.Results {
		s := string(r.Result)
		if r.Code != "" {
			s += ":" + string(r.Code)
		}
		if r.Conflict {
			s += "!"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestUploadVisits(t *testing.T) { forBackends(t, testUploadVisits) }

func testUploadVisits(t *testing.T, backend string) {
	data := keygen(t)
	h := startHub(t, data)
	north := enrollKiosk(t, data, h.url, "cinema-7", "north", "entry")
	south := enrollKiosk(t, data, h.url, "cinema-7", "south", "entry")
	t0 := time.Now().UTC().Truncate(time.Millisecond)

	a := []visit.Record{
		north.visit(t0, 1, visit.Entry, visit.Admit),
		north.visit(t0.Add(time.Second), 2, visit.Entry, visit.Deny),
		north.visit(t0.Add(2*time.Second), 0, visit.Entry, visit.NotVerified),
	}
	st, ans, body := upload(t, h.url, north.cred, protocol.UploadRequest{Format: 1, Visits: a, Backlog: 7, SnapshotVersion: 3}, true)
	if st != 200 || resultsOf(ans) != "new new new" {
		t.Fatalf("first upload: %d %s %s", st, resultsOf(ans), body)
	}
	// The same batch again (an answer lost in transit): all duplicates.
	if st, ans, _ = upload(t, h.url, north.cred, protocol.UploadRequest{Format: 1, Visits: a}, false); st != 200 || resultsOf(ans) != "duplicate duplicate duplicate" {
		t.Fatalf("retried upload: %d %s", st, resultsOf(ans))
	}
	// Overlapping, with a visit for another door and a broken one.
	foreign := north.visit(t0.Add(3*time.Second), 3, visit.Entry, visit.Admit)
	foreign.Door = "south"
	broken := north.visit(t0.Add(4*time.Second), 4, visit.Entry, visit.Undo) // an undo naming nothing
	fresh := north.visit(t0.Add(5*time.Second), 5, visit.Entry, visit.Admit)
	st, ans, _ = upload(t, h.url, north.cred, protocol.UploadRequest{Format: 1, Visits: []visit.Record{a[2], foreign, broken, fresh}}, true)
	if st != 200 || resultsOf(ans) != "duplicate refused:wrong_door refused:bad_visit new" {
		t.Fatalf("mixed upload: %d %s", st, resultsOf(ans))
	}
	// Subject 1 is inside through north; admitted at south without an
	// exit: stored and flagged.
	st, ans, _ = upload(t, h.url, south.cred, protocol.UploadRequest{Format: 1, Visits: []visit.Record{south.visit(t0.Add(6*time.Second), 1, visit.Entry, visit.Admit)}, Backlog: 7, SnapshotVersion: 3}, false)
	if st != 200 || resultsOf(ans) != "new!" || ans.Conflicts != 1 {
		t.Fatalf("conflicting entry: %d %s", st, resultsOf(ans))
	}

	for _, tc := range []struct {
		name   string
		cred   string
		req    protocol.UploadRequest
		status int
		code   protocol.Code
	}{
		{"no credential", "", protocol.UploadRequest{Format: 1}, 401, protocol.CodeUnauthorized},
		{"format 2", north.cred, protocol.UploadRequest{Format: 2}, 400, protocol.CodeBadRequest},
		{"too many", north.cred, protocol.UploadRequest{Format: 1, Visits: repeat(a[0], protocol.MaxBatchVisits+1)}, 413, protocol.CodeBodyTooLarge},
	} {
		st, _, body := upload(t, h.url, tc.cred, tc.req, false)
		var e protocol.Error
		json.Unmarshal(body, &e)
		if st != tc.status || e.Code != tc.code {
			t.Errorf("%s: %d %s", tc.name, st, body)
		}
	}
	// A body over 8 MiB once decompressed (it is tiny as sent).
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(`{"format":1,"visits":[],"pad":"`))
	zw.Write(bytes.Repeat([]byte("x"), protocol.MaxUploadBytes))
	zw.Close()
	hr, _ := http.NewRequest(http.MethodPost, h.url+protocol.VisitsPath, &z)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Content-Encoding", "gzip")
	hr.Header.Set("Authorization", "Bearer "+north.cred)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("gzip bomb: %d", resp.StatusCode)
	}

	out := mustRun(t, "kiosks", "--data", data, "--json")
	if !strings.Contains(out, `"backlog": 7`) || !strings.Contains(out, `"snapshot_version": 3`) {
		t.Errorf("the fleet list lacks the uploaded backlog and version:\n%s", out)
	}
	_, metrics := get(t, http.DefaultClient, h.url+"/metrics")
	for _, want := range []string{`doorcheck_hub_enrolled_kiosks{state="active"} 2`, `doorcheck_hub_kiosk_last_contact_timestamp_seconds{kiosk="` + north.id + `",venue="cinema-7"}`, `doorcheck_hub_visits_total{result="new"} 5`, `doorcheck_hub_visits_total{result="duplicate"} 4`, `doorcheck_hub_visits_total{result="refused"} 2`, "doorcheck_hub_conflicts_total 1", "doorcheck_hub_upload_batches_total 4"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	mustRun(t, "revoke", "--data", data, north.id)
	st, _, body = upload(t, h.url, north.cred, protocol.UploadRequest{Format: 1, Visits: a}, false)
	if st != 403 || !strings.Contains(string(body), string(protocol.CodeKioskRevoked)) {
		t.Fatalf("revoked kiosk's upload: %d %s", st, body)
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
}

// TestUploadSurvivesHubKill: batches uploaded, the hub SIGKILLed (not shut
// down), restarted on the same data, everything uploaded again: every
// visit is stored exactly once, and every visit answered before the kill
// is there.
func TestUploadSurvivesHubKill(t *testing.T) { forBackends(t, testUploadSurvivesHubKill) }

func testUploadSurvivesHubKill(t *testing.T, backend string) {
	data := keygen(t)
	h := startHub(t, data)
	k := enrollKiosk(t, data, h.url, "v", "d", "entry")
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	var all []visit.Record
	for i := range 2000 {
		all = append(all, k.visit(t0.Add(time.Duration(i)*time.Millisecond), byte(i%200+1), visit.Entry, visit.Admit))
	}
	acked := 0
	for i := 0; i < 1000; i += 250 {
		st, ans, body := upload(t, h.url, k.cred, protocol.UploadRequest{Format: 1, Visits: all[i : i+250]}, true)
		if st != 200 || strings.Count(resultsOf(ans), "new") != 250 {
			t.Fatalf("batch %d: %d %s", i, st, body)
		}
		acked += 250
	}
	// Keep uploading from another goroutine and SIGKILL the hub once it
	// has answered one more batch, so the kill lands with the next one in
	// flight (wherever it lands, the assertions below must hold).
	answered := make(chan int, 100)
	go func() {
		defer close(answered)
		for i := 1000; i < len(all); i += 100 {
			b, _ := json.Marshal(protocol.UploadRequest{Format: 1, Visits: all[i : i+100]})
			hr, _ := http.NewRequest(http.MethodPost, h.url+protocol.VisitsPath, bytes.NewReader(b))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("Authorization", "Bearer "+k.cred)
			resp, err := http.DefaultClient.Do(hr)
			if err != nil {
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return
			}
			answered <- i + 100
		}
	}()
	<-answered
	h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.waited
	for n := range answered {
		acked = n
	}
	h = startHub(t, data)
	news := 0
	for i := 0; i < len(all); i += 500 {
		st, ans, body := upload(t, h.url, k.cred, protocol.UploadRequest{Format: 1, Visits: all[i : i+500]}, true)
		if st != 200 {
			t.Fatalf("after restart, batch %d: %d %s", i, st, body)
		}
		for j, r := range ans.Results {
			if i+j < acked && r.Result != protocol.ResultDuplicate {
				t.Fatalf("visit %d was acknowledged before the kill but is %s after it", i+j, r.Result)
			}
			if r.Result == protocol.ResultNew {
				news++
			}
		}
	}
	// The batch in flight at the kill may or may not have been stored:
	// its visits are new or duplicates now, never lost, never twice.
	if news > len(all)-acked {
		t.Fatalf("%d new after the restart, at most %d expected", news, len(all)-acked)
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	st := openTestStore(t, data)
	seen := map[visit.ID]int{}
	err := st.Visits(context.Background(), t0.Add(-time.Second), t0.Add(time.Hour), func(p []visit.Record) error {
		for _, r := range p {
			seen[r.ID]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if seen[r.ID] != 1 {
			t.Fatalf("visit %s stored %d times", r.ID, seen[r.ID])
		}
	}
	if len(seen) != len(all) {
		t.Fatalf("%d visits stored, want %d", len(seen), len(all))
	}
}

func repeat(r visit.Record, n int) []visit.Record {
	out := make([]visit.Record, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// TestReportWhileServing: the report is read from the running hub (it
// holds the visits) with the operator token, or from the files when the
// hub is stopped; both give the same numbers.
func TestReportWhileServing(t *testing.T) { forBackends(t, testReportWhileServing) }

func testReportWhileServing(t *testing.T, backend string) {
	data := keygen(t)
	h := startHub(t, data)
	k := enrollKiosk(t, data, h.url, "cinema-7", "north", "entry")
	now := time.Now().UTC()
	day := now.Format(time.DateOnly)
	vs := []visit.Record{
		k.visit(now, 1, visit.Entry, visit.Admit),
		k.visit(now.Add(time.Millisecond), 2, visit.Entry, visit.Deny),
	}
	vs[1].Status, vs[1].Reasons = wire.Red, []reason.Code{reason.Isolation}
	if st, _, body := upload(t, h.url, k.cred, protocol.UploadRequest{Format: 1, Visits: vs}, false); st != 200 {
		t.Fatalf("upload: %d %s", st, body)
	}
	live := mustRun(t, "report", "--data", data, "--day", day, "--json")
	for _, want := range []string{`"venue": "cinema-7"`, `"entries": 1`, `"denied": 1`, `"red": 1`, `"isolation": 1`} {
		if !strings.Contains(live, want) {
			t.Errorf("report from the running hub lacks %s:\n%s", want, live)
		}
	}
	resp, _ := get(t, http.DefaultClient, h.url+protocol.ReportPath, "Authorization", "Bearer "+k.cred)
	if resp.StatusCode != 401 {
		t.Fatalf("report with a kiosk credential: %d", resp.StatusCode)
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	offline := mustRun(t, "report", "--data", data, "--day", day, "--json")
	if offline != live {
		t.Fatalf("offline and live reports differ:\n%s\n%s", offline, live)
	}
	text := mustRun(t, "report", "--data", data, "--day", day)
	if !strings.Contains(text, "cinema-7") || !strings.Contains(text, "isolation 1") {
		t.Fatalf("text report:\n%s", text)
	}
}
