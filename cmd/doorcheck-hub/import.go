package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
)

// runImport publishes a status list as the next signed snapshot version.
func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import")
	data := fs.String("data", "", "hub data `directory` (required)")
	format := fs.String("format", "", "input `format`: csv or jsonl (default: from the file name, else csv)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	sf := addStoreFlags(fs)
	artifacts := addArtifactsFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one input FILE (- for standard input)")
	}
	name := fs.Arg(0)
	if *format == "" {
		*format = "csv"
		if strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson") {
			*format = "jsonl"
		}
	}
	inFormat, err := hub.ParseInputFormat(*format)
	if err != nil {
		return usagef("%v", err)
	}
	d, keys, cfg, err := openData(*data)
	if err != nil {
		return err
	}
	var in io.Reader = e.stdin
	var size int64
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil {
			size = info.Size()
		}
		in = f
	}
	st, err := openHubStore(ctx, sf, d, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()

	bar := newImportBar(e.stderr, e.terminal && !*quiet, size)
	progress := bar.update
	if e.importHook != nil {
		progress = func(p hub.ImportProgress) { e.importHook(p); bar.update(p) }
	}
	res, err := hub.Import(ctx, d, st, keys, cfg, in, hub.ImportOptions{Format: inFormat, Now: e.now, Progress: progress, Artifacts: artifactsOf(*artifacts, d)})
	bar.done()
	var rowsErr *hub.RowsError
	if errors.As(err, &rowsErr) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err != nil {
		return err
	}
	v := res.Version
	fmt.Fprintf(e.stdout, "published snapshot version %d: %d entries from %d rows in %s\n", v.Version, v.Entries, res.Rows, res.Elapsed.Round(1e6))
	fmt.Fprintf(e.stdout, "  red %d, yellow %d, green %d, blue %d (blue rows are not stored: absent means blue)\n", v.Red, v.Yellow, v.Green, res.Blue)
	fmt.Fprintf(e.stdout, "  full  %s  %d bytes\n", v.Full.Name, v.Full.Size)
	switch {
	case v.HasDelta():
		fmt.Fprintf(e.stdout, "  delta %s  %d bytes, %d changes from version %d\n", v.Delta.Name, v.Delta.Size, res.DeltaRecords, v.Delta.BaseVersion)
	case v.Version > 1:
		fmt.Fprintln(e.stdout, "  delta none: the subject-hash key changed, kiosks take the full snapshot")
	default:
		fmt.Fprintln(e.stdout, "  delta none: this is the first version")
	}
	return nil
}
