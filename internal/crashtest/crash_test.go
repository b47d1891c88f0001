package crashtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/sim"
)

var (
	cycles = flag.Int("crash.cycles", 20, "kill -9 / restart cycles")
	seed   = flag.Uint64("crash.seed", 0, "random seed (0 = from the clock; printed on failure)")
)

// buildBinary builds cmd/mutua into dir, the way the README says to.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "mutua")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/mutua")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type server struct {
	cmd   *exec.Cmd
	url   string
	token string
	done  chan struct{}
}

func start(t *testing.T, bin, data string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{url: "http://" + addr, done: make(chan struct{})}
	// Frequent snapshots, so that kills land before, during and after them.
	s.cmd = exec.Command(bin, "serve", "--data", data, "--listen", addr, "--log-level", "warn", "--snapshot-entries", "16")
	var stderr bytes.Buffer
	s.cmd.Stderr = &stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			t.Fatalf("mutua serve exited before ready: %s", stderr.String())
		default:
		}
		if resp, err := http.Get(s.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mutua serve not ready: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	tok, err := os.ReadFile(filepath.Join(data, daemon.OperatorTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	s.token = strings.TrimSpace(string(tok))
	return s
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// send posts a batch; an error means the batch was not acknowledged.
func (s *server) send(ctx context.Context, cmds [][]byte) ([]httpapi.BatchResult, error) {
	return httpapi.PostBatch(ctx, http.DefaultClient, s.url, s.token, cmds)
}

// acked is a payment the node acknowledged as settled.
type acked struct {
	cmd     *engine.Command
	raw     []byte
	payment uint64
}

func TestKillNineUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	s0 := *seed
	if s0 == 0 {
		s0 = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -crash.seed=%d)", s0, s0)
	rng := rand.New(rand.NewPCG(s0, 1))
	tmp := t.TempDir()
	bin := buildBinary(t, tmp)
	data := filepath.Join(tmp, "data")

	u := sim.NewUnion(20, "INR", "CNY")
	srv := start(t, bin, data)
	var setup [][]byte
	for _, c := range u.Setup(1 << 40) {
		setup = append(setup, c.Encode())
	}
	if rs, err := srv.send(context.Background(), setup); err != nil {
		t.Fatal(err)
	} else {
		for i, r := range rs {
			if r.Reason != engine.OK {
				t.Fatalf("setup %d: %s", i, r.Reason)
			}
		}
	}

	var mu sync.Mutex
	var all []acked
	for cycle := 0; cycle < *cycles; cycle++ {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				tr := sim.NewTraffic(u, s0+uint64(cycle*10+w), fmt.Sprintf("c%d-w%d", cycle, w))
				for ctx.Err() == nil {
					n := 1 + w*50
					cmds := make([]*engine.Command, n)
					raw := make([][]byte, n)
					for i := range cmds {
						cmds[i] = tr.Next(1000)
						raw[i] = cmds[i].Encode()
					}
					rs, err := srv.send(ctx, raw)
					if err != nil {
						return // not acknowledged: the node died mid-request
					}
					mu.Lock()
					for i, r := range rs {
						if r.Reason != engine.OK || r.Status != engine.StatusSettled {
							t.Errorf("payment %s rejected: %s", cmds[i].Key, r.Reason)
							continue
						}
						all = append(all, acked{cmds[i], raw[i], r.Payment})
					}
					mu.Unlock()
				}
			}(w)
		}
		time.Sleep(time.Duration(20+rng.IntN(300)) * time.Millisecond)
		srv.kill()
		cancel()
		wg.Wait()
		srv = start(t, bin, data)
	}

	// Every acknowledged payment is there once: resubmitting it (as a
	// client that never saw the answer would) returns the same payment as
	// a duplicate and moves no money.
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d cycles, %d acknowledged payments", *cycles, len(all))
	if len(all) == 0 {
		t.Fatal("no payment was acknowledged")
	}
	for start := 0; start < len(all); start += httpapi.BatchCommandsMax {
		part := all[start:min(start+httpapi.BatchCommandsMax, len(all))]
		raw := make([][]byte, len(part))
		for i, a := range part {
			raw[i] = a.raw
		}
		rs, err := srv.send(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			if !r.Duplicate || r.Payment != part[i].payment {
				t.Fatalf("acknowledged payment %s (id %d) resubmitted: got %+v; want a duplicate of %d", part[i].cmd.Key, part[i].payment, r, part[i].payment)
			}
		}
	}
	srv.kill()

	// The data directory verifies: checksums, digest, conservation.
	rep, err := daemon.Verify(data)
	if err != nil {
		t.Fatalf("verify after %d kills: %v", *cycles, err)
	}
	for _, c := range rep.Currencies {
		if !c.Balanced {
			t.Errorf("currency %s not balanced: %+v", c.Code, c)
		}
	}

	// And the settled history holds each acknowledged payment exactly once,
	// under its key and its UETR.
	d, err := daemon.Open(daemon.Config{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Node().WaitRecorded(context.Background(), d.Node().Status().Applied); err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		byKey, found, err := d.History().PaymentByKey(a.cmd.Participant, a.cmd.Key)
		if err != nil || !found {
			t.Fatalf("acknowledged payment %s missing from history (err %v)", a.cmd.Key, err)
		}
		byUETR, found, err := d.History().PaymentByUETR(a.cmd.UETR)
		if err != nil || !found || byUETR.ID != byKey.ID || byKey.ID != a.payment {
			t.Fatalf("payment %s: by key %d, by UETR %d (found %v), acknowledged as %d", a.cmd.Key, byKey.ID, byUETR.ID, found, a.payment)
		}
		if byKey.Status != engine.StatusSettled || byKey.Command.Amount != a.cmd.Amount {
			t.Fatalf("payment %s recorded as %s %d; want settled %d", a.cmd.Key, byKey.Status, byKey.Command.Amount, a.cmd.Amount)
		}
	}
}
