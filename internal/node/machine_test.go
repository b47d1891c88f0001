package node

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// counterMachine is the test double for Machine: a map from command bytes to
// the number of times the command was applied. Each command's result is its
// new count, so a client can tell exactly-once from at-least-once.
type counterMachine struct {
	counts   map[string]uint64
	index    uint64
	unixNano int64

	// Observations, not state.
	mu         sync.Mutex
	timeErrors []string
	applies    int
}

func newCounterMachine() *counterMachine {
	return &counterMachine{counts: make(map[string]uint64)}
}

func (m *counterMachine) Apply(index uint64, unixNano int64, cmds [][]byte) []any {
	m.mu.Lock()
	if unixNano <= m.unixNano {
		m.timeErrors = append(m.timeErrors, fmt.Sprintf("entry %d at %d after %d", index, unixNano, m.unixNano))
	}
	if index <= m.index {
		m.timeErrors = append(m.timeErrors, fmt.Sprintf("entry %d applied after %d", index, m.index))
	}
	m.applies++
	m.mu.Unlock()
	m.index, m.unixNano = index, unixNano
	results := make([]any, len(cmds))
	for i, c := range cmds {
		m.counts[string(c)]++
		results[i] = m.counts[string(c)]
	}
	return results
}

func (m *counterMachine) encode() []byte {
	keys := make([]string, 0, len(m.counts))
	for k := range m.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := binary.LittleEndian.AppendUint64(nil, m.index)
	b = binary.LittleEndian.AppendUint64(b, uint64(m.unixNano))
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.LittleEndian.AppendUint64(b, m.counts[k])
	}
	return b
}

func (m *counterMachine) Capture() func() []byte {
	data := m.encode()
	return func() []byte { return data }
}

func (m *counterMachine) Restore(index uint64, data []byte) error {
	if len(data) < 16 {
		return fmt.Errorf("short snapshot")
	}
	// The node may snapshot after entries without commands (a new
	// leader's no-op), so the machine's own index may be lower.
	if got := binary.LittleEndian.Uint64(data); got > index {
		return fmt.Errorf("snapshot of index %d restored as %d", got, index)
	}
	m.index = binary.LittleEndian.Uint64(data)
	m.unixNano = int64(binary.LittleEndian.Uint64(data[8:]))
	data = data[16:]
	n, k := binary.Uvarint(data)
	if k <= 0 {
		return fmt.Errorf("bad count")
	}
	data = data[k:]
	m.counts = make(map[string]uint64, n)
	for range n {
		l, k := binary.Uvarint(data)
		if k <= 0 || uint64(len(data)-k) < l+8 {
			return fmt.Errorf("bad key")
		}
		key := string(data[k : k+int(l)])
		data = data[k+int(l):]
		m.counts[key] = binary.LittleEndian.Uint64(data)
		data = data[8:]
	}
	if len(data) != 0 {
		return fmt.Errorf("%d trailing bytes", len(data))
	}
	return nil
}

func (m *counterMachine) Digest() [32]byte { return sha256.Sum256(m.encode()) }

func (*counterMachine) SnapshotDigest(data []byte) [32]byte { return sha256.Sum256(data) }

func (m *counterMachine) count(key string) uint64 { return m.counts[key] }

func (m *counterMachine) errors() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.timeErrors)
}

// nopMachine is the benchmark's machine: it only counts, so the benchmark
// measures the node.
type nopMachine struct {
	commands uint64
}

var nopResult any = true

func (m *nopMachine) Apply(index uint64, unixNano int64, cmds [][]byte) []any {
	m.commands += uint64(len(cmds))
	results := make([]any, len(cmds))
	for i := range results {
		results[i] = nopResult
	}
	return results
}

func (m *nopMachine) Capture() func() []byte {
	data := binary.LittleEndian.AppendUint64(nil, m.commands)
	return func() []byte { return data }
}

func (m *nopMachine) Restore(index uint64, data []byte) error {
	if len(data) != 8 {
		return fmt.Errorf("bad snapshot")
	}
	m.commands = binary.LittleEndian.Uint64(data)
	return nil
}

func (m *nopMachine) Digest() [32]byte {
	return sha256.Sum256(binary.LittleEndian.AppendUint64(nil, m.commands))
}

func (*nopMachine) SnapshotDigest(data []byte) [32]byte { return sha256.Sum256(data) }
