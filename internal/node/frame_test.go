package node

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

func TestFrameRoundTrip(t *testing.T) {
	for _, cmds := range [][][]byte{
		{[]byte("")},
		{[]byte("a"), []byte(""), bytes.Repeat([]byte("x"), 300)},
		{bytes.Repeat([]byte("y"), 1<<16), []byte("z")},
	} {
		h := frameHeader{Proposer: 7, Proposal: 9, UnixNano: -5, Count: len(cmds)}
		size := 0
		for _, c := range cmds {
			size += uvarintLen(len(c)) + len(c)
		}
		data := appendFrameHeader(nil, h)
		for _, c := range cmds {
			data = appendCommand(data, c)
		}
		if want := frameHeaderLen + uvarintLen(len(cmds)) + size; len(data) != want {
			t.Errorf("frame of %d commands is %d bytes; sized as %d", len(cmds), len(data), want)
		}
		got, gotCmds, err := decodeFrame(data, nil)
		if err != nil {
			t.Fatalf("decodeFrame: %v", err)
		}
		if got != h || fmt.Sprint(gotCmds) != fmt.Sprint(cmds) {
			t.Errorf("decodeFrame = %+v %q; want %+v %q", got, gotCmds, h, cmds)
		}
	}
}

func TestUvarintLen(t *testing.T) {
	for _, x := range []int{0, 1, 127, 128, 16383, 16384, 1 << 30} {
		if got, want := uvarintLen(x), len(binary.AppendUvarint(nil, uint64(x))); got != want {
			t.Errorf("uvarintLen(%d) = %d; want %d", x, got, want)
		}
	}
}

// FuzzDecodeFrame checks that no input makes the frame decoder panic or
// return commands outside the input, and that what decodes re-encodes to the
// same bytes.
func FuzzDecodeFrame(f *testing.F) {
	f.Add(appendCommand(appendFrameHeader(nil, frameHeader{Count: 1}), []byte("cmd")))
	f.Add([]byte{frameFormat})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, cmds, err := decodeFrame(data, nil)
		if err != nil {
			return
		}
		again := appendFrameHeader(nil, h)
		for _, c := range cmds {
			again = appendCommand(again, c)
		}
		if !bytes.Equal(again, data) {
			// Non-minimal uvarints decode but do not re-encode identically;
			// the decoded content must still be the same.
			h2, cmds2, err := decodeFrame(again, nil)
			if err != nil || h2 != h || fmt.Sprint(cmds2) != fmt.Sprint(cmds) {
				t.Errorf("re-encoded frame decodes to %+v %q (%v); want %+v %q", h2, cmds2, err, h, cmds)
			}
		}
	})
}

// FuzzDecodeRecords checks the stored-record decoders against arbitrary
// values: errors are fine, panics are not, and a value that passes must have
// carried a checksum that matches.
func FuzzDecodeRecords(f *testing.F) {
	e := &pb.Entry{Term: new(uint64(3)), Index: new(uint64(5)), Type: new(pb.EntryNormal), Data: []byte("data")}
	v := make([]byte, logHeaderLen+4)
	putLogEntry(v, logKey(5), e)
	f.Add(v)
	s, _ := encodeSnapshot(&snapshotMeta{Index: 5, Term: 3, Conf: &pb.ConfState{Voters: []uint64{1}}}, []byte("state"))
	f.Add(s)
	f.Fuzz(func(t *testing.T, value []byte) {
		_, _ = decodeLogEntry(logKey(5), value)
		_, _, _ = decodeSnapshot(snapKey(5), value)
		_, _ = decodeHardState(value)
		_, _ = decodeRecorded(value)
		_, _ = decodeConfState(value)
	})
}

// encodeSnapshot builds a stored snapshot record, as persistSnapshot
// writes it in place.
func encodeSnapshot(m *snapshotMeta, data []byte) ([]byte, error) {
	conf, err := proto.Marshal(m.Conf)
	if err != nil {
		return nil, err
	}
	v := make([]byte, snapshotLen(conf, data))
	putSnapshot(v, m, conf, data)
	return v, nil
}
