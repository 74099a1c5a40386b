package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShutdownFinishesDownloadsInFlight: SIGTERM while a kiosk is mid-way
// through a snapshot download lets that download finish, then exits 0.
// (Closing instead of shutting down would cut the download short.)
func TestShutdownFinishesDownloadsInFlight(t *testing.T) {
	forBackends(t, testShutdownFinishesDownloadsInFlight)
}

func testShutdownFinishesDownloadsInFlight(t *testing.T, backend string) {
	data := keygen(t)
	// 100,000 entries: a 2.1 MB file, more than the socket buffers take
	// while the client is not reading.
	var b strings.Builder
	b.WriteString("iin,status,valid_until\n")
	for _, iin := range testIINs(100_000) {
		b.WriteString(iin + ",green,\n")
	}
	csv := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(csv, []byte(b.String()), 0o600)
	mustRun(t, "import", "--data", data, csv)
	h := startHub(t, data, "--public-snapshots")
	addr := strings.TrimPrefix(h.url, "http://")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/files/full-1.dcsnap HTTP/1.1\r\nHost: hub\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download: %v %v", resp, err)
	}
	// The hub is blocked writing to us. Stop it, wait until it says it is
	// shutting down, and only then read the rest.
	stopping := h.stderr.waitFor(`"msg":"shutting down"`)
	h.cmd.Process.Signal(os.Interrupt)
	<-stopping
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != resp.ContentLength {
		t.Fatalf("download in flight at shutdown: %d of %d bytes, %v", n, resp.ContentLength, err)
	}
	conn.Close()
	select {
	case err := <-h.waited:
		if err != nil {
			t.Fatalf("hub exit: %v\n%s", err, h.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("hub did not exit after the download finished")
	}
	if !strings.Contains(h.stderr.String(), `"msg":"stopped"`) {
		t.Fatalf("log:\n%s", h.stderr)
	}
}

func TestServeTLS(t *testing.T) {
	data := keygen(t)
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	h := startHub(t, data, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(h.url, "https://") {
		t.Fatalf("url %s", h.url)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, body := get(t, c, h.url+"/v1/health")
	if resp.StatusCode != 200 || resp.TLS == nil || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("health over TLS: %d %s", resp.StatusCode, body)
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "serve", "--data", data, "--addr", "127.0.0.1:0", "--tls-cert", certFile); code != exitUsage || !strings.Contains(errs, "go together") {
		t.Fatalf("--tls-cert alone: %d %s", code, errs)
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hub"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
