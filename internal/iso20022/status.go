package iso20022

import "time"

// statusReport decodes FIToFIPmtStsRpt (pacs.002).
func (p *parser) statusReport(n int32) *StatusReport {
	r := &StatusReport{}
	hasHdr := false
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "GrpHdr":
			hasHdr = true
			p.plainHeader(c, headerRefs{msgID: &r.MsgID, creDtTm: &r.CreDtTm, instgAgt: &r.InstgAgt, instdAgt: &r.InstdAgt})
		case "OrgnlGrpInfAndSts":
			r.OrgnlGrpInfAndSts = append(r.OrgnlGrpInfAndSts, p.originalGroupStatus(c))
		case "TxInfAndSts":
			p.tx = len(r.TxInfAndSts) + 1
			r.TxInfAndSts = append(r.TxInfAndSts, p.txStatus(c))
			p.tx = 0
		default:
			p.other(c, "FIToFIPaymentStatusReportV")
		}
	}
	if !hasHdr {
		p.missing(n, "GrpHdr", "")
	}
	return r
}

func (p *parser) status(dst *Status, n int32) {
	var s string
	p.extCode(&s, n, max4, ReasonElementContent)
	*dst = Status(s)
}

func (p *parser) originalGroupStatus(n int32) OriginalGroupStatus {
	var g OriginalGroupStatus
	var og OriginalGroup
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.originalGroupField(&og, c) {
			continue
		}
		switch p.t.name(c) {
		case "OrgnlNbOfTxs":
			p.numeric(&g.OrgnlNbOfTxs, c)
		case "OrgnlCtrlSum":
			p.decimal(&g.OrgnlCtrlSum, c, 18, 17)
		case "GrpSts":
			p.status(&g.GrpSts, c)
		case "StsRsnInf":
			g.StsRsnInf = append(g.StsRsnInf, p.reasonInfo(c))
		case "NbOfTxsPerSts":
			var sc StatusCount
			var nb string
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "DtldNbOfTxs":
					if p.numeric(&nb, k) {
						sc.DtldNbOfTxs = atoi(nb)
					}
				case "DtldSts":
					p.status(&sc.DtldSts, k)
				case "DtldCtrlSum":
					p.decimal(&sc.DtldCtrlSum, k, 18, 17)
				default:
					p.other(k, "NumberOfTransactionsPerStatus")
				}
			}
			if nb == "" {
				p.missing(c, "DtldNbOfTxs", "")
			}
			if sc.DtldSts == "" {
				p.missing(c, "DtldSts", "")
			}
			g.NbOfTxsPerSts = append(g.NbOfTxsPerSts, sc)
		default:
			p.other(c, "OriginalGroupHeader")
		}
	}
	p.requireOriginalGroup(n, &og)
	g.OrgnlMsgID, g.OrgnlMsgNmID, g.OrgnlCreDtTm = og.OrgnlMsgID, og.OrgnlMsgNmID, og.OrgnlCreDtTm
	if g.GrpSts == StatusRejected && !hasReason(g.StsRsnInf) {
		p.missing(n, "StsRsnInf/Rsn", "")
	}
	return g
}

func (p *parser) txStatus(n int32) TxStatus {
	var t TxStatus
	orig := t.originalRefs()
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.originalRef(&orig, c) {
			continue
		}
		switch p.t.name(c) {
		case "StsId":
			p.str(&t.StsID, c, max35)
		case "TxSts":
			p.status(&t.TxSts, c)
		case "StsRsnInf":
			t.StsRsnInf = append(t.StsRsnInf, p.reasonInfo(c))
		case "AccptncDtTm":
			p.dateTime(&t.AccptncDtTm, c)
		case "FctvIntrBkSttlmDt":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "Dt":
					p.date(&t.FctvIntrBkSttlmDt, k)
				case "DtTm":
					var tm time.Time
					p.dateTime(&tm, k)
					if !tm.IsZero() {
						t.FctvIntrBkSttlmDt = DateOf(tm)
					}
				}
			}
		case "AcctSvcrRef":
			p.str(&t.AcctSvcrRef, c, max35)
		case "ClrSysRef":
			p.str(&t.ClrSysRef, c, max35)
		case "InstgAgt":
			t.InstgAgt = p.agent(c, ReasonBankIdentifier)
		case "InstdAgt":
			t.InstdAgt = p.agent(c, ReasonBankIdentifier)
		default:
			p.other(c, "PaymentTransaction")
		}
	}
	if t.TxSts == StatusRejected && !hasReason(t.StsRsnInf) {
		p.missing(n, "StsRsnInf/Rsn", "")
	}
	return t
}
