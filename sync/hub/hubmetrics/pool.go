package hubmetrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats are a database connection pool's figures at one moment. The
// type is the backend's neutral form, so this package does not import a
// database driver.
type PoolStats struct {
	Up                                bool  // the database answered a ping
	Max, Total, Idle, Acquired        int32 // connections
	Acquires, EmptyAcquires, Canceled int64 // acquires since start: all, ones that had to wait, ones given up
	AcquireWait                       time.Duration
}

type poolCollector struct {
	read                                                  func() PoolStats
	up, max, total, idle, acquired, acquires, empty, canc *prometheus.Desc
	wait                                                  *prometheus.Desc
}

// WatchPool exports the database pool's figures, read at each scrape.
func (m *Metrics) WatchPool(read func() PoolStats) {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(namespace+"_db_"+name, help, nil, nil)
	}
	m.reg.MustRegister(&poolCollector{
		read:     read,
		up:       d("up", "1 when the database answered a ping at this scrape."),
		max:      d("pool_max_connections", "The pool's size limit."),
		total:    d("pool_connections", "Connections open."),
		idle:     d("pool_idle_connections", "Connections open and idle."),
		acquired: d("pool_acquired_connections", "Connections in use."),
		acquires: d("pool_acquires_total", "Connections taken from the pool."),
		empty:    d("pool_empty_acquires_total", "Acquires that found no idle connection and waited."),
		canc:     d("pool_canceled_acquires_total", "Acquires given up (context done) before a connection came."),
		wait:     d("pool_acquire_wait_seconds_total", "Time spent waiting for a connection."),
	})
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.max, c.total, c.idle, c.acquired, c.acquires, c.empty, c.canc, c.wait} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.read()
	up := 0.0
	if s.Up {
		up = 1
	}
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	k := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(c.up, up)
	g(c.max, float64(s.Max))
	g(c.total, float64(s.Total))
	g(c.idle, float64(s.Idle))
	g(c.acquired, float64(s.Acquired))
	k(c.acquires, float64(s.Acquires))
	k(c.empty, float64(s.EmptyAcquires))
	k(c.canc, float64(s.Canceled))
	k(c.wait, s.AcquireWait.Seconds())
}
