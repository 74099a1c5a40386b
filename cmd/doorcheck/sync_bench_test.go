package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/client"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// BenchmarkUploadBacklog: a backlog of visits recorded offline
// (DOORCHECK_BENCH_VISITS, default 100,000) uploads to a real hub process
// on loopback, durable on both sides: the hub fsyncs each batch before it
// answers, the kiosk store fsyncs each batch's Ack. Only the upload is
// timed; recording the backlog is not.
func BenchmarkUploadBacklog(b *testing.B) {
	n := 100_000
	if s := os.Getenv("DOORCHECK_BENCH_VISITS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	h := newTestHub(b)
	h.importIINs(syncIINs(10), func(int) string { return "green" })
	h.serve()
	ec, err := protocol.ParseEnrollCode(h.enroll("bench-venue", "door"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ans, err := redeem(ctx, ec, "bench")
	if err != nil {
		b.Fatal(err)
	}
	hubKey := ans.HubKey
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "doorcheck.db")
		recordOffline(b, path, true, hubKey, visitOrigin{ans.Kiosk, ans.Venue, ans.Door}, n)
		st, err := store.Open(path, store.Options{HubKey: hubKey}) // fsync from here on
		if err != nil {
			b.Fatal(err)
		}
		cl, err := client.New(client.Options{URL: h.url, Credential: protocol.Credential(ans.Kiosk, ans.Secret), HubKey: hubKey,
			Store: st, Dir: filepath.Dir(path), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := cl.Upload(ctx, 0)
		b.StopTimer()
		if err != nil || res.New != n || res.Remaining != 0 {
			b.Fatalf("upload: %+v %v", res, err)
		}
		st.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "visits/s")
}

// visitOrigin is who records a backlog: the kiosk and the venue and door
// it was enrolled for (the hub refuses visits for any other).
type visitOrigin struct{ kiosk, venue, door string }

// recordOffline records n admitted entries into the store at path (created
// when create), one Record each as the kiosk records them but without
// fsync, ending now and a millisecond apart: the fastest way to a real
// backlog. It returns the visit ids in order.
func recordOffline(tb testing.TB, path string, create bool, hubKey ed25519.PublicKey, o visitOrigin, n int) []store.VisitID {
	tb.Helper()
	st, err := store.Open(path, store.Options{Create: create, NoSync: true, HubKey: hubKey})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	ids := make([]store.VisitID, 0, n)
	now := time.Now()
	for j := 0; j < n; j++ {
		at := now.Add(time.Duration(j-n) * time.Millisecond)
		id, err := store.NewVisitID(at, rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		var subj wire.SubjectKey
		rand.Read(subj[:])
		v := store.Visit{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: o.kiosk, Venue: o.venue, Door: o.door,
			Direction: visit.Entry, Subject: subj, Kind: visit.KindIIN, Status: "green", Verdict: store.VerdictAdmit, SnapshotVersion: 1}
		if _, err := st.Record(ctx, v); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	return ids
}
