package lsp_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rofix/rofix/rewrite/cli"
	"github.com/rofix/rofix/rewrite/lsp"
)

// The client's side of the protocol, written apart from the server's.
type (
	Position   = lsp.Position
	Range      = lsp.Range
	TextEdit   = lsp.TextEdit
	Diagnostic = lsp.Diagnostic
	CodeAction = lsp.CodeAction
)

// message is what the server sends: a response or a notification.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

const codeMethodNotFound = -32601

type publishDiagnosticsParams struct {
	URI         string       `json:"uri"`
	Version     *int         `json:"version"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// readMessage reads one Content-Length framed message.
func readMessage(r *bufio.Reader) ([]byte, error) {
	length := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			if _, err := fmt.Sscan(v, &length); err != nil {
				return nil, err
			}
		}
	}
	if length < 0 {
		return nil, fmt.Errorf("no Content-Length")
	}
	body := make([]byte, length)
	_, err := io.ReadFull(r, body)
	return body, err
}

// An encoding is how a position's character counts.
type encoding string

const (
	utf8Encoding  encoding = "utf-8"
	utf16Encoding encoding = "utf-16"
)

// client is an in-process LSP client: it talks to Serve over pipes, with
// the framing and JSON a real client sends.
type client struct {
	t      testing.TB
	w      *io.PipeWriter
	msgs   chan message  // everything the server sends, in order
	done   chan struct{} // closed when Serve returns
	status int           // rofix lsp's exit status
	stderr bytes.Buffer
	nextID int
	notes  []message // notifications received while waiting for a response
}

// startClient runs `rofix lsp` and initializes it with the given
// position encodings offered (none: the field is absent).
func startClient(t testing.TB, encodings ...string) (*client, map[string]any) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &client{t: t, w: inW, msgs: make(chan message, 1000), done: make(chan struct{})}
	go func() {
		// The command line's entry point: the server gets the policy
		// stdin mode uses.
		c.status = cli.Main([]string{"lsp"}, inR, outW, &c.stderr)
		outW.Close()
		close(c.done)
	}()
	go func() {
		r := bufio.NewReader(outR)
		for {
			body, err := readMessage(r)
			if err != nil {
				close(c.msgs)
				return
			}
			var m message
			if err := json.Unmarshal(body, &m); err != nil {
				panic(fmt.Sprintf("server sent invalid JSON %q: %v", body, err))
			}
			c.msgs <- m
		}
	}()
	caps := map[string]any{}
	if encodings != nil {
		caps["general"] = map[string]any{"positionEncodings": encodings}
	}
	var result map[string]any
	if err := c.request("initialize", map[string]any{"processId": nil, "capabilities": caps}, &result); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	c.notify("initialized", map[string]any{})
	t.Cleanup(func() {
		inW.Close()
		<-c.done
	})
	return c, result
}

// send writes one framed message, as a client does.
func (c *client) send(m map[string]any) {
	c.t.Helper()
	m["jsonrpc"] = "2.0"
	body, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(c.w, "Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n%s", len(body), body)
}

func (c *client) notify(method string, params any) {
	c.send(map[string]any{"method": method, "params": params})
}

// request sends a request and waits for its response, keeping the
// notifications that arrive meanwhile. A response error is returned.
func (c *client) request(method string, params, result any) error {
	c.t.Helper()
	c.nextID++
	id := c.nextID
	c.send(map[string]any{"id": id, "method": method, "params": params})
	for m := range c.msgs {
		if m.Method != "" {
			c.notes = append(c.notes, m)
			continue
		}
		if string(m.ID) != fmt.Sprint(id) {
			c.t.Fatalf("response to id %s while waiting for %d", m.ID, id)
		}
		if m.Error != nil {
			return m.Error
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				c.t.Fatalf("%s result %s: %v", method, m.Result, err)
			}
		}
		return nil
	}
	c.t.Fatalf("the server closed the stream while %s was pending", method)
	return nil
}

// diagnostics returns the last diagnostics published for uri, once the
// server has handled everything sent so far.
func (c *client) diagnostics(uri string) []Diagnostic {
	c.t.Helper()
	var pending []Diagnostic
	found := false
	c.sync()
	for _, m := range c.notes {
		if m.Method != "textDocument/publishDiagnostics" {
			continue
		}
		var p publishDiagnosticsParams
		if err := json.Unmarshal(m.Params, &p); err != nil {
			c.t.Fatal(err)
		}
		if p.URI == uri {
			pending, found = p.Diagnostics, true
		}
	}
	if !found {
		c.t.Fatalf("no diagnostics published for %s", uri)
	}
	return pending
}

// sync waits until the server has handled everything sent so far: it
// answers requests in order, so an answered request is a barrier.
func (c *client) sync() {
	c.t.Helper()
	err := c.request("rofix/unknownMethodAsBarrier", nil, nil)
	if e, ok := err.(*rpcError); !ok || e.Code != codeMethodNotFound {
		c.t.Fatalf("barrier request: %v", err)
	}
}

func (c *client) open(uri, languageID, text string) {
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": languageID, "version": 1, "text": text}})
}

func (c *client) format(uri string) ([]TextEdit, error) {
	var edits []TextEdit
	err := c.request("textDocument/formatting", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"options":      map[string]any{"tabSize": 2, "insertSpaces": true},
	}, &edits)
	return edits, err
}

func (c *client) codeActions(uri string, rng Range, only ...string) []CodeAction {
	c.t.Helper()
	ctx := map[string]any{"diagnostics": []any{}}
	if only != nil {
		ctx["only"] = only
	}
	var actions []CodeAction
	if err := c.request("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": rng, "context": ctx,
	}, &actions); err != nil {
		c.t.Fatalf("codeAction: %v", err)
	}
	return actions
}

// shutdown ends the session properly and returns an error unless rofix
// lsp exited with status 0 and nothing on stderr.
func (c *client) shutdown() error {
	c.t.Helper()
	if err := c.request("shutdown", nil, nil); err != nil {
		c.t.Fatalf("shutdown: %v", err)
	}
	c.notify("exit", nil)
	<-c.done
	if c.status != 0 || c.stderr.Len() > 0 {
		return fmt.Errorf("status %d: %s", c.status, c.stderr.String())
	}
	return nil
}

// positions maps every position a client may name in text to its byte
// offset, counting characters in enc the way an editor does: a line ends
// at \n, \r\n or \r; characters are UTF-16 code units or bytes. It is
// written apart from the server's converter so that each checks the other.
func positions(text string, enc encoding) map[Position]int {
	m := map[Position]int{}
	line, char := 0, 0
	for i := 0; i <= len(text); {
		m[Position{line, char}] = i
		if i == len(text) {
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\r' && strings.HasPrefix(text[i:], "\r\n"):
			i += 2
			line, char = line+1, 0
			continue
		case r == '\n', r == '\r':
			line, char = line+1, 0
		case enc == utf8Encoding:
			char += size
		default:
			char += len(utf16.Encode([]rune{r}))
		}
		i += size
	}
	return m
}

// apply applies text edits the way the protocol defines them: every range
// refers to the original text, edits must not overlap, and inserts at one
// position keep their order in the array.
func apply(t *testing.T, text string, edits []TextEdit, enc encoding) string {
	t.Helper()
	pos := positions(text, enc)
	type span struct {
		start, end int
		text       string
	}
	var spans []span
	for _, e := range edits {
		s, ok1 := pos[e.Range.Start]
		end, ok2 := pos[e.Range.End]
		if !ok1 || !ok2 {
			t.Fatalf("edit %+v names a position that is not a character boundary in %s", e.Range, enc)
		}
		spans = append(spans, span{s, end, e.NewText})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b bytes.Buffer
	last := 0
	for _, s := range spans {
		if s.start < last || s.end < s.start {
			t.Fatalf("overlapping edits %+v", edits)
		}
		b.WriteString(text[last:s.start])
		b.WriteString(s.text)
		last = s.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// stdinMode runs `rofix --stdin-filename name` and returns its output, or
// "" and false when it refuses the input.
func stdinMode(t *testing.T, name, text string) (string, bool) {
	t.Helper()
	var out, errs bytes.Buffer
	status := cli.Main([]string{"--stdin-filename", name}, strings.NewReader(text), &out, &errs)
	if status != cli.ExitOK {
		return "", false
	}
	return out.String(), true
}
