package node

import (
	"fmt"
	"log/slog"

	pb "go.etcd.io/raft/v3/raftpb"
)

// transport carries raft messages to the other members of the group. It is
// the seam a cluster fills in: a network implementation of Send, and a
// receive path that hands messages to RawNode.Step on the run goroutine.
// Send is called on the run goroutine after the Ready's entries are synced;
// it must not block on the network.
type transport interface {
	Send(msgs []*pb.Message)
}

// noTransport is the transport of a one-voter group, which has nobody to
// talk to: raft delivers a voter's messages to itself without a transport.
type noTransport struct{ log *slog.Logger }

func (t noTransport) Send(msgs []*pb.Message) {
	for _, m := range msgs {
		t.log.Warn("node: dropping raft message: no transport", "type", m.GetType().String(), "to", m.GetTo())
	}
}

// raftLogger routes raft's log through slog. Raft's info level is chatty
// (every election), so it is logged at debug.
type raftLogger struct{ l *slog.Logger }

func (r raftLogger) Debug(v ...any)                 { r.l.Debug("raft: " + fmt.Sprint(v...)) }
func (r raftLogger) Debugf(format string, v ...any) { r.l.Debug("raft: " + fmt.Sprintf(format, v...)) }
func (r raftLogger) Info(v ...any)                  { r.l.Debug("raft: " + fmt.Sprint(v...)) }
func (r raftLogger) Infof(format string, v ...any)  { r.l.Debug("raft: " + fmt.Sprintf(format, v...)) }
func (r raftLogger) Warning(v ...any)               { r.l.Warn("raft: " + fmt.Sprint(v...)) }
func (r raftLogger) Warningf(format string, v ...any) {
	r.l.Warn("raft: " + fmt.Sprintf(format, v...))
}
func (r raftLogger) Error(v ...any)                 { r.l.Error("raft: " + fmt.Sprint(v...)) }
func (r raftLogger) Errorf(format string, v ...any) { r.l.Error("raft: " + fmt.Sprintf(format, v...)) }
func (r raftLogger) Fatal(v ...any)                 { panic("raft: " + fmt.Sprint(v...)) }
func (r raftLogger) Fatalf(format string, v ...any) { panic("raft: " + fmt.Sprintf(format, v...)) }
func (r raftLogger) Panic(v ...any)                 { panic("raft: " + fmt.Sprint(v...)) }
func (r raftLogger) Panicf(format string, v ...any) { panic("raft: " + fmt.Sprintf(format, v...)) }
