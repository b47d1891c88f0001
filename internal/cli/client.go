package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mutua-org/mutua/internal/httpapi"
)

// DefaultURL is the node the client commands talk to unless told otherwise.
const DefaultURL = "http://" + DefaultListen

// client talks to a node's JSON API.
type client struct {
	url, token string
	http       *http.Client
}

// apiError is a problem answer from the node.
type apiError struct {
	Status  int
	Problem httpapi.Problem
}

func (e *apiError) Error() string {
	msg := e.Problem.Code
	if e.Problem.Detail != "" {
		msg += ": " + e.Problem.Detail
	}
	if e.Problem.Field != "" {
		msg += " (" + e.Problem.Field + ")"
	}
	return fmt.Sprintf("%d %s", e.Status, msg)
}

func newClient(baseURL, token string) *client {
	return &client{url: strings.TrimRight(baseURL, "/"), token: token, http: &http.Client{Timeout: time.Minute}}
}

// call sends a request and decodes a JSON answer into out (if not nil). It
// returns the raw body too, for --json output.
func (c *client) call(ctx context.Context, method, path string, query url.Values, key string, body, out any) ([]byte, error) {
	var rd io.Reader
	contentType := "application/json"
	if raw, isRaw := body.(multipartBody); isRaw {
		rd, contentType = bytes.NewReader(raw.data), raw.contentType
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := c.url + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		e := &apiError{Status: resp.StatusCode}
		if json.Unmarshal(raw, &e.Problem) != nil || e.Problem.Code == "" {
			e.Problem.Code = strings.ToLower(strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "_"))
			e.Problem.Detail = strings.TrimSpace(string(raw))
		}
		return raw, e
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("decode answer: %w", err)
		}
	}
	return raw, nil
}

// clientFlags are the flags every client command takes.
type clientFlags struct {
	url, token string
	json       bool
}

// connFlags defines the flags that say which node to talk to, and as whom.
func connFlags(fs *flag.FlagSet) *clientFlags {
	cf := &clientFlags{}
	defURL := os.Getenv("MUTUA_URL")
	if defURL == "" {
		defURL = DefaultURL
	}
	fs.StringVar(&cf.url, "url", defURL, "node URL (env MUTUA_URL)")
	fs.StringVar(&cf.token, "token", "", "bearer token, or @FILE to read it from a file (default: env MUTUA_TOKEN)")
	return cf
}

// newClientFlags returns a flag set with the common client flags and a usage
// text made of synopsis and description.
func newClientFlags(name, synopsis, description string, stderr io.Writer) (*flag.FlagSet, *clientFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := connFlags(fs)
	fs.BoolVar(&cf.json, "json", false, "print the node's JSON answer")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: mutua %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(description))
		fs.PrintDefaults()
	}
	return fs, cf
}

func (cf *clientFlags) client() (*client, error) {
	tok := cf.token
	if tok == "" {
		tok = os.Getenv("MUTUA_TOKEN")
	}
	if path, found := strings.CutPrefix(tok, "@"); found {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--token: %w", err)
		}
		tok = strings.TrimSpace(string(b))
	}
	if tok == "" {
		return nil, errors.New("no token: pass --token or set MUTUA_TOKEN (an operator's is in DATA/operator.token)")
	}
	return newClient(cf.url, tok), nil
}

// newKey returns a random idempotency key for commands not given one.
func newKey(prefix string) string {
	var b [12]byte
	rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// printJSON re-indents a JSON answer.
func printJSON(w io.Writer, raw []byte) {
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		w.Write(raw)
		return
	}
	buf.WriteByte('\n')
	w.Write(buf.Bytes())
}
