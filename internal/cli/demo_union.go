package cli

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// The demo's clearing union and its trading day. Institutions, BICs and
// currencies are real-looking; the LEIs are made up but carry valid ISO 17442
// check digits, and the companies in the payments are fictional. Extend the
// day by adding to demoDay; a few payments name parties on the UN sanctions
// list and end up held for compliance review.

// demoParticipant is a member of the demo union.
type demoParticipant struct {
	ID      string
	Name    string
	Country string
	Roles   []string
	Issues  string // the currency a central bank issues
	Home    string // the home currency of a commercial bank
}

// demoCurrency is an enabled currency with the funding each settlement
// account gets (in major units) and a rough number of currency units per US
// dollar as a fraction, to size trade payments alike across currencies.
type demoCurrency struct {
	Code         string
	Issuer       string
	FundingMajor int64
	PerUSDNum    int64
	PerUSDDen    int64
}

var demoCurrencies = []demoCurrency{
	{Code: "CNY", Issuer: "PBOCCNBJXXX", FundingMajor: 400_000_000, PerUSDNum: 725, PerUSDDen: 100},
	{Code: "INR", Issuer: "RBISINBBXXX", FundingMajor: 4_000_000_000, PerUSDNum: 8350, PerUSDDen: 100},
	{Code: "RUB", Issuer: "CBRFRUMMXXX", FundingMajor: 4_500_000_000, PerUSDNum: 9200, PerUSDDen: 100},
	{Code: "BRL", Issuer: "BCBBBRDFXXX", FundingMajor: 250_000_000, PerUSDNum: 540, PerUSDDen: 100},
	{Code: "ZAR", Issuer: "SARBZAJPXXX", FundingMajor: 900_000_000, PerUSDNum: 1830, PerUSDDen: 100},
	{Code: "AED", Issuer: "CBAUAEAAXXX", FundingMajor: 180_000_000, PerUSDNum: 367, PerUSDDen: 100},
}

var demoParticipants = []demoParticipant{
	{ID: "PBOCCNBJXXX", Name: "People's Bank of China", Country: "CN", Roles: []string{"issuer"}, Issues: "CNY"},
	{ID: "RBISINBBXXX", Name: "Reserve Bank of India", Country: "IN", Roles: []string{"issuer"}, Issues: "INR"},
	{ID: "CBRFRUMMXXX", Name: "Central Bank of the Russian Federation", Country: "RU", Roles: []string{"issuer"}, Issues: "RUB"},
	{ID: "BCBBBRDFXXX", Name: "Banco Central do Brasil", Country: "BR", Roles: []string{"issuer"}, Issues: "BRL"},
	{ID: "SARBZAJPXXX", Name: "South African Reserve Bank", Country: "ZA", Roles: []string{"issuer"}, Issues: "ZAR"},
	{ID: "CBAUAEAAXXX", Name: "Central Bank of the UAE", Country: "AE", Roles: []string{"issuer"}, Issues: "AED"},
	{ID: "ICBKCNBJXXX", Name: "Industrial and Commercial Bank of China", Country: "CN", Roles: []string{"settlement"}, Home: "CNY"},
	{ID: "SBININBBXXX", Name: "State Bank of India", Country: "IN", Roles: []string{"settlement"}, Home: "INR"},
	{ID: "SABRRUMMXXX", Name: "Sberbank", Country: "RU", Roles: []string{"settlement"}, Home: "RUB"},
	{ID: "BRASBRRJXXX", Name: "Banco do Brasil", Country: "BR", Roles: []string{"settlement"}, Home: "BRL"},
	{ID: "SBZAZAJJXXX", Name: "The Standard Bank of South Africa", Country: "ZA", Roles: []string{"settlement"}, Home: "ZAR"},
	{ID: "EBILAEADXXX", Name: "Emirates NBD Bank", Country: "AE", Roles: []string{"settlement"}, Home: "AED"},
	{ID: "MRDNAEADXXX", Name: "Meridian Commodities Trading & FX DMCC", Country: "AE", Roles: []string{"settlement", "fx_provider"}, Home: "AED"},
}

// demoTightAccount is funded with little, so that some of its payments are
// rejected for insufficient liquidity; demoCreditLine is the FX house's
// credit line (a negative floor) in every currency.
var (
	demoTightAccount = struct{ Participant, Currency string }{"SABRRUMMXXX", "BRL"}
	demoTightMajor   = int64(1_500_000)
	demoCreditLine   = struct {
		Participant string
		USD         int64
	}{"MRDNAEADXXX", 10_000_000}
)

// demoCompanies are fictional trading companies by country.
var demoCompanies = map[string][]string{
	"CN": {"Shenzhen Huaxin Electronics Co., Ltd.", "Jiangsu Hengrun Textiles Co., Ltd.", "Ningbo Oriental Machinery Import & Export Co., Ltd.", "Qingdao Blue Harbour Seafood Co., Ltd.", "Anhui Greenfield Solar Technology Co., Ltd."},
	"IN": {"Pune Precision Castings Pvt. Ltd.", "Gujarat Agro Commodities Ltd.", "Chennai Auto Components Pvt. Ltd.", "Hyderabad Generic Pharma Ltd.", "Tiruppur Knitwear Exports Pvt. Ltd."},
	"RU": {"Ural Copper Works JSC", "Volga Fertiliser Plant JSC", "Kamchatka Ocean Catch LLC", "Belgorod Grain Terminal LLC", "Novosibirsk Timber Products LLC"},
	"BR": {"Agropecuaria Cerrado Verde S.A.", "Minas Ferro Exportadora Ltda.", "Santos Cafe Trading Ltda.", "Parana Soy Processing S.A.", "Bahia Cacau Comercial Ltda."},
	"ZA": {"Highveld Platinum Refiners (Pty) Ltd", "Cape Citrus Exporters (Pty) Ltd", "Durban Chemicals (Pty) Ltd", "Karoo Wool Traders (Pty) Ltd", "Limpopo Chrome Mining (Pty) Ltd"},
	"AE": {"Jebel Ali Petrochemicals FZE", "Gulf Gold Bullion DMCC", "Al Noor Logistics LLC", "Sharjah Steel Trading LLC", "Dubai Date Palm Foods LLC"},
}

// demoGoods are traded goods with their Incoterms-style delivery.
var demoGoods = []struct{ goods, unit string }{
	{"copper cathodes", "MT"}, {"urea fertiliser", "MT"}, {"soybeans", "MT"}, {"green coffee", "bags"},
	{"platinum sponge", "oz"}, {"cotton yarn", "bales"}, {"auto parts", "cartons"}, {"solar modules", "pallets"},
	{"citrus fruit", "reefers"}, {"frozen pollock", "MT"}, {"ferrochrome", "MT"}, {"generic medicines", "cartons"},
	{"sawn timber", "m3"}, {"dates", "MT"}, {"iron ore fines", "MT"}, {"cocoa beans", "bags"},
}

var demoPorts = map[string][]string{
	"CN": {"Shanghai", "Ningbo", "Qingdao", "Shenzhen"}, "IN": {"Nhava Sheva", "Chennai", "Mundra"},
	"RU": {"Novorossiysk", "St Petersburg", "Vladivostok"}, "BR": {"Santos", "Paranagua", "Rio Grande"},
	"ZA": {"Durban", "Richards Bay", "Cape Town"}, "AE": {"Jebel Ali", "Khalifa", "Sharjah"},
}

// demoPayment is one instruction of the trading day.
type demoPayment struct {
	Payer, Payee string
	Currency     string
	Amount       string // decimal text as sent
	Minor        int64  // the amount in minor units, when valid
	DebtorName   string
	CreditorName string
	Remittance   string
	EndToEndID   string
	Priority     string
	Bad          string // "" or how the request is deliberately wrong: "precision", "number", "payee"
}

// demoBanks returns the participants that trade: everyone but the central
// banks.
func demoBanks() []demoParticipant {
	var out []demoParticipant
	for _, p := range demoParticipants {
		if p.Issues == "" {
			out = append(out, p)
		}
	}
	return out
}

// demoDay generates n payments of a trading day from seed. About 1 in 150
// is deliberately bad input; the tight account's payments in its currency
// run out of liquidity as the day goes on.
func demoDay(n int, seed uint64) []demoPayment {
	rng := rand.New(rand.NewPCG(seed, seed^0x5deece66d))
	banks := demoBanks()
	out := make([]demoPayment, 0, n)
	for i := 0; i < n; i++ {
		a := rng.IntN(len(banks))
		b := rng.IntN(len(banks) - 1)
		if b >= a {
			b++
		}
		payer, payee := banks[a], banks[b]
		// Trade is invoiced mostly in one side's home currency.
		var cur demoCurrency
		switch r := rng.IntN(10); {
		case r < 4:
			cur = demoCurrencyByCode(payer.Home)
		case r < 8:
			cur = demoCurrencyByCode(payee.Home)
		default:
			cur = demoCurrencies[rng.IntN(len(demoCurrencies))]
		}
		if payer.ID == demoTightAccount.Participant && rng.IntN(4) == 0 {
			cur = demoCurrencyByCode(demoTightAccount.Currency)
		}
		// A trade payment of 2 thousand to 2 million US dollars' worth,
		// rounded to whole currency units.
		usd := (2 + rng.Int64N(98)) * pow10(3+rng.IntN(3))
		major := usd * cur.PerUSDNum / cur.PerUSDDen
		cents := rng.Int64N(100)
		p := demoPayment{
			Payer: payer.ID, Payee: payee.ID, Currency: cur.Code,
			Minor:  major*100 + cents,
			Amount: strconv.FormatInt(major, 10) + "." + fmt.Sprintf("%02d", cents),
		}
		debtor := pick(rng, demoCompanies[payer.Country])
		creditor := pick(rng, demoCompanies[payee.Country])
		g := demoGoods[rng.IntN(len(demoGoods))]
		qty := 10 * (1 + rng.IntN(500))
		port := pick(rng, demoPorts[payee.Country])
		inv := fmt.Sprintf("%s-%d", []string{"INV", "PI", "CI"}[rng.IntN(3)], 240000+rng.IntN(99999))
		switch rng.IntN(4) {
		case 0:
			p.Remittance = fmt.Sprintf("%s %d %s %s CIF %s", inv, qty, g.unit, g.goods, port)
		case 1:
			p.Remittance = fmt.Sprintf("%s 30%% advance %s PO %d", inv, g.goods, 7000+rng.IntN(3000))
		case 2:
			p.Remittance = fmt.Sprintf("LC %s%07d docs presented %s FOB %s", payer.Country, rng.IntN(10_000_000), g.goods, pick(rng, demoPorts[payer.Country]))
		default:
			p.Remittance = fmt.Sprintf("%s balance payment %d %s %s", inv, qty, g.unit, g.goods)
		}
		p.DebtorName, p.CreditorName, p.EndToEndID = debtor, creditor, inv
		if rng.IntN(20) == 0 {
			p.Priority = "urgent"
		}
		// Now and then a party on the UN list, spelled as a real sender
		// might: reordered, with a legal form, a typo, or in Cyrillic. The
		// node's screening holds these for compliance review.
		if i%500 == 250 {
			listed := demoListedParties[(i/500)%len(demoListedParties)]
			if (i/500)%2 == 0 {
				p.CreditorName = listed
			} else {
				p.DebtorName = listed
			}
		}
		switch rng.IntN(150) {
		case 0:
			p.Bad, p.Amount = "precision", p.Amount+"5" // three decimals in a two-decimal currency
		case 1:
			p.Bad = "number" // the amount as a JSON number
		case 2:
			p.Bad, p.Payee = "payee", "ZZZZZZ99XXX" // a BIC that is not a member
		}
		out = append(out, p)
	}
	return out
}

// demoListedParties are variants of names on the UN Security Council
// Consolidated List (KPe.025, KPe.003, KPi.077, KPe.010, KPe.004).
var demoListedParties = []string{
	"Kwangson Banking Corporation of Korea Ltd",
	"Tanchon Comercial Bank",
	"Ри Сон Хёк",
	"Green Pine Associated Corporation LLC",
	"Namchongang Trading Co",
}

func demoCurrencyByCode(code string) demoCurrency {
	for _, c := range demoCurrencies {
		if c.Code == code {
			return c
		}
	}
	panic("demo: unknown currency " + code)
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

func pow10(n int) int64 {
	v := int64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

// demoLEI returns a made-up LEI for a participant: a fixed LOU prefix, the
// BIC's letters and ISO 7064 MOD 97-10 check digits.
func demoLEI(bic string) string {
	base := "5493" + "00" + (bic + "000000000000")[:12]
	// Check digits make the whole number, letters as 10..35, ≡ 1 mod 97.
	rem := 0
	for _, c := range base + "00" {
		if c >= '0' && c <= '9' {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	return base + fmt.Sprintf("%02d", 98-rem)
}
