package httpapi

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/node"
)

// metrics are the server's Prometheus collectors, in a registry of its own
// so that several servers (tests, the demo) never collide.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	payments  *prometheus.CounterVec
	batchSize prometheus.Histogram
	commit    prometheus.Histogram
	pending   prometheus.Gauge

	// counters caches requests' children by route and status, and
	// results payments' by reason, so the hot path does no label hashing.
	mu       sync.RWMutex
	counters map[routeStatus]prometheus.Counter
	results  [engine.ReasonCount + 2]prometheus.Counter
}

type routeStatus struct {
	route  string
	status int
}

const (
	resultDuplicate = engine.ReasonCount     // an idempotent replay
	resultPending   = engine.ReasonCount + 1 // accepted, funds reserved
)

func newMetrics(d *daemon.Daemon) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), counters: make(map[routeStatus]prometheus.Counter)}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mutua_http_requests_total", Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	m.payments = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mutua_payments_total", Help: "Payment commands by result: settled, pending, duplicate or the engine's rejection reason.",
	}, []string{"result"})
	m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "mutua_client_batch_commands", Help: "Commands per proposal from the API (1 for single payments).",
		Buckets: prometheus.ExponentialBuckets(1, 4, 8),
	})
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "mutua_commit_latency_seconds", Help: "Time from proposing commands to their applied results (commit, sync, apply).",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
	m.pending = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "mutua_batcher_pending_requests", Help: "API proposals waiting in the node's batcher for their results.",
	})
	status := func(name, help string, f func(s node.Status) float64, counter bool) prometheus.Collector {
		fn := func() float64 { return f(d.Node().Status()) }
		if counter {
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn)
		}
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn)
	}
	m.reg.MustRegister(m.requests, m.payments, m.batchSize, m.commit, m.pending,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		status("mutua_node_applied_index", "Last log index applied to the engine.", func(s node.Status) float64 { return float64(s.Applied) }, false),
		status("mutua_node_committed_index", "Raft commit index.", func(s node.Status) float64 { return float64(s.Committed) }, false),
		status("mutua_node_recorded_index", "Last log index in the settled history.", func(s node.Status) float64 { return float64(s.RecordedIndex) }, false),
		status("mutua_node_leader", "1 if this node is the raft leader.", func(s node.Status) float64 {
			if s.Leader {
				return 1
			}
			return 0
		}, false),
		status("mutua_node_entries_applied_total", "Log entries with commands applied since start.", func(s node.Status) float64 { return float64(s.EntriesApplied) }, true),
		status("mutua_node_commands_applied_total", "Commands applied since start (divide by entries for the batch size).", func(s node.Status) float64 { return float64(s.CommandsApplied) }, true),
		status("mutua_node_snapshots_total", "Snapshots made durable since start.", func(s node.Status) float64 { return float64(s.SnapshotsTaken) }, true),
	)
	for r := engine.Reason(0); int(r) < engine.ReasonCount; r++ {
		name := r.String()
		if r == engine.OK {
			name = "settled"
		}
		m.results[r] = m.payments.WithLabelValues(name)
	}
	m.results[resultDuplicate] = m.payments.WithLabelValues("duplicate")
	m.results[resultPending] = m.payments.WithLabelValues("pending")
	return m
}

func (m *metrics) request(route string, status int) {
	k := routeStatus{route, status}
	m.mu.RLock()
	c := m.counters[k]
	m.mu.RUnlock()
	if c == nil {
		c = m.requests.WithLabelValues(route, strconv.Itoa(status))
		m.mu.Lock()
		m.counters[k] = c
		m.mu.Unlock()
	}
	c.Inc()
}

// payment counts one payment result.
func (m *metrics) payment(r *engine.Result) {
	switch {
	case r.Duplicate:
		m.results[resultDuplicate].Inc()
	case r.Reason == engine.OK && r.Status == engine.StatusPending:
		m.results[resultPending].Inc()
	case int(r.Reason) < engine.ReasonCount:
		m.results[r.Reason].Inc()
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
