package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestProblemsHaveFieldAndLine checks that every problem, found while
// decoding or while validating, comes back as a Problem with its field
// and its line; a required field left out is reported at its section.
func TestProblemsHaveFieldAndLine(t *testing.T) {
	text := "kiosk:\n  venue: v\n  door: d\npolicy:\n  reentry: maybe\n  capacity: lots\nhub: {public_key: " + hubKey + "}\n"
	file := filepath.Join(t.TempDir(), "kiosk.yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(file)
	var got []Problem
	for _, p := range Problems(err) {
		got = append(got, Problem{Field: p.Field, Line: p.Line})
	}
	want := []Problem{{"policy.capacity", 6, ""}, {"kiosk.id", 1, ""}, {"policy.reentry", 5, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems %+v, want %+v\n%v", got, want, err)
	}
	if Problems(nil) != nil {
		t.Error("Problems(nil) not nil")
	}
	_, err = Load(filepath.Join(t.TempDir(), "none.yaml"))
	if ps := Problems(err); len(ps) != 1 || ps[0].Field != "" || !strings.Contains(ps[0].Text, "read config") {
		t.Errorf("missing file: %+v", ps)
	}
}

// TestEnvOverridesSecrets checks that an env-tagged field takes the
// variable's value, that an empty variable leaves the file's, and that an
// override is validated and blamed on the variable.
func TestEnvOverridesSecrets(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kiosk.yaml")
	body := minimal + "hub: {url: https://hub.example.org, public_key: " + hubKey + ", credential_file: from-file}\n"
	body = strings.Replace(body, "hub: {public_key: "+hubKey+"}\n", "", 1)
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := LoadEnv(file, getenv)
	if err != nil || c.Hub.CredentialFile != filepath.Join(dir, "from-file") {
		t.Fatalf("no override: %v %q", err, c.Hub.CredentialFile)
	}
	env["DOORCHECK_HUB_CREDENTIAL_FILE"] = "/run/secrets/hub"
	c, err = LoadEnv(file, getenv)
	if err != nil || c.Hub.CredentialFile != "/run/secrets/hub" {
		t.Fatalf("override: %v %q", err, c.Hub.CredentialFile)
	}
	// An override that makes the config invalid is reported as such.
	noHub := filepath.Join(dir, "nohub.yaml")
	os.WriteFile(noHub, []byte(minimal), 0o600)
	_, err = LoadEnv(noHub, getenv)
	if err == nil || !strings.Contains(err.Error(), "hub.credential_file: is set but hub.url is not") || !strings.Contains(err.Error(), "(from $DOORCHECK_HUB_CREDENTIAL_FILE)") {
		t.Errorf("invalid override: %v", err)
	}
	var names []string
	for _, f := range EnvFields() {
		names = append(names, f.Field+"="+f.Env)
	}
	if !reflect.DeepEqual(names[:1], []string{"hub.credential_file=DOORCHECK_HUB_CREDENTIAL_FILE"}) {
		t.Errorf("env fields %v", names)
	}
}

// TestRetentionOn32Bit: a 32-bit board may not keep visits forever nor
// for longer than 60 days; 64-bit boards may.
func TestRetentionOn32Bit(t *testing.T) {
	for _, tt := range []struct {
		r       time.Duration
		intSize int
		bad     bool
	}{
		{0, 64, false}, {0, 32, true}, {720 * time.Hour, 32, false}, {1440 * time.Hour, 32, false},
		{1441 * time.Hour, 32, true}, {5000 * time.Hour, 64, false},
	} {
		if got := retention32(tt.r, tt.intSize) != ""; got != tt.bad {
			t.Errorf("retention %s on %d-bit: refused %v, want %v", tt.r, tt.intSize, got, tt.bad)
		}
	}
}
