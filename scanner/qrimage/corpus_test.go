package qrimage

import (
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// dccCorpus is the shared EU DCC test data: its cases' 2DCODE pictures
// (the QR codes issuers printed, as base64 PNG) and the png/ folders.
const dccCorpus = "../../../shared/testdata/dcc"

// corpusImages are the public DCC pictures of the shared set, each with
// the text it must read as ("" when no case names it) and whether its case
// expects it to read at all (EXPECTEDPICTUREDECODE false: it must not).
type corpusImage struct {
	name, want string
	readable   bool
	data       []byte
}

func corpusImages(t *testing.T) []corpusImage {
	t.Helper()
	var imgs []corpusImage
	err := filepath.WalkDir(dccCorpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dccCorpus, p)
		switch {
		case strings.HasSuffix(p, ".json"):
			var c struct {
				Code     string `json:"2DCODE"`
				Prefix   string `json:"PREFIX"`
				Expected struct {
					Picture *bool `json:"EXPECTEDPICTUREDECODE"`
				} `json:"EXPECTEDRESULTS"`
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if json.Unmarshal(b, &c) != nil || c.Code == "" {
				return nil
			}
			png, err := base64.StdEncoding.DecodeString(c.Code)
			if err != nil {
				t.Errorf("%s: 2DCODE is not base64: %v", rel, err)
				return nil
			}
			imgs = append(imgs, corpusImage{name: rel, want: c.Prefix, readable: c.Expected.Picture == nil || *c.Expected.Picture, data: png})
		case strings.HasSuffix(p, ".png") && filepath.Base(filepath.Dir(p)) == "png":
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			imgs = append(imgs, corpusImage{name: rel, readable: true, data: b})
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(imgs) == 0 {
		t.Skipf("no DCC pictures under %s", dccCorpus)
	}
	sort.Slice(imgs, func(i, j int) bool { return imgs[i].name < imgs[j].name })
	return imgs
}

// TestDCCPictureCorpus: over the shared set's 367 public DCC pictures
// (363 cases' 2DCODE PNGs and Ireland's four Aztec prints), Decode reads
// 366, each as exactly its case's HC1 text; the one it does not read is
// the case whose picture is deliberately not an image
// (common/2DCode/raw/Q1, EXPECTEDPICTUREDECODE false). zbarimg 0.23.92
// reads 362 of them (not the Aztec codes): docs/benchmarks.md.
func TestDCCPictureCorpus(t *testing.T) {
	imgs := corpusImages(t)
	if len(imgs) != 367 {
		t.Errorf("%d pictures, want the 367 of the shared set", len(imgs))
	}
	read := 0
	for _, img := range imgs {
		got, err := decodeBytes(img.data)
		ok := err == nil && len(got) == 1 && (img.want == "" || got[0] == img.want)
		if ok {
			read++
		}
		if ok != img.readable {
			t.Errorf("%s: read %v (%d codes, %v), its case expects %v", img.name, ok, len(got), err, img.readable)
		}
		if img.want == "" && ok && !strings.HasPrefix(got[0], "HC1:") {
			t.Errorf("%s: read %.20q, not an HC1 code", img.name, got[0])
		}
	}
	if read != 366 {
		t.Errorf("read %d of %d pictures, want 366", read, len(imgs))
	}
}
