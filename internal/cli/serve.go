package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/httpapi"
)

func init() {
	register("serve", "run a node: settle payments from the API, durably, in --data DIR", runServe)
	register("verify", "check a data directory: log and snapshot integrity, digest, conservation", runVerify)
}

// DefaultListen is where serve listens unless told otherwise.
const DefaultListen = "127.0.0.1:7420"

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", "", "data directory (created if missing)")
	listen := fs.String("listen", DefaultListen, "address to serve HTTP on")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	snapEvery := fs.Uint64("snapshot-entries", 0, "snapshot the state and compact the log every N log entries (0 = the node's default)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file until the node stops")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: mutua serve --data DIR [--listen ADDR]")
		fmt.Fprintln(stderr, "\nRuns a single-node Mutua: commands are committed to a raft log in DIR and")
		fmt.Fprintln(stderr, "acknowledged only once synced and applied. On first start it writes an")
		fmt.Fprintln(stderr, "operator token to DIR/"+daemon.OperatorTokenFile+".")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "mutua serve: --data DIR is required")
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "mutua serve: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "mutua serve: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "mutua serve: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if err := serve(ctx, *dir, *listen, *snapEvery, log, stdout); err != nil {
		fmt.Fprintf(stderr, "mutua serve: %v\n", err)
		return 1
	}
	return 0
}

// serve runs a node until ctx ends.
func serve(ctx context.Context, dir, listen string, snapEvery uint64, log *slog.Logger, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	start := time.Now()
	d, err := daemon.Open(daemon.Config{Dir: dir, Logger: log, SnapshotEntries: snapEvery})
	if err != nil {
		return err
	}
	defer d.Close()
	st := d.Node().Status()
	log.Info("node ready", "dir", dir, "applied", st.Applied, "snapshot", st.SnapshotIndex, "ready_after", time.Since(start).String())
	tokenFile, err := d.Bootstrap(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := httpapi.New(d, log).HTTPServer(listen)
	fmt.Fprintf(stdout, "mutua: serving on http://%s (data %s)\n", ln.Addr(), dir)
	if tokenFile != "" {
		fmt.Fprintf(stdout, "mutua: operator token written to %s\n", tokenFile)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", "", "data directory to check, read-only (stop its node first, or verify a copy)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "mutua verify: --data DIR is required")
		return 2
	}
	rep, err := daemon.Verify(*dir)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) {
		fmt.Fprintf(stderr, "mutua verify: %s is locked by a running node; stop it first or verify a copy\n", *dir)
		return 1
	}
	if err != nil && rep.Entries == 0 && rep.SnapshotIndex == 0 {
		fmt.Fprintf(stdout, "FAILED: %v\n", err)
		return 1
	}
	r := rep.Report
	fmt.Fprintf(stdout, "log: entries %d..%d checked (%d entries, %d with commands, %d commands), checksums ok\n",
		r.FirstIndex, r.LastIndex, r.Entries, r.CommandEntries, r.Commands)
	if r.SnapshotIndex > 0 {
		fmt.Fprintf(stdout, "snapshot: index %d, %d bytes, checksum ok, digest %x matches the restored state\n", r.SnapshotIndex, r.SnapshotBytes, r.SnapshotDigest[:8])
	} else {
		fmt.Fprintln(stdout, "snapshot: none yet (whole log replayed)")
	}
	fmt.Fprintf(stdout, "raft: term %d, commit %d; history recorded through %d\n", r.Term, r.Commit, r.RecordedIndex)
	if err != nil {
		fmt.Fprintf(stdout, "FAILED: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "state: %d participants, %d accounts, %d payments; digest %x\n", rep.Participants, rep.Accounts, rep.Payments, r.Digest)
	for _, c := range rep.Currencies {
		mark := "balanced"
		if !c.Balanced {
			mark = "NOT BALANCED"
		}
		fmt.Fprintf(stdout, "conservation %s: debits %s = credits %s (%s); issued %s\n", c.Code, c.Debits, c.Credits, mark, c.Issued)
	}
	fmt.Fprintln(stdout, "invariants: ok (floors, reservations, issuance accounts, references)")
	fmt.Fprintln(stdout, "verify: ok")
	return 0
}
