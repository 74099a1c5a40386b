package hub

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

var getHead = []string{http.MethodGet, http.MethodHead}

func (s *Server) routes() {
	s.route(protocol.ManifestPath, "manifest", routeAPI, getHead, s.serveManifest)
	s.route(protocol.FullPath, "full", routeAPI, getHead, s.serveFull)
	s.route(protocol.DeltaPath, "delta", routeAPI, getHead, s.serveDelta)
	s.route(protocol.FilesPath, "files", routeDownload, getHead, s.serveFile)
	s.route(protocol.EnrollPath, "enroll", routeAPI, []string{http.MethodPost}, s.serveRedeem)
	s.route(protocol.VisitsPath, "visits", routeUpload, []string{http.MethodPost}, s.serveUpload)
	s.route(protocol.ReportPath, "report", routeAPI, getHead, s.serveReport)
	s.route(protocol.KioskPath, "kiosk", routeAPI, getHead, s.serveWhoAmI)
	s.route(protocol.HealthPath, "health", routeExempt, getHead, s.serveHealth)
	if s.opts.Metrics != nil {
		metrics := s.opts.Metrics
		s.route(protocol.MetricsPath, "metrics", routeExempt, getHead, func(w http.ResponseWriter, r *http.Request) error {
			metrics.ServeHTTP(w, r)
			return nil
		})
	}
	s.route("/", "unknown", routeAPI, nil, func(http.ResponseWriter, *http.Request) error { return notFound() })
}

// currentIndex returns the index, or the no_snapshot answer.
func (s *Server) currentIndex() (*loadedIndex, error) {
	li, err := s.index.get()
	if errors.Is(err, errNoIndex) {
		return nil, newError(http.StatusNotFound, protocol.CodeNoSnapshot, "no snapshot has been published yet")
	}
	if err != nil {
		return nil, err
	}
	s.opts.Observer.SnapshotVersion(li.index.Version)
	return li, nil
}

// serveManifest answers the signed index; If-None-Match with its ETag gets
// 304 and no body.
func (s *Server) serveManifest(w http.ResponseWriter, r *http.Request) error {
	if err := s.snapshotAccess(r); err != nil {
		return err
	}
	li, err := s.currentIndex()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", li.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", "application/json")
	h.Set(protocol.VersionHeader, strconv.FormatUint(li.index.Version, 10))
	rec := w.(*recorder)
	http.ServeContent(w, r, "", li.modTime, bytes.NewReader(li.doc))
	if rec.status == http.StatusNotModified {
		s.opts.Observer.NotModified()
	}
	return nil
}

// serveFull redirects to the latest full file, so a download (and its
// resume) always uses the immutable name.
func (s *Server) serveFull(w http.ResponseWriter, r *http.Request) error {
	if err := s.snapshotAccess(r); err != nil {
		return err
	}
	li, err := s.currentIndex()
	if err != nil {
		return err
	}
	w.Header().Set(protocol.VersionHeader, strconv.FormatUint(li.index.Version, 10))
	redirect(w, protocol.FileURL(li.index.Full.Name))
	return nil
}

// serveDelta answers "delta from N": the first step of the chain, nothing
// to do, or take the full one (docs/protocol.md).
func (s *Server) serveDelta(w http.ResponseWriter, r *http.Request) error {
	if err := s.snapshotAccess(r); err != nil {
		return err
	}
	raw := r.URL.Query().Get("from")
	from, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "from must be a decimal snapshot version")
	}
	li, err := s.currentIndex()
	if err != nil {
		return err
	}
	x := li.index
	w.Header().Set(protocol.VersionHeader, strconv.FormatUint(x.Version, 10))
	plan := x.PlanFrom(from)
	switch plan.Kind {
	case protocol.PlanCurrent:
		w.WriteHeader(http.StatusNoContent)
	case protocol.PlanAhead:
		return newError(http.StatusConflict, protocol.CodeVersionAhead, "version %d is above the hub's latest version %d", from, x.Version)
	case protocol.PlanDeltas:
		redirect(w, protocol.FileURL(plan.Files[0].Name))
	case protocol.PlanFull:
		e := newError(http.StatusNotFound, protocol.CodeDeltaUnavailable, "no delta chain from version %d to %d: take the full snapshot", from, x.Version)
		e.body.Full = protocol.FileURL(x.Full.Name)
		return e
	}
	return nil
}

func redirect(w http.ResponseWriter, path string) {
	w.Header().Set("Location", path)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusTemporaryRedirect, map[string]string{"location": path})
}

// serveFile serves one immutable snapshot file with ETag, conditional
// requests and ranges.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) error {
	if err := s.snapshotAccess(r); err != nil {
		return err
	}
	name := r.URL.Path[len(protocol.FilesPath):]
	base, version, ok := protocol.ParseFileName(name)
	kind := "full"
	if ok && base != 0 {
		kind = "delta"
	}
	if !ok {
		if version, ok = protocol.ParseTransferName(name); ok {
			kind = "transfer"
		} else if version, ok = protocol.ParseDCCTrustName(name); ok {
			kind = "dcc_trust"
		} else {
			return notFound()
		}
	}
	ref, err := s.fileRef(r, name, base, version)
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(s.opts.Artifacts.FilesDir(), name))
	if errors.Is(err, os.ErrNotExist) {
		return notFound()
	}
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() != ref.Size {
		return fmt.Errorf("file %s is %d bytes, published as %d", name, info.Size(), ref.Size)
	}
	pw := w.(*progressWriter)
	pw.logName = name
	h := w.Header()
	h.Set("ETag", `"sha256:`+ref.SHA256[:32]+`"`)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", protocol.SnapshotContentType)
	if kind == "dcc_trust" {
		h.Set("Content-Type", protocol.DCCTrustContentType)
	}
	http.ServeContent(w, r, "", info.ModTime(), f)
	if st := pw.status; st == http.StatusOK || st == http.StatusPartialContent {
		s.opts.Observer.Download(kind, st == http.StatusPartialContent, pw.bytes)
	}
	return nil
}

// fileRef finds a published file's reference: in the current index, or
// (for an older version a kiosk is still finishing) in storage.
func (s *Server) fileRef(r *http.Request, name string, base, version uint64) (protocol.FileRef, error) {
	if li, err := s.index.get(); err == nil {
		if ref, ok := li.byName[name]; ok {
			return ref, nil
		}
	}
	vs, err := s.opts.Storage.SnapshotVersions(r.Context(), version, 1)
	if err != nil {
		return protocol.FileRef{}, err
	}
	if len(vs) == 1 && vs[0].Version == version {
		for _, ref := range []protocol.FileRef{vs[0].Full, vs[0].Delta, vs[0].Transfer, vs[0].DCCTrust} {
			if ref.Name == name {
				return ref, nil
			}
		}
	}
	return protocol.FileRef{}, notFound()
}

// serveHealth says whether the hub can serve, and what.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) error {
	h := protocol.Health{Status: "ok", Protocol: protocol.ProtocolVersion, Time: s.opts.Now().UTC().Truncate(time.Second)}
	status := http.StatusOK
	li, err := s.index.get()
	switch {
	case err == nil:
		h.SnapshotVersion, h.PublishedAt = li.index.Version, li.index.PublishedAt
	case errors.Is(err, errNoIndex):
	default:
		s.opts.Logger.Error("health: snapshot index unreadable", "error", err.Error())
		h.Status, h.Message, status = "unavailable", "the snapshot index cannot be read: see the hub's log", http.StatusServiceUnavailable
	}
	writeJSON(w, status, h)
	return nil
}

// snapshotAccess lets a request at snapshot data through: any request with
// PublicSnapshots, else only an enrolled, unrevoked kiosk, whose contact
// (and reported version) it notes.
func (s *Server) snapshotAccess(r *http.Request) error {
	if s.opts.PublicSnapshots {
		return nil
	}
	k, err := s.authenticate(r)
	if err != nil {
		return err
	}
	c := Contact{Kiosk: k.ID, At: s.opts.Now().UTC()}
	if v, err := strconv.ParseUint(r.Header.Get(protocol.KioskVersionHeader), 10, 64); err == nil {
		c.SnapshotVersion = v
	}
	s.noteContact(r.Context(), c)
	return nil
}
