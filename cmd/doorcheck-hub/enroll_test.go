package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/doorcheck/doorcheck/scanner/qrimage"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

func lastField(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	f := strings.Fields(lines[len(lines)-1])
	return f[len(f)-1]
}

func redeem(t *testing.T, url string, body any, contentType string) (*http.Response, []byte) {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Post(url+protocol.EnrollPath, contentType, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp, out.Bytes()
}

func whoami(t *testing.T, url, cred string) (*http.Response, []byte) {
	t.Helper()
	if cred == "" {
		return get(t, http.DefaultClient, url+protocol.KioskPath)
	}
	return get(t, http.DefaultClient, url+protocol.KioskPath, "Authorization", "Bearer "+cred)
}

// TestEnrollRedeemRevoke: a code made by `enroll` while the hub serves is
// redeemable exactly once over HTTP, the credential works until `revoke`,
// and then the kiosk gets kiosk_revoked.
func TestEnrollRedeemRevoke(t *testing.T) { forBackends(t, testEnrollRedeemRevoke) }

func testEnrollRedeemRevoke(t *testing.T, backend string) {
	data := keygen(t)
	h := startHub(t, data)
	qr := filepath.Join(t.TempDir(), "code.png")
	out := mustRun(t, "enroll", "--data", data, "--venue", "cinema-7", "--door", "north", "--direction", "entry", "--qr", qr)
	text := lastField(out)
	code, err := protocol.ParseEnrollCode(text)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code.URL != h.url {
		t.Fatalf("code names %s, the hub listens on %s (serve records its URL)", code.URL, h.url)
	}
	if code.KeyFingerprint != protocol.Fingerprint(hubKey(t, data)) {
		t.Fatal("code carries another key's fingerprint")
	}
	f, _ := os.Open(qr)
	payloads, err := qrimage.Decode(t.Context(), f)
	f.Close()
	if err != nil || len(payloads) != 1 || payloads[0] != text {
		t.Fatalf("QR PNG decodes to %q, %v", payloads, err)
	}

	req := protocol.RedeemRequest{Handshake: 1, Token: code.Token[:], Device: "pi-4 north door"}
	resp, body := redeem(t, code.URL, req, "application/json")
	if resp.StatusCode != 200 {
		t.Fatalf("redeem: %d %s", resp.StatusCode, body)
	}
	var ans protocol.RedeemResponse
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatal(err)
	}
	if protocol.Fingerprint(ans.HubKey) != code.KeyFingerprint || ans.Venue != "cinema-7" || ans.Door != "north" || ans.Direction != "entry" || len(ans.Secret) != 32 || !strings.HasPrefix(ans.Kiosk, "k-") {
		t.Fatalf("redeem answer: %+v", ans)
	}
	resp, body = redeem(t, code.URL, req, "application/json")
	if e := errorCode(t, resp, body); resp.StatusCode != http.StatusGone || e.Code != protocol.CodeTokenUsed {
		t.Fatalf("second redeem: %d %s", resp.StatusCode, body)
	}

	cred := protocol.Credential(ans.Kiosk, ans.Secret)
	resp, body = whoami(t, h.url, cred)
	if resp.StatusCode != 200 || !strings.Contains(string(body), ans.Kiosk) {
		t.Fatalf("whoami: %d %s", resp.StatusCode, body)
	}
	for _, bad := range []string{"", protocol.Credential(ans.Kiosk, []byte("wrong")), protocol.Credential("k-nobody", ans.Secret), "garbage"} {
		resp, body := whoami(t, h.url, bad)
		if e := errorCode(t, resp, body); resp.StatusCode != 401 || e.Code != protocol.CodeUnauthorized {
			t.Errorf("credential %q: %d %s", bad, resp.StatusCode, body)
		}
	}

	out = mustRun(t, "kiosks", "--data", data, "--json")
	var fleet struct {
		Kiosks []struct {
			Kiosk, Venue, Door, Direction, Device string
		}
	}
	if err := json.Unmarshal([]byte(out), &fleet); err != nil || len(fleet.Kiosks) != 1 || fleet.Kiosks[0].Kiosk != ans.Kiosk || fleet.Kiosks[0].Device != "pi-4 north door" {
		t.Fatalf("kiosks --json: %v\n%s", err, out)
	}
	if out := mustRun(t, "kiosks", "--data", data); !strings.Contains(out, ans.Kiosk) || !strings.Contains(out, "active") {
		t.Fatalf("kiosks:\n%s", out)
	}

	mustRun(t, "revoke", "--data", data, ans.Kiosk)
	resp, body = whoami(t, h.url, cred)
	if e := errorCode(t, resp, body); resp.StatusCode != 403 || e.Code != protocol.CodeKioskRevoked || e.RevokedAt.IsZero() {
		t.Fatalf("revoked kiosk: %d %s", resp.StatusCode, body)
	}
	if code, _, errs := run(t, "revoke", "--data", data, "k-nobody"); code != exitFailure || !strings.Contains(errs, "not found") {
		t.Fatalf("revoke unknown: %d %s", code, errs)
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.stderr.String(), base64URL(ans.Secret)) || strings.Contains(h.stderr.String(), base64URL(code.Token[:])) {
		t.Fatal("the hub logged a secret or a token")
	}
}

func TestRedeemRefusals(t *testing.T) { forBackends(t, testRedeemRefusals) }

func testRedeemRefusals(t *testing.T, backend string) {
	data := keygen(t)
	h := startHub(t, data)
	expired := lastField(mustRun(t, "enroll", "--data", data, "--venue", "v", "--door", "d", "--direction", "exit", "--expires", "1ms"))
	live := lastField(mustRun(t, "enroll", "--data", data, "--venue", "v", "--door", "d", "--direction", "exit"))
	ec, _ := protocol.ParseEnrollCode(expired)
	lc, _ := protocol.ParseEnrollCode(live)
	unknown := lc.Token
	unknown[0] ^= 1
	for _, tc := range []struct {
		name        string
		body        any
		contentType string
		status      int
		code        protocol.Code
	}{
		{"expired", protocol.RedeemRequest{Handshake: 1, Token: ec.Token[:]}, "application/json", 410, protocol.CodeTokenExpired},
		{"unknown", protocol.RedeemRequest{Handshake: 1, Token: unknown[:]}, "application/json", 404, protocol.CodeTokenUnknown},
		{"handshake 2", protocol.RedeemRequest{Handshake: 2, Token: lc.Token[:]}, "application/json", 400, protocol.CodeBadRequest},
		{"short token", protocol.RedeemRequest{Handshake: 1, Token: lc.Token[:4]}, "application/json", 400, protocol.CodeBadRequest},
		{"control chars in device", protocol.RedeemRequest{Handshake: 1, Token: lc.Token[:], Device: "a\x1b[2Jb"}, "application/json", 400, protocol.CodeBadRequest},
		{"not json", []byte("token=abc"), "application/x-www-form-urlencoded", 415, protocol.CodeUnsupportedMediaType},
		{"bad json", []byte(`{"handshake":1,`), "application/json", 400, protocol.CodeBadRequest},
		{"unknown field", []byte(`{"handshake":1,"token":"AAAA","admin":true}`), "application/json", 400, protocol.CodeBadRequest},
		{"too large", []byte(`{"device":"` + strings.Repeat("x", 8<<10) + `"}`), "application/json", 413, protocol.CodeBodyTooLarge},
	} {
		resp, body := redeem(t, h.url, tc.body, tc.contentType)
		if e := errorCode(t, resp, body); resp.StatusCode != tc.status || e.Code != tc.code {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
		}
	}
	// The live code survived all of that, and of eight concurrent
	// redeems exactly one wins.
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(protocol.RedeemRequest{Handshake: 1, Token: lc.Token[:]})
			resp, err := http.Post(h.url+protocol.EnrollPath, "application/json", bytes.NewReader(b))
			if err == nil {
				statuses[i] = resp.StatusCode
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		switch s {
		case 200:
			won++
		case 410:
		default:
			t.Errorf("concurrent redeem answered %d", s)
		}
	}
	if won != 1 {
		t.Fatalf("%d of 8 concurrent redeems succeeded, want 1: %v", won, statuses)
	}
	if code, _, errs := run(t, "enroll", "--data", data, "--venue", "bad venue!", "--door", "d", "--direction", "sideways"); code != exitUsage || !strings.Contains(errs, "direction") {
		t.Fatalf("bad enroll flags: %d %s", code, errs)
	}
	if code, _, errs := run(t, "enroll", "--data", data, "--venue", "bad venue!", "--door", "d", "--direction", "entry"); code != exitFailure || !strings.Contains(errs, "venue may hold only") {
		t.Fatalf("bad venue: %d %s", code, errs)
	}
	h.stop(t)
}

func TestEnrollNeedsAURL(t *testing.T) {
	data := keygen(t)
	code, _, errs := run(t, "enroll", "--data", data, "--venue", "v", "--door", "d", "--direction", "entry")
	if code != exitUsage || !strings.Contains(errs, "--url") {
		t.Fatalf("%d %s", code, errs)
	}
	out := mustRun(t, "enroll", "--data", data, "--venue", "v", "--door", "d", "--direction", "entry", "--url", "https://hub.example/")
	if c, err := protocol.ParseEnrollCode(lastField(out)); err != nil || c.URL != "https://hub.example" {
		t.Fatalf("%+v %v", c, err)
	}
}

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
