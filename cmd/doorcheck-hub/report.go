package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/protocol"
	bolt "go.etcd.io/bbolt"
)

// runReport prints the compliance report of one day. When serve holds the
// visits, it asks the running hub (GET /v1/report with the operator token)
// instead of reading them itself.
func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "report")
	data := fs.String("data", "", "hub data `directory` (required)")
	day := fs.String("day", "", "venue-local `day` YYYY-MM-DD (default: today)")
	asJSON := fs.Bool("json", false, "one JSON object")
	sf := addStoreFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *day == "" {
		*day = e.now().Format(time.DateOnly)
	}
	if _, err := time.Parse(time.DateOnly, *day); err != nil {
		return usagef("--day must be YYYY-MM-DD")
	}
	d, keys, cfg, err := openData(*data)
	if err != nil {
		return err
	}
	st, err := openHubStore(ctx, sf, d, boltstore.Options{LockTimeout: time.Second})
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := hub.BuildReport(ctx, st, *day)
	if errors.Is(err, bolt.ErrTimeout) && cfg.URL != "" {
		rep, err = fetchReport(ctx, cfg.URL, keys.OperatorToken, *day)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(e.stdout, rep)
	return nil
}

func fetchReport(ctx context.Context, base, token, day string) (*hub.Report, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+protocol.ReportPath+"?day="+url.QueryEscape(day), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the hub is serving from this data directory; asking it failed: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var pe protocol.Error
		json.Unmarshal(body, &pe)
		return nil, fmt.Errorf("the running hub answered %d %s", resp.StatusCode, pe.Code)
	}
	var rep hub.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, fmt.Errorf("report from the running hub: %w", err)
	}
	return &rep, nil
}

func printReport(w io.Writer, rep *hub.Report) {
	fmt.Fprintf(w, "report for %s\n\n", rep.Day)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VENUE\tENTRIES\tEXITS\tDENIED\tNOT VERIFIED\tOVERRIDES\tUNDOS\tRED\tYELLOW\tCONFLICTS\tDENIED BY REASON")
	for _, d := range rep.Days {
		var reasons []string
		for r, n := range d.DeniedByReason {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(reasons)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", d.Venue, d.Entries, d.Exits, d.Denied, d.NotVerified, d.Overrides, d.Undos, d.RedAttempts, d.YellowAttempts, d.Conflicts, strings.Join(reasons, ", "))
	}
	tw.Flush()
	if len(rep.Days) == 0 {
		fmt.Fprintln(w, "no visits on this day")
	}
	fmt.Fprintln(w)
	for _, v := range rep.Idle {
		fmt.Fprintf(w, "%-8s %s: no visits for %d days\n", strings.ToUpper(v.Level), v.Venue, v.DaysIdle)
	}
	fmt.Fprintf(w, "\nscanning discipline over %d days (days with scans / %d × share of verified scans)\n", rep.DisciplineDays, rep.DisciplineDays)
	for _, l := range rep.Leaders {
		fmt.Fprintf(w, "  leader   %-20s %.2f  (%d days, %d scans)\n", l.Venue, l.Score, l.DaysWithScans, l.Scans)
	}
	for _, o := range rep.Outsiders {
		fmt.Fprintf(w, "  outsider %-20s %.2f  (%d days, %d scans)\n", o.Venue, o.Score, o.DaysWithScans, o.Scans)
	}
	fmt.Fprintf(w, "\n%d conflicts (admitted at two doors without an exit between)\n", len(rep.Conflicts))
	for _, c := range rep.Conflicts {
		fmt.Fprintf(w, "  %s door %s at %s, visit %s\n", c.Venue, c.Door, c.At.Format(time.RFC3339), c.Visit)
	}
}
