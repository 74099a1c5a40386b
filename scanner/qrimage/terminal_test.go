package qrimage

import (
	"context"
	"image"
	"strings"
	"testing"
	"unicode/utf8"
)

// fromHalfBlocks draws terminal art as an image the way a dark terminal
// shows it: blocks light, spaces dark, each cell 2×2 pixels per module
// half so the decoder gets whole pixels.
func fromHalfBlocks(t *testing.T, art string) image.Image {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(art, "\n"), "\n")
	w := utf8.RuneCountInString(lines[0])
	const px = 4
	img := image.NewGray(image.Rect(0, 0, w*px, len(lines)*2*px))
	for y, l := range lines {
		x := 0
		for _, r := range l {
			top := r == '█' || r == '▀'
			bottom := r == '█' || r == '▄'
			for dy := range px {
				for dx := range px {
					if top {
						img.Pix[img.PixOffset(x*px+dx, 2*y*px+dy)] = 0xff
					}
					if bottom {
						img.Pix[img.PixOffset(x*px+dx, (2*y+1)*px+dy)] = 0xff
					}
				}
			}
			x++
		}
	}
	return img
}

func TestRenderHalfBlocks(t *testing.T) {
	for _, p := range []string{passPayload, "900101400003", "DC1:A"} {
		art, err := RenderHalfBlocks(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(art, "\n") {
			t.Fatal("art does not end with a newline")
		}
		lines := strings.Split(strings.TrimSuffix(art, "\n"), "\n")
		m, _ := Matrix(p, TerminalQuietZone)
		if len(lines) != (len(m)+1)/2 {
			t.Fatalf("%d lines for %d module rows", len(lines), len(m))
		}
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n != len(m) {
				t.Fatalf("line %d is %d wide, want %d", i, n, len(m))
			}
			if strings.Trim(l, "█▀▄ ") != "" {
				t.Fatalf("line %d has other characters: %q", i, l)
			}
		}
		// The quiet zone is light: full blocks on top and at both sides.
		if lines[0] != strings.Repeat("█", len(m)) {
			t.Fatalf("top quiet zone is not light: %q", lines[0])
		}
		for i, l := range lines[:len(lines)-1] {
			if !strings.HasPrefix(l, "██") || !strings.HasSuffix(l, "██") {
				t.Fatalf("line %d has no light side border: %q", i, l)
			}
		}
		// And a camera looking at a dark terminal reads it.
		got, err := DecodeImage(context.Background(), fromHalfBlocks(t, art))
		if err != nil || len(got) != 1 || got[0] != p {
			t.Fatalf("terminal art of %.20q decodes as %q, %v", p, got, err)
		}
	}
	if _, err := RenderHalfBlocks(""); err == nil {
		t.Fatal("empty payload rendered")
	}
}
