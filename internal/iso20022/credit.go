package iso20022

// creditTransfer decodes FIToFICstmrCdtTrf (pacs.008) or FICdtTrf (pacs.009).
func (p *parser) creditTransfer(n int32) *CreditTransfer {
	ct := &CreditTransfer{}
	fi := p.def.Kind() == "pacs.009"
	grpHdr := int32(-1)
	var s sums
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "GrpHdr":
			p.groupHeaderOnce(c, &grpHdr, &ct.GrpHdr)
		case "CdtTrfTxInf":
			p.tx = len(ct.Txs) + 1
			tx := p.creditTransferTx(c, fi)
			p.tx = 0
			ct.Txs = append(ct.Txs, tx)
			s.add(tx.IntrBkSttlmAmt)
		default:
			p.other(c, "FIToFICustomerCreditTransferV|FinancialInstitutionCreditTransferV")
		}
	}
	if grpHdr < 0 {
		p.missing(n, "GrpHdr", "")
		return ct
	}
	if len(ct.Txs) == 0 {
		p.missing(n, "CdtTrfTxInf", ReasonInvalidNumberOfTxs)
	}
	p.checkTotals(grpHdr, &ct.GrpHdr, &s, "TtlIntrBkSttlmAmt")
	p.checkCreditTransfer(n, ct)
	return ct
}

// checkCreditTransfer applies the rules that span transactions: agents
// present at group or transaction level, and no reference used twice.
func (p *parser) checkCreditTransfer(n int32, ct *CreditTransfer) {
	h := &ct.GrpHdr
	var uetrs, txIDs map[string]int
	if len(ct.Txs) > 1 {
		uetrs = make(map[string]int, len(ct.Txs))
		txIDs = make(map[string]int, len(ct.Txs))
	}
	i := 0
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.t.name(c) != "CdtTrfTxInf" {
			continue
		}
		tx := &ct.Txs[i]
		i++
		p.tx = i
		if a := p.txOrGroupAgent(c, "InstgAgt", tx.InstgAgt, h.InstgAgt); a != nil && a.BICFI == "" {
			p.errAt(c, RuleAgent, ReasonBankIdentifier, "InstgAgt must be identified by BICFI")
		}
		if a := p.txOrGroupAgent(c, "InstdAgt", tx.InstdAgt, h.InstdAgt); a != nil && a.BICFI == "" {
			p.errAt(c, RuleAgent, ReasonBankIdentifier, "InstdAgt must be identified by BICFI")
		}
		if h.SttlmInf.SttlmMtd == "COVE" && p.def.Kind() == "pacs.009" {
			p.errAt(c, RuleConsistency, ReasonElementContent, "a pacs.009 cannot itself be settled by cover (SttlmMtd COVE)")
		}
		if uetrs != nil {
			if u := tx.PmtID.UETR; u != "" {
				if j, dup := uetrs[u]; dup {
					p.errAt(p.child(c, "PmtId"), RuleDuplicate, ReasonDuplication, "UETR %s is also used by transaction %d", u, j)
				} else {
					uetrs[u] = i
				}
			}
			if id := tx.PmtID.TxID; id != "" {
				if j, dup := txIDs[id]; dup {
					p.errAt(p.child(c, "PmtId"), RuleDuplicate, ReasonDuplicateTransaction, "TxId %s is also used by transaction %d", id, j)
				} else {
					txIDs[id] = i
				}
			}
		}
	}
	p.tx = 0
}

// txOrGroupAgent returns the agent name (InstgAgt or InstdAgt) that
// applies to transaction c: its own, else the group header's. A
// transaction must have one or the other; when neither is there it is
// reported and the result is nil.
func (p *parser) txOrGroupAgent(c int32, name string, tx, grp *Agent) *Agent {
	switch {
	case tx != nil:
		return tx
	case grp != nil:
		return grp
	}
	p.errAt(c, RuleAgent, ReasonBankIdentifier, "%s is required, in the transaction or the group header", name)
	return nil
}

func (p *parser) paymentID(id *PaymentID, n int32) {
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "InstrId":
			p.str(&id.InstrID, c, max35)
		case "EndToEndId":
			p.str(&id.EndToEndID, c, max35)
		case "TxId":
			p.str(&id.TxID, c, max35)
		case "UETR":
			p.uetr(&id.UETR, c)
		case "ClrSysRef":
			p.str(&id.ClrSysRef, c, max35)
		default:
			p.other(c, "PaymentIdentification")
		}
	}
	if id.EndToEndID == "" && !p.hasChild(n, "EndToEndId") {
		p.missing(n, "EndToEndId", "")
	}
}

func (p *parser) instruction(n int32, codes ...string) Instruction {
	var in Instruction
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Cd":
			if len(codes) > 0 {
				p.enum(&in.Cd, c, "", codes...)
			} else {
				p.extCode(&in.Cd, c, max4, ReasonElementContent)
			}
		case "InstrInf":
			p.str(&in.InstrInf, c, max140)
		}
	}
	return in
}

// creditTransferTx decodes one CdtTrfTxInf; fi selects the pacs.009 shape.
func (p *parser) creditTransferTx(n int32, fi bool) CreditTransferTx {
	var tx CreditTransferTx
	var has struct{ pmtID, amt, chrgBr, dbtr, dbtrAgt, cdtrAgt, cdtr bool }
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "PmtId":
			has.pmtID = true
			p.paymentID(&tx.PmtID, c)
		case "PmtTpInf":
			tx.PmtTpInf = p.paymentType(c)
		case "IntrBkSttlmAmt":
			has.amt = true
			p.amount(&tx.IntrBkSttlmAmt, c, true)
		case "IntrBkSttlmDt":
			p.date(&tx.IntrBkSttlmDt, c)
		case "SttlmPrty":
			p.enum(&tx.SttlmPrty, c, ReasonInvalidPmtTpInf, "URGT", "HIGH", "NORM")
		case "InstdAmt", "XchgRate", "ChrgBr", "InitgPty":
			if fi {
				p.errAt(c, RuleUnexpected, ReasonElementNotAdmitted, "%s is not an element of a pacs.009 transaction", p.t.name(c))
				continue
			}
			switch p.t.name(c) {
			case "InstdAmt":
				var a Amount
				if p.amount(&a, c, true) {
					tx.InstdAmt = &a
				}
			case "XchgRate":
				p.decimal(&tx.XchgRate, c, 11, 10)
			case "ChrgBr":
				has.chrgBr = true
				p.enum(&tx.ChrgBr, c, "", "DEBT", "CRED", "SHAR", "SLEV")
			case "InitgPty":
				tx.InitgPty = p.party(c, ReasonInvalidPartyID)
			}
		case "InstgAgt":
			tx.InstgAgt = p.agent(c, ReasonBankIdentifier)
		case "InstdAgt":
			tx.InstdAgt = p.agent(c, ReasonBankIdentifier)
		case "IntrmyAgt1":
			tx.IntrmyAgt1 = p.agent(c, ReasonBankIdentifier)
		case "IntrmyAgt2":
			tx.IntrmyAgt2 = p.agent(c, ReasonBankIdentifier)
		case "IntrmyAgt3":
			tx.IntrmyAgt3 = p.agent(c, ReasonBankIdentifier)
		case "UltmtDbtr":
			if fi {
				tx.UltmtDbtrFI = p.agent(c, ReasonBankIdentifier)
			} else {
				tx.UltmtDbtr = p.party(c, ReasonInvalidPartyID)
			}
		case "Dbtr":
			has.dbtr = true
			if fi {
				tx.DbtrFI = p.agent(c, ReasonBankIdentifier)
			} else {
				tx.Dbtr = p.party(c, ReasonInvalidPartyID)
			}
		case "DbtrAcct":
			tx.DbtrAcct = p.account(c, ReasonInvalidDebtorAccount)
		case "DbtrAgt":
			has.dbtrAgt = true
			tx.DbtrAgt = p.agent(c, ReasonBankIdentifier)
		case "CdtrAgt":
			has.cdtrAgt = true
			tx.CdtrAgt = p.agent(c, ReasonBankIdentifier)
		case "Cdtr":
			has.cdtr = true
			if fi {
				tx.CdtrFI = p.agent(c, ReasonBankIdentifier)
			} else {
				tx.Cdtr = p.party(c, ReasonInvalidPartyID)
			}
		case "CdtrAcct":
			tx.CdtrAcct = p.account(c, ReasonInvalidCreditorAcct)
		case "UltmtCdtr":
			if fi {
				tx.UltmtCdtrFI = p.agent(c, ReasonBankIdentifier)
			} else {
				tx.UltmtCdtr = p.party(c, ReasonInvalidPartyID)
			}
		case "InstrForCdtrAgt":
			codes := []string(nil)
			switch {
			case fi && p.def.Version() == 8:
				codes = []string{"PHOB", "TELB"}
			case !fi && p.def.Version() == 8:
				codes = []string{"CHQB", "HOLD", "PHOB", "TELB"}
			}
			tx.InstrForCdtrAgt = append(tx.InstrForCdtrAgt, p.instruction(c, codes...))
		case "InstrForNxtAgt":
			codes := []string(nil)
			if p.def.Version() == 8 {
				codes = []string{"PHOA", "TELA"}
			}
			tx.InstrForNxtAgt = append(tx.InstrForNxtAgt, p.instruction(c, codes...))
		case "Purp":
			p.code(&tx.Purp, c, max4, max35, ReasonInvalidPurpose)
		case "RmtInf":
			tx.RmtInf = p.remittance(c)
			if fi && len(tx.RmtInf.Strd) > 0 {
				p.errAt(c, RuleVersion, ReasonElementNotAdmitted, "structured remittance is not part of %s", p.def)
			}
		case "UndrlygCstmrCdtTrf":
			if !fi {
				p.errAt(c, RuleVersion, ReasonElementNotAdmitted, "UndrlygCstmrCdtTrf is not part of %s", p.def)
				continue
			}
			tx.UndrlygCstmrCdtTrf = p.underlying(c)
		default:
			p.other(c, "CreditTransferTransaction")
		}
	}
	if !has.pmtID {
		p.missing(n, "PmtId", "")
	}
	if !has.amt {
		p.missing(n, "IntrBkSttlmAmt", ReasonInvalidAmount)
	}
	if !has.dbtr {
		p.missing(n, "Dbtr", ReasonMissingDebtorName)
	}
	if !has.cdtr {
		p.missing(n, "Cdtr", ReasonMissingCreditorName)
	}
	if !fi {
		if !has.chrgBr {
			p.missing(n, "ChrgBr", "")
		}
		if !has.dbtrAgt {
			p.missing(n, "DbtrAgt", ReasonBankIdentifier)
		}
		if !has.cdtrAgt {
			p.missing(n, "CdtrAgt", ReasonBankIdentifier)
		}
		// Screening needs names: CBPR+ and most market infrastructures
		// require them for customer credit transfers.
		p.requireName(n, "Dbtr", tx.Dbtr, ReasonMissingDebtorName)
		p.requireName(n, "Cdtr", tx.Cdtr, ReasonMissingCreditorName)
	}
	return tx
}

// underlying decodes the UndrlygCstmrCdtTrf of a pacs.009 COV.
func (p *parser) underlying(n int32) *UnderlyingCustomerCreditTransfer {
	u := &UnderlyingCustomerCreditTransfer{}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "PmtId":
			if p.def.Version() < 12 {
				p.errAt(c, RuleVersion, ReasonElementNotAdmitted, "UndrlygCstmrCdtTrf/PmtId is not part of %s", p.def)
			}
			u.PmtID = &PaymentID{}
			p.paymentID(u.PmtID, c)
		case "UltmtDbtr":
			u.UltmtDbtr = p.party(c, ReasonInvalidPartyID)
		case "InitgPty":
			u.InitgPty = p.party(c, ReasonInvalidPartyID)
		case "Dbtr":
			u.Dbtr = p.party(c, ReasonInvalidPartyID)
		case "DbtrAcct":
			u.DbtrAcct = p.account(c, ReasonInvalidDebtorAccount)
		case "DbtrAgt":
			u.DbtrAgt = p.agent(c, ReasonBankIdentifier)
		case "IntrmyAgt1":
			u.IntrmyAgt1 = p.agent(c, ReasonBankIdentifier)
		case "IntrmyAgt2":
			u.IntrmyAgt2 = p.agent(c, ReasonBankIdentifier)
		case "IntrmyAgt3":
			u.IntrmyAgt3 = p.agent(c, ReasonBankIdentifier)
		case "CdtrAgt":
			u.CdtrAgt = p.agent(c, ReasonBankIdentifier)
		case "Cdtr":
			u.Cdtr = p.party(c, ReasonInvalidPartyID)
		case "CdtrAcct":
			u.CdtrAcct = p.account(c, ReasonInvalidCreditorAcct)
		case "UltmtCdtr":
			u.UltmtCdtr = p.party(c, ReasonInvalidPartyID)
		case "RmtInf":
			u.RmtInf = p.remittance(c)
		case "InstdAmt":
			var a Amount
			if p.amount(&a, c, true) {
				u.InstdAmt = &a
			}
		default:
			p.other(c, "CreditTransferTransaction")
		}
	}
	if u.Dbtr == nil {
		p.missing(n, "Dbtr", ReasonMissingDebtorName)
	}
	p.requireName(n, "Dbtr", u.Dbtr, ReasonMissingDebtorName)
	if u.DbtrAgt == nil {
		p.missing(n, "DbtrAgt", ReasonBankIdentifier)
	}
	if u.CdtrAgt == nil {
		p.missing(n, "CdtrAgt", ReasonBankIdentifier)
	}
	if u.Cdtr == nil {
		p.missing(n, "Cdtr", ReasonMissingCreditorName)
	}
	p.requireName(n, "Cdtr", u.Cdtr, ReasonMissingCreditorName)
	return u
}

// requireName reports party role (Dbtr or Cdtr) of transaction n if it has
// no name: screening needs one.
func (p *parser) requireName(n int32, role string, pt *Party, reason Reason) {
	if pt != nil && pt.Nm == "" {
		p.errAt(p.child(n, role), RuleName, reason, "%s/Nm is required", role)
	}
}
