package hubmetrics

import (
	"context"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/prometheus/client_golang/prometheus"
)

// fleetCollector reads the fleet from storage at each scrape: the number of
// kiosks by state, and each active kiosk's last contact. Kiosk ids are
// hub-made and pseudonymous, so they are fit as labels.
type fleetCollector struct {
	st       hub.Storage
	enrolled *prometheus.Desc
	contact  *prometheus.Desc
}

// WatchFleet exports the fleet gauges from st.
func (m *Metrics) WatchFleet(st hub.Storage) {
	m.reg.MustRegister(&fleetCollector{
		st: st,
		enrolled: prometheus.NewDesc(namespace+"_enrolled_kiosks", "Enrolled kiosks by state.",
			[]string{"state"}, nil),
		contact: prometheus.NewDesc(namespace+"_kiosk_last_contact_timestamp_seconds", "Unix time of each active kiosk's last contact (0: never).",
			[]string{"kiosk", "venue"}, nil),
	})
}

func (c *fleetCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.enrolled
	ch <- c.contact
}

func (c *fleetCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ks, err := c.st.Kiosks(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.enrolled, err)
		return
	}
	active, revoked := 0, 0
	for _, k := range ks {
		if k.Revoked() {
			revoked++
			continue
		}
		active++
		last := 0.0
		if !k.LastContact.IsZero() {
			last = float64(k.LastContact.Unix())
		}
		ch <- prometheus.MustNewConstMetric(c.contact, prometheus.GaugeValue, last, k.ID, k.Venue)
	}
	ch <- prometheus.MustNewConstMetric(c.enrolled, prometheus.GaugeValue, float64(active), "active")
	ch <- prometheus.MustNewConstMetric(c.enrolled, prometheus.GaugeValue, float64(revoked), "revoked")
}
