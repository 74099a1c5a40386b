// Package hubmetrics is the hub's Prometheus instrumentation: a
// hub.Observer that counts requests, rejections and snapshot downloads on
// its own registry (never the global one), and the /metrics handler.
package hubmetrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "doorcheck_hub"

// Metrics implements hub.Observer.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	rejected    *prometheus.CounterVec
	downloads   *prometheus.CounterVec
	bytesSent   *prometheus.CounterVec
	notModified prometheus.Counter
	batches     prometheus.Counter
	visits      *prometheus.CounterVec
	conflicts   prometheus.Counter
	version     prometheus.Gauge
}

// New returns metrics on a fresh registry that also carries the Go runtime
// and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds", Help: "HTTP request duration by route (downloads included).",
			Buckets: []float64{.001, .005, .025, .1, .5, 2.5, 10, 60, 600, 3600},
		}, []string{"route"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_rejected_total", Help: "Requests refused by a limit, by error code.",
		}, []string{"reason"}),
		downloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "snapshot_downloads_total", Help: "Snapshot file answers by kind; partial for 206 (a resumed download).",
		}, []string{"kind", "partial"}),
		bytesSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "snapshot_bytes_sent_total", Help: "Snapshot file bytes sent, by kind.",
		}, []string{"kind"}),
		notModified: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "manifest_not_modified_total", Help: "Manifest polls answered 304 Not Modified.",
		}),
		batches: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "upload_batches_total", Help: "Visit upload batches accepted.",
		}),
		visits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "visits_total", Help: "Uploaded visits by result: new, duplicate, refused.",
		}, []string{"result"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "conflicts_total", Help: "New admitted entries of a subject already inside through another door.",
		}),
		version: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "snapshot_version", Help: "The snapshot version being served.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.rejected, m.downloads, m.bytesSent, m.notModified, m.version, m.batches, m.visits, m.conflicts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchInFlight exports the number of requests in flight, read from the
// server when scraped.
func (m *Metrics) WatchInFlight(f func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace, Name: "http_in_flight", Help: "Requests in flight (health and metrics excluded).",
	}, func() float64 { return float64(f()) }))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Request implements hub.Observer.
func (m *Metrics) Request(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// Rejected implements hub.Observer.
func (m *Metrics) Rejected(code protocol.Code) { m.rejected.WithLabelValues(string(code)).Inc() }

// Download implements hub.Observer.
func (m *Metrics) Download(kind string, partial bool, bytes int64) {
	m.downloads.WithLabelValues(kind, strconv.FormatBool(partial)).Inc()
	m.bytesSent.WithLabelValues(kind).Add(float64(bytes))
}

// NotModified implements hub.Observer.
func (m *Metrics) NotModified() { m.notModified.Inc() }

// SnapshotVersion implements hub.Observer.
func (m *Metrics) SnapshotVersion(v uint64) { m.version.Set(float64(v)) }

// Upload implements hub.Observer.
func (m *Metrics) Upload(fresh, duplicate, refused, conflicts int) {
	m.batches.Inc()
	m.visits.WithLabelValues("new").Add(float64(fresh))
	m.visits.WithLabelValues("duplicate").Add(float64(duplicate))
	m.visits.WithLabelValues("refused").Add(float64(refused))
	m.conflicts.Add(float64(conflicts))
}
