package isomap

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
)

// FuzzMap maps arbitrary messages from every sender of the corpus: no
// panic, every transaction gets a status or a command, the commands are
// within the engine's field limits, and the pacs.002 renders (and so
// parses and validates) whatever the input.
func FuzzMap(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("..", "iso20022", "testdata", dir, "*.xml"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	dir := newFakeDir(corpusBICs...)
	dir.payments = []Original{
		{ID: 17, Kind: engine.KindPay, Status: engine.StatusSettled, Payer: "SBININBBXXX", Payee: "SABRRUMMXXX", Currency: "INR", Amount: 1250000050,
			EndToEndID: "TSE-INV-88231", UETR: mustUUID(f, "9fe0f849-8380-4d85-b6d2-59be0ddf8bdd")},
		{ID: 18, Kind: engine.KindPay, Status: engine.StatusHeld, Payer: "BKCHCNBJXXX", Payee: "BRASBRRJXXX", Currency: "CNY", Amount: 4825000000,
			EndToEndID: "SINO-PO-2026-0311", UETR: mustUUID(f, "be1a7c36-248a-4f5f-bbaa-9b8ff5cdffd5")},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, errs := iso20022.Parse(data)
		caller := "SBININBBXXX"
		if m != nil {
			for _, bic := range corpusBICs {
				if SameBIC(partyBIC(&iso20022.Party{FI: firstAgentOf(m)}), bic) {
					caller = bic
				}
			}
		}
		in, err := Map(m, errs, caller, dir, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if in.Cmds != nil && len(in.Cmds) != len(in.Report.TxInfAndSts) {
			t.Fatalf("%d commands for %d transactions", len(in.Cmds), len(in.Report.TxInfAndSts))
		}
		for i, st := range in.Report.TxInfAndSts {
			var c *engine.Command
			if in.Cmds != nil {
				c = in.Cmds[i]
			}
			if (c == nil) == (st.TxSts == "") {
				t.Fatalf("transaction %d: status %q and command %v: want exactly one", i+1, st.TxSts, c)
			}
			if c == nil {
				continue
			}
			if len(c.Key) > engine.KeyLenMax || utf8.RuneCountInString(c.EndToEndID) > engine.EndToEndLenMax {
				t.Fatalf("command over the engine's limits: %+v", c)
			}
			for _, s := range []string{c.DebtorName, c.CreditorName, c.UltimateDebtorName, c.UltimateCreditorName, c.Remittance} {
				if utf8.RuneCountInString(s) > engine.TextLenMax {
					t.Fatalf("text of %d characters: %q", utf8.RuneCountInString(s), s)
				}
			}
			in.SetResult(i, &engine.Result{Payment: uint64(i + 1), Status: engine.StatusSettled})
		}
		if _, err := iso20022.RenderStatusReport(in.Finish("MUTUA-FUZZ-1", testNow, caller)); err != nil {
			t.Fatalf("RenderStatusReport = %v", err)
		}
	})
}

// firstAgentOf returns the message's first instructing agent or assigner.
func firstAgentOf(m *iso20022.Message) *iso20022.Agent {
	switch {
	case m.CreditTransfer != nil && len(m.CreditTransfer.Txs) > 0:
		return firstAgent(m.CreditTransfer.Txs[0].InstgAgt, m.CreditTransfer.GrpHdr.InstgAgt)
	case m.PaymentReturn != nil && len(m.PaymentReturn.Txs) > 0:
		return firstAgent(m.PaymentReturn.Txs[0].InstgAgt, m.PaymentReturn.GrpHdr.InstgAgt)
	case m.CancellationRequest != nil:
		return m.CancellationRequest.Assgnmt.Assgnr.FI
	}
	return nil
}

func firstAgent(as ...*iso20022.Agent) *iso20022.Agent {
	for _, a := range as {
		if a != nil {
			return a
		}
	}
	return nil
}
