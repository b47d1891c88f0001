package iso20022

import "strconv"

// NonRef stands for an original reference that is missing or unusable.
const NonRef = "NONREF"

// StatusReportFor starts the pacs.002 that answers an inbound message:
// the original group reference and, for a pacs.008, pacs.009 or pacs.004,
// one TxInfAndSts per transaction with its original references.
//
// Validation errors become statuses: if errs are fatal (or m is nil) the
// group is RJCT with one StsRsnInf per group-level error and no transaction
// is listed; otherwise each transaction with errors is RJCT with one
// StsRsnInf per error, and the group is RJCT only if every transaction is.
// The caller sets MsgID, CreDtTm and the agents, and the status of the
// transactions left without one (from the engine's result: ACSC, ACCP,
// PDNG or RJCT), then renders it with RenderStatusReport.
func StatusReportFor(m *Message, errs Errors) *StatusReport {
	g := OriginalGroupStatus{OrgnlMsgID: NonRef, OrgnlMsgNmID: NonRef}
	r := &StatusReport{}
	var refs []TxStatus
	if m != nil {
		g.OrgnlMsgNmID = string(m.Def)
		var h *GroupHeader
		switch {
		case m.CreditTransfer != nil:
			h = &m.CreditTransfer.GrpHdr
			for _, tx := range m.CreditTransfer.Txs {
				refs = append(refs, TxStatus{
					OrgnlInstrID:    ref(tx.PmtID.InstrID),
					OrgnlEndToEndID: ref(tx.PmtID.EndToEndID),
					OrgnlTxID:       ref(tx.PmtID.TxID),
					OrgnlUETR:       uetrRef(tx.PmtID.UETR),
				})
			}
		case m.PaymentReturn != nil:
			h = &m.PaymentReturn.GrpHdr
			for _, tx := range m.PaymentReturn.Txs {
				refs = append(refs, TxStatus{OrgnlTxID: ref(tx.RtrID), OrgnlEndToEndID: ref(tx.OrgnlEndToEndID), OrgnlUETR: uetrRef(tx.OrgnlUETR)})
			}
		case m.CancellationRequest != nil:
			g.OrgnlMsgID = orNonRef(ref(m.CancellationRequest.Assgnmt.ID))
			g.OrgnlCreDtTm = m.CancellationRequest.Assgnmt.CreDtTm
		}
		if h != nil {
			g.OrgnlMsgID = orNonRef(ref(h.MsgID))
			g.OrgnlCreDtTm = h.CreDtTm
			if h.NbOfTxs > 0 {
				g.OrgnlNbOfTxs = strconv.Itoa(h.NbOfTxs)
			}
			if validDecimal(h.CtrlSum, 18, 17) {
				g.OrgnlCtrlSum = h.CtrlSum
			}
		}
	}
	if m == nil || errs.Fatal() {
		g.GrpSts = StatusRejected
		for _, e := range errs {
			if e.Tx == 0 {
				g.StsRsnInf = append(g.StsRsnInf, e.ReasonInfo())
			}
		}
		if len(g.StsRsnInf) == 0 {
			g.StsRsnInf = []ReasonInfo{{Rsn: Code{Cd: string(ReasonInvalidFileFormat)}}}
		}
		r.OrgnlGrpInfAndSts = []OriginalGroupStatus{g}
		return r
	}
	rejected := 0
	for i := range refs {
		for _, e := range errs.ForTx(i + 1) {
			refs[i].TxSts = StatusRejected
			refs[i].StsRsnInf = append(refs[i].StsRsnInf, e.ReasonInfo())
		}
		if refs[i].TxSts == StatusRejected {
			rejected++
		}
	}
	if len(refs) > 0 && rejected == len(refs) {
		// A rejected group needs a reason of its own: the first one.
		g.GrpSts = StatusRejected
		g.StsRsnInf = refs[0].StsRsnInf[:1]
	}
	r.OrgnlGrpInfAndSts = []OriginalGroupStatus{g}
	r.TxInfAndSts = refs
	return r
}

// ref returns s if it is a usable Max35Text reference, else "".
func ref(s string) string {
	if s == "" || runeLen(s) > max35 {
		return ""
	}
	return s
}

func uetrRef(s string) string {
	if validUUIDv4(s) {
		return s
	}
	return ""
}

func orNonRef(s string) string {
	if s == "" {
		return NonRef
	}
	return s
}
