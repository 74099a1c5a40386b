package hub

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// ServerOptions configure the /v1 HTTP server. Zero limits take the
// defaults of docs/protocol.md.
type ServerOptions struct {
	Data DataDir
	// Artifacts is the snapshot files' root (default Data's public
	// directory); hub instances on one database share it.
	Artifacts Artifacts
	Storage   Storage
	Keys      Keys
	Config    Config
	Logger    *slog.Logger
	Now       func() time.Time
	// Observer receives request and download events (the Prometheus
	// metrics); nil observes nothing.
	Observer Observer
	// PublicSnapshots serves the manifest and snapshot files without kiosk
	// credentials. They carry the subject-hash key, so only do this behind
	// access control of your own (docs/protocol.md, Privacy).
	PublicSnapshots bool
	// Rand supplies kiosk ids and secrets (default crypto/rand).
	Rand io.Reader
	// Metrics, when set, is served at /metrics (exempt from the in-flight
	// limit, like health).
	Metrics http.Handler

	MaxInFlight      int           // requests in flight before 503 overloaded (512)
	RequestTimeout   time.Duration // API requests (15 s)
	IdleWriteTimeout time.Duration // a file download must progress this often (60 s)
	MaxHeaderBytes   int           // request headers (16 KiB)
}

func (o *ServerOptions) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Artifacts == "" {
		o.Artifacts = o.Data.Artifacts()
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 512
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 15 * time.Second
	}
	if o.IdleWriteTimeout <= 0 {
		o.IdleWriteTimeout = 60 * time.Second
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 16 << 10
	}
}

// Server serves the /v1 protocol.
type Server struct {
	opts     ServerOptions
	index    *indexCache
	inFlight chan struct{}
	mux      *http.ServeMux
	contacts contactBuffer
}

// NewServer returns a server over a data directory whose keys are loaded.
func NewServer(opts ServerOptions) *Server {
	opts.defaults()
	s := &Server{
		opts:     opts,
		index:    &indexCache{path: opts.Artifacts.ManifestFile(), hubKey: opts.Keys.HubPublic()},
		inFlight: make(chan struct{}, opts.MaxInFlight),
		mux:      http.NewServeMux(),
	}
	s.routes()
	return s
}

// InFlight returns the number of requests in flight under the limit.
func (s *Server) InFlight() int { return len(s.inFlight) }

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.mux }

// HTTPServer returns an http.Server with the server's connection limits:
// header size and time, body read time, keep-alive idle time. Write
// deadlines are set per request (API answers and downloads differ).
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		MaxHeaderBytes:    s.opts.MaxHeaderBytes,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
}

// routeKind says how a route is bounded.
type routeKind int

const (
	routeAPI      routeKind = iota // small answers: one deadline for the whole request
	routeDownload                  // files: each write must progress within IdleWriteTimeout
	routeExempt                    // health and metrics: answered even when overloaded
	routeUpload                    // like API, but the handler bounds its own (larger) body
)

// handlerFunc is a route's handler; a returned *httpError is written as the
// JSON error body, anything else as 500 internal.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) route(pattern, name string, kind routeKind, methods []string, h handlerFunc) {
	s.mux.Handle(pattern, s.wrap(name, kind, methods, h))
}

// wrap applies everything every request gets: recovery, the in-flight
// limit, the method check, deadlines, a bounded body, the JSON error body,
// one structured log line and the observer.
func (s *Server) wrap(name string, kind routeKind, methods []string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		var err error
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				err = fmt.Errorf("panic: %v", p)
				if !rec.wroteHeader {
					writeError(rec, internalError())
				}
			}
			s.finish(r, rec, name, start, err)
		}()
		if kind != routeExempt {
			select {
			case s.inFlight <- struct{}{}:
				defer func() { <-s.inFlight }()
			default:
				rec.Header().Set("Retry-After", "1")
				s.opts.Observer.Rejected(protocol.CodeOverloaded)
				err = errOverloaded
				writeError(rec, err.(*httpError))
				return
			}
		}
		if methods != nil && !allowed(r.Method, methods) {
			rec.Header().Set("Allow", joinMethods(methods))
			err = methodNotAllowed(methods)
			writeError(rec, err.(*httpError))
			return
		}
		rc := http.NewResponseController(w)
		var out http.ResponseWriter = rec
		switch kind {
		case routeAPI, routeExempt, routeUpload:
			ctx, cancel := context.WithTimeout(r.Context(), s.opts.RequestTimeout)
			defer cancel()
			r = r.WithContext(ctx)
			rc.SetWriteDeadline(time.Now().Add(s.opts.RequestTimeout))
		case routeDownload:
			out = &progressWriter{recorder: rec, rc: rc, idle: s.opts.IdleWriteTimeout}
		}
		if kind != routeUpload {
			r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		}
		err = h(out, r)
		if err != nil && !rec.wroteHeader {
			var he *httpError
			if !errors.As(err, &he) {
				he = internalError()
			}
			writeError(rec, he)
		}
	})
}

// finish logs the request and tells the observer. The log holds the route
// name and validated values only, never the raw path, query or headers:
// they are untrusted input.
func (s *Server) finish(r *http.Request, rec *recorder, route string, start time.Time, err error) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	d := time.Since(start)
	s.opts.Observer.Request(route, status, d)
	attrs := []slog.Attr{
		slog.String("route", route),
		slog.String("method", safeMethod(r.Method)),
		slog.Int("status", status),
		slog.Int64("bytes", rec.bytes),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("remote", r.RemoteAddr),
	}
	if rec.logName != "" {
		attrs = append(attrs, slog.String("file", rec.logName))
	}
	level := slog.LevelInfo
	var he *httpError
	switch {
	case err == nil:
	case errors.As(err, &he) && he.status < 500:
		attrs = append(attrs, slog.String("code", string(he.body.Code)))
	default:
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", err.Error()))
		if errors.As(err, &he) {
			attrs = append(attrs, slog.String("code", string(he.body.Code)))
		}
	}
	s.opts.Logger.LogAttrs(context.Background(), level, "request", attrs...)
}

func allowed(method string, methods []string) bool {
	for _, m := range methods {
		if m == method {
			return true
		}
	}
	return false
}

func joinMethods(ms []string) string {
	out := ""
	for i, m := range ms {
		if i > 0 {
			out += ", "
		}
		out += m
	}
	return out
}

// safeMethod keeps a method name fit for a log: the known ones as they
// are, anything else as "other".
func safeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodPatch:
		return m
	}
	return "other"
}

// recorder remembers the status and size of an answer.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
	logName     string // a validated file name for the log line
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// progressWriter moves the connection's write deadline forward before each
// write: a download may take an hour on a slow link, but a client that
// stops reading is cut off after the idle timeout instead of holding a
// connection forever.
type progressWriter struct {
	*recorder
	rc   *http.ResponseController
	idle time.Duration
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.rc.SetWriteDeadline(time.Now().Add(p.idle))
	return p.recorder.Write(b)
}
