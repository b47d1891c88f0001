package httpapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/mutua-org/mutua/internal/engine"
)

// BatchContentType is the media type of binary command batches and results.
const BatchContentType = "application/vnd.mutua.batch"

// BatchCommandsMax bounds the commands of one binary batch.
const BatchCommandsMax = 8190

// EncodeBatch frames encoded commands: a uvarint count, then each command as
// a uvarint length and its bytes.
func EncodeBatch(cmds [][]byte) []byte {
	n := binary.MaxVarintLen64
	for _, c := range cmds {
		n += binary.MaxVarintLen64 + len(c)
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(len(cmds)))
	for _, c := range cmds {
		b = binary.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
	}
	return b
}

// DecodeBatch splits a framed batch. The commands alias body.
func DecodeBatch(body []byte) ([][]byte, error) {
	n, k := binary.Uvarint(body)
	if k <= 0 {
		return nil, errors.New("batch: bad count")
	}
	if n == 0 || n > BatchCommandsMax {
		return nil, fmt.Errorf("batch: %d commands; want 1 to %d", n, BatchCommandsMax)
	}
	body = body[k:]
	cmds := make([][]byte, 0, n)
	for i := uint64(0); i < n; i++ {
		l, k := binary.Uvarint(body)
		if k <= 0 || l > uint64(len(body)-k) || l > engine.CommandBytesMax {
			return nil, fmt.Errorf("batch: command %d: bad length", i)
		}
		cmds = append(cmds, body[k:k+int(l)])
		body = body[k+int(l):]
	}
	if len(body) != 0 {
		return nil, fmt.Errorf("batch: %d trailing bytes", len(body))
	}
	return cmds, nil
}

// BatchResult is the compact result of one command of a binary batch.
type BatchResult struct {
	Reason    engine.Reason
	Payment   uint64
	Status    engine.Status
	Duplicate bool
	Member    int32
}

// EncodeResults frames results: a uvarint count, then per result the reason,
// payment id, status, duplicate flag and linked member (+1, 0 = none).
func EncodeResults(rs []*engine.Result) []byte {
	b := make([]byte, 0, 8+len(rs)*8)
	b = binary.AppendUvarint(b, uint64(len(rs)))
	for _, r := range rs {
		b = binary.AppendUvarint(b, uint64(r.Reason))
		b = binary.AppendUvarint(b, r.Payment)
		dup := byte(0)
		if r.Duplicate {
			dup = 1
		}
		b = append(b, byte(r.Status), dup)
		b = binary.AppendUvarint(b, uint64(r.Member+1))
	}
	return b
}

// DecodeResults reads what EncodeResults wrote.
func DecodeResults(b []byte) ([]BatchResult, error) {
	r := bytes.NewReader(b)
	n, err := binary.ReadUvarint(r)
	if err != nil || n > BatchCommandsMax {
		return nil, fmt.Errorf("results: bad count")
	}
	out := make([]BatchResult, n)
	for i := range out {
		reason, err1 := binary.ReadUvarint(r)
		payment, err2 := binary.ReadUvarint(r)
		status, err3 := r.ReadByte()
		dup, err4 := r.ReadByte()
		member, err5 := binary.ReadUvarint(r)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			return nil, fmt.Errorf("results: %d: %w", i, err)
		}
		out[i] = BatchResult{Reason: engine.Reason(reason), Payment: payment, Status: engine.Status(status), Duplicate: dup == 1, Member: int32(member) - 1}
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("results: trailing bytes")
	}
	return out, nil
}

func readAll(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// PostBatch sends encoded commands to a node's POST /v1/commands with an
// operator token and returns their results. An error means the batch was not
// acknowledged (it may or may not have been applied; resend it: the engine
// answers repeated payments from their idempotency keys).
func PostBatch(ctx context.Context, client *http.Client, baseURL, token string, cmds [][]byte) ([]BatchResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/commands", bytes.NewReader(EncodeBatch(cmds)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", BatchContentType)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST /v1/commands: %s: %s", resp.Status, body)
	}
	return DecodeResults(body)
}
