package lsp

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rofix/rofix/rewrite/policy"
)

// messageWarning is the type of a window/logMessage warning.
const messageWarning = 2

// Version is reported to clients in serverInfo.
const Version = "0.1"

// server is the state of one session.
type server struct {
	out         io.Writer
	policyFor   PolicyFunc
	enc         encoding
	docs        map[string]*document
	initialized bool  // initialize was answered
	shutdown    bool  // shutdown was answered
	werr        error // a failed write: the session is over
}

// ErrNoShutdown is returned by Serve when the client sent exit without
// shutdown first; the protocol asks for exit status 1 then.
var ErrNoShutdown = errors.New("exit without shutdown")

// A PolicyFunc returns the policy for the file at path (a document's URI
// path), or the error of the config file that governs it.
type PolicyFunc func(path string) (policy.Policy, error)

// Serve runs a language server session: it reads messages from in and
// writes to out until the client sends exit or closes in. It returns nil
// after shutdown and exit, ErrNoShutdown after an exit alone, and an error
// when the stream is broken. Requests are handled one at a time, in order.
func Serve(in io.Reader, out io.Writer, policyFor PolicyFunc) error {
	s := &server{out: out, policyFor: policyFor, enc: utf16Encoding, docs: map[string]*document{}}
	r := bufio.NewReaderSize(in, 64<<10)
	for {
		body, err := readMessage(r)
		if errors.Is(err, io.EOF) {
			if s.shutdown {
				return nil
			}
			return fmt.Errorf("the client closed the stream without exit")
		}
		if err != nil {
			return err
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			if err := s.reply(nil, nil, &rpcError{codeParseError, "invalid JSON: " + err.Error()}); err != nil {
				return err
			}
			continue
		}
		if m.Method == "exit" {
			if s.shutdown {
				return nil
			}
			return ErrNoShutdown
		}
		if err := s.handle(&m); err != nil {
			return err
		}
		if s.werr != nil {
			return s.werr
		}
	}
}

// handle answers a request or acts on a notification; the error is only
// for a failed write.
func (s *server) handle(m *message) error {
	isRequest := m.ID != nil
	if m.Method == "" {
		return nil // a response: rofix sends no requests
	}
	result, rerr := s.dispatch(m.Method, m.Params)
	if isRequest {
		return s.reply(m.ID, result, rerr)
	}
	return nil
}

// dispatch runs a method. For a notification the result is dropped.
func (s *server) dispatch(method string, params json.RawMessage) (any, *rpcError) {
	switch {
	case method == "initialize":
		if s.initialized {
			return nil, &rpcError{codeInvalidRequest, "initialize was already received"}
		}
		return s.initialize(params)
	case !s.initialized:
		return nil, &rpcError{codeServerNotInitialized, "initialize first"}
	case s.shutdown:
		return nil, &rpcError{codeInvalidRequest, "the server is shut down"}
	}
	switch method {
	case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration", "textDocument/didSave":
		return nil, nil
	case "shutdown":
		s.shutdown = true
		return nil, nil
	case "textDocument/didOpen":
		var p didOpenParams
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		d := &document{uri: p.TextDocument.URI, languageID: p.TextDocument.LanguageID}
		d.setText(p.TextDocument.Text, p.TextDocument.Version)
		s.docs[d.uri] = d
		s.publish(d)
		return nil, nil
	case "textDocument/didChange":
		var p didChangeParams
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		d, rerr := s.doc(p.TextDocument.URI)
		if rerr != nil {
			return nil, rerr
		}
		text := d.text
		for _, c := range p.ContentChanges {
			if c.Range == nil {
				text = c.Text
				continue
			}
			x := newLines(text, s.enc)
			start, end := x.offset(c.Range.Start), x.offset(c.Range.End)
			if end < start {
				return nil, &rpcError{codeInvalidParams, "change range ends before it starts"}
			}
			text = text[:start] + c.Text + text[end:]
		}
		d.setText(text, p.TextDocument.Version)
		s.publish(d)
		return nil, nil
	case "textDocument/didClose":
		var p documentParams
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		delete(s.docs, p.TextDocument.URI)
		s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: p.TextDocument.URI, Diagnostics: []Diagnostic{}})
		return nil, nil
	case "textDocument/formatting":
		var p documentParams
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		d, rerr := s.doc(p.TextDocument.URI)
		if rerr != nil {
			return nil, rerr
		}
		edits, err := d.formatting(s.policyFor, s.enc)
		if err != nil {
			// Not a failed request: format-on-save keeps the text, as
			// stdin mode does, and the log says why.
			s.notify("window/logMessage", map[string]any{"type": messageWarning, "message": "rofix: not formatted: " + err.Error()})
		}
		return edits, nil
	case "textDocument/codeAction":
		var p codeActionParams
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		d, rerr := s.doc(p.TextDocument.URI)
		if rerr != nil {
			return nil, rerr
		}
		return d.codeActions(s.policyFor, s.enc, p.Range, p.Context.Only), nil
	}
	return nil, &rpcError{codeMethodNotFound, "method not supported: " + method}
}

// initialize negotiates the position encoding and announces what rofix
// serves.
func (s *server) initialize(params json.RawMessage) (any, *rpcError) {
	var p initializeParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	s.enc = negotiate(p.Capabilities.General.PositionEncodings)
	s.initialized = true
	return map[string]any{
		"capabilities": map[string]any{
			"positionEncoding": s.enc,
			"textDocumentSync": map[string]any{"openClose": true, "change": 1},
			"codeActionProvider": map[string]any{
				"codeActionKinds": []string{kindQuickFix, kindFixAll},
			},
			"documentFormattingProvider": true,
		},
		"serverInfo": map[string]any{"name": "rofix", "version": Version},
	}, nil
}

// doc returns an open document.
func (s *server) doc(uri string) (*document, *rpcError) {
	d, ok := s.docs[uri]
	if !ok {
		return nil, &rpcError{codeInvalidParams, "document not open: " + uri}
	}
	return d, nil
}

// publish sends a document's diagnostics.
func (s *server) publish(d *document) {
	version := d.version
	s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{
		URI: d.uri, Version: &version, Diagnostics: d.diagnostics(s.policyFor, s.enc),
	})
}

// notify sends a notification. A failed write ends the session.
func (s *server) notify(method string, params any) {
	raw, err := json.Marshal(params)
	if err == nil {
		err = writeMessage(s.out, &message{Method: method, Params: raw})
	}
	if err != nil && s.werr == nil {
		s.werr = fmt.Errorf("writing %s: %w", method, err)
	}
}

// reply sends the response to a request.
func (s *server) reply(id json.RawMessage, result any, rerr *rpcError) error {
	m := &message{ID: id, Error: rerr}
	if id == nil {
		m.ID = json.RawMessage("null")
	}
	if rerr == nil {
		raw, err := json.Marshal(result)
		if err != nil {
			return err
		}
		m.Result = raw
	}
	return writeMessage(s.out, m)
}

// decode unmarshals params.
func decode(params json.RawMessage, v any) *rpcError {
	if len(params) == 0 {
		return nil
	}
	if err := json.Unmarshal(params, v); err != nil {
		return &rpcError{codeInvalidParams, err.Error()}
	}
	return nil
}
