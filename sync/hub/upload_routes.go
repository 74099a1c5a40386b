package hub

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// serveUpload stores a batch of visits from an authenticated kiosk and
// answers per visit: new, duplicate, or refused with a code. Only the
// kiosk's own venue and door are accepted. The batch is durable before the
// answer is written.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) error {
	k, err := s.authenticate(r)
	if err != nil {
		return err
	}
	w.(*recorder).logName = k.ID
	body, err := readUploadBody(w, r)
	if err != nil {
		return err
	}
	var req protocol.UploadRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "body is not an upload batch")
	}
	if req.Format != visit.Format {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "visit format %d: this hub reads format %d", req.Format, visit.Format)
	}
	if len(req.Visits) > protocol.MaxBatchVisits {
		e := newError(http.StatusRequestEntityTooLarge, protocol.CodeBodyTooLarge, "%d visits in one batch, at most %d", len(req.Visits), protocol.MaxBatchVisits)
		e.body.Limit = protocol.MaxBatchVisits
		return e
	}
	results := make([]protocol.UploadResult, len(req.Visits))
	var good []visit.Record
	var goodIdx []int
	refused := 0
	for i, rec := range req.Visits {
		results[i] = protocol.UploadResult{ID: rec.ID}
		switch {
		case rec.Validate() != nil:
			results[i].Result, results[i].Code = protocol.ResultRefused, protocol.CodeBadVisit
		case rec.Kiosk != k.ID || rec.Venue != k.Venue || rec.Door != k.Door:
			results[i].Result, results[i].Code = protocol.ResultRefused, protocol.CodeWrongDoor
		default:
			good = append(good, rec)
			goodIdx = append(goodIdx, i)
			continue
		}
		refused++
	}
	stored, err := s.opts.Storage.IngestVisits(r.Context(), k.ID, good)
	if err != nil {
		return err
	}
	var fresh, dup, conflicts int
	for j, res := range stored {
		i := goodIdx[j]
		if res.New {
			results[i].Result = protocol.ResultNew
			fresh++
		} else {
			results[i].Result = protocol.ResultDuplicate
			dup++
		}
		if res.Conflict {
			results[i].Conflict = true
			conflicts++
		}
	}
	s.noteContact(r.Context(), Contact{
		Kiosk: k.ID, At: s.opts.Now().UTC(), SnapshotVersion: req.SnapshotVersion, Backlog: req.Backlog, HasBacklog: true,
	})
	s.opts.Observer.Upload(fresh, dup, refused, conflicts)
	writeJSON(w, http.StatusOK, protocol.UploadResponse{Results: results, Conflicts: conflicts})
	return nil
}

// readUploadBody reads a JSON body of at most MaxUploadWireBytes as sent
// and MaxUploadBytes after an optional gzip.
func readUploadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, newError(http.StatusUnsupportedMediaType, protocol.CodeUnsupportedMediaType, "want Content-Type: application/json")
	}
	tooLarge := func(limit int64) error {
		s := newError(http.StatusRequestEntityTooLarge, protocol.CodeBodyTooLarge, "body over %d bytes", limit)
		s.body.Limit = limit
		return s
	}
	var in io.Reader = http.MaxBytesReader(w, r.Body, protocol.MaxUploadWireBytes)
	switch r.Header.Get("Content-Encoding") {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(in)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge(protocol.MaxUploadWireBytes)
			}
			return nil, newError(http.StatusBadRequest, protocol.CodeBadRequest, "body is not gzip")
		}
		defer zr.Close()
		in = zr
	default:
		return nil, newError(http.StatusUnsupportedMediaType, protocol.CodeUnsupportedMediaType, "Content-Encoding must be gzip or identity")
	}
	// Read into a buffer sized for the body up front: growing from
	// io.ReadAll's 512 bytes copies and clears a 1,000-visit batch (~400
	// KB) some ten times. JSON visits gzip about 8:1.
	var buf bytes.Buffer
	if n := min(r.ContentLength, protocol.MaxUploadWireBytes); n > 0 {
		if r.Header.Get("Content-Encoding") == "gzip" {
			n *= 8
		}
		buf.Grow(int(min(n, protocol.MaxUploadBytes) + bytes.MinRead))
	}
	_, err = buf.ReadFrom(io.LimitReader(in, protocol.MaxUploadBytes+1))
	body := buf.Bytes()
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(protocol.MaxUploadWireBytes)
	case err != nil:
		return nil, newError(http.StatusBadRequest, protocol.CodeBadRequest, "could not read the body")
	case len(body) > protocol.MaxUploadBytes:
		return nil, tooLarge(protocol.MaxUploadBytes)
	}
	return body, nil
}
