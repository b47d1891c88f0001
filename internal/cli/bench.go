package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/serveproc"
	"github.com/mutua-org/mutua/internal/sim"
)

func init() {
	register("bench", "measure throughput, latency, restart time and memory (node and client in separate processes)", runBench)
}

// benchReport is what `mutua bench --json` prints.
type benchReport struct {
	EngineTransfersPerS        float64 `json:"engine_transfers_per_s"`
	DurableBatchTransfersPerS  float64 `json:"durable_batch_transfers_per_s"`
	DurableBatchP50Ms          float64 `json:"durable_batch_p50_ms"`
	DurableBatchP99Ms          float64 `json:"durable_batch_p99_ms"`
	DurableBatchTransfers      int64   `json:"durable_batch_transfers"`
	RestartTransfers           int64   `json:"restart_transfers"`
	RestartReadyS              float64 `json:"restart_ready_s"`
	RSSMiB1MAccounts           float64 `json:"rss_mib_1m_accounts"`
	HTTPPaymentsPerS           float64 `json:"http_payments_per_s,omitempty"`
	HTTPP99Ms                  float64 `json:"http_p99_ms,omitempty"`
	HTTPP50Ms                  float64 `json:"http_p50_ms,omitempty"`
	HTTPPayments               int64   `json:"http_payments,omitempty"`
	HTTPRejected               int64   `json:"http_rejected,omitempty"`
	DurableBatchRejected       int64   `json:"durable_batch_rejected"`
	EngineDurationS            float64 `json:"engine_duration_s"`
	DurableBatchDurationS      float64 `json:"durable_batch_duration_s"`
	DurableBatchClientBatch    int     `json:"durable_batch_client_batch"`
	DurableBatchClientInFlight int     `json:"durable_batch_client_in_flight"`
	Accounts                   int     `json:"accounts"`
}

type benchOptions struct {
	duration        time.Duration
	restartTarget   int64
	rssAccounts     int
	skip            map[string]bool
	serveArgs       []string
	keepDir         string
	jsonOut         bool
	stdout, stderr  io.Writer
	batch, inFlight int
}

func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := benchOptions{stdout: stdout, stderr: stderr}
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long each throughput scenario runs")
	fs.Int64Var(&o.restartTarget, "restart-transfers", 10_000_000, "transfers in the log before the restart is timed (the durable scenario's count towards it)")
	fs.IntVar(&o.rssAccounts, "rss-accounts", 1_000_000, "accounts for the memory scenario")
	fs.IntVar(&o.batch, "batch", 8190, "transfers per client batch")
	fs.IntVar(&o.inFlight, "in-flight", 4, "client batches in flight")
	fs.StringVar(&o.keepDir, "keep", "", "keep the durable scenario's data directory here (it must not exist) for inspection with `mutua verify`")
	serveArgs := fs.String("serve-args", "", "extra space-separated flags for the child `mutua serve` (e.g. --cpuprofile FILE)")
	skip := fs.String("skip", "", "comma-separated scenarios to skip: engine, durable, restart, rss, http")
	fs.BoolVar(&o.jsonOut, "json", false, "print one JSON object instead of a table")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: mutua bench [--duration 20s] [--json]")
		fmt.Fprintln(stderr, "\nScenarios:")
		fmt.Fprintln(stderr, "  engine   the apply loop alone, in this process, on one core")
		fmt.Fprintln(stderr, "  durable  `mutua serve` in a child process; this process sends batches of")
		fmt.Fprintln(stderr, "           --batch payments, --in-flight at a time, over loopback HTTP, among")
		fmt.Fprintln(stderr, "           10,000 accounts with a floor of zero (every payment balance-checked)")
		fmt.Fprintln(stderr, "  restart  the same node, filled to --restart-transfers, killed and restarted:")
		fmt.Fprintln(stderr, "           seconds until it answers /readyz")
		fmt.Fprintln(stderr, "  rss      resident memory of a node holding --rss-accounts accounts")
		fmt.Fprintln(stderr, "  http     `mutua serve` in a child process; 64 clients send single JSON payments")
		fmt.Fprintln(stderr, "           (POST /v1/payments), one at a time each, over keep-alive connections")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o.serveArgs = strings.Fields(*serveArgs)
	o.skip = map[string]bool{}
	for _, s := range strings.Split(*skip, ",") {
		if s != "" {
			o.skip[s] = true
		}
	}
	if o.batch < 1 || o.batch > httpapi.BatchCommandsMax || o.inFlight < 1 {
		fmt.Fprintf(stderr, "mutua bench: --batch must be 1..%d and --in-flight at least 1\n", httpapi.BatchCommandsMax)
		return 2
	}
	rep, err := bench(o)
	if err != nil {
		fmt.Fprintf(stderr, "mutua bench: %v\n", err)
		return 1
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
		return 0
	}
	fmt.Fprintf(stdout, "engine only (apply loop, 1 core):      %12.0f transfers/s\n", rep.EngineTransfersPerS)
	fmt.Fprintf(stdout, "durable, %d x %d in flight:          %12.0f transfers/s  p50 %.1f ms  p99 %.1f ms  (%d transfers, %d rejected)\n",
		rep.DurableBatchClientBatch, rep.DurableBatchClientInFlight, rep.DurableBatchTransfersPerS, rep.DurableBatchP50Ms, rep.DurableBatchP99Ms, rep.DurableBatchTransfers, rep.DurableBatchRejected)
	fmt.Fprintf(stdout, "restart after %d transfers:       %12.2f s to ready\n", rep.RestartTransfers, rep.RestartReadyS)
	fmt.Fprintf(stdout, "resident memory, %d accounts:       %12.0f MiB\n", o.rssAccounts, rep.RSSMiB1MAccounts)
	fmt.Fprintf(stdout, "http, %d clients, single payments:   %12.0f payments/s  p50 %.1f ms  p99 %.1f ms  (%d payments, %d rejected)\n",
		httpBenchClients, rep.HTTPPaymentsPerS, rep.HTTPP50Ms, rep.HTTPP99Ms, rep.HTTPPayments, rep.HTTPRejected)
	return 0
}

func bench(o benchOptions) (*benchReport, error) {
	rep := &benchReport{DurableBatchClientBatch: o.batch, DurableBatchClientInFlight: o.inFlight}
	union := sim.NewUnion(2000, "CNY", "INR", "RUB", "BRL", "ZAR")
	rep.Accounts = len(union.Banks) * len(union.Currencies)
	if !o.skip["engine"] {
		fmt.Fprintln(o.stderr, "bench: engine only...")
		rep.EngineTransfersPerS, rep.EngineDurationS = benchEngine(union, o.duration)
	}
	if !o.skip["durable"] || !o.skip["restart"] {
		if err := benchDurable(o, union, rep); err != nil {
			return nil, err
		}
	}
	if !o.skip["http"] {
		if err := benchHTTP(o, rep); err != nil {
			return nil, fmt.Errorf("http: %w", err)
		}
	}
	if !o.skip["rss"] {
		fmt.Fprintf(o.stderr, "bench: memory with %d accounts...\n", o.rssAccounts)
		rss, err := benchRSS(o)
		if err != nil {
			return nil, fmt.Errorf("rss: %w", err)
		}
		rep.RSSMiB1MAccounts = rss
	}
	return rep, nil
}

// benchEngine runs the apply loop alone for d and returns transfers/s.
func benchEngine(u *sim.Union, d time.Duration) (float64, float64) {
	e := engine.New()
	e.ApplyCommands(1, 1, u.Setup(1<<40)...)
	tr := sim.NewTraffic(u, 1, "engine")
	const batch = 8190
	index, transfers := uint64(1), 0
	var spent time.Duration
	cmds := make([][]byte, batch)
	for spent < d {
		for i := range cmds {
			cmds[i] = tr.Next(1000).Encode()
		}
		index++
		start := time.Now()
		e.Apply(index, int64(index), cmds)
		spent += time.Since(start)
		transfers += batch
	}
	return float64(transfers) / spent.Seconds(), spent.Seconds()
}

// startNode runs this binary's `mutua serve` on dir, its log going to
// stderr, and waits until it is ready (see serveproc.Start).
func startNode(dir string, extra []string, stderr io.Writer) (*serveproc.Server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return serveproc.Start(exe, dir, stderr, append([]string{"--log-level", "warn"}, extra...)...)
}

// rssMiB returns a process's resident set size in MiB from /proc.
func rssMiB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, found := strings.CutPrefix(line, "VmRSS:"); found {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// batchClient sends binary command batches to a node.
type batchClient struct {
	url, token string
	http       *http.Client
}

func newBatchClient(c *serveproc.Server) *batchClient {
	return &batchClient{url: c.URL, token: c.Token, http: &http.Client{Timeout: 5 * time.Minute}}
}

func (b *batchClient) send(ctx context.Context, cmds [][]byte) ([]httpapi.BatchResult, error) {
	return httpapi.PostBatch(ctx, b.http, b.url, b.token, cmds)
}

// setup sends the union's setup commands in batches and checks each result.
func (b *batchClient) setup(ctx context.Context, cmds []*engine.Command) error {
	for len(cmds) > 0 {
		n := min(len(cmds), httpapi.BatchCommandsMax)
		raw := make([][]byte, n)
		for i, c := range cmds[:n] {
			raw[i] = c.Encode()
		}
		rs, err := b.send(ctx, raw)
		if err != nil {
			return err
		}
		for i, r := range rs {
			if r.Reason != engine.OK {
				return fmt.Errorf("setup command %s: %s", cmds[i].Kind, r.Reason)
			}
		}
		cmds = cmds[n:]
	}
	return nil
}

// load runs inFlight clients sending batches of payments until stop, and
// returns the transfers settled, rejected and every batch's latency.
func (b *batchClient) load(ctx context.Context, u *sim.Union, batch, inFlight int, seed uint64, until func(settled int64) bool) (settled, rejected int64, lat []time.Duration, err error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr atomic.Value
	var total atomic.Int64
	for w := 0; w < inFlight; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// The next batch is generated while the current one is in
			// flight, so the client's own work does not pace the node.
			next := make(chan [][]byte, 1)
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				tr := sim.NewTraffic(u, seed+uint64(w), fmt.Sprintf("c%d-%d", seed, w))
				for {
					cmds := make([][]byte, batch)
					for i := range cmds {
						cmds[i] = tr.Next(1000).Encode()
					}
					select {
					case next <- cmds:
					case <-stop:
						return
					}
				}
			}()
			var mine []time.Duration
			for !until(total.Load()) && firstErr.Load() == nil {
				cmds := <-next
				start := time.Now()
				rs, err := b.send(ctx, cmds)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				mine = append(mine, time.Since(start))
				var ok, bad int64
				for _, r := range rs {
					if r.Reason == engine.OK {
						ok++
					} else {
						bad++
					}
				}
				total.Add(ok)
				mu.Lock()
				settled += ok
				rejected += bad
				mu.Unlock()
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		err = e.(error)
	}
	return settled, rejected, lat, err
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

func benchDurable(o benchOptions, u *sim.Union, rep *benchReport) error {
	dir, err := os.MkdirTemp("", "mutua-bench-")
	if err != nil {
		return err
	}
	if o.keepDir != "" {
		if err := os.Rename(dir, o.keepDir); err != nil {
			return err
		}
		dir = o.keepDir
	} else {
		defer os.RemoveAll(dir)
	}
	c, err := startNode(dir, o.serveArgs, o.stderr)
	if err != nil {
		return err
	}
	defer c.Stop()
	ctx := context.Background()
	cl := newBatchClient(c)
	fmt.Fprintf(o.stderr, "bench: setting up %d accounts...\n", rep.Accounts)
	if err := cl.setup(ctx, u.Setup(1<<40)); err != nil {
		return err
	}
	var logged int64
	if !o.skip["durable"] {
		fmt.Fprintf(o.stderr, "bench: durable batches for %s...\n", o.duration)
		start := time.Now()
		deadline := start.Add(o.duration)
		settled, rejected, lat, err := cl.load(ctx, u, o.batch, o.inFlight, 1, func(int64) bool { return time.Now().After(deadline) })
		if err != nil {
			return err
		}
		elapsed := time.Since(start)
		rep.DurableBatchTransfers, rep.DurableBatchRejected = settled, rejected
		rep.DurableBatchDurationS = elapsed.Seconds()
		rep.DurableBatchTransfersPerS = float64(settled) / elapsed.Seconds()
		rep.DurableBatchP50Ms = float64(percentile(lat, 0.50).Microseconds()) / 1000
		rep.DurableBatchP99Ms = float64(percentile(lat, 0.99).Microseconds()) / 1000
		logged = settled + rejected
	}
	if o.skip["restart"] {
		return nil
	}
	if remaining := o.restartTarget - logged; remaining > 0 {
		fmt.Fprintf(o.stderr, "bench: filling the log to %d transfers...\n", o.restartTarget)
		settled, rejected, _, err := cl.load(ctx, u, httpapi.BatchCommandsMax, 4, 1000, func(n int64) bool { return n >= remaining })
		if err != nil {
			return err
		}
		logged += settled + rejected
	}
	fmt.Fprintln(o.stderr, "bench: killing the node (SIGKILL) and timing the restart...")
	c.Kill()
	c2, err := startNode(dir, o.serveArgs, o.stderr)
	if err != nil {
		return err
	}
	rep.RestartReadyS = c2.Ready.Seconds()
	rep.RestartTransfers = logged
	return c2.Stop()
}

// benchRSS starts a fresh node, creates accounts accounts (participants with
// one account each in five currencies) and reads its resident memory.
func benchRSS(o benchOptions) (float64, error) {
	dir, err := os.MkdirTemp("", "mutua-bench-rss-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	c, err := startNode(dir, nil, o.stderr)
	if err != nil {
		return 0, err
	}
	defer c.Kill()
	u := sim.NewUnion(o.rssAccounts/5, "CNY", "INR", "RUB", "BRL", "ZAR")
	if err := newBatchClient(c).setup(context.Background(), u.Setup(0)); err != nil {
		return 0, err
	}
	return rssMiB(c.Pid())
}
