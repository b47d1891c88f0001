package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/money"
	"github.com/mutua-org/mutua/internal/sim"
)

// The http scenario: durable single payments over HTTP/JSON. Each of
// httpBenchClients clients is a participant with its own token and keep-alive
// connection, sending POST /v1/payments one at a time: the node coalesces the
// concurrent proposals into log entries. The clients speak minimal HTTP/1.1
// on raw connections, as load generators such as wrk do, so that the
// measurement is of the node rather than of net/http's client.

const (
	httpBenchClients = 64
	httpBenchBanks   = 256
)

var httpBenchCurrencies = []string{"CNY", "INR", "RUB", "BRL", "ZAR"}

func benchHTTP(o benchOptions, rep *benchReport) error {
	dir, err := os.MkdirTemp("", "mutua-bench-http-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c, err := startNode(dir, o.serveArgs, o.stderr)
	if err != nil {
		return err
	}
	defer c.Kill()
	ctx := context.Background()
	u := sim.NewUnion(httpBenchBanks, httpBenchCurrencies...)
	fmt.Fprintf(o.stderr, "bench: http: setting up %d banks...\n", httpBenchBanks)
	if err := newBatchClient(c).setup(ctx, u.Setup(1<<50)); err != nil {
		return err
	}
	op := newClient(c.URL, c.Token)
	tokens := make([]string, httpBenchClients)
	for i := range tokens {
		var t httpapi.Token
		if _, err := op.call(ctx, "POST", "/v1/tokens", nil, "", httpapi.TokenRequest{Participant: u.Banks[i], Name: "bench client " + strconv.Itoa(i)}, &t); err != nil {
			return err
		}
		tokens[i] = t.Token
	}
	addr := c.URL[len("http://"):]
	fmt.Fprintf(o.stderr, "bench: http: %d clients sending single payments for %s...\n", httpBenchClients, o.duration)
	var settled, rejected atomic.Int64
	lats := make([][]time.Duration, httpBenchClients)
	errs := make([]error, httpBenchClients)
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < httpBenchClients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lats[i], errs[i] = httpBenchClient(addr, tokens[i], u, i, deadline, &settled, &rejected)
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for i := range lats {
		if errs[i] != nil {
			return fmt.Errorf("client %d: %w", i, errs[i])
		}
		all = append(all, lats[i]...)
	}
	rep.HTTPPaymentsPerS = float64(settled.Load()) / elapsed.Seconds()
	rep.HTTPP99Ms = float64(percentile(all, 0.99).Microseconds()) / 1000
	rep.HTTPPayments, rep.HTTPRejected = settled.Load(), rejected.Load()
	rep.HTTPP50Ms = float64(percentile(all, 0.50).Microseconds()) / 1000
	if m, err := scrape(c.URL + "/metrics"); err == nil {
		fmt.Fprintf(o.stderr, "bench: http: node side: commit (propose to result) mean %.2f ms; %.0f commands per log entry\n",
			1000*m["mutua_commit_latency_seconds_sum"]/m["mutua_commit_latency_seconds_count"],
			m["mutua_node_commands_applied_total"]/m["mutua_node_entries_applied_total"])
	}
	return c.Stop()
}

// httpBenchClient sends payments from bank i until deadline and returns
// each one's latency.
func httpBenchClient(addr, token string, u *sim.Union, i int, deadline time.Time, settled, rejected *atomic.Int64) ([]time.Duration, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rd := bufio.NewReaderSize(conn, 4096)
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	payer := u.Banks[i]
	var req, body []byte
	lat := make([]time.Duration, 0, 1<<16)
	for seq := 0; time.Now().Before(deadline); seq++ {
		payee := u.Banks[rng.IntN(len(u.Banks))]
		if payee == payer {
			continue
		}
		cur := u.Currencies[rng.IntN(len(u.Currencies))]
		amount := money.FormatAmount(uint64(1+rng.Int64N(100_000)), 2)
		body = append(body[:0], `{"payee":"`...)
		body = append(body, payee...)
		body = append(body, `","currency":"`...)
		body = append(body, cur...)
		body = append(body, `","amount":"`...)
		body = append(body, amount...)
		body = append(body, `","remittance":"INV `...)
		body = strconv.AppendInt(body, int64(seq), 10)
		body = append(body, `"}`...)
		req = append(req[:0], "POST /v1/payments HTTP/1.1\r\nHost: "...)
		req = append(req, addr...)
		req = append(req, "\r\nAuthorization: Bearer "...)
		req = append(req, token...)
		req = append(req, "\r\nIdempotency-Key: b"...)
		req = strconv.AppendInt(req, int64(i), 10)
		req = append(req, '-')
		req = strconv.AppendInt(req, int64(seq), 10)
		req = append(req, "\r\nContent-Type: application/json\r\nContent-Length: "...)
		req = strconv.AppendInt(req, int64(len(body)), 10)
		req = append(req, "\r\n\r\n"...)
		req = append(req, body...)
		t0 := time.Now()
		if _, err := conn.Write(req); err != nil {
			return nil, err
		}
		status, err := readHTTPResponse(rd)
		if err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t0))
		switch {
		case status == 201:
			settled.Add(1)
		case status >= 500:
			return nil, fmt.Errorf("POST /v1/payments: status %d", status)
		default:
			rejected.Add(1)
		}
	}
	return lat, nil
}

// scrape reads the unlabelled samples of a Prometheus text exposition.
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, found := strings.Cut(sc.Text(), " ")
		if !found || strings.ContainsAny(name, "{#") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out, sc.Err()
}

// readHTTPResponse reads one HTTP/1.1 response with a Content-Length body
// and returns its status.
func readHTTPResponse(rd *bufio.Reader) (int, error) {
	line, err := rd.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, errors.New("bad status line")
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, err
	}
	length := -1
	for {
		line, err := rd.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 {
			break
		}
		if k, v, found := bytes.Cut(line, []byte(":")); found && bytes.EqualFold(k, []byte("Content-Length")) {
			length, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				return 0, err
			}
		}
	}
	if length < 0 {
		return 0, errors.New("response without Content-Length")
	}
	if _, err := rd.Discard(length); err != nil {
		return 0, err
	}
	return status, nil
}
