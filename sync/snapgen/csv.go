package snapgen

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// WriteStatusCSV writes a hub status list (`iin,status,valid_until`, the
// input of `doorcheck-hub import`) of rows listed subjects of seed: 5 %
// red, 10 % yellow, 85 % green, whole-day end times spread over 30 days
// from 2027-06-01. With changed, every 100th row differs — half of those
// move to another colour, a quarter become blue (leave the snapshot), a
// quarter end a week later — so the two lists are a 1 % delta apart.
// Subject i is IIN(seed, i), as in Generate.
func WriteStatusCSV(out io.Writer, seed int64, rows int, changed bool) error {
	w := bufio.NewWriterSize(out, 1<<20)
	base := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	fmt.Fprintln(w, "iin,status,valid_until")
	next := map[string]string{"green": "yellow", "yellow": "red", "red": "green"}
	for i := range rows {
		status := "green"
		switch i % 20 {
		case 0:
			status = "red"
		case 1, 2:
			status = "yellow"
		}
		until := base.AddDate(0, 0, i*7919%30)
		if changed && i%100 == 0 {
			switch i / 100 % 4 {
			case 0, 1:
				status = next[status]
			case 2:
				status = "blue"
			case 3:
				until = until.AddDate(0, 0, 7)
			}
		}
		if _, err := fmt.Fprintf(w, "%s,%s,%s\n", IIN(seed, i), status, until.Format(time.RFC3339)); err != nil {
			return err
		}
	}
	return w.Flush()
}
