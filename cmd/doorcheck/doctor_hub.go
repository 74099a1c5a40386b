package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/sync/client"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// checkHub asks the hub's health endpoint (is it reachable, is its TLS
// certificate valid, how far apart are the two clocks) and then the
// kiosk's own record with the kiosk's credential (accepted, revoked, or
// unknown). Each request has its own timeout; nothing is retried: doctor
// reports what is, the sync loop does the retrying.
func checkHub(ctx context.Context, e *env, cfg *config.Config, d doctorDeps) []checkResult {
	if cfg.Hub.URL == "" {
		return []checkResult{{Name: "hub", Status: statusSkip, Detail: "no hub.url: snapshots arrive by file (doorcheck snapshot import)"}}
	}
	sent := d.now()
	resp, body, err := hubGet(ctx, d, cfg.Hub.URL+protocol.HealthPath, "")
	if err != nil {
		return []checkResult{hubError(cfg.Hub.URL, err)}
	}
	received := d.now()
	out := []checkResult{}
	reach := checkResult{Name: "hub", Status: statusOK, Detail: fmt.Sprintf("%s answers (%d, %s)", cfg.Hub.URL, resp.StatusCode, received.Sub(sent).Round(time.Millisecond))}
	if resp.TLS != nil {
		reach.Detail += ", TLS certificate valid for " + resp.TLS.ServerName
	}
	var h protocol.Health
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &h) != nil || h.Status != "ok" {
		reach.Status = statusWarn
		reach.Detail = fmt.Sprintf("%s answers %d at %s: %s", cfg.Hub.URL, resp.StatusCode, protocol.HealthPath, limitText(string(body), 200))
		reach.Fix = "the hub is up but not healthy: ask the hub operator (doorcheck-hub serve logs); is hub.url the hub and not a proxy page?"
	}
	out = append(out, reach, checkSkew(cfg, resp, sent, received))
	out = append(out, checkToken(ctx, e, cfg, d))
	return out
}

// hubGet does one GET with a timeout and a bounded body.
func hubGet(ctx context.Context, d doctorDeps, url, credential string) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp, body, err
}

// hubError explains a request that got no answer: TLS, DNS, refused,
// timed out.
func hubError(url string, err error) checkResult {
	r := checkResult{Name: "hub", Status: statusFail, Detail: fmt.Sprintf("%s: %v", url, err)}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &unknown), errors.As(err, &verify) && errors.As(verify.Err, &unknown):
		r.Name, r.Detail = "hub.tls", url+": TLS certificate signed by an unknown authority"
		r.Fix = "the hub needs a certificate this kiosk trusts (a public CA, or the venue's CA installed with update-ca-certificates); never switch to http"
	case errors.As(err, &host):
		r.Name, r.Detail = "hub.tls", url+": TLS certificate is not for this host name: "+host.Error()
		r.Fix = "hub.url must use the name on the hub's certificate"
	case errors.As(err, &invalid):
		r.Name, r.Detail = "hub.tls", url+": TLS certificate invalid: "+invalid.Error()
		r.Fix = "an expired certificate, or a kiosk clock far off (see the clock checks); ask the hub operator to renew it"
	case errors.As(err, &dns):
		r.Detail = url + ": the name does not resolve: " + dns.Error()
		r.Fix = "check hub.url and the kiosk's DNS (resolvectl status); the kiosk keeps working offline until max_data_age"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		r.Detail = url + ": no answer within 10s"
		r.Fix = "check the network path and firewall to the hub; the kiosk keeps working offline until max_data_age"
	case errors.As(err, &op):
		r.Detail = url + ": cannot connect: " + op.Err.Error()
		r.Fix = "is the hub running (systemctl status doorcheck-hub on the hub) and hub.url's port open? The kiosk keeps working offline until max_data_age"
	default:
		r.Fix = "check hub.url and the network to the hub"
	}
	return r
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// checkSkew compares the kiosk's clock with the hub's Date header,
// allowing for the round trip. Date has one-second resolution.
func checkSkew(cfg *config.Config, resp *http.Response, sent, received time.Time) checkResult {
	hubTime, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return checkResult{Name: "clock.skew", Status: statusSkip, Detail: "the hub sent no Date header"}
	}
	mid := sent.Add(received.Sub(sent) / 2)
	skew := mid.Sub(hubTime)
	if skew > -time.Second && skew < time.Second {
		skew = 0
	}
	detail := fmt.Sprintf("this kiosk's clock is %s %s the hub's", abs(skew).Round(time.Second), aheadBehind(skew))
	allowed := min(cfg.Policy.ClockSkew.Duration, client.SkewWarning)
	switch {
	case abs(skew) > cfg.Policy.ClockSkew.Duration:
		return checkResult{Name: "clock.skew", Status: statusFail, Detail: detail + fmt.Sprintf(" (more than policy.clock_skew %s: pass windows are judged wrongly)", cfg.Policy.ClockSkew.Duration),
			Fix: "synchronise the clock: timedatectl set-ntp true (systemd-timesyncd), or set it by hand with timedatectl set-time; an RTC keeps it across power cuts"}
	case abs(skew) > allowed:
		return checkResult{Name: "clock.skew", Status: statusWarn, Detail: detail, Fix: "enable NTP: timedatectl set-ntp true"}
	}
	return checkResult{Name: "clock.skew", Status: statusOK, Detail: detail}
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func aheadBehind(d time.Duration) string {
	if d < 0 {
		return "behind"
	}
	return "ahead of"
}

// checkToken asks the hub who this kiosk is, with its credential.
func checkToken(ctx context.Context, e *env, cfg *config.Config, d doctorDeps) checkResult {
	cred, err := readCredential(e, cfg.Hub.CredentialFile)
	if err != nil {
		return checkResult{Name: "hub.token", Status: statusFail, Detail: err.Error(),
			Fix: "provision the kiosk (doorcheck provision --scan) or fix hub.credential_file / $" + credentialEnv}
	}
	resp, body, err := hubGet(ctx, d, cfg.Hub.URL+protocol.KioskPath, cred)
	if err != nil {
		r := hubError(cfg.Hub.URL, err)
		r.Name = "hub.token"
		return r
	}
	var pe protocol.Error
	json.Unmarshal(body, &pe)
	switch {
	case resp.StatusCode == http.StatusOK:
		var k protocol.KioskInfo
		if err := json.Unmarshal(body, &k); err != nil {
			return checkResult{Name: "hub.token", Status: statusWarn, Detail: "accepted, but the answer is not a kiosk record"}
		}
		r := checkResult{Name: "hub.token", Status: statusOK, Detail: fmt.Sprintf("accepted: the hub knows this kiosk as %s (venue %s, door %s)", k.Kiosk, k.Venue, k.Door)}
		if k.Kiosk != cfg.Kiosk.ID {
			r.Status = statusWarn
			r.Detail += ", but kiosk.id is " + cfg.Kiosk.ID
			r.Fix = "the config and the credential are from different enrollments: provision again (doorcheck provision --force --scan)"
		}
		return r
	case pe.Code == protocol.CodeKioskRevoked:
		when := ""
		if !pe.RevokedAt.IsZero() {
			when = " at " + pe.RevokedAt.UTC().Format(time.RFC3339)
		}
		return checkResult{Name: "hub.token", Status: statusFail, Detail: "this kiosk was revoked by the hub" + when + "; its unsent visits are kept",
			Fix: "ask the hub operator why; to use this device again, get a new code (doorcheck-hub enroll) and doorcheck provision --force --scan"}
	case resp.StatusCode == http.StatusUnauthorized:
		return checkResult{Name: "hub.token", Status: statusFail, Detail: "the hub does not accept this kiosk's credential (" + string(pe.Code) + ")",
			Fix: "is the credential from this hub? Provision again with a new code: doorcheck provision --force --scan"}
	}
	return checkResult{Name: "hub.token", Status: statusWarn, Detail: fmt.Sprintf("the hub answered %d %s", resp.StatusCode, pe.Code),
		Fix: "ask the hub operator (doorcheck-hub serve logs)"}
}

// limitText shortens s for a one-line detail.
func limitText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
