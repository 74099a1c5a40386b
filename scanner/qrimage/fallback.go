package qrimage

import (
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// decodeFallback runs when the QR readers found nothing: some issuers
// print EU COVID certificates as Aztec codes, and some renderers leave no
// quiet zone, which defeats the finder-pattern detectors but not a
// pure-barcode pass (the image is the code, edge to edge). It costs time
// only on images the QR pass could not read.
func decodeFallback(bmp *gozxing.BinaryBitmap) []string {
	hard := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	pure := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
	readers := []struct {
		r     gozxing.Reader
		hints map[gozxing.DecodeHintType]interface{}
	}{
		{aztec.NewAztecReader(), hard},
		{qrcode.NewQRCodeReader(), pure},
		{aztec.NewAztecReader(), pure},
	}
	for _, rd := range readers {
		if r, err := rd.r.Decode(bmp, rd.hints); err == nil {
			return []string{r.GetText()}
		}
	}
	return nil
}
