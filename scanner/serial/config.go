package serial

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	bugst "go.bug.st/serial"

	"github.com/doorcheck/doorcheck/scanner/frame"
)

// Config is one serial scanner. The zero value of every field but Path
// is a sensible default: 9600 baud, 8N1, CR-terminated codes.
type Config struct {
	// Path is the port. Prefer a stable /dev/serial/by-id/… link: it is
	// resolved afresh at every open and never cached, so the scanner may
	// come back under another ttyACM number after a replug.
	Path     string
	Baud     int    // default 9600; USB CDC scanners ignore it
	DataBits int    // 5 to 8, default 8
	Parity   string // none (default), odd, even, mark, space
	StopBits string // 1 (default) or 2
	Framing  frame.Options
	// ReopenMin and ReopenMax bound the backoff between attempts to open
	// a missing port (defaults 100 ms and 5 s); each wait is jittered.
	ReopenMin, ReopenMax time.Duration
}

// Default backoff bounds.
const (
	DefaultReopenMin = 100 * time.Millisecond
	DefaultReopenMax = 5 * time.Second
)

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Path == "" {
		return cfg, errors.New("no port path")
	}
	if cfg.Baud == 0 {
		cfg.Baud = 9600
	}
	if cfg.Baud < 0 || cfg.Baud > 4_000_000 {
		return cfg, fmt.Errorf("baud rate %d out of range", cfg.Baud)
	}
	if cfg.DataBits == 0 {
		cfg.DataBits = 8
	}
	if cfg.DataBits < 5 || cfg.DataBits > 8 {
		return cfg, fmt.Errorf("data bits %d: want 5 to 8", cfg.DataBits)
	}
	if err := cfg.Framing.Validate(); err != nil {
		return cfg, err
	}
	if cfg.ReopenMin <= 0 {
		cfg.ReopenMin = DefaultReopenMin
	}
	if cfg.ReopenMax <= 0 {
		cfg.ReopenMax = DefaultReopenMax
	}
	cfg.ReopenMax = max(cfg.ReopenMax, cfg.ReopenMin)
	return cfg, nil
}

// mode translates cfg into go.bug.st/serial's terms.
func (cfg Config) mode() (*bugst.Mode, error) {
	m := &bugst.Mode{BaudRate: cfg.Baud, DataBits: cfg.DataBits}
	switch cfg.Parity {
	case "", "none":
		m.Parity = bugst.NoParity
	case "odd":
		m.Parity = bugst.OddParity
	case "even":
		m.Parity = bugst.EvenParity
	case "mark":
		m.Parity = bugst.MarkParity
	case "space":
		m.Parity = bugst.SpaceParity
	default:
		return nil, fmt.Errorf("parity %q: want none, odd, even, mark or space", cfg.Parity)
	}
	switch cfg.StopBits {
	case "", "1":
		m.StopBits = bugst.OneStopBit
	case "1.5":
		// Linux and the BSDs have no termios setting for it; every open
		// would fail, so say so now.
		if runtime.GOOS != "windows" {
			return nil, fmt.Errorf("stop bits 1.5: not supported on %s; want 1 or 2", runtime.GOOS)
		}
		m.StopBits = bugst.OnePointFiveStopBits
	case "2":
		m.StopBits = bugst.TwoStopBits
	default:
		return nil, fmt.Errorf("stop bits %q: want 1 or 2", cfg.StopBits)
	}
	return m, nil
}
