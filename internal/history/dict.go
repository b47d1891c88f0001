package history

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// dict numbers the participant ids and currency codes that records name, so
// that a record spends a byte or two on each instead of the string. It only
// grows: a reference, once written, means the same string for good. Its
// size is bounded by the participants and currencies the engine accepted
// payments for, since only fields the engine validated go in.
type dict struct {
	mu     sync.RWMutex
	loaded bool
	err    error
	names  []string          // REQUIRES: mu
	refs   map[string]uint32 // REQUIRES: mu
}

// load reads the dictionary once.
func (d *dict) load(db *pebble.DB) error {
	d.mu.RLock()
	loaded, err := d.loaded, d.err
	d.mu.RUnlock()
	if loaded {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.loaded {
		return d.err
	}
	d.refs = make(map[string]uint32)
	d.err = d.read(db)
	d.loaded = true
	return d.err
}

// read loads the stored names. REQUIRES: mu held.
func (d *dict) read(db *pebble.DB) error {
	upper := []byte(prefixDict)
	upper[len(upper)-1]++
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixDict), UpperBound: upper})
	if err != nil {
		return err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		k := it.Key()
		if len(k) != len(prefixDict)+4 || binary.BigEndian.Uint32(k[len(prefixDict):]) != uint32(len(d.names)) {
			return fmt.Errorf("%w: dictionary key %x after %d names", ErrCorrupt, k, len(d.names))
		}
		s := string(it.Value())
		d.refs[s] = uint32(len(d.names))
		d.names = append(d.names, s)
	}
	return it.Error()
}

// lookup returns the reference of s.
func (d *dict) lookup(s string) (uint32, bool) {
	d.mu.RLock()
	ref, found := d.refs[s]
	d.mu.RUnlock()
	return ref, found
}

// recorded returns the reference of s for the recorder. It takes no lock:
// only the recorder changes the dictionary, so its own reads race with
// nothing.
func (d *dict) recorded(s string) (uint32, bool) {
	ref, found := d.refs[s]
	return ref, found
}

// add gives s the next reference. Only the recorder adds.
func (d *dict) add(s string) uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	ref := uint32(len(d.names))
	d.names = append(d.names, s)
	d.refs[s] = ref
	return ref
}

func (d *dict) name(ref uint64) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if ref >= uint64(len(d.names)) {
		return "", false
	}
	return d.names[ref], true
}
