package serial

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"go.bug.st/serial/enumerator"

	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// PortInfo describes one serial port for IT staff.
type PortInfo struct {
	Name         string   // /dev/ttyACM0
	ByID         []string // stable /dev/serial/by-id links to it
	USB          bool
	VID, PID     string
	Manufacturer string
	Product      string
	SerialNumber string
}

// List enumerates serial ports with their USB identities, and the stable
// /dev/serial/by-id names that point at each.
func List() ([]PortInfo, error) {
	ports, err := enumerator.GetDetailedPortsList(enumerator.All)
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	byID := stableNames("/dev/serial/by-id")
	var out []PortInfo
	for _, p := range ports {
		out = append(out, PortInfo{
			Name: p.Name, ByID: byID[p.Name], USB: p.IsUSB, VID: p.VID, PID: p.PID,
			Manufacturer: p.Manufacturer, Product: p.Product, SerialNumber: p.SerialNumber,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// stableNames maps device paths to the links in dir that resolve to them.
func stableNames(dir string) map[string][]string {
	m := map[string][]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return m
	}
	for _, e := range entries {
		link := filepath.Join(dir, e.Name())
		if target, err := filepath.EvalSymlinks(link); err == nil {
			m[target] = append(m[target], link)
		}
	}
	return m
}

// WriteTable prints ports as a table. USB strings come from the device and
// are escaped like any other untrusted input.
func WriteTable(w io.Writer, ports []PortInfo) error {
	if len(ports) == 0 {
		_, err := fmt.Fprintln(w, "no serial ports found (is the scanner plugged in and in serial/CDC mode?)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORT\tVID:PID\tMANUFACTURER\tPRODUCT\tSERIAL\tSTABLE NAME")
	for _, p := range ports {
		id := "-"
		if p.USB {
			id = p.VID + ":" + p.PID
		}
		stable := "-"
		if len(p.ByID) > 0 {
			stable = p.ByID[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sanitize.Escape(p.Name), sanitize.Escape(id),
			orDash(p.Manufacturer), orDash(p.Product), orDash(p.SerialNumber), sanitize.Escape(stable))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return sanitize.Escape(s)
}
