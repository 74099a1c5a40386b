package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Secrets are kept out of the config file where a deployment can: a
// string field tagged `env:"NAME"` is replaced by the environment
// variable NAME when it is set and not empty (a systemd
// EnvironmentFile=/etc/doorcheck/secrets, a container's secret), so the
// file can be copied between kiosks, printed in a support ticket and
// checked into a fleet repository without the secret. The tag is found by
// reflection, so a new secret field needs only its tag; configs/README.md
// lists the variables.

// LoadEnv is Load, then the environment overrides (see ApplyEnv), then
// validation again: an override is checked like the file's own value.
func LoadEnv(path string, getenv func(string) string) (*Config, error) {
	c, err := Load(path)
	if err != nil {
		return nil, err
	}
	if err := c.ApplyEnv(getenv); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// ApplyEnv replaces every `env`-tagged field whose variable getenv
// returns non-empty, then validates. The problems name the variable, not
// a line, since the value is not in the file.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	var set []string
	for _, f := range EnvFields() {
		v := getenv(f.Env)
		if v == "" {
			continue
		}
		fv := reflect.ValueOf(c).Elem().FieldByIndex(f.index)
		fv.SetString(v)
		set = append(set, f.Field)
	}
	if len(set) == 0 {
		return nil
	}
	err := c.Validate()
	if err == nil {
		return nil
	}
	ps := Problems(err)
	for _, p := range ps {
		for _, f := range EnvFields() {
			if p.Field == f.Field && slices.Contains(set, f.Field) {
				p.Text += " (from $" + f.Env + ")"
			}
		}
	}
	out := make([]error, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return errors.Join(out...)
}

// EnvField is one field an environment variable overrides.
type EnvField struct {
	Field string // dotted path, hub.credential_file
	Env   string // DOORCHECK_HUB_CREDENTIAL_FILE
	index []int
}

// EnvFields lists the overridable fields in file order.
func EnvFields() []EnvField {
	var out []EnvField
	var walk func(t reflect.Type, path string, index []int)
	walk = func(t reflect.Type, path string, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			idx := append(index[:len(index):len(index)], i)
			if env := f.Tag.Get("env"); env != "" && f.Type.Kind() == reflect.String {
				out = append(out, EnvField{Field: p, Env: env, index: idx})
			}
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, p, idx)
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "", nil)
	return out
}
