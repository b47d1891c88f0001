package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/screening/screencli"
)

// Sanctions screening commands: `mutua screen` works offline against the
// lists shipped in the binary (or files named with --list); the others talk
// to a node as an operator.

func init() {
	register("screen", "screen names against sanctions lists offline; `screen eval FILE.csv` measures recall and false positives", screencli.RunScreen)
	register("lists", "show, import or activate sanctions list versions on a node (operator)", group("lists", map[string]clientCmd{
		"show": listsShowCmd, "import": listsImportCmd, "activate": listsActivateCmd, "check": listsCheckCmd,
	}))
	register("held", "list payments held for compliance review, with the evidence (operator)", single("held", heldCmd))
	register("release", "release a held payment to settlement (operator; four-eyes may need a second user)", single("release", reviewCmd("release")))
	register("reject", "reject a held payment (operator; four-eyes may need a second user)", single("reject", reviewCmd("reject")))
}

var listsShowCmd = clientCmd{
	synopsis: "lists show",
	summary:  "show the active lists, the threshold and every known list version",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			if err := noArgs(args); err != nil {
				return apiRequest{}, err
			}
			return apiRequest{method: "GET", path: "/v1/screening"}, nil
		}
	},
	render: renderScreeningConfig,
}

func renderScreeningConfig(w io.Writer, raw []byte) error {
	cfg, err := decodeInto[httpapi.ScreeningConfig](raw)
	if err != nil {
		return err
	}
	fields(w, "active", strings.Join(cfg.Active, " + "), "threshold", strconv.Itoa(cfg.Threshold), "four-eyes", strconv.FormatBool(cfg.FourEyes))
	var rows [][]string
	for _, v := range cfg.Versions {
		mark := ""
		if v.Active {
			mark = "*"
		}
		rows = append(rows, []string{mark + v.ID, v.Source, v.Generated, strconv.Itoa(v.Entries), strconv.Itoa(v.Names), v.SHA256[:16]})
	}
	fmt.Fprintln(w)
	table(w, "VERSION\tSOURCE\tGENERATED\tENTRIES\tNAMES\tSHA256", rows)
	return nil
}

// multipartBody is a request body the client sends as it is, with its own
// content type.
type multipartBody struct {
	contentType string
	data        []byte
}

var listsImportCmd = clientCmd{
	synopsis:    "lists import (--un FILE.xml | --csv FILE.csv [--source NAME] | --ofac-sdn F --ofac-alt F --ofac-add F [--ofac-comments F])",
	summary:     "import a list version from files; it is stored, not activated",
	description: "The UN Security Council Consolidated List (XML), OFAC's SDN files (CSV) or an operator's own CSV list with the header\n  " + "reference,type,name,aliases,country,date_of_birth,regime",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		un := fs.String("un", "", "UN consolidated list XML file")
		csv := fs.String("csv", "", "operator's own list CSV file")
		source := fs.String("source", "", "name of the operator's list (with --csv)")
		sdn := fs.String("ofac-sdn", "", "OFAC sdn.csv")
		alt := fs.String("ofac-alt", "", "OFAC alt.csv")
		add := fs.String("ofac-add", "", "OFAC add.csv")
		comments := fs.String("ofac-comments", "", "OFAC sdn_comments.csv (optional)")
		generated := fs.String("generated", "", "when the list was generated, if the file does not say (RFC 3339)")
		return func(args []string) (apiRequest, error) {
			if err := noArgs(args); err != nil {
				return apiRequest{}, err
			}
			q := map[string][]string{}
			if *generated != "" {
				q["generated"] = []string{*generated}
			}
			switch {
			case *un != "":
				b, err := os.ReadFile(*un)
				return apiRequest{method: "POST", path: "/v1/screening/lists", query: q, body: multipartBody{"application/xml", b}}, err
			case *csv != "":
				b, err := os.ReadFile(*csv)
				if *source != "" {
					q["source"] = []string{*source}
				}
				return apiRequest{method: "POST", path: "/v1/screening/lists", query: q, body: multipartBody{"text/csv", b}}, err
			case *sdn != "" && *alt != "" && *add != "":
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for _, f := range []struct{ part, path string }{{"sdn", *sdn}, {"alt", *alt}, {"add", *add}, {"comments", *comments}} {
					if f.path == "" {
						continue
					}
					b, err := os.ReadFile(f.path)
					if err != nil {
						return apiRequest{}, err
					}
					w, _ := mw.CreateFormFile(f.part, filepath.Base(f.path))
					w.Write(b)
				}
				mw.Close()
				return apiRequest{method: "POST", path: "/v1/screening/lists", query: q, body: multipartBody{mw.FormDataContentType(), buf.Bytes()}}, nil
			}
			return apiRequest{}, usageErr("name a UN file (--un), a CSV list (--csv) or the three OFAC files")
		}
	},
}

var listsActivateCmd = clientCmd{
	synopsis:    "lists activate VERSION... [--threshold N] [--four-eyes]",
	summary:     "screen future payments against these list versions",
	description: "Past decisions stay as recorded; payments screened after the change use the new set.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		threshold := fs.Int("threshold", 0, "score 700 to 1000 at or above which a payment is held (0 = default 850)")
		fourEyes := fs.Bool("four-eyes", false, "releases and rejections need two different operator users")
		return func(args []string) (apiRequest, error) {
			if len(args) == 0 {
				return apiRequest{}, usageErr("name at least one list version (mutua lists show)")
			}
			return apiRequest{method: "PUT", path: "/v1/screening", body: httpapi.ScreeningUpdate{Lists: args, Threshold: *threshold, FourEyes: *fourEyes}}, nil
		}
	},
	render: renderScreeningConfig,
}

var listsCheckCmd = clientCmd{
	synopsis: "lists check NAME [--country CC] [--dob YYYY-MM-DD] [--kind individual|entity]",
	summary:  "screen one name against the node's active lists",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		country := fs.String("country", "", "country of the party")
		dob := fs.String("dob", "", "date of birth")
		kind := fs.String("kind", "", "individual, entity, vessel or aircraft")
		return func(args []string) (apiRequest, error) {
			if len(args) == 0 {
				return apiRequest{}, usageErr("give a name")
			}
			return apiRequest{method: "POST", path: "/v1/screening/check", body: httpapi.ScreenRequest{Name: strings.Join(args, " "), Country: *country, DateOfBirth: *dob, Kind: *kind}}, nil
		}
	},
	render: func(w io.Writer, raw []byte) error {
		res, err := decodeInto[httpapi.ScreenResult](raw)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, m := range res.Matches {
			hit := ""
			if m.Hit {
				hit = "HIT"
			}
			rows = append(rows, []string{strconv.Itoa(m.Score), hit, m.Reference, m.ListedName, m.Explanation})
		}
		table(w, "SCORE\t\tREFERENCE\tLISTED NAME\tWHY", rows)
		return nil
	},
}

var heldCmd = clientCmd{
	synopsis: "held",
	summary:  "list payments held for compliance review",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			if err := noArgs(args); err != nil {
				return apiRequest{}, err
			}
			return apiRequest{method: "GET", path: "/v1/screening/held"}, nil
		}
	},
	render: func(w io.Writer, raw []byte) error {
		l, err := decodeInto[httpapi.HeldList](raw)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, h := range l.Held {
			first := ""
			if h.FirstApproval != nil {
				first = h.FirstApproval.Action + " by " + h.FirstApproval.User
			}
			p := h.Payment
			rows = append(rows, []string{strconv.FormatUint(p.ID, 10), p.Payer, p.Payee, p.Amount + " " + p.Currency,
				h.Evidence.Party, strconv.Itoa(h.Evidence.Score), h.Evidence.Ref, h.Evidence.Listed, first})
		}
		table(w, "ID\tPAYER\tPAYEE\tAMOUNT\tPARTY\tSCORE\tREFERENCE\tLISTED NAME\tFIRST APPROVAL", rows)
		return nil
	},
}

func reviewCmd(action string) clientCmd {
	return clientCmd{
		synopsis:    action + " ID --reason TEXT",
		summary:     action + " a held payment",
		description: "The reviewer is the user the operator token was issued to. With four-eyes on, the first decision waits for a second operator user to agree.",
		define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
			reason := fs.String("reason", "", "why (kept in the audit record); required")
			return func(args []string) (apiRequest, error) {
				if len(args) != 1 {
					return apiRequest{}, usageErr("give one payment id")
				}
				if err := need("reason", *reason); err != nil {
					return apiRequest{}, err
				}
				return apiRequest{method: "POST", path: "/v1/screening/held/" + args[0] + "/" + action, body: httpapi.ReviewRequest{Reason: *reason}}, nil
			}
		},
		render: func(w io.Writer, raw []byte) error {
			r, err := decodeInto[httpapi.ReviewResult](raw)
			if err != nil {
				return err
			}
			status := r.Payment.Status
			if r.AwaitingSecond {
				status += " (awaiting a second operator's approval)"
			}
			if r.Reason != "" {
				status += " (" + r.Reason + ")"
			}
			fields(w, "payment", strconv.FormatUint(r.Payment.ID, 10), "status", status)
			return nil
		},
	}
}
