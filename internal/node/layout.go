package node

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// Key layout, version 1.
//
// The node shares one Pebble store with the history recorder. Every key the
// node owns starts with the byte 0x00 followed by "node/"; Config.Record must
// write only keys whose first byte is not 0x00. Integers inside keys are
// big-endian so that Pebble's byte order is index order; integers inside
// values are little-endian.
//
//	\x00node/v                 layout version: uint32 (currently 1)
//	\x00node/c                 initial ConfState (membership at bootstrap)
//	\x00node/h                 raft HardState
//	\x00node/r                 recorder applied index
//	\x00node/l<index:8>        raft log entry at index
//	\x00node/s<index:8>        machine snapshot taken at index
//
// Every value except the version starts with a CRC32C (Castagnoli) of
// everything after it, seeded with the 8-byte key suffix for indexed keys, so
// a value copied under the wrong index is detected as well as a flipped bit:
//
//	log entry:  crc:4 | term:8 | type:1 | data
//	hard state: crc:4 | term:8 | vote:8 | commit:8
//	recorder:   crc:4 | index:8
//	confstate:  crc:4 | protobuf raftpb.ConfState
//	snapshot:   crc:4 | format:1 | term:8 | unixNano:8 | digest:32 |
//	            confLen:4 | protobuf raftpb.ConfState | machine data
//
// Log entry data of type EntryNormal is either empty (the no-op a new leader
// appends) or a command frame; see encodeFrame.
//
// A new layout bumps layoutVersion; Open refuses a version it does not know
// (ErrVersion) rather than guess.
const layoutVersion = 1

var (
	keyPrefix     = []byte("\x00node/")
	keyVersion    = []byte("\x00node/v")
	keyConfState  = []byte("\x00node/c")
	keyHardState  = []byte("\x00node/h")
	keyRecorded   = []byte("\x00node/r")
	keyLogPrefix  = []byte("\x00node/l")
	keySnapPrefix = []byte("\x00node/s")
)

const (
	crcLen          = 4
	indexedKeyLen   = 7 + 8 // prefix plus big-endian index
	logHeaderLen    = crcLen + 8 + 1
	hardStateLen    = crcLen + 8 + 8 + 8
	recordedLen     = crcLen + 8
	snapFormat      = 1
	snapHeaderLen   = crcLen + 1 + 8 + 8 + 32 + 4
	snapConfLenMax  = 1 << 20 // decoding bound; a ConfState of thousands of members is far below it
	entryTypeNormal = byte(pb.EntryNormal)
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func indexedKey(prefix []byte, index uint64) []byte {
	k := make([]byte, indexedKeyLen)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[7:], index)
	return k
}

func logKey(index uint64) []byte  { return indexedKey(keyLogPrefix, index) }
func snapKey(index uint64) []byte { return indexedKey(keySnapPrefix, index) }

// keyIndex returns the index encoded in an indexed key with the given prefix.
func keyIndex(prefix, key []byte) (uint64, bool) {
	if len(key) != indexedKeyLen || string(key[:7]) != string(prefix) {
		return 0, false
	}
	return binary.BigEndian.Uint64(key[7:]), true
}

// checksum returns the CRC32C of body seeded with the key's index suffix (if
// any), which binds a value to the key it was written under.
func checksum(key, body []byte) uint32 {
	var seed uint32
	if len(key) == indexedKeyLen {
		seed = crc32.Update(0, castagnoli, key[7:])
	}
	return crc32.Update(seed, castagnoli, body)
}

// sealed fills in the leading checksum of a value whose body is already in place.
func seal(key, value []byte) {
	binary.LittleEndian.PutUint32(value, checksum(key, value[crcLen:]))
}

// verify checks a value's leading checksum.
func verify(key, value []byte) error {
	if len(value) < crcLen {
		return fmt.Errorf("%w: key %q: value of %d bytes is too short", ErrCorrupt, key, len(value))
	}
	got, want := checksum(key, value[crcLen:]), binary.LittleEndian.Uint32(value)
	if got != want {
		return fmt.Errorf("%w: key %q: crc32c %08x, want %08x", ErrCorrupt, key, got, want)
	}
	return nil
}

// putLogEntry writes entry e into dst, which must be logHeaderLen+len(data) long.
func putLogEntry(dst, key []byte, e *pb.Entry) {
	binary.LittleEndian.PutUint64(dst[crcLen:], e.GetTerm())
	dst[crcLen+8] = byte(e.GetType())
	copy(dst[logHeaderLen:], e.GetData())
	seal(key, dst)
}

// decodeLogEntry checks and decodes a stored log record. The returned entry's
// Data aliases value.
func decodeLogEntry(key, value []byte) (*pb.Entry, error) {
	index, ok := keyIndex(keyLogPrefix, key)
	if !ok {
		return nil, fmt.Errorf("%w: malformed log key %q", ErrCorrupt, key)
	}
	if len(value) < logHeaderLen {
		return nil, fmt.Errorf("%w: log entry %d (key %q): record of %d bytes is too short", ErrCorrupt, index, key, len(value))
	}
	if err := verify(key, value); err != nil {
		return nil, fmt.Errorf("log entry %d: %w", index, err)
	}
	typ := pb.EntryType(value[crcLen+8])
	if _, ok := pb.EntryType_name[int32(typ)]; !ok {
		return nil, fmt.Errorf("%w: log entry %d (key %q): unknown entry type %d", ErrCorrupt, index, key, typ)
	}
	return &pb.Entry{
		Term:  new(binary.LittleEndian.Uint64(value[crcLen:])),
		Index: new(index),
		Type:  new(typ),
		Data:  value[logHeaderLen:],
	}, nil
}

func encodeHardState(hs *pb.HardState) []byte {
	v := make([]byte, hardStateLen)
	binary.LittleEndian.PutUint64(v[crcLen:], hs.GetTerm())
	binary.LittleEndian.PutUint64(v[crcLen+8:], hs.GetVote())
	binary.LittleEndian.PutUint64(v[crcLen+16:], hs.GetCommit())
	seal(keyHardState, v)
	return v
}

func decodeHardState(v []byte) (*pb.HardState, error) {
	if len(v) != hardStateLen {
		return nil, fmt.Errorf("%w: hard state (key %q): %d bytes, want %d", ErrCorrupt, keyHardState, len(v), hardStateLen)
	}
	if err := verify(keyHardState, v); err != nil {
		return nil, fmt.Errorf("hard state: %w", err)
	}
	return &pb.HardState{
		Term:   new(binary.LittleEndian.Uint64(v[crcLen:])),
		Vote:   new(binary.LittleEndian.Uint64(v[crcLen+8:])),
		Commit: new(binary.LittleEndian.Uint64(v[crcLen+16:])),
	}, nil
}

func encodeRecorded(index uint64) []byte {
	v := make([]byte, recordedLen)
	binary.LittleEndian.PutUint64(v[crcLen:], index)
	seal(keyRecorded, v)
	return v
}

func decodeRecorded(v []byte) (uint64, error) {
	if len(v) != recordedLen {
		return 0, fmt.Errorf("%w: recorder index (key %q): %d bytes, want %d", ErrCorrupt, keyRecorded, len(v), recordedLen)
	}
	if err := verify(keyRecorded, v); err != nil {
		return 0, fmt.Errorf("recorder index: %w", err)
	}
	return binary.LittleEndian.Uint64(v[crcLen:]), nil
}

func encodeConfState(cs *pb.ConfState) ([]byte, error) {
	b, err := proto.Marshal(cs)
	if err != nil {
		return nil, err
	}
	v := make([]byte, crcLen+len(b))
	copy(v[crcLen:], b)
	seal(keyConfState, v)
	return v, nil
}

func decodeConfState(v []byte) (*pb.ConfState, error) {
	if err := verify(keyConfState, v); err != nil {
		return nil, fmt.Errorf("initial conf state: %w", err)
	}
	cs := &pb.ConfState{}
	if err := proto.Unmarshal(v[crcLen:], cs); err != nil {
		return nil, fmt.Errorf("%w: initial conf state (key %q): %v", ErrCorrupt, keyConfState, err)
	}
	return cs, nil
}

// snapshotMeta is what a stored snapshot says about itself.
type snapshotMeta struct {
	Index    uint64
	Term     uint64
	UnixNano int64 // time of the last command entry at or before Index
	Digest   [32]byte
	Conf     *pb.ConfState
}

// snapshotLen returns the size of a stored snapshot record.
func snapshotLen(conf, data []byte) int { return snapHeaderLen + len(conf) + len(data) }

// putSnapshot writes a snapshot record into dst, which must be
// snapshotLen(conf, data) long; conf is the marshalled ConfState.
func putSnapshot(dst []byte, m *snapshotMeta, conf, data []byte) {
	p := dst[crcLen:]
	p[0] = snapFormat
	binary.LittleEndian.PutUint64(p[1:], m.Term)
	binary.LittleEndian.PutUint64(p[9:], uint64(m.UnixNano))
	copy(p[17:49], m.Digest[:])
	binary.LittleEndian.PutUint32(p[49:], uint32(len(conf)))
	copy(dst[snapHeaderLen:], conf)
	copy(dst[snapHeaderLen+len(conf):], data)
	seal(snapKey(m.Index), dst)
}

// decodeSnapshot checks a stored snapshot record and returns its metadata and
// the machine data, which aliases value.
func decodeSnapshot(key, value []byte) (*snapshotMeta, []byte, error) {
	index, ok := keyIndex(keySnapPrefix, key)
	if !ok {
		return nil, nil, fmt.Errorf("%w: malformed snapshot key %q", ErrCorrupt, key)
	}
	if len(value) < snapHeaderLen {
		return nil, nil, fmt.Errorf("%w: snapshot %d (key %q): record of %d bytes is too short", ErrCorrupt, index, key, len(value))
	}
	if err := verify(key, value); err != nil {
		return nil, nil, fmt.Errorf("snapshot %d: %w", index, err)
	}
	p := value[crcLen:]
	if p[0] != snapFormat {
		return nil, nil, fmt.Errorf("%w: snapshot %d (key %q): unknown format %d", ErrCorrupt, index, key, p[0])
	}
	m := &snapshotMeta{
		Index:    index,
		Term:     binary.LittleEndian.Uint64(p[1:]),
		UnixNano: int64(binary.LittleEndian.Uint64(p[9:])),
	}
	copy(m.Digest[:], p[17:49])
	csLen := int(binary.LittleEndian.Uint32(p[49:]))
	if csLen > snapConfLenMax || snapHeaderLen+csLen > len(value) {
		return nil, nil, fmt.Errorf("%w: snapshot %d (key %q): conf state length %d out of range", ErrCorrupt, index, key, csLen)
	}
	m.Conf = &pb.ConfState{}
	if err := proto.Unmarshal(value[snapHeaderLen:snapHeaderLen+csLen], m.Conf); err != nil {
		return nil, nil, fmt.Errorf("%w: snapshot %d (key %q): conf state: %v", ErrCorrupt, index, key, err)
	}
	return m, value[snapHeaderLen+csLen:], nil
}
