package iso20022

// paymentReturn decodes PmtRtr (pacs.004).
func (p *parser) paymentReturn(n int32) *PaymentReturn {
	r := &PaymentReturn{}
	grpHdr := int32(-1)
	var s sums
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "GrpHdr":
			p.groupHeaderOnce(c, &grpHdr, &r.GrpHdr)
		case "OrgnlGrpInf":
			r.OrgnlGrpInf = p.originalGroup(c)
		case "TxInf":
			p.tx = len(r.Txs) + 1
			tx := p.returnTx(c)
			p.tx = 0
			r.Txs = append(r.Txs, tx)
			s.add(tx.RtrdIntrBkSttlmAmt)
		default:
			p.other(c, "PaymentReturnV")
		}
	}
	if grpHdr < 0 {
		p.missing(n, "GrpHdr", "")
		return r
	}
	p.checkTotals(grpHdr, &r.GrpHdr, &s, "TtlRtrdIntrBkSttlmAmt")
	i := 0
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.t.name(c) != "TxInf" {
			continue
		}
		tx := &r.Txs[i]
		i++
		p.tx = i
		if tx.OrgnlGrpInf == nil && r.OrgnlGrpInf == nil {
			p.missing(c, "OrgnlGrpInf", "")
		}
		p.txOrGroupAgent(c, "InstgAgt", tx.InstgAgt, r.GrpHdr.InstgAgt)
		p.txOrGroupAgent(c, "InstdAgt", tx.InstdAgt, r.GrpHdr.InstdAgt)
	}
	p.tx = 0
	return r
}

func (p *parser) returnTx(n int32) ReturnTx {
	var tx ReturnTx
	orig := tx.originalRefs()
	hasAmt := false
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.originalRef(&orig, c) {
			continue
		}
		switch p.t.name(c) {
		case "RtrId":
			p.str(&tx.RtrID, c, max35)
		case "RtrdIntrBkSttlmAmt":
			hasAmt = true
			p.amount(&tx.RtrdIntrBkSttlmAmt, c, true)
		case "IntrBkSttlmDt":
			p.date(&tx.IntrBkSttlmDt, c)
		case "SttlmPrty":
			p.enum(&tx.SttlmPrty, c, ReasonInvalidPmtTpInf, "URGT", "HIGH", "NORM")
		case "RtrdInstdAmt":
			var a Amount
			if p.amount(&a, c, true) {
				tx.RtrdInstdAmt = &a
			}
		case "ChrgBr":
			p.enum(&tx.ChrgBr, c, "", "DEBT", "CRED", "SHAR", "SLEV")
		case "ClrSysRef":
			p.str(&tx.ClrSysRef, c, max35)
		case "InstgAgt":
			tx.InstgAgt = p.agent(c, ReasonBankIdentifier)
		case "InstdAgt":
			tx.InstdAgt = p.agent(c, ReasonBankIdentifier)
		case "RtrRsnInf":
			tx.RtrRsnInf = append(tx.RtrRsnInf, p.reasonInfo(c))
		default:
			p.other(c, "PaymentTransaction")
		}
	}
	if !hasAmt {
		p.missing(n, "RtrdIntrBkSttlmAmt", ReasonInvalidAmount)
	}
	p.requireOriginal(n, &orig, "a return")
	if !hasReason(tx.RtrRsnInf) {
		p.missing(n, "RtrRsnInf/Rsn", ReasonRequiredMissing)
	}
	return tx
}

func hasReason(rs []ReasonInfo) bool {
	for _, r := range rs {
		if !r.Rsn.IsZero() {
			return true
		}
	}
	return false
}

// cancellationRequest decodes FIToFIPmtCxlReq (camt.056).
func (p *parser) cancellationRequest(n int32) *CancellationRequest {
	r := &CancellationRequest{}
	hasAssgnmt := false
	ctrl := int32(-1)
	var s sums
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Assgnmt":
			hasAssgnmt = true
			p.assignment(&r.Assgnmt, c)
		case "CtrlData":
			ctrl = c
			r.CtrlData = &ControlData{}
			var nb string
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "NbOfTxs":
					if p.numeric(&nb, k) {
						r.CtrlData.NbOfTxs = atoi(nb)
					}
				case "CtrlSum":
					p.decimal(&r.CtrlData.CtrlSum, k, 18, 17)
				default:
					p.other(k, "ControlData")
				}
			}
			if nb == "" && !p.hasChild(c, "NbOfTxs") {
				p.missing(c, "NbOfTxs", ReasonInvalidNumberOfTxs)
			}
		case "Undrlyg":
			var u UnderlyingCancellation
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "OrgnlGrpInfAndCxl":
					u.OrgnlGrpInfAndCxl = p.originalGroupCancellation(k)
				case "TxInf":
					p.tx = s.n + 1
					tx := p.cancellationTx(k)
					p.tx = 0
					u.TxInf = append(u.TxInf, tx)
					if tx.OrgnlIntrBkSttlmAmt != nil {
						s.add(*tx.OrgnlIntrBkSttlmAmt)
					} else {
						s.add(Amount{})
					}
				default:
					p.other(k, "UnderlyingTransaction")
				}
			}
			if u.OrgnlGrpInfAndCxl == nil && len(u.TxInf) == 0 {
				p.errAt(c, RuleRequired, ReasonRequiredMissing, "Undrlyg needs OrgnlGrpInfAndCxl or TxInf")
			}
			r.Undrlyg = append(r.Undrlyg, u)
		default:
			p.other(c, "FIToFIPaymentCancellationRequestV")
		}
	}
	if !hasAssgnmt {
		p.missing(n, "Assgnmt", "")
	}
	if len(r.Undrlyg) == 0 {
		p.missing(n, "Undrlyg", "")
	}
	if r.CtrlData != nil && p.hasChild(ctrl, "NbOfTxs") {
		if r.CtrlData.NbOfTxs != s.n {
			p.errAt(p.child(ctrl, "NbOfTxs"), RuleNbOfTxs, ReasonInvalidNumberOfTxs,
				"NbOfTxs is %d but the request has %d transactions", r.CtrlData.NbOfTxs, s.n)
		}
		if r.CtrlData.CtrlSum != "" && len(s.all) == s.n && !s.matchesCtrlSum(r.CtrlData.CtrlSum) {
			p.errAt(p.child(ctrl, "CtrlSum"), RuleCtrlSum, ReasonInvalidControlSum,
				"CtrlSum %s is not the sum of the original amounts", r.CtrlData.CtrlSum)
		}
	}
	return r
}

func atoi(s string) int {
	v, _ := digits(s)
	return v
}

func (p *parser) assignment(a *Assignment, n int32) {
	var fr, to bool
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Id":
			p.str(&a.ID, c, max35)
		case "Assgnr":
			fr = true
			a.Assgnr = p.partyChoice(c, "Pty", "Agt")
		case "Assgne":
			to = true
			a.Assgne = p.partyChoice(c, "Pty", "Agt")
		case "CreDtTm":
			p.dateTime(&a.CreDtTm, c)
		default:
			p.other(c, "CaseAssignment")
		}
	}
	if a.ID == "" && !p.hasChild(n, "Id") {
		p.missing(n, "Id", "")
	}
	if !fr {
		p.missing(n, "Assgnr", "")
	}
	if !to {
		p.missing(n, "Assgne", "")
	}
	if a.CreDtTm.IsZero() && !p.hasChild(n, "CreDtTm") {
		p.missing(n, "CreDtTm", "")
	}
}

func (p *parser) originalGroupCancellation(n int32) *OriginalGroupCancellation {
	g := &OriginalGroupCancellation{}
	var og OriginalGroup
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.originalGroupField(&og, c) {
			continue
		}
		switch p.t.name(c) {
		case "GrpCxlId":
			p.str(&g.GrpCxlID, c, max35)
		case "NbOfTxs":
			p.numeric(&g.NbOfTxs, c)
		case "CtrlSum":
			p.decimal(&g.CtrlSum, c, 18, 17)
		case "GrpCxl":
			p.boolean(&g.GrpCxl, c)
		case "CxlRsnInf":
			g.CxlRsnInf = append(g.CxlRsnInf, p.reasonInfo(c))
		default:
			p.other(c, "OriginalGroupHeader")
		}
	}
	p.requireOriginalGroup(n, &og)
	g.OrgnlMsgID, g.OrgnlMsgNmID, g.OrgnlCreDtTm = og.OrgnlMsgID, og.OrgnlMsgNmID, og.OrgnlCreDtTm
	return g
}

func (p *parser) cancellationTx(n int32) CancellationTx {
	var tx CancellationTx
	orig := tx.originalRefs()
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.originalRef(&orig, c) {
			continue
		}
		switch p.t.name(c) {
		case "CxlId":
			p.str(&tx.CxlID, c, max35)
		case "Assgnr":
			tx.Assgnr = p.agent(c, ReasonBankIdentifier)
		case "Assgne":
			tx.Assgne = p.agent(c, ReasonBankIdentifier)
		case "CxlRsnInf":
			tx.CxlRsnInf = append(tx.CxlRsnInf, p.reasonInfo(c))
		default:
			p.other(c, "PaymentTransaction")
		}
	}
	p.requireOriginal(n, &orig, "a cancellation")
	if !hasReason(tx.CxlRsnInf) {
		p.missing(n, "CxlRsnInf/Rsn", ReasonRequiredMissing)
	}
	return tx
}
