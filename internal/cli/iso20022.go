package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/mutua-org/mutua/internal/iso20022"
)

// `mutua iso20022`: ISO 20022 messages offline (validate) and to a node
// (send).

func init() {
	register("iso20022", "validate ISO 20022 messages offline, or send one to a node and print its pacs.002", iso20022Cmd)
}

const iso20022Usage = `Usage:
  mutua iso20022 validate FILE...
      Parse and validate each message offline. Prints "FILE: ok (...)" or one
      line per error: element path, rule, ISO 20022 reason code, message.
      Exit status 0 only if every file is valid.

  mutua iso20022 send [--url URL] [--token TOKEN] FILE
      Send a pacs.008, pacs.009, pacs.004 or camt.056 to a node as the
      participant the token belongs to, and print the pacs.002 that answers
      it; a one-line summary of the statuses goes to stderr. Exit status 0
      if nothing was rejected, 1 if the message or any transaction was (or
      the node refused the request), 2 for usage errors.
`

func iso20022Cmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, iso20022Usage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, iso20022Usage)
		return 0
	case "validate":
		if len(args) > 1 && (args[1] == "-h" || args[1] == "--help") {
			fmt.Fprint(stdout, iso20022Usage)
			return 0
		}
		return iso20022.RunValidate(args[1:], stdout)
	case "send":
		return iso20022Send(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "mutua iso20022: unknown command %q\n\n%s", args[0], iso20022Usage)
	return 2
}

// iso20022Send implements `mutua iso20022 send`.
func iso20022Send(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("iso20022 send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := connFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, iso20022Usage+"\nFlags of send:\n"); fs.PrintDefaults() }
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "mutua iso20022 send: give one FILE")
		fs.Usage()
		return 2
	}
	c, err := cf.client()
	if err != nil {
		fmt.Fprintf(stderr, "mutua iso20022 send: %v\n", err)
		return 2
	}
	f, err := os.Open(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "mutua iso20022 send: %v\n", err)
		return 1
	}
	msg, err := iso20022.ReadBody(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "mutua iso20022 send: %s: %v\n", files[0], err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", c.url+"/v1/iso20022", bytes.NewReader(msg))
	if err != nil {
		fmt.Fprintf(stderr, "mutua iso20022 send: %v\n", err)
		return 2
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/xml")
	resp, err := c.http.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "mutua iso20022 send: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, iso20022.BodySizeMax+1))
	if err != nil {
		fmt.Fprintf(stderr, "mutua iso20022 send: reading the answer: %v\n", err)
		return 1
	}
	if resp.StatusCode != http.StatusOK {
		e := &apiError{Status: resp.StatusCode}
		if json.Unmarshal(body, &e.Problem) != nil || e.Problem.Code == "" {
			e.Problem.Code = strings.ToLower(strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "_"))
			e.Problem.Detail = strings.TrimSpace(string(body))
		}
		fmt.Fprintf(stderr, "mutua iso20022 send: %v\n", e)
		return 1
	}
	stdout.Write(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	m, errs := iso20022.Parse(body)
	if len(errs) > 0 || m.StatusReport == nil {
		fmt.Fprintf(stderr, "mutua iso20022 send: the answer is not a valid pacs.002: %v\n", errs)
		return 1
	}
	summary, rejected := statusSummary(m.StatusReport)
	fmt.Fprintf(stderr, "pacs.002: %s\n", summary)
	if rejected {
		return 1
	}
	return 0
}

// statusSummary counts a pacs.002's statuses: "group PART; 3 ACSC, 1 RJCT
// (AM04)". rejected reports whether the group or any transaction was.
func statusSummary(r *iso20022.StatusReport) (summary string, rejected bool) {
	var parts []string
	if len(r.OrgnlGrpInfAndSts) > 0 {
		g := r.OrgnlGrpInfAndSts[0]
		if g.GrpSts != "" {
			s := "group " + string(g.GrpSts)
			if g.GrpSts == iso20022.StatusRejected {
				rejected = true
				s += " (" + reasonCodes(g.StsRsnInf) + ")"
			}
			parts = append(parts, s)
		}
	}
	counts := map[iso20022.Status]int{}
	reasons := map[iso20022.Status][]iso20022.ReasonInfo{}
	for _, st := range r.TxInfAndSts {
		counts[st.TxSts]++
		reasons[st.TxSts] = append(reasons[st.TxSts], st.StsRsnInf...)
	}
	var sts []string
	for st := range counts {
		sts = append(sts, string(st))
	}
	sort.Strings(sts)
	var txs []string
	for _, st := range sts {
		s := fmt.Sprintf("%d %s", counts[iso20022.Status(st)], st)
		if iso20022.Status(st) == iso20022.StatusRejected {
			rejected = true
			s += " (" + reasonCodes(reasons[iso20022.StatusRejected]) + ")"
		}
		txs = append(txs, s)
	}
	if len(txs) > 0 {
		parts = append(parts, strings.Join(txs, ", "))
	}
	if len(parts) == 0 {
		return "no statuses", rejected
	}
	return strings.Join(parts, "; "), rejected
}

// reasonCodes lists the distinct reason codes of rs in order.
func reasonCodes(rs []iso20022.ReasonInfo) string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rs {
		if c := r.Rsn.Cd; c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return strings.Join(out, " ")
}
