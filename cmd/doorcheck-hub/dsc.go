package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/doorcheck/doorcheck/sync/hub"
)

// runImportDSC checks an EU DCC document-signer trust list (the JSON the
// EU gateway and national backends publish) and stores it in the hub's
// data directory; the next import publishes it in the signed snapshot
// index. The list is hub state in DATA with either backend, so there is
// no --db: import, which publishes it, runs on the same data directory.
func runImportDSC(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import-dsc")
	data := fs.String("data", "", "hub data `directory` (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one trust list FILE (- for standard input)")
	}
	d, _, _, err := openData(*data)
	if err != nil {
		return err
	}
	var in io.Reader = e.stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	res, err := hub.ImportDSC(ctx, d, in)
	if err != nil {
		return err
	}
	if res.Unchanged {
		fmt.Fprintf(e.stdout, "DCC trust list unchanged: %d signing certificates from %d countries (sha256 %s)\n", res.Signers, res.Countries, res.SHA256[:16])
		return nil
	}
	fmt.Fprintf(e.stdout, "stored DCC trust list: %d signing certificates from %d countries (sha256 %s)\n", res.Signers, res.Countries, res.SHA256[:16])
	fmt.Fprintln(e.stdout, "  the next import publishes it in the signed snapshot index; kiosks install it at their next sync")
	return nil
}
