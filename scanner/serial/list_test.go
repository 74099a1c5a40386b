package serial

import (
	"strings"
	"testing"
)

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	ports := []PortInfo{
		{Name: "/dev/ttyACM0", ByID: []string{"/dev/serial/by-id/usb-Honeywell_Scanner_123-if00"}, USB: true, VID: "0c2e", PID: "0b61",
			Manufacturer: "Honeywell", Product: "Scanner\x1b]0;pwned\x07", SerialNumber: "123"},
		{Name: "/dev/ttyS0"},
	}
	if err := WriteTable(&b, ports); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"PORT", "0c2e:0b61", "/dev/serial/by-id/usb-Honeywell_Scanner_123-if00", `Scanner\x1b]0;pwned\x07`, "/dev/ttyS0"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("device strings reached the terminal unescaped:\n%q", out)
	}
	b.Reset()
	WriteTable(&b, nil)
	if !strings.Contains(b.String(), "no serial ports") {
		t.Errorf("empty list: %q", b.String())
	}
}

// TestList only checks that enumeration does not fail where there is no
// hardware; what it finds depends on the machine.
func TestList(t *testing.T) {
	ports, err := List()
	if err != nil {
		t.Skipf("enumeration unavailable here: %v", err)
	}
	for _, p := range ports {
		if p.Name == "" {
			t.Errorf("port without a name: %+v", p)
		}
	}
}
