package screening

import (
	bicform "github.com/mutua-org/mutua/internal/bic"
	"regexp"
	"slices"
	"strings"
)

// Banks are named in payments by their BIC more often than by name, and the
// lists publish the BICs of the banks they name: OFAC as "SWIFT/BIC
// KDBKKPPY" in an entry's remarks, the UN as "SWIFT/BIC: KDBKKPPY" or
// "SWIFT: DCBKKPPY" in its comments. A BICIndex finds the entry of a BIC
// exactly; there is nothing fuzzy about an identifier.
//
// A BIC is matched on its first eight characters, the institution and its
// location: a listed head office holds every branch, and a listed branch
// holds the institution it belongs to. Failing closed is the point.

// Party is a party of a payment to screen that the payment does not keep
// as a field of its own: an agent an ISO 20022 message names, by name, BIC
// or both. Role says which ("intermediary_agent1", ...).
type Party struct {
	Role, Name, BIC string
}

// bicScore is the score of a BIC match: an identifier matches or not.
const bicScore = 1000

// bicInRemarks finds the BICs a list gives in an entry's free text.
var bicInRemarks = regexp.MustCompile(`SWIFT(?:/BIC)?:?\s+([A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b`)

// BICIndex maps the BICs the lists publish to their entries. Its matches
// score 1000 and explain themselves with one TokenMatch whose How is "bic".
type BICIndex struct {
	byBIC8 map[string][]Match // sorted by list version, then reference
}

// NewBICIndex indexes the BICs in the remarks of the versions' entries.
func NewBICIndex(versions ...*ListVersion) *BICIndex {
	x := &BICIndex{byBIC8: make(map[string][]Match)}
	for _, v := range versions {
		for i := range v.Entries {
			e := &v.Entries[i]
			bics := slices.Clone(e.BICs)
			for _, sm := range bicInRemarks.FindAllStringSubmatch(e.Remarks, -1) {
				bics = append(bics, sm[1])
			}
			for _, bic := range bics {
				primary := ""
				if len(e.Names) > 0 {
					primary = e.Names[0].Full
				}
				x.byBIC8[bic[:8]] = append(x.byBIC8[bic[:8]], Match{
					Reference:   e.Reference,
					ListedName:  primary + " (SWIFT/BIC " + bic + ")",
					PrimaryName: primary,
					Kind:        e.Kind,
					Regime:      e.Regime,
					ListVersion: v.ID,
					Score:       bicScore,
					Explanation: Explanation{Tokens: []TokenMatch{{Listed: bic, How: "bic", Similarity: bicScore}}, NameScore: bicScore},
				})
			}
		}
	}
	for k, ms := range x.byBIC8 {
		slices.SortFunc(ms, func(a, b Match) int {
			return strings.Compare(a.ListVersion+"\x00"+a.Reference, b.ListVersion+"\x00"+b.Reference)
		})
		x.byBIC8[k] = slices.CompactFunc(ms, func(a, b Match) bool {
			return a.ListVersion == b.ListVersion && a.Reference == b.Reference
		})
	}
	return x
}

// BICs returns how many distinct BICs (as BIC8) the index holds.
func (x *BICIndex) BICs() int { return len(x.byBIC8) }

// Screen returns the entries that publish bic (BIC8 or BIC11, any case),
// each scoring 1000; none for a string that is not a BIC.
func (x *BICIndex) Screen(bic string) []Match {
	bic = strings.ToUpper(strings.TrimSpace(bic))
	if !bicform.Valid(bic) {
		return nil
	}
	ms := x.byBIC8[bic[:8]]
	out := make([]Match, len(ms))
	for i, m := range ms {
		m.Explanation.Tokens = []TokenMatch{{Query: bic, Listed: m.Explanation.Tokens[0].Listed, How: "bic", Similarity: bicScore}}
		out[i] = m
	}
	return out
}
