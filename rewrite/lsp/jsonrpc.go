package lsp

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxMessage bounds one message's body: a document is at most the CLI's
// 32 MiB, and JSON escaping can double it.
const maxMessage = 80 << 20

// message is a JSON-RPC 2.0 request, notification or response. A request
// has a method and an id, a notification a method only, a response an id
// and a result or an error.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return e.Message }

// JSON-RPC and LSP error codes.
const (
	codeParseError           = -32700
	codeInvalidRequest       = -32600
	codeMethodNotFound       = -32601
	codeInvalidParams        = -32602
	codeInternalError        = -32603
	codeServerNotInitialized = -32002
)

// readMessage reads one message framed by a Content-Length header, as the
// base protocol of LSP specifies. It returns io.EOF at a clean end of the
// stream.
func readMessage(r *bufio.Reader) ([]byte, error) {
	length := -1
	seen := false // a header line was read
	for {
		// ReadSlice bounds a header line by the reader's buffer.
		raw, err := r.ReadSlice('\n')
		if err != nil {
			if !seen && len(raw) == 0 && errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("reading header: %w", err)
		}
		line := strings.TrimRight(string(raw), "\r\n")
		if line == "" {
			if !seen {
				continue // tolerate blank lines between messages
			}
			break
		}
		seen = true
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("malformed header line %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("invalid Content-Length %q", value)
			}
			length = n
		}
	}
	if length < 0 {
		return nil, errors.New("message without a Content-Length header")
	}
	if length > maxMessage {
		return nil, fmt.Errorf("message of %d bytes is over the %d MiB limit", length, maxMessage>>20)
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("reading a %d-byte body: %w", length, err)
	}
	return body, nil
}

// writeMessage frames and writes one message.
func writeMessage(w io.Writer, m *message) error {
	m.JSONRPC = "2.0"
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", len(body)); err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}
