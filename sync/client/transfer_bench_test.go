package client

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/snapgen"
	"github.com/doorcheck/doorcheck/sync/transfer"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// BenchmarkSnapshotTransferLarge measures snapshot downloads end to end
// between a real hub server (sync/hub, on 127.0.0.1) and this client,
// into a real kiosk store with fsync:
//
//   - the full snapshot through its transfer form (download, decode,
//     SHA-256 against the index, wire.Open, import);
//   - the same full snapshot as the .dcsnap file (the path without a
//     transfer form: the reference in the same run);
//   - the 1 % delta from the previous version, applied to a store at that
//     version (the store is brought there untimed);
//   - the same delta applied by the store from a local file (the
//     reference for the delta: no HTTP, no client);
//   - the download and check alone of the .dcx and of the delta;
//   - the decoder alone, from the hub's .dcx into SHA-256.
//
// Bytes on the wire are counted at the TCP connection (headers, the
// manifest and the file together). The hub's data (two imports of
// DOORCHECK_BENCH_ROWS subjects, default 20,000,000, the second with 1 %
// of them changed) is made once, untimed, through hub.Import of CSV rows
// of snapgen IINs (statusCSV). Each iteration's figures are logged; the reported
// metrics are their medians. Also in the same run: a raw write + fsync of
// the full file's size on the same disk.
//
//	DOORCHECK_BENCH_LARGE=1 go test ./sync/client -run '^$' -bench SnapshotTransferLarge -benchtime 3x -count 1 -timeout 60m
func BenchmarkSnapshotTransferLarge(b *testing.B) {
	if os.Getenv("DOORCHECK_BENCH_LARGE") == "" {
		b.Skip("set DOORCHECK_BENCH_LARGE=1 (writes ~4 GB: hub imports, kiosk stores)")
	}
	rows := latency.BenchRows(b)
	ctx := context.Background()
	dir := latency.BenchDir(b)
	d := hub.DataDir(filepath.Join(dir, "hub"))
	cfg := hub.Config{Deployment: "bench"}
	keys, err := hub.Keygen(d, cfg, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	hst, err := boltstore.Open(string(d), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer hst.Close()
	for _, changed := range []bool{false, true} {
		start := time.Now()
		res, err := hub.Import(ctx, d, hst, keys, cfg, statusCSV(rows, changed), hub.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("hub import of version %d: %d rows, %d delta changes, %s", res.Version.Version, res.Rows, res.DeltaRecords, time.Since(start).Round(time.Millisecond))
	}
	latest, err := hst.LatestSnapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if latest.Transfer.Name == "" || latest.Delta.Name == "" {
		b.Fatalf("version %d has no transfer form or delta", latest.Version)
	}
	srv := hub.NewServer(hub.ServerOptions{Data: d, Storage: hst, Keys: keys, Config: cfg, PublicSnapshots: true})
	hs := srv.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String()

	var counted wireCount
	httpc := &http.Client{Transport: &http.Transport{DialContext: counted.dial}}
	// kiosk returns a client over a fresh, durable kiosk store in its own
	// directory (the previous one removed first).
	kiosk := func(name string) (*Client, *store.Store) {
		kdir := filepath.Join(dir, "kiosk")
		os.RemoveAll(kdir)
		if err := os.MkdirAll(kdir, 0o700); err != nil {
			b.Fatal(err)
		}
		st, err := store.Open(filepath.Join(kdir, "doorcheck.db"), store.Options{Create: true, HubKey: keys.HubPublic()})
		if err != nil {
			b.Fatal(err)
		}
		c, err := New(Options{URL: url, Credential: "bench." + name, HubKey: keys.HubPublic(), Store: st, Dir: kdir, HTTP: httpc})
		if err != nil {
			b.Fatal(err)
		}
		return c, st
	}
	check := func(c *Client, want protocol.PlanKind) time.Duration {
		start := time.Now()
		res, err := c.Check(ctx, 1, nil)
		el := time.Since(start)
		if err != nil || res.Plan != want || res.FellBack || res.To != latest.Version {
			b.Fatalf("check: %+v %v (want plan %v to version %d)", res, err, want, latest.Version)
		}
		return el
	}

	var xferS, fullS, deltaS, localS, dlX, dlD, decodeS, xferWire, fullWire, deltaWire, heapMiB, rawS []float64
	for b.Loop() {
		// The full snapshot through its transfer form.
		c, st := kiosk("xfer")
		counted.reset()
		runtime.GC()
		heap := latency.WatchHeap()
		xferS = append(xferS, check(c, protocol.PlanFull).Seconds())
		heapMiB = append(heapMiB, float64(heap.End())/(1<<20))
		xferWire = append(xferWire, float64(counted.in.Load()))
		st.Close()

		// The same version as the .dcsnap: what a kiosk did before.
		c, st = kiosk("full")
		x, _, err := c.fetchIndex(ctx)
		if err != nil {
			b.Fatal(err)
		}
		counted.reset()
		start := time.Now()
		if err := c.fetchAndApply(ctx, 1, x.Full, nil); err != nil {
			b.Fatal(err)
		}
		fullS = append(fullS, time.Since(start).Seconds())
		fullWire = append(fullWire, float64(counted.in.Load()))

		// The 1 % delta, from a store at the previous version.
		st.Close()
		c, st = kiosk("delta")
		importLocal(b, st, filepath.Join(d.FilesDir(), protocol.FullName(latest.Version-1)), keys.HubPublic())
		counted.reset()
		deltaS = append(deltaS, check(c, protocol.PlanDeltas).Seconds())
		deltaWire = append(deltaWire, float64(counted.in.Load()))
		st.Close()

		// The same delta applied by the store from a local file: what the
		// download and the client add is the difference.
		c, st = kiosk("local")
		// Download and verify alone (no decode, no import): the share of
		// the wire and of the client.
		dlX = append(dlX, downloadOnly(b, c, *x.Transfer).Seconds())
		dlD = append(dlD, downloadOnly(b, c, x.Deltas[0]).Seconds())
		importLocal(b, st, filepath.Join(d.FilesDir(), protocol.FullName(latest.Version-1)), keys.HubPublic())
		start = time.Now()
		importLocal(b, st, filepath.Join(d.FilesDir(), latest.Delta.Name), keys.HubPublic())
		localS = append(localS, time.Since(start).Seconds())
		st.Close()
		os.RemoveAll(filepath.Join(dir, "kiosk"))

		decodeS = append(decodeS, decodeOnly(b, filepath.Join(d.FilesDir(), latest.Transfer.Name)).Seconds())
		raw, err := latency.RawBulkWrite(dir, latest.Full.Size)
		if err != nil {
			b.Fatal(err)
		}
		rawS = append(rawS, raw.Seconds())
		i := len(xferS) - 1
		b.Logf("run %d: transfer form %.2f s (%.0f B on the wire, heap peak %.0f MiB; its download and check alone %.2f s), .dcsnap %.2f s (%.0f B), delta %.2f s (%.0f B for %d changes; its download and check alone %.2f s; the store applying it from a local file %.2f s), decode alone %.2f s, raw write+fsync %.2f s",
			i+1, xferS[i], xferWire[i], heapMiB[i], dlX[i], fullS[i], fullWire[i], deltaS[i], deltaWire[i], latest.Delta.Records, dlD[i], localS[i], decodeS[i], rawS[i])
	}
	// Per subject of the snapshot downloaded (the latest version: rows
	// less the subjects the change lifted to blue).
	n, changes := float64(latest.Entries), float64(latest.Delta.Records)
	b.ReportMetric(median(xferS), "transfer-full-s")
	b.ReportMetric(median(xferWire)/n, "transfer-wire-B/subject")
	b.ReportMetric(median(xferWire)*8/1e6/60, "transfer-1Mbit-min")
	b.ReportMetric(median(heapMiB), "transfer-heap-peak-MiB")
	b.ReportMetric(median(fullS), "dcsnap-full-s")
	b.ReportMetric(median(fullWire)/n, "dcsnap-wire-B/subject")
	b.ReportMetric(median(fullWire)*8/1e6/60, "dcsnap-1Mbit-min")
	b.ReportMetric(median(deltaS), "delta-s")
	b.ReportMetric(median(deltaWire)/changes, "delta-wire-B/change")
	b.ReportMetric(median(localS), "delta-local-file-s")
	b.ReportMetric(median(dlD), "delta-download-only-s")
	b.ReportMetric(median(dlX), "transfer-download-only-s")
	b.ReportMetric(median(decodeS), "decode-only-s")
	b.ReportMetric(median(rawS), "raw-write-fsync-full-s")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// statusCSV streams snapgen's status list (seed 7) for hub.Import.
func statusCSV(rows int, changed bool) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(snapgen.WriteStatusCSV(pw, 7, rows, changed)) }()
	return pr
}

// downloadOnly downloads f with the client and checks its size and
// SHA-256, as a check does before decoding or importing, then deletes it.
func downloadOnly(b *testing.B, c *Client, f protocol.FileRef) time.Duration {
	b.Helper()
	path := filepath.Join(c.opt.Dir, ".download-"+f.Name)
	defer os.Remove(path)
	defer os.Remove(path + ".etag")
	start := time.Now()
	if err := c.download(context.Background(), f, path); err != nil {
		b.Fatal(err)
	}
	if err := verifyFile(path, f); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// importLocal imports a snapshot file into st (untimed setup).
func importLocal(b *testing.B, st *store.Store, path string, hubKey ed25519.PublicKey) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r, err := wire.Open(f, hubKey)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Import(context.Background(), r, nil); err != nil {
		b.Fatal(err)
	}
}

// decodeOnly decodes a transfer file into SHA-256, as the kiosk does
// beside writing the decoded bytes.
func decodeOnly(b *testing.B, path string) time.Duration {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	if err := transfer.Decode(sha256.New(), f); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// wireCount counts the bytes read from and written to the connections it
// dials: what crossed the wire, headers included.
type wireCount struct{ in, out atomic.Int64 }

func (w *wireCount) reset() { w.in.Store(0); w.out.Store(0) }

func (w *wireCount) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: conn, w: w}, nil
}

type countedConn struct {
	net.Conn
	w *wireCount
}

func (c *countedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.w.in.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.w.out.Add(int64(n))
	return n, err
}
