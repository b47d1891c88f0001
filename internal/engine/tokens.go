package engine

import (
	"cmp"
	"crypto/subtle"
	"slices"
)

// Token is an API access token as the engine keeps it: the public id, the
// SHA-256 of the secret, and whom it belongs to. Tokens live in the replicated
// state so that every node authenticates the same way and a revocation takes
// effect everywhere once applied.
type Token struct {
	ID          string
	Hash        [32]byte
	Participant string // "" for an operator token
	Name        string // the user it was issued to
	CreatedNs   int64
	Revoked     bool
	RevokedNs   int64
}

func validTokenID(id string) bool {
	if len(id) == 0 || len(id) > TokenIDLenMax {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (e *Engine) issueToken(c *Command) Result {
	switch {
	case !validTokenID(c.TokenID):
		return reject(TokenInvalid)
	case !validText(c.Name, TextLenMax):
		return reject(TextInvalid)
	}
	if _, exists := e.tokens[c.TokenID]; exists {
		return reject(TokenExists)
	}
	if c.Participant != "" {
		if _, p := e.participant(c.Participant); p == nil {
			return reject(ParticipantUnknown)
		}
	}
	e.tokens[c.TokenID] = &Token{ID: c.TokenID, Hash: c.TokenHash, Participant: c.Participant, Name: c.Name, CreatedNs: e.timeNs}
	return ok()
}

func (e *Engine) revokeToken(c *Command) Result {
	if !validTokenID(c.TokenID) {
		return reject(TokenInvalid)
	}
	t := e.tokens[c.TokenID]
	if t == nil {
		return reject(TokenUnknown)
	}
	if t.Revoked {
		return ok()
	}
	// NB: an operator token is the only way to administer the union, so
	// the last live one cannot go: a union that revoked it would be locked
	// out for good.
	if t.Participant == "" && !e.otherOperatorToken(t.ID) {
		return reject(LastOperatorToken)
	}
	t.Revoked, t.RevokedNs = true, e.timeNs
	return ok()
}

// otherOperatorToken reports whether a live operator token other than id
// exists.
func (e *Engine) otherOperatorToken(id string) bool {
	for _, t := range e.tokens {
		if t.Participant == "" && !t.Revoked && t.ID != id {
			return true
		}
	}
	return false
}

// Authenticate returns the live token with id whose secret hashes to hash.
// The comparison takes the same time whether or not the hash matches.
func (e *Engine) Authenticate(id string, hash [32]byte) (Token, bool) {
	t := e.tokens[id]
	if t == nil || t.Revoked || subtle.ConstantTimeCompare(t.Hash[:], hash[:]) != 1 {
		return Token{}, false
	}
	return *t, true
}

// Tokens returns every token (revoked ones too) in id order; the hashes are
// included, never a secret.
func (e *Engine) Tokens() []Token {
	out := make([]Token, 0, len(e.tokens))
	for _, t := range e.tokens {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Token) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
