package crashtest

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/serveproc"
	"github.com/mutua-org/mutua/internal/sim"
)

var (
	cycles = flag.Int("crash.cycles", 20, "kill -9 / restart cycles")
	seed   = flag.Uint64("crash.seed", 0, "random seed (0 = from the clock; printed on failure)")
)

// start runs a node on data with frequent snapshots, so that kills land
// before, during and after them.
func start(t *testing.T, bin, data string) *serveproc.Server {
	t.Helper()
	srv, err := serveproc.Start(bin, data, nil, "--log-level", "warn", "--snapshot-entries", "16")
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// send posts a batch; an error means the batch was not acknowledged.
func send(ctx context.Context, srv *serveproc.Server, cmds [][]byte) ([]httpapi.BatchResult, error) {
	return httpapi.PostBatch(ctx, http.DefaultClient, srv.URL, srv.Token, cmds)
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
	bin, err := serveproc.Build(tmp)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "data")

	u := sim.NewUnion(20, "INR", "CNY")
	srv := start(t, bin, data)
	var setup [][]byte
	for _, c := range u.Setup(1 << 40) {
		setup = append(setup, c.Encode())
	}
	if rs, err := send(context.Background(), srv, setup); err != nil {
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
					rs, err := send(ctx, srv, raw)
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
		srv.Kill()
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
		rs, err := send(context.Background(), srv, raw)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			if !r.Duplicate || r.Payment != part[i].payment {
				t.Fatalf("acknowledged payment %s (id %d) resubmitted: got %+v; want a duplicate of %d", part[i].cmd.Key, part[i].payment, r, part[i].payment)
			}
		}
	}
	srv.Kill()

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
