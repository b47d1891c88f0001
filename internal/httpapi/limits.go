package httpapi

import (
	"time"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
)

// Limits on requests, named in one place. Each bounds what one request can
// cost the node in memory, CPU or log space; the engine checks its own field
// limits again (engine.KeyLenMax, engine.TextLenMax, ...).
const (
	// BodyBytesMax bounds a JSON request body other than a payment batch:
	// a payment is under 1 KiB even with every text field at its limit.
	BodyBytesMax = 64 << 10
	// PaymentBatchMax bounds the payments of one JSON batch; together they
	// still fit one log entry with room for other clients' commands.
	PaymentBatchMax = 1000
	// BatchJSONBodyBytesMax bounds a JSON payment batch: PaymentBatchMax
	// payments of about 2 KiB each, escapes included.
	BatchJSONBodyBytesMax = 2 << 20
	// BatchBodyBytesMax bounds a binary batch: 8,190 commands of up to
	// about 1 KiB each.
	BatchBodyBytesMax = 16 << 20
	// PageSizeDefault and PageSizeMax bound list pages.
	PageSizeDefault = 100
	PageSizeMax     = history.PageMax
	// BatchKeyLenMax bounds a batch's Idempotency-Key: each payment's key
	// is the batch key, ':' and its index (up to 3 digits), and must stay
	// within engine.KeyLenMax.
	BatchKeyLenMax = engine.KeyLenMax - 4
	// ParamLenMax bounds any path or query parameter.
	ParamLenMax = 64
	// TokenNameLenMax bounds the label of an API token.
	TokenNameLenMax = engine.TextLenMax
	// Server timeouts: a slow client cannot hold a connection.
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	// HeaderBytesMax bounds request headers.
	HeaderBytesMax = 16 << 10
)
