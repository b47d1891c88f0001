package node

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A frame is the payload of one command log entry: the commands of one or
// more client batches, contiguous and in arrival order, behind a fixed header.
// Commands are length-prefixed rather than individually encoded so that
// framing costs one copy and no allocation per command.
//
//	format:1 | proposer:8 | proposal:8 | unixNano:8 | count:uvarint |
//	count × (len:uvarint | command)
//
// proposer and proposal identify the node that proposed the entry and its
// local sequence number, so that only that node answers the waiting clients.
// unixNano is the entry's log-assigned time.
const (
	frameFormat    = 1
	frameHeaderLen = 1 + 8 + 8 + 8
)

// frameHeader is the fixed part of a frame.
type frameHeader struct {
	Proposer uint64
	Proposal uint64
	UnixNano int64
	Count    int
}

// appendFrameHeader appends a frame header for count commands to dst.
func appendFrameHeader(dst []byte, h frameHeader) []byte {
	dst = append(dst, frameFormat)
	dst = binary.LittleEndian.AppendUint64(dst, h.Proposer)
	dst = binary.LittleEndian.AppendUint64(dst, h.Proposal)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.UnixNano))
	return binary.AppendUvarint(dst, uint64(h.Count))
}

// appendCommand appends one length-prefixed command to a frame.
func appendCommand(dst, cmd []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(cmd)))
	return append(dst, cmd...)
}

var errFrame = errors.New("malformed command frame")

// decodeFrameHeader decodes the header of a frame and returns the offset of
// the first command.
func decodeFrameHeader(data []byte) (frameHeader, int, error) {
	var h frameHeader
	if len(data) < frameHeaderLen+1 {
		return h, 0, fmt.Errorf("%w: %d bytes", errFrame, len(data))
	}
	if data[0] != frameFormat {
		return h, 0, fmt.Errorf("%w: unknown format %d", errFrame, data[0])
	}
	h.Proposer = binary.LittleEndian.Uint64(data[1:])
	h.Proposal = binary.LittleEndian.Uint64(data[9:])
	h.UnixNano = int64(binary.LittleEndian.Uint64(data[17:]))
	count, n := binary.Uvarint(data[frameHeaderLen:])
	if n <= 0 || count > commandsPerEntryLimit {
		return h, 0, fmt.Errorf("%w: bad command count", errFrame)
	}
	h.Count = int(count)
	return h, frameHeaderLen + n, nil
}

// decodeFrame decodes a frame. The commands alias data; cmds is reused if it
// has the capacity.
func decodeFrame(data []byte, cmds [][]byte) (frameHeader, [][]byte, error) {
	h, off, err := decodeFrameHeader(data)
	if err != nil {
		return h, nil, err
	}
	// Every command takes at least its one-byte length prefix; checking this
	// first bounds the allocation by the frame's real size.
	if h.Count > len(data)-off {
		return h, nil, fmt.Errorf("%w: %d commands in %d bytes", errFrame, h.Count, len(data)-off)
	}
	if cap(cmds) < h.Count {
		cmds = make([][]byte, h.Count)
	}
	cmds = cmds[:h.Count]
	for i := range cmds {
		l, n := binary.Uvarint(data[off:])
		if n <= 0 || l > uint64(len(data)-off-n) {
			return h, nil, fmt.Errorf("%w: command %d: bad length", errFrame, i)
		}
		off += n
		cmds[i] = data[off : off+int(l) : off+int(l)]
		off += int(l)
	}
	if off != len(data) {
		return h, nil, fmt.Errorf("%w: %d trailing bytes", errFrame, len(data)-off)
	}
	return h, cmds, nil
}
