package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/doorcheck/doorcheck/scanner/qrimage"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

func runQR(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "qr", []subcommand{
		{"decode", "print every QR code in image FILE..., escaped, one per line", runQRDecode},
		{"encode", "[--out FILE.png] PAYLOAD: write a PNG, or draw the code in the terminal", runQREncode},
	}, args)
}

// runQRDecode prints every code in each file, escaped, one per line. A
// file with no readable code makes the exit status 1.
func runQRDecode(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "qr decode")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no image FILE given")
	}
	failed := 0
	for _, path := range fs.Args() {
		payloads, err := decodeFile(ctx, path)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %s\n", sanitize.Escape(path), errorText(err))
			failed++
			continue
		}
		for _, p := range payloads {
			if fs.NArg() > 1 {
				fmt.Fprintf(e.stdout, "%s: %s\n", sanitize.Escape(filepath.Base(path)), sanitize.EscapeLimit(p, 8192))
			} else {
				fmt.Fprintln(e.stdout, sanitize.EscapeLimit(p, 8192))
			}
		}
	}
	if failed > 0 {
		return exitError{exitFailure}
	}
	return nil
}

func decodeFile(ctx context.Context, path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	payloads, err := qrimage.Decode(ctx, f)
	if errors.Is(err, qrimage.ErrNoCode) {
		return nil, errors.New("no readable QR code")
	}
	return payloads, err
}

// runQREncode writes a PNG, or draws the code in the terminal.
func runQREncode(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "qr encode")
	out := fs.String("out", "", "write a PNG `file` instead of drawing in the terminal")
	size := fs.Int("size", 512, "PNG size in pixels")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one PAYLOAD")
	}
	payload := fs.Arg(0)
	if *out == "" {
		art, err := qrimage.RenderHalfBlocks(payload)
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, art)
		return nil
	}
	return writeFileAtomic(*out, func(w io.Writer) error { return qrimage.EncodePNG(w, payload, *size) })
}
