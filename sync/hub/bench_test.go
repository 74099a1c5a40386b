package hub_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// BenchmarkIngest8Kiosks measures durable visit ingestion through the
// HTTP server on loopback: 8 kiosks post batches of 1,000 new visits
// concurrently; bbolt commits (fsync) each batch before answering.
//
//	go test -run '^$' -bench Ingest8Kiosks -benchtime 100x ./sync/hub
func BenchmarkIngest8Kiosks(b *testing.B) {
	ctx := context.Background()
	d := hub.DataDir(b.TempDir())
	keys, err := hub.Keygen(d, hub.Config{Deployment: "bench"}, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	st, err := boltstore.Open(string(d), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const kiosks, batch = 8, 1000
	creds := make([]string, kiosks)
	ids := make([]string, kiosks)
	for i := range kiosks {
		tok := []byte(fmt.Sprintf("token-%d", i))
		st.CreateEnrollment(ctx, hub.Enrollment{Token: hub.HashToken(tok), Venue: "venue", Door: fmt.Sprintf("door-%d", i), Direction: visit.Entry, ExpiresAt: time.Now().Add(time.Hour)})
		secret := []byte(fmt.Sprintf("secret-%d", i))
		k, err := st.RedeemEnrollment(ctx, hub.HashToken(tok), hub.Kiosk{ID: fmt.Sprintf("k-%d", i), SecretHash: sha256.Sum256(secret), EnrolledAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		creds[i], ids[i] = protocol.Credential(k.ID, secret), k.ID
	}
	srv := hub.NewServer(hub.ServerOptions{Data: d, Storage: st, Keys: keys})
	hs := srv.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String() + protocol.VisitsPath

	var seq atomic.Uint64
	body := func(k int) []byte {
		now := time.Now().UTC()
		vs := make([]visit.Record, batch)
		for j := range vs {
			n := seq.Add(1)
			var id visit.ID
			ms := uint64(now.UnixMilli())
			for x := 0; x < 6; x++ {
				id[x] = byte(ms >> (40 - 8*x))
			}
			id[6], id[8] = 0x70, 0x80
			for x := 0; x < 7; x++ {
				id[9+x] = byte(n >> (8 * x))
			}
			vs[j] = visit.Record{ID: id, At: now, Day: now.Format(time.DateOnly), Kiosk: ids[k], Venue: "venue", Door: fmt.Sprintf("door-%d", k),
				Direction: visit.Entry, Kind: visit.KindIIN, Subject: visit.Subject{byte(n), byte(n >> 8), byte(n >> 16)}, Status: wire.Green, Decision: visit.Admit}
		}
		out, _ := json.Marshal(protocol.UploadRequest{Format: 1, Visits: vs})
		return out
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: kiosks}}
	var next atomic.Int64
	b.SetParallelism((kiosks + 1) / 2) // 8 goroutines on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		k := int(next.Add(1)-1) % kiosks
		for pb.Next() {
			b.StopTimer()
			payload := body(k)
			b.StartTimer()
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+creds[k])
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			var ans protocol.UploadResponse
			json.NewDecoder(resp.Body).Decode(&ans)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(ans.Results) != batch || ans.Results[0].Result != protocol.ResultNew {
				b.Errorf("upload: %d", resp.StatusCode)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "visits/s")
}
